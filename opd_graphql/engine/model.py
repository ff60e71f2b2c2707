"""The plain data the allocation engine works on: no storage, no GraphQL, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from operator import attrgetter

MAX_PLACES = 4


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
# Seated and not yet called: the tokens that may be displaced, moved by a closing or transferred.
WAITING = frozenset({Status.BOOKED, Status.CHECKED_IN})
# A completed consultation still used its places: capacity counts consultations, so
# completing a token frees nothing. Only cancel, no-show, transfer and closing give places back.
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
    TRANSFERRED = "TRANSFERRED"
    SKIPPED = "SKIPPED"


# The event that records a token taking a status: the one of the same name.
STATUS_EVENT = {status: EventKind(status.value) for status in Status}


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
    recall_after: int = 2
    max_skips: int = 2


@dataclass(frozen=True, slots=True)
class Slot:
    id: str
    start: datetime
    end: datetime
    capacity: int
    closed: bool = False

    def is_open(self, now: datetime) -> bool:
        return not self.closed and now < self.end


@dataclass(frozen=True, slots=True)
class Token:
    """One patient's claim on a doctor-day.

    `places`: consultation lengths the patient needs (1 to MAX_PLACES). `skips`: how often the
    patient was called and did not come in. `recall_in`: how many other patients must still be
    called before a skipped patient is called again (0: not held back).
    """

    id: str
    seq: int
    source: Source
    status: Status
    queued_at: datetime
    slot_id: str | None = None
    displacements: int = 0
    places: int = 1
    skips: int = 0
    recall_in: int = 0

    @property
    def priority(self) -> int:
        return PRIORITY[self.source]

    @property
    def rank(self) -> tuple[int, datetime, int]:
        return (PRIORITY[self.source], self.queued_at, self.seq)

    @property
    def seated(self) -> bool:
        return self.status in SEATED

    def placed(self, status: Status, slot_id: str | None, *, displaced: bool = False) -> Token:
        """This token with a new status and slot, one more displacement if `displaced`.

        Called for every move an allocation decides, where dataclasses.replace would cost
        more than the decision.
        """
        return Token(
            self.id,
            self.seq,
            self.source,
            status,
            self.queued_at,
            slot_id,
            self.displacements + 1 if displaced else self.displacements,
            self.places,
            self.skips,
            self.recall_in,
        )


RANK = attrgetter("rank")


@dataclass(frozen=True, slots=True)
class Event:
    token_id: str
    kind: EventKind
    slot_id: str | None = None
    caused_by: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """What an operation changes: the new state of each changed token and slot, and why.

    `gone`: ids of tokens that leave this doctor-day for another one (a transfer).
    """

    tokens: tuple[Token, ...] = ()
    events: tuple[Event, ...] = ()
    slots: tuple[Slot, ...] = ()
    gone: tuple[str, ...] = ()

    def token(self, token_id: str) -> Token:
        return next(t for t in self.tokens if t.id == token_id)
