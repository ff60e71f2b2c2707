from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opd_graphql.engine import EmergencyMode, Overflow, Policy, Source, Spill, Status
from opd_graphql.service import doctors
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.queue import read_day
from opd_graphql.sim.config import SimulationConfig
from opd_graphql.sim.runner import simulate_day
from opd_graphql.store.documents import Doctor, Token
from tests.service.factories import DAY, a_day, a_doctor, book
from tests.sim.conftest import TINY, tiny

VARYING = {"simulationId", "elapsedMs"}


def figures(report_json: dict) -> dict:
    return {k: v for k, v in report_json.items() if k not in VARYING}


async def test_the_same_seed_gives_the_same_report(service):
    config = tiny(doctors=2, seed=11)

    first = (await simulate_day(service, config)).report.as_json()
    second = (await simulate_day(service, config)).report.as_json()
    other = (await simulate_day(service, replace(config, seed=12))).report.as_json()

    assert figures(first) == figures(second)
    assert first["simulationId"] != second["simulationId"]
    assert figures(other) != figures(first)


async def test_every_token_booked_ends_in_exactly_one_bucket(service):
    report = (await simulate_day(service, tiny(doctors=2, patients=30))).report

    buckets = (
        report.completed
        + report.no_shows
        + report.cancellations
        + report.rejected
        + report.waitlisted_remaining
    )
    assert report.tokens_booked == 30
    assert buckets == report.tokens_booked
    assert sum(f.booked for f in report.by_source) == report.tokens_booked
    assert report.invariant_violations == ()
    stored = await Token.find({"date": DAY.isoformat()}).to_list()
    assert len(stored) == 30
    assert {t.status for t in stored} <= {
        Status.COMPLETED,
        Status.NO_SHOW,
        Status.CANCELLED,
        Status.REJECTED,
        Status.EXPIRED,
    }


async def test_a_morning_with_the_default_mix_of_patients_is_believable(service):
    morning = replace(SimulationConfig(), date=DAY, doctors=2, slots_per_doctor=4)

    report = (await simulate_day(service, morning)).report

    walk_ins = next(f for f in report.by_source if f.source is Source.WALK_IN)
    emergencies = next(f for f in report.by_source if f.source is Source.EMERGENCY)
    # 110% of 2 x 4 slots x 6 places, in places: 15% of patients are new and need two.
    assert report.tokens_booked == 46  # 48 places x 1.1 / 1.15 places a patient
    assert walk_ins.booked > report.tokens_booked / 2
    assert 0.8 <= report.utilization <= 1.1
    assert report.no_shows > 0
    assert walk_ins.mean_wait_minutes is not None and walk_ins.mean_wait_minutes > 0
    assert emergencies.booked == 0 or emergencies.completed == emergencies.booked
    assert report.invariant_violations == ()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.integers(min_value=0, max_value=2**31 - 1),
    mode=st.sampled_from(EmergencyMode),
    spill=st.sampled_from(Spill),
    overflow=st.sampled_from(Overflow),
    max_displacements=st.integers(min_value=0, max_value=3),
    recall_after=st.integers(min_value=0, max_value=3),
    max_skips=st.integers(min_value=0, max_value=3),
    new_patients=st.sampled_from([0, 0.15, 0.6]),
    absent=st.sampled_from([0, 0.05, 0.6]),
    capacity=st.sampled_from([1, 2, 3]),
)
async def test_no_rule_is_broken_whatever_the_seed_and_policy(
    service,
    seed,
    mode,
    spill,
    overflow,
    max_displacements,
    recall_after,
    max_skips,
    new_patients,
    absent,
    capacity,
):
    policy = Policy(mode, spill, overflow, max_displacements, recall_after, max_skips)
    config = tiny(
        seed=seed,
        capacity=capacity,
        policy=policy,
        new_patient_rate=new_patients,
        absent_when_called_rate=absent,
    )

    report = (await simulate_day(service, config)).report

    assert report.invariant_violations == ()
    assert report.tokens_booked == TINY.patients


async def test_simulated_doctors_stay_out_of_the_real_hospital(service):
    real = await a_doctor(service, code="D01")  # the code the first simulated doctor gets
    await a_day(service, real, hours=1, capacity=1)
    seated = await book(service, real)
    waiting = await book(service, real, name="Meera Iyer")
    before = await read_day(service, real.id, DAY)  # type: ignore[arg-type]

    simulation = await simulate_day(service, tiny(doctors=2))

    after = await read_day(service, real.id, DAY)  # type: ignore[arg-type]
    listed = await doctors.list_doctors()
    assert [d.id for d in listed] == [real.id]
    simulated = await Doctor.find({"simulation_id": simulation.report.simulation_id}).to_list()
    assert sorted(d.code for d in simulated) == ["D01", "D02"]
    assert after.version == before.version
    assert [str(t.id) for t in after.entries] == [str(seated.id)]
    assert [str(t.id) for t in after.waitlist] == [str(waiting.id)]
    assert [t.history for t in after.entries] == [t.history for t in before.entries]


async def test_slots_follow_the_hospital_timezone(service):
    kolkata = ServiceContext(client=service.client, timezone=ZoneInfo("Asia/Kolkata"))

    simulation = await simulate_day(kolkata, tiny())

    [run] = simulation.runs
    first = run.day.slots[0].start
    assert (first.hour, first.minute) == (9, 0)
    assert first.utcoffset() == timedelta(hours=5, minutes=30)
    assert simulation.report.invariant_violations == ()


async def test_the_date_defaults_to_tomorrow(service):
    simulation = await simulate_day(service, tiny(date=None))

    assert simulation.report.date == DAY + timedelta(days=1)
