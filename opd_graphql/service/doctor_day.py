"""A change to one doctor-day: its ledger bumped, the engine's data loaded, a plan committed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from beanie import PydanticObjectId
from pymongo import InsertOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from opd_graphql import engine
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.day_cache import RememberedDay
from opd_graphql.store.documents import DoctorDay, OutboxEvent, Slot, Token, TokenEvent
from opd_graphql.store.transaction import in_transaction

T = TypeVar("T")
_LIVE = engine.HOLDS_PLACE | {engine.Status.WAITLISTED}
LIVE_STATUSES = [s.value for s in _LIVE]
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
    engine_day: engine.Day  # what the engine decides on, changed as plans are committed
    # Tokens of the day that are out of play (final, and not completed).
    finished: set[str] = field(default_factory=set)
    events: list[OutboxEvent] = field(default_factory=list)  # written to the outbox

    def add_slots(self, slots: Iterable[engine.Slot]) -> None:
        """New slots make a new day, indexed afresh when the engine next asks."""
        day = self.engine_day
        self.engine_day = engine.Day(slots=[*day.slots, *slots], tokens=day.tokens)

    async def include(self, token_id: str) -> None:
        """Bring a token in a final state into the day, so the engine can judge a request."""
        if self.engine_day.token(token_id) is None:
            raw = await Token.get_pymongo_collection().find_one(
                {"_id": PydanticObjectId(token_id)}, _TOKEN_FIELDS, session=self.session
            )
            assert raw is not None, token_id
            self.engine_day = self.engine_day.after(engine.Plan((_token_of(raw),)))
            self.finished.add(token_id)

    async def commit(self, plan: engine.Plan, now: datetime, *, new: Token | None = None) -> None:
        """Write the plan's token changes and its events (token history and outbox) at once.

        `new`, a token the plan books, is given the status, slot and history the plan
        decides, in place, and inserted whole.
        """
        history: dict[str, list[TokenEvent]] = {}
        for event in plan.events:
            history.setdefault(event.token_id, []).append(token_event(event, now))
        tokens = Token.get_pymongo_collection()
        writes: list[InsertOne[Any] | UpdateOne] = []
        self.engine_day = self.engine_day.after(plan)
        for changed in plan.tokens:
            if changed.status in _LIVE:
                self.finished.discard(changed.id)
            else:
                self.finished.add(changed.id)
            fields = {
                "status": changed.status.value,
                "slot_id": _object_id(changed.slot_id),
                "displacements": changed.displacements,
                "updated_at": now,
            }
            events = history.get(changed.id, [])
            if new is not None and changed.id == str(new.id):
                new.status, new.slot_id = changed.status, _object_id(changed.slot_id)
                new.displacements, new.history = changed.displacements, events
                writes.append(InsertOne(new.model_dump(by_alias=True), namespace=tokens.full_name))
                continue
            update = {
                "$set": fields,
                "$push": {"history": {"$each": [e.model_dump() for e in events]}},
            }
            writes.append(
                UpdateOne({"_id": PydanticObjectId(changed.id)}, update, namespace=tokens.full_name)
            )
        outbox = OutboxEvent.get_pymongo_collection().full_name
        for event in plan.events:
            written = self._outbox(event, now)
            self.events.append(written)
            # A plain pydantic dump, like the new token's: what Beanie would write,
            # nine times faster.
            writes.append(InsertOne(written.model_dump(exclude={"id"}), namespace=outbox))
        if writes:
            # One command for the tokens and their events: the ledger bump before it
            # already carried the transaction's start, which a bulkWrite may not.
            await self.session.client.bulk_write(writes, session=self.session)

    def remembered(self) -> RememberedDay:
        day = self.engine_day.without(self.finished) if self.finished else self.engine_day
        return RememberedDay(self.version, self.tokens_issued, day)

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


async def change_day(
    ctx: ServiceContext,
    doctor_id: PydanticObjectId,
    date: str,
    change: Callable[[OpenDay], Awaitable[T]],
    *,
    issue_numbers: int = 0,
) -> T:
    """Run `change` on a doctor-day in one transaction, retried on conflicts.

    `issue_numbers` reserves that many token numbers on the day's ledger.
    """
    key = DoctorDay.key(doctor_id, date)
    attempts: list[OpenDay] = []

    async def work(session: AsyncClientSession) -> T:
        day = await _open_day(session, doctor_id, date, issue_numbers, ctx.days.last(key))
        attempts.append(day)
        return await change(day)

    async with ctx.turns.of(key):
        result = await in_transaction(ctx.client, work)
        committed = attempts[-1]
        ctx.days.remember(key, committed.remembered())
        if ctx.committed is not None and committed.events:
            ctx.committed(committed.events)
    return result


async def _open_day(
    session: AsyncClientSession,
    doctor_id: PydanticObjectId,
    date: str,
    issue_numbers: int,
    known: RememberedDay | None,
) -> OpenDay:
    """Bump a doctor-day's ledger, then load what the engine needs of the day.

    Bumping first makes two transactions on the same day collide at once, so the
    loser retries before it has done any work, and each commit gets its own version.
    Every change to a day's slots or tokens bumps its ledger in its transaction, so
    when the ledger still has the version this process last committed, the day is
    as this process left it and is not read again.
    """
    key = DoctorDay.key(doctor_id, date)
    ledgers = DoctorDay.get_pymongo_collection()
    bump = {"$inc": {"version": 1, "tokens_issued": issue_numbers}}
    # update_one and find_one rather than one find_one_and_update: the embedded
    # database scans the whole collection for a findAndModify, even by _id.
    if known is not None:
        bumped = await ledgers.update_one(
            {"_id": key, "version": known.version}, bump, session=session
        )
        if bumped.matched_count == 1:
            return OpenDay(
                session=session,
                doctor_id=doctor_id,
                date=date,
                version=known.version + 1,
                tokens_issued=known.tokens_issued + issue_numbers,
                engine_day=known.day,
            )
    await ledgers.update_one(
        {"_id": key},
        {**bump, "$setOnInsert": {"doctor_id": doctor_id, "date": date}},
        upsert=True,
        session=session,
    )
    ledger = await ledgers.find_one({"_id": key}, session=session)
    assert ledger is not None  # upserted
    return OpenDay(
        session=session,
        doctor_id=doctor_id,
        date=date,
        version=ledger["version"],
        tokens_issued=ledger["tokens_issued"],
        engine_day=await _read_day(session, doctor_id, date),
    )


async def _read_day(
    session: AsyncClientSession, doctor_id: PydanticObjectId, date: str
) -> engine.Day:
    day_filter = {"doctor_id": doctor_id, "date": date}
    slots = Slot.get_pymongo_collection().find(day_filter, _SLOT_FIELDS, session=session)
    tokens = Token.get_pymongo_collection().find(
        {**day_filter, "status": {"$in": LIVE_STATUSES}},
        _TOKEN_FIELDS,
        session=session,
        batch_size=_ONE_ROUND_TRIP,
    )
    return engine.Day(
        slots=sorted([_slot_of(raw) async for raw in slots], key=lambda s: s.start),
        tokens=[_token_of(raw) async for raw in tokens],
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
