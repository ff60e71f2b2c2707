"""The consultation flow: arrival, the doctor calling the next patient, completion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from opd_graphql import engine
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.doctor_day import OpenDay, change_day
from opd_graphql.service.doctors import get_doctor
from opd_graphql.service.tokens import MayChange, change_token


@dataclass(frozen=True)
class CallNextOutcome:
    """The ids of the token called and of the one completed, if any."""

    called: str | None
    completed: str | None


async def check_in(ctx: ServiceContext, token_id: str) -> None:
    def arrive(day: engine.Day, token: str, now: datetime) -> engine.Plan:
        return engine.check_in(day, token)

    await change_token(ctx, token_id, arrive)


async def complete_token(
    ctx: ServiceContext, token_id: str, may_change: MayChange | None = None
) -> None:
    def finish(day: engine.Day, token: str, now: datetime) -> engine.Plan:
        return engine.complete(day, token)

    await change_token(ctx, token_id, finish, may_change=may_change)


async def call_next(ctx: ServiceContext, doctor_id: str, day_date: date) -> CallNextOutcome:
    doctor = await get_doctor(doctor_id)
    assert doctor.id is not None

    async def call(day: OpenDay) -> CallNextOutcome:
        plan = engine.call_next(day.engine_day)
        await day.apply(plan)
        by_status = {t.status: t.id for t in plan.tokens}
        return CallNextOutcome(
            called=by_status.get(engine.Status.CALLED),
            completed=by_status.get(engine.Status.COMPLETED),
        )

    return await change_day(ctx, doctor.id, day_date.isoformat(), call)


async def skip_token(
    ctx: ServiceContext, token_id: str, may_change: MayChange | None = None
) -> None:
    """A called patient is not in the room: called again later, or a no-show at last."""

    def skip(day: engine.Day, token: str, now: datetime) -> engine.Plan:
        return engine.skip(day, token, now, ctx.policy)

    await change_token(ctx, token_id, skip, may_change=may_change)
