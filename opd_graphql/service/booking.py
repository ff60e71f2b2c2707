"""Booking a token, for a doctor or into a department: one transaction on the days it may go to.

A department booking holds the day of every active doctor of the department, plans the
booking on each and keeps the best plan by DESIGN's criteria, so concurrent bookings give
the outcome of some serial order.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from opd_graphql import engine
from opd_graphql.service import departments, validate
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.doctor_day import DayKey, OpenDay, change_days
from opd_graphql.service.doctors import get_doctor
from opd_graphql.service.errors import Conflict, InvalidInput
from opd_graphql.service.tokens import check_requested_slot
from opd_graphql.store import keys
from opd_graphql.store.documents import Doctor, IdempotencyKey, Patient, Token

MAX_IDEMPOTENCY_KEY = 128
BOOKABLE_AHEAD = timedelta(days=366)
OPEN_SCOPE = "open"  # the one caller of a server without API keys


@dataclass(frozen=True)
class BookingRequest:
    doctor_id: str | None  # exactly one of doctor_id and department
    date: date
    source: engine.Source
    patient_name: str
    patient_phone: str | None = None
    department: str | None = None
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
    patient = _patient(request)
    key = _idempotency_key(request)
    doctors, department = await _where(request)
    slot_id = (
        None if request.slot_id is None else validate.object_id(request.slot_id, "slotId", "slot")
    )
    if key is not None and (earlier := await _booked_before(request, patient, key)) is not None:
        return Booking(earlier, replayed=True)
    on = request.date.isoformat()
    token_id = PydanticObjectId()

    def plan_for(day: OpenDay) -> engine.Plan:
        coming = engine.Token(
            id=str(token_id),
            seq=day.tokens_issued + 1,
            source=request.source,
            status=engine.Status.WAITLISTED,
            queued_at=day.now,
            places=request.places,
        )
        slot = None if slot_id is None else str(slot_id)
        return engine.book(
            day.engine_day, coming, slot, day.now, ctx.policy, arrived=request.check_in
        )

    async def book(opened: dict[DayKey, OpenDay]) -> Token:
        if department is None:
            [doctor], [day] = doctors, opened.values()
            await _check_day(ctx, request, doctor, day, slot_id)
            try:
                plan = plan_for(day)
            except engine.SlotUnusable as refused:
                field = "date" if slot_id is None else "slotId"
                raise InvalidInput(refused.reason, field) from None
        else:
            _check_date(ctx, request, next(iter(opened.values())).now)
            best = departments.best_of(str(token_id), doctors, on, opened, plan_for)
            if best is None:
                raise InvalidInput(
                    f"No doctor of {department} has an open slot on {on} that could take "
                    "this patient.",
                    "department",
                )
            doctor, day, plan = best
        seq = day.issue_number()
        token = Token(
            id=token_id,
            doctor_id=day.doctor_id,
            date=on,
            seq=seq,
            number=f"{doctor.code}-{seq:03d}",
            source=request.source,
            status=engine.Status.WAITLISTED,
            patient=patient,
            queued_at=day.now,
            requested_slot_id=slot_id,
            places=request.places,
            requested_department=department,
            booked_by=request.booked_by,
            updated_at=day.now,
        )
        await day.apply(plan, new=token)
        if key is not None:
            kept = IdempotencyKey(
                scope=request.caller or OPEN_SCOPE,
                key=key,
                fingerprint=_fingerprint(request, patient),
                token_id=token_id,
                expires_at=_key_expiry(ctx, request.date),
            )
            await keys.insert(day.session, kept)
        return token

    try:
        return Booking(await change_days(ctx, departments.candidate_keys(doctors, on), book))
    except DuplicateKeyError:
        # Another request with this key booked first, since we looked.
        earlier = None if key is None else await _booked_before(request, patient, key)
        if earlier is None:
            raise
        return Booking(earlier, replayed=True)


def _patient(request: BookingRequest) -> Patient:
    phone = validate.phone(request.patient_phone, "patient.phone")
    if not 1 <= request.places <= engine.MAX_PLACES:
        raise InvalidInput(f"places must be between 1 and {engine.MAX_PLACES}.", "places")
    return Patient(
        name=validate.text(request.patient_name, "patient.name"),
        phone=phone,
        phone_key=None if phone is None else validate.phone_key(phone),
    )


def _idempotency_key(request: BookingRequest) -> str | None:
    key = request.idempotency_key
    if key is not None:
        validate.storable(key, "idempotencyKey")
        if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
            raise InvalidInput(
                f"idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY} characters.", "idempotencyKey"
            )
    return key


async def _where(request: BookingRequest) -> tuple[list[Doctor], str | None]:
    """The doctors the token may go to, and the department's name when booked into one."""
    if (request.doctor_id is None) == (request.department is None):
        raise InvalidInput("Give a doctorId or a department, not both.", "doctorId")
    if request.department is None:
        assert request.doctor_id is not None
        doctor = await get_doctor(request.doctor_id)
        if not doctor.active:
            raise InvalidInput(f"Dr {doctor.name} is not taking bookings.", "doctorId")
        return [doctor], None
    if request.slot_id is not None:
        raise InvalidInput("A booking into a department takes no slotId.", "slotId")
    department = await departments.find_department(request.department)
    active = [] if department is None else [d for d in department.doctors if d.active]
    if department is None or not active:
        raise InvalidInput(
            f"No active doctor works in a department called {request.department.strip()!r}.",
            "department",
        )
    return active, department.name


def _check_date(ctx: ServiceContext, request: BookingRequest, now: datetime) -> None:
    today = ctx.local(now).date()
    if request.date < today:
        raise InvalidInput(f"{request.date} is in the past.", "date")
    if request.date > today + BOOKABLE_AHEAD:
        raise InvalidInput("date must be at most a year from today.", "date")


async def _check_day(
    ctx: ServiceContext,
    request: BookingRequest,
    doctor: Doctor,
    day: OpenDay,
    slot_id: PydanticObjectId | None,
) -> None:
    _check_date(ctx, request, day.now)
    if slot_id is not None:
        await check_requested_slot(day, slot_id)
    slots = day.engine_day.slots
    if slots and not any(slot.is_open(day.now) for slot in slots):
        raise InvalidInput(f"Dr {doctor.name}'s slots on {day.date} have all ended.", "date")


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
        request.department,
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
