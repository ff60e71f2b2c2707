"""Changes to one doctor-day: its ledger bumped, the engine's data loaded, plans committed.

Every change to a day's slots or tokens bumps the day's ledger in its transaction, so
two transactions on one day conflict, and each commit gets its own version. A process's
changes to a day take turns (`Turns`), and a turn takes the changes waiting behind it
along: one transaction in which each change decides on the day the ones before it left,
their writes sent together. A refused change is refused alone; the others go on.

A process remembers the day its last commit left (`DayCache`). The next transaction
assumes the day is still that, decides on it without reading, and bumps the ledger only
if it still has the remembered version, in the same bulk write as the changes: two
commands in all, with the commit. If another process changed the day meanwhile, the bump
fails, the transaction is dropped, and the changes are decided again on the day as read.
A refusal is never given on an assumed day: it too is decided again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from beanie import PydanticObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import PyMongoError

from opd_graphql.service.context import ServiceContext
from opd_graphql.service.day_cache import RememberedDay
from opd_graphql.service.engine_data import read_engine_day
from opd_graphql.service.errors import ServiceError
from opd_graphql.service.open_day import OpenDay, StaleDay, bump
from opd_graphql.store.documents import DoctorDay
from opd_graphql.store.transaction import SNAPSHOT, in_transaction

T = TypeVar("T")
Outcome = tuple[Any, ServiceError | None]


@dataclass(eq=False)
class _Change(Generic[T]):
    apply: Callable[[OpenDay], Awaitable[T]]
    result: T | None = None
    error: BaseException | None = None
    settled: bool = False

    def settle(self, result: T | None, error: BaseException | None) -> None:
        self.result, self.error, self.settled = result, error, True

    def outcome(self) -> T:
        if not self.settled:
            raise RuntimeError("The transaction this change was part of was interrupted.")
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


async def change_day(
    ctx: ServiceContext,
    doctor_id: PydanticObjectId,
    date: str,
    apply: Callable[[OpenDay], Awaitable[T]],
) -> T:
    """Run `apply` on a doctor-day in a transaction, retried on conflicts.

    `apply` may share its transaction with other changes to the day: it decides on the
    day as the changes before it left it, and a ServiceError it raises undoes only what
    it staged.
    """
    change = _Change(apply)
    await ctx.turns.take(
        DoctorDay.key(doctor_id, date), change, partial(_run, ctx, doctor_id, date)
    )
    return change.outcome()


class _Unchanged(Exception):
    """Nothing to write: the transaction is dropped, and the outcomes stand."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        self.outcomes = outcomes


class _ChangeFailed(Exception):
    """A change failed before the commit, and not for the database: nothing was written."""


async def _run(
    ctx: ServiceContext, doctor_id: PydanticObjectId, date: str, batch: list[_Change[Any]]
) -> None:
    try:
        await _commit(ctx, doctor_id, date, batch)
    except _ChangeFailed as failed:
        if len(batch) > 1:
            # Whose failure it was is not known: each change alone makes it its own.
            for change in batch:
                await _run(ctx, doctor_id, date, [change])
        else:
            batch[0].settle(None, failed.__cause__)
    except Exception as error:
        # The database failed, or the commit did and may have landed: nothing is tried
        # again, as nothing would have been for one change alone.
        for change in batch:
            change.settle(None, error)


async def _commit(
    ctx: ServiceContext, doctor_id: PydanticObjectId, date: str, batch: list[_Change[Any]]
) -> None:
    key = DoctorDay.key(doctor_id, date)
    opened: list[OpenDay] = []
    before_commit = False

    def on(known: RememberedDay | None) -> Callable[[AsyncClientSession], Awaitable[list[Outcome]]]:
        async def work(session: AsyncClientSession) -> list[Outcome]:
            nonlocal before_commit
            before_commit = True
            day = await _open_day(session, doctor_id, date, known)
            opened.append(day)
            outcomes = await _decide(day, batch)
            await day.flush()
            before_commit = False
            return outcomes

        return work

    known = ctx.days.last(key)
    try:
        try:
            # Nothing is read on an assumed day, so its transaction needs no snapshot
            # (and its first command, a bulkWrite, may not carry one).
            outcomes = await in_transaction(
                ctx.client, on(known), read_concern=None if known else SNAPSHOT
            )
        except StaleDay:
            outcomes = await in_transaction(ctx.client, on(None))
    except _Unchanged as unchanged:
        outcomes = unchanged.outcomes
    except Exception as failed:
        if before_commit and not isinstance(failed, PyMongoError):
            raise _ChangeFailed from failed
        raise
    else:
        committed = opened[-1]
        ctx.days.remember(key, committed.remembered())
        if ctx.committed is not None and committed.events:
            ctx.committed(committed.events)
    for change, (result, error) in zip(batch, outcomes, strict=True):
        change.settle(result, error)


async def _decide(day: OpenDay, batch: list[_Change[Any]]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for change in batch:
        mark = day.mark()
        try:
            outcomes.append((await change.apply(day), None))
        except ServiceError as refused:
            if day.assumed is not None:
                raise StaleDay from None
            day.rewind(mark)
            outcomes.append((None, refused))
    if day.assumed is None and not day.writes:
        raise _Unchanged(outcomes)
    return outcomes


async def _open_day(
    session: AsyncClientSession,
    doctor_id: PydanticObjectId,
    date: str,
    known: RememberedDay | None,
) -> OpenDay:
    """The day as `known` (assumed, nothing read), or bump its ledger and read it."""
    if known is not None:
        return OpenDay(
            session=session,
            doctor_id=doctor_id,
            date=date,
            version=known.version + 1,
            tokens_issued=known.tokens_issued,
            engine_day=known.day,
            assumed=known.version,
        )
    key = DoctorDay.key(doctor_id, date)
    ledgers = DoctorDay.get_pymongo_collection()
    # Bumping first makes two transactions on the same day collide at once, so the loser
    # retries before it has done any work. update_one and find_one rather than one
    # find_one_and_update: the embedded database scans the whole collection for a
    # findAndModify, even by _id.
    await ledgers.update_one(
        {"_id": key},
        {**bump(), "$setOnInsert": {"doctor_id": doctor_id, "date": date}},
        upsert=True,
        session=session,
    )
    ledger = await ledgers.find_one({"_id": key}, session=session)
    assert ledger is not None  # upserted
    return OpenDay(
        session=session,
        doctor_id=doctor_id,
        date=date,
        version=ledger["version"],
        tokens_issued=ledger["tokens_issued"],
        engine_day=await read_engine_day(session, doctor_id, date),
    )
