from __future__ import annotations

from datetime import timedelta

import pytest

from opd_graphql.engine import EventKind, Source, Status
from opd_graphql.service import consultation, doctors, moving, tokens
from opd_graphql.service.errors import Conflict
from opd_graphql.service.expiry import (
    EVENTS_KEPT,
    drop_old_events,
    expire_ended_days,
)
from opd_graphql.service.queue import read_day
from opd_graphql.store import days
from opd_graphql.store.documents import OutboxEvent, Token
from tests.service.factories import DAY, a_day, a_doctor, book, scanned_index


async def test_the_doctor_calls_checked_in_patients_in_queue_order(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor)
    walk_in = await book(service, doctor)
    emergency = await book(service, doctor, Source.EMERGENCY)
    not_here = await book(service, doctor, Source.PAID)
    for token in (walk_in, emergency):
        await consultation.check_in(service, str(token.id))

    first = await consultation.call_next(service, str(doctor.id), DAY)
    second = await consultation.call_next(service, str(doctor.id), DAY)
    last = await consultation.call_next(service, str(doctor.id), DAY)

    assert (first.called, first.completed) == (str(emergency.id), None)
    assert (second.called, second.completed) == (str(walk_in.id), str(emergency.id))
    assert (last.called, last.completed) == (None, str(walk_in.id))
    assert (await tokens.get_token(str(walk_in.id))).status is Status.COMPLETED
    history = (await Token.get(emergency.id)).history  # type: ignore[union-attr]
    assert [e.kind for e in history] == [
        EventKind.BOOKED,
        EventKind.CHECKED_IN,
        EventKind.CALLED,
        EventKind.COMPLETED,
    ]
    assert (await Token.get(not_here.id)).status is Status.BOOKED  # type: ignore[union-attr]


async def test_complete_ends_the_called_consultation(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor)
    token = await book(service, doctor)
    await consultation.check_in(service, str(token.id))
    await consultation.call_next(service, str(doctor.id), DAY)

    await consultation.complete_token(service, str(token.id))

    assert (await tokens.get_token(str(token.id))).status is Status.COMPLETED
    assert (await read_day(service, doctor.id, DAY)).now_serving is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        ("booked", "complete"),
        ("waitlisted", "check_in"),
        ("completed", "cancel"),
        ("completed", "no_show"),
        ("checked_in", "check_in"),
    ],
)
async def test_illegal_transitions_are_conflicts_and_change_nothing(service, setup, action):
    doctor = await a_doctor(service)
    await a_day(service, doctor, hours=1, capacity=1)
    seated = await book(service, doctor)
    waiting = await book(service, doctor)
    target = waiting if setup == "waitlisted" else seated
    if setup in ("checked_in", "completed"):
        await consultation.check_in(service, str(seated.id))
    if setup == "completed":
        await consultation.call_next(service, str(doctor.id), DAY)
        await consultation.complete_token(service, str(seated.id))
    before = await Token.get(target.id)
    actions = {
        "complete": consultation.complete_token,
        "check_in": consultation.check_in,
        "cancel": tokens.cancel_token,
        "no_show": tokens.mark_no_show,
    }

    with pytest.raises(Conflict) as refused:
        await actions[action](service, str(target.id))

    assert target.number in refused.value.message
    assert await Token.get(target.id) == before


async def test_queue_order_estimates_and_waitlist_positions(service, clock):
    doctor = await a_doctor(service)
    await a_day(service, doctor, hours=2, capacity=2)  # 09:00 and 10:00, 30 minutes each
    booked = [await book(service, doctor, name=f"P{i}") for i in range(4)]
    waiting = [await book(service, doctor, name=f"W{i}") for i in range(2)]
    emergency = await book(service, doctor, Source.EMERGENCY)

    view = await read_day(service, doctor.id, DAY)  # type: ignore[arg-type]

    assert view.entries[0].id == emergency.id
    assert [t.source for t in view.entries].count(Source.EMERGENCY) == 1
    estimates = [view.estimates[str(t.id)] for t in view.entries]
    assert estimates == sorted(estimates)
    assert estimates[0].hour == 9 and estimates[0].minute == 0
    assert [view.waitlist_position(str(t.id)) for t in view.waitlist] == [1, 2, 3]
    assert {str(t.id) for t in waiting} <= {str(t.id) for t in view.waitlist}
    assert len(booked) == 4


async def test_the_waitlist_expires_when_the_day_is_over(service, clock):
    doctor = await a_doctor(service)
    await a_day(service, doctor, hours=1, capacity=1)
    await book(service, doctor)
    waiting = await book(service, doctor)

    assert await expire_ended_days(service) == 0
    clock.set(10, 0)
    assert await expire_ended_days(service) == 1
    assert await expire_ended_days(service) == 0

    expired = await Token.get(waiting.id)
    assert expired is not None and expired.status is Status.EXPIRED
    assert expired.history[-1].kind is EventKind.EXPIRED


async def test_the_expiry_sweep_leaves_simulated_days_to_their_simulation(service, clock):
    simulated = await doctors.create_doctor(
        service,
        doctors.NewDoctor(name="Sim", department="Cardiology", code="SIM1", simulation_id="s1"),
    )
    real = await a_doctor(service)
    for doctor in (simulated, real):
        await a_day(service, doctor, hours=1, capacity=1)
        await book(service, doctor)
    waiting = await book(service, simulated)
    await book(service, real)
    clock.set(10, 0)

    assert await expire_ended_days(service) == 1  # the real doctor's
    still = await Token.get(waiting.id)
    assert still is not None and still.status is Status.WAITLISTED


async def test_the_expiry_sweep_reads_an_index_of_waitlisted_tokens_only(service):
    database = Token.get_pymongo_collection().database
    query = days.waitlisted_until(DAY.isoformat())

    scan = await scanned_index(database, {"find": "tokens", "filter": query})
    assert scan == ("IXSCAN", "waitlisted_date")


async def test_events_older_than_a_week_leave_the_outbox_through_an_index(counted):
    here, commands = counted
    doctor = await a_doctor(here)
    await a_day(here, doctor)
    await book(here, doctor)
    events = OutboxEvent.get_pymongo_collection()
    written = await events.count_documents({})
    old = here.now() - EVENTS_KEPT - timedelta(minutes=1)
    await events.insert_one({"kind": "BOOKED", "at": old})
    commands.sent.clear()

    assert await drop_old_events(here) == 1
    assert await events.count_documents({}) == written

    [delete] = [c for c in commands.sent if c.get("delete") == "events"]
    database = here.client[delete["$db"]]
    query = delete["deletes"][0]["q"]
    assert await scanned_index(database, {"find": "events", "filter": query}) == ("IXSCAN", "at")


async def test_the_right_to_change_a_token_is_checked_on_the_day_the_change_holds(service):
    here, there = await a_doctor(service, "CAR1"), await a_doctor(service, "ENT1")
    for doctor in (here, there):
        await a_day(service, doctor)
    token = await book(service, here)
    seen: list[str] = []

    async def only_car1(found: Token) -> None:
        seen.append(str(found.doctor_id))
        if found.doctor_id != here.id:
            raise PermissionError("ENT1's patient")
        if len(seen) == 1:  # moved away after the right was checked, before the change
            await moving.transfer_token(service, str(token.id), str(there.id))

    with pytest.raises(PermissionError):
        await tokens.mark_no_show(service, str(token.id), only_car1)

    assert seen == [str(here.id), str(there.id)]
    moved = await tokens.get_token(str(token.id))
    assert (moved.doctor_id, moved.status) == (there.id, Status.BOOKED)
