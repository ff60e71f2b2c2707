from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import time

import pytest

from opd_graphql import engine
from opd_graphql.engine import EventKind, Source, Status
from opd_graphql.service import booking, tokens
from opd_graphql.service import slots as slot_service
from opd_graphql.service.errors import Conflict
from opd_graphql.service.queue import read_day
from opd_graphql.store.documents import DoctorDay, OutboxEvent, Token
from tests.service.factories import DAY, a_day, a_doctor, another_process, book


async def test_a_booking_takes_the_earliest_open_slot_and_a_readable_number(service):
    doctor = await a_doctor(service)
    first, _, _ = await a_day(service, doctor)

    token = await book(service, doctor)

    assert token.number == "CAR1-001"
    assert token.status is Status.BOOKED
    assert token.slot_id == first.id
    assert [e.kind for e in token.history] == [EventKind.BOOKED]
    stored = await Token.get(token.id)
    assert stored is not None and stored.status is Status.BOOKED


async def test_a_paid_patient_displaces_the_latest_walk_in_to_the_next_slot(service):
    doctor = await a_doctor(service)
    first, second, _ = await a_day(service, doctor)
    early = await book(service, doctor, name="Early Walkin")
    late = await book(service, doctor, name="Late Walkin")

    paid = await book(service, doctor, Source.PAID)

    moved = await Token.get(late.id)
    assert paid.slot_id == first.id
    assert moved is not None and moved.slot_id == second.id
    assert moved.displacements == 1
    assert [(e.kind, e.caused_by) for e in moved.history] == [
        (EventKind.BOOKED, None),
        (EventKind.DISPLACED, paid.id),
        (EventKind.MOVED, paid.id),
    ]
    assert (await Token.get(early.id)).slot_id == first.id  # type: ignore[union-attr]


async def test_an_emergency_overbooks_under_the_overbook_policy(service):
    ctx = replace(service, policy=engine.Policy(emergency_mode=engine.EmergencyMode.OVERBOOK))
    doctor = await a_doctor(ctx)
    first, _, _ = await a_day(ctx, doctor, capacity=1)
    walk_in = await book(ctx, doctor)

    emergency = await book(ctx, doctor, Source.EMERGENCY)

    assert emergency.slot_id == first.id
    assert [e.kind for e in emergency.history] == [EventKind.OVERBOOKED]
    assert (await Token.get(walk_in.id)).slot_id == first.id  # type: ignore[union-attr]


async def test_a_cancellation_promotes_the_best_ranked_waitlisted_token(service):
    doctor = await a_doctor(service)
    [slot] = await a_day(service, doctor, hours=1, capacity=1)
    seated = await book(service, doctor, Source.PAID)
    walk_in = await book(service, doctor, Source.WALK_IN)
    online = await book(service, doctor, Source.ONLINE)
    assert walk_in.status is online.status is Status.WAITLISTED

    await tokens.cancel_token(service, str(seated.id), "Feeling better")

    cancelled = await tokens.get_token(str(seated.id))
    promoted = await Token.get(online.id)
    assert cancelled.status is Status.CANCELLED
    assert cancelled.history[-1].note == "Feeling better"
    assert promoted is not None and promoted.status is Status.BOOKED
    assert promoted.slot_id == slot.id
    assert (promoted.history[-1].kind, promoted.history[-1].caused_by) == (
        EventKind.PROMOTED,
        seated.id,
    )
    assert (await Token.get(walk_in.id)).status is Status.WAITLISTED  # type: ignore[union-attr]


async def test_a_new_slot_offers_its_places_to_the_waitlist(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor, hours=1, capacity=1)
    await book(service, doctor)
    waiting = await book(service, doctor)

    [extra] = await slot_service.create_slots(
        service,
        slot_service.NewSlots(
            doctor_id=str(doctor.id),
            date=DAY,
            start_time=time(10),
            end_time=time(11),
            slot_minutes=60,
            capacity=1,
        ),
    )

    promoted = await Token.get(waiting.id)
    assert promoted is not None and promoted.slot_id == extra.id
    assert promoted.history[-1].kind is EventKind.PROMOTED


async def test_every_change_bumps_the_ledger_and_writes_outbox_events(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor, hours=1, capacity=1)
    first = await book(service, doctor)
    await book(service, doctor)
    await tokens.cancel_token(service, str(first.id))

    ledger = await DoctorDay.get(DoctorDay.key(doctor.id, DAY.isoformat()))  # type: ignore[arg-type]
    events = await OutboxEvent.find({"doctor_id": doctor.id}).sort("version").to_list()
    assert ledger is not None and ledger.version == 4  # slots, two bookings, a cancellation
    assert [(e.version, e.kind) for e in events] == [
        (2, EventKind.BOOKED),
        (3, EventKind.WAITLISTED),
        (4, EventKind.CANCELLED),
        (4, EventKind.PROMOTED),
    ]


async def test_forty_concurrent_bookings_for_five_places(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor, hours=1, capacity=5)

    booked = await asyncio.gather(*(book(service, doctor, name=f"Patient {i}") for i in range(40)))

    statuses = [t.status for t in booked]
    assert statuses.count(Status.BOOKED) == 5
    assert statuses.count(Status.WAITLISTED) == 35
    assert len({t.number for t in booked}) == 40
    day = await read_day(service, doctor.id, DAY)  # type: ignore[arg-type]
    assert len(day.entries) == 5 and len(day.waitlist) == 35


async def test_a_retry_with_the_same_idempotency_key_books_nothing_new(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor)

    first = await book(service, doctor, key="desk-1-0001")
    again = await book(service, doctor, key="desk-1-0001")
    racing = await asyncio.gather(*(book(service, doctor, key="desk-1-0002") for _ in range(5)))

    assert again.id == first.id
    assert len({t.id for t in racing}) == 1
    assert await Token.find_all().count() == 2


async def test_cancel_is_idempotent_and_a_no_show_after_cancel_is_a_conflict(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor)
    token = await book(service, doctor)
    await tokens.cancel_token(service, str(token.id))

    await tokens.cancel_token(service, str(token.id))

    again = await tokens.get_token(str(token.id))
    assert again.status is Status.CANCELLED
    assert [e.kind for e in again.history].count(EventKind.CANCELLED) == 1
    try:
        await tokens.mark_no_show(service, str(token.id))
    except tokens.Conflict as conflict:
        assert "CAR1-001" in conflict.message
    else:
        raise AssertionError("a no-show after a cancellation must be refused")


async def test_a_context_is_handed_the_events_of_each_commit_it_made(service):
    handed: list[list[OutboxEvent]] = []
    following = replace(service, committed=lambda events: handed.append(list(events)))
    doctor = await a_doctor(following)
    await a_day(following, doctor, hours=1, capacity=1)
    walk_in = await book(following, doctor)
    paid = await book(following, doctor, Source.PAID)  # the walk-in goes to the waitlist
    with pytest.raises(Conflict):
        await tokens.mark_no_show(following, str(walk_in.id))

    kinds = [[(e.token_id, e.kind, e.version) for e in events] for events in handed]
    assert kinds == [
        [(walk_in.id, EventKind.BOOKED, 2)],
        [
            (paid.id, EventKind.BOOKED, 3),
            (walk_in.id, EventKind.DISPLACED, 3),
            (walk_in.id, EventKind.WAITLISTED, 3),
        ],
    ]
    stored = await OutboxEvent.find(OutboxEvent.doctor_id == doctor.id).sort("+_id").to_list()
    assert [(e.token_id, e.kind, e.version) for e in stored] == kinds[0] + kinds[1]


def keyed(doctor, key: str, caller: str | None, name: str = "Ravi Kumar", **changes):
    request = booking.BookingRequest(
        doctor_id=str(doctor.id),
        date=DAY,
        source=Source.WALK_IN,
        patient_name=name,
        idempotency_key=key,
        caller=caller,
    )
    return replace(request, **changes)


async def test_a_key_belongs_to_its_caller(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor)

    mine = await booking.book_token(service, keyed(doctor, "app-1", "patient-a", "Asha"))
    theirs = await booking.book_token(service, keyed(doctor, "app-1", "patient-b", "Bela"))

    assert mine.token.id != theirs.token.id and not theirs.replayed
    assert theirs.token.patient.name == "Bela"
    assert await Token.find_all().count() == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"source": Source.PAID},
        {"patient_name": "Someone Else"},
        {"patient_phone": "+919800000000"},
        {"check_in": True},
    ],
)
async def test_a_key_sent_again_with_another_request_is_a_conflict(service, changes):
    doctor = await a_doctor(service)
    await a_day(service, doctor)
    await booking.book_token(service, keyed(doctor, "desk-1", "desk"))

    with pytest.raises(Conflict) as refused:
        await booking.book_token(service, keyed(doctor, "desk-1", "desk", **changes))

    assert refused.value.field == "idempotencyKey"
    assert await Token.find_all().count() == 1


async def test_a_key_sent_again_for_another_doctor_is_a_conflict(service):
    doctor = await a_doctor(service)
    other = await a_doctor(service, code="CAR2")
    await a_day(service, doctor)
    await a_day(service, other)
    await booking.book_token(service, keyed(doctor, "desk-1", "desk"))

    with pytest.raises(Conflict):
        await booking.book_token(service, keyed(other, "desk-1", "desk"))
    assert await Token.find_all().count() == 1


async def test_twenty_identical_requests_at_once_in_two_processes_book_one_token(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor)
    processes = [service, another_process(service)]

    booked = await asyncio.gather(
        *(booking.book_token(processes[i % 2], keyed(doctor, "k", "desk")) for i in range(20))
    )

    assert len({b.token.id for b in booked}) == 1
    assert sum(not b.replayed for b in booked) == 1
    assert await Token.find_all().count() == 1
