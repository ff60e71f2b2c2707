from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

import strawberry
from graphql import GraphQLError

from opd_graphql.api.permissions import (
    ADMIN,
    BOOKING,
    CONSOLE,
    DESK,
    check_may_act_on,
    forbidden,
    viewer,
)
from opd_graphql.api.types.call_next_payload import CallNextPayload
from opd_graphql.api.types.close_outcome import CloseOutcome
from opd_graphql.api.types.doctor import Doctor
from opd_graphql.api.types.enums import MoveTo, TokenSource
from opd_graphql.api.types.errors import from_service_error
from opd_graphql.api.types.inputs import (
    BookTokenInput,
    CreateDoctorInput,
    CreateSlotInput,
    CreateSlotsInput,
    UpdateDoctorInput,
)
from opd_graphql.api.types.results import (
    BookTokenResult,
    CallNextResult,
    CloseResult,
    CreateDoctorResult,
    CreateSlotResult,
    CreateSlotsResult,
    SimulateDayResult,
    TokenResult,
)
from opd_graphql.api.types.simulation import SimulateDayInput, SimulationReport, SimulationRuns
from opd_graphql.api.types.slot import Slot
from opd_graphql.api.types.slot_list import SlotList
from opd_graphql.api.types.token import Token
from opd_graphql.core.metrics import BOOKINGS
from opd_graphql.core.security import Role
from opd_graphql.service import booking, consultation, doctors, moving, slots, tokens
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.errors import ServiceError
from opd_graphql.sim import many, runner
from opd_graphql.store import documents
from opd_graphql.store.lookup import by_ids
from opd_graphql.store.transaction import OutcomeUnknown

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def user_errors(resolver: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Expected failures become members of the result union instead of GraphQL errors.

    A change whose commit was never confirmed is neither: it may have been stored, and
    the caller is told so, to retry with the same idempotency key.
    """

    @functools.wraps(resolver)
    async def resolve(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await resolver(*args, **kwargs)
        except ServiceError as error:
            result: Any = from_service_error(error)
            return result  # type: ignore[no-any-return]
        except OutcomeUnknown:
            log.warning("a commit was not confirmed", exc_info=True)
            raise GraphQLError(
                "The database did not confirm this change: it may or may not have been "
                "made. Send it again with the same idempotencyKey, or look it up.",
                extensions={"code": "OUTCOME_UNKNOWN"},
            ) from None

    return resolve


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a doctor.", permission_classes=[ADMIN])
    @user_errors
    async def create_doctor(
        self, info: strawberry.Info, input: CreateDoctorInput
    ) -> CreateDoctorResult:
        new = doctors.NewDoctor(name=input.name, department=input.department, code=input.code)
        return Doctor.from_document(await doctors.create_doctor(info.context.service, new))

    @strawberry.mutation(
        description="Change a doctor's name, department, room or whether they take bookings.",
        permission_classes=[ADMIN],
    )
    @user_errors
    async def update_doctor(
        self, info: strawberry.Info, id: strawberry.ID, input: UpdateDoctorInput
    ) -> CreateDoctorResult:
        changes = doctors.DoctorChanges(
            name=input.name, department=input.department, room=input.room, active=input.active
        )
        updated = await doctors.update_doctor(info.context.service, id, changes)
        return Doctor.from_document(updated)

    @strawberry.mutation(
        description="Open one slot; its places go to the day's waitlist first.",
        permission_classes=[ADMIN],
    )
    @user_errors
    async def create_slot(self, info: strawberry.Info, input: CreateSlotInput) -> CreateSlotResult:
        service = info.context.service
        new = slots.NewSlot(
            doctor_id=input.doctor_id, start=input.start, end=input.end, capacity=input.capacity
        )
        return Slot.from_document(await slots.create_slot(service, new), service.timezone)

    @strawberry.mutation(
        description="Open a day of equal slots between two times.", permission_classes=[ADMIN]
    )
    @user_errors
    async def create_slots(
        self, info: strawberry.Info, input: CreateSlotsInput
    ) -> CreateSlotsResult:
        service = info.context.service
        new = slots.NewSlots(
            doctor_id=input.doctor_id,
            date=input.date,
            start_time=input.start_time,
            end_time=input.end_time,
            slot_minutes=input.slot_minutes,
            capacity=input.capacity,
        )
        created = await slots.create_slots(service, new)
        return SlotList(slots=[Slot.from_document(s, service.timezone) for s in created])

    @strawberry.mutation(
        description="Give a patient a token for a doctor-day, checked in at once when the "
        "patient is at the desk. A patient's app books ONLINE tokens only.",
        permission_classes=[BOOKING],
    )
    @user_errors
    async def book_token(self, info: strawberry.Info, input: BookTokenInput) -> BookTokenResult:
        service = info.context.service
        caller = viewer(info)
        if caller.role is Role.PATIENT and input.source is not TokenSource.ONLINE:
            raise forbidden("A patient's app may book ONLINE tokens only.")
        if caller.role is Role.PATIENT and input.check_in:
            raise forbidden("A patient's app may not check a patient in; the front desk does.")
        request = booking.BookingRequest(
            doctor_id=input.doctor_id,
            department=input.department,
            date=input.date,
            source=input.source,
            patient_name=input.patient.name,
            patient_phone=input.patient.phone,
            slot_id=input.slot_id,
            places=input.places,
            idempotency_key=input.idempotency_key,
            caller=caller.key,
            booked_by=caller.key if caller.role is Role.PATIENT else None,
            check_in=input.check_in,
        )
        try:
            booked = await booking.book_token(service, request)
        except ServiceError as error:
            BOOKINGS.labels(input.source.value, type(error).__name__).inc()
            raise
        if not booked.replayed:  # counted when it was first booked
            BOOKINGS.labels(input.source.value, booked.token.status.value).inc()
        return Token.from_document(booked.token, service.timezone)

    @strawberry.mutation(
        description="Cancel a token; its place goes to the waitlist.", permission_classes=[DESK]
    )
    @user_errors
    async def cancel_token(
        self, info: strawberry.Info, id: strawberry.ID, reason: str | None = None
    ) -> TokenResult:
        service = info.context.service
        await tokens.cancel_token(service, id, reason)
        return await _as_now(service, id)

    @strawberry.mutation(
        description="The patient did not come; the place goes to the waitlist.",
        permission_classes=[CONSOLE],
    )
    @user_errors
    async def mark_no_show(self, info: strawberry.Info, id: strawberry.ID) -> TokenResult:
        service = info.context.service
        await tokens.mark_no_show(service, id, _may_change(info))
        return await _as_now(service, id)

    @strawberry.mutation(
        description="The patient has arrived: BOOKED -> CHECKED_IN.", permission_classes=[DESK]
    )
    @user_errors
    async def check_in(self, info: strawberry.Info, id: strawberry.ID) -> TokenResult:
        service = info.context.service
        await consultation.check_in(service, id)
        return await _as_now(service, id)

    @strawberry.mutation(
        description="Complete the current consultation, if any, and call the first checked-in "
        "patient in queue order.",
        permission_classes=[CONSOLE],
    )
    @user_errors
    async def call_next(
        self, info: strawberry.Info, doctor_id: strawberry.ID, date: dt.date
    ) -> CallNextResult:
        service = info.context.service
        await _check_acts_on_doctor(info, doctor_id)
        outcome = await consultation.call_next(service, doctor_id, date)
        changed = filter(None, (outcome.called, outcome.completed))
        found = await by_ids(documents.Token, changed)
        shown = {id: Token.from_document(token, service.timezone) for id, token in found.items()}
        return CallNextPayload(
            called=shown.get(outcome.called or ""), completed=shown.get(outcome.completed or "")
        )

    @strawberry.mutation(
        description="The called patient is not in the room: back to CHECKED_IN and called "
        "again after recallAfter others, or a no-show once skipped maxSkips times.",
        permission_classes=[CONSOLE],
    )
    @user_errors
    async def skip_token(self, info: strawberry.Info, id: strawberry.ID) -> TokenResult:
        service = info.context.service
        await consultation.skip_token(service, id, _may_change(info))
        return await _as_now(service, id)

    @strawberry.mutation(
        description="End a consultation: CALLED -> COMPLETED.", permission_classes=[CONSOLE]
    )
    @user_errors
    async def complete_token(self, info: strawberry.Info, id: strawberry.ID) -> TokenResult:
        service = info.context.service
        await consultation.complete_token(service, id, _may_change(info))
        return await _as_now(service, id)

    @strawberry.mutation(
        description="Move a token to another active doctor of its date (a new number there), "
        "or to another slot of its own doctor. A seated token that would lose its place is "
        "not moved.",
        permission_classes=[DESK],
    )
    @user_errors
    async def transfer_token(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        doctor_id: strawberry.ID,
        slot_id: strawberry.ID | None = None,
    ) -> TokenResult:
        service = info.context.service
        await moving.transfer_token(service, id, doctor_id, slot_id)
        return await _as_now(service, id)

    @strawberry.mutation(
        description="Close a slot: its waiting patients move to the doctor's later slots, or "
        "to the department's other doctors.",
        permission_classes=[DESK],
    )
    @user_errors
    async def close_slot(
        self,
        info: strawberry.Info,
        slot_id: strawberry.ID,
        reason: str,
        move_to: MoveTo = MoveTo.SAME_DOCTOR,
    ) -> CloseResult:
        service = info.context.service
        outcome = await moving.close_slot(service, slot_id, reason, move_to)
        return await _closed(service, outcome)

    @strawberry.mutation(
        description="Close a doctor's whole day; under DEPARTMENT its waitlist moves too.",
        permission_classes=[ADMIN],
    )
    @user_errors
    async def close_day(
        self,
        info: strawberry.Info,
        doctor_id: strawberry.ID,
        date: dt.date,
        reason: str,
        move_to: MoveTo = MoveTo.SAME_DOCTOR,
    ) -> CloseResult:
        service = info.context.service
        outcome = await moving.close_day(service, doctor_id, date, reason, move_to)
        return await _closed(service, outcome)

    @strawberry.mutation(
        description="Play a whole OPD day through the real engine on a virtual clock, with "
        "simulated doctors that no query lists, and report how it went; with runs > 1, that "
        "many seeded days on the pure engine, each figure's mean and 95% confidence interval.",
        permission_classes=[ADMIN],
    )
    @user_errors
    async def simulate_day(
        self, info: strawberry.Info, input: SimulateDayInput | None = None
    ) -> SimulateDayResult:
        service = info.context.service
        given = input or SimulateDayInput()
        config = given.to_config(service.policy).validated()
        runs = given.checked_runs(config)
        if runs == 1:
            simulation = await runner.simulate_day(service, config)
            return SimulationReport.from_report(simulation.report)
        days = await many.play_days(service, config, runs, runner.Mode.ENGINE)
        return SimulationRuns.from_days(days)


async def _check_acts_on_doctor(info: strawberry.Info, doctor_id: str) -> None:
    """A DOCTOR key bound to doctors acts only on their queues."""
    caller = viewer(info)
    if caller.doctors is not None:
        check_may_act_on(caller, (await doctors.get_doctor(doctor_id)).code)


def _may_change(info: strawberry.Info) -> tokens.MayChange | None:
    """A DOCTOR key bound to doctors changes only their patients' tokens, checked on the
    token as its change reads it."""
    caller = viewer(info)
    if caller.doctors is None:
        return None

    async def on_their_queue(token: documents.Token) -> None:
        check_may_act_on(caller, (await doctors.get_doctor(str(token.doctor_id))).code)

    return on_their_queue


async def _closed(service: ServiceContext, outcome: moving.CloseOutcome) -> CloseOutcome:
    found = await by_ids(documents.Token, outcome.moved)
    tz = service.timezone
    return CloseOutcome(
        slots=[Slot.from_document(slot, tz) for slot in outcome.slots],
        moved=[Token.from_document(found[id], tz) for id in outcome.moved if id in found],
    )


async def _as_now(service: ServiceContext, token_id: str) -> Token:
    """The token as read just after the mutation's commit."""
    return Token.from_document(await tokens.get_token(token_id), service.timezone)
