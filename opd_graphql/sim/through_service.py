"""The simulated days played through the service: every change a real transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from beanie import PydanticObjectId
from beanie.operators import In

from opd_graphql.engine import Policy
from opd_graphql.service import booking, consultation, doctors, moving, slots, tokens
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.expiry import expire_day
from opd_graphql.sim.clock import VirtualClock
from opd_graphql.sim.config import SimulationConfig
from opd_graphql.sim.hospital import DEPARTMENT, Booked, Kept, Moved, Opened, session
from opd_graphql.sim.replay import Committed, SlotInfo
from opd_graphql.store import days
from opd_graphql.store.documents import OutboxEvent, Token


@dataclass(frozen=True)
class ServiceHospital:
    """`ctx` gives the database and the timezone; the simulated doctors belong to
    `simulation_id`, and every commit's events go to `committed`."""

    ctx: ServiceContext
    policy: Policy
    simulation_id: str
    committed: Callable[[Sequence[Committed]], None]

    async def open_day(
        self, config: SimulationConfig, day: date, code: str, clock: VirtualClock
    ) -> Opened:
        ctx = replace(self.ctx, policy=self.policy, clock=clock)
        doctor = await doctors.create_doctor(
            ctx,
            doctors.NewDoctor(
                name=f"Doctor {code}",
                department=DEPARTMENT,
                code=code,
                simulation_id=self.simulation_id,
            ),
        )
        assert doctor.id is not None
        created = await slots.create_slots(ctx, session(config, str(doctor.id), day))
        opened = [
            SlotInfo(str(s.id), ctx.local(s.start), ctx.local(s.end), s.capacity) for s in created
        ]
        following = replace(ctx, committed=self._following)
        return Opened(ServiceDesk(following), doctor.id, opened)

    def _following(self, events: Sequence[OutboxEvent]) -> None:
        self.committed(
            [
                Committed(
                    e.doctor_id,
                    e.version,
                    str(e.token_id),
                    e.kind,
                    None if e.slot_id is None else str(e.slot_id),
                    e.at,
                )
                for e in events
            ]
        )

    async def kept(self, doctor_ids: Sequence[PydanticObjectId]) -> Kept:
        doctor, number = str(Token.doctor_id), str(Token.number)
        found = Token.get_pymongo_collection().find(
            {doctor: {"$in": list(doctor_ids)}}, {doctor: 1, number: 1, "places": 1, "skips": 1}
        )
        facts = {
            str(token["_id"]): (
                str(token[doctor]),
                token[number],
                token.get("places", 1),
                token.get("skips", 0),
            )
            async for token in found
        }
        return Kept(await days.statuses(doctor_ids), await days.event_log(doctor_ids), facts)


@dataclass(frozen=True)
class ServiceDesk:
    ctx: ServiceContext

    @property
    def policy(self) -> Policy:
        return self.ctx.policy

    def local(self, moment: datetime) -> datetime:
        return self.ctx.local(moment)

    async def book(self, request: booking.BookingRequest) -> Booked:
        token = (await booking.book_token(self.ctx, request)).token
        return Booked(
            str(token.id), token.number, token.seq, token.source, token.queued_at, token.places
        )

    async def check_in(self, token_id: str) -> None:
        await consultation.check_in(self.ctx, token_id)

    async def call_next(self, doctor_id: str, day: date) -> consultation.CallNextOutcome:
        return await consultation.call_next(self.ctx, doctor_id, day)

    async def complete(self, token_id: str) -> None:
        await consultation.complete_token(self.ctx, token_id)

    async def skip(self, token_id: str) -> None:
        await consultation.skip_token(self.ctx, token_id)

    async def cancel(self, token_id: str, reason: str) -> None:
        await tokens.cancel_token(self.ctx, token_id, reason)

    async def no_show(self, token_id: str) -> None:
        await tokens.mark_no_show(self.ctx, token_id)

    async def expire(self, doctor_id: PydanticObjectId, day: str) -> None:
        await expire_day(self.ctx, doctor_id, day)

    async def close_day(self, doctor_id: str, day: date, reason: str) -> list[Moved]:
        closed = await moving.close_day(self.ctx, doctor_id, day, reason, moving.MoveTo.DEPARTMENT)
        ids = [PydanticObjectId(token_id) for token_id in closed.moved]
        found = {str(t.id): t for t in await Token.find(In(Token.id, ids)).to_list()}
        return [
            Moved(token_id, found[token_id].doctor_id, found[token_id].number, found[token_id].seq)
            for token_id in closed.moved
        ]
