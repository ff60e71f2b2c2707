"""What every use case needs: the database client, the policy, the timezone and a clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from beanie import PydanticObjectId
from pymongo import AsyncMongoClient

from opd_graphql.engine import Policy
from opd_graphql.service.day_cache import DayCache
from opd_graphql.service.engine_data import ParsedToken
from opd_graphql.service.recent import Recent
from opd_graphql.service.turns import Turns
from opd_graphql.store.documents import Doctor, OutboxEvent

DOCTORS_REMEMBERED = 1024
TOKENS_REMEMBERED = 16384
PARSED_TOKENS_REMEMBERED = 8192


class TokenDay(NamedTuple):
    """Where a token belongs and what it is called: neither ever changes."""

    doctor_id: PydanticObjectId
    date: str
    number: str


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServiceContext:
    client: AsyncMongoClient
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    policy: Policy = field(default_factory=Policy)
    clock: Callable[[], datetime] = utc_now
    days: DayCache = field(default_factory=DayCache, compare=False, repr=False)
    turns: Turns[Any] = field(default_factory=Turns, compare=False, repr=False)
    # Doctors never change once registered, nor does a token's doctor-day, so any
    # process may keep them.
    doctors: Recent[str, Doctor] = field(
        default_factory=lambda: Recent(DOCTORS_REMEMBERED), compare=False, repr=False
    )
    token_days: Recent[str, TokenDay] = field(
        default_factory=lambda: Recent(TOKENS_REMEMBERED), compare=False, repr=False
    )
    # Tokens by the stored document they were parsed from: the screens of a day re-read
    # all its live tokens after every change, and most are unchanged.
    parsed_tokens: Recent[bytes, ParsedToken] = field(
        default_factory=lambda: Recent(PARSED_TOKENS_REMEMBERED), compare=False, repr=False
    )
    # Handed the outbox events of each commit this context makes, once it has
    # committed, in version order per doctor-day: how the simulator follows its days.
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
        """A moment in the hospital's timezone; a naive one is taken to be hospital time."""
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.timezone)
        return moment.astimezone(self.timezone)
