"""What every use case needs: the database client, the policy, the timezone and a clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from pymongo import AsyncMongoClient

from opd_graphql.engine import Policy
from opd_graphql.service.locks import DayLocks
from opd_graphql.store.documents import OutboxEvent
from opd_graphql.store.transaction import RETRY_SECONDS


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServiceContext:
    client: AsyncMongoClient
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    policy: Policy = field(default_factory=Policy)
    clock: Callable[[], datetime] = utc_now
    # How long a change keeps trying after conflicts or an unconfirmed commit.
    retry_seconds: float = RETRY_SECONDS
    locks: DayLocks = field(default_factory=DayLocks, compare=False, repr=False)
    # The changes running now, each in a task of its own (doctor_day.py).
    running: set[asyncio.Task[object]] = field(default_factory=set, compare=False, repr=False)
    # Handed the outbox events of each change this context commits, once committed, in
    # version order per doctor-day: how the simulator follows its days.
    committed: Callable[[Sequence[OutboxEvent]], None] | None = field(
        default=None, compare=False, repr=False
    )

    def now(self) -> datetime:
        # MongoDB keeps milliseconds: the engine must see the times it will read back.
        moment = self.clock()
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    def today(self) -> date:
        return self.now().astimezone(self.timezone).date()

    def local(self, moment: datetime) -> datetime:
        """A moment in the hospital's timezone."""
        return moment.astimezone(self.timezone)

    async def settle(self) -> None:
        """Wait for the changes still running: none is cut off halfway by a shutdown."""
        while self.running:
            await asyncio.gather(*self.running, return_exceptions=True)
