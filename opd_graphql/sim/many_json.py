"""Many days and policies compared, as the JSON `simulate --json` writes (GraphQL names)."""

from __future__ import annotations

from typing import Any

from opd_graphql.engine import Policy
from opd_graphql.sim.config import SimulationConfig
from opd_graphql.sim.many import Comparison, Days, Estimate
from opd_graphql.sim.runner import Mode


def days_json(days: Days, mode: Mode) -> dict[str, Any]:
    return {
        "runs": len(days.reports),
        "mode": mode.value,
        "config": config_json(days.config),
        "seeds": days.seeds,
        "figures": figures_json(days.figures),
        "days": [report.as_json() for report in days.reports],
    }


def comparison_json(comparison: Comparison, mode: Mode) -> dict[str, Any]:
    current = comparison.current
    return {
        "runs": len(current.reports),
        "mode": mode.value,
        "config": config_json(current.config),
        "seeds": current.seeds,
        "baseline": policy_json(current.config.policy),
        "policies": [
            {
                "policy": policy_json(days.config.policy),
                "figures": figures_json(days.figures),
                "differences": None
                if index == comparison.baseline
                else {
                    name: {**difference.as_json(), "n": difference.n, "real": difference.real}
                    for name, difference in comparison.differences(index).items()
                },
                "days": [report.as_json() for report in days.reports],
            }
            for index, days in enumerate(comparison.policies)
        ],
    }


def figures_json(figures: dict[str, Estimate]) -> dict[str, Any]:
    return {name: {**e.as_json(), "n": e.n} for name, e in figures.items()}


def config_json(config: SimulationConfig) -> dict[str, Any]:
    return {
        "seed": config.seed,
        "date": None if config.date is None else config.date.isoformat(),
        "doctors": config.doctors,
        "slotsPerDoctor": config.slots_per_doctor,
        "slotMinutes": config.slot_minutes,
        "capacity": config.capacity,
        "patients": config.demand,
        "noShowRate": config.no_show_rate,
        "cancelRate": config.cancel_rate,
        "emergencyRate": config.emergency_rate,
        "newPatientRate": config.new_patient_rate,
        "absentWhenCalledRate": config.absent_when_called_rate,
        "closeDoctorAt": None
        if config.close_doctor_at is None
        else config.close_doctor_at.isoformat("minutes"),
        "policy": policy_json(config.policy),
    }


def policy_json(policy: Policy) -> dict[str, Any]:
    return {
        "emergencyMode": policy.emergency_mode.value,
        "spill": policy.spill.value,
        "overflow": policy.overflow.value,
        "maxDisplacements": policy.max_displacements,
        "recallAfter": policy.recall_after,
        "maxSkips": policy.max_skips,
    }
