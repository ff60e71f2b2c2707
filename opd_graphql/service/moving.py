"""Moving patients who already have a token: transfers, and closing slots or whole days.

A token that moves to another doctor keeps its id, rank, status and places, and takes a
new number on its new doctor-day. Both days change in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from beanie import PydanticObjectId

from opd_graphql import engine
from opd_graphql.service import departments, validate
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.doctor_day import DayKey, OpenDay, change_day, change_days
from opd_graphql.service.doctors import get_doctor
from opd_graphql.service.errors import Conflict, InvalidInput, NotFound
from opd_graphql.service.tokens import check_requested_slot, get_token
from opd_graphql.store import days
from opd_graphql.store.documents import Doctor, Slot, Token


class MoveTo(StrEnum):
    SAME_DOCTOR = "SAME_DOCTOR"
    DEPARTMENT = "DEPARTMENT"


@dataclass(frozen=True)
class CloseOutcome:
    slots: list[Slot]  # the slots the call closed
    moved: list[str]  # the ids of the tokens it moved


class _Moved(Exception):
    """The token left the doctor-day it was read on before the change could hold that day."""


async def transfer_token(
    ctx: ServiceContext, token_id: str, doctor_id: str, slot_id: str | None = None
) -> None:
    """Move a token to another active doctor of its date, or to another slot of its own."""
    target = await get_doctor(doctor_id)
    if not target.active:
        raise InvalidInput(f"Dr {target.name} is not taking patients.", "doctorId")
    wanted = None if slot_id is None else validate.object_id(slot_id, "slotId", "slot")
    while True:
        found = await get_token(token_id)
        try:
            if target.id == found.doctor_id:
                await _transfer_within(ctx, found, wanted)
            else:
                await _transfer_to(ctx, found, target, wanted)
            return
        except _Moved:
            continue


async def _transfer_within(
    ctx: ServiceContext, found: Token, wanted: PydanticObjectId | None
) -> None:
    key = str(found.id)

    async def move(day: OpenDay) -> None:
        token = _still_there(day, key)
        if wanted is not None:
            await check_requested_slot(day, wanted)
        with _refusals(found):
            plan = engine.transfer_within(
                day.engine_day, key, _str(wanted), day.now, ctx.policy, note=f"was {found.number}"
            )
        _refuse_unseating(token, plan, found)
        await day.apply(plan)

    await change_day(ctx, found.doctor_id, found.date, move)


async def _transfer_to(
    ctx: ServiceContext, found: Token, target: Doctor, wanted: PydanticObjectId | None
) -> None:
    assert target.id is not None
    here: DayKey = (found.doctor_id, found.date)
    there_key: DayKey = (target.id, found.date)
    key = str(found.id)

    async def move(opened: dict[DayKey, OpenDay]) -> None:
        source, there = opened[here], opened[there_key]
        token = _still_there(source, key)
        if wanted is not None:
            await check_requested_slot(there, wanted)
        with _refusals(found):
            inbound = _arriving(ctx, there, token, _str(wanted), f"was {found.number}")
        _refuse_unseating(token, inbound, found)
        await _carry(ctx, source, there, target, key, inbound, f"was {found.number}")

    await change_days(ctx, [here, there_key], move)


async def close_slot(
    ctx: ServiceContext, slot_id: str, reason: str, move_to: MoveTo = MoveTo.SAME_DOCTOR
) -> CloseOutcome:
    slot = await Slot.get(validate.object_id(slot_id, "slotId", "slot"))
    if slot is None:
        raise NotFound(f"No slot has the id {slot_id}.", "slotId")
    doctor = await get_doctor(str(slot.doctor_id))
    return await _close(ctx, doctor, slot.date, [str(slot.id)], reason, move_to)


async def close_day(
    ctx: ServiceContext,
    doctor_id: str,
    day: date,
    reason: str,
    move_to: MoveTo = MoveTo.SAME_DOCTOR,
) -> CloseOutcome:
    doctor = await get_doctor(doctor_id)
    return await _close(ctx, doctor, day.isoformat(), None, reason, move_to)


async def _close(
    ctx: ServiceContext,
    doctor: Doctor,
    on: str,
    slot_ids: list[str] | None,
    reason: str,
    move_to: MoveTo,
) -> CloseOutcome:
    """Close the slots named (None: the whole day, its waitlist moving too by DEPARTMENT)."""
    why = validate.text(reason, "reason", max_length=200)
    assert doctor.id is not None
    here: DayKey = (doctor.id, on)
    others: list[Doctor] = []
    if move_to is MoveTo.DEPARTMENT:
        department = await departments.find_department(
            doctor.department, simulation_id=doctor.simulation_id
        )
        members = [] if department is None else department.doctors
        others = [d for d in members if d.id != doctor.id and d.active]

    async def close(opened: dict[DayKey, OpenDay]) -> CloseOutcome:
        source = opened[here]
        ids = [s.id for s in source.engine_day.slots] if slot_ids is None else slot_ids
        leaving = sorted(
            (
                t
                for t in source.engine_day.tokens
                if t.slot_id in ids and t.status in engine.WAITING
            ),
            key=lambda t: t.rank,
        )
        if move_to is MoveTo.SAME_DOCTOR:
            plan = engine.close_slots(source.engine_day, ids, source.now, ctx.policy, why)
            await source.apply(plan)
            closed = {slot.id for slot in plan.slots}
        else:
            if slot_ids is None:
                leaving += engine.waitlist(source.engine_day)
            closed = {s.id for s in source.engine_day.slots if s.id in ids and not s.closed}
            shut = tuple(replace(s, closed=True) for s in source.engine_day.slots if s.id in closed)
            await source.apply(engine.Plan(slots=shut))
            for token in leaving:
                await _to_department(ctx, opened, source, others, on, token, doctor, why)
        return CloseOutcome(
            [s for s in source.slots if str(s.id) in closed], [t.id for t in leaving]
        )

    keys = [here, *departments.candidate_keys(others, on)]
    return await change_days(ctx, keys, close)


async def _to_department(
    ctx: ServiceContext,
    opened: dict[DayKey, OpenDay],
    source: OpenDay,
    others: list[Doctor],
    on: str,
    token: engine.Token,
    doctor: Doctor,
    reason: str,
) -> None:
    note = f"{reason} (was {doctor.code}-{token.seq:03d})"
    best = departments.best_of(
        token.id, others, on, opened, lambda there: _arriving(ctx, there, token, None, note)
    )
    if best is None:
        raise InvalidInput(
            f"No other active doctor of {doctor.department} has an open slot on {on} "
            "that could take this day's patients.",
            "moveTo",
        )
    target, there, inbound = best
    await _carry(ctx, source, there, target, token.id, inbound, note)


def _arriving(
    ctx: ServiceContext, there: OpenDay, token: engine.Token, slot_id: str | None, note: str
) -> engine.Plan:
    """The token's coming to `there`, under the number it would take there."""
    arriving = replace(token, seq=there.tokens_issued + 1)
    return engine.transfer_in(there.engine_day, arriving, slot_id, there.now, ctx.policy, note=note)


async def _carry(
    ctx: ServiceContext,
    source: OpenDay,
    there: OpenDay,
    target: Doctor,
    token_id: str,
    inbound: engine.Plan,
    note: str,
) -> None:
    """Write a move across doctor-days: out of the source, renumbered, into `there`."""
    out = engine.transfer_out(source.engine_day, token_id, source.now, ctx.policy)
    # The source day's screens learn that the token left from an event of their own.
    leaving = engine.Event(token_id, engine.EventKind.TRANSFERRED, note=note)
    await source.apply(engine.Plan(out.tokens, (*out.events, leaving), out.slots, out.gone))
    seq = there.issue_number()
    await days.move_token(
        source.session,
        PydanticObjectId(token_id),
        doctor_id=there.doctor_id,
        date=there.date,
        seq=seq,
        number=f"{target.code}-{seq:03d}",
    )
    await there.apply(inbound)


def _still_there(day: OpenDay, token_id: str) -> engine.Token:
    token = day.engine_day.token(token_id)
    if token is None:
        raise _Moved
    return token


def _refuse_unseating(before: engine.Token, plan: engine.Plan, found: Token) -> None:
    if before.seated and not plan.token(before.id).seated:
        raise Conflict(
            f"Token {found.number} would lose its place there: nothing was moved.", "doctorId"
        )


@contextmanager
def _refusals(found: Token) -> Iterator[None]:
    """The engine's refusals of a move, as the user errors they are."""
    try:
        yield
    except engine.IllegalTransition as error:
        raise Conflict(f"Token {found.number}: {error}", "id") from None
    except engine.SlotUnusable as error:
        raise InvalidInput(error.reason, "slotId") from None


def _str(value: PydanticObjectId | None) -> str | None:
    return None if value is None else str(value)
