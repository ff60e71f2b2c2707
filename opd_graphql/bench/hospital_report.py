"""Every figure of the hospital level, with units, and what makes it a failure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opd_graphql.bench.arrivals import MorningPeak
from opd_graphql.bench.measure import Summary, percentile
from opd_graphql.bench.plan import HospitalPlan
from opd_graphql.bench.report import environment

MIB = 2**20
KIB = 2**10
DELIVERY_TARGET_MS = 1000.0
SUBSCRIBER_TARGET_BYTES = 50 * KIB


@dataclass(frozen=True)
class Delivery:
    """How soon changes reached those who watch them, from each change's moment."""

    expected: int
    delivered: int
    p50_ms: float
    p99_ms: float

    @classmethod
    def of(cls, expected: int, latencies: list[float]) -> Delivery:
        return cls(
            expected=expected,
            delivered=len(latencies),
            p50_ms=percentile(latencies, 50) * 1000,
            p99_ms=percentile(latencies, 99) * 1000,
        )

    @property
    def missed(self) -> int:
        return self.expected - self.delivered

    def as_json(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "delivered": self.delivered,
            "missed": self.missed,
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
        }


@dataclass(frozen=True)
class HospitalLevel:
    label: str
    multiplier: int
    offered_per_s: float
    seconds: float  # as scheduled
    booking: Summary  # its seconds: from the first moment to the last answer
    changes: Summary  # check-ins and cancellations of the tokens the phones follow
    screens: Delivery  # booking -> the doctor's screen showing the new token
    phones: Delivery  # change -> the phone following that token showing its new status
    send_lag_ms: float  # how late this client started its latest request: its own overload
    # Arrivals let pass while too many waited for an answer: what the API could not take.
    not_sent: tuple[int, int]  # bookings, changes
    cpu_s: dict[str, float]  # each process's CPU over the level

    def as_json(self) -> dict[str, Any]:
        changes = self.changes
        return {
            "level": self.label,
            "multiplier": self.multiplier,
            "offered_bookings_per_s": round(self.offered_per_s, 3),
            "scheduled_duration_s": self.seconds,
            "booking": {**self.booking.as_json(), "not_sent_saturated": self.not_sent[0]},
            "token_changes": {
                "changes": changes.done,
                "errors": changes.errors,
                "not_sent_saturated": self.not_sent[1],
                "p50_ms": round(changes.p50_ms, 2),
                "p99_ms": round(changes.p99_ms, 2),
                "error_samples": list(changes.error_samples),
            },
            "booking_to_screen": self.screens.as_json(),
            "change_to_phone": self.phones.as_json(),
            "client_send_lag_max_ms": round(self.send_lag_ms, 2),
            "cpu_s": {name: round(seconds, 3) for name, seconds in self.cpu_s.items()},
        }


@dataclass(frozen=True)
class ApiProcessFigures:
    """One API process's memory, read when the set-up was done (before), once its first
    subscribers made it follow every day (following), and with every subscriber (after)."""

    name: str
    screens: int
    phones: int
    connections: int
    first_subscribers: int  # those that made it follow every day
    rss_before_bytes: int
    rss_following_bytes: int
    rss_after_bytes: int
    peak_rss_bytes: int
    cpu_s: float

    @property
    def subscribers(self) -> int:
        return self.screens + self.phones

    @property
    def days_bytes(self) -> int:
        """Following every day: the days' state, and the first subscribers."""
        return self.rss_following_bytes - self.rss_before_bytes

    @property
    def per_subscriber_bytes(self) -> float:
        """What one more subscriber costs, on a day the process already follows."""
        later = self.subscribers - self.first_subscribers
        grown = self.rss_after_bytes - self.rss_following_bytes
        return grown / later if later else 0.0

    @property
    def all_in_per_subscriber_bytes(self) -> float:
        grown = self.rss_after_bytes - self.rss_before_bytes
        return grown / self.subscribers if self.subscribers else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "screens": self.screens,
            "phones": self.phones,
            "subscribers": self.subscribers,
            "connections": self.connections,
            "first_subscribers": self.first_subscribers,
            "rss_before_subscribers_bytes": self.rss_before_bytes,
            "rss_following_every_day_bytes": self.rss_following_bytes,
            "rss_after_subscribers_bytes": self.rss_after_bytes,
            "rss_after_subscribers_mib": round(self.rss_after_bytes / MIB, 1),
            "following_every_day_mib": round(self.days_bytes / MIB, 1),
            "memory_per_subscriber_bytes": round(self.per_subscriber_bytes),
            "memory_per_subscriber_kib": round(self.per_subscriber_bytes / KIB, 1),
            "memory_per_subscriber_all_in_kib": round(self.all_in_per_subscriber_bytes / KIB, 1),
            "peak_rss_bytes": self.peak_rss_bytes,
            "peak_rss_mib": round(self.peak_rss_bytes / MIB, 1),
            "cpu_s": round(self.cpu_s, 3),
        }


@dataclass(frozen=True)
class HospitalReport:
    plan: HospitalPlan
    database: str
    peak: MorningPeak
    prefilled: int  # tokens booked before the levels, as the simulator had by the peak
    setup_s: float
    subscribe_s: float
    connections: int
    processes: list[ApiProcessFigures]
    levels: list[HospitalLevel]
    subscriber_failures: tuple[str, ...]
    elapsed_s: float
    environment: dict[str, Any] = field(default_factory=environment)

    def problems(self) -> list[str]:
        found = []
        for level in self.levels:
            if level.booking.errors or level.changes.errors:
                found.append(
                    f"{level.label}: {level.booking.errors} booking and "
                    f"{level.changes.errors} token change errors"
                )
            if level.screens.missed or level.phones.missed:
                found.append(
                    f"{level.label}: {level.screens.missed} screen and "
                    f"{level.phones.missed} phone deliveries missed"
                )
        found += [f"a subscriber failed: {failure}" for failure in self.subscriber_failures]
        return found

    def targets(self) -> list[tuple[str, str, bool]]:
        """(target, what was measured, whether it holds)."""
        errors = sum(level.booking.errors + level.changes.errors for level in self.levels)
        found = [("no errors", f"{errors} errors", not errors and not self.subscriber_failures)]
        peak = next((level for level in self.levels if level.multiplier == 1), None)
        if peak is not None:
            for name, delivery in (("screen", peak.screens), ("phone", peak.phones)):
                found.append(
                    (
                        f"every {name} updated within 1 s at p99 at the peak",
                        f"p99 {delivery.p99_ms:.0f} ms, {delivery.missed} missed",
                        delivery.p99_ms <= DELIVERY_TARGET_MS and not delivery.missed,
                    )
                )
        for process in self.processes:
            found.append(
                (
                    f"{process.name}: memory per subscriber under 50 KiB",
                    f"{process.per_subscriber_bytes / KIB:.1f} KiB",
                    process.per_subscriber_bytes < SUBSCRIBER_TARGET_BYTES,
                )
            )
        return found

    def as_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan.as_json(),
            "environment": self.environment,
            "database": self.database,
            "elapsed_s": round(self.elapsed_s, 2),
            "morning_peak": self.peak.as_json(),
            "prefilled_tokens": self.prefilled,
            "setup_s": round(self.setup_s, 2),
            "subscribe_s": round(self.subscribe_s, 2),
            "subscribers": {
                "screens": self.plan.doctors,
                "phones": self.plan.phones,
                "phones_per_connection": self.plan.phones_per_connection,
                "connections": self.connections,
            },
            "processes": [process.as_json() for process in self.processes],
            "levels": [level.as_json() for level in self.levels],
            "targets": [
                {"target": name, "measured": figure, "holds": holds}
                for name, figure, holds in self.targets()
            ],
            "problems": self.problems(),
        }
