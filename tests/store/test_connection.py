from __future__ import annotations

import pytest

from opd_graphql.store.connection import UnsupportedServer, check_server, make_client


def test_a_server_older_than_mongodb_6_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedServer, match=r"MongoDB 6\.0"):
        check_server({"maxWireVersion": 13})  # MongoDB 5.0


async def test_the_embedded_database_is_new_enough(mongo_uri: str) -> None:
    client = make_client(mongo_uri)
    try:
        check_server(await client.admin.command("hello"))
    finally:
        await client.close()
