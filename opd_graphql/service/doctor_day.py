"""A doctor-day loaded inside a transaction, turned into the engine's data, and a plan committed."""

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


@dataclass
class OpenDay:
    session: AsyncClientSession | None
    doctor_id: PydanticObjectId
    date: str
    version: int
    tokens_issued: int
    slots: list[Slot]
    tokens: dict[str, Token]

    def engine_day(self) -> engine.Day:
        return engine.Day(
            slots=tuple(engine_slot(s) for s in self.slots),
            tokens=tuple(engine_token(t) for t in self.tokens.values()),
        )

    async def commit(self, plan: engine.Plan, now: datetime, new: Token | None = None) -> None:
        """Write the plan's token changes and its events (token history and outbox) at once."""
        history: dict[str, list[TokenEvent]] = {}
        for event in plan.events:
            history.setdefault(event.token_id, []).append(token_event(event, now))
        updates = []
        for changed in plan.tokens:
            fields = {
                "status": changed.status,
                "slot_id": _object_id(changed.slot_id),
                "displacements": changed.displacements,
                "updated_at": now,
            }
            if new is not None and changed.id == str(new.id):
                new_events = history.get(changed.id, [])
                new_doc = new.model_copy(update={**fields, "history": new_events})
                await new_doc.insert(session=self.session)
                self.tokens[changed.id] = new_doc
                continue
            doc = self.tokens[changed.id]
            events = history.get(changed.id, [])
            self.tokens[changed.id] = doc.model_copy(
                update={**fields, "history": [*doc.history, *events]}
            )
            updates.append(
                UpdateOne(
                    {"_id": doc.id},
                    {
                        "$set": {**fields, "status": changed.status.value},
                        "$push": {"history": {"$each": [e.model_dump() for e in events]}},
                    },
                )
            )
        if updates:
            await Token.get_pymongo_collection().bulk_write(
                updates, ordered=True, session=self.session
            )
        if plan.events:
            outbox = [
                OutboxEvent(
                    doctor_id=self.doctor_id,
                    date=self.date,
                    version=self.version,
                    token_id=PydanticObjectId(e.token_id),
                    kind=e.kind,
                    slot_id=_object_id(e.slot_id),
                    caused_by=_object_id(e.caused_by),
                    note=e.note,
                    at=now,
                )
                for e in plan.events
            ]
            await OutboxEvent.insert_many(outbox, session=self.session)


async def open_day(
    session: AsyncClientSession | None,
    doctor_id: PydanticObjectId,
    date: str,
    *,
    write: bool = True,
    issue_numbers: int = 0,
) -> OpenDay:
    """Load a doctor-day. With `write`, bump its ledger first.

    Bumping first makes two transactions on the same day collide at once, so the
    loser retries before it has done any work, and each commit gets its own version.
    """
    key = DoctorDay.key(doctor_id, date)
    ledgers = DoctorDay.get_pymongo_collection()
    if write:
        ledger: dict[str, Any] | None = await ledgers.find_one_and_update(
            {"_id": key},
            {
                "$inc": {"version": 1, "tokens_issued": issue_numbers},
                "$setOnInsert": {"doctor_id": doctor_id, "date": date},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=session,
        )
    else:
        ledger = await ledgers.find_one({"_id": key}, session=session)
    ledger = ledger or {}
    slots = (
        await Slot.find({"doctor_id": doctor_id, "date": date}, session=session)
        .sort("start")
        .to_list()
    )
    tokens = await Token.find(
        {"doctor_id": doctor_id, "date": date, "status": {"$in": LIVE_STATUSES}},
        session=session,
    ).to_list()
    return OpenDay(
        session=session,
        doctor_id=doctor_id,
        date=date,
        version=ledger.get("version", 0),
        tokens_issued=ledger.get("tokens_issued", 0),
        slots=slots,
        tokens={str(t.id): t for t in tokens},
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


def _object_id(value: str | None) -> PydanticObjectId | None:
    return None if value is None else PydanticObjectId(value)
