from __future__ import annotations

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from opd_graphql.store.connection import make_client
from opd_graphql.store.transaction import in_transaction


async def test_a_conflict_inside_a_client_bulk_write_is_retried(mongo_uri: str, db_name: str):
    client = make_client(mongo_uri)
    counters = client[db_name].counters
    await counters.insert_one({"_id": "c", "n": 0})
    attempts = 0

    async def work(session: AsyncClientSession) -> None:
        nonlocal attempts
        attempts += 1
        await counters.find_one({"_id": "c"}, session=session)  # this attempt's snapshot
        if attempts == 1:
            await counters.update_one({"_id": "c"}, {"$inc": {"n": 10}})  # another writer
        bump = UpdateOne({"_id": "c"}, {"$inc": {"n": 1}}, namespace=counters.full_name)
        await client.bulk_write([bump], session=session)

    try:
        await in_transaction(client, work)
        assert attempts == 2
        assert (await counters.find_one({"_id": "c"}))["n"] == 11
    finally:
        await client.drop_database(db_name)
        await client.close()
