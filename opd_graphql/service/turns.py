"""Changes to one doctor-day from this process, taken a batch at a time."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
MOST_PER_BATCH = 32


@dataclass(eq=False)
class _Waiting(Generic[T]):
    item: T
    # True once a batch holding the item has run; False when it is the item's turn to lead.
    woken: asyncio.Future[bool]


class Turns(Generic[T]):
    """A queue per doctor-day for this process's changes to it.

    Not what keeps a day consistent: the ledger's transactions do that, across every
    process. But two transactions of one process on one day would only conflict, and the
    loser start again. So changes wait their turn, and whoever's turn it is takes the
    changes waiting behind it along: a busy day pays for one transaction per batch
    rather than one per change.
    """

    def __init__(self, most: int = MOST_PER_BATCH) -> None:
        self.most = most
        self._waiting: dict[str, deque[_Waiting[T]]] = {}

    async def take(self, key: str, item: T, run: Callable[[list[T]], Awaitable[None]]) -> None:
        """Return once `run` has been given `item`, in a batch with others waiting on `key`.

        `run` is called for one batch at a time per key, the oldest items first. Whatever
        it raises reaches only the caller whose turn it was: the items of the others in its
        batch must carry their own outcome.
        """
        waiting = self._waiting.get(key)
        if waiting is None:
            waiting = self._waiting[key] = deque()
        else:
            turn = _Waiting(item, asyncio.get_running_loop().create_future())
            waiting.append(turn)
            try:
                if await turn.woken:
                    return
            except asyncio.CancelledError:
                if turn in waiting:
                    waiting.remove(turn)
                elif turn.woken.done() and not turn.woken.cancelled() and not turn.woken.result():
                    self._pass_on(key, waiting)  # it was this caller's turn to lead
                raise
        taken: list[_Waiting[T]] = []
        while waiting and len(taken) + 1 < self.most:
            taken.append(waiting.popleft())
        try:
            await run([item, *(turn.item for turn in taken)])
        finally:
            for turn in taken:
                if not turn.woken.done():
                    turn.woken.set_result(True)
            self._pass_on(key, waiting)

    def _pass_on(self, key: str, waiting: deque[_Waiting[T]]) -> None:
        while waiting:
            turn = waiting.popleft()
            if not turn.woken.done():
                turn.woken.set_result(False)
                return
        del self._waiting[key]

    def __len__(self) -> int:
        return len(self._waiting)
