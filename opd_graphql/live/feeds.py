"""The state a subscriber sees: the current picture at once, then again after every change."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator

from beanie import PydanticObjectId
from pymongo.errors import PyMongoError

from opd_graphql.live.broker import Broker
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.queue import DayView, read_day

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0


async def day_views(
    ctx: ServiceContext, broker: Broker, doctor_id: PydanticObjectId, date: str
) -> AsyncGenerator[DayView, None]:
    """Yields the doctor-day now, then after each change; bursts collapse into one view."""
    key = str(doctor_id)
    # Watch, and wait for the stream, before the first read: a change committed after
    # the read then always wakes us.
    with broker.watch(key, date) as changed:
        await broker.ready.wait()
        while True:
            changed.clear()
            seen = broker.changes(key, date)
            try:
                view = await broker.read_once(
                    key, date, seen, lambda: read_day(ctx, doctor_id, date)
                )
            except PyMongoError as error:
                # The database is away: keep the subscriber and try again, rather than
                # dropping every screen in the building.
                log.warning("subscription read failed (%s); retrying", type(error).__name__)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            yield view
            await changed.wait()
