"""Booking, cancelling and marking no-shows: each one transaction on the doctor-day."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from opd_graphql import engine
from opd_graphql.service import validate
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.doctor_day import OpenDay, change_day
from opd_graphql.service.doctors import get_doctor
from opd_graphql.service.engine_data import engine_token
from opd_graphql.service.errors import Conflict, InvalidInput, NotFound
from opd_graphql.store import days, keys
from opd_graphql.store.documents import IdempotencyKey, Patient, Slot, Token

MAX_IDEMPOTENCY_KEY = 128
BOOKABLE_AHEAD = timedelta(days=366)
OPEN_SCOPE = "open"  # the one caller of a server without API keys


@dataclass(frozen=True)
class BookingRequest:
    doctor_id: str
    date: date
    source: engine.Source
    patient_name: str
    patient_phone: str | None = None
    slot_id: str | None = None
    places: int = 1
    idempotency_key: str | None = None
    caller: str | None = None  # the fingerprint of the caller's API key; None in open mode
    booked_by: str | None = None  # the fingerprint of the PATIENT key booking it, if one is
    check_in: bool = False  # the patient is at the desk


@dataclass(frozen=True)
class Booking:
    token: Token
    replayed: bool = False  # the token an earlier request with the same key booked


async def book_token(ctx: ServiceContext, request: BookingRequest) -> Booking:
    phone = validate.phone(request.patient_phone, "patient.phone")
    patient = Patient(
        name=validate.text(request.patient_name, "patient.name"),
        phone=phone,
        phone_key=None if phone is None else validate.phone_key(phone),
    )
    if not 1 <= request.places <= engine.MAX_PLACES:
        raise InvalidInput(f"places must be between 1 and {engine.MAX_PLACES}.", "places")
    key = request.idempotency_key
    if key is not None:
        validate.storable(key, "idempotencyKey")
        if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
            raise InvalidInput(
                f"idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY} characters.", "idempotencyKey"
            )
    slot_id = (
        None if request.slot_id is None else validate.object_id(request.slot_id, "slotId", "slot")
    )
    doctor = await get_doctor(request.doctor_id)
    assert doctor.id is not None
    if not doctor.active:
        raise InvalidInput(f"Dr {doctor.name} is not taking bookings.", "doctorId")
    if key is not None and (earlier := await _booked_before(request, patient, key)) is not None:
        return Booking(earlier, replayed=True)
    day_date = request.date.isoformat()

    async def book(day: OpenDay) -> Token:
        today = ctx.local(day.now).date()
        if request.date < today:
            raise InvalidInput(f"{request.date} is in the past.", "date")
        if request.date > today + BOOKABLE_AHEAD:
            raise InvalidInput("date must be at most a year from today.", "date")
        if slot_id is not None:
            await _check_requested_slot(day, slot_id)
        slots = day.engine_day.slots
        if slots and not any(slot.is_open(day.now) for slot in slots):
            raise InvalidInput(f"Dr {doctor.name}'s slots on {day_date} have all ended.", "date")
        seq = day.issue_number()
        token = Token(
            id=PydanticObjectId(),
            doctor_id=day.doctor_id,
            date=day_date,
            seq=seq,
            number=f"{doctor.code}-{seq:03d}",
            source=request.source,
            status=engine.Status.WAITLISTED,
            patient=patient,
            queued_at=day.now,
            requested_slot_id=slot_id,
            places=request.places,
            booked_by=request.booked_by,
            updated_at=day.now,
        )
        try:
            plan = engine.book(
                day.engine_day,
                engine_token(token),
                None if slot_id is None else str(slot_id),
                day.now,
                ctx.policy,
                arrived=request.check_in,
            )
        except engine.SlotUnusable as refused:
            raise InvalidInput(refused.reason, "date" if slot_id is None else "slotId") from None
        await day.apply(plan, new=token)
        if key is not None:
            kept = IdempotencyKey(
                scope=request.caller or OPEN_SCOPE,
                key=key,
                fingerprint=_fingerprint(request, patient),
                token_id=token.id,
                expires_at=_key_expiry(ctx, request.date),
            )
            await keys.insert(day.session, kept)
        return token

    try:
        return Booking(await change_day(ctx, doctor.id, day_date, book))
    except DuplicateKeyError:
        # Another request with this key booked first, since we looked.
        earlier = None if key is None else await _booked_before(request, patient, key)
        if earlier is None:
            raise
        return Booking(earlier, replayed=True)


async def _booked_before(request: BookingRequest, patient: Patient, key: str) -> Token | None:
    """The token this caller booked with this key, if it did; a Conflict if for another request."""
    kept = await keys.find(request.caller or OPEN_SCOPE, key)
    if kept is None:
        return None
    if kept.fingerprint != _fingerprint(request, patient):
        raise Conflict(
            "This idempotencyKey was already used for a different booking.", "idempotencyKey"
        )
    return await Token.get(kept.token_id)


def _fingerprint(request: BookingRequest, patient: Patient) -> str:
    asked = [
        request.doctor_id,
        request.date.isoformat(),
        request.slot_id,
        request.source.value,
        request.places,
        patient.name,
        patient.phone,
        request.check_in,
    ]
    return hashlib.sha256(json.dumps(asked).encode()).hexdigest()


def _key_expiry(ctx: ServiceContext, day: date) -> datetime:
    # Kept through the day after the token's date: a desk retrying late is still answered.
    return datetime.combine(day + timedelta(days=2), time(0), ctx.timezone)


async def _check_requested_slot(day: OpenDay, slot_id: PydanticObjectId) -> None:
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


async def mark_no_show(ctx: ServiceContext, token_id: str) -> None:
    def no_show(day: engine.Day, token: str, now: datetime) -> engine.Plan:
        return engine.release(day, token, engine.Status.NO_SHOW, now, ctx.policy)

    await change_token(ctx, token_id, no_show)


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
) -> None:
    """Apply one engine decision about one token, in a transaction on its doctor-day.

    `note`, when given, is attached to the events of the token itself. Nothing is read
    back: whoever shows the token reads it after the commit.
    """
    while True:
        try:
            await _change_once(ctx, await get_token(token_id), decide, note)
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
