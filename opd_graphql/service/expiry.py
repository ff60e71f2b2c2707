"""The sweep: ended days' waitlists become EXPIRED, and old events leave the outbox."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from beanie import PydanticObjectId
from pymongo.errors import PyMongoError

from opd_graphql import engine
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.doctor_day import change_day
from opd_graphql.service.open_day import OpenDay
from opd_graphql.store.documents import Doctor, OutboxEvent, Slot, Token

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
    waiting = Token.get_pymongo_collection().aggregate(waiting_days(ctx.today().isoformat()))
    days = [group["_id"] async for group in await waiting]
    # A simulation ends its doctors' days itself, on its own clock.
    simulated = await _simulated({day["doctor_id"] for day in days}) if days else set()
    expired = 0
    for day in days:
        doctor_id = PydanticObjectId(day["doctor_id"])
        if doctor_id in simulated:
            continue
        slots = await Slot.find({"doctor_id": doctor_id, "date": day["date"]}).to_list()
        if slots and max(slot.end for slot in slots) <= now:
            expired += await expire_day(ctx, doctor_id, day["date"])
    return expired


async def _simulated(doctor_ids: set[Any]) -> set[Any]:
    doctors = Doctor.get_pymongo_collection().find(
        {"_id": {"$in": list(doctor_ids)}, "simulation_id": {"$ne": None}}, {"_id": 1}
    )
    return {doctor["_id"] async for doctor in doctors}


def waiting_days(today: str) -> list[dict[str, Any]]:
    """The doctor-days up to `today` with someone on the waitlist (an index answers it)."""
    return [
        {"$match": {"status": engine.Status.WAITLISTED.value, "date": {"$lte": today}}},
        {"$group": {"_id": {"doctor_id": "$doctor_id", "date": "$date"}}},
    ]


async def expire_day(ctx: ServiceContext, doctor_id: PydanticObjectId, date: str) -> int:
    """Expire one doctor-day's waitlist if its last slot has ended; returns how many."""
    now = ctx.now()

    async def expire(day: OpenDay) -> int:
        plan = engine.expire(day.engine_day, now)
        day.commit(plan, now)
        return len(plan.tokens)

    return await change_day(ctx, doctor_id, date, expire)


async def drop_old_events(ctx: ServiceContext) -> int:
    """Delete the outbox events more than EVENTS_KEPT old; returns how many."""
    # A range on `at`, which its index answers: the embedded database scans the whole
    # collection for a range on _id, and the sweep would stall it every minute.
    too_old = {"at": {"$lt": ctx.now() - EVENTS_KEPT}}
    dropped = await OutboxEvent.get_pymongo_collection().delete_many(too_old)
    return dropped.deleted_count


async def sweep_forever(ctx: ServiceContext, every_seconds: float = 60.0) -> None:
    while True:
        try:
            count = await expire_ended_days(ctx)
            if count:
                log.info("expired %d waitlisted tokens of ended days", count)
            await drop_old_events(ctx)
        except PyMongoError as error:
            log.warning("expiry sweep failed (%s); will try again", type(error).__name__)
        await asyncio.sleep(every_seconds)
