"""Booking, cancelling and marking no-shows: each one transaction on the doctor-day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from beanie import PydanticObjectId

from opd_graphql import engine
from opd_graphql.service import validate
from opd_graphql.service.context import ServiceContext, TokenDay
from opd_graphql.service.doctor_day import change_day
from opd_graphql.service.doctors import get_doctor
from opd_graphql.service.engine_data import engine_token
from opd_graphql.service.errors import Conflict, InvalidInput, NotFound, ServiceError
from opd_graphql.service.open_day import OpenDay
from opd_graphql.store.bulk_write import WriteRefused
from opd_graphql.store.documents import IdempotencyKey, Patient, Slot, Token

MAX_IDEMPOTENCY_KEY = 128


@dataclass(frozen=True)
class BookingRequest:
    doctor_id: str
    date: date
    source: engine.Source
    patient_name: str
    patient_phone: str | None = None
    slot_id: str | None = None
    idempotency_key: str | None = None
    booked_by: str | None = None
    check_in: bool = False  # the patient is at the desk


@dataclass(frozen=True)
class Booking:
    token: Token
    replayed: bool = False  # the token an earlier request with the same key booked


async def book_token(ctx: ServiceContext, request: BookingRequest) -> Booking:
    key = request.idempotency_key
    if key is not None and not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
        raise InvalidInput(
            f"idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY} characters.", "idempotencyKey"
        )
    try:
        return Booking(await _book(ctx, request))
    except (WriteRefused, ServiceError):
        # A retry of a booking already made gets its token, even if the day has moved on
        # since; looked up only on failure, so a first booking costs no extra read. Its
        # key's duplicate arrives as a refused write.
        earlier = await _booked_with(key) if key else None
        if earlier is None:
            raise
        return Booking(earlier, replayed=True)


async def _booked_with(key: str) -> Token | None:
    booked = await IdempotencyKey.get(key)
    return None if booked is None else await Token.get(booked.token_id)


async def _book(ctx: ServiceContext, request: BookingRequest) -> Token:
    patient = Patient(
        name=validate.text(request.patient_name, "patient.name"),
        phone=validate.phone(request.patient_phone, "patient.phone"),
    )
    doctor = await get_doctor(ctx, request.doctor_id)
    doctor_id = doctor.id
    assert doctor_id is not None
    if request.date < ctx.today():
        raise InvalidInput(f"{request.date} is in the past.", "date")
    day_date = request.date.isoformat()
    slot_id = None
    if request.slot_id is not None:
        slot_id = validate.object_id(request.slot_id, "slotId", "slot")
        await _check_requested_slot(ctx, slot_id, doctor_id, day_date)
    now = ctx.now()

    async def book(day: OpenDay) -> Token:
        slots = day.engine_day.slots
        if slots and not any(slot.is_open(now) for slot in slots):
            raise InvalidInput(f"Dr {doctor.name}'s slots on {day_date} have all ended.", "date")
        seq = day.issue_number()
        token = Token(
            id=PydanticObjectId(),
            doctor_id=doctor_id,
            date=day_date,
            seq=seq,
            number=f"{doctor.code}-{seq:03d}",
            source=request.source,
            status=engine.Status.WAITLISTED,
            patient=patient,
            queued_at=now,
            requested_slot_id=slot_id,
            booked_by=request.booked_by,
            updated_at=now,
        )
        plan = engine.book(
            day.engine_day,
            engine_token(token),
            None if slot_id is None else str(slot_id),
            now,
            ctx.policy,
            arrived=request.check_in,
        )
        day.commit(plan, now, new=token, idempotency_key=request.idempotency_key)
        return token

    booked = await change_day(ctx, doctor_id, day_date, book)
    ctx.token_days.put(str(booked.id), TokenDay(doctor_id, day_date, booked.number))
    return booked


async def cancel_token(ctx: ServiceContext, token_id: str, reason: str | None = None) -> None:
    note = None if reason is None or not reason.strip() else validate.text(reason, "reason")

    def cancel(day: engine.Day, token: str, now: datetime) -> engine.Plan:
        return engine.release(day, token, engine.Status.CANCELLED, now, ctx.policy)

    await change_token(ctx, token_id, cancel, note)


async def mark_no_show(ctx: ServiceContext, token_id: str) -> None:
    def no_show(day: engine.Day, token: str, now: datetime) -> engine.Plan:
        return engine.release(day, token, engine.Status.NO_SHOW, now, ctx.policy)

    await change_token(ctx, token_id, no_show)


async def get_token(token_id: str, field: str = "id") -> Token:
    token = await Token.get(validate.object_id(token_id, field, "token"))
    if token is None:
        raise NotFound(f"No token has the id {token_id}.", field)
    return token


async def change_token(
    ctx: ServiceContext,
    token_id: str,
    decide: Callable[[engine.Day, str, datetime], engine.Plan],
    note: str | None = None,
) -> None:
    """Apply one engine decision about one token, in a transaction on its doctor-day.

    `note`, when given, is attached to the events of the token itself. Nothing is read
    back: whoever shows the token reads it after the commit.
    """
    key = str(validate.object_id(token_id, "id", "token"))
    home = ctx.token_days.get(key)
    if home is None:
        found = await get_token(token_id)
        home = TokenDay(found.doctor_id, found.date, found.number)
        ctx.token_days.put(key, home)
    now = ctx.now()

    async def change(day: OpenDay) -> None:
        await day.include(key)
        try:
            plan = decide(day.engine_day, key, now)
        except engine.IllegalTransition as refused:
            raise Conflict(f"Token {home.number}: {refused}", "id") from None
        if note is not None:
            events = tuple(replace(e, note=note) if e.token_id == key else e for e in plan.events)
            plan = engine.Plan(plan.tokens, events)
        day.commit(plan, now)

    await change_day(ctx, home.doctor_id, home.date, change)


async def _check_requested_slot(
    ctx: ServiceContext, slot_id: PydanticObjectId, doctor_id: PydanticObjectId, day_date: str
) -> None:
    slot = await Slot.get(slot_id)
    if slot is None:
        raise NotFound(f"No slot has the id {slot_id}.", "slotId")
    if slot.doctor_id != doctor_id or slot.date != day_date:
        raise InvalidInput("The slot belongs to another doctor or date.", "slotId")
    if slot.end <= ctx.now():
        raise InvalidInput("The slot has already ended.", "slotId")
