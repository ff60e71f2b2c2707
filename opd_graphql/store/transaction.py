"""One unit of work in one MongoDB transaction: run again on conflicts, durable once it answers."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from opd_graphql.core.metrics import TRANSACTION_RETRIES

T = TypeVar("T")
SNAPSHOT = ReadConcern("snapshot")
# Answered only once it is in the journal of a majority of the replica set: a crash of any
# one process after that loses nothing.
DURABLE = WriteConcern("majority", j=True)
TRANSIENT = "TransientTransactionError"
UNKNOWN_COMMIT = "UnknownTransactionCommitResult"
RETRY_SECONDS = 60.0


class OutcomeUnknown(Exception):
    """The commit was sent and never confirmed: the change may or may not be stored."""


async def in_transaction(
    client: AsyncMongoClient,
    work: Callable[[AsyncClientSession], Awaitable[T]],
    *,
    retry_seconds: float = RETRY_SECONDS,
) -> T:
    """`work`'s result once its transaction has committed.

    A transaction that conflicts with another (both wrote one doctor-day's ledger) is run
    again from the start, for up to `retry_seconds`. An error raised before the commit means
    nothing was stored. An error of the commit itself is OutcomeUnknown: the database may
    have stored the change before the connection broke.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + retry_seconds
    attempt = 0
    async with client.start_session() as session:
        while True:
            attempt += 1
            if attempt > 1:
                TRANSACTION_RETRIES.inc()
            await session.start_transaction(read_concern=SNAPSHOT, write_concern=DURABLE)
            try:
                result = await work(session)
            except PyMongoError as error:
                await session.abort_transaction()
                if error.has_error_label(TRANSIENT) and loop.time() < deadline:
                    await _back_off(attempt)
                    continue
                raise
            except BaseException:
                await session.abort_transaction()
                raise
            try:
                await _commit(session, deadline)
            except PyMongoError as error:
                if error.has_error_label(TRANSIENT) and loop.time() < deadline:
                    await _back_off(attempt)
                    continue
                await _end_on_the_server(client, session)
                raise OutcomeUnknown(str(error)) from error
            return result


async def read_snapshot(
    client: AsyncMongoClient, read: Callable[[AsyncClientSession], Awaitable[T]]
) -> T:
    """`read`'s result, every read in it made on one snapshot of the database."""
    async with client.start_session() as session:
        await session.start_transaction(read_concern=SNAPSHOT)
        try:
            return await read(session)
        finally:
            # Nothing was written: there is nothing to commit.
            await session.abort_transaction()


async def _commit(session: AsyncClientSession, deadline: float) -> None:
    # Committing again is safe: the database answers for the commit it already made.
    loop = asyncio.get_running_loop()
    while True:
        try:
            await session.commit_transaction()
            return
        except PyMongoError as error:
            if not error.has_error_label(UNKNOWN_COMMIT) or loop.time() >= deadline:
                raise
            await _back_off(1)


async def _end_on_the_server(client: AsyncMongoClient, session: AsyncClientSession) -> None:
    # A transaction whose commit never arrived stays open on the server, holding its
    # doctor-days against every other change until it times out: end it now.
    with contextlib.suppress(PyMongoError):
        await client.admin.command("killSessions", [session.session_id])


async def _back_off(attempt: int) -> None:
    # Spread out transactions that keep meeting each other on one doctor-day.
    await asyncio.sleep(random.uniform(0, min(0.005 * 2**attempt, 0.5)))
