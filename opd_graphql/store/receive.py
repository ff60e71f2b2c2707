"""Waiting for MongoDB's reply in the task that sent the command.

PyMongo's asyncio driver waits for each reply with two tasks of its own: one reads the
reply, the other wakes every half second to see whether the operation was interrupted
(its pool cleared under it when the server stopped answering). The two cost a booking
6% of its instructions and two turns of the event loop. `receive_message` reads in
the caller's task and checks for the interruption with a timer instead: the same
timeouts, the same interruptions, the same cancellation, and the same errors.

It stands in for PyMongo's own only where PyMongo's is, line for line, the one it was
written against; otherwise PyMongo keeps its own and a warning says so.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import time
from typing import Any

from pymongo import _csot, network_layer
from pymongo.asynchronous import pool
from pymongo.errors import ProtocolError, _OperationCancelled

log = logging.getLogger(__name__)

PYMONGOS_RECEIVE = network_layer.async_receive_message
# The sha256 of PyMongo 4.20.1's `network_layer.async_receive_message` source: when a
# release changes it, read the change, bring `receive_message` in line, and update this.
WRITTEN_AGAINST = "653f58d97707b1ed33e0c1c891cd3a3c08f7d18fc7fb984c0276851021cc3399"


class Watch:
    """Checks now and then whether the operation waiting in `task` was interrupted."""

    def __init__(self, conn: Any, task: asyncio.Task[Any]) -> None:
        self.conn, self.task = conn, task
        self.interrupted = False
        self.next = task.get_loop().call_later(network_layer._POLL_TIMEOUT, self.check)

    def check(self) -> None:
        if self.conn.cancel_context.cancelled:
            self.interrupted = True
            self.task.cancel()
        else:
            self.next = self.task.get_loop().call_later(network_layer._POLL_TIMEOUT, self.check)

    def stop(self) -> None:
        self.next.cancel()


async def receive_message(
    conn: Any, request_id: int | None, max_message_size: int = network_layer.MAX_MESSAGE_SIZE
) -> Any:
    """Receive one reply on `conn`, a checked-out `AsyncConnection`, as PyMongo would."""
    if conn.cancel_context.cancelled:
        raise _OperationCancelled("operation cancelled")
    if _csot.get_timeout():
        deadline = _csot.get_deadline()
    elif conn.conn.gettimeout:
        deadline = time.monotonic() + conn.conn.gettimeout
    else:
        deadline = None
    task = asyncio.current_task()
    assert task is not None
    until = None if deadline is None else task.get_loop().time() + deadline - time.monotonic()
    watch = Watch(conn, task)
    try:
        async with asyncio.timeout_at(until):
            data, op_code = await conn.conn.get_conn.read(request_id, max_message_size)
    except asyncio.CancelledError:
        if watch.interrupted and task.uncancel() == 0:
            raise _OperationCancelled("operation cancelled") from None
        raise
    except TimeoutError as exc:
        raise TimeoutError("timed out") from exc
    finally:
        watch.stop()
    try:
        unpack = network_layer._UNPACK_REPLY[op_code]
    except KeyError:
        expected = list(network_layer._UNPACK_REPLY)
        raise ProtocolError(f"Got opcode {op_code!r} but expected {expected!r}") from None
    return unpack(data)


def source_digest(function: Any) -> str | None:
    try:
        return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()
    except (OSError, TypeError):
        return None


def install() -> bool:
    """Have PyMongo's pools receive with `receive_message`; False if they cannot."""
    if pool.async_receive_message is receive_message:
        return True
    if pool.async_receive_message is not PYMONGOS_RECEIVE or (
        source_digest(PYMONGOS_RECEIVE) != WRITTEN_AGAINST
    ):
        log.warning(
            "This PyMongo receives replies differently from the one opd-graphql was "
            "written against: it keeps its own way, which costs more CPU per request."
        )
        return False
    pool.async_receive_message = receive_message
    return True
