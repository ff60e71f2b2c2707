from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, time
from typing import Any, TypeVar

from pymongo.asynchronous.database import AsyncDatabase

from opd_graphql import engine
from opd_graphql.service import booking, doctors, slots
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.doctor_day import OpenDay, change_day
from opd_graphql.store.documents import Doctor, Slot, Token

T = TypeVar("T")

DAY = date(2030, 1, 10)


async def a_doctor(ctx: ServiceContext, code: str = "CAR1") -> Doctor:
    return await doctors.create_doctor(
        ctx, doctors.NewDoctor(name="Asha Rao", department="Cardiology", code=code)
    )


async def a_day(
    ctx: ServiceContext, doctor: Doctor, *, hours: int = 3, capacity: int = 2
) -> list[Slot]:
    """Hour-long slots from 09:00 on DAY."""
    return await slots.create_slots(
        ctx,
        slots.NewSlots(
            doctor_id=str(doctor.id),
            date=DAY,
            start_time=time(9),
            end_time=time(9 + hours),
            slot_minutes=60,
            capacity=capacity,
        ),
    )


async def book(
    ctx: ServiceContext,
    doctor: Doctor,
    source: engine.Source = engine.Source.WALK_IN,
    *,
    slot: Slot | None = None,
    name: str = "Ravi Kumar",
    key: str | None = None,
) -> Token:
    booked = await booking.book_token(
        ctx,
        booking.BookingRequest(
            doctor_id=str(doctor.id),
            date=DAY,
            source=source,
            patient_name=name,
            slot_id=None if slot is None else str(slot.id),
            idempotency_key=key,
        ),
    )
    return booked.token


def another_process(ctx: ServiceContext) -> ServiceContext:
    """The same database seen by a process with nothing in memory."""
    return ServiceContext(
        client=ctx.client, timezone=ctx.timezone, policy=ctx.policy, clock=ctx.clock
    )


async def change(
    ctx: ServiceContext, doctor: Doctor, apply: Callable[[OpenDay], Awaitable[T]]
) -> T:
    """Run a change of the test's own on the doctor's DAY."""
    assert doctor.id is not None
    return await change_day(ctx, doctor.id, DAY.isoformat(), apply)


async def scanned_index(database: AsyncDatabase[Any], find: dict[str, Any]) -> tuple[str, str]:
    """The stage and index at the bottom of the plan the database picks for `find`."""
    explained = await database.command("explain", find)
    scan = explained["queryPlanner"]["winningPlan"]
    while "inputStage" in scan:
        scan = scan["inputStage"]
    return scan["stage"], scan.get("indexName", "")
