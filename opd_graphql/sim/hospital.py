"""Where a simulated day's changes are made: the service and its database, or memory.

A `Hospital` opens the simulated doctors' days and, at the end, says what it holds of
them; each doctor's run makes its changes at a `Desk` of its own, on its own clock. The
simulated patients and doctors (doctor_run.py) act the same way on either, and both make
each change by the same engine decision, so a day's report is the same on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from beanie import PydanticObjectId

from opd_graphql.engine import EventKind, Policy, Source, Status
from opd_graphql.service.booking import BookingRequest
from opd_graphql.service.consultation import CallNextOutcome
from opd_graphql.service.slots import NewSlots
from opd_graphql.sim.clock import VirtualClock
from opd_graphql.sim.config import FIRST_SLOT, SimulationConfig
from opd_graphql.sim.replay import SlotInfo

Facts = tuple[str, str, int, int]  # a token's doctor id, number, places and skips
# One department, so that a doctor called away has colleagues to take their patients.
DEPARTMENT = "General Medicine"


@dataclass(frozen=True, slots=True)
class Booked:
    """What a booking tells the simulator of the new token; its events say the rest."""

    id: str
    number: str
    seq: int
    source: Source
    queued_at: datetime
    places: int


@dataclass(frozen=True, slots=True)
class Moved:
    """A token handed to another doctor's day, and its number there."""

    token_id: str
    doctor_id: PydanticObjectId
    number: str
    seq: int


@dataclass(frozen=True)
class Kept:
    """What the hospital holds of the simulated days once they are over, by token id and,
    for the events, by doctor id as (ledger version, token id, kind) in the order made."""

    statuses: dict[str, Status]
    events: dict[str, list[tuple[int, str, EventKind]]]
    facts: dict[str, Facts]


class Desk(Protocol):
    """One doctor-day's changes, each as the service makes it, at its run's virtual time."""

    @property
    def policy(self) -> Policy: ...

    def local(self, moment: datetime) -> datetime: ...

    async def book(self, request: BookingRequest) -> Booked: ...

    async def check_in(self, token_id: str) -> None: ...

    async def call_next(self, doctor_id: str, day: date) -> CallNextOutcome: ...

    async def complete(self, token_id: str) -> None: ...

    async def skip(self, token_id: str) -> None: ...

    async def cancel(self, token_id: str, reason: str) -> None: ...

    async def no_show(self, token_id: str) -> None: ...

    async def expire(self, doctor_id: PydanticObjectId, day: str) -> None: ...

    async def close_day(self, doctor_id: str, day: date, reason: str) -> Sequence[Moved]:
        """Close the doctor's day, moving its patients to the department (moveTo DEPARTMENT)."""
        ...


@dataclass(frozen=True)
class Opened:
    desk: Desk
    doctor_id: PydanticObjectId
    slots: list[SlotInfo]


class Hospital(Protocol):
    async def open_day(
        self, config: SimulationConfig, day: date, code: str, clock: VirtualClock
    ) -> Opened:
        """A new simulated doctor with `config`'s slots on `day`, all in one department."""
        ...

    async def kept(self, doctor_ids: Sequence[PydanticObjectId]) -> Kept: ...


def session(config: SimulationConfig, doctor_id: str, day: date) -> NewSlots:
    """A simulated doctor's slots on `day`, from 09:00 (the config ends them by 23:00)."""
    closes = datetime.combine(day, FIRST_SLOT) + config.slot_length * config.slots_per_doctor
    return NewSlots(
        doctor_id=doctor_id,
        date=day,
        start_time=FIRST_SLOT,
        end_time=closes.time(),
        slot_minutes=config.slot_minutes,
        capacity=config.capacity,
    )
