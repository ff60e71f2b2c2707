from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import pytest
import websockets


@contextmanager
def running_server(mongo_uri: str, db_name: str) -> Iterator[str]:
    """A real `opd-graphql serve` process on a free port; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "OPD_MONGODB_URI": mongo_uri, "OPD_DB_NAME": db_name}
    server = subprocess.Popen(
        [sys.executable, "-m", "opd_graphql.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "the server exited at start"
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(30)


@pytest.fixture
def server(mongo_uri: str, db_name: str) -> Iterator[str]:
    with running_server(mongo_uri, db_name) as url:
        yield url


async def graphql(url: str, query: str, **variables: Any) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{url}/graphql", json={"query": query, "variables": variables}
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
async def subscribe(url: str, query: str, **variables: Any) -> AsyncIterator[Subscription]:
    ws_url = url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
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
