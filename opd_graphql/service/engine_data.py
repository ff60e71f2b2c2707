"""What the engine sees of the stored documents, and what its decisions store."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from beanie import PydanticObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from opd_graphql import engine
from opd_graphql.store.documents import Slot, Token, TokenEvent

LIVE = engine.HOLDS_PLACE | {engine.Status.WAITLISTED}
LIVE_STATUSES = frozenset(s.value for s in LIVE)
# What the engine needs of a token. Histories and patients grow with the day and are
# never read here: leaving them out keeps every change to a busy day cheap.
TOKEN_FIELDS = {f: 1 for f in ("seq", "source", "status", "queued_at", "slot_id", "displacements")}
SLOT_FIELDS = {f: 1 for f in ("start", "end", "capacity")}
ONE_ROUND_TRIP = 5000  # a day's live tokens in the first batch: no getMore round trips


async def read_engine_day(
    session: AsyncClientSession, doctor_id: PydanticObjectId, date: str
) -> engine.Day:
    """A doctor-day's slots and its tokens in play, as this transaction sees them."""
    day_filter = {"doctor_id": doctor_id, "date": date}
    slots = Slot.get_pymongo_collection().find(day_filter, SLOT_FIELDS, session=session)
    # All the day's tokens, final ones too, and only then by status: a status filter
    # makes the embedded database scan the whole collection rather than the day's index.
    tokens = Token.get_pymongo_collection().find(
        day_filter, TOKEN_FIELDS, session=session, batch_size=ONE_ROUND_TRIP
    )
    return engine.Day(
        slots=sorted([slot_of(raw) async for raw in slots], key=lambda s: s.start),
        tokens=[token_of(raw) async for raw in tokens if raw["status"] in LIVE_STATUSES],
    )


class ParsedToken(NamedTuple):
    """A token as parsed from the database, and as the engine sees it."""

    document: Token
    plain: engine.Token


def engine_slot(slot: Slot) -> engine.Slot:
    return engine.Slot(id=str(slot.id), start=slot.start, end=slot.end, capacity=slot.capacity)


def engine_token(token: Token) -> engine.Token:
    return engine.Token(
        id=str(token.id),
        seq=token.seq,
        source=token.source,
        status=token.status,
        queued_at=token.queued_at,
        slot_id=None if token.slot_id is None else str(token.slot_id),
        displacements=token.displacements,
    )


def token_event(event: engine.Event, at: datetime) -> TokenEvent:
    return TokenEvent(
        at=at,
        kind=event.kind,
        slot_id=object_id(event.slot_id),
        caused_by=object_id(event.caused_by),
        note=event.note,
    )


def slot_of(raw: dict[str, Any]) -> engine.Slot:
    return engine.Slot(str(raw["_id"]), raw["start"], raw["end"], raw["capacity"])


def token_of(raw: dict[str, Any]) -> engine.Token:
    slot_id = raw.get("slot_id")
    return engine.Token(
        id=str(raw["_id"]),
        seq=raw["seq"],
        source=engine.Source(raw["source"]),
        status=engine.Status(raw["status"]),
        queued_at=raw["queued_at"],
        slot_id=None if slot_id is None else str(slot_id),
        displacements=raw.get("displacements", 0),
    )


def object_id(value: str | None) -> PydanticObjectId | None:
    return None if value is None else PydanticObjectId(value)
