from __future__ import annotations

import asyncio
import os
import signal
import struct
import time
from types import SimpleNamespace
from typing import Any

import bson
import pymongo
import pytest
from pymongo import AsyncMongoClient, network_layer
from pymongo.asynchronous import pool
from pymongo.errors import ProtocolError, _OperationCancelled
from pymongo.pool_shared import _CancellationContext

from opd_graphql.store.connection import make_client
from opd_graphql.store.embedded import EmbeddedDatabase
from opd_graphql.store.receive import install, receive_message
from tests.store.processes import thread_states

OP_MSG = 2013


class Server:
    """The reading end of a connection, answering once it is told to."""

    def __init__(self) -> None:
        self.reply: asyncio.Future[tuple[bytes, int]] = asyncio.get_running_loop().create_future()
        self.abandoned = False

    async def read(self, request_id: int | None, max_message_size: int) -> tuple[bytes, int]:
        try:
            return await self.reply
        except asyncio.CancelledError:
            self.abandoned = True
            raise


def connection(server: Server, timeout: float | None = None) -> Any:
    return SimpleNamespace(
        cancel_context=_CancellationContext(),
        conn=SimpleNamespace(gettimeout=timeout, get_conn=server),
    )


def freeze(pid: int) -> None:
    """Stop the process, and return only once every thread of it has stopped.

    SIGSTOP is delivered asynchronously: a thread still running on another CPU could
    answer one more command after kill() returns.
    """
    os.kill(pid, signal.SIGSTOP)
    deadline = time.monotonic() + 5
    while not all(state == "T" for state in thread_states(pid)):
        assert time.monotonic() < deadline, "the database did not stop"
        time.sleep(0.001)


def op_msg(document: dict[str, Any]) -> bytes:
    return struct.pack("<IB", 0, 0) + bson.encode(document)


@pytest.fixture
def quick_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network_layer, "_POLL_TIMEOUT", 0.01)


async def test_pymongos_pools_receive_with_ours(mongo_uri: str) -> None:
    client = make_client(mongo_uri)
    try:
        assert pool.async_receive_message is receive_message
        assert install()
        assert (await client.admin.command("ping"))["ok"] == 1
    finally:
        await client.close()


async def test_a_command_to_a_server_that_stopped_answering_is_interrupted(tmp_path) -> None:
    """PyMongo's monitor gives up on the server and clears the pool under the command."""
    assert install()
    with EmbeddedDatabase(tmp_path) as frozen:
        assert frozen.process is not None
        client: AsyncMongoClient = AsyncMongoClient(
            frozen.uri, connectTimeoutMS=1000, heartbeatFrequencyMS=500
        )
        try:
            await client.admin.command("ping")
            freeze(frozen.process.pid)
            try:
                with pytest.raises(_OperationCancelled):
                    async with asyncio.timeout(30):
                        await client.admin.command("ping")
            finally:
                os.kill(frozen.process.pid, signal.SIGCONT)
            assert (await client.admin.command("ping"))["ok"] == 1
        finally:
            await client.close()


async def test_a_reply_is_unpacked() -> None:
    server = Server()
    server.reply.set_result((op_msg({"ok": 1, "n": 3}), OP_MSG))
    reply = await receive_message(connection(server), request_id=7)
    assert reply.unpack_response() == [{"ok": 1, "n": 3}]


async def test_a_reply_of_an_unknown_kind_is_a_protocol_error() -> None:
    server = Server()
    server.reply.set_result((op_msg({"ok": 1}), 9999))
    with pytest.raises(ProtocolError, match="opcode 9999"):
        await receive_message(connection(server), request_id=7)


async def test_the_sockets_timeout_bounds_the_wait() -> None:
    server = Server()
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="timed out"):
        await receive_message(connection(server, timeout=0.05), request_id=7)
    assert 0.05 <= time.monotonic() - started < 1
    assert server.abandoned


async def test_an_operation_timeout_bounds_the_wait() -> None:
    server = Server()
    with pytest.raises(TimeoutError, match="timed out"), pymongo.timeout(0.05):
        await receive_message(connection(server, timeout=60), request_id=7)
    assert server.abandoned


async def test_an_interrupted_operation_stops_waiting(quick_checks: None) -> None:
    server = Server()
    conn = connection(server)
    asyncio.get_running_loop().call_later(0.05, conn.cancel_context.cancel)
    with pytest.raises(_OperationCancelled):
        async with asyncio.timeout(2):
            await receive_message(conn, request_id=7)
    assert server.abandoned
    assert not asyncio.current_task().cancelling()  # type: ignore[union-attr]


async def test_an_operation_interrupted_before_it_waits_does_not_wait() -> None:
    conn = connection(Server())
    conn.cancel_context.cancel()
    with pytest.raises(_OperationCancelled):
        await receive_message(conn, request_id=7)


async def test_cancelling_the_caller_cancels_the_wait_and_its_checks(quick_checks: None) -> None:
    server = Server()
    conn = connection(server)
    waiting = asyncio.create_task(receive_message(conn, request_id=7))
    await asyncio.sleep(0.03)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert server.abandoned


async def test_a_caller_cancelled_while_interrupted_stays_cancelled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(network_layer, "_POLL_TIMEOUT", 0)
    conn = connection(Server())
    waiting = asyncio.create_task(receive_message(conn, request_id=7))
    await asyncio.sleep(0)
    conn.cancel_context.cancel()
    async with asyncio.timeout(2):
        while not waiting.cancelling():  # until a check has seen the interruption
            await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
