from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import strawberry

from opd_graphql.api.permissions import viewer
from opd_graphql.api.types.enums import TokenSource, TokenStatus
from opd_graphql.api.types.patient import Patient
from opd_graphql.api.types.token_event import TokenEvent
from opd_graphql.service.queue import DayView
from opd_graphql.store import documents

if TYPE_CHECKING:
    from opd_graphql.api.types.doctor import Doctor
    from opd_graphql.api.types.slot import Slot


@strawberry.type(description="A patient's place in a doctor's day.")
class Token:
    id: strawberry.ID
    number: str = strawberry.field(description="Human-readable, unique per doctor-day: CAR1-007.")
    date: dt.date
    source: TokenSource
    priority: int = strawberry.field(description="1 (EMERGENCY) to 5 (WALK_IN); lower is first.")
    status: TokenStatus
    queued_at: dt.datetime = strawberry.field(
        description="When it was first booked; never changes when the token moves."
    )
    displacements: int = strawberry.field(description="How often it was moved for priority.")
    places: int = strawberry.field(description="Places its consultation needs: 1 to 4.")
    skips: int = strawberry.field(description="How often it was called and not in the room.")
    requested_department: str | None = strawberry.field(
        description="The department it was booked into, when it was booked by department."
    )
    events: strawberry.Private[list[documents.TokenEvent]]
    patient_details: strawberry.Private[Patient]
    booked_by: strawberry.Private[str | None]
    doctor_id: strawberry.Private[str]
    slot_id: strawberry.Private[str | None]
    requested_slot_id: strawberry.Private[str | None]
    # The day it was read with, when it came with one: a queue's tokens answer their
    # estimates from it at once, without a trip through the loaders per token per screen.
    day: strawberry.Private[DayView | None] = None

    @classmethod
    def from_document(cls, doc: documents.Token, tz: ZoneInfo, day: DayView | None = None) -> Token:
        return cls(
            id=strawberry.ID(str(doc.id)),
            number=doc.number,
            date=dt.date.fromisoformat(doc.date),
            source=doc.source,
            priority=doc.source.priority,
            status=doc.status,
            queued_at=doc.queued_at.astimezone(tz),
            displacements=doc.displacements,
            places=doc.places,
            skips=doc.skips,
            requested_department=doc.requested_department,
            patient_details=Patient.from_document(doc.patient),
            booked_by=doc.booked_by,
            events=doc.history,
            doctor_id=str(doc.doctor_id),
            slot_id=None if doc.slot_id is None else str(doc.slot_id),
            requested_slot_id=None if doc.requested_slot_id is None else str(doc.requested_slot_id),
            day=day,
        )

    @strawberry.field
    async def history(self, info: strawberry.Info) -> list[TokenEvent]:
        # Made when asked for: a screen's queue has every live token and rarely wants this,
        # so a day is read without its histories and a token read with one asks for its own.
        events = self.events
        if self.day is not None:
            stored = await info.context.tokens.load(self.id)
            events = [] if stored is None else stored.history
        timezone = info.context.service.timezone
        return [TokenEvent.from_document(event, timezone) for event in events]

    @strawberry.field(
        description="Null for public screens and anyone else who may not see who the patient is."
    )
    def patient(self, info: strawberry.Info) -> Patient | None:
        if viewer(info).sees_patient_of(self.booked_by):
            return self.patient_details
        return None

    @strawberry.field
    async def doctor(
        self, info: strawberry.Info
    ) -> Annotated[Doctor, strawberry.lazy("opd_graphql.api.types.doctor")]:
        from opd_graphql.api.types.doctor import Doctor

        return Doctor.from_document(await info.context.doctors.load(self.doctor_id))

    @strawberry.field(description="The slot it holds a place in; null when not seated.")
    async def slot(
        self, info: strawberry.Info
    ) -> Annotated[Slot, strawberry.lazy("opd_graphql.api.types.slot")] | None:
        if self.status not in (TokenStatus.BOOKED, TokenStatus.CHECKED_IN, TokenStatus.CALLED):
            return None
        return await _slot(info, self.slot_id)

    @strawberry.field(description="The slot asked for at booking, if one was.")
    async def requested_slot(
        self, info: strawberry.Info
    ) -> Annotated[Slot, strawberry.lazy("opd_graphql.api.types.slot")] | None:
        return await _slot(info, self.requested_slot_id)

    @strawberry.field(description="1-based place in the waitlist; null when not waitlisted.")
    async def waitlist_position(self, info: strawberry.Info) -> int | None:
        if self.status is not TokenStatus.WAITLISTED:
            return None
        view = self.day or await info.context.day(self.doctor_id, self.date)
        return view.waitlist_position(self.id)

    @strawberry.field(
        description="When the doctor should call it, while it waits in the queue.",
        graphql_type=dt.datetime | None,
    )
    def estimated_call_at(
        self, info: strawberry.Info
    ) -> dt.datetime | Awaitable[dt.datetime | None] | None:
        # Not async: graphql-core awaits what a plain resolver returns only when it must,
        # and a screen's queue asks this of every token.
        if self.status not in (TokenStatus.BOOKED, TokenStatus.CHECKED_IN):
            return None
        if self.day is not None:
            return _estimate(self.day, self.id, info)
        return self._load_estimate(info)

    async def _load_estimate(self, info: strawberry.Info) -> dt.datetime | None:
        return _estimate(await info.context.day(self.doctor_id, self.date), self.id, info)


def _estimate(view: DayView, token_id: str, info: strawberry.Info) -> dt.datetime | None:
    estimate = view.estimates.get(token_id)
    return None if estimate is None else estimate.astimezone(info.context.service.timezone)


async def _slot(info: strawberry.Info, slot_id: str | None) -> Slot | None:
    from opd_graphql.api.types.slot import Slot

    if slot_id is None:
        return None
    doc = await info.context.slots.load(slot_id)
    return None if doc is None else Slot.from_document(doc, info.context.service.timezone)
