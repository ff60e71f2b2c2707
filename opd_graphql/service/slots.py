"""Opening a doctor's slots; a new slot offers its places to the day's waitlist at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from beanie import PydanticObjectId

from opd_graphql import engine
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.doctor_day import OpenDay, change_day
from opd_graphql.service.doctors import get_doctor
from opd_graphql.service.errors import InvalidInput
from opd_graphql.service.times import moment, moment_on
from opd_graphql.store.documents import Slot

MAX_CAPACITY = 500
MAX_SLOT = timedelta(days=1)
MAX_AHEAD = timedelta(days=366)
Window = tuple[datetime, datetime]  # UTC start and end


@dataclass(frozen=True)
class NewSlot:
    doctor_id: str
    start: datetime  # naive: the hospital's time
    end: datetime
    capacity: int


@dataclass(frozen=True)
class NewSlots:
    doctor_id: str
    date: date
    start_time: time
    end_time: time
    slot_minutes: int
    capacity: int


async def create_slot(ctx: ServiceContext, new: NewSlot) -> Slot:
    doctor = await get_doctor(new.doctor_id)
    start = moment(new.start, ctx.timezone, "start")
    end = moment(new.end, ctx.timezone, "end")
    _check_window(ctx, start, end, new.capacity)
    [slot] = await _open_slots(
        ctx, doctor.id, ctx.local(start).date(), [(start, end)], new.capacity
    )
    return slot


async def create_slots(ctx: ServiceContext, new: NewSlots) -> list[Slot]:
    doctor = await get_doctor(new.doctor_id)
    if not 5 <= new.slot_minutes <= 24 * 60:
        raise InvalidInput("slotMinutes must be between 5 and 1440.", "slotMinutes")
    if not ctx.today() <= new.date <= ctx.today() + MAX_AHEAD:
        raise InvalidInput("date must be between today and a year from now.", "date")
    opened = windows(new, ctx.timezone)
    for start, end in opened:
        _check_window(ctx, start, end, new.capacity)
    return await _open_slots(ctx, doctor.id, new.date, opened, new.capacity)


def windows(new: NewSlots, timezone: ZoneInfo) -> list[Window]:
    """The UTC start and end of each of the new slots, in order."""
    first = moment_on(new.date, new.start_time, timezone, "startTime")
    last = moment_on(new.date, new.end_time, timezone, "endTime")
    if last <= first:
        raise InvalidInput("endTime must be after startTime.", "endTime")
    # In real time: on the day the clocks change, 01:00-04:00 is two hours or four.
    length = timedelta(minutes=new.slot_minutes)
    if (last - first) % length:
        raise InvalidInput(
            f"{new.start_time:%H:%M}-{new.end_time:%H:%M} on {new.date} is not a whole "
            f"number of {new.slot_minutes}-minute slots.",
            "slotMinutes",
        )
    return [(first + length * i, first + length * (i + 1)) for i in range((last - first) // length)]


def _check_window(ctx: ServiceContext, start: datetime, end: datetime, capacity: int) -> None:
    now = ctx.now()
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(f"capacity must be between 1 and {MAX_CAPACITY}.", "capacity")
    if end <= start:
        raise InvalidInput("end must be after start.", "end")
    if start - now > MAX_AHEAD:
        raise InvalidInput("Slots can be opened at most a year ahead.", "start")
    if now - end > MAX_AHEAD:
        raise InvalidInput("The slot has long ended.", "end")
    if end <= now:
        raise InvalidInput(f"The slot {_label(ctx, start, end)} has already ended.", "end")
    if end - start > MAX_SLOT:
        raise InvalidInput("A slot cannot be longer than a day.", "end")
    # A slot belongs to one doctor-day: it may end at midnight but not run past it.
    if ctx.local(end - timedelta(microseconds=1)).date() != ctx.local(start).date():
        raise InvalidInput("A slot must start and end on the same date.", "end")


async def _open_slots(
    ctx: ServiceContext,
    doctor_id: PydanticObjectId | None,
    day_date: date,
    windows: list[Window],
    capacity: int,
) -> list[Slot]:
    assert doctor_id is not None

    async def open_slots(day: OpenDay) -> list[Slot]:
        for start, end in windows:
            for existing in day.slots:
                if start < existing.end and existing.start < end:
                    raise InvalidInput(
                        f"The slot {_label(ctx, start, end)} overlaps the doctor's slot "
                        f"{_label(ctx, existing.start, existing.end)}.",
                        "start",
                    )
        slots = [
            Slot(
                id=PydanticObjectId(),
                doctor_id=doctor_id,
                date=day_date.isoformat(),
                start=start,
                end=end,
                capacity=capacity,
                created_at=day.now,
            )
            for start, end in windows
        ]
        await day.add_slots(slots)
        for slot in slots:
            await day.apply(engine.fill(day.engine_day, str(slot.id), day.now))
        return slots

    return await change_day(ctx, doctor_id, day_date.isoformat(), open_slots)


def _label(ctx: ServiceContext, start: datetime, end: datetime) -> str:
    return f"{ctx.local(start):%Y-%m-%d %H:%M}-{ctx.local(end):%H:%M}"
