from __future__ import annotations

import datetime as dt

import strawberry

from opd_graphql.api.types.doctor import Doctor
from opd_graphql.api.types.token import Token
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.queue import DayView


@strawberry.type(description="A doctor-day's queue: who is being seen, who waits, in order.")
class Queue:
    date: dt.date
    now_serving: Token | None
    entries: list[Token] = strawberry.field(
        description="Seated tokens in the order they will be called: emergencies first, then "
        "by slot, then by rank."
    )
    waitlist: list[Token] = strawberry.field(description="Waitlisted tokens in promotion order.")
    version: int = strawberry.field(description="Goes up with every change to the doctor-day.")
    doctor_id: strawberry.Private[str]

    @classmethod
    def from_view(cls, view: DayView, service: ServiceContext) -> Queue:
        tz = service.timezone
        return cls(
            date=dt.date.fromisoformat(view.date),
            now_serving=None
            if view.now_serving is None
            else Token.from_document(view.now_serving, tz, view),
            entries=[Token.from_document(t, tz, view) for t in view.entries],
            waitlist=[Token.from_document(t, tz, view) for t in view.waitlist],
            version=view.version,
            doctor_id=str(view.doctor_id),
        )

    @strawberry.field
    async def doctor(self, info: strawberry.Info) -> Doctor:
        return Doctor.from_document(await info.context.doctors.load(self.doctor_id))
