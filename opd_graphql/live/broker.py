"""One change stream per process on the events outbox, fanned out to local subscribers."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import OperationFailure, PyMongoError

log = logging.getLogger(__name__)

DayKey = tuple[str, str]  # (doctor id, ISO date)
RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)
_INSERTS: list[dict[str, Any]] = [
    {"$match": {"operationType": "insert"}},
    {"$project": {"fullDocument.doctor_id": 1, "fullDocument.date": 1}},
]


class Broker:
    """Wakes the subscribers of a doctor-day whenever an event of that day is committed.

    A subscriber holds a flag, not a queue: a burst of events sets it once, and the
    subscriber reads the latest state when it is ready. So a slow or dead client never
    holds up the stream or the other subscribers, and nothing piles up in memory.
    """

    def __init__(self, events: AsyncCollection[dict[str, Any]]) -> None:
        self._events = events
        self._watchers: dict[DayKey, set[asyncio.Event]] = defaultdict(set)
        self.ready = asyncio.Event()

    @contextmanager
    def watch(self, doctor_id: str, date: str) -> Iterator[asyncio.Event]:
        key = (doctor_id, date)
        flag = asyncio.Event()
        self._watchers[key].add(flag)
        try:
            yield flag
        finally:
            self._watchers[key].discard(flag)
            if not self._watchers[key]:
                del self._watchers[key]

    @property
    def subscribers(self) -> int:
        return sum(len(flags) for flags in self._watchers.values())

    async def run(self) -> None:
        resume_token: Any = None
        failures = 0
        while True:
            try:
                async with await self._events.watch(_INSERTS, resume_after=resume_token) as stream:
                    if failures:
                        # Back after a break: whatever happened meanwhile may not be in the
                        # stream, so every subscriber re-reads its state now.
                        self._wake_everyone()
                    failures = 0
                    self.ready.set()
                    async for change in stream:
                        resume_token = stream.resume_token
                        document = change["fullDocument"]
                        self._wake((str(document["doctor_id"]), document["date"]))
            except asyncio.CancelledError:
                raise
            except PyMongoError as error:
                if isinstance(error, OperationFailure):
                    resume_token = None  # the resume point is gone: start from now
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                log.warning(
                    "event stream interrupted (%s); retrying in %ss", type(error).__name__, delay
                )
                await asyncio.sleep(delay)

    def _wake(self, key: DayKey) -> None:
        for flag in self._watchers.get(key, ()):
            flag.set()

    def _wake_everyone(self) -> None:
        for flags in self._watchers.values():
            for flag in flags:
                flag.set()
