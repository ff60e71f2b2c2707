"""A doctor-day inside one transaction: what the engine decides on, and the writes it stages.

The changes of a transaction commit their plans here one after another, each deciding on
the day the ones before it left. Nothing is written until `flush`, which sends the ledger's
bump and every staged write in one bulk write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from beanie import PydanticObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from opd_graphql import engine
from opd_graphql.service.day_cache import RememberedDay
from opd_graphql.service.engine_data import (
    LIVE,
    TOKEN_FIELDS,
    engine_slot,
    object_id,
    token_event,
    token_of,
)
from opd_graphql.store.bulk_write import Write, WriteRefused, bulk_write, insert, update
from opd_graphql.store.documents import (
    DoctorDay,
    IdempotencyKey,
    OutboxEvent,
    Slot,
    Token,
    TokenEvent,
)


class StaleDay(Exception):
    """The remembered day has changed since: the change must be decided on a fresh read."""


class Mark(NamedTuple):
    """How far an open day had got, to go back to when a change is refused."""

    engine_day: engine.Day
    tokens_issued: int
    writes: int
    events: int
    finished: frozenset[str]


def bump(numbers: int = 0) -> dict[str, Any]:
    """A new ledger version, and `numbers` more token numbers issued."""
    return {"$inc": {"version": 1, "tokens_issued": numbers}}


@dataclass
class OpenDay:
    session: AsyncClientSession
    doctor_id: PydanticObjectId
    date: str
    version: int
    tokens_issued: int
    engine_day: engine.Day  # what the engine decides on, changed as plans are committed
    # The ledger version the day is assumed to be at, which the bump in `flush` proves.
    assumed: int | None = None
    # Tokens of the day that are out of play (final, and not completed).
    finished: set[str] = field(default_factory=set)
    events: list[OutboxEvent] = field(default_factory=list)  # written to the outbox
    writes: list[Write] = field(default_factory=list)
    issued: int = 0  # token numbers issued in this transaction

    def issue_number(self) -> int:
        self.tokens_issued += 1
        self.issued += 1
        return self.tokens_issued

    def add_slots(self, slots: Iterable[Slot]) -> None:
        """New slots make a new day, indexed afresh when the engine next asks."""
        namespace = Slot.get_pymongo_collection().full_name
        added = []
        for slot in slots:
            self.writes.append(insert(namespace, slot.model_dump(by_alias=True)))
            added.append(engine_slot(slot))
        day = self.engine_day
        self.engine_day = engine.Day(slots=[*day.slots, *added], tokens=day.tokens)

    async def include(self, token_id: str) -> None:
        """Bring a token in a final state into the day, so the engine can judge a request."""
        if self.engine_day.token(token_id) is None:
            raw = await Token.get_pymongo_collection().find_one(
                {"_id": PydanticObjectId(token_id)}, TOKEN_FIELDS, session=self.session
            )
            assert raw is not None, token_id
            self.engine_day = self.engine_day.after(engine.Plan((token_of(raw),)))
            self.finished.add(token_id)

    def commit(
        self,
        plan: engine.Plan,
        now: datetime,
        *,
        new: Token | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        """Stage the plan's token changes and its events (token history and outbox).

        `new`, a token the plan books, is given the status, slot and history the plan
        decides, in place, and inserted whole, with the `idempotency_key` it is booked under.
        """
        history: dict[str, list[TokenEvent]] = {}
        for event in plan.events:
            history.setdefault(event.token_id, []).append(token_event(event, now))
        tokens = Token.get_pymongo_collection().full_name
        writes = self.writes
        self.engine_day = self.engine_day.after(plan)
        for changed in plan.tokens:
            if changed.status in LIVE:
                self.finished.discard(changed.id)
            else:
                self.finished.add(changed.id)
            events = history.get(changed.id, [])
            if new is not None and changed.id == str(new.id):
                new.status, new.slot_id = changed.status, object_id(changed.slot_id)
                new.displacements, new.history = changed.displacements, events
                writes.append(insert(tokens, new.model_dump(by_alias=True)))
                if idempotency_key is not None:
                    keys = IdempotencyKey.get_pymongo_collection().full_name
                    writes.append(insert(keys, {"_id": idempotency_key, "token_id": new.id}))
                continue
            change = {
                "$set": {
                    "status": changed.status.value,
                    "slot_id": object_id(changed.slot_id),
                    "displacements": changed.displacements,
                    "updated_at": now,
                },
                "$push": {"history": {"$each": [e.model_dump() for e in events]}},
            }
            writes.append(update(tokens, {"_id": PydanticObjectId(changed.id)}, change))
        outbox = OutboxEvent.get_pymongo_collection().full_name
        for event in plan.events:
            written = self._outbox(event, now)
            self.events.append(written)
            # A plain pydantic dump, like the new token's: what Beanie would write,
            # nine times faster.
            writes.append(insert(outbox, written.model_dump(exclude={"id"})))

    def mark(self) -> Mark:
        return Mark(
            self.engine_day,
            self.tokens_issued,
            len(self.writes),
            len(self.events),
            frozenset(self.finished),
        )

    def rewind(self, mark: Mark) -> None:
        """Forget what was staged since `mark`."""
        self.issued -= self.tokens_issued - mark.tokens_issued
        self.engine_day, self.tokens_issued = mark.engine_day, mark.tokens_issued
        del self.writes[mark.writes :]
        del self.events[mark.events :]
        self.finished = set(mark.finished)

    async def flush(self) -> None:
        """Write everything staged, and the ledger's new version and numbers, at once."""
        ledgers = DoctorDay.get_pymongo_collection().full_name
        key = DoctorDay.key(self.doctor_id, self.date)
        writes = self.writes
        if self.assumed is not None:
            # Upserting turns a ledger that has moved on into a duplicate _id, which
            # stops the ordered bulk write before anything else is written; a ledger
            # that is gone is upserted, and that too proves the remembered day wrong.
            assumed = {"_id": key, "version": self.assumed}
            writes = [update(ledgers, assumed, bump(self.issued), upsert=True), *writes]
        elif self.issued:
            writes = [
                update(ledgers, {"_id": key}, {"$inc": {"tokens_issued": self.issued}}),
                *writes,
            ]
        try:
            upserted = await bulk_write(self.session, writes)
        except WriteRefused as refused:
            if self.assumed is not None and any(error["idx"] == 0 for error in refused.errors):
                raise StaleDay from None
            raise
        if self.assumed is not None and upserted:
            raise StaleDay

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
