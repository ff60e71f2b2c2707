"""Where tokens sit: booking, releasing places, filling new slots, expiring the waitlist.

Implements DESIGN section 3. Every function works on a Board over the day and returns a
Plan; the Day it is given is never changed.
"""

from __future__ import annotations

from datetime import datetime

from opd_graphql.engine.board import LOWEST_PRIORITY, Board, moved
from opd_graphql.engine.day import Day
from opd_graphql.engine.flow import IllegalTransition, find_token
from opd_graphql.engine.model import (
    PRIORITY,
    SEATED,
    EmergencyMode,
    EventKind,
    Overflow,
    Plan,
    Policy,
    Source,
    Spill,
    Status,
    Token,
)
from opd_graphql.engine.queue import waitlist

# The statuses each kind of release may start from.
RELEASABLE: dict[Status, frozenset[Status]] = {
    Status.CANCELLED: SEATED | {Status.WAITLISTED},
    Status.NO_SHOW: SEATED,
}
RELEASE_ACTION = {Status.CANCELLED: "cancelled", Status.NO_SHOW: "marked as a no-show"}


def book(
    day: Day,
    token: Token,
    preferred_slot_id: str | None,
    now: datetime,
    policy: Policy,
    *,
    arrived: bool = False,
) -> Plan:
    """Give a new token a place, displacing or waitlisting as the policy says.

    `token` is the new token (not yet in `day`); its status and slot are ignored. The
    preferred slot defaults to the earliest open one and must be open when given.
    `arrived`: the patient is at the desk, so a place this booking gives is checked in
    at once. A waitlisted or rejected token has nothing to check in to.
    """
    board = Board(day, now, policy)
    start = _preferred_index(board, preferred_slot_id)
    if start is None:
        _overflow(board, token, caused_by=None)
    elif token.source is Source.EMERGENCY:
        _seat_emergency(board, token, start)
    else:
        _place(board, token, start, displaced_by=None)
    booked = board.changed(token.id)
    if arrived and booked.status is Status.BOOKED:
        checked_in = moved(booked, Status.CHECKED_IN, booked.slot_id)
        board.record(checked_in, EventKind.CHECKED_IN, booked.slot_id, was=booked)
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
    board = Board(day, now, policy)
    released = moved(token, status, token.slot_id)
    board.record(released, EventKind(status.value), token.slot_id, was=token)
    if token.status in SEATED and token.slot_id is not None:
        _promote(board, _index_of(board, token.slot_id), caused_by=token_id)
    return board.plan()


def fill(day: Day, slot_id: str, now: datetime) -> Plan:
    """Offer an open slot's free places to the waitlist, best rank first."""
    board = Board(day, now, Policy())
    _promote(board, _index_of(board, slot_id), caused_by=None)
    return board.plan()


def expire(day: Day, now: datetime) -> Plan:
    """Once the day's last slot has ended, every waitlisted token expires."""
    if not day.slots or now < max(slot.end for slot in day.slots):
        return Plan()
    board = Board(day, now, Policy())
    for token in waitlist(day):
        expired = moved(token, Status.EXPIRED, token.slot_id)
        board.record(expired, EventKind.EXPIRED, None, was=token)
    return board.plan()


def _index_of(board: Board, slot_id: str) -> int:
    if slot_id not in board.positions:
        raise ValueError(f"Unknown slot {slot_id}.")
    return board.positions[slot_id]


def _preferred_index(board: Board, preferred_slot_id: str | None) -> int | None:
    if preferred_slot_id is None:
        return next((i for i, is_open in enumerate(board.is_open) if is_open), None)
    index = _index_of(board, preferred_slot_id)
    if not board.is_open[index]:
        raise ValueError(f"Slot {preferred_slot_id} has ended.")
    return index


def _seat_emergency(board: Board, token: Token, index: int) -> None:
    slot_id = board.slots[index].id
    seated = moved(token, Status.BOOKED, slot_id)
    if board.has_free_place(index):
        board.record(seated, EventKind.BOOKED, slot_id)
        return
    victim = None
    if board.policy.emergency_mode is EmergencyMode.DISPLACE:
        victim = board.victim_for(index, PRIORITY[Source.EMERGENCY])
    if victim is None:
        board.record(seated, EventKind.OVERBOOKED, slot_id)
        return
    board.record(seated, EventKind.BOOKED, slot_id)
    _displace(board, victim, index, displacer_id=token.id)


def _place(board: Board, token: Token, start: int, displaced_by: str | None) -> None:
    """Seat `token` in the first open slot from `start` that takes it (DESIGN 3, step 4).

    `displaced_by` is None for a new booking, else the id of the token that pushed
    this one out. Each displacement of a cascade happens in a later slot than the one
    before it, so cascades end.
    """
    priority = PRIORITY[token.source]
    # Nobody's priority is worse than the lowest, so such a token never looks for a victim.
    may_displace = priority < LOWEST_PRIORITY
    waitlist_at_once = displaced_by is None and board.policy.spill is Spill.WAITLIST
    holders, capacities, is_open = board.holders, board.capacities, board.is_open
    for index in range(start, len(capacities)):
        if not is_open[index]:
            continue
        if len(holders[index]) < capacities[index]:
            _seat(board, token, index, displaced_by)
            return
        victim = board.victim_for(index, priority) if may_displace else None
        if victim is not None:
            _seat(board, token, index, displaced_by)
            _displace(board, victim, index, displacer_id=token.id)
            return
        if waitlist_at_once:
            board.record(moved(token, Status.WAITLISTED, None), EventKind.WAITLISTED, None)
            return
    # An earlier consultation beats waiting: with the default policy this guarantees
    # nobody is waitlisted while an open slot of the day has a free place.
    earlier = (i for i in range(start) if board.is_open[i] and board.has_free_place(i))
    fallback = next(earlier, None)
    if fallback is not None:
        _seat(board, token, fallback, displaced_by)
    else:
        _overflow(board, token, caused_by=displaced_by)


def _seat(board: Board, token: Token, index: int, displaced_by: str | None) -> None:
    slot_id = board.slots[index].id
    if displaced_by is None:
        board.record(moved(token, Status.BOOKED, slot_id), EventKind.BOOKED, slot_id)
    else:
        # A moved token keeps its status: a checked-in patient is still here.
        board.record(moved(token, token.status, slot_id), EventKind.MOVED, slot_id, displaced_by)


def _displace(board: Board, victim: Token, index: int, displacer_id: str) -> None:
    unseated = moved(victim, victim.status, None, victim.displacements + 1)
    board.record(unseated, EventKind.DISPLACED, victim.slot_id, displacer_id, was=victim)
    _place(board, unseated, index + 1, displaced_by=displacer_id)


def _overflow(board: Board, token: Token, caused_by: str | None) -> None:
    if board.policy.overflow is Overflow.WAITLIST:
        status, kind = Status.WAITLISTED, EventKind.WAITLISTED
    else:
        status, kind = Status.REJECTED, EventKind.REJECTED
    board.record(moved(token, status, None), kind, None, caused_by)


def _promote(board: Board, index: int, caused_by: str | None) -> None:
    if not (board.is_open[index] and board.has_free_place(index)):
        return
    slot_id = board.slots[index].id
    for best in board.waitlist():
        promoted = moved(best, Status.BOOKED, slot_id)
        board.record(promoted, EventKind.PROMOTED, slot_id, caused_by, was=best)
        if not board.has_free_place(index):
            return
