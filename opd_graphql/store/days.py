"""A doctor-day's documents as one transaction reads and writes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from beanie.operators import In, Push, Set
from pymongo.asynchronous.client_session import AsyncClientSession

from opd_graphql.engine import EventKind, Status
from opd_graphql.store.documents import (
    DoctorDay,
    OutboxEvent,
    Slot,
    Token,
    TokenEvent,
    TokenState,
)


async def hold(session: AsyncClientSession, doctor_id: PydanticObjectId, date: str) -> DoctorDay:
    """The day's ledger with its version bumped: any other transaction on the day conflicts.

    Bumping first makes two transactions on one day collide at once, before either has
    done any work.
    """
    key = DoctorDay.key(doctor_id, date)
    await DoctorDay.get_pymongo_collection().update_one(
        {"_id": key},
        {
            "$inc": {str(DoctorDay.version): 1},
            "$setOnInsert": {
                str(DoctorDay.doctor_id): doctor_id,
                str(DoctorDay.date): date,
                str(DoctorDay.tokens_issued): 0,
            },
        },
        upsert=True,
        session=session,
    )
    ledger = await DoctorDay.get(key, session=session)
    assert ledger is not None  # upserted just now
    return ledger


async def ledger(
    session: AsyncClientSession, doctor_id: PydanticObjectId, date: str
) -> DoctorDay | None:
    return await DoctorDay.get(DoctorDay.key(doctor_id, date), session=session)


async def set_tokens_issued(session: AsyncClientSession, ledger: DoctorDay, issued: int) -> None:
    await DoctorDay.find_one(DoctorDay.id == ledger.id, session=session).update(
        Set({DoctorDay.tokens_issued: issued}), session=session
    )


ALLOCATION_FIELDS = {name: 1 for name in TokenState.model_fields if name != "id"}


def of_day(doctor_id: PydanticObjectId, date: str) -> dict[str, object]:
    """The filter for a doctor-day's slots or tokens.

    One plain filter, not Beanie's `$and` of two: the embedded database answers only
    the plain one from an index. The names come from the models, so a rename fails here.
    """
    return {str(Token.doctor_id): doctor_id, str(Token.date): date}


def waitlisted_until(today: str) -> dict[str, object]:
    """The filter for tokens waitlisted on days up to `today`: a partial index holds only these."""
    return {str(Token.status): Status.WAITLISTED, str(Token.date): {"$lte": today}}


async def waitlisted_days(today: str) -> set[tuple[PydanticObjectId, str]]:
    """The doctor-days up to `today` with a token waitlisted."""
    doctor, date = str(Token.doctor_id), str(Token.date)
    found = Token.get_pymongo_collection().find(waitlisted_until(today), {doctor: 1, date: 1})
    return {(PydanticObjectId(token[doctor]), token[date]) async for token in found}


async def slots(
    session: AsyncClientSession | None, doctor_id: PydanticObjectId, date: str
) -> list[Slot]:
    found = await Slot.find(of_day(doctor_id, date), session=session).to_list()
    return sorted(found, key=lambda slot: slot.start)


async def token_states(
    session: AsyncClientSession, doctor_id: PydanticObjectId, date: str
) -> list[dict[str, Any]]:
    """What allocation needs of every token of the day, whatever its status, as stored.

    Raw documents with `TokenState`'s fields: a busy day has hundreds of tokens, and every
    change reads them all, so they go straight to the engine without a model each.
    """
    # No status in the filter: the day's index answers this exactly, and the embedded
    # database plans a status predicate as a scan of the whole collection.
    found = Token.get_pymongo_collection().find(
        of_day(doctor_id, date), ALLOCATION_FIELDS, session=session
    )
    return await found.to_list()


async def tokens_without_history(
    session: AsyncClientSession, doctor_id: PydanticObjectId, date: str
) -> list[Token]:
    """Every token of the day, each with an empty `history`: a followed day is held while it
    is watched, and its histories grow all day while screens never show them."""
    found = Token.get_pymongo_collection().find(
        of_day(doctor_id, date), {str(Token.history): 0}, session=session
    )
    return [Token.model_validate(token) async for token in found]


async def insert_slots(session: AsyncClientSession, new: Sequence[Slot]) -> None:
    await Slot.insert_many(list(new), session=session)


async def insert_token(session: AsyncClientSession, token: Token) -> None:
    await token.insert(session=session)


async def update_token(
    session: AsyncClientSession,
    token_id: PydanticObjectId,
    *,
    status: Status,
    slot_id: PydanticObjectId | None,
    displacements: int,
    skips: int,
    recall_in: int,
    history: Sequence[TokenEvent],
    now: datetime,
) -> None:
    change = Set(
        {
            Token.status: status,
            Token.slot_id: slot_id,
            Token.displacements: displacements,
            Token.skips: skips,
            Token.recall_in: recall_in,
            Token.updated_at: now,
        }
    )
    query = Token.find_one(Token.id == token_id, session=session)
    if history:
        await query.update(change, Push({Token.history: {"$each": list(history)}}), session=session)
    else:
        await query.update(change, session=session)


async def close_slots(session: AsyncClientSession, slot_ids: Sequence[PydanticObjectId]) -> None:
    await Slot.find(In(Slot.id, list(slot_ids)), session=session).update(
        Set({Slot.closed: True}), session=session
    )


async def insert_events(session: AsyncClientSession, events: Sequence[OutboxEvent]) -> None:
    if events:
        await OutboxEvent.insert_many(list(events), session=session)


async def statuses(doctor_ids: Sequence[PydanticObjectId]) -> dict[str, Status]:
    """Every token of these doctors, by id: its status as stored."""
    found = Token.get_pymongo_collection().find(
        {str(Token.doctor_id): {"$in": list(doctor_ids)}}, {str(Token.status): 1}
    )
    return {str(token["_id"]): Status(token[str(Token.status)]) async for token in found}


async def event_log(
    doctor_ids: Sequence[PydanticObjectId],
) -> dict[str, list[tuple[int, str, EventKind]]]:
    """Each doctor's outbox events as (ledger version, token id, kind), in the order written."""
    doctor, version = str(OutboxEvent.doctor_id), str(OutboxEvent.version)
    token, kind = str(OutboxEvent.token_id), str(OutboxEvent.kind)
    found = OutboxEvent.get_pymongo_collection().find(
        {doctor: {"$in": list(doctor_ids)}},
        {doctor: 1, version: 1, token: 1, kind: 1},
        sort=[(version, 1), ("_id", 1)],
    )
    log: dict[str, list[tuple[int, str, EventKind]]] = {}
    async for event in found:
        entry = (event[version], str(event[token]), EventKind(event[kind]))
        log.setdefault(str(event[doctor]), []).append(entry)
    return log


async def by_phone(phone_key: str, date: str | None) -> list[Token]:
    """Tokens booked with a phone whose last ten digits are `phone_key`, on `date` if given."""
    query: dict[str, object] = {str(Token.patient.phone_key): phone_key}
    if date is not None:
        query[str(Token.date)] = date
    return await Token.find(query).to_list()


async def move_token(
    session: AsyncClientSession,
    token_id: PydanticObjectId,
    *,
    doctor_id: PydanticObjectId,
    date: str,
    seq: int,
    number: str,
) -> None:
    """The token now belongs to another doctor-day, under its number there."""
    change = Set(
        {Token.doctor_id: doctor_id, Token.date: date, Token.seq: seq, Token.number: number}
    )
    await Token.find_one(Token.id == token_id, session=session).update(change, session=session)
