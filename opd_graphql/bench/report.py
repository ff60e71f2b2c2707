"""Every figure of one bench run, and what makes the run a failure."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass, field
from typing import Any

from opd_graphql.bench.fanout import FanoutLevel
from opd_graphql.bench.measure import Summary
from opd_graphql.bench.plan import Plan
from opd_graphql.bench.simulation import SimulationResult
from opd_graphql.bench.what_if import Command


@dataclass(frozen=True)
class BookingLevel:
    label: str
    clients: int
    doctor_days: int
    api: Summary
    floor: Summary
    api_transaction_retries: int
    floor_transaction_retries: int
    api_cpu_s: float
    floor_cpu_s: float  # this process's CPU while only the floor ran

    @property
    def ratio(self) -> float:
        """API throughput over the floor's: the figure that matters."""
        return self.api.per_second / self.floor.per_second if self.floor.per_second else 0.0

    @property
    def cpu_ms_per_booking(self) -> float:
        return self.api_cpu_s * 1000 / self.api.done if self.api.done else 0.0

    @property
    def floor_cpu_ms_per_booking(self) -> float:
        return self.floor_cpu_s * 1000 / self.floor.done if self.floor.done else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "level": self.label,
            "clients": self.clients,
            "doctor_days": self.doctor_days,
            "api": {
                **self.api.as_json(),
                "transaction_retries": self.api_transaction_retries,
                "cpu_ms_per_booking": round(self.cpu_ms_per_booking, 3),
            },
            "floor": {
                **self.floor.as_json(),
                "transaction_retries": self.floor_transaction_retries,
                "client_cpu_ms_per_booking": round(self.floor_cpu_ms_per_booking, 3),
            },
            "api_to_floor_throughput_ratio": round(self.ratio, 4),
        }


def environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "executable": sys.executable,
    }


@dataclass(frozen=True)
class Report:
    plan: Plan
    database: str
    engine_allocations_per_s: float  # on a day indexed once, as the service keeps it
    engine_fresh_allocations_per_s: float  # on a day indexed for each call
    booking: list[BookingLevel]
    bookings_made: int
    tokens_stored: int
    fanout: list[FanoutLevel]
    simulations: list[SimulationResult]
    server_peak_rss_bytes: int
    server_cpu_s: float
    elapsed_s: float
    environment: dict[str, Any] = field(default_factory=environment)
    # Timed before the database starts, added to the report once the API's run is done.
    what_if: list[Command] = field(default_factory=list)

    def problems(self) -> list[str]:
        """What went wrong: errors under load, lost bookings, screens that missed one."""
        found = []
        for level in self.booking:
            if level.api.errors or level.floor.errors:
                found.append(
                    f"{level.label}: {level.api.errors} API and {level.floor.errors} floor errors"
                )
        if self.tokens_stored != self.bookings_made:
            found.append(
                f"{self.bookings_made} bookings answered but {self.tokens_stored} tokens stored"
            )
        for screens in self.fanout:
            if screens.errors or screens.missed:
                found.append(
                    f"{screens.screens} screens: {screens.errors} booking errors, "
                    f"{screens.missed} deliveries missed"
                )
        for day in self.simulations:
            if day.error or day.invariant_violations:
                found.append(f"simulateDay {day.label}: {day.error or 'invariants broken'}")
        for command in self.what_if:
            if command.error or command.broken:
                found.append(f"simulate {command.label}: {command.error or 'invariants broken'}")
        return found

    def as_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan.as_json(),
            "environment": self.environment,
            "database": self.database,
            "elapsed_s": round(self.elapsed_s, 2),
            "engine": {
                "tokens": self.plan.engine_tokens,
                "allocations_per_s": round(self.engine_allocations_per_s, 1),
                "fresh_day_allocations_per_s": round(self.engine_fresh_allocations_per_s, 1),
            },
            "booking": [level.as_json() for level in self.booking],
            "bookings_stored": {
                "bookings_made": self.bookings_made,
                "tokens_stored": self.tokens_stored,
            },
            "fanout": [level.as_json() for level in self.fanout],
            "simulations": [day.as_json() for day in self.simulations],
            "what_if": [command.as_json() for command in self.what_if],
            "server": {
                "peak_rss_bytes": self.server_peak_rss_bytes,
                "peak_rss_mib": round(self.server_peak_rss_bytes / 2**20, 1),
                "cpu_s": round(self.server_cpu_s, 3),
            },
            "problems": self.problems(),
        }
