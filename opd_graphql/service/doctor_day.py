"""A doctor-day loaded inside a transaction as the engine's data, and a plan committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from opd_graphql import engine
from opd_graphql.store.documents import DoctorDay, OutboxEvent, Slot, Token, TokenEvent

LIVE_STATUSES = [s.value for s in engine.HOLDS_PLACE | {engine.Status.WAITLISTED}]
# What the engine needs of a token. Histories and patients grow with the day and are
# never read here: leaving them out keeps every change to a busy day cheap.
_TOKEN_FIELDS = {f: 1 for f in ("seq", "source", "status", "queued_at", "slot_id", "displacements")}
_SLOT_FIELDS = {f: 1 for f in ("start", "end", "capacity")}
_ONE_ROUND_TRIP = 5000  # a day's live tokens in the first batch: no getMore round trips


@dataclass
class OpenDay:
    session: AsyncClientSession
    doctor_id: PydanticObjectId
    date: str
    version: int
    tokens_issued: int
    slots: list[engine.Slot]
    tokens: dict[str, engine.Token]

    def engine_day(self) -> engine.Day:
        return engine.Day(slots=tuple(self.slots), tokens=tuple(self.tokens.values()))

    async def token(self, token_id: str) -> Token:
        """The whole stored token, as this transaction sees it."""
        found = await Token.get(PydanticObjectId(token_id), session=self.session)
        assert found is not None, token_id
        return found

    async def include(self, token_id: str) -> None:
        """Bring a token in a final state into the day, so the engine can judge a request."""
        if token_id not in self.tokens:
            self.tokens[token_id] = engine_token(await self.token(token_id))

    async def commit(
        self, plan: engine.Plan, now: datetime, new: Token | None = None
    ) -> Token | None:
        """Write the plan's token changes and its events (token history and outbox) at once.

        Returns the new token as stored, when there is one.
        """
        inserted = None
        history: dict[str, list[TokenEvent]] = {}
        for event in plan.events:
            history.setdefault(event.token_id, []).append(token_event(event, now))
        updates = []
        for changed in plan.tokens:
            self.tokens[changed.id] = changed
            fields = {
                "status": changed.status.value,
                "slot_id": _object_id(changed.slot_id),
                "displacements": changed.displacements,
                "updated_at": now,
            }
            events = history.get(changed.id, [])
            if new is not None and changed.id == str(new.id):
                inserted = new.model_copy(
                    update={**fields, "status": changed.status, "history": events}
                )
                await inserted.insert(session=self.session)
                continue
            updates.append(
                UpdateOne(
                    {"_id": PydanticObjectId(changed.id)},
                    {
                        "$set": fields,
                        "$push": {"history": {"$each": [e.model_dump() for e in events]}},
                    },
                )
            )
        if updates:
            await Token.get_pymongo_collection().bulk_write(
                updates, ordered=True, session=self.session
            )
        if plan.events:
            await OutboxEvent.insert_many(
                [self._outbox(event, now) for event in plan.events], session=self.session
            )
        return inserted

    def _outbox(self, event: engine.Event, now: datetime) -> OutboxEvent:
        return OutboxEvent(
            doctor_id=self.doctor_id,
            date=self.date,
            version=self.version,
            token_id=PydanticObjectId(event.token_id),
            kind=event.kind,
            slot_id=_object_id(event.slot_id),
            caused_by=_object_id(event.caused_by),
            note=event.note,
            at=now,
        )


async def open_day(
    session: AsyncClientSession,
    doctor_id: PydanticObjectId,
    date: str,
    *,
    issue_numbers: int = 0,
) -> OpenDay:
    """Bump a doctor-day's ledger, then load what the engine needs of the day.

    Bumping first makes two transactions on the same day collide at once, so the
    loser retries before it has done any work, and each commit gets its own version.
    """
    ledger = await DoctorDay.get_pymongo_collection().find_one_and_update(
        {"_id": DoctorDay.key(doctor_id, date)},
        {
            "$inc": {"version": 1, "tokens_issued": issue_numbers},
            "$setOnInsert": {"doctor_id": doctor_id, "date": date},
        },
        upsert=True,
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    assert ledger is not None  # upserted
    day_filter = {"doctor_id": doctor_id, "date": date}
    slots = Slot.get_pymongo_collection().find(day_filter, _SLOT_FIELDS, session=session)
    tokens = Token.get_pymongo_collection().find(
        {**day_filter, "status": {"$in": LIVE_STATUSES}},
        _TOKEN_FIELDS,
        session=session,
        batch_size=_ONE_ROUND_TRIP,
    )
    return OpenDay(
        session=session,
        doctor_id=doctor_id,
        date=date,
        version=ledger["version"],
        tokens_issued=ledger["tokens_issued"],
        slots=sorted([_slot_of(raw) async for raw in slots], key=lambda s: s.start),
        tokens={str(raw["_id"]): _token_of(raw) async for raw in tokens},
    )


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
        slot_id=_object_id(event.slot_id),
        caused_by=_object_id(event.caused_by),
        note=event.note,
    )


def _slot_of(raw: dict[str, Any]) -> engine.Slot:
    return engine.Slot(str(raw["_id"]), raw["start"], raw["end"], raw["capacity"])


def _token_of(raw: dict[str, Any]) -> engine.Token:
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


def _object_id(value: str | None) -> PydanticObjectId | None:
    return None if value is None else PydanticObjectId(value)
