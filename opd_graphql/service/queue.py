"""Reading a doctor-day as one consistent picture: its slots, queue and waitlist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from beanie import PydanticObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from opd_graphql import engine
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.engine_data import engine_slot, engine_token
from opd_graphql.store import days
from opd_graphql.store.documents import Slot, Token
from opd_graphql.store.transaction import read_snapshot

LIVE = engine.HOLDS_PLACE | {engine.Status.WAITLISTED}


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
    live: dict[str, Token]  # every seated, completed and waitlisted token, by id

    def waitlist_position(self, token_id: str) -> int | None:
        for position, token in enumerate(self.waitlist, start=1):
            if str(token.id) == token_id:
                return position
        return None

    @classmethod
    def of(
        cls,
        doctor_id: PydanticObjectId,
        date: str,
        version: int,
        slots: list[Slot],
        tokens: list[Token],
        now: datetime,
    ) -> DayView:
        live = {str(token.id): token for token in tokens if token.status in LIVE}
        plain = engine.Day(
            slots=tuple(engine_slot(s) for s in slots),
            tokens=tuple(engine_token(t) for t in live.values()),
        )
        holders: dict[str, list[Token]] = {str(s.id): [] for s in slots}
        for token in sorted(plain.tokens, key=lambda t: t.rank):
            if token.status in engine.HOLDS_PLACE and token.slot_id in holders:
                holders[token.slot_id].append(live[token.id])
        serving = engine.now_serving(plain)
        return cls(
            doctor_id=doctor_id,
            date=date,
            version=version,
            slots=slots,
            entries=[live[t.id] for t in engine.queue_order(plain)],
            waitlist=[live[t.id] for t in engine.waitlist(plain)],
            now_serving=None if serving is None else live[serving.id],
            estimates=engine.estimated_call_times(plain, now),
            holders=holders,
            live=live,
        )


async def read_day(ctx: ServiceContext, doctor_id: PydanticObjectId, day: date | str) -> DayView:
    """The whole doctor-day as of one moment: a snapshot read, no write."""
    day_date = day if isinstance(day, str) else day.isoformat()
    now = ctx.now()

    async def work(session: AsyncClientSession) -> DayView:
        ledger = await days.ledger(session, doctor_id, day_date)
        return DayView.of(
            doctor_id,
            day_date,
            0 if ledger is None else ledger.version,
            await days.slots(session, doctor_id, day_date),
            await days.tokens_without_history(session, doctor_id, day_date),
            now,
        )

    return await read_snapshot(ctx.client, work)
