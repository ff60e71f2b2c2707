"""A patient's day as the simulated doctor sees it: their token, when they came, whether
they are in the room when called, and how long their consultation takes."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from opd_graphql.sim.patients import Patient
from opd_graphql.sim.replay import SlotInfo, TokenState

CONSULTATION_SPREAD = 0.5  # sigma of the lognormal: a few long consultations, most short
SHORTEST_CONSULTATION = timedelta(seconds=30)


@dataclass
class Visit:
    patient: Patient
    token: TokenState
    appointment: datetime | None = None
    arrived_at: datetime | None = None
    stepped_out_at: datetime | None = None  # the first call they missed
    moved: bool = False  # to another doctor, theirs called away

    @property
    def wait(self) -> timedelta | None:
        """From arrival (or the appointment, if they came early for it) to the first call."""
        called = self.token.called_at
        if called is None or self.arrived_at is None:
            return None
        since = self.arrived_at
        if self.appointment is not None and not self.patient.on_the_day:
            since = max(since, self.appointment)
        return max(called - since, timedelta(0))

    @property
    def back_at(self) -> datetime | None:
        """When a patient who stepped out is back; None: not stepped out, or never back."""
        if self.stepped_out_at is None or self.patient.back_after is None:
            return None
        return self.stepped_out_at + self.patient.back_after

    def in_the_room(self, now: datetime) -> bool:
        """Whether the patient is there to answer a call `now`: the first call of a patient
        absent when called finds them stepped out."""
        if not self.patient.absent_when_called:
            return True
        if self.stepped_out_at is None:
            self.stepped_out_at = now
        back_at = self.back_at
        return back_at is not None and now >= back_at


def consultation_length(rng: random.Random, slot: SlotInfo, places: int) -> timedelta:
    """A lognormal time averaging the slot's length over its capacity, per place held."""
    mean = (slot.consultation * places).total_seconds()
    mu = math.log(mean) - CONSULTATION_SPREAD**2 / 2
    length = timedelta(seconds=round(rng.lognormvariate(mu, CONSULTATION_SPREAD)))
    return max(length, SHORTEST_CONSULTATION)
