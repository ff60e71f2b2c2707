"""Reading a doctor-day as one consistent picture: its slots, queue and waitlist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import bson
from beanie import PydanticObjectId
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from opd_graphql import engine
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.engine_data import (
    LIVE,
    ONE_ROUND_TRIP,
    ParsedToken,
    engine_slot,
    engine_token,
)
from opd_graphql.store.documents import DoctorDay, Slot, Token
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
        parsed: list[ParsedToken],
        now: datetime,
    ) -> DayView:
        tokens = {t.plain.id: t.document for t in parsed}
        plain = engine.Day(
            slots=tuple(engine_slot(s) for s in slots),
            tokens=tuple(t.plain for t in parsed),
        )
        holders: dict[str, list[Token]] = {str(s.id): [] for s in slots}
        for token in sorted(plain.tokens, key=lambda t: t.rank):
            if token.status in engine.HOLDS_PLACE and token.slot_id in holders:
                holders[token.slot_id].append(tokens[token.id])
        serving = engine.now_serving(plain)
        return cls(
            doctor_id=doctor_id,
            date=date,
            version=version,
            slots=slots,
            entries=[tokens[t.id] for t in engine.queue_order(plain)],
            waitlist=[tokens[t.id] for t in engine.waitlist(plain)],
            now_serving=None if serving is None else tokens[serving.id],
            estimates=engine.estimated_call_times(plain, now),
            holders=holders,
            live=tokens,
        )


async def read_day(ctx: ServiceContext, doctor_id: PydanticObjectId, day: date | str) -> DayView:
    """The whole doctor-day as of one moment: a snapshot read, no write."""
    day_date = day if isinstance(day, str) else day.isoformat()
    now = ctx.now()

    async def work(session: AsyncClientSession) -> DayView:
        key = DoctorDay.key(doctor_id, day_date)
        ledger = await DoctorDay.get_pymongo_collection().find_one({"_id": key}, session=session)
        day_filter = {"doctor_id": doctor_id, "date": day_date}
        slots = await Slot.find(day_filter, session=session).sort("start").to_list()
        tokens = Token.get_pymongo_collection()
        unparsed = tokens.codec_options.with_options(document_class=RawBSONDocument)
        # Every token of the day, as read_engine_day does, and then the live ones.
        stored = tokens.with_options(codec_options=unparsed).find(
            day_filter, session=session, batch_size=ONE_ROUND_TRIP
        )
        parsed = [
            token
            async for raw in stored
            if (token := _parsed(ctx, raw.raw, tokens.codec_options)).plain.status in LIVE
        ]
        version = 0 if ledger is None else ledger["version"]
        return DayView.of(doctor_id, day_date, version, slots, parsed, now)

    return await in_transaction(ctx.client, work)


def _parsed(ctx: ServiceContext, stored: bytes, codec: CodecOptions[Any]) -> ParsedToken:
    """The token stored as these bytes, parsed unless the same bytes were parsed lately."""
    parsed = ctx.parsed_tokens.get(stored)
    if parsed is None:
        document = Token.model_validate(bson.decode(stored, codec))
        parsed = ParsedToken(document, engine_token(document))
        ctx.parsed_tokens.put(stored, parsed)
    return parsed
