"""The simulated days played on the engine alone, kept in memory (`simulate --mode engine`).

Each change is the one the service makes in its transaction (service/*.py): the same
engine decision on the same days, the same numbering, the same events, made at the run's
virtual time; only nothing is stored, so nothing waits for a database. A simulation has
one date, so its doctor-days are known by their doctor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from beanie import PydanticObjectId

from opd_graphql import engine
from opd_graphql.service.booking import BookingRequest
from opd_graphql.service.consultation import CallNextOutcome
from opd_graphql.service.errors import InvalidInput
from opd_graphql.service.slots import windows
from opd_graphql.sim.clock import VirtualClock
from opd_graphql.sim.config import SimulationConfig
from opd_graphql.sim.hospital import Booked, Kept, Moved, Opened, session
from opd_graphql.sim.replay import Committed, SlotInfo


@dataclass
class WardDay:
    """One doctor-day: the engine's picture of it, its numbering and its ledger version."""

    doctor_id: PydanticObjectId
    code: str
    date: str
    day: engine.Day
    issued: int = 0
    version: int = 0
    made: list[Committed] = field(default_factory=list)  # by the change under way


class Ward:
    """Every simulated doctor-day of one simulation, and where each token is."""

    def __init__(
        self,
        policy: engine.Policy,
        timezone: ZoneInfo,
        committed: Callable[[Sequence[Committed]], None],
    ) -> None:
        self.policy = policy
        self.timezone = timezone
        self.committed = committed
        self.days: dict[str, WardDay] = {}
        self.where: dict[str, WardDay] = {}  # token id -> the day it is on
        self.tokens: dict[str, engine.Token] = {}
        self.numbers: dict[str, str] = {}
        self.log: dict[str, list[tuple[int, str, engine.EventKind]]] = {}

    async def open_day(
        self, config: SimulationConfig, day: date, code: str, clock: VirtualClock
    ) -> Opened:
        doctor_id = PydanticObjectId()
        slots = [
            engine.Slot(str(PydanticObjectId()), start, end, config.capacity)
            for start, end in windows(session(config, str(doctor_id), day), self.timezone)
        ]
        self.days[str(doctor_id)] = WardDay(doctor_id, code, day.isoformat(), engine.Day(slots, []))
        self.log[str(doctor_id)] = []
        info = [
            SlotInfo(
                s.id, s.start.astimezone(self.timezone), s.end.astimezone(self.timezone), s.capacity
            )
            for s in slots
        ]
        return Opened(WardDesk(self, clock), doctor_id, info)

    async def kept(self, doctor_ids: Sequence[PydanticObjectId]) -> Kept:
        wanted = {str(doctor_id) for doctor_id in doctor_ids}
        mine = [t for t in self.tokens.values() if str(self.where[t.id].doctor_id) in wanted]
        return Kept(
            statuses={t.id: t.status for t in mine},
            events={doctor_id: self.log[doctor_id] for doctor_id in wanted},
            facts={
                t.id: (str(self.where[t.id].doctor_id), self.numbers[t.id], t.places, t.skips)
                for t in mine
            },
        )

    def change(self, days: Sequence[WardDay], decide: Callable[[], object]) -> None:
        """One change to `days`, as one transaction: each day's version goes up once, and
        the events made are handed on when it is done."""
        for held in days:
            held.version += 1
        decide()
        for held in days:
            if held.made:
                self.committed(held.made)
                held.made = []

    def apply(self, held: WardDay, plan: engine.Plan, now: datetime) -> None:
        held.day = held.day.after(plan)
        for token in plan.tokens:
            self.tokens[token.id] = token
            self.where[token.id] = held
        for event in plan.events:
            made = Committed(
                held.doctor_id, held.version, event.token_id, event.kind, event.slot_id, now
            )
            held.made.append(made)
            self.log[str(held.doctor_id)].append((held.version, event.token_id, event.kind))

    def number(self, held: WardDay, token_id: str) -> int:
        held.issued += 1
        self.numbers[token_id] = f"{held.code}-{held.issued:03d}"
        return held.issued


class WardDesk:
    def __init__(self, ward: Ward, clock: VirtualClock) -> None:
        self.ward = ward
        self.clock = clock
        self.policy = ward.policy

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.ward.timezone)

    async def book(self, request: BookingRequest) -> Booked:
        assert request.doctor_id is not None  # the simulator books for a doctor
        held, now = self.ward.days[request.doctor_id], self.clock()
        token_id = str(PydanticObjectId())
        coming = engine.Token(
            id=token_id,
            seq=held.issued + 1,
            source=request.source,
            status=engine.Status.WAITLISTED,
            queued_at=now,
            places=request.places,
        )
        slot_id = request.slot_id

        def book() -> None:
            try:
                plan = engine.book(
                    held.day, coming, slot_id, now, self.policy, arrived=request.check_in
                )
            except engine.SlotUnusable as refused:
                raise InvalidInput(refused.reason, "slotId") from None
            self.ward.number(held, token_id)
            self.ward.apply(held, plan, now)

        self.ward.change([held], book)
        number = self.ward.numbers[token_id]
        return Booked(token_id, number, coming.seq, coming.source, now, coming.places)

    async def check_in(self, token_id: str) -> None:
        self._on_token(token_id, lambda day, now: engine.check_in(day, token_id))

    async def call_next(self, doctor_id: str, day: date) -> CallNextOutcome:
        held = self.ward.days[doctor_id]
        plan = engine.call_next(held.day)
        self.ward.change([held], lambda: self.ward.apply(held, plan, self.clock()))
        by_status = {t.status: t.id for t in plan.tokens}
        return CallNextOutcome(
            called=by_status.get(engine.Status.CALLED),
            completed=by_status.get(engine.Status.COMPLETED),
        )

    async def complete(self, token_id: str) -> None:
        self._on_token(token_id, lambda day, now: engine.complete(day, token_id))

    async def skip(self, token_id: str) -> None:
        self._on_token(token_id, lambda day, now: engine.skip(day, token_id, now, self.policy))

    async def cancel(self, token_id: str, reason: str) -> None:
        cancelled = engine.Status.CANCELLED
        self._on_token(
            token_id, lambda day, now: engine.release(day, token_id, cancelled, now, self.policy)
        )

    async def no_show(self, token_id: str) -> None:
        absent = engine.Status.NO_SHOW
        self._on_token(
            token_id, lambda day, now: engine.release(day, token_id, absent, now, self.policy)
        )

    async def expire(self, doctor_id: PydanticObjectId, day: str) -> None:
        held = self.ward.days[str(doctor_id)]
        plan = engine.expire(held.day, self.clock())
        self.ward.change([held], lambda: self.ward.apply(held, plan, self.clock()))

    async def close_day(self, doctor_id: str, day: date, reason: str) -> list[Moved]:
        ward, now = self.ward, self.clock()
        source = ward.days[doctor_id]
        others = [held for held in ward.days.values() if held is not source]
        shut, handovers = engine.close_into(
            source.day,
            None,
            [engine.Receiver(held.code, held.day, held.issued) for held in others],
            now,
            self.policy,
            lambda token: f"{reason} (was {source.code}-{token.seq:03d})",
        )
        by_code = {held.code: held for held in others}

        def close() -> None:
            ward.apply(source, shut, now)
            for handover in handovers:
                there = by_code[handover.code]
                ward.apply(source, handover.out, now)
                ward.number(there, handover.token_id)
                ward.apply(there, handover.inbound, now)

        ward.change([source, *others], close)
        return [
            Moved(
                h.token_id,
                by_code[h.code].doctor_id,
                ward.numbers[h.token_id],
                ward.tokens[h.token_id].seq,
            )
            for h in handovers
        ]

    def _on_token(
        self, token_id: str, decide: Callable[[engine.Day, datetime], engine.Plan]
    ) -> None:
        held, now = self.ward.where[token_id], self.clock()
        plan = decide(held.day, now)
        self.ward.change([held], lambda: self.ward.apply(held, plan, now))
