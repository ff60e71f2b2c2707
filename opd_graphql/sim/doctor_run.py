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

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from functools import partial

from opd_graphql.engine import EventKind, Spill, Status
from opd_graphql.service.booking import BookingRequest
from opd_graphql.sim import invariants
from opd_graphql.sim.agenda import Agenda, Owned
from opd_graphql.sim.clock import VirtualClock
from opd_graphql.sim.hospital import Desk
from opd_graphql.sim.patients import Patient
from opd_graphql.sim.replay import DayReplay, TokenState
from opd_graphql.sim.visits import Visit, consultation_length

GRACE = timedelta(minutes=10)
# How long the doctor waits for a called patient to come in before skipping them, and
# before calling again when only skipped patients wait.
CALL_PATIENCE = timedelta(minutes=2)
RECALL_WAIT = timedelta(minutes=3)
# Events that may give a token a place: a patient already here checks into it at once.
GIVEN_A_PLACE = frozenset({EventKind.PROMOTED, EventKind.TRANSFERRED})
# A step of the day, for whichever doctor's run it is on when its time comes.
Step = Callable[["DoctorRun"], Awaitable[None]]
# Steps taken between two chances for the event loop to serve others: a day played in
# memory awaits nothing else, and a server playing one still answers its other callers.
STEPS_BETWEEN_YIELDS = 64


class DoctorRun:
    def __init__(
        self,
        desk: Desk,
        clock: VirtualClock,
        code: str,
        day: DayReplay,
        patients: list[Patient],
        rng: random.Random,
    ) -> None:
        self.desk = desk
        self.clock = clock
        self.code = code
        self.doctor_id = str(day.doctor_id)
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
        self.moved_out = 0  # tokens that left for another doctor's day
        self.steps_done = 0
        self.agenda: Agenda[Step] = Agenda()

    @property
    def steps_planned(self) -> int:
        return self.steps_done + len(self.agenda)

    def plan(self) -> None:
        for patient in self.patients:
            self.agenda.at(patient.books_at, partial(DoctorRun._book, patient=patient), patient)
        self.agenda.at(self.opens, DoctorRun._console)
        for slot in self.day.slots:
            if slot.start + GRACE < self.closes:
                self.agenda.at(slot.start + GRACE, DoctorRun._console)
        self.agenda.at(self.closes, DoctorRun._close)

    async def play(
        self, on_step: Callable[[], None] = lambda: None, until: datetime | None = None
    ) -> None:
        """Take the planned steps in order: all of them, or those before `until`."""
        while (next_step := self.agenda.pop(until)) is not None:
            moment, step = next_step
            self.clock.advance_to(moment)
            await step(self)
            self.steps_done += 1
            on_step()
            if self.steps_done % STEPS_BETWEEN_YIELDS == 0:
                await asyncio.sleep(0)

    @property
    def now(self) -> datetime:
        return self.desk.local(self.clock())

    # The patients' side.

    async def _book(self, patient: Patient) -> None:
        slot_id = None
        if patient.preferred_slot is not None:
            slot_id = self.day.slots[patient.preferred_slot].id
        booked = await self.desk.book(
            BookingRequest(
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
        token = self.day.register(
            booked.id, booked.number, booked.seq, booked.source, booked.queued_at, booked.places
        )
        visit = Visit(patient, token)
        self.visits.append(visit)
        self.visit_of[visit.token.id] = visit
        await self.sync()
        if patient.on_the_day:
            visit.arrived_at = self.now
            if visit.token.status is Status.CHECKED_IN:
                self.call_if_free()
            return
        if visit.token.status is Status.REJECTED:
            return
        visit.appointment = self._appointment(visit)
        if patient.cancel_fraction is not None:
            notice = (visit.appointment - self.now) * patient.cancel_fraction
            cancel = partial(DoctorRun._cancel, visit=visit)
            self.agenda.at(self.now + _whole_seconds(notice), cancel, visit)
        elif patient.arrival_offset is not None:
            arrive = partial(DoctorRun._arrive, visit=visit)
            self.agenda.at(visit.appointment + patient.arrival_offset, arrive, visit)

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
        await self.desk.check_in(visit.token.id)
        await self.sync()
        self.call_if_free()

    def call_if_free(self) -> None:
        if self.serving is None:
            self.agenda.at(self.now, DoctorRun._console)

    async def _cancel(self, visit: Visit) -> None:
        if visit.token.status in (Status.BOOKED, Status.WAITLISTED):
            await self.desk.cancel(visit.token.id, "Simulated cancellation")
            await self.sync()

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
        await self.desk.complete(self.serving.id)
        self.serving = None
        await self.sync()

    async def _mark_absent(self) -> None:
        while True:
            waiting = [t for t in self.day.queue() if t.status is not Status.CALLED]
            head = waiting[0] if waiting else None
            if head is None or head.status is not Status.BOOKED or not self._is_late(head):
                return
            await self.desk.no_show(head.id)
            await self.sync()

    def _is_late(self, token: TokenState) -> bool:
        assert token.slot_id is not None
        due = self.day.slot_by_id[token.slot_id].start
        visit = self.visit_of[token.id]
        if visit.moved and visit.appointment is not None:
            # Moved to an earlier slot than their own, they still come at their own time.
            due = max(due, visit.appointment)
        return self.now >= due + GRACE

    async def _call_next(self) -> None:
        expected = self.day.next_to_call()
        was_serving = self.serving
        outcome = await self.desk.call_next(self.doctor_id, self.date)
        await self.sync()
        numbers = {t.id: t.number for t in self.day.tokens.values()}
        called, completed = outcome.called, outcome.completed
        self._report(invariants.call_order(self.code, expected, called, numbers))
        self._report(invariants.completion(self.code, was_serving, completed, numbers))
        self.serving = None if called is None else self.day.tokens[called]
        if self.serving is None:
            return
        visit = self.visit_of[self.serving.id]
        if visit.in_the_room(self.now):
            self.agenda.at(self.now + self._consultation(self.serving), DoctorRun._finish)
        else:
            self.agenda.at(self.now + CALL_PATIENCE, partial(DoctorRun._no_answer, visit=visit))

    async def _no_answer(self, visit: Visit) -> None:
        if visit.in_the_room(self.now):  # came back while being called
            self.agenda.at(self.now + self._consultation(visit.token), DoctorRun._finish)
            return
        back_at = visit.back_at
        if back_at is not None and back_at > self.now:
            self.agenda.at(back_at, DoctorRun._console)  # back at the door, the doctor sees them
        await self._skip(visit.token)

    async def _skip(self, token: TokenState) -> None:
        skips = token.skips
        await self.desk.skip(token.id)
        self.serving = None
        await self.sync()
        self._report(invariants.skip(token, skips, self.desk.policy.max_skips, self.code))
        await self._mark_absent()
        waiting = self.day.with_status(Status.CHECKED_IN)
        if any(t.recall_in == 0 for t in waiting):
            await self._call_next()
        elif waiting:
            self.agenda.at(self.now + RECALL_WAIT, DoctorRun._console)

    def _consultation(self, token: TokenState) -> timedelta:
        assert token.slot_id is not None
        return consultation_length(self.rng, self.day.slot_by_id[token.slot_id], token.places)

    async def _close(self) -> None:
        for token in self.day.with_status(Status.BOOKED):
            await self.desk.no_show(token.id)
            await self.sync()
        await self.desk.expire(self.day.doctor_id, self.day.date)
        await self.sync()
        await self._console()

    # Handing patients over when a doctor is called away (absence.py).

    def release(self, token_id: str) -> tuple[Visit, list[Owned[Step]]]:
        """The patient whose token left for another day, with their steps still to come."""
        visit = self.visit_of.pop(token_id)
        self.visits.remove(visit)
        self.moved_out += 1
        return visit, self.agenda.take(lambda owner: owner is visit)

    def adopt(self, visit: Visit, steps: list[Owned[Step]]) -> None:
        self.visits.append(visit)
        self.visit_of[visit.token.id] = visit
        for moment, step, owner in steps:
            self.agenda.at(moment, step, owner)

    # Keeping up with what the service did.

    async def sync(self) -> None:
        """Replay the new events, check the invariants, and let patients given a place in."""
        applied = self.day.catch_up()
        code = self.code
        self._report(invariants.capacity(self.day, code))
        self._report(invariants.states(self.day, code))
        if self.desk.policy.spill is Spill.NEXT_SLOT:
            self._report(invariants.waitlist(self.day, code, self.now))
        placed = {a.token.id for a in applied if a.kind in GIVEN_A_PLACE}
        for visit in self.visits:
            if visit.token.id in placed and visit.arrived_at is not None:
                # At once: a patient given a place while here must not look absent.
                await self._check_in(visit)

    def _report(self, violations: list[str]) -> None:
        self.violations.update(dict.fromkeys(violations))


def _whole_seconds(span: timedelta) -> timedelta:
    return timedelta(seconds=int(span.total_seconds()))
