"""A doctor-day as its events tell it: the outbox replayed, independently of the engine.

The service hands the simulator the outbox events of every commit, and the simulator
rebuilds each token's status and slot from them. The invariants are checked against
this picture, the report is counted from it, and at the end it must agree with the
events and the tokens as stored. Places are counted as the tokens hold them (a new
patient's token holds two), and a skipped token is held back from being called again
as the skip rule says (decision 029), worked out here from the events alone.

A token transferred to another doctor-day leaves this one's picture on the TRANSFERRED
event its day records, and joins the other's, with its status, on the one recorded there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from beanie import PydanticObjectId

from opd_graphql.engine import HOLDS_PLACE, SEATED, EventKind, Source, Status

# The status each event leaves its token in; DISPLACED and MOVED keep it, and TRANSFERRED
# keeps it when the token finds a place (`DayReplay._transferred`).
STATUS_AFTER = {
    EventKind.SKIPPED: Status.CHECKED_IN,
    EventKind.BOOKED: Status.BOOKED,
    EventKind.OVERBOOKED: Status.BOOKED,
    EventKind.PROMOTED: Status.BOOKED,
    EventKind.WAITLISTED: Status.WAITLISTED,
    EventKind.REJECTED: Status.REJECTED,
    EventKind.CHECKED_IN: Status.CHECKED_IN,
    EventKind.CALLED: Status.CALLED,
    EventKind.COMPLETED: Status.COMPLETED,
    EventKind.CANCELLED: Status.CANCELLED,
    EventKind.NO_SHOW: Status.NO_SHOW,
    EventKind.EXPIRED: Status.EXPIRED,
}
UNSEATED = frozenset({Status.WAITLISTED, Status.REJECTED, Status.EXPIRED})


@dataclass(frozen=True, slots=True)
class Committed:
    """One event as committed on a doctor-day, at its ledger `version`."""

    doctor_id: PydanticObjectId
    version: int
    token_id: str
    kind: EventKind
    slot_id: str | None
    at: datetime


@dataclass(frozen=True)
class SlotInfo:
    id: str
    start: datetime
    end: datetime
    capacity: int

    @property
    def consultation(self) -> timedelta:
        return (self.end - self.start) / self.capacity


@dataclass
class TokenState:
    id: str
    number: str
    seq: int
    source: Source
    queued_at: datetime
    status: Status | None = None  # None until its first event has been read
    slot_id: str | None = None
    places: int = 1
    displacements: int = 0
    called_at: datetime | None = None  # the first call: later ones follow a skip
    skips: int = 0
    recall_in: int = 0  # other patients to be called before this skipped one is again

    @property
    def rank(self) -> tuple[int, datetime, int]:
        return (self.source.priority, self.queued_at, self.seq)


@dataclass(frozen=True)
class Mark:
    """A moment worth drawing: an emergency, an overbooking, a displacement, a promotion."""

    at: datetime
    slot_id: str
    kind: EventKind
    source: Source


@dataclass(frozen=True)
class Applied:
    token: TokenState
    kind: EventKind
    at: datetime


@dataclass
class DayReplay:
    doctor_id: PydanticObjectId
    date: str
    slots: list[SlotInfo]
    recall_after: int = 2  # the policy's: how long a skipped token is held back
    # The policy's status for a token that comes to the day and finds no place.
    unplaced: Status = Status.WAITLISTED
    tokens: dict[str, TokenState] = field(default_factory=dict)
    marks: list[Mark] = field(default_factory=list)
    overbooked: set[str] = field(default_factory=set)  # slots an emergency overbooked
    # slot id -> (moment, places held, of which completed), each time either changed
    occupancy: dict[str, list[tuple[datetime, int, int]]] = field(default_factory=dict)
    # (version, token id, kind) of every event applied, in order
    applied: list[tuple[int, str, EventKind]] = field(default_factory=list)
    _committed: list[Committed] = field(default_factory=list, init=False, repr=False)
    # Tokens announced to leave for another day, or to come from one (with their number
    # and sequence here), when their TRANSFERRED event is read.
    _leaving: set[str] = field(default_factory=set, init=False, repr=False)
    _arriving: dict[str, tuple[TokenState, str, int]] = field(
        default_factory=dict, init=False, repr=False
    )
    _moved_in: set[str] = field(default_factory=set, init=False, repr=False)
    # The slots' holders and the queue as the events so far leave them, worked out once.
    _holding: dict[str, list[TokenState]] | None = field(default=None, init=False, repr=False)
    _queue: list[TokenState] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.slot_by_id = {slot.id: slot for slot in self.slots}

    def register(
        self,
        token_id: str,
        number: str,
        seq: int,
        source: Source,
        queued_at: datetime,
        places: int,
    ) -> TokenState:
        """Learn a new token's fixed facts; its events say the rest."""
        state = TokenState(token_id, number, seq, source, queued_at, places=places)
        self.tokens[state.id] = state
        return state

    def send(self, token_id: str, to: DayReplay, number: str, seq: int) -> None:
        """The token has been transferred to `to`'s day, there numbered `number` (`seq`)."""
        self._leaving.add(token_id)
        to._arriving[token_id] = (self.tokens[token_id], number, seq)

    @property
    def counts(self) -> Counter[EventKind]:
        return Counter(kind for _, _, kind in self.applied)

    def committed(self, events: Sequence[Committed]) -> None:
        """What the service calls after each commit on this day."""
        self._committed.extend(events)

    def catch_up(self) -> list[Applied]:
        """Apply every event committed since the last call, in commit order."""
        applied = [self._apply(event) for event in self._committed]
        self._committed.clear()
        if applied:
            self._holding = self._queue = None
        # An emergency moved into a full slot overbooks it, with no OVERBOOKED event.
        for slot_id in self._moved_in:
            if self.held(slot_id) > self.slot_by_id[slot_id].capacity:
                self.overbooked.add(slot_id)
        self._moved_in.clear()
        if applied:
            self._note_occupancy(applied[-1].at)
        return applied

    def _apply(self, event: Committed) -> Applied:
        token_id, kind = event.token_id, event.kind
        if kind is EventKind.TRANSFERRED and token_id in self._arriving:
            arriving, number, seq = self._arriving.pop(token_id)
            arriving.number, arriving.seq, arriving.recall_in = number, seq, 0
            self.tokens[token_id] = arriving
        token = self.tokens[token_id]
        slot_id, at = event.slot_id, event.at
        self.applied.append((event.version, token.id, kind))
        if kind is EventKind.TRANSFERRED and token_id in self._leaving:
            self._leaving.discard(token_id)
            del self.tokens[token_id]
            return Applied(token, kind, at)
        if kind in STATUS_AFTER:
            token.status = STATUS_AFTER[kind]
        if kind is EventKind.TRANSFERRED:
            self._transferred(token, slot_id)
        elif kind is EventKind.DISPLACED:
            token.slot_id = None
            token.displacements += 1
        elif kind in (EventKind.BOOKED, EventKind.OVERBOOKED, EventKind.PROMOTED, EventKind.MOVED):
            token.slot_id = slot_id
        elif token.status in UNSEATED:
            token.slot_id = None
        if kind is EventKind.CALLED:
            self._called(token, at)
        elif kind is EventKind.SKIPPED:
            token.skips += 1
            token.recall_in = self.recall_after
        if kind is EventKind.OVERBOOKED and slot_id is not None:
            self.overbooked.add(slot_id)
        moved = kind in (EventKind.TRANSFERRED, EventKind.MOVED)
        if moved and token.source is Source.EMERGENCY and slot_id is not None:
            self._moved_in.add(slot_id)
        if slot_id is not None and _is_remarkable(kind, token.source):
            self.marks.append(Mark(at, slot_id, kind, token.source))
        return Applied(token, kind, at)

    def _transferred(self, token: TokenState, slot_id: str | None) -> None:
        """In a place, a token keeps its status (a waitlisted one is booked); without one, a
        waitlisted token stays waitlisted and any other is turned away as a booking is."""
        waitlisted = token.status is Status.WAITLISTED
        if slot_id is not None:
            token.status = Status.BOOKED if waitlisted else token.status
        elif not waitlisted:
            token.status = self.unplaced
        token.slot_id = slot_id

    def _called(self, token: TokenState, at: datetime) -> None:
        """Calling anyone brings every held-back checked-in patient one call closer."""
        if token.called_at is None:
            token.called_at = at
        token.recall_in = 0
        for other in self.tokens.values():
            if other.status is Status.CHECKED_IN and other.recall_in > 0:
                other.recall_in -= 1

    def _note_occupancy(self, at: datetime) -> None:
        holding = self.holding()
        for slot in self.slots:
            steps = self.occupancy.setdefault(slot.id, [])
            holders = holding[slot.id]
            held = sum(t.places for t in holders)
            seen = sum(t.places for t in holders if t.status is Status.COMPLETED)
            if not steps or steps[-1][1:] != (held, seen):
                steps.append((at, held, seen))

    def holding(self) -> dict[str, list[TokenState]]:
        """Each slot's seated and completed tokens, by slot id."""
        if self._holding is None:
            self._holding = {slot.id: [] for slot in self.slots}
            for token in self.tokens.values():
                if token.slot_id is not None and token.status in HOLDS_PLACE:
                    self._holding[token.slot_id].append(token)
        return self._holding

    def held(self, slot_id: str) -> int:
        """The places the slot's seated and completed tokens hold."""
        return sum(t.places for t in self.holding()[slot_id])

    def queue(self) -> list[TokenState]:
        """Seated tokens in the order DESIGN section 3 says they are seen."""

        def position(token: TokenState) -> tuple[bool, datetime, tuple[int, datetime, int]]:
            assert token.slot_id is not None
            slot_start = self.slot_by_id[token.slot_id].start
            return (token.source is not Source.EMERGENCY, slot_start, token.rank)

        if self._queue is None:
            seated = [t for t in self.tokens.values() if t.status in SEATED and t.slot_id]
            self._queue = sorted(seated, key=position)
        return self._queue

    def with_status(self, status: Status) -> list[TokenState]:
        return [t for t in self.queue() if t.status is status]

    def next_to_call(self) -> TokenState | None:
        """Whom callNext must call: the first checked-in patient in queue order not held back
        after a skip; when every one is, the one whose hold ends soonest."""
        checked_in = self.with_status(Status.CHECKED_IN)
        ready = [t for t in checked_in if t.recall_in == 0]
        if ready:
            return ready[0]
        return min(checked_in, key=lambda t: t.recall_in, default=None)


def _is_remarkable(kind: EventKind, source: Source) -> bool:
    if kind is EventKind.BOOKED:
        return source is Source.EMERGENCY
    return kind in (EventKind.OVERBOOKED, EventKind.DISPLACED, EventKind.PROMOTED)


class Replays:
    """The simulation's doctor-days: each commit's events go to the replay of their day."""

    def __init__(self) -> None:
        self.days: dict[PydanticObjectId, DayReplay] = {}

    def add(self, day: DayReplay) -> None:
        self.days[day.doctor_id] = day

    def committed(self, events: Sequence[Committed]) -> None:
        for event in events:
            self.days[event.doctor_id].committed([event])
