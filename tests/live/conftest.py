from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.servers import Server


@contextmanager
def running_server(mongo_uri: str, db_name: str, log_path: Path) -> Iterator[str]:
    """A real `opd-graphql serve` process on the test database; yields its base URL."""
    server = Server({"OPD_MONGODB_URI": mongo_uri, "OPD_DB_NAME": db_name}, log_path)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def server(mongo_uri: str, db_name: str, tmp_path: Path) -> Iterator[str]:
    with running_server(mongo_uri, db_name, tmp_path / "first.log") as url:
        yield url


async def graphql(url: str, query: str, key: str | None = None, **variables: Any) -> dict[str, Any]:
    headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


class Subscription:
    """A graphql-transport-ws client: one connection, one subscription."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket

    async def next(self, timeout: float = 10.0) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
            if message["type"] == "ping":
                await self.socket.send(json.dumps({"type": "pong"}))
                continue
            return message


@asynccontextmanager
async def subscribe(
    url: str, query: str, key: str | None = None, **variables: Any
) -> AsyncIterator[Subscription]:
    ws_url = url.replace("http://", "ws://") + "/graphql"
    payload = {} if key is None else {"Authorization": f"Bearer {key}"}
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        subscription = Subscription(socket)
        assert (await subscription.next())["type"] == "connection_ack"
        await socket.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
        )
        yield subscription
