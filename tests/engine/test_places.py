"""Places: tokens that need more than one consultation length (DESIGN 3, places)."""

from __future__ import annotations

from datetime import datetime

import pytest

from opd_graphql.engine import (
    EmergencyMode,
    EventKind,
    Policy,
    Slot,
    SlotUnusable,
    Source,
    Spill,
    Status,
    book,
    fill,
    release,
)
from tests.engine.factories import MORNING, at, day, moves, new, placement, slot, token

BOOKED, DISPLACED, MOVED = EventKind.BOOKED, EventKind.DISPLACED, EventKind.MOVED
OVERBOOKED, PROMOTED, WAITLISTED = EventKind.OVERBOOKED, EventKind.PROMOTED, EventKind.WAITLISTED
DEFAULT = Policy()


# --- where a token of several places may sit -------------------------------------------------


def test_the_default_slot_is_the_earliest_open_one_that_can_hold_the_places() -> None:
    today = day([slot(0, capacity=1), slot(1, capacity=3), slot(2, capacity=3)])

    plan = book(today, new(1, places=2), None, MORNING, DEFAULT)

    assert moves(plan) == [("T1", BOOKED, "S1", None)]


def test_a_full_slot_that_could_hold_the_places_is_the_default_all_the_same() -> None:
    today = day([slot(0, capacity=2), slot(1, capacity=2)], [token(1, Source.PAID, slot_id="S0")])

    plan = book(today, new(2, places=2), None, MORNING, DEFAULT)

    assert placement(plan) == {"T2": (Status.BOOKED, "S1")}


@pytest.mark.parametrize(
    ("slots", "now", "reason"),
    [
        ([slot(0, capacity=1), slot(1)], MORNING, "Slot S0 holds 1 place; the token needs 2."),
        ([slot(0, closed=True), slot(1)], MORNING, "Slot S0 is closed."),
        ([slot(0), slot(1)], at(10, 30), "Slot S0 has ended."),
    ],
)
def test_a_preferred_slot_that_cannot_take_the_token_is_unusable(
    slots: list[Slot], now: datetime, reason: str
) -> None:
    with pytest.raises(SlotUnusable) as raised:
        book(day(slots), new(1, places=2), "S0", now, DEFAULT)

    assert raised.value.reason == reason


@pytest.mark.parametrize("source", [Source.WALK_IN, Source.EMERGENCY])
def test_a_day_without_an_open_slot_big_enough_is_unusable_for_every_source(
    source: Source,
) -> None:
    today = day([slot(0, capacity=1), slot(1, capacity=4, closed=True)])

    with pytest.raises(SlotUnusable, match="can hold 2 places"):
        book(today, new(1, source, places=2), None, MORNING, DEFAULT)


@pytest.mark.parametrize("places", [0, 5])
def test_a_token_needs_one_to_four_places(places: int) -> None:
    with pytest.raises(ValueError, match="1 to 4 places"):
        book(day([slot(0, capacity=4)]), new(1, places=places), None, MORNING, DEFAULT)


def test_a_closed_slot_takes_nobody_even_with_room() -> None:
    today = day([slot(0, closed=True), slot(1)])

    assert placement(book(today, new(1), None, MORNING, DEFAULT)) == {"T1": (Status.BOOKED, "S1")}


def test_later_slots_too_small_for_the_token_are_passed_over() -> None:
    today = day(
        [slot(0, capacity=2), slot(1, capacity=1), slot(2, capacity=2)],
        [token(1, Source.PAID, slot_id="S0", places=2)],
    )

    plan = book(today, new(2, places=2), "S0", MORNING, DEFAULT)

    assert placement(plan) == {"T2": (Status.BOOKED, "S2")}


def test_room_counts_places_not_tokens() -> None:
    today = day([slot(0, capacity=3), slot(1, capacity=3)], [token(1, Source.PAID, slot_id="S0")])

    plan = book(today, new(2, places=3), "S0", MORNING, DEFAULT)

    assert placement(plan) == {"T2": (Status.BOOKED, "S1")}


def test_the_earlier_free_place_must_have_room_for_every_place() -> None:
    today = day(
        [slot(0, capacity=3), slot(1, capacity=2), slot(2, capacity=3)],
        [
            token(1, Source.PAID, slot_id="S0", places=2),
            token(2, Source.PAID, slot_id="S1", places=2),
            token(3, Source.PAID, slot_id="S2", places=2),
        ],
    )

    one = book(today, new(4, places=1), "S1", MORNING, DEFAULT)
    two = book(today, new(5, places=2), "S1", MORNING, DEFAULT)

    assert placement(one) == {"T4": (Status.BOOKED, "S2")}
    assert placement(two) == {"T5": (Status.WAITLISTED, None)}


# --- displacing tokens of several places ---------------------------------------------------


def test_only_as_many_tokens_as_needed_are_displaced_worst_ranked_first() -> None:
    today = day(
        [slot(0, capacity=4), slot(1, capacity=4)],
        [
            token(1, Source.ONLINE, slot_id="S0", queued_at=at(7)),
            token(2, Source.WALK_IN, slot_id="S0", queued_at=at(7)),
            token(3, Source.WALK_IN, slot_id="S0", queued_at=at(7, 30)),
            token(4, Source.FOLLOW_UP, slot_id="S0"),
        ],
    )

    plan = book(today, new(5, Source.PAID, places=2), "S0", MORNING, DEFAULT)

    assert [m for m in moves(plan) if m[1] is DISPLACED] == [
        ("T3", DISPLACED, "S0", "T5"),
        ("T2", DISPLACED, "S0", "T5"),
    ]
    assert {"T1", "T4"}.isdisjoint(placement(plan))


def test_tokens_displaced_together_are_placed_again_best_ranked_first() -> None:
    today = day(
        [slot(0, capacity=2), slot(1, capacity=1)],
        [
            token(1, Source.WALK_IN, slot_id="S0"),
            token(2, Source.ONLINE, slot_id="S0"),
        ],
    )

    plan = book(today, new(3, Source.PAID, places=2), "S0", MORNING, DEFAULT)

    assert moves(plan) == [
        ("T3", BOOKED, "S0", None),
        ("T1", DISPLACED, "S0", "T3"),
        ("T2", DISPLACED, "S0", "T3"),
        ("T2", MOVED, "S1", "T3"),
        ("T1", WAITLISTED, None, "T3"),
    ]


def test_a_slot_whose_worse_tokens_cannot_free_enough_places_is_passed_over() -> None:
    today = day(
        [slot(0, capacity=3), slot(1, capacity=3)],
        [token(1, Source.WALK_IN, slot_id="S0"), token(2, Source.PAID, slot_id="S0", places=2)],
    )

    plan = book(today, new(3, Source.FOLLOW_UP, places=2), "S0", MORNING, DEFAULT)

    assert moves(plan) == [("T3", BOOKED, "S1", None)]


def test_a_new_booking_under_spill_waitlist_stops_where_displacing_cannot_make_room() -> None:
    today = day(
        [slot(0, capacity=3), slot(1, capacity=3)],
        [token(1, Source.WALK_IN, slot_id="S0"), token(2, Source.PAID, slot_id="S0", places=2)],
    )

    plan = book(
        today, new(3, Source.FOLLOW_UP, places=2), "S0", MORNING, Policy(spill=Spill.WAITLIST)
    )

    assert moves(plan) == [("T3", WAITLISTED, None, None)]


def test_places_a_displacement_leaves_over_go_to_the_waitlist_once_the_booking_is_placed() -> None:
    today = day(
        [slot(0, capacity=4)],
        [
            token(1, Source.PAID, slot_id="S0"),
            token(2, Source.WALK_IN, slot_id="S0", places=3),
            token(3, Source.ONLINE, places=2),
            token(4, Source.WALK_IN),
        ],
    )

    plan = book(today, new(5, Source.FOLLOW_UP), None, MORNING, DEFAULT)

    # T5 needs one place, T2 frees three: two are left over, and the waitlist in promotion
    # order is T3 (2 places), T4, then T2 (waitlisted by this very booking).
    assert moves(plan) == [
        ("T5", BOOKED, "S0", None),
        ("T2", DISPLACED, "S0", "T5"),
        ("T2", WAITLISTED, None, "T5"),
        ("T3", PROMOTED, "S0", "T5"),
    ]
    assert placement(plan)["T2"] == (Status.WAITLISTED, None)


def test_a_displaced_token_takes_leftover_places_back_through_the_earlier_free_place() -> None:
    today = day(
        [slot(0, capacity=4), slot(1, capacity=1)],
        [
            token(1, Source.PAID, slot_id="S1"),
            token(2, Source.WALK_IN, slot_id="S0", places=3, queued_at=at(7)),
            token(3, Source.WALK_IN, slot_id="S0", queued_at=at(7, 30)),
        ],
    )

    plan = book(today, new(4, Source.PAID, places=3), "S0", MORNING, DEFAULT)

    # Worst first: T3 (1 place), still short, then T2 (3 places): 4 freed, 3 needed.
    # Placed again best first: T2 finds nothing; T3 falls back into the place left over.
    assert moves(plan) == [
        ("T4", BOOKED, "S0", None),
        ("T3", DISPLACED, "S0", "T4"),
        ("T2", DISPLACED, "S0", "T4"),
        ("T2", WAITLISTED, None, "T4"),
        ("T3", MOVED, "S0", "T4"),
    ]
    assert plan.token("T3").displacements == 1


# --- emergencies with places ----------------------------------------------------------------


def test_an_emergency_displaces_worst_ranked_first_until_it_has_room() -> None:
    today = day(
        [slot(0, capacity=3), slot(1, capacity=4)],
        [
            token(1, Source.PAID, slot_id="S0"),
            token(2, Source.ONLINE, slot_id="S0"),
            token(3, Source.WALK_IN, slot_id="S0"),
        ],
    )

    plan = book(today, new(4, Source.EMERGENCY, places=2), None, MORNING, DEFAULT)

    assert [m for m in moves(plan) if m[1] is not MOVED] == [
        ("T4", BOOKED, "S0", None),
        ("T3", DISPLACED, "S0", "T4"),
        ("T2", DISPLACED, "S0", "T4"),
    ]
    assert "T1" not in placement(plan)


def test_an_emergency_short_of_room_displaces_everyone_it_can_and_overbooks_the_rest() -> None:
    today = day(
        [slot(0, capacity=3), slot(1, capacity=4)],
        [
            token(1, Source.PAID, slot_id="S0", status=Status.CALLED),
            token(2, Source.ONLINE, slot_id="S0"),
            token(3, Source.WALK_IN, slot_id="S0", displacements=2),
        ],
    )

    plan = book(today, new(4, Source.EMERGENCY, places=3), None, MORNING, DEFAULT)

    assert moves(plan) == [
        ("T4", OVERBOOKED, "S0", None),
        ("T2", DISPLACED, "S0", "T4"),
        ("T2", MOVED, "S1", "T4"),
    ]


def test_an_emergency_in_overbook_mode_displaces_nobody_whatever_its_places() -> None:
    today = day([slot(0, capacity=2), slot(1)], [token(1, slot_id="S0")])
    policy = Policy(emergency_mode=EmergencyMode.OVERBOOK)

    plan = book(today, new(2, Source.EMERGENCY, places=2), None, MORNING, policy)

    assert moves(plan) == [("T2", OVERBOOKED, "S0", None)]


# --- promotion with places ------------------------------------------------------------------


def test_promotion_passes_over_a_token_that_does_not_fit_and_it_keeps_its_position() -> None:
    today = day(
        [slot(0, capacity=2), slot(1, capacity=4)],
        [
            token(1, slot_id="S0"),
            token(2, slot_id="S0"),
            token(3, Source.PAID, places=4),
            token(4, Source.ONLINE, places=2),
            token(5, Source.WALK_IN),
        ],
    )

    plan = release(today, "T1", Status.CANCELLED, MORNING, DEFAULT)

    assert moves(plan) == [("T1", EventKind.CANCELLED, "S0", None), ("T5", PROMOTED, "S0", "T1")]

    bigger = fill(
        day(
            [slot(0, capacity=1), slot(1, capacity=4)], [*today.tokens[2:], token(1, slot_id="S1")]
        ),
        "S1",
        MORNING,
    )
    assert moves(bigger) == [("T4", PROMOTED, "S1", None), ("T5", PROMOTED, "S1", None)]


def test_promotion_needs_the_slot_under_capacity_by_the_token_s_places() -> None:
    today = day(
        [slot(0, capacity=3)],
        [
            token(1, slot_id="S0", places=2),
            token(2, Source.EMERGENCY, slot_id="S0", places=2),
            token(3, places=2),
            token(4),
        ],
    )

    plan = release(today, "T1", Status.NO_SHOW, MORNING, DEFAULT)

    assert moves(plan) == [("T1", EventKind.NO_SHOW, "S0", None), ("T4", PROMOTED, "S0", "T1")]
