"""The commit helper: run a unit of work in one MongoDB transaction, retried on conflicts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from opd_graphql.core.metrics import TRANSACTION_RETRIES

T = TypeVar("T")
SNAPSHOT = ReadConcern("snapshot")


async def in_transaction(
    client: AsyncMongoClient,
    work: Callable[[AsyncClientSession], Awaitable[T]],
    read_concern: ReadConcern | None = SNAPSHOT,
) -> T:
    # with_transaction retries the whole unit on TransientTransactionError (two writers
    # touched the same doctor-day ledger) and the commit on UnknownTransactionCommitResult.
    attempts = 0

    async def attempt(session: AsyncClientSession) -> T:
        nonlocal attempts
        attempts += 1
        if attempts > 1:
            TRANSACTION_RETRIES.inc()
        return await work(session)

    # A transaction without a read concern may start with a bulkWrite, which may carry
    # none: not even the afterClusterTime a causally consistent session adds on a retry.
    async with client.start_session(causal_consistency=read_concern is not None) as session:
        return await session.with_transaction(
            attempt,
            read_concern=read_concern,
            write_concern=WriteConcern("majority"),
        )
