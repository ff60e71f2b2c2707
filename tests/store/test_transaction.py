from __future__ import annotations

import pytest
from pymongo.asynchronous.client_session import AsyncClientSession

from opd_graphql.store.bulk_write import Write, bulk_write, update
from opd_graphql.store.connection import make_client
from opd_graphql.store.transaction import SNAPSHOT, in_transaction


@pytest.mark.parametrize("read_concern", [SNAPSHOT, None], ids=["snapshot", "no read concern"])
async def test_a_conflict_inside_a_bulk_write_is_retried(mongo_uri, db_name, read_concern):
    client = make_client(mongo_uri)
    counters = client[db_name].counters
    await counters.insert_many([{"_id": "a", "n": 0}, {"_id": "b", "n": 0}])
    attempts = 0

    def bump(key: str) -> Write:
        return update(counters.full_name, {"_id": key}, {"$inc": {"n": 1}})

    async def work(session: AsyncClientSession) -> None:
        nonlocal attempts
        attempts += 1
        # The first command starts the transaction and carries its read concern, which
        # a bulkWrite may not; without one, a bulkWrite goes first, retry included.
        if read_concern is None:
            await bulk_write(session, [bump("a")])
        else:
            await counters.update_one({"_id": "a"}, {"$inc": {"n": 1}}, session=session)
        if attempts == 1:
            await counters.update_one({"_id": "b"}, {"$inc": {"n": 10}})  # another writer
        await bulk_write(session, [bump("b")])

    try:
        await in_transaction(client, work, read_concern)
        assert attempts == 2
        assert [d["n"] async for d in counters.find({}, sort=[("_id", 1)])] == [1, 11]
    finally:
        await client.drop_database(db_name)
        await client.close()
