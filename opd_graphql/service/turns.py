"""Changes to one doctor-day from this process, one at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Turns:
    """A queue per doctor-day for this process's transactions on it.

    Not what keeps a day consistent: the ledger's transactions do that, across every
    process. But two transactions of one process on one day would only conflict, and the
    loser start again; waiting for its turn costs the day less than retrying.
    """

    def __init__(self) -> None:
        self._queues: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def of(self, key: str) -> AsyncIterator[None]:
        lock, waiting = self._queues.get(key, (asyncio.Lock(), 0))
        self._queues[key] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._queues[key]
            if waiting == 1:
                del self._queues[key]
            else:
                self._queues[key] = (lock, waiting - 1)

    def __len__(self) -> int:
        return len(self._queues)
