"""How big a bench run is: the quick default, the full run, and a tiny one for the smoke test."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any


@dataclass(frozen=True)
class SimulatedDay:
    """A `simulateDay` input to time; `run` is False for the days only a full run plays."""

    label: str
    input: dict[str, Any] | None
    run: bool = True


DEFAULT_DAY = SimulatedDay("default day (3 doctors, 8 slots of 6)", None)
TWENTY_DOCTORS = SimulatedDay(
    "20 doctors, 16 slots of 6", {"doctors": 20, "slotsPerDoctor": 16, "capacity": 6}
)


@dataclass(frozen=True)
class Plan:
    name: str
    seconds_per_level: float
    client_levels: tuple[int, ...] = (1, 4, 16)
    contention_clients: int = 16
    doctor_days: int = 20
    slots_per_day: int = 16
    slot_minutes: int = 30
    capacity: int = 40
    # A level stops early once a doctor-day has had this many bookings, so the days stay
    # mostly seated (16 x 40 places) and every level measures a realistically sized day.
    max_bookings_per_day: int = 600
    warmup_bookings: int = 40
    screens: tuple[int, ...] = (1, 50, 200)
    bookings_per_screen_level: int = 10
    engine_tokens: int = 1000
    engine_seconds: float = 1.0
    simulations: tuple[SimulatedDay, ...] = (DEFAULT_DAY, replace(TWENTY_DOCTORS, run=False))
    # Days each policy plays in `simulate --compare-policies --runs N` (what_if.py).
    compare_runs: int = 100
    seed: int = 0

    @classmethod
    def quick(cls) -> Plan:
        return cls(name="quick", seconds_per_level=4.0)

    @classmethod
    def full(cls) -> Plan:
        return cls(
            name="full",
            seconds_per_level=20.0,
            warmup_bookings=100,
            bookings_per_screen_level=40,
            engine_seconds=5.0,
            simulations=(DEFAULT_DAY, TWENTY_DOCTORS),
        )

    @classmethod
    def tiny(cls) -> Plan:
        """Every part, as small as still says something: for the smoke test."""
        return cls(
            name="tiny",
            seconds_per_level=0.6,
            client_levels=(1, 4),
            contention_clients=4,
            doctor_days=4,
            max_bookings_per_day=40,
            warmup_bookings=8,
            screens=(1, 8),
            bookings_per_screen_level=3,
            engine_tokens=200,
            engine_seconds=0.2,
            compare_runs=2,
            simulations=(
                SimulatedDay(
                    "1 doctor, 3 slots of 2",
                    {"doctors": 1, "slotsPerDoctor": 3, "capacity": 2},
                ),
                replace(TWENTY_DOCTORS, run=False),
            ),
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class HospitalPlan:
    """`bench --hospital`: a hospital's morning peak on two API processes, and who watches."""

    name: str
    doctors: int = 200
    slots_per_doctor: int = 16
    slot_minutes: int = 30
    capacity: int = 6
    processes: int = 2
    phones: int = 1000
    phones_per_connection: int = 20
    multipliers: tuple[int, ...] = (1, 5, 20)
    seconds_per_level: float = 40.0
    peak_window_minutes: int = 15
    # A check-in or cancellation of a followed token for every two bookings.
    phone_changes_per_booking: float = 0.5
    # At least this many bookings at the peak level, so that a tiny hospital has figures.
    min_bookings_per_level: int = 0
    # None: as many as the simulator booked before the peak window.
    prefill_per_doctor: int | None = None
    seed: int = 0

    @classmethod
    def full(cls) -> HospitalPlan:
        return cls(name="hospital")

    @classmethod
    def tiny(cls) -> HospitalPlan:
        return cls(
            name="hospital-tiny",
            doctors=4,
            phones=8,
            phones_per_connection=4,
            seconds_per_level=1.0,
            min_bookings_per_level=2,
            prefill_per_doctor=3,
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)
