"""The plain data the allocation engine works on: no storage, no GraphQL, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Source(StrEnum):
    EMERGENCY = "EMERGENCY"
    PAID = "PAID"
    FOLLOW_UP = "FOLLOW_UP"
    ONLINE = "ONLINE"
    WALK_IN = "WALK_IN"

    @property
    def priority(self) -> int:
        return PRIORITY[self]


PRIORITY: dict[Source, int] = {
    Source.EMERGENCY: 1,
    Source.PAID: 2,
    Source.FOLLOW_UP: 3,
    Source.ONLINE: 4,
    Source.WALK_IN: 5,
}


class Status(StrEnum):
    BOOKED = "BOOKED"
    WAITLISTED = "WAITLISTED"
    CHECKED_IN = "CHECKED_IN"
    CALLED = "CALLED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    NO_SHOW = "NO_SHOW"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"


SEATED = frozenset({Status.BOOKED, Status.CHECKED_IN, Status.CALLED})
# A completed consultation still used its place: capacity counts consultations, so
# completing a token frees nothing. Only cancel and no-show give a place back.
HOLDS_PLACE = SEATED | {Status.COMPLETED}
FINAL = frozenset(
    {Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW, Status.REJECTED, Status.EXPIRED}
)


class EventKind(StrEnum):
    BOOKED = "BOOKED"
    DISPLACED = "DISPLACED"
    MOVED = "MOVED"
    OVERBOOKED = "OVERBOOKED"
    WAITLISTED = "WAITLISTED"
    PROMOTED = "PROMOTED"
    REJECTED = "REJECTED"
    CHECKED_IN = "CHECKED_IN"
    CALLED = "CALLED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    NO_SHOW = "NO_SHOW"
    EXPIRED = "EXPIRED"


class EmergencyMode(StrEnum):
    DISPLACE = "DISPLACE"
    OVERBOOK = "OVERBOOK"


class Spill(StrEnum):
    NEXT_SLOT = "NEXT_SLOT"
    WAITLIST = "WAITLIST"


class Overflow(StrEnum):
    WAITLIST = "WAITLIST"
    REJECT = "REJECT"


@dataclass(frozen=True, slots=True)
class Policy:
    emergency_mode: EmergencyMode = EmergencyMode.DISPLACE
    spill: Spill = Spill.NEXT_SLOT
    overflow: Overflow = Overflow.WAITLIST
    max_displacements: int = 2


@dataclass(frozen=True, slots=True)
class Slot:
    id: str
    start: datetime
    end: datetime
    capacity: int

    def is_open(self, now: datetime) -> bool:
        return now < self.end


@dataclass(frozen=True, slots=True)
class Token:
    id: str
    seq: int
    source: Source
    status: Status
    queued_at: datetime
    slot_id: str | None = None
    displacements: int = 0

    @property
    def priority(self) -> int:
        return PRIORITY[self.source]

    @property
    def rank(self) -> tuple[int, datetime, int]:
        return (self.priority, self.queued_at, self.seq)

    @property
    def seated(self) -> bool:
        return self.status in SEATED


@dataclass(frozen=True, slots=True)
class Event:
    token_id: str
    kind: EventKind
    slot_id: str | None = None
    caused_by: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """What an operation changes: the new state of each changed token and why."""

    tokens: tuple[Token, ...] = ()
    events: tuple[Event, ...] = ()

    def token(self, token_id: str) -> Token:
        return next(t for t in self.tokens if t.id == token_id)
