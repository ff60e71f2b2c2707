"""The sweep: ended days' waitlists become EXPIRED; old events and idempotency keys go."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from beanie import PydanticObjectId
from beanie.operators import NE, In
from pymongo.errors import PyMongoError

from opd_graphql import engine
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.doctor_day import OpenDay, change_day
from opd_graphql.store import days, keys
from opd_graphql.store.documents import Doctor, OutboxEvent

log = logging.getLogger(__name__)
# The outbox is for following changes as they happen; each token's history keeps its
# events for good. A week leaves time to look into a stream after the fact.
EVENTS_KEPT = timedelta(days=7)


async def expire_ended_days(ctx: ServiceContext) -> int:
    """Expire every ended day's waitlist; returns how many tokens expired.

    Safe to run from every API process at once: each day is changed in its own
    transaction, and a day already expired has nothing left to change.
    """
    now = ctx.now()
    waiting = await days.waitlisted_days(ctx.today().isoformat())
    # A simulation ends its doctors' days itself, on its own clock.
    simulated = await _simulated({doctor_id for doctor_id, _ in waiting}) if waiting else set()
    expired = 0
    for doctor_id, date in sorted(waiting):
        if doctor_id in simulated:
            continue
        slots = await days.slots(None, doctor_id, date)
        if slots and max(slot.end for slot in slots) <= now:
            expired += await expire_day(ctx, doctor_id, date)
    return expired


async def _simulated(doctor_ids: set[PydanticObjectId]) -> set[PydanticObjectId]:
    query = Doctor.find(In(Doctor.id, list(doctor_ids)), NE(Doctor.simulation_id, None))
    return {doctor.id for doctor in await query.to_list() if doctor.id is not None}


async def expire_day(ctx: ServiceContext, doctor_id: PydanticObjectId, date: str) -> int:
    """Expire one doctor-day's waitlist if its last slot has ended; returns how many."""

    async def expire(day: OpenDay) -> int:
        plan = engine.expire(day.engine_day, day.now)
        await day.apply(plan)
        return len(plan.tokens)

    return await change_day(ctx, doctor_id, date, expire)


async def drop_old_events(ctx: ServiceContext) -> int:
    """Delete the outbox events more than EVENTS_KEPT old; returns how many."""
    # A range on `at`, which its index answers: the embedded database scans the whole
    # collection for a range on _id, and the sweep would stall it every minute.
    dropped = await OutboxEvent.find(OutboxEvent.at < ctx.now() - EVENTS_KEPT).delete()
    return 0 if dropped is None else dropped.deleted_count


async def sweep_forever(ctx: ServiceContext, every_seconds: float = 60.0) -> None:
    while True:
        try:
            count = await expire_ended_days(ctx)
            if count:
                log.info("expired %d waitlisted tokens of ended days", count)
            await drop_old_events(ctx)
            await keys.drop_expired(ctx.now())
        except PyMongoError as error:
            log.warning("expiry sweep failed (%s); will try again", type(error).__name__)
        await asyncio.sleep(every_seconds)
