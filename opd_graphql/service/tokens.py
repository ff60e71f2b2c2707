"""Tokens once booked: cancelling, no-shows, and any one change to one token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime

from beanie import PydanticObjectId

from opd_graphql import engine
from opd_graphql.service import validate
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.doctor_day import OpenDay, change_day
from opd_graphql.service.errors import Conflict, InvalidInput, NotFound
from opd_graphql.store import days
from opd_graphql.store.documents import Slot, Token

# The caller's right to change this token, checked on the token as its change reads it: it
# raises to refuse. A token moved to another doctor-day in the meantime is checked again.
MayChange = Callable[[Token], Awaitable[None]]


async def check_requested_slot(day: OpenDay, slot_id: PydanticObjectId) -> None:
    slot = next((slot for slot in day.slots if slot.id == slot_id), None)
    if slot is None:
        if await Slot.get(slot_id, session=day.session) is None:
            raise NotFound(f"No slot has the id {slot_id}.", "slotId")
        raise InvalidInput("The slot belongs to another doctor or date.", "slotId")
    if slot.end <= day.now:
        raise InvalidInput("The slot has already ended.", "slotId")


async def cancel_token(ctx: ServiceContext, token_id: str, reason: str | None = None) -> None:
    note = None if reason is None or not reason.strip() else validate.text(reason, "reason")

    def cancel(day: engine.Day, token: str, now: datetime) -> engine.Plan:
        return engine.release(day, token, engine.Status.CANCELLED, now, ctx.policy)

    await change_token(ctx, token_id, cancel, note)


async def mark_no_show(
    ctx: ServiceContext, token_id: str, may_change: MayChange | None = None
) -> None:
    def no_show(day: engine.Day, token: str, now: datetime) -> engine.Plan:
        return engine.release(day, token, engine.Status.NO_SHOW, now, ctx.policy)

    await change_token(ctx, token_id, no_show, may_change=may_change)


async def get_token(token_id: str, field: str = "id") -> Token:
    token = await Token.get(validate.object_id(token_id, field, "token"))
    if token is None:
        raise NotFound(f"No token has the id {token_id}.", field)
    return token


class _Moved(Exception):
    """The token left the doctor-day it was read on before its change could hold that day."""


async def change_token(
    ctx: ServiceContext,
    token_id: str,
    decide: Callable[[engine.Day, str, datetime], engine.Plan],
    note: str | None = None,
    may_change: MayChange | None = None,
) -> None:
    """Apply one engine decision about one token, in a transaction on its doctor-day.

    `note`, when given, is attached to the events of the token itself. Nothing is read
    back: whoever shows the token reads it after the commit.
    """
    while True:
        found = await get_token(token_id)
        if may_change is not None:
            await may_change(found)
        try:
            await _change_once(ctx, found, decide, note)
            return
        except _Moved:
            continue


async def _change_once(
    ctx: ServiceContext,
    found: Token,
    decide: Callable[[engine.Day, str, datetime], engine.Plan],
    note: str | None,
) -> None:
    key = str(found.id)

    async def change(day: OpenDay) -> None:
        if day.engine_day.token(key) is None:
            raise _Moved
        try:
            plan = decide(day.engine_day, key, day.now)
        except engine.IllegalTransition as refused:
            raise Conflict(f"Token {found.number}: {refused}", "id") from None
        if note is not None:
            events = tuple(replace(e, note=note) if e.token_id == key else e for e in plan.events)
            plan = engine.Plan(plan.tokens, events)
        await day.apply(plan)

    await change_day(ctx, found.doctor_id, found.date, change)


async def find_by_phone(ctx: ServiceContext, phone: str, day: date | None = None) -> list[Token]:
    """A patient's tokens in every status, by date, then doctor code, then number."""
    cleaned = validate.phone(phone, "phone")
    if cleaned is None:
        raise InvalidInput("phone must not be blank.", "phone")
    on = None if day is None else day.isoformat()
    found = await days.by_phone(validate.phone_key(cleaned), on)
    # A number is the doctor's code, a dash and the token's sequence on the day.
    return sorted(found, key=lambda t: (t.date, t.number.rpartition("-")[0], t.seq))
