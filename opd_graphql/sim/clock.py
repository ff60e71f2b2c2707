"""The virtual clock a simulated doctor-day runs on."""

from __future__ import annotations

from datetime import datetime


class VirtualClock:
    """A clock that only moves when the simulation moves it, and never backwards."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance_to(self, moment: datetime) -> None:
        if moment < self.moment:
            raise ValueError(f"the virtual clock cannot go back from {self.moment} to {moment}")
        self.moment = moment
