"""The checks must catch what they look for, or zero violations would prove nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from beanie import PydanticObjectId

from opd_graphql.engine import EventKind, Source, Status
from opd_graphql.sim import invariants
from opd_graphql.sim.replay import DayReplay, SlotInfo, TokenState

NINE = datetime(2030, 1, 10, 9, 0, tzinfo=UTC)
MORNING = SlotInfo("s1", NINE, NINE + timedelta(hours=1), capacity=2)
LATER = SlotInfo("s2", NINE + timedelta(hours=1), NINE + timedelta(hours=2), capacity=2)


def a_day(*tokens: tuple[Source, Status, str | None]) -> DayReplay:
    day = DayReplay(PydanticObjectId(), "2030-01-10", [MORNING, LATER])
    for seq, (source, status, slot_id) in enumerate(tokens, start=1):
        day.tokens[str(seq)] = TokenState(
            str(seq), f"D01-{seq:03d}", seq, source, NINE - timedelta(days=1), status, slot_id
        )
    return day


def test_a_slot_over_capacity_without_an_emergency_is_caught():
    day = a_day(*[(Source.WALK_IN, Status.BOOKED, "s1")] * 3)

    assert len(invariants.capacity(day, "D01")) == 1


def test_an_emergency_overbooking_is_allowed_but_only_for_the_emergency():
    day = a_day(
        (Source.WALK_IN, Status.COMPLETED, "s1"),
        (Source.WALK_IN, Status.CHECKED_IN, "s1"),
        (Source.EMERGENCY, Status.BOOKED, "s1"),
    )
    day.overbooked.add("s1")
    crowded = a_day(
        *[(Source.WALK_IN, Status.BOOKED, "s1")] * 3, (Source.EMERGENCY, Status.BOOKED, "s1")
    )
    crowded.overbooked.add("s1")

    assert invariants.capacity(day, "D01") == []
    assert len(invariants.capacity(crowded, "D01")) == 1


def test_a_token_in_an_impossible_state_is_caught():
    day = a_day(
        (Source.WALK_IN, Status.BOOKED, None),
        (Source.ONLINE, Status.WAITLISTED, "s1"),
        (Source.PAID, Status.CALLED, "s1"),
        (Source.PAID, Status.CALLED, "s2"),
    )

    found = invariants.states(day, "D01")

    assert len(found) == 3
    assert any("2 patients called at once" in v for v in found)


def test_a_waitlist_beside_a_free_open_place_is_caught_until_the_slot_ends():
    day = a_day(
        (Source.WALK_IN, Status.BOOKED, "s1"),
        (Source.WALK_IN, Status.BOOKED, "s1"),
        (Source.WALK_IN, Status.BOOKED, "s2"),
        (Source.WALK_IN, Status.WAITLISTED, None),
    )

    assert len(invariants.waitlist(day, "D01", NINE)) == 1
    assert invariants.waitlist(day, "D01", LATER.end) == []


def test_a_call_out_of_queue_order_is_caught():
    day = a_day((Source.WALK_IN, Status.CHECKED_IN, "s1"), (Source.PAID, Status.CHECKED_IN, "s2"))
    first = day.with_status(Status.CHECKED_IN)[0]
    numbers = {t.id: t.number for t in day.tokens.values()}

    assert first.id == "1"  # an earlier slot comes first, whatever the priority
    assert invariants.call_order("D01", first, "1", numbers) == []
    assert invariants.call_order("D01", first, "2", numbers) == [
        "D01 callNext called D01-002 but D01-001 was first in queue order"
    ]


def test_emergencies_come_first_in_queue_order():
    day = a_day(
        (Source.WALK_IN, Status.CHECKED_IN, "s1"), (Source.EMERGENCY, Status.CHECKED_IN, "s2")
    )

    assert [t.id for t in day.queue()] == ["2", "1"]


def test_stored_states_must_match_the_events():
    day = a_day((Source.WALK_IN, Status.COMPLETED, "s1"))

    assert invariants.stored_agrees(day, "D01", {"1": Status.COMPLETED}) == []
    assert len(invariants.stored_agrees(day, "D01", {"1": Status.NO_SHOW})) == 1


def test_the_stored_outbox_must_hold_exactly_the_replayed_events_in_order():
    day = a_day((Source.WALK_IN, Status.CHECKED_IN, "s1"))
    day.applied = [(1, "1", EventKind.BOOKED), (2, "1", EventKind.CHECKED_IN)]

    assert invariants.events_agree(day, "D01", list(day.applied)) == []
    assert len(invariants.events_agree(day, "D01", day.applied[:1])) == 1
    assert len(invariants.events_agree(day, "D01", day.applied[::-1])) == 1


def test_the_day_must_end_with_every_token_in_a_bucket():
    day = a_day((Source.WALK_IN, Status.COMPLETED, "s1"), (Source.WALK_IN, Status.CHECKED_IN, "s1"))

    assert len(invariants.final_states(day, "D01")) == 1
    assert invariants.conservation({"completed": 2, "noShows": 1}, 3) == []
    assert len(invariants.conservation({"completed": 2, "noShows": 1}, 4)) == 1
