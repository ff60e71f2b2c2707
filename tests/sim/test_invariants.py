"""The checks must catch what they look for, or zero violations would prove nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from beanie import PydanticObjectId

from opd_graphql.engine import EventKind, Source, Status
from opd_graphql.sim import invariants
from opd_graphql.sim.replay import Committed, DayReplay, SlotInfo, TokenState

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


def with_places(day: DayReplay, **places: int) -> DayReplay:
    for token_id, count in places.items():
        day.tokens[token_id.removeprefix("t")].places = count
    return day


def test_capacity_is_counted_in_places():
    crowded = with_places(
        a_day((Source.WALK_IN, Status.BOOKED, "s1"), (Source.WALK_IN, Status.COMPLETED, "s1")),
        t1=2,
    )
    full = with_places(a_day((Source.WALK_IN, Status.BOOKED, "s1")), t1=2)

    assert len(invariants.capacity(crowded, "D01")) == 1
    assert "holds 3 places for 2" in invariants.capacity(crowded, "D01")[0]
    assert invariants.capacity(full, "D01") == []


def test_an_emergency_of_two_places_may_overbook_a_full_slot():
    day = with_places(
        a_day((Source.WALK_IN, Status.BOOKED, "s1"), (Source.EMERGENCY, Status.BOOKED, "s1")),
        t1=2,
        t2=2,
    )
    day.overbooked.add("s1")

    assert invariants.capacity(day, "D01") == []


def test_a_waitlisted_token_is_only_owed_a_slot_with_the_places_it_needs():
    def day_with(waiting_places: int) -> DayReplay:
        day = a_day(
            (Source.WALK_IN, Status.BOOKED, "s1"),
            (Source.WALK_IN, Status.BOOKED, "s1"),
            (Source.WALK_IN, Status.BOOKED, "s2"),
            (Source.WALK_IN, Status.WAITLISTED, None),
        )
        return with_places(day, t4=waiting_places)

    assert invariants.waitlist(day_with(2), "D01", NINE) == []
    assert len(invariants.waitlist(day_with(1), "D01", NINE)) == 1
    emptier = day_with(2)
    emptier.tokens["3"].status = Status.CANCELLED

    assert len(invariants.waitlist(emptier, "D01", NINE)) == 1


def test_a_skip_must_requeue_the_patient_or_make_them_a_no_show_at_the_last_skip():
    def token(status: Status, skips: int) -> TokenState:
        return TokenState("1", "D01-001", 1, Source.WALK_IN, NINE, status, "s1", skips=skips)

    assert invariants.skip(token(Status.CHECKED_IN, 1), 0, 2, "D01") == []
    assert invariants.skip(token(Status.NO_SHOW, 2), 2, 2, "D01") == []
    assert len(invariants.skip(token(Status.NO_SHOW, 1), 1, 2, "D01")) == 1
    assert len(invariants.skip(token(Status.CHECKED_IN, 3), 2, 2, "D01")) == 1
    assert len(invariants.skip(token(Status.CHECKED_IN, 0), 0, 2, "D01")) == 1


def test_stored_doctor_number_places_and_skips_must_match_the_replay():
    day = with_places(a_day((Source.WALK_IN, Status.COMPLETED, "s1")), t1=2)
    day.tokens["1"].skips = 1
    here = str(day.doctor_id)

    assert invariants.facts_agree(day, "D01", {"1": (here, "D01-001", 2, 1)}) == []
    assert len(invariants.facts_agree(day, "D01", {"1": (here, "D01-001", 1, 1)})) == 1
    assert len(invariants.facts_agree(day, "D01", {"1": (here, "D01-001", 2, 0)})) == 1
    assert len(invariants.facts_agree(day, "D01", {"1": (here, "D02-004", 2, 1)})) == 1
    elsewhere = str(PydanticObjectId())
    assert len(invariants.facts_agree(day, "D01", {"1": (elsewhere, "D01-001", 2, 1)})) == 1


def test_a_token_counted_on_two_days_or_on_none_is_caught():
    first = a_day((Source.WALK_IN, Status.COMPLETED, "s1"), (Source.WALK_IN, Status.NO_SHOW, "s1"))
    second = a_day((Source.WALK_IN, Status.COMPLETED, "s1"))

    assert invariants.counted_once([("D01", first, ["1", "2"])]) == []
    assert len(invariants.counted_once([("D01", first, ["1"])])) == 1
    assert len(invariants.counted_once([("D01", first, ["1", "2"]), ("D02", second, ["1"])])) == 1


def event(version: int, token: TokenState, kind: EventKind) -> Committed:
    return Committed(PydanticObjectId(), version, token.id, kind, token.slot_id, NINE)


def test_the_replay_holds_a_skipped_patient_back_for_recall_after_other_calls():
    slot = str(PydanticObjectId())
    day = DayReplay(
        PydanticObjectId(),
        "2030-01-10",
        [SlotInfo(slot, NINE, NINE + timedelta(hours=1), capacity=4)],
        recall_after=2,
    )
    first, second, third = (
        TokenState(str(PydanticObjectId()), f"D01-00{n}", n, Source.WALK_IN, NINE, slot_id=slot)
        for n in (1, 2, 3)
    )
    for token in (first, second, third):
        day.tokens[token.id] = token
    day.committed(
        [event(n, token, EventKind.BOOKED) for n, token in enumerate([first, second, third])]
        + [event(3 + n, t, EventKind.CHECKED_IN) for n, t in enumerate([first, second, third])]
        + [event(6, first, EventKind.CALLED), event(7, first, EventKind.SKIPPED)]
    )
    day.catch_up()

    assert (first.status, first.skips, first.recall_in) == (Status.CHECKED_IN, 1, 2)
    assert day.next_to_call() is second
    day.committed([event(8, second, EventKind.CALLED), event(9, second, EventKind.COMPLETED)])
    day.catch_up()
    assert first.recall_in == 1
    assert day.next_to_call() is third
    day.committed([event(10, third, EventKind.CALLED), event(11, third, EventKind.COMPLETED)])
    day.catch_up()
    assert first.recall_in == 0
    assert day.next_to_call() is first
    assert first.called_at == NINE  # the first call, which the wait is measured to


def test_when_only_held_back_patients_wait_the_one_released_soonest_is_next():
    day = a_day(
        (Source.WALK_IN, Status.CHECKED_IN, "s1"), (Source.WALK_IN, Status.CHECKED_IN, "s1")
    )
    day.tokens["1"].recall_in = 2
    day.tokens["2"].recall_in = 1

    assert day.next_to_call() is day.tokens["2"]
