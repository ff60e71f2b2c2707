"""What a simulated day looks like: its size, its patients' behaviour and the policy.

The defaults describe a believable morning OPD (DESIGN section 7): about 23% of
patients with an appointment do not come, most patients walk in, consultations
take a few minutes, and demand runs a little above the day's places. Some patients
are new and need a double consultation, and a few have stepped out when called.
`close_doctor_at` calls the first doctor away mid-session, to show what an absence costs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from opd_graphql.engine import Policy, Source
from opd_graphql.service.errors import InvalidInput

FIRST_SLOT = time(9)
LAST_END = time(23)
# Demand over the day's places when `patients` is not given: a busy OPD turns people away.
DEFAULT_DEMAND = 1.1
# The share of each non-emergency source among the day's patients. Walk-ins are most of
# an Indian public OPD (often over 90%); a mixed hospital takes more appointments.
SOURCE_MIX: dict[Source, float] = {
    Source.WALK_IN: 0.70,
    Source.ONLINE: 0.15,
    Source.FOLLOW_UP: 0.10,
    Source.PAID: 0.05,
}
MAX_DOCTORS = 50
MAX_SLOTS = 48
MAX_CAPACITY = 50
MAX_PATIENTS = 5000
MAX_DISPLACEMENTS = 10
MAX_RECALL = 10
# Any day a hospital could mean, far from the calendar's ends, where moving a time across
# a timezone or to the next day would leave it.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2999, 12, 31)


@dataclass(frozen=True)
class SimulationConfig:
    seed: int = 7
    date: date | None = None  # None: the day after today in the hospital's timezone
    doctors: int = 3
    slots_per_doctor: int = 8
    slot_minutes: int = 30
    capacity: int = 6
    patients: int | None = None  # None: DEFAULT_DEMAND times the day's places
    no_show_rate: float = 0.23
    cancel_rate: float = 0.05
    emergency_rate: float = 0.02
    new_patient_rate: float = 0.15
    absent_when_called_rate: float = 0.05
    # The hospital's wall-clock time the first doctor (D01) is called away; None: nobody is.
    close_doctor_at: time | None = None
    policy: Policy = field(default_factory=Policy)

    @property
    def places(self) -> int:
        return self.doctors * self.slots_per_doctor * self.capacity

    @property
    def demand(self) -> int:
        if self.patients is not None:
            return self.patients
        # Demand is in places: a new patient needs two.
        return math.ceil(self.places * DEFAULT_DEMAND / (1 + self.new_patient_rate))

    @property
    def slot_length(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)

    def validated(self) -> SimulationConfig:
        """This config, or InvalidInput naming the first field out of range."""
        _within("doctors", self.doctors, 1, MAX_DOCTORS)
        _within("slotsPerDoctor", self.slots_per_doctor, 1, MAX_SLOTS)
        _within("slotMinutes", self.slot_minutes, 5, 240)
        _within("capacity", self.capacity, 1, MAX_CAPACITY)
        if self.patients is not None:
            _within("patients", self.patients, 0, MAX_PATIENTS)
        _within("noShowRate", self.no_show_rate, 0, 1)
        _within("cancelRate", self.cancel_rate, 0, 1)
        _within("emergencyRate", self.emergency_rate, 0, 1)
        _within("newPatientRate", self.new_patient_rate, 0, 1)
        _within("absentWhenCalledRate", self.absent_when_called_rate, 0, 1)
        _within("policy.maxDisplacements", self.policy.max_displacements, 0, MAX_DISPLACEMENTS)
        _within("policy.recallAfter", self.policy.recall_after, 0, MAX_RECALL)
        _within("policy.maxSkips", self.policy.max_skips, 0, MAX_RECALL)
        session = timedelta(minutes=self.slots_per_doctor * self.slot_minutes)
        available = timedelta(hours=LAST_END.hour - FIRST_SLOT.hour)
        if session > available:
            raise InvalidInput(
                f"The slots must fit between {FIRST_SLOT:%H:%M} and {LAST_END:%H:%M}: "
                f"{self.slots_per_doctor} x {self.slot_minutes} minutes is too long.",
                "slotsPerDoctor",
            )
        if self.date is not None and not FIRST_DATE <= self.date <= LAST_DATE:
            raise InvalidInput(f"date must be between {FIRST_DATE} and {LAST_DATE}.", "date")
        if self.close_doctor_at is not None:
            self._check_absence(self.close_doctor_at, session)
        return self

    def _check_absence(self, at: time, session: timedelta) -> None:
        ends = (datetime.combine(FIRST_DATE, FIRST_SLOT) + session).time()
        if at.tzinfo is not None:
            raise InvalidInput(
                "closeDoctorAt is the hospital's own time of day, without an offset.",
                "closeDoctorAt",
            )
        if not FIRST_SLOT <= at < ends:
            raise InvalidInput(
                f"closeDoctorAt must fall within the session, from {FIRST_SLOT:%H:%M} to "
                f"before {ends:%H:%M}.",
                "closeDoctorAt",
            )
        if self.doctors < 2:
            raise InvalidInput(
                "closeDoctorAt needs at least 2 doctors: another must take D01's patients.",
                "closeDoctorAt",
            )


def _within(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be between {low} and {high}.", name)
