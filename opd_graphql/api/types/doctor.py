from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from opd_graphql.store import documents

if TYPE_CHECKING:
    from opd_graphql.api.types.queue import Queue
    from opd_graphql.api.types.slot import Slot


@strawberry.type(description="A doctor who sees outpatients in slots.")
class Doctor:
    id: strawberry.ID
    name: str
    code: str = strawberry.field(description="Short code that prefixes token numbers, e.g. CAR1.")
    department: str
    active: bool = strawberry.field(description="Inactive: takes no new bookings or transfers.")
    room: str | None

    @classmethod
    def from_document(cls, doc: documents.Doctor) -> Doctor:
        return cls(
            id=strawberry.ID(str(doc.id)),
            name=doc.name,
            code=doc.code,
            department=doc.department,
            active=doc.active,
            room=doc.room,
        )

    @strawberry.field(description="The doctor's slots on a date, by start time.")
    async def slots(
        self, info: strawberry.Info, date: date
    ) -> list[Annotated[Slot, strawberry.lazy("opd_graphql.api.types.slot")]]:
        from opd_graphql.api.types.slot import Slot

        view = await info.context.day(self.id, date)
        tz = info.context.service.timezone
        return [Slot.from_document(slot, tz) for slot in view.slots]

    @strawberry.field(description="The doctor's queue on a date.")
    async def queue(
        self, info: strawberry.Info, date: date
    ) -> Annotated[Queue, strawberry.lazy("opd_graphql.api.types.queue")]:
        from opd_graphql.api.types.queue import Queue

        return Queue.from_view(await info.context.day(self.id, date))
