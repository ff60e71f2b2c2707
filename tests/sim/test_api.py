from __future__ import annotations

import pytest

from opd_graphql.api.types.simulation import SimulateDayInput
from opd_graphql.engine import Policy
from opd_graphql.sim.config import SimulationConfig
from tests.sim.conftest import DAY

SIMULATE = """
mutation($input: SimulateDayInput) {
  simulateDay(input: $input) {
    __typename
    ... on SimulationReport {
      simulationId seed date doctors slotsCreated tokensBooked emergencies cancellations
      noShows completed rejected waitlistedRemaining displacements promotions skips
      skippedPatients skippedSeen overbookedSlots
      utilization meanWaitMinutes p95WaitMinutes
      bySource { source booked completed meanWaitMinutes }
      invariantViolations elapsedMs
    }
    ... on UserError { code message field }
  }
}"""
TINY_INPUT = {
    "seed": 5,
    "date": DAY.isoformat(),
    "doctors": 1,
    "slotsPerDoctor": 3,
    "slotMinutes": 20,
    "capacity": 2,
    "patients": 8,
    "emergencyRate": 0.25,
}


async def test_simulate_day_over_http_reports_the_day(gql):
    report = (await gql(SIMULATE, input=TINY_INPUT))["simulateDay"]
    again = (await gql(SIMULATE, input=TINY_INPUT))["simulateDay"]
    listed = await gql("{ doctors { id } }")

    assert report["__typename"] == "SimulationReport"
    assert (report["doctors"], report["slotsCreated"], report["tokensBooked"]) == (1, 3, 8)
    buckets = ["completed", "noShows", "cancellations", "rejected", "waitlistedRemaining"]
    assert sum(report[b] for b in buckets) == 8
    assert [s["source"] for s in report["bySource"]] == [
        "EMERGENCY",
        "PAID",
        "FOLLOW_UP",
        "ONLINE",
        "WALK_IN",
    ]
    assert report["invariantViolations"] == []
    varying = {"simulationId", "elapsedMs"}
    assert {k: v for k, v in report.items() if k not in varying} == {
        k: v for k, v in again.items() if k not in varying
    }
    assert listed == {"doctors": []}


async def test_every_input_field_is_optional(gql):
    small = {"doctors": 1, "slotsPerDoctor": 2, "patients": 4}

    report = (await gql(SIMULATE, input=small))["simulateDay"]

    assert report["__typename"] == "SimulationReport"
    assert report["seed"] == 7
    assert report["date"] == "2030-01-11"  # the day after the server's today
    assert report["slotsCreated"] == 2


async def test_the_policy_of_the_input_is_the_one_simulated(gql):
    overbook = {**TINY_INPUT, "emergencyRate": 0.6, "policy": {"emergencyMode": "OVERBOOK"}}

    report = (await gql(SIMULATE, input=overbook))["simulateDay"]

    assert report["emergencies"] > 0
    assert report["displacements"] == 0
    assert report["overbookedSlots"] > 0


async def test_the_new_patient_and_absence_rates_of_the_input_are_the_ones_simulated(gql):
    calm = {**TINY_INPUT, "newPatientRate": 0, "absentWhenCalledRate": 0}
    absent = {**calm, "absentWhenCalledRate": 1, "patients": 12, "slotsPerDoctor": 6}

    quiet = (await gql(SIMULATE, input=calm))["simulateDay"]
    skipping = (await gql(SIMULATE, input=absent))["simulateDay"]

    assert (quiet["skips"], quiet["skippedPatients"]) == (0, 0)
    assert skipping["skips"] >= skipping["skippedPatients"] > 0
    assert skipping["skippedSeen"] > 0
    assert skipping["invariantViolations"] == []


def test_the_input_rates_reach_the_simulation_config():
    given = SimulateDayInput(new_patient_rate=0.4, absent_when_called_rate=0.3)
    default = SimulateDayInput()

    config = given.to_config(Policy())

    assert (config.new_patient_rate, config.absent_when_called_rate) == (0.4, 0.3)
    assert default.to_config(Policy()) == SimulationConfig()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"doctors": 0}, "doctors"),
        ({"doctors": 51}, "doctors"),
        ({"capacity": 51}, "capacity"),
        ({"patients": -1}, "patients"),
        ({"patients": 5001}, "patients"),
        ({"noShowRate": 1.5}, "noShowRate"),
        ({"cancelRate": -0.1}, "cancelRate"),
        ({"emergencyRate": 2}, "emergencyRate"),
        ({"newPatientRate": 1.01}, "newPatientRate"),
        ({"absentWhenCalledRate": -0.5}, "absentWhenCalledRate"),
        ({"slotMinutes": 4}, "slotMinutes"),
        ({"slotsPerDoctor": 40, "slotMinutes": 60}, "slotsPerDoctor"),
        ({"policy": {"maxDisplacements": -1}}, "policy.maxDisplacements"),
    ],
)
async def test_out_of_range_input_is_a_validation_error(gql, change, field):
    result = (await gql(SIMULATE, input={**TINY_INPUT, **change}))["simulateDay"]

    assert result["__typename"] == "ValidationError"
    assert result["code"] == "BAD_USER_INPUT"
    assert result["field"] == field


SIMULATE_RUNS = """
mutation($input: SimulateDayInput) {
  simulateDay(input: $input) {
    __typename
    ... on SimulationRuns {
      runs seeds brokenSeeds elapsedMs
      figures { figure mean low high days }
      days { seed completed tokensBooked invariantViolations bySource { source meanWaitMinutes } }
    }
    ... on UserError { code message field }
  }
}"""


async def test_runs_play_consecutive_seeds_and_report_each_figures_interval(gql):
    result = (await gql(SIMULATE_RUNS, input={**TINY_INPUT, "runs": 2}))["simulateDay"]

    figures = {f["figure"]: f for f in result["figures"]}
    completed = [day["completed"] for day in result["days"]]
    assert result["__typename"] == "SimulationRuns"
    assert (result["runs"], result["seeds"], result["brokenSeeds"]) == (2, [5, 6], [])
    assert [day["seed"] for day in result["days"]] == [5, 6]
    assert all(day["tokensBooked"] == 8 for day in result["days"])
    assert figures["completed"]["mean"] == pytest.approx(sum(completed) / 2)
    assert figures["completed"]["days"] == 2
    assert (
        figures["completed"]["low"] <= figures["completed"]["mean"] <= figures["completed"]["high"]
    )
    assert "bySource.WALK_IN.meanWaitMinutes" in figures


@pytest.mark.parametrize(
    "change",
    [{"runs": 0}, {"runs": 101}, {"runs": 100, "patients": 201}],
)
async def test_runs_are_bounded_so_that_one_request_cannot_hold_the_server(gql, change):
    result = (await gql(SIMULATE_RUNS, input={**TINY_INPUT, **change}))["simulateDay"]

    assert result["__typename"] == "ValidationError"
    assert result["field"] == "runs"


async def test_the_days_input_is_checked_before_its_runs(gql):
    result = (await gql(SIMULATE_RUNS, input={**TINY_INPUT, "runs": 0, "doctors": 0}))[
        "simulateDay"
    ]

    assert result["field"] == "doctors"
