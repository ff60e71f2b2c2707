from __future__ import annotations

import pytest

from opd_graphql.engine import (
    EventKind,
    Overflow,
    Policy,
    Slot,
    SlotUnusable,
    Source,
    Spill,
    Status,
    Token,
    book,
)
from tests.engine.factories import MORNING, at, day, moves, new, placement, slot, token

BOOKED, DISPLACED, MOVED = EventKind.BOOKED, EventKind.DISPLACED, EventKind.MOVED
WAITLISTED, REJECTED = EventKind.WAITLISTED, EventKind.REJECTED
DEFAULT = Policy()


# --- a free place ---------------------------------------------------------------------------


def test_new_token_takes_a_free_place_in_the_earliest_open_slot() -> None:
    plan = book(day([slot(0), slot(1)]), new(1), None, MORNING, DEFAULT)

    assert placement(plan) == {"T1": (Status.BOOKED, "S0")}
    assert moves(plan) == [("T1", BOOKED, "S0", None)]


def test_plan_holds_the_new_token_with_its_identity_and_queue_time_unchanged() -> None:
    newcomer = new(7, Source.ONLINE, queued_at=at(8, 30))

    booked = book(day([slot(0)]), newcomer, None, MORNING, DEFAULT).token("T7")

    assert (booked.seq, booked.source, booked.queued_at, booked.displacements) == (
        7,
        Source.ONLINE,
        at(8, 30),
        0,
    )


def test_preferred_slot_is_used_when_it_has_a_free_place() -> None:
    plan = book(day([slot(0), slot(1)]), new(1), "S1", MORNING, DEFAULT)

    assert placement(plan) == {"T1": (Status.BOOKED, "S1")}


def test_slots_given_out_of_order_are_worked_in_start_order() -> None:
    plan = book(day([slot(2), slot(0), slot(1)]), new(1), None, MORNING, DEFAULT)

    assert placement(plan) == {"T1": (Status.BOOKED, "S0")}


def test_ended_slots_never_receive_a_token_even_with_free_places() -> None:
    plan = book(day([slot(0), slot(1)]), new(1), None, at(10, 30), DEFAULT)

    assert placement(plan) == {"T1": (Status.BOOKED, "S1")}


def test_a_slot_is_closed_from_its_end_instant() -> None:
    plan = book(day([slot(0), slot(1)]), new(1), None, at(10), DEFAULT)

    assert placement(plan) == {"T1": (Status.BOOKED, "S1")}


def test_a_slot_that_has_started_but_not_ended_is_still_open() -> None:
    plan = book(day([slot(0)]), new(1), None, at(9, 45), DEFAULT)

    assert placement(plan) == {"T1": (Status.BOOKED, "S0")}


@pytest.mark.parametrize("preferred", ["S0", "nope"])
def test_an_ended_or_unknown_preferred_slot_is_a_value_error(preferred: str) -> None:
    with pytest.raises(ValueError):
        book(day([slot(0), slot(1)]), new(1), preferred, at(10, 30), DEFAULT)


def test_completed_consultations_still_use_their_places() -> None:
    done = token(1, slot_id="S0", status=Status.COMPLETED)

    plan = book(day([slot(0, capacity=1), slot(1)], [done]), new(2), None, MORNING, DEFAULT)

    assert placement(plan) == {"T2": (Status.BOOKED, "S1")}


def test_cancelled_tokens_no_longer_use_their_places() -> None:
    gone = token(1, slot_id="S0", status=Status.CANCELLED)

    plan = book(day([slot(0, capacity=1)], [gone]), new(2), None, MORNING, DEFAULT)

    assert placement(plan) == {"T2": (Status.BOOKED, "S0")}


def test_book_does_not_change_the_day_it_is_given() -> None:
    seated = token(1, slot_id="S0")
    given = day([slot(0, capacity=1), slot(1)], [seated])

    plan = book(given, new(2, Source.PAID), None, MORNING, DEFAULT)

    assert moves(plan)[1] == ("T1", DISPLACED, "S0", "T2")
    assert given.tokens == (seated,)
    assert given.index.holders == ([seated], [])


# --- spill and overflow ---------------------------------------------------------------------


def full_first_slot() -> tuple[list[Slot], list[Token]]:
    return [slot(0, capacity=1), slot(1)], [token(1, Source.PAID, slot_id="S0")]


def test_spill_next_slot_tries_the_later_slots() -> None:
    slots, tokens = full_first_slot()

    plan = book(day(slots, tokens), new(2), None, MORNING, Policy(spill=Spill.NEXT_SLOT))

    assert placement(plan) == {"T2": (Status.BOOKED, "S1")}


@pytest.mark.parametrize("overflow", list(Overflow))
def test_spill_waitlist_waitlists_at_once_whatever_overflow_says(overflow: Overflow) -> None:
    slots, tokens = full_first_slot()
    policy = Policy(spill=Spill.WAITLIST, overflow=overflow)

    plan = book(day(slots, tokens), new(2), None, MORNING, policy)

    assert moves(plan) == [("T2", WAITLISTED, None, None)]
    assert placement(plan) == {"T2": (Status.WAITLISTED, None)}


def test_spill_waitlist_still_displaces_a_worse_priority_token() -> None:
    today = day([slot(0, capacity=1), slot(1)], [token(1, Source.WALK_IN, slot_id="S0")])

    plan = book(today, new(2, Source.PAID), None, MORNING, Policy(spill=Spill.WAITLIST))

    assert placement(plan) == {"T2": (Status.BOOKED, "S0"), "T1": (Status.BOOKED, "S1")}


def test_a_displaced_token_goes_on_to_later_slots_under_spill_waitlist() -> None:
    today = day([slot(0, capacity=1), slot(1, capacity=1)], [token(1, slot_id="S0")])

    plan = book(today, new(2, Source.PAID), None, MORNING, Policy(spill=Spill.WAITLIST))

    assert ("T1", MOVED, "S1", "T2") in moves(plan)


def fully_booked() -> tuple[list[Slot], list[Token]]:
    slots = [slot(0, capacity=1), slot(1, capacity=1)]
    return slots, [token(1, Source.PAID, slot_id="S0"), token(2, Source.PAID, slot_id="S1")]


def test_overflow_waitlist_waitlists_when_no_slot_takes_the_token() -> None:
    slots, tokens = fully_booked()

    plan = book(day(slots, tokens), new(3), None, MORNING, Policy(overflow=Overflow.WAITLIST))

    assert moves(plan) == [("T3", WAITLISTED, None, None)]
    assert placement(plan) == {"T3": (Status.WAITLISTED, None)}


def test_overflow_reject_rejects_when_no_slot_takes_the_token() -> None:
    slots, tokens = fully_booked()

    plan = book(day(slots, tokens), new(3), None, MORNING, Policy(overflow=Overflow.REJECT))

    assert moves(plan) == [("T3", REJECTED, None, None)]
    assert placement(plan) == {"T3": (Status.REJECTED, None)}


@pytest.mark.parametrize(
    ("overflow", "status", "kind"),
    [
        (Overflow.WAITLIST, Status.WAITLISTED, WAITLISTED),
        (Overflow.REJECT, Status.REJECTED, REJECTED),
    ],
)
def test_a_displaced_token_with_nowhere_to_go_overflows_naming_its_displacer(
    overflow: Overflow, status: Status, kind: EventKind
) -> None:
    today = day([slot(0, capacity=1)], [token(1, slot_id="S0", status=Status.CHECKED_IN)])

    plan = book(today, new(2, Source.PAID), None, MORNING, Policy(overflow=overflow))

    assert moves(plan)[-1] == ("T1", kind, None, "T2")
    assert placement(plan)["T1"] == (status, None)


# DESIGN's fine print: a day with no open slot that could hold the token is a
# ValidationError, for every source. It was waitlisted or rejected before places came in.
@pytest.mark.parametrize("overflow", list(Overflow))
def test_a_day_with_no_open_slot_cannot_be_booked(overflow: Overflow) -> None:
    with pytest.raises(SlotUnusable, match="No open slot of the day can hold 1 place"):
        book(day([slot(0)]), new(1), None, at(11), Policy(overflow=overflow))


def test_a_day_without_slots_cannot_be_booked() -> None:
    with pytest.raises(SlotUnusable):
        book(day([]), new(1), None, MORNING, Policy(overflow=Overflow.REJECT))


# --- the earlier-slot fallback --------------------------------------------------------------


def test_a_new_token_falls_back_to_an_earlier_slot_with_a_free_place() -> None:
    today = day(
        [slot(0), slot(1, capacity=1), slot(2, capacity=1)],
        [token(1, Source.PAID, slot_id="S1"), token(2, Source.PAID, slot_id="S2")],
    )

    plan = book(today, new(3), "S1", MORNING, DEFAULT)

    assert moves(plan) == [("T3", BOOKED, "S0", None)]


def test_a_displaced_token_falls_back_to_an_earlier_slot_with_a_free_place() -> None:
    today = day([slot(0), slot(1, capacity=1)], [token(1, slot_id="S1")])

    plan = book(today, new(2, Source.PAID), "S1", MORNING, DEFAULT)

    assert moves(plan) == [
        ("T2", BOOKED, "S1", None),
        ("T1", DISPLACED, "S1", "T2"),
        ("T1", MOVED, "S0", "T2"),
    ]


def test_the_fallback_never_uses_an_ended_slot() -> None:
    today = day([slot(0), slot(1, capacity=1)], [token(1, Source.PAID, slot_id="S1")])

    plan = book(today, new(2), "S1", at(10, 30), DEFAULT)

    assert placement(plan) == {"T2": (Status.WAITLISTED, None)}


def test_spill_waitlist_skips_the_fallback() -> None:
    today = day([slot(0), slot(1, capacity=1)], [token(1, Source.PAID, slot_id="S1")])

    plan = book(today, new(2), "S1", MORNING, Policy(spill=Spill.WAITLIST))

    assert placement(plan) == {"T2": (Status.WAITLISTED, None)}


# --- a patient at the desk ------------------------------------------------------------------

CHECKED_IN = EventKind.CHECKED_IN


def test_an_arrived_patient_given_a_place_is_checked_in_at_once() -> None:
    plan = book(day([slot(0)]), new(1), None, MORNING, DEFAULT, arrived=True)

    assert placement(plan) == {"T1": (Status.CHECKED_IN, "S0")}
    assert moves(plan) == [("T1", BOOKED, "S0", None), ("T1", CHECKED_IN, "S0", None)]


def test_an_arrived_patient_who_displaces_is_checked_in_the_displaced_is_not() -> None:
    today = day([slot(0, capacity=1), slot(1)], [token(1, slot_id="S0")])

    plan = book(today, new(2, Source.PAID), None, MORNING, DEFAULT, arrived=True)

    assert placement(plan) == {"T2": (Status.CHECKED_IN, "S0"), "T1": (Status.BOOKED, "S1")}
    assert moves(plan)[-1] == ("T2", CHECKED_IN, "S0", None)


def test_an_arrived_emergency_that_overbooks_is_checked_in() -> None:
    today = day([slot(0, capacity=1)], [token(1, Source.EMERGENCY, slot_id="S0")])

    plan = book(today, new(2, Source.EMERGENCY), None, MORNING, DEFAULT, arrived=True)

    assert moves(plan) == [
        ("T2", EventKind.OVERBOOKED, "S0", None),
        ("T2", CHECKED_IN, "S0", None),
    ]


@pytest.mark.parametrize(
    ("overflow", "status"),
    [(Overflow.WAITLIST, Status.WAITLISTED), (Overflow.REJECT, Status.REJECTED)],
)
def test_an_arrived_patient_without_a_place_is_not_checked_in(
    overflow: Overflow, status: Status
) -> None:
    slots, tokens = fully_booked()

    plan = book(day(slots, tokens), new(3), None, MORNING, Policy(overflow=overflow), arrived=True)

    assert placement(plan) == {"T3": (status, None)}
    assert CHECKED_IN not in {kind for _, kind, _, _ in moves(plan)}


def test_a_slot_is_open_until_its_end_unless_closed() -> None:
    assert slot(0).is_open(at(9, 59)) and not slot(0).is_open(at(10))
    assert not slot(0, closed=True).is_open(MORNING)


def test_the_new_event_kinds_are_named_by_their_values() -> None:
    assert [EventKind.TRANSFERRED.value, EventKind.SKIPPED.value] == ["TRANSFERRED", "SKIPPED"]
