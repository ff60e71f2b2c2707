"""What the clients book: doctor-days, and patients from a seeded mix of sources."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

# Shares of a busy public OPD: walk-ins and online bookings are most of the day.
SOURCE_MIX = {"WALK_IN": 45, "ONLINE": 30, "FOLLOW_UP": 12, "PAID": 11, "EMERGENCY": 2}
FIRST_NAMES = ("Asha", "Ravi", "Meera", "Imran", "Lakshmi", "Arjun", "Fatima", "Suresh", "Priya")
LAST_NAMES = ("Rao", "Kumar", "Iyer", "Khan", "Nair", "Das", "Singh", "Patel", "Menon")


@dataclass(frozen=True)
class DoctorDay:
    doctor_id: str
    code: str
    date: date


@dataclass(frozen=True)
class Booking:
    day: DoctorDay
    source: str
    patient: str
    phone: str | None
    key: str
    places: int = 1


def bookings(days: list[DoctorDay], count: int, *, seed: int, prefix: str) -> list[Booking]:
    """`count` bookings spread at random over `days`; the same seed and prefix give the same."""
    rng = random.Random(f"{seed}/{prefix}")
    sources = rng.choices(list(SOURCE_MIX), weights=list(SOURCE_MIX.values()), k=count)
    made = []
    for index, source in enumerate(sources):
        phone = None if rng.random() < 0.3 else f"+91 9{rng.randrange(10**8, 10**9)}"
        made.append(
            Booking(
                day=days[rng.randrange(len(days))],
                source=source,
                patient=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                phone=phone,
                key=f"{prefix}-{index}",
            )
        )
    return made
