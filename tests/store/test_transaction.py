from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from opd_graphql.store.connection import make_client
from opd_graphql.store.transaction import in_transaction, read_snapshot


@pytest.fixture
async def client(mongo_uri: str, db_name: str) -> AsyncIterator[AsyncMongoClient[Any]]:
    client = make_client(mongo_uri)
    yield client
    await client.drop_database(db_name)
    await client.close()


@pytest.fixture
async def counters(client, db_name) -> AsyncCollection[Any]:
    counters = client[db_name].counters
    await counters.insert_many([{"_id": "a", "n": 0}, {"_id": "b", "n": 0}])
    return counters


async def values(counters: AsyncCollection[Any]) -> list[int]:
    return [d["n"] async for d in counters.find({}, sort=[("_id", 1)])]


async def test_work_that_meets_another_writer_runs_again_from_the_start(client, counters):
    attempts = 0

    async def work(session: AsyncClientSession) -> int:
        nonlocal attempts
        attempts += 1
        await counters.update_one({"_id": "a"}, {"$inc": {"n": 1}}, session=session)
        if attempts == 1:
            await counters.update_one({"_id": "b"}, {"$inc": {"n": 10}})  # another writer
        await counters.update_one({"_id": "b"}, {"$inc": {"n": 1}}, session=session)
        return attempts

    assert await in_transaction(client, work) == 2
    assert await values(counters) == [1, 11]


async def test_work_that_fails_stores_nothing_and_its_error_reaches_the_caller(client, counters):
    async def work(session: AsyncClientSession) -> None:
        await counters.update_one({"_id": "a"}, {"$inc": {"n": 1}}, session=session)
        raise LookupError("refused")

    with pytest.raises(LookupError, match="refused"):
        await in_transaction(client, work)
    assert await values(counters) == [0, 0]


async def test_a_conflict_past_the_deadline_reaches_the_caller(client, counters):
    async def work(session: AsyncClientSession) -> None:
        await counters.find_one({"_id": "a"}, session=session)  # the snapshot is taken
        await counters.update_one({"_id": "a"}, {"$inc": {"n": 10}})  # always another writer
        await counters.update_one({"_id": "a"}, {"$inc": {"n": 1}}, session=session)

    with pytest.raises(Exception) as raised:
        await in_transaction(client, work, retry_seconds=0.2)
    assert raised.value.has_error_label("TransientTransactionError")  # type: ignore[attr-defined]
    # Only the other writer's changes are stored; none of the work's.
    assert (await values(counters))[0] % 10 == 0


async def test_a_snapshot_read_does_not_see_a_write_made_during_it(client, counters):
    async def read(session: AsyncClientSession) -> tuple[int, int]:
        first = await counters.find_one({"_id": "a"}, session=session)
        await counters.update_many({}, {"$inc": {"n": 5}})
        second = await counters.find_one({"_id": "b"}, session=session)
        assert first is not None and second is not None
        return first["n"], second["n"]

    assert await read_snapshot(client, read) == (0, 0)
    assert await values(counters) == [5, 5]
