"""One simulated doctor-day: a discrete-event loop on the doctor's own virtual clock.

Actions run one at a time in (virtual time, sequence) order, each calling the real
service, so the day's outcome depends only on the seed and the config, never on how
asyncio interleaves doctors. The doctor's console follows four rules:

- whenever the doctor is free, absent patients at the head of the queue (still
  BOOKED ten minutes after their slot started) are marked NO_SHOW, then the first
  checked-in patient is called;
- a consultation lasts a lognormal time averaging its slot's length over its
  capacity, times the places the token holds; at its end the next patient is called,
  or it is completed if nobody waits;
- a called patient who does not come in within two minutes is skipped; the doctor
  calls the next patient ready to be called, or, when only held-back patients wait,
  calls again when one comes back or after a short wait. The engine turns a patient's
  last skip into a NO_SHOW;
- at the end of the last slot, every patient still BOOKED never came and is marked
  NO_SHOW, the waitlist expires, and the doctor stays until everyone checked in has
  been seen. So every token ends the day COMPLETED, NO_SHOW, CANCELLED, REJECTED or
  EXPIRED.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from functools import partial

from opd_graphql.engine import EventKind, Spill, Status
from opd_graphql.service import booking, consultation, tokens
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.expiry import expire_day
from opd_graphql.sim import invariants
from opd_graphql.sim.clock import VirtualClock
from opd_graphql.sim.patients import Patient
from opd_graphql.sim.replay import DayReplay, TokenState
from opd_graphql.sim.visits import Visit
from opd_graphql.store.documents import Doctor

GRACE = timedelta(minutes=10)
CONSULTATION_SPREAD = 0.5  # sigma of the lognormal: a few long consultations, most short
SHORTEST_CONSULTATION = timedelta(seconds=30)
# How long the doctor waits for a called patient to come in before skipping them, and
# before calling again when only skipped patients wait.
CALL_PATIENCE = timedelta(minutes=2)
RECALL_WAIT = timedelta(minutes=3)
Action = Callable[[], Awaitable[None]]


class DoctorRun:
    def __init__(
        self,
        ctx: ServiceContext,
        clock: VirtualClock,
        doctor: Doctor,
        day: DayReplay,
        patients: list[Patient],
        rng: random.Random,
    ) -> None:
        self.ctx = ctx
        self.clock = clock
        self.doctor = doctor
        self.doctor_id = str(doctor.id)
        self.date = date.fromisoformat(day.date)
        self.day = day
        self.patients = patients
        self.rng = rng
        self.visits: list[Visit] = []
        self.visit_of: dict[str, Visit] = {}
        # A broken rule tends to stay broken: each distinct violation is reported once.
        self.violations: dict[str, None] = {}
        self.serving: TokenState | None = None
        self.opens = day.slots[0].start
        self.closes = day.slots[-1].end
        self.booked = 0
        self.steps_done = 0
        self._agenda: list[tuple[datetime, int, Action]] = []
        self._sequence = 0

    @property
    def steps_planned(self) -> int:
        return self.steps_done + len(self._agenda)

    async def run(self, on_step: Callable[[], None] = lambda: None) -> None:
        for patient in self.patients:
            self._at(patient.books_at, partial(self._book, patient))
        self._at(self.opens, self._console)
        for slot in self.day.slots:
            if slot.start + GRACE < self.closes:
                self._at(slot.start + GRACE, self._console)
        self._at(self.closes, self._close)
        while self._agenda:
            moment, _, action = heapq.heappop(self._agenda)
            self.clock.advance_to(moment)
            await action()
            self.steps_done += 1
            on_step()

    def _at(self, moment: datetime, action: Action) -> None:
        self._sequence += 1
        heapq.heappush(self._agenda, (moment, self._sequence, action))

    @property
    def now(self) -> datetime:
        return self.ctx.local(self.clock())

    # The patients' side.

    async def _book(self, patient: Patient) -> None:
        slot_id = None
        if patient.preferred_slot is not None:
            slot_id = self.day.slots[patient.preferred_slot].id
        booked = await booking.book_token(
            self.ctx,
            booking.BookingRequest(
                doctor_id=self.doctor_id,
                date=self.date,
                source=patient.source,
                patient_name=patient.name,
                slot_id=slot_id,
                places=patient.places,
                check_in=patient.on_the_day,  # registered at the desk, so already here
            ),
        )
        self.booked += 1
        visit = Visit(patient, self.day.register(booked.token))
        self.visits.append(visit)
        self.visit_of[visit.token.id] = visit
        await self._sync()
        if patient.on_the_day:
            visit.arrived_at = self.now
            if visit.token.status is Status.CHECKED_IN:
                self._call_if_free()
            return
        if visit.token.status is Status.REJECTED:
            return
        visit.appointment = self._appointment(visit)
        if patient.cancel_fraction is not None:
            notice = (visit.appointment - self.now) * patient.cancel_fraction
            self._at(self.now + _whole_seconds(notice), partial(self._cancel, visit))
        elif patient.arrival_offset is not None:
            self._at(visit.appointment + patient.arrival_offset, partial(self._arrive, visit))

    def _appointment(self, visit: Visit) -> datetime:
        """The start of the slot the patient was given, or asked for when waitlisted."""
        slot_id = visit.token.slot_id
        if slot_id is None:
            assert visit.patient.preferred_slot is not None
            return self.day.slots[visit.patient.preferred_slot].start
        return self.day.slot_by_id[slot_id].start

    async def _arrive(self, visit: Visit) -> None:
        visit.arrived_at = self.now
        await self._check_in(visit)

    async def _check_in(self, visit: Visit) -> None:
        if visit.token.status is not Status.BOOKED:
            return  # waitlisted: they wait for a place; or too late, already a no-show
        await consultation.check_in(self.ctx, visit.token.id)
        await self._sync()
        self._call_if_free()

    def _call_if_free(self) -> None:
        if self.serving is None:
            self._at(self.now, self._console)

    async def _cancel(self, visit: Visit) -> None:
        if visit.token.status in (Status.BOOKED, Status.WAITLISTED):
            await tokens.cancel_token(self.ctx, visit.token.id, "Simulated cancellation")
            await self._sync()

    # The doctor's console.

    async def _console(self) -> None:
        """The doctor is free: skip absent patients, then call whoever is next."""
        if self.serving is not None or self.now < self.opens:
            return
        await self._mark_absent()
        if self.day.with_status(Status.CHECKED_IN):
            await self._call_next()

    async def _finish(self) -> None:
        await self._mark_absent()
        if self.day.with_status(Status.CHECKED_IN):
            await self._call_next()
            return
        assert self.serving is not None
        await consultation.complete_token(self.ctx, self.serving.id)
        self.serving = None
        await self._sync()

    async def _mark_absent(self) -> None:
        while True:
            waiting = [t for t in self.day.queue() if t.status is not Status.CALLED]
            head = waiting[0] if waiting else None
            if head is None or head.status is not Status.BOOKED or not self._is_late(head):
                return
            await tokens.mark_no_show(self.ctx, head.id)
            await self._sync()

    def _is_late(self, token: TokenState) -> bool:
        assert token.slot_id is not None
        return self.now >= self.day.slot_by_id[token.slot_id].start + GRACE

    async def _call_next(self) -> None:
        expected = self.day.next_to_call()
        was_serving = self.serving
        outcome = await consultation.call_next(self.ctx, self.doctor_id, self.date)
        await self._sync()
        numbers = {t.id: t.number for t in self.day.tokens.values()}
        called, completed = outcome.called, outcome.completed
        self._report(invariants.call_order(self.doctor.code, expected, called, numbers))
        if completed != (was_serving and was_serving.id):
            self._report(
                [
                    f"{self.doctor.code} callNext completed "
                    f"{numbers.get(completed or '', 'nobody')} while "
                    f"{was_serving.number if was_serving else 'nobody'} was being seen"
                ]
            )
        self.serving = None if called is None else self.day.tokens[called]
        if self.serving is None:
            return
        visit = self.visit_of[self.serving.id]
        if visit.in_the_room(self.now):
            self._at(self.now + self._consultation(self.serving), self._finish)
        else:
            self._at(self.now + CALL_PATIENCE, partial(self._no_answer, visit))

    async def _no_answer(self, visit: Visit) -> None:
        if visit.in_the_room(self.now):  # came back while being called
            self._at(self.now + self._consultation(visit.token), self._finish)
            return
        back_at = visit.back_at
        if back_at is not None and back_at > self.now:
            self._at(back_at, self._console)  # back at the door, the doctor sees them
        await self._skip(visit.token)

    async def _skip(self, token: TokenState) -> None:
        skips = token.skips
        await consultation.skip_token(self.ctx, token.id)
        self.serving = None
        await self._sync()
        self._report(invariants.skip(token, skips, self.ctx.policy.max_skips, self.doctor.code))
        await self._mark_absent()
        waiting = self.day.with_status(Status.CHECKED_IN)
        if any(t.recall_in == 0 for t in waiting):
            await self._call_next()
        elif waiting:
            self._at(self.now + RECALL_WAIT, self._console)

    def _consultation(self, token: TokenState) -> timedelta:
        assert token.slot_id is not None
        slot = self.day.slot_by_id[token.slot_id]
        mean = (slot.consultation * token.places).total_seconds()
        mu = math.log(mean) - CONSULTATION_SPREAD**2 / 2
        length = timedelta(seconds=round(self.rng.lognormvariate(mu, CONSULTATION_SPREAD)))
        return max(length, SHORTEST_CONSULTATION)

    async def _close(self) -> None:
        for token in self.day.with_status(Status.BOOKED):
            await tokens.mark_no_show(self.ctx, token.id)
            await self._sync()
        await expire_day(self.ctx, self.day.doctor_id, self.day.date)
        await self._sync()
        await self._console()

    # Keeping up with what the service did.

    async def _sync(self) -> None:
        """Replay the new events, check the invariants, and let promoted patients in."""
        applied = self.day.catch_up()
        code = self.doctor.code
        self._report(invariants.capacity(self.day, code))
        self._report(invariants.states(self.day, code))
        if self.ctx.policy.spill is Spill.NEXT_SLOT:
            self._report(invariants.waitlist(self.day, code, self.now))
        promoted = {a.token.id for a in applied if a.kind is EventKind.PROMOTED}
        for visit in self.visits:
            if visit.token.id in promoted and visit.arrived_at is not None:
                # At once: a promoted patient who is here must not look absent.
                await self._check_in(visit)

    def _report(self, violations: list[str]) -> None:
        self.violations.update(dict.fromkeys(violations))


def _whole_seconds(span: timedelta) -> timedelta:
    return timedelta(seconds=int(span.total_seconds()))
