"""Reading a doctor-day as one consistent picture: its slots, queue and waitlist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from beanie import PydanticObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from opd_graphql import engine
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.doctor_day import OpenDay, open_day
from opd_graphql.store.documents import Slot, Token
from opd_graphql.store.transaction import in_transaction


@dataclass(frozen=True)
class DayView:
    doctor_id: PydanticObjectId
    date: str
    version: int
    slots: list[Slot]
    entries: list[Token]
    waitlist: list[Token]
    now_serving: Token | None
    estimates: dict[str, datetime]
    holders: dict[str, list[Token]]  # slot id -> tokens holding a place there, in rank order

    def waitlist_position(self, token_id: str) -> int | None:
        for position, token in enumerate(self.waitlist, start=1):
            if str(token.id) == token_id:
                return position
        return None

    @classmethod
    def of(cls, day: OpenDay, now: datetime) -> DayView:
        plain = day.engine_day()
        tokens = day.tokens
        holders: dict[str, list[Token]] = {str(s.id): [] for s in day.slots}
        for token in sorted(plain.tokens, key=lambda t: t.rank):
            if token.status in engine.HOLDS_PLACE and token.slot_id in holders:
                holders[token.slot_id].append(tokens[token.id])
        serving = engine.now_serving(plain)
        return cls(
            doctor_id=day.doctor_id,
            date=day.date,
            version=day.version,
            slots=day.slots,
            entries=[tokens[t.id] for t in engine.queue_order(plain)],
            waitlist=[tokens[t.id] for t in engine.waitlist(plain)],
            now_serving=None if serving is None else tokens[serving.id],
            estimates=engine.estimated_call_times(plain, now),
            holders=holders,
        )


async def read_day(ctx: ServiceContext, doctor_id: PydanticObjectId, day: date | str) -> DayView:
    day_date = day if isinstance(day, str) else day.isoformat()
    now = ctx.now()

    async def work(session: AsyncClientSession) -> DayView:
        return DayView.of(await open_day(session, doctor_id, day_date, write=False), now)

    return await in_transaction(ctx.client, work)
