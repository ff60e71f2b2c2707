"""Department bookings and transfers racing from two processes never overfill a slot."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

from opd_graphql.engine import HOLDS_PLACE, Source, Status
from opd_graphql.service import booking, moving
from opd_graphql.service.errors import ServiceError
from opd_graphql.store.documents import Token
from tests.service.factories import DAY, a_day, a_doctor, another_process


def into_cardiology(name: str) -> booking.BookingRequest:
    return booking.BookingRequest(
        doctor_id=None, department="Cardiology", date=DAY, source=Source.WALK_IN, patient_name=name
    )


async def assert_whole(capacity: int) -> list[Token]:
    stored = await Token.find_all().to_list()
    seated = Counter(t.slot_id for t in stored if t.status in HOLDS_PLACE)
    assert all(count <= capacity for count in seated.values()), seated
    per_day = Counter((t.doctor_id, t.seq) for t in stored)
    assert all(count == 1 for count in per_day.values()), "a number given twice on one day"
    assert len({t.number for t in stored}) == len(stored)
    return stored


async def test_department_bookings_from_two_processes_fill_each_place_once(service):
    doctors = [await a_doctor(service, code) for code in ("CAR1", "CAR2")]
    for doctor in doctors:
        await a_day(service, doctor, hours=3, capacity=2)
    processes = [service, another_process(service)]

    booked = await asyncio.gather(
        *(booking.book_token(processes[i % 2], into_cardiology(f"Patient {i}")) for i in range(30))
    )

    stored = await assert_whole(capacity=2)
    statuses = Counter(b.token.status for b in booked)
    assert statuses == {Status.BOOKED: 12, Status.WAITLISTED: 18}
    assert len(stored) == 30


async def test_transfers_racing_bookings_keep_every_day_whole(service):
    doctors = [await a_doctor(service, code) for code in ("CAR1", "CAR2")]
    for doctor in doctors:
        await a_day(service, doctor, hours=2, capacity=2)
    processes = [service, another_process(service)]
    rng = random.Random(5)
    first = [await booking.book_token(service, into_cardiology(f"First {i}")) for i in range(6)]
    ids = [str(b.token.id) for b in first]

    async def one(i: int) -> object:
        here = processes[i % 2]
        if rng.random() < 0.6:
            target = rng.choice(doctors)
            return await moving.transfer_token(here, rng.choice(ids), str(target.id))
        return await booking.book_token(here, into_cardiology(f"Later {i}"))

    outcomes = await asyncio.gather(*(one(i) for i in range(40)), return_exceptions=True)

    assert all(o is None or isinstance(o, booking.Booking | ServiceError) for o in outcomes), [
        o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ServiceError)
    ]
    stored = await assert_whole(capacity=2)
    assert {str(t.id) for t in stored} >= set(ids)
