from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from opd_graphql.api.app import create_app
from opd_graphql.core.config import Settings
from opd_graphql.store.connection import make_client


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient, key: str | None = None) -> None:
        self.http = http
        self.headers = {} if key is None else {"Authorization": f"Bearer {key}"}

    def with_key(self, key: str | None) -> GraphQLClient:
        return GraphQLClient(self.http, key)

    async def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        """The `data` of a successful request; fails the test on any GraphQL error."""
        body = await self.raw(query, **variables)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def raw(self, query: str, **variables: Any) -> dict[str, Any]:
        # Escaped JSON, as browsers send it: a lone surrogate in a string arrives as "\\ud800".
        response = await self.http.post(
            "/graphql",
            content=json.dumps({"query": query, "variables": variables}),
            headers={**self.headers, "Content-Type": "application/json"},
        )
        return response.json()


@pytest.fixture
def settings(mongo_uri: str, db_name: str) -> Settings:
    """Open development mode; a test module overrides this fixture to try keys and roles."""
    return Settings(mongodb_uri=mongo_uri, db_name=db_name)


@pytest.fixture
async def http(settings: Settings, clock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
    assert settings.mongodb_uri is not None
    cleanup = make_client(settings.mongodb_uri)
    await cleanup.drop_database(settings.db_name)
    await cleanup.close()


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)
