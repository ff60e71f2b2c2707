from __future__ import annotations

import pytest

from opd_graphql.store.bulk_write import WriteRefused, bulk_write, insert, update
from opd_graphql.store.connection import make_client


@pytest.fixture
async def database(mongo_uri, db_name):
    client = make_client(mongo_uri)
    yield client[db_name]
    await client.drop_database(db_name)
    await client.close()


async def test_writes_to_several_collections_go_in_order_and_upserts_are_counted(database):
    days, tokens = database.days, database.tokens
    await days.insert_one({"_id": "d1", "version": 1})

    upserted = await _send(
        database,
        update(days.full_name, {"_id": "d1"}, {"$inc": {"version": 1}}),
        insert(tokens.full_name, {"_id": "t1", "day": "d1"}),
        update(tokens.full_name, {"_id": "t1"}, {"$set": {"status": "BOOKED"}}),
        update(days.full_name, {"_id": "d2"}, {"$inc": {"version": 1}}, upsert=True),
    )

    assert upserted == 1
    assert await days.find({}, sort=[("_id", 1)]).to_list() == [
        {"_id": "d1", "version": 2},
        {"_id": "d2", "version": 1},
    ]
    assert await tokens.find_one() == {"_id": "t1", "day": "d1", "status": "BOOKED"}


async def test_a_refused_write_stops_the_ones_after_it_and_says_which_it_was(database):
    tokens = database.tokens
    await tokens.insert_one({"_id": "t1"})

    with pytest.raises(WriteRefused) as refused:
        await _send(
            database,
            insert(tokens.full_name, {"_id": "t0"}),
            insert(tokens.full_name, {"_id": "t1"}),  # a duplicate key
            insert(tokens.full_name, {"_id": "t2"}),
        )

    [error] = refused.value.errors
    assert (error["idx"], error["code"]) == (1, 11000)
    assert sorted(await tokens.distinct("_id")) == ["t0", "t1"]


async def _send(database, *writes):
    async with database.client.start_session() as session:
        return await bulk_write(session, writes)
