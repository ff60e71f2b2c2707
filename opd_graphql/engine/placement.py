"""The placement rules of DESIGN section 3, on a Board: where a token sits, who it displaces,
and who is promoted into places given back. Every operation is made of these."""

from __future__ import annotations

from dataclasses import dataclass

from opd_graphql.engine.board import Board
from opd_graphql.engine.errors import SlotUnusable
from opd_graphql.engine.model import (
    MAX_PLACES,
    PRIORITY,
    RANK,
    STATUS_EVENT,
    WAITING,
    EmergencyMode,
    EventKind,
    Overflow,
    Source,
    Spill,
    Status,
    Token,
)

LOWEST_PRIORITY = max(PRIORITY.values())
EMERGENCY_PRIORITY = PRIORITY[Source.EMERGENCY]


@dataclass(frozen=True, slots=True)
class Seat:
    """Where a token will sit, whom it displaces there (worst-ranked first), and whether it
    overbooks the slot all the same (an emergency)."""

    position: int
    victims: tuple[Token, ...] = ()
    overbooks: bool = False


def check_places(token: Token) -> None:
    if not 1 <= token.places <= MAX_PLACES:
        raise ValueError(f"A token needs 1 to {MAX_PLACES} places, not {token.places}.")


def start_of(board: Board, token: Token, slot_id: str | None) -> int:
    """The slot a booking of `token` starts from: `slot_id`, or by default the earliest open
    slot that can hold its places."""
    if slot_id is None:
        for position, capacity in enumerate(board.open_capacity):
            if capacity >= token.places:
                return position
        raise SlotUnusable(f"No open slot of the day can hold {_places(token.places)}.")
    position = board.position(slot_id)
    slot = board.slots[position]
    if slot.closed:
        raise SlotUnusable(f"Slot {slot_id} is closed.")
    if board.open_capacity[position] == 0:
        raise SlotUnusable(f"Slot {slot_id} has ended.")
    if slot.capacity < token.places:
        raise SlotUnusable(
            f"Slot {slot_id} holds {_places(slot.capacity)}; the token needs {token.places}."
        )
    return position


def booking_seat(board: Board, token: Token, start: int, skip: int | None = None) -> Seat | None:
    """Where the booking rules seat a token coming to the day (DESIGN 3, book steps 2-4).

    None: no place, and the token is waitlisted or rejected (`booking_overflow`). `skip`: a slot
    that is no destination (the one a token transferred within its day already sits in).
    """
    if token.source is Source.EMERGENCY:
        return emergency_seat(board, token, start)
    return find_seat(
        board, token, start, stop_when_full=board.policy.spill is Spill.WAITLIST, skip=skip
    )


def booking_overflow(board: Board) -> Status:
    """The status of a token coming to the day that no slot takes."""
    # Under spill WAITLIST the booking stopped at its own slot: waitlisted, whatever overflow says.
    if board.policy.spill is Spill.WAITLIST:
        return Status.WAITLISTED
    return overflow_status(board)


def overflow_status(board: Board) -> Status:
    return Status.WAITLISTED if board.policy.overflow is Overflow.WAITLIST else Status.REJECTED


def emergency_seat(board: Board, token: Token, position: int) -> Seat:
    """An emergency sits in its slot always, displacing or overbooking as the policy says."""
    need = board.held[position] + token.places - board.slots[position].capacity
    if need <= 0:
        return Seat(position)
    if board.policy.emergency_mode is EmergencyMode.OVERBOOK:
        return Seat(position, overbooks=True)
    victims, freed = choose_victims(board, position, EMERGENCY_PRIORITY, need)
    return Seat(position, victims, overbooks=freed < need)


def find_seat(
    board: Board, token: Token, start: int, *, stop_when_full: bool, skip: int | None = None
) -> Seat | None:
    """`place(token, from slot start)` (DESIGN 3, book step 4, with places); None: nowhere.

    `stop_when_full`: a new booking under spill WAITLIST stops at the first slot that holds
    its places but cannot take it.
    """
    capacity, held = board.open_capacity, board.held
    places, priority = token.places, token.priority
    may_displace = priority < LOWEST_PRIORITY
    for position in range(start, len(capacity)):
        if capacity[position] < places or position == skip:
            continue
        need = held[position] + places - capacity[position]
        if need <= 0:
            return Seat(position)
        if may_displace:
            victims, freed = choose_victims(board, position, priority, need)
            if freed >= need:
                return Seat(position, victims)
        if stop_when_full:
            return None
    # An earlier consultation beats waiting: with the default policy this guarantees nobody
    # is waitlisted while an open slot of the day has room for them.
    for position in range(start):
        if held[position] + places <= capacity[position] and position != skip:
            return Seat(position)
    return None


def choose_victims(
    board: Board, position: int, priority: int, need: int
) -> tuple[tuple[Token, ...], int]:
    """The slot's displaceable tokens of a priority worse than `priority`, worst-ranked first,
    as many as free `need` places (all of them when they cannot), and the places they free."""
    limit = board.policy.max_displacements
    chosen: list[Token] = []
    freed = 0
    for token in board.worst_first(position):
        if freed >= need or PRIORITY[token.source] <= priority:
            break  # enough, or every token left ranks better (emergencies rank best of all)
        if token.status in WAITING and token.displacements < limit:
            chosen.append(token)
            freed += token.places
    return tuple(chosen), freed


def displace(board: Board, seat: Seat, displacer_id: str) -> None:
    """Take the seat's victims out, then place them again from the next slot, best rank first."""
    if not seat.victims:
        return
    slot_id = board.slots[seat.position].id
    unseated = []
    for victim in seat.victims:
        out = victim.placed(victim.status, None, displaced=True)
        board.record(out, EventKind.DISPLACED, displacer_id, slot_id=slot_id)
        unseated.append(out)
    board.freed.setdefault(seat.position, displacer_id)
    for token in sorted(unseated, key=RANK):
        place_again(board, token, seat.position + 1, caused_by=displacer_id)


def place_again(
    board: Board, token: Token, start: int, caused_by: str | None, note: str | None = None
) -> None:
    """Seat a token that lost its place from slot `start` on (MOVED), whatever spill says.

    An emergency (only a closing moves one) sits in the first of those slots that can hold
    it, as an emergency booking does, and like any other token when none can.
    """
    seat = None
    if token.source is Source.EMERGENCY:
        holding = (
            p for p in range(start, len(board.slots)) if board.open_capacity[p] >= token.places
        )
        position = next(holding, None)
        if position is not None:
            seat = emergency_seat(board, token, position)
    if seat is None:
        seat = find_seat(board, token, start, stop_when_full=False)
    if seat is None:
        status = overflow_status(board)
        board.record(token.placed(status, None), STATUS_EVENT[status], caused_by, note=note)
        return
    slot_id = board.slots[seat.position].id
    board.record(token.placed(token.status, slot_id), EventKind.MOVED, caused_by, note=note)
    displace(board, seat, token.id)


def offer_freed(board: Board) -> None:
    """Offer the places given back during the operation to the waitlist, slot by slot."""
    for position in sorted(board.freed):
        promote(board, position, caused_by=board.freed[position])


def promote(board: Board, position: int, caused_by: str | None) -> None:
    """Give an open slot's free places to the waitlist in promotion order, passing over a
    token that does not fit (it keeps its position), until none fits."""
    slot_id, capacity = board.slots[position].id, board.open_capacity[position]
    if board.held[position] >= capacity:
        return
    for token in board.waitlist():
        if board.held[position] + token.places <= capacity:
            board.record(token.placed(Status.BOOKED, slot_id), EventKind.PROMOTED, caused_by)
            if board.held[position] >= capacity:
                return


def _places(count: int) -> str:
    return "1 place" if count == 1 else f"{count} places"
