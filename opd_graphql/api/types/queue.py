from __future__ import annotations

import datetime as dt

import strawberry

from opd_graphql.api.types.doctor import Doctor
from opd_graphql.api.types.token import Token
from opd_graphql.service.queue import DayView
from opd_graphql.store import documents


@strawberry.type(description="A doctor-day's queue: who is being seen, who waits, in order.")
class Queue:
    date: dt.date
    doctor_id: strawberry.Private[str]
    # Only the day as read: its tokens are made when a message is built and dropped with it.
    # A subscription's last queue stays referenced while it waits for the next change, and
    # screens outnumber days.
    view: strawberry.Private[DayView]

    @classmethod
    def from_view(cls, view: DayView) -> Queue:
        return cls(
            date=dt.date.fromisoformat(view.date),
            doctor_id=str(view.doctor_id),
            view=view,
        )

    @strawberry.field
    def now_serving(self, info: strawberry.Info) -> Token | None:
        serving = self.view.now_serving
        return None if serving is None else self._token(serving, info)

    @strawberry.field(
        description="Seated tokens in the order they will be called: emergencies first, then "
        "by slot, then by rank."
    )
    def entries(self, info: strawberry.Info) -> list[Token]:
        return [self._token(token, info) for token in self.view.entries]

    @strawberry.field(description="Waitlisted tokens in promotion order.")
    def waitlist(self, info: strawberry.Info) -> list[Token]:
        return [self._token(token, info) for token in self.view.waitlist]

    @strawberry.field(description="Goes up with every change to the doctor-day.")
    def version(self) -> int:
        return self.view.version

    @strawberry.field
    async def doctor(self, info: strawberry.Info) -> Doctor:
        return Doctor.from_document(await info.context.doctors.load(self.doctor_id))

    def _token(self, token: documents.Token, info: strawberry.Info) -> Token:
        return Token.from_document(token, info.context.service.timezone, self.view)
