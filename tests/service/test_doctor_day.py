"""Changes to doctor-days: one transaction each, whatever else happens to other callers."""

from __future__ import annotations

import asyncio
import contextlib
import random
from datetime import time
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from opd_graphql.engine import HOLDS_PLACE, Source, Status
from opd_graphql.service import consultation, slots, tokens
from opd_graphql.service.doctor_day import OpenDay
from opd_graphql.service.errors import Conflict, InvalidInput
from opd_graphql.store.documents import DoctorDay, OutboxEvent, Token
from opd_graphql.store.transaction import OutcomeUnknown
from tests.service.factories import DAY, a_day, a_doctor, another_process, book, change


async def test_a_refused_change_stores_nothing_and_issues_no_number(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor)
    await book(service, doctor)

    async def refuse(day: OpenDay) -> None:
        day.issue_number()
        raise InvalidInput("No.")

    with pytest.raises(InvalidInput):
        await change(service, doctor, refuse)
    after = await book(service, doctor)

    assert after.number == "CAR1-002"
    assert await Token.find({"doctor_id": doctor.id}).count() == 2


async def test_a_caller_that_goes_away_does_not_stop_its_change(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor)

    async def take_a_number(day: OpenDay) -> int:
        await asyncio.sleep(0)
        return day.issue_number()

    # Cancelled at each of the first awaits once the change has begun: it runs to its end.
    for turns in range(12):
        changing = asyncio.create_task(change(service, doctor, take_a_number))
        for _ in range(turns + 1):
            await asyncio.sleep(0)
        changing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await changing
        await service.settle()

    ledger = await DoctorDay.get(DoctorDay.key(doctor.id, DAY.isoformat()))  # type: ignore[arg-type]
    assert ledger is not None and ledger.tokens_issued == 12


async def test_a_caller_that_goes_away_changes_nothing_for_the_others(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor, capacity=10)
    rng = random.Random(3)
    desks = [asyncio.create_task(book(service, doctor, name=f"Desk {i}")) for i in range(12)]
    leaving = [asyncio.create_task(book(service, doctor, name=f"Leaving {i}")) for i in range(6)]
    for task in leaving:
        for _ in range(rng.randrange(8)):
            await asyncio.sleep(0)
        task.cancel()

    answered = await asyncio.gather(*desks)
    await service.settle()

    assert all(isinstance(token, Token) for token in answered)
    stored = {t.id: t for t in await Token.find({"doctor_id": doctor.id}).to_list()}
    for token in answered:
        assert stored[token.id].number == token.number
    assert sorted(t.seq for t in stored.values()) == list(range(1, len(stored) + 1))


async def test_one_change_failing_unexpectedly_fails_only_itself(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor)

    async def broken(day: OpenDay) -> None:
        await asyncio.sleep(0.01)
        raise RuntimeError("a bug")

    outcomes = await asyncio.gather(
        change(service, doctor, broken),
        book(service, doctor, name="Before or after the bug"),
        return_exceptions=True,
    )

    assert isinstance(outcomes[0], RuntimeError)
    assert isinstance(outcomes[1], Token)
    assert await Token.find({"doctor_id": doctor.id}).count() == 1


async def fail_commits(client: AsyncMongoClient[Any], times: int) -> None:
    """The next `times` commits lose their connection before the database answers."""
    await client.admin.command(
        "configureFailPoint",
        "failCommand",
        mode={"times": times},
        data={"failCommands": ["commitTransaction"], "closeConnection": True},
    )


async def test_a_commit_never_confirmed_is_an_unknown_outcome_and_the_key_settles_it(
    unconfirmed,
):
    doctor = await a_doctor(unconfirmed)
    await a_day(unconfirmed, doctor)
    await fail_commits(unconfirmed.client, 1000)
    try:
        with pytest.raises(OutcomeUnknown):
            await book(unconfirmed, doctor, key="desk-7")
    finally:
        await unconfirmed.client.admin.command("configureFailPoint", "failCommand", mode="off")

    again = await book(unconfirmed, doctor, key="desk-7")
    assert await Token.find({"doctor_id": doctor.id}).count() == 1
    assert again.number == "CAR1-001"


async def test_a_commit_confirmed_on_its_retry_is_a_success(unconfirmed):
    doctor = await a_doctor(unconfirmed)
    await a_day(unconfirmed, doctor)
    await fail_commits(unconfirmed.client, 3)

    booked = await book(unconfirmed, doctor)

    stored = await Token.get(booked.id)
    assert stored is not None and stored.number == booked.number


async def test_another_processs_new_slot_is_used_cancelled_and_called_here(service):
    doctor = await a_doctor(service)
    there = another_process(service)
    first = await a_day(service, doctor, hours=1, capacity=1)
    await book(service, doctor, slot=first[0])  # this process has now read the day

    [later] = await slots.create_slots(
        there, slots.NewSlots(str(doctor.id), DAY, time(11), time(12), 60, 1)
    )
    booked = await book(service, doctor, slot=later)
    assert booked.slot_id == later.id and booked.status is Status.BOOKED

    other = await book(there, doctor)  # waitlisted: both slots are full
    await tokens.cancel_token(service, str(booked.id))
    promoted = await Token.get(other.id)
    assert promoted is not None and promoted.slot_id == later.id

    await consultation.check_in(service, str(other.id))
    called = await consultation.call_next(service, str(doctor.id), DAY)
    assert called.called == str(other.id)


async def test_concurrent_changes_from_two_processes_keep_the_day_whole(service):
    doctor = await a_doctor(service)
    day = await a_day(service, doctor, hours=3, capacity=4)
    processes = [service, another_process(service)]
    chosen = random.Random(7)
    booked: list[Token] = []
    for wave in range(6):
        changes = []
        for i in range(10):
            here = chosen.choice(processes)
            if booked and chosen.random() < 0.3:
                victim = str(chosen.choice(booked).id)
                act = chosen.choice([tokens.cancel_token, tokens.mark_no_show])
                changes.append(act(here, victim))
            else:
                source = chosen.choice([Source.WALK_IN, Source.ONLINE, Source.PAID])
                changes.append(book(here, doctor, source, name=f"P{wave}-{i}"))
        outcomes = await asyncio.gather(*changes, return_exceptions=True)
        assert all(isinstance(o, Token | Conflict) or o is None for o in outcomes), outcomes
        booked += [o for o in outcomes if isinstance(o, Token)]

    stored = await Token.find({"doctor_id": doctor.id}).to_list()
    ledger = await DoctorDay.get(DoctorDay.key(doctor.id, DAY.isoformat()))  # type: ignore[arg-type]
    assert ledger is not None
    assert sorted(t.seq for t in stored) == list(range(1, ledger.tokens_issued + 1))
    for slot in day:
        assert sum(t.slot_id == slot.id and t.status in HOLDS_PLACE for t in stored) <= 4
    free = 3 * 4 - sum(t.status in HOLDS_PLACE for t in stored)
    waiting = sum(t.status is Status.WAITLISTED for t in stored)
    assert not (free and waiting), "someone waits while a place is free"
    for token in stored:
        assert token.history, token.number
        assert await OutboxEvent.find({"token_id": token.id}).count() == len(token.history)
