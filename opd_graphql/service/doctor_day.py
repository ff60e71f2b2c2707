"""Every change to doctor-days: one transaction holds the days, asks the engine, writes the plan.

A change first bumps each of its days' ledgers, so two changes to one day conflict in the
database and one of them runs again from the start, whichever processes they run in. It
then reads the days as they are now (nothing remembered from earlier decides anything),
lets the use case decide on them, and writes the plan and its events in the same
transaction. Within a process, changes to a day also take turns (locks.py), so that they
do not conflict in vain.

Each change runs in a task of its own. A caller that goes away (a dropped connection)
stops waiting for it but does not stop it: no transaction is ever cut off halfway, and
what other callers do and are told never depends on who else was waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from beanie import PydanticObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from opd_graphql import engine
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.engine_data import allocation_token, engine_slot, object_id, token_event
from opd_graphql.store import days
from opd_graphql.store.documents import DoctorDay, OutboxEvent, Slot, Token, TokenEvent
from opd_graphql.store.transaction import in_transaction

T = TypeVar("T")
DayKey = tuple[PydanticObjectId, str]  # a doctor and an ISO date


@dataclass
class OpenDay:
    """One doctor-day inside a change's transaction, as read at its start and changed since."""

    session: AsyncClientSession
    ledger: DoctorDay
    slots: list[Slot]
    engine_day: engine.Day
    now: datetime
    tokens_issued: int
    events: list[OutboxEvent] = field(default_factory=list)

    @property
    def doctor_id(self) -> PydanticObjectId:
        return self.ledger.doctor_id

    @property
    def date(self) -> str:
        return self.ledger.date

    def issue_number(self) -> int:
        self.tokens_issued += 1
        return self.tokens_issued

    async def add_slots(self, new: Sequence[Slot]) -> None:
        await days.insert_slots(self.session, new)
        self.slots = sorted([*self.slots, *new], key=lambda slot: slot.start)
        day = self.engine_day
        added = [engine_slot(slot) for slot in new]
        self.engine_day = engine.Day(slots=[*day.slots, *added], tokens=day.tokens)

    async def apply(self, plan: engine.Plan, *, new: Token | None = None) -> None:
        """Write the plan's token changes, their history and the outbox events.

        `new`, a token the plan books, is given the status, place and history the plan
        decides, and inserted whole.
        """
        history: dict[str, list[TokenEvent]] = {}
        for event in plan.events:
            history.setdefault(event.token_id, []).append(token_event(event, self.now))
        for changed in plan.tokens:
            events = history.get(changed.id, [])
            if new is not None and changed.id == str(new.id):
                new.status, new.slot_id = changed.status, object_id(changed.slot_id)
                new.displacements, new.history = changed.displacements, events
                await days.insert_token(self.session, new)
            else:
                await days.update_token(
                    self.session,
                    PydanticObjectId(changed.id),
                    status=changed.status,
                    slot_id=object_id(changed.slot_id),
                    displacements=changed.displacements,
                    skips=changed.skips,
                    recall_in=changed.recall_in,
                    history=events,
                    now=self.now,
                )
        if plan.slots:
            await days.close_slots(self.session, [PydanticObjectId(s.id) for s in plan.slots])
            closed = {slot.id for slot in plan.slots}
            for slot in self.slots:
                slot.closed = slot.closed or str(slot.id) in closed
        outbox = [self._outbox(event) for event in plan.events]
        await days.insert_events(self.session, outbox)
        self.events += outbox
        self.engine_day = self.engine_day.after(plan)

    async def finish(self) -> None:
        if self.tokens_issued != self.ledger.tokens_issued:
            await days.set_tokens_issued(self.session, self.ledger, self.tokens_issued)

    def _outbox(self, event: engine.Event) -> OutboxEvent:
        return OutboxEvent(
            doctor_id=self.doctor_id,
            date=self.date,
            version=self.ledger.version,
            token_id=PydanticObjectId(event.token_id),
            kind=event.kind,
            slot_id=object_id(event.slot_id),
            caused_by=object_id(event.caused_by),
            note=event.note,
            at=self.now,
        )


async def change_day(
    ctx: ServiceContext,
    doctor_id: PydanticObjectId,
    date: str,
    decide: Callable[[OpenDay], Awaitable[T]],
) -> T:
    """`decide` run on one doctor-day in a transaction; a ServiceError it raises changes nothing."""

    async def on_the_day(opened: dict[DayKey, OpenDay]) -> T:
        return await decide(opened[(doctor_id, date)])

    return await change_days(ctx, [(doctor_id, date)], on_the_day)


async def change_days(
    ctx: ServiceContext,
    keys: Sequence[DayKey],
    decide: Callable[[dict[DayKey, OpenDay]], Awaitable[T]],
) -> T:
    """`decide` run on several doctor-days in one transaction, all or nothing."""
    task = asyncio.create_task(_change(ctx, keys, decide))
    ctx.running.add(task)
    task.add_done_callback(_forget(ctx))
    return await asyncio.shield(task)


def _forget(ctx: ServiceContext) -> Callable[[asyncio.Task[object]], None]:
    def forget(task: asyncio.Task[object]) -> None:
        ctx.running.discard(task)
        if not task.cancelled():
            task.exception()  # the caller may have gone: its outcome is nobody's to report

    return forget


async def _change(
    ctx: ServiceContext,
    keys: Sequence[DayKey],
    decide: Callable[[dict[DayKey, OpenDay]], Awaitable[T]],
) -> T:
    ordered = sorted(set(keys))
    opened: dict[DayKey, OpenDay] = {}

    async def work(session: AsyncClientSession) -> T:
        opened.clear()
        now = ctx.now()
        for doctor_id, date in ordered:
            opened[(doctor_id, date)] = await _open(session, doctor_id, date, now)
        result = await decide(opened)
        for day in opened.values():
            await day.finish()
        return result

    async with ctx.locks.hold(DoctorDay.key(*key) for key in ordered):
        result = await in_transaction(ctx.client, work, retry_seconds=ctx.retry_seconds)
    if ctx.committed is not None:
        for day in opened.values():
            if day.events:
                ctx.committed(day.events)
    return result


async def _open(
    session: AsyncClientSession, doctor_id: PydanticObjectId, date: str, now: datetime
) -> OpenDay:
    ledger = await days.hold(session, doctor_id, date)
    slots = await days.slots(session, doctor_id, date)
    tokens = await days.token_states(session, doctor_id, date)
    return OpenDay(
        session=session,
        ledger=ledger,
        slots=slots,
        engine_day=engine.Day(
            slots=[engine_slot(slot) for slot in slots],
            tokens=[allocation_token(token) for token in tokens],
        ),
        now=now,
        tokens_issued=ledger.tokens_issued,
    )
