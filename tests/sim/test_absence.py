"""closeDoctorAt: D01 called away mid-session, their patients seen by the other doctors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from opd_graphql.engine import EventKind
from opd_graphql.service.errors import InvalidInput
from opd_graphql.sim.runner import simulate_day
from opd_graphql.store.documents import OutboxEvent, Slot, Token
from tests.sim.conftest import DAY, tiny
from tests.sim.test_runner import figures

AWAY_AT = time(9, 40)
# Busy enough that D01 has patients waiting, and is seeing one, when called away.
ABSENCE = tiny(
    seed=2,
    doctors=3,
    slots_per_doctor=4,
    capacity=3,
    patients=36,
    absent_when_called_rate=0,
    close_doctor_at=AWAY_AT,
)
BUCKETS = ("completed", "no_shows", "cancellations", "rejected", "waitlisted_remaining")


def moment(event: OutboxEvent) -> datetime:
    return event.at.replace(tzinfo=UTC)  # stored without its zone, in UTC


async def test_d01s_waiting_patients_are_moved_and_seen_by_the_others(service):
    simulation = await simulate_day(service, ABSENCE)

    report = simulation.report
    d01, *others = simulation.runs
    events = await OutboxEvent.find({"date": DAY.isoformat()}).sort("version").to_list()
    stored = {str(t.id): t for t in await Token.find({"date": DAY.isoformat()}).to_list()}
    left = {
        str(e.token_id)
        for e in events
        if e.doctor_id == d01.day.doctor_id and e.kind is EventKind.TRANSFERRED
    }
    seen_elsewhere = {
        str(e.token_id)
        for e in events
        if e.kind is EventKind.COMPLETED and e.doctor_id != d01.day.doctor_id
    }
    assert report.invariant_violations == ()
    assert report.moved_patients == len(left) > 0
    assert {v.token.id for run in others for v in run.visits if v.moved} == left
    assert not any(v.moved or v.token.id in left for v in d01.visits)
    assert {str(stored[t].doctor_id) for t in left} <= {run.doctor_id for run in others}
    assert all(stored[t].number.startswith(("D02-", "D03-")) for t in left)
    assert report.moved_seen == len(left & seen_elsewhere) > 0
    # Nothing lost: every patient ends in one bucket, counted once.
    assert sum(getattr(report, bucket) for bucket in BUCKETS) == report.tokens_booked
    assert report.tokens_booked == len(stored) == ABSENCE.patients
    assert sum(len(run.visits) for run in simulation.runs) == len(stored)
    closed = await Slot.find({"doctor_id": d01.day.doctor_id}).to_list()
    assert len(closed) == 4 and all(slot.closed for slot in closed)


async def test_d01_takes_nobody_new_once_away_but_finishes_the_consultation_under_way(service):
    simulation = await simulate_day(service, ABSENCE)

    d01, *others = simulation.runs
    away_at = datetime.combine(DAY, AWAY_AT, tzinfo=UTC)
    events = await OutboxEvent.find({"doctor_id": d01.day.doctor_id}).sort("version").to_list()
    after = [e for e in events if moment(e) > away_at]
    assert [e.kind for e in after] == [EventKind.COMPLETED]
    [finished] = after
    called = [e for e in events if e.token_id == finished.token_id and e.kind is EventKind.CALLED]
    assert called and moment(called[0]) < away_at
    assert {e.kind for e in events if moment(e) == away_at} == {EventKind.TRANSFERRED}
    # Patients who registered later were sent to the other doctors.
    assert d01.booked < len(d01.patients)
    assert sum(run.booked for run in others) > sum(len(run.patients) for run in others)
    assert sum(run.booked for run in simulation.runs) == ABSENCE.patients


async def test_the_same_seed_gives_the_same_absence_and_it_has_a_cost(service):
    first = (await simulate_day(service, ABSENCE)).report
    second = (await simulate_day(service, ABSENCE)).report
    present = await simulate_day(service, replace(ABSENCE, close_doctor_at=None))

    assert figures(first.as_json()) == figures(second.as_json())
    assert present.report.moved_patients == present.report.moved_seen == 0
    assert present.report.tokens_booked == first.tokens_booked
    assert present.report.invariant_violations == ()
    assert figures(present.report.as_json()) != figures(first.as_json())


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"close_doctor_at": time(8, 59)}, "within the session"),
        ({"close_doctor_at": time(10, 20)}, "within the session"),  # the last slot's end
        ({"close_doctor_at": time(10, 0), "doctors": 1}, "at least 2 doctors"),
        ({"close_doctor_at": time(10, 0, tzinfo=timezone(timedelta(hours=5)))}, "offset"),
    ],
)
def test_close_doctor_at_must_fall_within_the_session_of_several_doctors(changes, reason):
    config = replace(ABSENCE, **changes)

    with pytest.raises(InvalidInput) as raised:
        config.validated()

    assert raised.value.field == "closeDoctorAt"
    assert reason in raised.value.message


def test_close_doctor_at_may_be_any_time_of_the_session():
    for at in (time(9, 0), time(10, 19, 59)):
        assert replace(ABSENCE, close_doctor_at=at).validated().close_doctor_at == at
