"""Transfers and closings (DESIGN 3, departments, assignment and transfer)."""

from __future__ import annotations

import pytest

from opd_graphql.engine import (
    EventKind,
    IllegalTransition,
    Overflow,
    Policy,
    SlotUnusable,
    Source,
    Spill,
    Status,
    close_slots,
    transfer_in,
    transfer_out,
    transfer_within,
)
from tests.engine.factories import MORNING, at, day, moves, placement, slot, token

MOVED, DISPLACED, PROMOTED = EventKind.MOVED, EventKind.DISPLACED, EventKind.PROMOTED
TRANSFERRED, WAITLISTED = EventKind.TRANSFERRED, EventKind.WAITLISTED
DEFAULT = Policy()


# --- closing slots ---------------------------------------------------------------------------


def test_closing_a_slot_moves_its_waiting_tokens_to_the_next_slot_best_rank_first() -> None:
    today = day(
        [slot(0), slot(1, capacity=3)],
        [
            token(1, Source.WALK_IN, slot_id="S0"),
            token(2, Source.PAID, slot_id="S0", status=Status.CHECKED_IN),
        ],
    )

    plan = close_slots(today, ["S0"], MORNING, DEFAULT, "Doctor called away")

    assert [s.id for s in plan.slots] == ["S0"] and plan.slots[0].closed
    assert moves(plan) == [("T2", MOVED, "S1", None), ("T1", MOVED, "S1", None)]
    assert {e.note for e in plan.events} == {"Doctor called away"}
    assert placement(plan) == {"T2": (Status.CHECKED_IN, "S1"), "T1": (Status.BOOKED, "S1")}
    assert plan.token("T1").displacements == 0


def test_a_token_moved_by_a_closing_displaces_as_a_displaced_token_does() -> None:
    today = day(
        [slot(0, capacity=1), slot(1, capacity=1), slot(2, capacity=1)],
        [token(1, Source.PAID, slot_id="S0"), token(2, Source.WALK_IN, slot_id="S1")],
    )

    plan = close_slots(today, ["S0"], MORNING, DEFAULT, "away")

    assert moves(plan) == [
        ("T1", MOVED, "S1", None),
        ("T2", DISPLACED, "S1", "T1"),
        ("T2", MOVED, "S2", "T1"),
    ]
    assert [e.note for e in plan.events] == ["away", None, None]
    assert plan.token("T2").displacements == 1


@pytest.mark.parametrize(
    ("overflow", "status", "kind"),
    [
        (Overflow.WAITLIST, Status.WAITLISTED, WAITLISTED),
        (Overflow.REJECT, Status.REJECTED, EventKind.REJECTED),
    ],
)
def test_closing_a_whole_day_overflows_its_tokens_by_the_policy(
    overflow: Overflow, status: Status, kind: EventKind
) -> None:
    today = day([slot(0), slot(1)], [token(1, slot_id="S0"), token(2, Source.PAID, slot_id="S1")])

    plan = close_slots(today, ["S1", "S0"], MORNING, Policy(overflow=overflow), "absent")

    assert [s.id for s in plan.slots] == ["S0", "S1"]
    assert moves(plan) == [("T2", kind, None, None), ("T1", kind, None, None)]
    assert placement(plan) == {"T2": (status, None), "T1": (status, None)}


def test_closing_ignores_spill_as_displacement_does() -> None:
    today = day(
        [slot(0), slot(1, capacity=1), slot(2)],
        [token(1, slot_id="S0"), token(2, Source.PAID, slot_id="S1")],
    )

    plan = close_slots(today, ["S0"], MORNING, Policy(spill=Spill.WAITLIST), "away")

    assert moves(plan) == [("T1", MOVED, "S2", None)]


def test_a_token_of_a_closed_slot_may_fall_back_to_an_earlier_open_one() -> None:
    today = day([slot(0), slot(1, capacity=1)], [token(1, slot_id="S1")])

    plan = close_slots(today, ["S1"], MORNING, DEFAULT, "away")

    assert moves(plan) == [("T1", MOVED, "S0", None)]


def test_a_closing_leaves_called_and_completed_tokens_where_they_are() -> None:
    today = day(
        [slot(0), slot(1)],
        [
            token(1, slot_id="S0", status=Status.CALLED),
            token(2, slot_id="S0", status=Status.COMPLETED),
        ],
    )

    plan = close_slots(today, ["S0"], MORNING, DEFAULT, "away")

    assert plan.tokens == () and [s.id for s in plan.slots] == ["S0"]


def test_places_given_back_by_a_closed_slot_go_to_nobody() -> None:
    today = day([slot(0, capacity=1), slot(1, capacity=1)], [token(1, slot_id="S1"), token(2)])

    plan = close_slots(today, ["S1"], MORNING, DEFAULT, "away")

    assert moves(plan) == [("T1", MOVED, "S0", None)]
    assert "T2" not in placement(plan)


def test_places_a_closing_s_displacement_leaves_over_go_to_the_waitlist() -> None:
    today = day(
        [slot(0, capacity=1), slot(1, capacity=3)],
        [
            token(1, Source.PAID, slot_id="S0"),
            token(2, Source.WALK_IN, slot_id="S1", places=3),
            token(3, Source.ONLINE),
        ],
    )

    plan = close_slots(today, ["S0"], MORNING, DEFAULT, "away")

    assert moves(plan) == [
        ("T1", MOVED, "S1", None),
        ("T2", DISPLACED, "S1", "T1"),
        ("T2", WAITLISTED, None, "T1"),
        ("T3", PROMOTED, "S1", "T1"),
    ]


def test_closing_a_closed_slot_closes_nothing_new_and_an_unknown_slot_is_an_error() -> None:
    today = day([slot(0, closed=True), slot(1)])

    assert close_slots(today, ["S0"], MORNING, DEFAULT, "away").slots == ()
    with pytest.raises(ValueError, match="Unknown slot"):
        close_slots(today, ["S9"], MORNING, DEFAULT, "away")


# --- transfer to another doctor-day ----------------------------------------------------------


def test_a_token_leaving_its_day_is_gone_and_its_place_goes_to_the_waitlist() -> None:
    today = day([slot(0, capacity=1)], [token(1, slot_id="S0"), token(2)])

    plan = transfer_out(today, "T1", MORNING, DEFAULT)

    assert plan.gone == ("T1",)
    assert moves(plan) == [("T2", PROMOTED, "S0", "T1")]
    assert "T1" not in placement(plan)


def test_a_waitlisted_token_leaving_its_day_frees_nothing() -> None:
    plan = transfer_out(day([slot(0)], [token(1), token(2)]), "T1", MORNING, DEFAULT)

    assert (plan.gone, plan.events) == (("T1",), ())


@pytest.mark.parametrize(
    "status", [Status.CALLED, Status.COMPLETED, Status.CANCELLED, Status.REJECTED]
)
def test_only_booked_checked_in_and_waitlisted_tokens_can_be_transferred(status: Status) -> None:
    slot_id = None if status is Status.REJECTED else "S0"
    source = day([slot(0)], [token(1, slot_id=slot_id, status=status)])

    with pytest.raises(IllegalTransition, match="cannot be transferred"):
        transfer_out(source, "T1", MORNING, DEFAULT)
    with pytest.raises(IllegalTransition):
        transfer_in(day([slot(0)]), source.tokens[0], None, MORNING, DEFAULT)


def test_an_arriving_token_keeps_what_it_was_and_gets_one_transferred_event() -> None:
    arriving = token(
        7,
        Source.FOLLOW_UP,
        slot_id="X3",
        status=Status.CHECKED_IN,
        queued_at=at(7),
        displacements=1,
        places=2,
        skips=1,
        recall_in=2,
    )

    plan = transfer_in(
        day([slot(0), slot(1, capacity=3)]), arriving, None, MORNING, DEFAULT, note="CAR1-004"
    )

    assert [(e.token_id, e.kind, e.slot_id, e.note) for e in plan.events] == [
        ("T7", TRANSFERRED, "S0", "CAR1-004")
    ]
    moved = plan.token("T7")
    assert (moved.status, moved.slot_id, moved.queued_at, moved.places) == (
        Status.CHECKED_IN,
        "S0",
        at(7),
        2,
    )
    assert (moved.displacements, moved.skips, moved.recall_in) == (1, 1, 0)


def test_an_arriving_token_is_placed_by_the_booking_rules_from_the_slot_asked_for() -> None:
    today = day([slot(0), slot(1, capacity=1), slot(2)], [token(1, Source.WALK_IN, slot_id="S1")])
    arriving = token(9, Source.PAID, slot_id="X0")

    plan = transfer_in(today, arriving, "S1", MORNING, DEFAULT)

    assert moves(plan) == [
        ("T9", TRANSFERRED, "S1", None),
        ("T1", DISPLACED, "S1", "T9"),
        ("T1", MOVED, "S2", "T9"),
    ]


def test_a_waitlisted_token_that_gets_a_place_on_arrival_is_booked() -> None:
    plan = transfer_in(day([slot(0)]), token(9), None, MORNING, DEFAULT)

    assert placement(plan) == {"T9": (Status.BOOKED, "S0")}


@pytest.mark.parametrize("overflow", list(Overflow))
def test_a_waitlisted_token_without_a_place_on_arrival_joins_the_waitlist(
    overflow: Overflow,
) -> None:
    today = day([slot(0, capacity=1)], [token(1, Source.PAID, slot_id="S0")])

    plan = transfer_in(today, token(9), None, MORNING, Policy(overflow=overflow))

    assert moves(plan) == [("T9", TRANSFERRED, None, None)]
    assert placement(plan) == {"T9": (Status.WAITLISTED, None)}


@pytest.mark.parametrize(
    ("overflow", "status"),
    [(Overflow.WAITLIST, Status.WAITLISTED), (Overflow.REJECT, Status.REJECTED)],
)
def test_a_seated_token_the_target_cannot_seat_arrives_unseated_for_the_caller_to_refuse(
    overflow: Overflow, status: Status
) -> None:
    today = day([slot(0, capacity=1)], [token(1, Source.PAID, slot_id="S0")])

    plan = transfer_in(today, token(9, slot_id="X0"), None, MORNING, Policy(overflow=overflow))

    assert placement(plan) == {"T9": (status, None)}
    assert not plan.token("T9").seated


def test_an_arriving_emergency_is_seated_in_its_slot_always() -> None:
    today = day([slot(0, capacity=1), slot(1)], [token(1, Source.EMERGENCY, slot_id="S0")])

    plan = transfer_in(today, token(9, Source.EMERGENCY, slot_id="X0"), None, MORNING, DEFAULT)

    assert placement(plan) == {"T9": (Status.BOOKED, "S0")}


def test_an_arrival_checks_its_slot_as_a_booking_does() -> None:
    with pytest.raises(SlotUnusable, match="closed"):
        transfer_in(day([slot(0, closed=True)]), token(9), "S0", MORNING, DEFAULT)
    with pytest.raises(SlotUnusable):
        transfer_in(day([slot(0)]), token(9, places=3), None, MORNING, DEFAULT)


# --- transfer within the doctor-day ----------------------------------------------------------


def test_a_token_moved_to_another_slot_keeps_its_number_and_frees_its_old_place() -> None:
    today = day(
        [slot(0, capacity=1), slot(1)], [token(1, slot_id="S0", status=Status.CHECKED_IN), token(2)]
    )

    plan = transfer_within(today, "T1", "S1", MORNING, DEFAULT, note="asked to come later")

    assert moves(plan) == [("T1", TRANSFERRED, "S1", None), ("T2", PROMOTED, "S0", "T1")]
    assert plan.events[0].note == "asked to come later"
    assert placement(plan) == {"T1": (Status.CHECKED_IN, "S1"), "T2": (Status.BOOKED, "S0")}
    assert plan.token("T1").seq == 1


def test_a_token_moved_within_its_day_keeps_its_place_until_it_has_another() -> None:
    today = day(
        [slot(0, capacity=2), slot(1, capacity=1), slot(2)],
        [token(1, slot_id="S2"), token(2, Source.PAID, slot_id="S1")],
    )

    # S1 is full and T1 outranks nobody there: it goes on to later slots, never back to S2,
    # and falls back to S0, the earliest with room.
    plan = transfer_within(today, "T1", "S1", MORNING, DEFAULT)

    assert placement(plan) == {"T1": (Status.BOOKED, "S0")}


def test_a_seated_token_that_finds_no_other_slot_comes_back_unseated() -> None:
    today = day(
        [slot(0, capacity=1), slot(1)],
        [token(1, Source.PAID, slot_id="S0"), token(2, slot_id="S1")],
    )

    plan = transfer_within(today, "T2", "S0", MORNING, Policy(spill=Spill.WAITLIST))

    assert not plan.token("T2").seated


def test_a_transfer_to_the_slot_the_token_sits_in_is_unusable() -> None:
    with pytest.raises(SlotUnusable, match="already sits in slot S0"):
        transfer_within(
            day([slot(0), slot(1)], [token(1, slot_id="S0")]), "T1", None, MORNING, DEFAULT
        )


def test_a_waitlisted_token_is_seated_from_the_slot_asked_for() -> None:
    today = day(
        [slot(0), slot(1, capacity=1)],
        [token(1, Source.WALK_IN, slot_id="S1"), token(2, Source.PAID)],
    )

    plan = transfer_within(today, "T2", "S1", MORNING, DEFAULT)

    assert moves(plan) == [
        ("T2", TRANSFERRED, "S1", None),
        ("T1", DISPLACED, "S1", "T2"),
        ("T1", MOVED, "S0", "T2"),
    ]


def test_a_waitlisted_token_the_slot_cannot_seat_stays_waitlisted() -> None:
    today = day([slot(0, capacity=1)], [token(1, Source.PAID, slot_id="S0"), token(2)])

    plan = transfer_within(today, "T2", "S0", MORNING, DEFAULT)

    assert moves(plan) == [("T2", TRANSFERRED, None, None)]
    assert placement(plan) == {"T2": (Status.WAITLISTED, None)}
