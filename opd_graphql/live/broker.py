"""One change stream per process on the events outbox, fanned out to local subscribers."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import OperationFailure, PyMongoError

log = logging.getLogger(__name__)

DayKey = tuple[str, str]  # (doctor id, ISO date)
V = TypeVar("V")
RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)
# How long a quiet stream waits for a change; also how soon it notices nobody watches.
AWAIT_MS = 1000
_INSERTS: list[dict[str, Any]] = [
    {"$match": {"operationType": "insert"}},
    {"$project": {"fullDocument.doctor_id": 1, "fullDocument.date": 1}},
]


class Broker:
    """Wakes the subscribers of a doctor-day whenever an event of that day is committed.

    A subscriber holds a flag, not a queue: a burst of events sets it once, and the
    subscriber reads the latest state when it is ready. So a slow or dead client never
    holds up the stream or the other subscribers, and nothing piles up in memory.

    The stream is followed only while someone here watches: a process serving front
    desks and no screens then spends nothing on the events of the whole hospital, and
    the database keeps no cursor for it. `ready` is set while the stream is open.
    """

    def __init__(self, events: AsyncCollection[dict[str, Any]]) -> None:
        self._events = events
        self._watchers: dict[DayKey, set[asyncio.Event]] = defaultdict(set)
        # Per watched day: how many changes were announced, and the last shared read
        # with how many changes it had seen when it started.
        self._changes: dict[DayKey, int] = defaultdict(int)
        self._reads: dict[DayKey, tuple[int, asyncio.Future[Any]]] = {}
        self.ready = asyncio.Event()
        self._wanted = asyncio.Event()

    @contextmanager
    def watch(self, doctor_id: str, date: str) -> Iterator[asyncio.Event]:
        key = (doctor_id, date)
        flag = asyncio.Event()
        self._watchers[key].add(flag)
        self._wanted.set()
        try:
            yield flag
        finally:
            self._watchers[key].discard(flag)
            if not self._watchers[key]:
                del self._watchers[key]
                self._changes.pop(key, None)
                self._reads.pop(key, None)
            if not self._watchers:
                self._wanted.clear()

    def changes(self, doctor_id: str, date: str) -> int:
        """How many changes to a watched day were announced so far."""
        return self._changes[(doctor_id, date)]

    async def read_once(
        self, doctor_id: str, date: str, seen: int, read: Callable[[], Awaitable[V]]
    ) -> V:
        """`read()` started after the day's `seen`-th change, shared by all who ask for it.

        However many screens follow a day, each change costs this process one read.
        """
        key = (doctor_id, date)
        last = self._reads.get(key)
        if last is None or last[0] < seen:
            future = asyncio.ensure_future(read())
            last = (self._changes[key], future)
            self._reads[key] = last
            future.add_done_callback(lambda done: self._forget_failed(key, done))
        # Shielded: a screen that goes away must not cancel the read for the others.
        return cast(V, await asyncio.shield(last[1]))

    def _forget_failed(self, key: DayKey, done: asyncio.Future[Any]) -> None:
        last = self._reads.get(key)
        if last is not None and last[1] is done and (done.cancelled() or done.exception()):
            del self._reads[key]

    @property
    def subscribers(self) -> int:
        return sum(len(flags) for flags in self._watchers.values())

    async def run(self) -> None:
        resume_token: Any = None
        failures = 0
        while True:
            if not self._watchers:
                # Nobody needs what happens meanwhile: the next stream starts from then.
                self.ready.clear()
                resume_token, failures = None, 0
                await self._wanted.wait()
            try:
                async with await self._events.watch(
                    _INSERTS, resume_after=resume_token, max_await_time_ms=AWAIT_MS
                ) as stream:
                    if failures:
                        # Back after a break: whatever happened meanwhile may not be in the
                        # stream, so every subscriber re-reads its state now.
                        self._wake_everyone()
                    failures = 0
                    self.ready.set()
                    while self._watchers:
                        change = await stream.try_next()
                        # Kept even without a change, so that a stream reopened for a
                        # subscriber who came while this one closed misses nothing.
                        resume_token = stream.resume_token
                        if change is not None:
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
        flags = self._watchers.get(key)
        if flags:
            self._changes[key] += 1
            for flag in flags:
                flag.set()

    def _wake_everyone(self) -> None:
        for key in list(self._watchers):
            self._wake(key)
