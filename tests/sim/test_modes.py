"""A day played on the engine in memory is the day played through the service (DESIGN 8)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opd_graphql.engine import EmergencyMode, Overflow, Policy, Spill, Status
from opd_graphql.sim.config import SimulationConfig
from opd_graphql.sim.runner import Mode, Simulation, simulate_day
from opd_graphql.store.documents import Doctor, Token
from tests.sim.conftest import DAY, TINY, tiny

VARYING = {"simulationId", "elapsedMs"}


def figures(simulation: Simulation) -> dict:
    return {k: v for k, v in simulation.report.as_json().items() if k not in VARYING}


def outcomes(simulation: Simulation) -> list[tuple[str, str, Status | None, object]]:
    """Every patient's token, as numbered on the day it ended on, its status and wait."""
    return sorted(
        (run.code, v.token.number, v.token.status, v.wait)
        for run in simulation.runs
        for v in run.visits
    )


@settings(
    max_examples=25,
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
    doctors=st.integers(min_value=1, max_value=3),
    slots=st.integers(min_value=1, max_value=4),
    capacity=st.integers(min_value=1, max_value=3),
    patients=st.integers(min_value=0, max_value=14),
    new_patients=st.sampled_from([0, 0.15, 0.6]),
    absent=st.sampled_from([0, 0.05, 0.6]),
    away=st.sampled_from([None, time(9, 5), time(9, 25), time(9, 50)]),
)
async def test_both_modes_give_the_same_report_and_the_same_patients(
    service,
    seed,
    mode,
    spill,
    overflow,
    max_displacements,
    recall_after,
    max_skips,
    doctors,
    slots,
    capacity,
    patients,
    new_patients,
    absent,
    away,
):
    policy = Policy(mode, spill, overflow, max_displacements, recall_after, max_skips)
    ends = datetime.combine(DAY, time(9)) + timedelta(minutes=TINY.slot_minutes * slots)
    called_away = doctors > 1 and away is not None and datetime.combine(DAY, away) < ends
    config = tiny(
        seed=seed,
        doctors=doctors,
        slots_per_doctor=slots,
        capacity=capacity,
        patients=patients,
        policy=policy,
        new_patient_rate=new_patients,
        absent_when_called_rate=absent,
        close_doctor_at=away if called_away else None,
    )

    served = await simulate_day(service, config, mode=Mode.SERVICE)
    in_memory = await simulate_day(service, config, mode=Mode.ENGINE)

    assert figures(in_memory) == figures(served)
    assert outcomes(in_memory) == outcomes(served)
    assert served.report.invariant_violations == ()


async def test_engine_mode_leaves_nothing_in_the_database(service):
    simulation = await simulate_day(service, tiny(doctors=2, seed=5), mode=Mode.ENGINE)

    assert simulation.report.tokens_booked == 8
    assert await Doctor.find_all().count() == 0
    assert await Token.find_all().count() == 0


async def test_both_modes_give_the_same_default_day_with_a_doctor_called_away(service):
    config = SimulationConfig(date=DAY, close_doctor_at=time(10, 30))

    served = await simulate_day(service, config, mode=Mode.SERVICE)
    in_memory = await simulate_day(service, config, mode=Mode.ENGINE)

    assert served.report.moved_patients > 0 and served.report.displacements > 0
    assert figures(in_memory) == figures(served)
    assert outcomes(in_memory) == outcomes(served)
