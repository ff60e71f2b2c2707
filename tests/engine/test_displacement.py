from __future__ import annotations

import pytest

from opd_graphql.engine import (
    EmergencyMode,
    EventKind,
    Overflow,
    Policy,
    SlotUnusable,
    Source,
    Status,
    book,
)
from tests.engine.factories import MORNING, apply, at, day, moves, new, placement, slot, token

BOOKED, DISPLACED, MOVED = EventKind.BOOKED, EventKind.DISPLACED, EventKind.MOVED
REJECTED, OVERBOOKED = EventKind.REJECTED, EventKind.OVERBOOKED
DEFAULT = Policy()


# --- displacement by a better-priority newcomer ---------------------------------------------


def test_better_priority_newcomer_displaces_the_worst_ranked_displaceable_token() -> None:
    online = token(1, Source.ONLINE, slot_id="S0")
    walk_in = token(2, Source.WALK_IN, slot_id="S0")
    today = day([slot(0), slot(1)], [online, walk_in])

    plan = book(today, new(3, Source.PAID), None, MORNING, DEFAULT)

    assert moves(plan) == [
        ("T3", BOOKED, "S0", None),
        ("T2", DISPLACED, "S0", "T3"),
        ("T2", MOVED, "S1", "T3"),
    ]
    assert placement(plan) == {"T3": (Status.BOOKED, "S0"), "T2": (Status.BOOKED, "S1")}
    assert plan.token("T2").displacements == 1


def test_among_equal_priority_the_later_queued_token_is_displaced() -> None:
    late = token(1, slot_id="S0", queued_at=at(8, 40))
    early = token(2, slot_id="S0", queued_at=at(8, 10))
    today = day([slot(0), slot(1)], [late, early])

    plan = book(today, new(3, Source.PAID), None, MORNING, DEFAULT)

    assert ("T1", DISPLACED, "S0", "T3") in moves(plan)
    assert placement(plan)["T1"] == (Status.BOOKED, "S1")
    assert "T2" not in placement(plan)


def test_among_equal_priority_and_queue_time_the_higher_sequence_is_displaced() -> None:
    today = day([slot(0), slot(1)], [token(5, slot_id="S0"), token(4, slot_id="S0")])

    plan = book(today, new(6, Source.PAID), None, MORNING, DEFAULT)

    assert ("T5", DISPLACED, "S0", "T6") in moves(plan)
    assert "T4" not in placement(plan)


def test_equal_priority_never_displaces() -> None:
    today = day([slot(0, capacity=1), slot(1)], [token(1, Source.ONLINE, slot_id="S0")])

    plan = book(today, new(2, Source.ONLINE), None, MORNING, DEFAULT)

    assert moves(plan) == [("T2", BOOKED, "S1", None)]


def test_priority_decides_displacement_not_rank() -> None:
    # T1 is queued after the newcomer (worse rank) but has the same priority.
    today = day(
        [slot(0, capacity=1), slot(1)], [token(1, Source.PAID, slot_id="S0", queued_at=at(8, 50))]
    )

    plan = book(today, new(2, Source.PAID, queued_at=at(8, 5)), None, MORNING, DEFAULT)

    assert moves(plan) == [("T2", BOOKED, "S1", None)]


def test_worse_priority_newcomer_never_displaces() -> None:
    today = day([slot(0, capacity=1), slot(1)], [token(1, Source.ONLINE, slot_id="S0")])

    plan = book(today, new(2, Source.WALK_IN), None, MORNING, DEFAULT)

    assert moves(plan) == [("T2", BOOKED, "S1", None)]


def test_displacement_cascades_across_several_slots() -> None:
    today = day(
        [slot(0, capacity=1), slot(1, capacity=1), slot(2, capacity=1)],
        [token(1, Source.ONLINE, slot_id="S0"), token(2, Source.WALK_IN, slot_id="S1")],
    )

    plan = book(today, new(3, Source.PAID), None, MORNING, DEFAULT)

    assert moves(plan) == [
        ("T3", BOOKED, "S0", None),
        ("T1", DISPLACED, "S0", "T3"),
        ("T1", MOVED, "S1", "T3"),
        ("T2", DISPLACED, "S1", "T1"),
        ("T2", MOVED, "S2", "T1"),
    ]
    assert [t.id for t in plan.tokens] == ["T3", "T1", "T2"]


def test_a_displaced_token_skips_full_slots_it_cannot_displace_from() -> None:
    today = day(
        [slot(0, capacity=1), slot(1, capacity=1), slot(2, capacity=1)],
        [token(1, Source.ONLINE, slot_id="S0"), token(2, Source.PAID, slot_id="S1")],
    )

    plan = book(today, new(3, Source.PAID), None, MORNING, DEFAULT)

    assert placement(plan)["T1"] == (Status.BOOKED, "S2")
    assert "T2" not in placement(plan)


# --- who can be displaced -------------------------------------------------------------------


def test_a_token_displaced_twice_is_pinned_and_not_displaced_a_third_time() -> None:
    today = day([slot(i, capacity=1) for i in range(4)])
    today = apply(today, book(today, new(1, Source.WALK_IN), "S0", MORNING, DEFAULT))

    for seq, preferred in [(2, "S0"), (3, "S1")]:
        plan = book(today, new(seq, Source.ONLINE), preferred, MORNING, DEFAULT)
        assert ("T1", DISPLACED, preferred, f"T{seq}") in moves(plan)
        today = apply(today, plan)

    plan = book(today, new(4, Source.ONLINE), "S2", MORNING, DEFAULT)

    assert moves(plan) == [("T4", BOOKED, "S3", None)]
    assert {t.id: t.displacements for t in today.tokens}["T1"] == 2


def test_with_max_displacements_zero_nobody_is_displaced() -> None:
    today = day([slot(0, capacity=1), slot(1)], [token(1, slot_id="S0")])

    plan = book(today, new(2, Source.PAID), None, MORNING, Policy(max_displacements=0))

    assert moves(plan) == [("T2", BOOKED, "S1", None)]


def test_a_pinned_token_is_skipped_for_the_worst_displaceable_one() -> None:
    pinned = token(1, Source.WALK_IN, slot_id="S0", displacements=2)
    online = token(2, Source.ONLINE, slot_id="S0")
    today = day([slot(0), slot(1)], [pinned, online])

    plan = book(today, new(3, Source.PAID), None, MORNING, DEFAULT)

    assert ("T2", DISPLACED, "S0", "T3") in moves(plan)
    assert "T1" not in placement(plan)


def test_a_called_token_is_never_displaced() -> None:
    today = day([slot(0, capacity=1), slot(1)], [token(1, slot_id="S0", status=Status.CALLED)])

    plan = book(today, new(2, Source.PAID), None, MORNING, DEFAULT)

    assert moves(plan) == [("T2", BOOKED, "S1", None)]


def test_a_checked_in_token_is_displaced_and_stays_checked_in() -> None:
    today = day([slot(0, capacity=1), slot(1)], [token(1, slot_id="S0", status=Status.CHECKED_IN)])

    plan = book(today, new(2, Source.PAID), None, MORNING, DEFAULT)

    assert placement(plan)["T1"] == (Status.CHECKED_IN, "S1")


def test_an_emergency_token_is_never_displaced() -> None:
    today = day([slot(0, capacity=1), slot(1)], [token(1, Source.EMERGENCY, slot_id="S0")])

    plan = book(today, new(2, Source.EMERGENCY), "S0", MORNING, DEFAULT)

    assert moves(plan) == [("T2", OVERBOOKED, "S0", None)]


# --- emergencies ----------------------------------------------------------------------------


def test_an_emergency_takes_a_free_place_in_its_preferred_slot() -> None:
    plan = book(day([slot(0), slot(1)]), new(1, Source.EMERGENCY), "S1", MORNING, DEFAULT)

    assert moves(plan) == [("T1", BOOKED, "S1", None)]


def test_an_emergency_displaces_the_worst_ranked_displaceable_token_in_displace_mode() -> None:
    today = day(
        [slot(0), slot(1)],
        [token(1, Source.PAID, slot_id="S0"), token(2, Source.FOLLOW_UP, slot_id="S0")],
    )
    policy = Policy(emergency_mode=EmergencyMode.DISPLACE)

    plan = book(today, new(3, Source.EMERGENCY), None, MORNING, policy)

    assert moves(plan) == [
        ("T3", BOOKED, "S0", None),
        ("T2", DISPLACED, "S0", "T3"),
        ("T2", MOVED, "S1", "T3"),
    ]


def test_an_emergency_stays_in_its_slot_even_when_a_later_slot_is_free() -> None:
    today = day([slot(0, capacity=1), slot(1)], [token(1, Source.PAID, slot_id="S0")])

    plan = book(today, new(2, Source.EMERGENCY), None, MORNING, DEFAULT)

    assert placement(plan)["T2"] == (Status.BOOKED, "S0")


def test_an_emergency_overbooks_in_overbook_mode_and_displaces_nobody() -> None:
    today = day([slot(0, capacity=1), slot(1)], [token(1, slot_id="S0")])
    policy = Policy(emergency_mode=EmergencyMode.OVERBOOK)

    plan = book(today, new(2, Source.EMERGENCY), None, MORNING, policy)

    assert moves(plan) == [("T2", OVERBOOKED, "S0", None)]
    assert placement(plan) == {"T2": (Status.BOOKED, "S0")}


def test_an_emergency_overbooks_a_slot_of_pinned_and_called_tokens() -> None:
    today = day(
        [slot(0, capacity=2)],
        [token(1, slot_id="S0", displacements=2), token(2, slot_id="S0", status=Status.CALLED)],
    )

    plan = book(today, new(3, Source.EMERGENCY), None, MORNING, DEFAULT)

    assert moves(plan) == [("T3", OVERBOOKED, "S0", None)]


def test_an_emergency_displaced_token_cascades_into_later_slots() -> None:
    today = day(
        [slot(0, capacity=1), slot(1, capacity=1)],
        [token(1, Source.PAID, slot_id="S0"), token(2, Source.WALK_IN, slot_id="S1")],
    )

    plan = book(today, new(3, Source.EMERGENCY), None, MORNING, Policy(overflow=Overflow.REJECT))

    assert placement(plan) == {
        "T3": (Status.BOOKED, "S0"),
        "T1": (Status.BOOKED, "S1"),
        "T2": (Status.REJECTED, None),
    }
    assert moves(plan)[-1] == ("T2", REJECTED, None, "T1")


def test_an_emergency_with_no_open_slot_cannot_be_booked() -> None:
    # DESIGN's fine print: no open slot that could hold it is a ValidationError, for every
    # source. It was waitlisted before places came in.
    with pytest.raises(SlotUnusable):
        book(day([slot(0)]), new(1, Source.EMERGENCY), None, at(12), DEFAULT)
