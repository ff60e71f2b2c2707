"""`simulateDay` wall time, played by the server through its GraphQL mutation."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from opd_graphql.bench.api import Failed, call, outcome
from opd_graphql.bench.plan import SimulatedDay

# A big day takes minutes; the bench waits rather than report a time-out as a result.
TIMEOUT_SECONDS = 1800.0
SIMULATE = """
mutation Simulate($input: SimulateDayInput) {
  simulateDay(input: $input) {
    __typename
    ... on SimulationReport { simulationId tokensBooked elapsedMs invariantViolations }
    ... on UserError { message }
  }
}"""


@dataclass(frozen=True)
class SimulationResult:
    label: str
    ran: bool
    wall_s: float | None = None
    server_elapsed_ms: int | None = None
    tokens_booked: int | None = None
    invariant_violations: int = 0
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.label,
            "run": self.ran,
            "wall_s": None if self.wall_s is None else round(self.wall_s, 3),
            "server_elapsed_ms": self.server_elapsed_ms,
            "tokens_booked": self.tokens_booked,
            "invariant_violations": self.invariant_violations,
            "error": self.error,
        }


async def simulate(http: httpx.AsyncClient, day: SimulatedDay) -> SimulationResult:
    if not day.run:
        return SimulationResult(day.label, ran=False)
    started = time.perf_counter()
    try:
        data = await call(http, SIMULATE, {"input": day.input}, timeout=TIMEOUT_SECONDS)
        report = outcome(data, "simulateDay", "SimulationReport")
    except (Failed, httpx.HTTPError) as error:
        return SimulationResult(
            day.label,
            ran=True,
            wall_s=time.perf_counter() - started,
            error=f"{type(error).__name__}: {error}"[:300],
        )
    return SimulationResult(
        day.label,
        ran=True,
        wall_s=time.perf_counter() - started,
        server_elapsed_ms=report["elapsedMs"],
        tokens_booked=report["tokensBooked"],
        invariant_violations=len(report["invariantViolations"]),
    )
