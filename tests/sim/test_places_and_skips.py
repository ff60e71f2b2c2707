"""New patients holding two places, and patients skipped when not in the room."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from opd_graphql.engine import HOLDS_PLACE, EventKind, Status
from opd_graphql.sim.runner import simulate_day
from opd_graphql.store.documents import OutboxEvent, Token
from tests.sim.conftest import DAY, tiny
from tests.sim.test_runner import figures

NEW_PATIENTS = tiny(
    doctors=2,
    slots_per_doctor=4,
    capacity=3,
    patients=30,
    emergency_rate=0,
    new_patient_rate=0.5,
    absent_when_called_rate=0,
)
ABSENT = tiny(
    doctors=2,
    slots_per_doctor=6,
    capacity=3,
    patients=36,
    emergency_rate=0,
    cancel_rate=0,
    no_show_rate=0,
    new_patient_rate=0,
    absent_when_called_rate=0.5,
)


async def history() -> dict[str, list[EventKind]]:
    """Each token's events as stored, in the order written."""
    kinds: dict[str, list[EventKind]] = defaultdict(list)
    for event in await OutboxEvent.find({"date": DAY.isoformat()}).sort("version").to_list():
        kinds[str(event.token_id)].append(event.kind)
    return kinds


async def test_new_patients_hold_two_places_and_no_slot_holds_more_than_its_capacity(service):
    simulation = await simulate_day(service, NEW_PATIENTS)

    report = simulation.report
    stored = await Token.find({"date": DAY.isoformat()}).to_list()
    held: Counter[str] = Counter()
    for token in stored:
        if token.status in HOLDS_PLACE:
            held[str(token.slot_id)] += token.places
    capacity = {slot.id: slot.capacity for run in simulation.runs for slot in run.day.slots}
    most = {
        slot_id: max(places for _, places, _ in steps)
        for run in simulation.runs
        for slot_id, steps in run.day.occupancy.items()
        if steps
    }
    used = sum(t.places for t in stored if t.status is Status.COMPLETED)
    assert {t.places for t in stored} == {1, 2}
    assert any(t.places == 2 and t.status is Status.COMPLETED for t in stored)
    assert all(held[slot_id] <= capacity[slot_id] for slot_id in held)
    assert any(held[slot_id] == capacity[slot_id] for slot_id in held)
    assert all(most[slot_id] <= capacity[slot_id] for slot_id in most)
    assert report.overbooked_slots == 0
    assert report.utilization == round(used / NEW_PATIENTS.places, 3)
    assert used > report.completed
    assert report.invariant_violations == ()


async def test_absent_patients_are_skipped_and_most_are_seen_when_called_again(service):
    report = (await simulate_day(service, ABSENT)).report

    kinds = await history()
    skipped = {token: k for token, k in kinds.items() if EventKind.SKIPPED in k}
    seen_later = [k for k in skipped.values() if k[-1] is EventKind.COMPLETED]
    given_up = [k for k in skipped.values() if k[-1] is EventKind.NO_SHOW]
    policy = ABSENT.policy
    assert report.skips == sum(k.count(EventKind.SKIPPED) for k in kinds.values()) > 0
    assert report.skipped_patients == len(skipped)
    assert report.skipped_seen == len(seen_later) > len(given_up) > 0
    # Most of those who come back are back by the time they are called again.
    assert sum(k.count(EventKind.SKIPPED) == 1 for k in seen_later) > len(seen_later) / 2
    assert all(k.count(EventKind.SKIPPED) == policy.max_skips for k in given_up)
    assert all(k[-2:] == [EventKind.CALLED, EventKind.NO_SHOW] for k in given_up)
    assert (
        report.completed
        + report.no_shows
        + report.cancellations
        + report.rejected
        + report.waitlisted_remaining
        == report.tokens_booked
    )
    assert report.invariant_violations == ()


async def test_nobody_is_skipped_or_holds_two_places_when_the_rates_are_zero(service):
    calm = replace(ABSENT, absent_when_called_rate=0)

    report = (await simulate_day(service, calm)).report

    stored = await Token.find({"date": DAY.isoformat()}).to_list()
    assert (report.skips, report.skipped_patients, report.skipped_seen) == (0, 0, 0)
    assert {t.places for t in stored} == {1}
    assert report.invariant_violations == ()


async def test_the_same_seed_gives_the_same_day_with_places_and_skips(service):
    config = replace(ABSENT, new_patient_rate=0.3, seed=23)

    first = await simulate_day(service, config)
    second = await simulate_day(service, config)

    def days(simulation) -> list:
        return [
            [(v.token.number, v.token.places, v.token.skips, v.token.status) for v in run.visits]
            for run in simulation.runs
        ]

    assert figures(first.report.as_json()) == figures(second.report.as_json())
    assert days(first) == days(second)
    assert first.report.skips > 0
    assert any(v.token.places == 2 for run in first.runs for v in run.visits)
