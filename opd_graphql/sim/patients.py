"""A doctor's patients for the simulated day, drawn from a seeded RNG.

Appointments (ONLINE, PAID, FOLLOW_UP) are booked in the week before the day; some
are cancelled before their slot, some patients never come (`no_show_rate`) and the
rest arrive around their appointment. Walk-ins register on the day, most of them in
the first two hours; emergencies come at any time. Both are at the hospital from
the moment they are booked.

Some patients are new (`new_patient_rate`; never a follow-up) and need two places. Some
have stepped out when the doctor first calls them (`absent_when_called_rate`; never an
emergency): most come back within minutes, a few never do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from opd_graphql.engine import Source
from opd_graphql.sim.config import SOURCE_MIX, SimulationConfig

ON_THE_DAY = frozenset({Source.WALK_IN, Source.EMERGENCY})
BOOKING_WINDOW = (timedelta(hours=1), timedelta(days=7))
PEAK = timedelta(hours=2)
PEAK_SHARE = 0.6
# Patients with an appointment come up to half an hour early and at most 5 minutes late.
EARLIEST_ARRIVAL = timedelta(minutes=-30)
LATEST_ARRIVAL = timedelta(minutes=5)
USUAL_ARRIVAL = timedelta(minutes=-10)
LAST_REGISTRATION = timedelta(minutes=10)
NEW_PATIENT_PLACES = 2
# Of the patients not in the room when called: gone home, or to another department for good.
NEVER_BACK = 0.2
# (shortest, longest, usual) time away from the first call: the pharmacy, the toilet, a call.
AWAY = (timedelta(minutes=1), timedelta(minutes=20), timedelta(minutes=4))


@dataclass(frozen=True)
class Patient:
    name: str
    source: Source
    books_at: datetime
    preferred_slot: int | None = None  # appointments: index of the slot asked for
    arrival_offset: timedelta | None = None  # appointments: from its start; None: never comes
    cancel_fraction: float | None = None  # of the time between booking and appointment
    places: int = 1
    absent_when_called: bool = False  # not in the room when the doctor first calls them
    back_after: timedelta | None = None  # absent: from that first call; None: never back

    @property
    def on_the_day(self) -> bool:
        return self.source in ON_THE_DAY


def draw_patients(
    rng: random.Random, config: SimulationConfig, opens: datetime, closes: datetime, count: int
) -> list[Patient]:
    """`count` patients of one doctor whose slots run from `opens` to `closes`."""
    return [
        _traits(rng, config, _patient(rng, config, opens, closes, number))
        for number in range(1, count + 1)
    ]


def _traits(rng: random.Random, config: SimulationConfig, patient: Patient) -> Patient:
    # Every draw is made whatever the rates, so changing a rate keeps the same patients.
    new = rng.random() < config.new_patient_rate and patient.source is not Source.FOLLOW_UP
    absent = rng.random() < config.absent_when_called_rate
    absent = absent and patient.source is not Source.EMERGENCY
    never_back = rng.random() < NEVER_BACK
    shortest, longest, usual = (span.total_seconds() for span in AWAY)
    away = _seconds(rng.triangular(shortest, longest, usual))
    return replace(
        patient,
        places=NEW_PATIENT_PLACES if new and config.capacity >= NEW_PATIENT_PLACES else 1,
        absent_when_called=absent,
        back_after=away if absent and not never_back else None,
    )


def _patient(
    rng: random.Random, config: SimulationConfig, opens: datetime, closes: datetime, number: int
) -> Patient:
    name = f"Simulated patient {number}"
    source = _source(rng, config.emergency_rate)
    session = closes - opens
    latest = closes - min(LAST_REGISTRATION, session / 2)
    if source is Source.EMERGENCY:
        return Patient(name, source, _between(rng, opens, latest))
    if source is Source.WALK_IN:
        return Patient(name, source, _walk_in_arrival(rng, opens, latest))
    books_at = opens - _seconds(rng.uniform(*(w.total_seconds() for w in BOOKING_WINDOW)))
    slot = rng.randrange(config.slots_per_doctor)
    if rng.random() < config.cancel_rate:
        return Patient(name, source, books_at, slot, cancel_fraction=rng.random())
    if rng.random() < config.no_show_rate:
        return Patient(name, source, books_at, slot)
    offset = rng.triangular(
        EARLIEST_ARRIVAL.total_seconds(),
        LATEST_ARRIVAL.total_seconds(),
        USUAL_ARRIVAL.total_seconds(),
    )
    return Patient(name, source, books_at, slot, arrival_offset=_seconds(offset))


def _source(rng: random.Random, emergency_rate: float) -> Source:
    if rng.random() < emergency_rate:
        return Source.EMERGENCY
    sources = list(SOURCE_MIX)
    return rng.choices(sources, weights=[SOURCE_MIX[s] for s in sources])[0]


def _walk_in_arrival(rng: random.Random, opens: datetime, latest: datetime) -> datetime:
    """The queue forms before the doctor starts and peaks in the first two hours."""
    first = opens - timedelta(minutes=30)
    if rng.random() < PEAK_SHARE:
        peak_end = min(opens + PEAK, latest)
        mode = min(opens + timedelta(minutes=30), peak_end)
        offset = rng.triangular(
            0, (peak_end - first).total_seconds(), (mode - first).total_seconds()
        )
        return first + _seconds(offset)
    return _between(rng, first, latest)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + _seconds(rng.uniform(0, (end - start).total_seconds()))


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=round(value))
