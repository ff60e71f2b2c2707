from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import strawberry

from opd_graphql import engine
from opd_graphql.store import documents

if TYPE_CHECKING:
    from opd_graphql.api.types.doctor import Doctor
    from opd_graphql.api.types.token import Token


@strawberry.type(description="One window of a doctor's day with a hard capacity.")
class Slot:
    id: strawberry.ID
    date: dt.date
    start: dt.datetime
    end: dt.datetime
    capacity: int = strawberry.field(description="In places: a token needs 1 to 4.")
    closed: bool = strawberry.field(description="Closed: nothing is placed into it.")
    doctor_id: strawberry.Private[str]

    @classmethod
    def from_document(cls, doc: documents.Slot, tz: ZoneInfo) -> Slot:
        return cls(
            id=strawberry.ID(str(doc.id)),
            date=dt.date.fromisoformat(doc.date),
            start=doc.start.astimezone(tz),
            end=doc.end.astimezone(tz),
            capacity=doc.capacity,
            closed=doc.closed,
            doctor_id=str(doc.doctor_id),
        )

    @strawberry.field
    async def doctor(
        self, info: strawberry.Info
    ) -> Annotated[Doctor, strawberry.lazy("opd_graphql.api.types.doctor")]:
        from opd_graphql.api.types.doctor import Doctor

        return Doctor.from_document(await info.context.doctors.load(self.doctor_id))

    async def _holders(self, info: strawberry.Info) -> list[documents.Token]:
        view = await info.context.day(self.doctor_id, self.date)
        return view.holders.get(self.id, [])

    @strawberry.field(description="Places held now by patients booked, checked in or called.")
    async def seated(self, info: strawberry.Info) -> int:
        return sum(t.places for t in await self._holders(info) if t.status in engine.SEATED)

    @strawberry.field(
        description="Places left. A completed consultation keeps its place: capacity counts "
        "consultations."
    )
    async def available(self, info: strawberry.Info) -> int:
        return max(0, self.capacity - sum(t.places for t in await self._holders(info)))

    @strawberry.field(description="True when emergencies have pushed it over capacity.")
    async def overbooked(self, info: strawberry.Info) -> bool:
        return sum(t.places for t in await self._holders(info)) > self.capacity

    @strawberry.field(description="The tokens holding a place in this slot, best rank first.")
    async def tokens(
        self, info: strawberry.Info
    ) -> list[Annotated[Token, strawberry.lazy("opd_graphql.api.types.token")]]:
        from opd_graphql.api.types.token import Token

        view = await info.context.day(self.doctor_id, self.date)
        tz = info.context.service.timezone
        return [Token.from_document(t, tz, view) for t in view.holders.get(self.id, [])]
