"""Where tokens sit: booking, releasing places, filling new slots, expiring the waitlist.

Implements DESIGN section 3. Every function works on a private copy of the day and
returns a Plan; the Day it is given is never changed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from opd_graphql.engine.flow import IllegalTransition, find_token
from opd_graphql.engine.model import (
    HOLDS_PLACE,
    SEATED,
    Day,
    EmergencyMode,
    Event,
    EventKind,
    Overflow,
    Plan,
    Policy,
    Slot,
    Source,
    Spill,
    Status,
    Token,
)
from opd_graphql.engine.queue import waitlist

DISPLACEABLE = frozenset({Status.BOOKED, Status.CHECKED_IN})
# The statuses each kind of release may start from.
RELEASABLE: dict[Status, frozenset[Status]] = {
    Status.CANCELLED: SEATED | {Status.WAITLISTED},
    Status.NO_SHOW: SEATED,
}
RELEASE_ACTION = {Status.CANCELLED: "cancelled", Status.NO_SHOW: "marked as a no-show"}


class _Board:
    """A working copy of a day that records each change, and its event, as it is made."""

    def __init__(self, day: Day, now: datetime, policy: Policy) -> None:
        self.slots = sorted(day.slots, key=lambda slot: slot.start)
        self.tokens = {token.id: token for token in day.tokens}
        self.now = now
        self.policy = policy
        self._changed: dict[str, Token] = {}
        self._events: list[Event] = []

    def slot(self, slot_id: str) -> Slot:
        found = next((slot for slot in self.slots if slot.id == slot_id), None)
        if found is None:
            raise ValueError(f"Unknown slot {slot_id}.")
        return found

    def open_slots_before(self, index: int) -> list[Slot]:
        return [slot for slot in self.slots[:index] if slot.is_open(self.now)]

    def has_free_place(self, slot: Slot) -> bool:
        held = sum(t.slot_id == slot.id and t.status in HOLDS_PLACE for t in self.tokens.values())
        return held < slot.capacity

    def worst_displaceable(self, slot: Slot) -> Token | None:
        displaceable = [
            token
            for token in self.tokens.values()
            if token.slot_id == slot.id
            and token.status in DISPLACEABLE
            and token.source is not Source.EMERGENCY
            and token.displacements < self.policy.max_displacements
        ]
        return max(displaceable, key=lambda token: token.rank, default=None)

    def best_waitlisted(self) -> Token | None:
        waiting = (token for token in self.tokens.values() if token.status is Status.WAITLISTED)
        return min(waiting, key=lambda token: token.rank, default=None)

    def record(
        self, token: Token, kind: EventKind, slot_id: str | None, caused_by: str | None = None
    ) -> None:
        self.tokens[token.id] = token
        self._changed[token.id] = token
        self._events.append(Event(token.id, kind, slot_id, caused_by))

    def plan(self) -> Plan:
        return Plan(tuple(self._changed.values()), tuple(self._events))


def book(
    day: Day, token: Token, preferred_slot_id: str | None, now: datetime, policy: Policy
) -> Plan:
    """Give a new token a place, displacing or waitlisting as the policy says.

    `token` is the new token (not yet in `day`); its status and slot are ignored. The
    preferred slot defaults to the earliest open one and must be open when given.
    """
    board = _Board(day, now, policy)
    start = _preferred_index(board, preferred_slot_id)
    if start is None:
        _overflow(board, token, caused_by=None)
    elif token.source is Source.EMERGENCY:
        _seat_emergency(board, token, start)
    else:
        _place(board, token, start, displaced_by=None)
    return board.plan()


def release(day: Day, token_id: str, status: Status, now: datetime, policy: Policy) -> Plan:
    """Cancel a token or mark it a no-show, and give its place to the waitlist.

    The released token keeps its slot_id so its history shows which slot it left or
    missed; it no longer holds the place because its status does not. Cancelling a
    cancelled token changes nothing. `policy` does not affect promotion today.
    """
    if status not in RELEASABLE:
        raise ValueError(f"A token cannot be released as {status.value}.")
    token = find_token(day, token_id)
    if token.status is Status.CANCELLED and status is Status.CANCELLED:
        return Plan()
    if token.status not in RELEASABLE[status]:
        raise IllegalTransition(token_id, token.status, RELEASE_ACTION[status])
    board = _Board(day, now, policy)
    board.record(replace(token, status=status), EventKind(status.value), token.slot_id)
    if token.status in SEATED and token.slot_id is not None:
        _promote(board, board.slot(token.slot_id), caused_by=token_id)
    return board.plan()


def fill(day: Day, slot_id: str, now: datetime) -> Plan:
    """Offer an open slot's free places to the waitlist, best rank first."""
    board = _Board(day, now, Policy())
    _promote(board, board.slot(slot_id), caused_by=None)
    return board.plan()


def expire(day: Day, now: datetime) -> Plan:
    """Once the day's last slot has ended, every waitlisted token expires."""
    if not day.slots or now < max(slot.end for slot in day.slots):
        return Plan()
    board = _Board(day, now, Policy())
    for token in waitlist(day):
        board.record(replace(token, status=Status.EXPIRED), EventKind.EXPIRED, None)
    return board.plan()


def _preferred_index(board: _Board, preferred_slot_id: str | None) -> int | None:
    if preferred_slot_id is None:
        return next((i for i, slot in enumerate(board.slots) if slot.is_open(board.now)), None)
    slot = board.slot(preferred_slot_id)
    if not slot.is_open(board.now):
        raise ValueError(f"Slot {preferred_slot_id} has ended.")
    return board.slots.index(slot)


def _seat_emergency(board: _Board, token: Token, index: int) -> None:
    slot = board.slots[index]
    seated = replace(token, status=Status.BOOKED, slot_id=slot.id)
    if board.has_free_place(slot):
        board.record(seated, EventKind.BOOKED, slot.id)
        return
    victim = None
    if board.policy.emergency_mode is EmergencyMode.DISPLACE:
        victim = board.worst_displaceable(slot)
    if victim is None:
        board.record(seated, EventKind.OVERBOOKED, slot.id)
        return
    board.record(seated, EventKind.BOOKED, slot.id)
    _displace(board, victim, index, displacer_id=token.id)


def _place(board: _Board, token: Token, start: int, displaced_by: str | None) -> None:
    """Seat `token` in the first open slot from `start` that takes it (DESIGN 3, step 4).

    `displaced_by` is None for a new booking, else the id of the token that pushed
    this one out. Each displacement of a cascade happens in a later slot than the one
    before it, so cascades end.
    """
    for index in range(start, len(board.slots)):
        slot = board.slots[index]
        if not slot.is_open(board.now):
            continue
        if board.has_free_place(slot):
            _seat(board, token, slot, displaced_by)
            return
        victim = board.worst_displaceable(slot)
        if victim is not None and victim.priority > token.priority:
            _seat(board, token, slot, displaced_by)
            _displace(board, victim, index, displacer_id=token.id)
            return
        if displaced_by is None and board.policy.spill is Spill.WAITLIST:
            board.record(
                replace(token, status=Status.WAITLISTED, slot_id=None), EventKind.WAITLISTED, None
            )
            return
    # An earlier consultation beats waiting: with the default policy this guarantees
    # nobody is waitlisted while an open slot of the day has a free place.
    earlier = (slot for slot in board.open_slots_before(start) if board.has_free_place(slot))
    fallback = next(earlier, None)
    if fallback is not None:
        _seat(board, token, fallback, displaced_by)
    else:
        _overflow(board, token, caused_by=displaced_by)


def _seat(board: _Board, token: Token, slot: Slot, displaced_by: str | None) -> None:
    if displaced_by is None:
        board.record(
            replace(token, status=Status.BOOKED, slot_id=slot.id), EventKind.BOOKED, slot.id
        )
    else:
        # A moved token keeps its status: a checked-in patient is still here.
        board.record(replace(token, slot_id=slot.id), EventKind.MOVED, slot.id, displaced_by)


def _displace(board: _Board, victim: Token, index: int, displacer_id: str) -> None:
    unseated = replace(victim, slot_id=None, displacements=victim.displacements + 1)
    board.record(unseated, EventKind.DISPLACED, victim.slot_id, displacer_id)
    _place(board, unseated, index + 1, displaced_by=displacer_id)


def _overflow(board: _Board, token: Token, caused_by: str | None) -> None:
    if board.policy.overflow is Overflow.WAITLIST:
        status, kind = Status.WAITLISTED, EventKind.WAITLISTED
    else:
        status, kind = Status.REJECTED, EventKind.REJECTED
    board.record(replace(token, status=status, slot_id=None), kind, None, caused_by)


def _promote(board: _Board, slot: Slot, caused_by: str | None) -> None:
    if not slot.is_open(board.now):
        return
    while board.has_free_place(slot) and (best := board.best_waitlisted()) is not None:
        promoted = replace(best, status=Status.BOOKED, slot_id=slot.id)
        board.record(promoted, EventKind.PROMOTED, slot.id, caused_by)
