"""The in-process side of live updates: coalescing, cleanup and surviving a broken stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from opd_graphql.live.broker import Broker
from opd_graphql.live.feeds import day_views
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.queue import read_day
from opd_graphql.store.connection import init_database, make_client
from opd_graphql.store.documents import OutboxEvent
from opd_graphql.store.embedded import EmbeddedDatabase
from tests.service.factories import DAY, a_day, a_doctor, book


@pytest.fixture
async def broker(service) -> AsyncIterator[Broker]:
    """A broker of the test database, running as it does in the app."""
    broker = Broker(OutboxEvent.get_pymongo_collection())
    stream = asyncio.create_task(broker.run())
    yield broker
    stream.cancel()


async def test_a_burst_collapses_and_the_last_view_is_the_latest(service, broker):
    doctor = await a_doctor(service)
    await a_day(service, doctor, capacity=10)
    views = day_views(service, broker, doctor.id, DAY.isoformat())
    try:
        first = await anext(views)
        for i in range(10):
            await book(service, doctor, name=f"P{i}")
        seen = []
        while not seen or len(seen[-1].entries) < 10:
            seen.append(await asyncio.wait_for(anext(views), 10))
    finally:
        await views.aclose()

    assert first.entries == []
    assert 1 <= len(seen) <= 10
    assert seen[-1].version == first.version + 10
    assert broker.subscribers == 0


async def test_a_slow_subscriber_does_not_hold_up_another(service, broker):
    doctor = await a_doctor(service)
    await a_day(service, doctor, capacity=5)
    slow = day_views(service, broker, doctor.id, DAY.isoformat())
    quick = day_views(service, broker, doctor.id, DAY.isoformat())
    try:
        await anext(slow)  # and never asks again
        await anext(quick)
        await book(service, doctor)
        update = await asyncio.wait_for(anext(quick), 10)
        assert len(update.entries) == 1
        assert broker.subscribers == 2
    finally:
        await slow.aclose()
        await quick.aclose()
    assert broker.subscribers == 0


async def test_screens_of_one_day_share_one_read_per_change(service, broker, monkeypatch):
    from opd_graphql.live import feeds

    reads = []

    async def counted(*args, **kwargs):
        reads.append(1)
        return await read_day(*args, **kwargs)

    monkeypatch.setattr(feeds, "read_day", counted)
    doctor = await a_doctor(service)
    await a_day(service, doctor, capacity=10)
    screens = [day_views(service, broker, doctor.id, DAY.isoformat()) for _ in range(30)]
    gone = day_views(service, broker, doctor.id, DAY.isoformat())
    try:
        await asyncio.gather(*(anext(screen) for screen in [*screens, gone]))
        await gone.aclose()  # a screen switched off must not spoil the others' read
        for i in range(3):
            await book(service, doctor, name=f"P{i}")

        async def until_all_three(screen):
            while len((await asyncio.wait_for(anext(screen), 10)).entries) < 3:
                pass

        await asyncio.gather(*(until_all_three(screen) for screen in screens))
    finally:
        for screen in screens:
            await screen.aclose()

    assert len(reads) <= 4  # the first picture, then at most one per booking
    assert broker.subscribers == 0


async def test_subscribers_keep_receiving_after_the_database_restarts(tmp_path, clock):
    database = EmbeddedDatabase(tmp_path)
    client = make_client(database.start())
    await init_database(client.opd)
    service = ServiceContext(client=client, clock=clock)
    doctor = await a_doctor(service)
    await a_day(service, doctor)
    broker = Broker(OutboxEvent.get_pymongo_collection())
    stream = asyncio.create_task(broker.run())
    views = day_views(service, broker, doctor.id, DAY.isoformat())
    try:
        assert (await anext(views)).entries == []
        database.stop()
        database = EmbeddedDatabase(tmp_path, port=database.port)
        database.start()
        await book(service, doctor)
        update = await asyncio.wait_for(anext(views), 30)
        assert len(update.entries) == 1
    finally:
        await views.aclose()
        stream.cancel()
        await client.close()
        database.stop()


async def test_the_stream_is_followed_only_while_someone_watches(service, broker):
    doctor = await a_doctor(service)
    await a_day(service, doctor, capacity=5)
    await book(service, doctor, name="Before anyone watched")
    await asyncio.sleep(0.2)
    assert not broker.ready.is_set()

    views = day_views(service, broker, doctor.id, DAY.isoformat())
    assert len((await anext(views)).entries) == 1
    assert broker.ready.is_set()
    await views.aclose()
    await book(service, doctor, name="Nobody watching")  # the stream stops at this event
    await asyncio.wait_for(_until(lambda: not broker.ready.is_set()), 5)


async def test_the_stream_opens_again_for_the_next_screen(service, broker):
    doctor = await a_doctor(service)
    await a_day(service, doctor, capacity=5)
    first = day_views(service, broker, doctor.id, DAY.isoformat())
    await anext(first)
    await first.aclose()
    await asyncio.wait_for(_until(lambda: not broker.ready.is_set()), 5)

    again = day_views(service, broker, doctor.id, DAY.isoformat())
    try:
        assert (await anext(again)).entries == []
        await book(service, doctor)
        update = await asyncio.wait_for(anext(again), 10)
    finally:
        await again.aclose()
    assert len(update.entries) == 1


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.02)
