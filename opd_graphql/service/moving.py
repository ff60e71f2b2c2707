"""Moving patients who already have a token: transfers, and closing slots or whole days.

A token that moves to another doctor keeps its id, rank, status and places, and takes a
new number on its new doctor-day. Both days change in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
        receiver = engine.Receiver(target.code, there.engine_day, there.tokens_issued)
        with _refusals(found):
            handover = engine.hand_over(
                source.engine_day,
                key,
                receiver,
                _str(wanted),
                source.now,
                ctx.policy,
                f"was {found.number}",
            )
        _refuse_unseating(token, handover.inbound, found)
        await _carry(source, there, target, handover)

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
        if move_to is MoveTo.SAME_DOCTOR:
            ids = [s.id for s in source.engine_day.slots] if slot_ids is None else slot_ids
            leaving = sorted(
                (
                    t
                    for t in source.engine_day.tokens
                    if t.slot_id in ids and t.status in engine.WAITING
                ),
                key=lambda t: t.rank,
            )
            plan = engine.close_slots(source.engine_day, ids, source.now, ctx.policy, why)
            await source.apply(plan)
            return _closed(source, plan, [t.id for t in leaving])
        receivers = {
            other.code: (other, opened[key])
            for other, key in zip(others, departments.candidate_keys(others, on), strict=True)
        }
        try:
            shut, handovers = engine.close_into(
                source.engine_day,
                slot_ids,
                [
                    engine.Receiver(code, day.engine_day, day.tokens_issued)
                    for code, (_, day) in receivers.items()
                ],
                source.now,
                ctx.policy,
                lambda token: f"{why} (was {doctor.code}-{token.seq:03d})",
            )
        except engine.SlotUnusable:
            raise InvalidInput(
                f"No other active doctor of {doctor.department} has an open slot on {on} "
                "that could take this day's patients.",
                "moveTo",
            ) from None
        await source.apply(shut)
        for handover in handovers:
            target, there = receivers[handover.code]
            await _carry(source, there, target, handover)
        return _closed(source, shut, [handover.token_id for handover in handovers])

    keys = [here, *departments.candidate_keys(others, on)]
    return await change_days(ctx, keys, close)


def _closed(source: OpenDay, plan: engine.Plan, moved: list[str]) -> CloseOutcome:
    closed = {slot.id for slot in plan.slots}
    return CloseOutcome([s for s in source.slots if str(s.id) in closed], moved)


async def _carry(
    source: OpenDay, there: OpenDay, target: Doctor, handover: engine.Handover
) -> None:
    """Write a move across doctor-days: out of the source, renumbered, into `there`."""
    await source.apply(handover.out)
    seq = there.issue_number()
    await days.move_token(
        source.session,
        PydanticObjectId(handover.token_id),
        doctor_id=there.doctor_id,
        date=there.date,
        seq=seq,
        number=f"{target.code}-{seq:03d}",
    )
    await there.apply(handover.inbound)


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
