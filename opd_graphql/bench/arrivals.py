"""A hospital's morning peak, from the simulator's arrival model.

The simulator draws every patient of the day (walk-ins, 60% of them in the first two
hours, appointments booked in the week before, emergencies at any time). The busiest
window of those booking times is the peak rate the hospital level offers, at its mix
of sources; what was booked before that window is how full the days are when it starts.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from opd_graphql.sim.config import FIRST_SLOT, SimulationConfig
from opd_graphql.sim.patients import draw_patients

STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Arrival:
    doctor: int  # index among the hospital's doctors
    source: str
    places: int


@dataclass(frozen=True)
class MorningPeak:
    doctors: int
    slots_per_doctor: int
    capacity: int
    patients: int  # the simulator's demand for the day
    window_s: float
    window_starts_min: float  # after the first slot opens
    arrivals: tuple[Arrival, ...]  # booked within the busiest window, in order
    earlier: tuple[Arrival, ...]  # booked before it, in order

    @property
    def per_second(self) -> float:
        return len(self.arrivals) / self.window_s

    def before(self, most: int | None, at_least: int) -> list[Arrival]:
        """The bookings before the window, at most `most` a doctor (None: all), and at least
        `at_least` a doctor, made up with appointments booked online when there are fewer."""
        cap = None if most is None else max(most, at_least)
        taken = [0] * self.doctors
        chosen = []
        for arrival in self.earlier:
            if cap is None or taken[arrival.doctor] < cap:
                taken[arrival.doctor] += 1
                chosen.append(arrival)
        for doctor, count in enumerate(taken):
            chosen += [Arrival(doctor, "ONLINE", 1)] * (at_least - count)
        return chosen

    def as_json(self) -> dict[str, Any]:
        return {
            "doctors": self.doctors,
            "slots_per_doctor": self.slots_per_doctor,
            "capacity": self.capacity,
            "patients_per_day": self.patients,
            "busiest_window_s": self.window_s,
            "busiest_window_starts_min_after_opening": self.window_starts_min,
            "bookings_in_busiest_window": len(self.arrivals),
            "bookings_before_window": len(self.earlier),
            "peak_bookings_per_s": round(self.per_second, 3),
        }


def morning_peak(
    doctors: int, slots_per_doctor: int, capacity: int, window: timedelta, seed: int = 7
) -> MorningPeak:
    """The simulator's patients for such a day (its default demand), and its busiest window."""
    config = SimulationConfig(
        seed=seed, doctors=doctors, slots_per_doctor=slots_per_doctor, capacity=capacity
    )
    # The simulation runner's own draw: the same doctors' patients from the same seeds.
    opens = datetime.combine(date(2030, 1, 7), FIRST_SLOT, tzinfo=UTC)
    closes = opens + config.slot_length * slots_per_doctor
    share, extra = divmod(config.demand, doctors)
    drawn: list[tuple[datetime, Arrival]] = []
    for index in range(doctors):
        rng = random.Random(f"{config.seed}/{index}")
        for patient in draw_patients(rng, config, opens, closes, share + (index < extra)):
            drawn.append((patient.books_at, Arrival(index, patient.source.value, patient.places)))
    drawn.sort(key=lambda pair: pair[0])
    moments = [moment for moment, _ in drawn]
    best, start = -1, opens
    moment = opens - timedelta(hours=2)
    while moment + window <= closes:
        count = bisect.bisect_left(moments, moment + window) - bisect.bisect_left(moments, moment)
        if count > best:
            best, start = count, moment
        moment += STEP
    first = bisect.bisect_left(moments, start)
    return MorningPeak(
        doctors=doctors,
        slots_per_doctor=slots_per_doctor,
        capacity=capacity,
        patients=config.demand,
        window_s=window.total_seconds(),
        window_starts_min=(start - opens).total_seconds() / 60,
        arrivals=tuple(arrival for _, arrival in drawn[first : first + best]),
        earlier=tuple(arrival for _, arrival in drawn[:first]),
    )
