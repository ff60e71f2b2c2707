"""Where tokens sit: booking, releasing places, filling new slots, expiring the waitlist.

Implements DESIGN section 3. Every function works on a Board over the day and returns a
Plan; the Day it is given is never changed.
"""

from __future__ import annotations

from datetime import datetime

from opd_graphql.engine.board import Board
from opd_graphql.engine.day import Day, find_token
from opd_graphql.engine.errors import IllegalTransition
from opd_graphql.engine.model import (
    SEATED,
    STATUS_EVENT,
    Event,
    EventKind,
    Plan,
    Policy,
    Status,
    Token,
)
from opd_graphql.engine.placement import (
    booking_overflow,
    booking_seat,
    check_places,
    displace,
    offer_freed,
    promote,
    start_of,
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
    preferred slot defaults to the earliest open slot that can hold its places; a preferred
    slot that is closed, ended or too small, or a day with no open slot that could hold it,
    raises SlotUnusable. `arrived`: the patient is at the desk, so a place this booking gives
    is checked in at once. A waitlisted or rejected token has nothing to check in to.
    """
    check_places(token)
    board = Board(day, now, policy)
    seat = booking_seat(board, token, start_of(board, token, preferred_slot_id))
    if seat is None:
        status = booking_overflow(board)
        board.record(token.placed(status, None), STATUS_EVENT[status])
    else:
        kind = EventKind.OVERBOOKED if seat.overbooks else EventKind.BOOKED
        slot_id = board.slots[seat.position].id
        board.record(token.placed(Status.BOOKED, slot_id), kind)
        displace(board, seat, token.id)
        if arrived:
            board.record(token.placed(Status.CHECKED_IN, slot_id), EventKind.CHECKED_IN)
    offer_freed(board)
    return board.plan()


def release(day: Day, token_id: str, status: Status, now: datetime, policy: Policy) -> Plan:
    """Cancel a token or mark it a no-show, and give its places to the waitlist.

    The released token keeps its slot_id so its history shows which slot it left or
    missed; it no longer holds the places because its status does not. Cancelling a
    cancelled token changes nothing.
    """
    if status not in RELEASABLE:
        raise ValueError(f"A token cannot be released as {status.value}.")
    token = find_token(day, token_id)
    if token.status is Status.CANCELLED and status is Status.CANCELLED:
        return Plan()
    if token.status not in RELEASABLE[status]:
        raise IllegalTransition(token_id, token.status, RELEASE_ACTION[status])
    board = Board(day, now, policy)
    board.record(token.placed(status, token.slot_id), STATUS_EVENT[status])
    if token.seated and token.slot_id is not None:
        board.freed[board.position(token.slot_id)] = token_id
    offer_freed(board)
    return board.plan()


def fill(day: Day, slot_id: str, now: datetime) -> Plan:
    """Offer an open slot's free places to the waitlist (a new slot, say), in promotion order."""
    board = Board(day, now, Policy())
    promote(board, board.position(slot_id), caused_by=None)
    return board.plan()


def expire(day: Day, now: datetime) -> Plan:
    """Once the day's last slot has ended, every waitlisted token expires."""
    if not day.slots or now < max(slot.end for slot in day.slots):
        return Plan()
    expired = [token.placed(Status.EXPIRED, None) for token in waitlist(day)]
    return Plan(tuple(expired), tuple(Event(token.id, EventKind.EXPIRED) for token in expired))
