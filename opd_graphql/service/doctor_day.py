"""A change to one doctor-day: its ledger bumped, the engine's data loaded, a plan committed.

Every change to a day's slots or tokens bumps the day's ledger in its transaction, so
two changes to one day conflict, and each commit gets its own version. A process
remembers the day its last commit left (`DayCache`). The next change assumes the day
is still that, decides on it without reading, and bumps the ledger only if it still
has the remembered version, in the same bulk write as the change: two commands in
all, with the commit. If another process changed the day meanwhile, the bump fails,
the transaction is dropped, and the change is decided again on the day as read. A
refusal is never given on an assumed day: it too is decided again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from beanie import PydanticObjectId
from pymongo import InsertOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import ClientBulkWriteException

from opd_graphql import engine
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.day_cache import RememberedDay
from opd_graphql.service.engine_data import (
    LIVE,
    TOKEN_FIELDS,
    object_id,
    read_engine_day,
    token_event,
    token_of,
)
from opd_graphql.service.errors import ServiceError
from opd_graphql.store.documents import (
    DoctorDay,
    IdempotencyKey,
    OutboxEvent,
    Token,
    TokenEvent,
)
from opd_graphql.store.transaction import SNAPSHOT, in_transaction

T = TypeVar("T")


@dataclass
class OpenDay:
    session: AsyncClientSession
    doctor_id: PydanticObjectId
    date: str
    version: int
    tokens_issued: int
    engine_day: engine.Day  # what the engine decides on, changed as plans are committed
    # The ledger version the day is assumed to be at, until the bump proves it.
    assumed: int | None = None
    issue_numbers: int = 0
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
                {"_id": PydanticObjectId(token_id)}, TOKEN_FIELDS, session=self.session
            )
            assert raw is not None, token_id
            self.engine_day = self.engine_day.after(engine.Plan((token_of(raw),)))
            self.finished.add(token_id)

    async def commit(
        self,
        plan: engine.Plan,
        now: datetime,
        *,
        new: Token | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        """Write the plan's token changes and its events (token history and outbox) at once.

        `new`, a token the plan books, is given the status, slot and history the plan
        decides, in place, and inserted whole, with the `idempotency_key` it is booked under.
        """
        history: dict[str, list[TokenEvent]] = {}
        for event in plan.events:
            history.setdefault(event.token_id, []).append(token_event(event, now))
        tokens = Token.get_pymongo_collection()
        writes: list[InsertOne[Any] | UpdateOne] = []
        if self.assumed is not None:
            # Upserting turns a ledger that has moved on into a duplicate _id, which
            # stops the ordered bulk write before anything else is written; a ledger
            # that is gone is upserted, and that too proves the remembered day wrong.
            ledgers = DoctorDay.get_pymongo_collection().full_name
            writes.append(UpdateOne(*self._bump_assumed(), upsert=True, namespace=ledgers))
        self.engine_day = self.engine_day.after(plan)
        for changed in plan.tokens:
            if changed.status in LIVE:
                self.finished.discard(changed.id)
            else:
                self.finished.add(changed.id)
            fields = {
                "status": changed.status.value,
                "slot_id": object_id(changed.slot_id),
                "displacements": changed.displacements,
                "updated_at": now,
            }
            events = history.get(changed.id, [])
            if new is not None and changed.id == str(new.id):
                new.status, new.slot_id = changed.status, object_id(changed.slot_id)
                new.displacements, new.history = changed.displacements, events
                writes.append(InsertOne(new.model_dump(by_alias=True), namespace=tokens.full_name))
                if idempotency_key is not None:
                    keys = IdempotencyKey.get_pymongo_collection().full_name
                    key = {"_id": idempotency_key, "token_id": new.id}
                    writes.append(InsertOne(key, namespace=keys))
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
        if not writes:
            return
        try:
            result = await self.session.client.bulk_write(writes, session=self.session)
        except ClientBulkWriteException as failed:
            errors = failed.details.get("writeErrors") or []
            if self.assumed is not None and any(error["idx"] == 0 for error in errors):
                raise StaleDay from None
            raise
        if self.assumed is not None and result.upserted_count:
            raise StaleDay
        self.assumed = None

    async def confirm(self) -> None:
        """Bump the ledger if no commit has: the change was decided on the day as it is."""
        if self.assumed is not None:
            ledgers = DoctorDay.get_pymongo_collection()
            bumped = await ledgers.update_one(*self._bump_assumed(), session=self.session)
            if bumped.matched_count != 1:
                raise StaleDay
            self.assumed = None

    def _bump_assumed(self) -> tuple[dict[str, Any], dict[str, Any]]:
        key = DoctorDay.key(self.doctor_id, self.date)
        return {"_id": key, "version": self.assumed}, _increment(self.issue_numbers)

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
            slot_id=object_id(event.slot_id),
            caused_by=object_id(event.caused_by),
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

    def on(known: RememberedDay | None) -> Callable[[AsyncClientSession], Awaitable[T]]:
        async def work(session: AsyncClientSession) -> T:
            day = await _open_day(session, doctor_id, date, issue_numbers, known)
            attempts.append(day)
            try:
                result = await change(day)
            except ServiceError:
                if day.assumed is not None:
                    raise StaleDay from None
                raise
            await day.confirm()
            return result

        return work

    async with ctx.turns.of(key):
        known = ctx.days.last(key)
        try:
            # Nothing is read on an assumed day, so its transaction needs no snapshot
            # (and its first command, a bulkWrite, may not carry one).
            result = await in_transaction(
                ctx.client, on(known), read_concern=None if known else SNAPSHOT
            )
        except StaleDay:
            result = await in_transaction(ctx.client, on(None))
        committed = attempts[-1]
        ctx.days.remember(key, committed.remembered())
        if ctx.committed is not None and committed.events:
            ctx.committed(committed.events)
    return result


class StaleDay(Exception):
    """The remembered day has changed since: the change must be decided on a fresh read."""


def _increment(issue_numbers: int) -> dict[str, Any]:
    return {"$inc": {"version": 1, "tokens_issued": issue_numbers}}


async def _open_day(
    session: AsyncClientSession,
    doctor_id: PydanticObjectId,
    date: str,
    issue_numbers: int,
    known: RememberedDay | None,
) -> OpenDay:
    """The day as `known` (assumed, nothing read), or bump its ledger and read it."""
    if known is not None:
        return OpenDay(
            session=session,
            doctor_id=doctor_id,
            date=date,
            version=known.version + 1,
            tokens_issued=known.tokens_issued + issue_numbers,
            engine_day=known.day,
            assumed=known.version,
            issue_numbers=issue_numbers,
        )
    key = DoctorDay.key(doctor_id, date)
    ledgers = DoctorDay.get_pymongo_collection()
    # Bumping first makes two transactions on the same day collide at once, so the loser
    # retries before it has done any work. update_one and find_one rather than one
    # find_one_and_update: the embedded database scans the whole collection for a
    # findAndModify, even by _id.
    await ledgers.update_one(
        {"_id": key},
        {**_increment(issue_numbers), "$setOnInsert": {"doctor_id": doctor_id, "date": date}},
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
        engine_day=await read_engine_day(session, doctor_id, date),
    )
