"""A real server process on the test database, and a GraphQL client for it over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import Server

TIMEZONE = "Asia/Kolkata"


class GraphQL:
    def __init__(self, url: str) -> None:
        self.url = f"{url}/graphql"

    def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        response = httpx.post(self.url, json={"query": query, "variables": variables}, timeout=10)
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]


def server_env(mongo_uri: str, db_name: str) -> dict[str, str]:
    return {"OPD_MONGODB_URI": mongo_uri, "OPD_DB_NAME": db_name, "OPD_TIMEZONE": TIMEZONE}


def new_db_name() -> str:
    return f"e2e_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def server(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for a module's tests that only add data of their own."""
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    server = Server(server_env(mongo_uri, new_db_name()), log_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_server(mongo_uri: str, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Servers on one fresh database, for a test that stops and starts them."""
    db_name = new_db_name()
    servers: list[Server] = []

    def make(port: int | None = None) -> Server:
        server = Server(server_env(mongo_uri, db_name), tmp_path / "server.log", port)
        servers.append(server)
        server.start()
        return server

    try:
        yield make
    finally:
        for server in servers:
            server.stop()
