"""Moving tokens that already have a place or a spot on the waitlist: transfers to another
doctor-day or slot, and closing slots (DESIGN 3, departments, assignment and transfer)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from opd_graphql.engine.board import Board
from opd_graphql.engine.day import Day, find_token
from opd_graphql.engine.errors import IllegalTransition, SlotUnusable
from opd_graphql.engine.model import RANK, WAITING, EventKind, Plan, Policy, Status, Token
from opd_graphql.engine.placement import (
    booking_overflow,
    booking_seat,
    check_places,
    displace,
    offer_freed,
    place_again,
    start_of,
)

TRANSFERABLE = WAITING | {Status.WAITLISTED}


def transfer_out(day: Day, token_id: str, now: datetime, policy: Policy) -> Plan:
    """The token leaves this doctor-day for another one (`transfer_in` there).

    It is in `plan.gone`, not in `plan.tokens`; the places it held are offered to the
    waitlist as a cancellation's would be, the promotions caused by it.
    """
    token = find_token(day, token_id)
    _check_transferable(token)
    board = Board(day, now, policy)
    board.leave(token)
    if token.slot_id is not None and token.seated:
        board.freed[board.position(token.slot_id)] = token_id
    offer_freed(board)
    return board.plan()


def transfer_in(
    day: Day,
    token: Token,
    preferred_slot_id: str | None,
    now: datetime,
    policy: Policy,
    *,
    note: str | None = None,
) -> Plan:
    """A token from another doctor-day takes a place here by the booking rules.

    `token` is the token as it was on its day, with its number on this day as `seq`; it keeps
    its source, queue time (so its rank), places, displacements, skips and status, but is no
    longer held back from a call there (`recall_in` 0). The preferred slot is checked as a
    booking's is. The plan gives the token one TRANSFERRED event, in the slot it now sits in:
    BOOKED or CHECKED_IN as it was (a waitlisted token that gets a place is BOOKED), else
    WAITLISTED if it was waitlisted, else waitlisted or rejected as a booking would be.
    A caller that must not unseat a seated token refuses a plan whose token is not seated.
    """
    _check_transferable(token)
    check_places(token)
    board = Board(day, now, policy)
    arriving = replace(token, slot_id=None, recall_in=0)
    _arrive(board, arriving, start_of(board, arriving, preferred_slot_id), note)
    offer_freed(board)
    return board.plan()


def transfer_within(
    day: Day,
    token_id: str,
    slot_id: str | None,
    now: datetime,
    policy: Policy,
    *,
    note: str | None = None,
) -> Plan:
    """The token moves to another slot of its doctor-day, keeping its number.

    It is placed by the booking rules from `slot_id` (by default the earliest open slot that
    can hold it) while it still holds its old place, which is no destination; once it has
    moved, the old place goes to the waitlist. The plan reads as `transfer_in`'s does: a
    seated token that finds no other slot comes back unseated, for the caller to refuse; a
    waitlisted token that finds no place stays waitlisted, unchanged but for the event.
    """
    token = find_token(day, token_id)
    _check_transferable(token)
    board = Board(day, now, policy)
    start = start_of(board, token, slot_id)
    own = None if token.slot_id is None else board.position(token.slot_id)
    if start == own:
        raise SlotUnusable(f"The token already sits in slot {token.slot_id}.")
    _arrive(board, token, start, note, skip=own)
    # A seated token that found no other place comes back unseated, to be refused: its old
    # place is offered to no one, or the plan could give it straight back.
    if own is not None and board.token(token_id).seated:
        board.freed[own] = token_id
    offer_freed(board)
    return board.plan()


def close_slots(
    day: Day, slot_ids: Iterable[str], now: datetime, policy: Policy, reason: str | None = None
) -> Plan:
    """Close slots of the day and place their waiting tokens again (moveTo SAME_DOCTOR).

    A closed slot takes nobody, and the places it gives back are offered to no one. Its
    BOOKED and CHECKED_IN tokens, best rank first, are placed again from the slot after
    their own, as displaced tokens are but without counting a displacement: MOVED, or
    waitlisted or rejected by `overflow`, each event noting `reason`. A CALLED token stays:
    its consultation is under way. `plan.slots` holds the slots this call closed.
    """
    board = Board(day, now, policy)
    moving: list[tuple[int, Token]] = []
    for position in sorted({board.position(slot_id) for slot_id in slot_ids}):
        board.close(position)
        moving.extend((position, token) for token in board.waiting(position))
    for _, token in moving:
        board.lift(token)
    for position, token in sorted(moving, key=lambda moved: RANK(moved[1])):
        place_again(board, token, position + 1, caused_by=None, note=reason)
    offer_freed(board)
    return board.plan()


def _arrive(
    board: Board, token: Token, start: int, note: str | None, skip: int | None = None
) -> None:
    seat = booking_seat(board, token, start, skip)
    waitlisted = token.status is Status.WAITLISTED
    if seat is None:
        status = Status.WAITLISTED if waitlisted else booking_overflow(board)
        board.record(token.placed(status, None), EventKind.TRANSFERRED, note=note)
        return
    status = Status.BOOKED if waitlisted else token.status
    slot_id = board.slots[seat.position].id
    board.record(token.placed(status, slot_id), EventKind.TRANSFERRED, note=note)
    displace(board, seat, token.id)


def _check_transferable(token: Token) -> None:
    if token.status not in TRANSFERABLE:
        raise IllegalTransition(token.id, token.status, "transferred")
