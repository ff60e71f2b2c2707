"""The consultation flow: arrival, the doctor calling the next patient, completion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from opd_graphql import engine
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.doctor_day import OpenDay, change_day
from opd_graphql.service.doctors import get_doctor
from opd_graphql.service.tokens import change_token
from opd_graphql.store.documents import Token


@dataclass(frozen=True)
class CallNextOutcome:
    called: Token | None
    completed: Token | None


async def check_in(ctx: ServiceContext, token_id: str) -> Token:
    def arrive(day: engine.Day, token: str, now: datetime) -> engine.Plan:
        return engine.check_in(day, token)

    return await change_token(ctx, token_id, arrive)


async def complete_token(ctx: ServiceContext, token_id: str) -> Token:
    def finish(day: engine.Day, token: str, now: datetime) -> engine.Plan:
        return engine.complete(day, token)

    return await change_token(ctx, token_id, finish)


async def call_next(ctx: ServiceContext, doctor_id: str, day_date: date) -> CallNextOutcome:
    doctor = await get_doctor(ctx, doctor_id)
    assert doctor.id is not None
    doctor_key = doctor.id
    now = ctx.now()

    async def call(day: OpenDay) -> CallNextOutcome:
        plan = engine.call_next(day.engine_day)
        stored = await day.commit(plan, now, returning={t.id for t in plan.tokens})
        by_status = {t.status: stored[t.id] for t in plan.tokens}
        return CallNextOutcome(
            called=by_status.get(engine.Status.CALLED),
            completed=by_status.get(engine.Status.COMPLETED),
        )

    return await change_day(ctx, doctor_key, day_date.isoformat(), call)
