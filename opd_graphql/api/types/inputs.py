"""Mutation inputs."""

from __future__ import annotations

import datetime as dt

import strawberry

from opd_graphql.api.types.enums import TokenSource


@strawberry.input
class CreateDoctorInput:
    name: str
    department: str
    code: str = strawberry.field(description="2-8 letters or digits, e.g. CAR1; unique.")


@strawberry.input(description="What to change about a doctor; a field left out stays.")
class UpdateDoctorInput:
    name: str | None = None
    department: str | None = None
    room: str | None = strawberry.field(default=None, description="An empty room clears it.")
    active: bool | None = strawberry.field(
        default=None, description="An inactive doctor takes no new bookings or transfers."
    )


@strawberry.input
class CreateSlotInput:
    doctor_id: strawberry.ID
    start: dt.datetime = strawberry.field(description="Without an offset: hospital time.")
    end: dt.datetime
    capacity: int


@strawberry.input
class CreateSlotsInput:
    doctor_id: strawberry.ID
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    slot_minutes: int
    capacity: int


@strawberry.input
class PatientInput:
    name: str
    phone: str | None = None


@strawberry.input
class BookTokenInput:
    doctor_id: strawberry.ID | None = strawberry.field(
        default=None, description="The doctor; or give a department instead, never both."
    )
    department: str | None = strawberry.field(
        default=None,
        description="Book with whichever active doctor of the department takes the patient "
        "best; no slotId then.",
    )
    date: dt.date
    source: TokenSource
    patient: PatientInput
    slot_id: strawberry.ID | None = strawberry.field(
        default=None, description="The preferred slot; the earliest open one when omitted."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="A retry with the same key returns the first token."
    )
    places: int = strawberry.field(
        default=1, description="Places the consultation needs, 1 to 4 (a new patient: 2)."
    )
    check_in: bool = strawberry.field(
        default=False,
        description="The patient is at the desk: a token given a place is checked in at "
        "once. A waitlisted one is checked in after its promotion, as usual.",
    )
