from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from opd_graphql.api.app import create_app
from opd_graphql.core.config import Settings
from opd_graphql.store.connection import make_client


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        """The `data` of a successful request; fails the test on any GraphQL error."""
        body = await self.raw(query, **variables)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def raw(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        return response.json()


@pytest.fixture
async def http(mongo_uri: str, db_name: str, clock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(mongodb_uri=mongo_uri, db_name=db_name), clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    cleanup = make_client(mongo_uri)
    await cleanup.drop_database(db_name)
    await cleanup.close()


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)
