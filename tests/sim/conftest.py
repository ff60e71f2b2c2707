from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from opd_graphql.sim.config import SimulationConfig
from tests.api.conftest import gql, http, settings  # noqa: F401  (shared GraphQL fixtures)

DAY = date(2030, 1, 10)
# Small enough to run dozens of times, busy enough to displace, overbook and waitlist.
TINY = SimulationConfig(
    date=DAY,
    doctors=1,
    slots_per_doctor=3,
    slot_minutes=20,
    capacity=2,
    patients=8,
    emergency_rate=0.25,
    cancel_rate=0.15,
)


def tiny(**changes: Any) -> SimulationConfig:
    return replace(TINY, **changes)
