"""Changes to one doctor-day from one process, sharing transactions."""

from __future__ import annotations

import asyncio
import random

import pytest
from prometheus_client import REGISTRY
from pymongo.errors import OperationFailure

from opd_graphql.engine import HOLDS_PLACE, Source, Status
from opd_graphql.service import tokens
from opd_graphql.service.errors import Conflict, InvalidInput
from opd_graphql.service.open_day import OpenDay
from opd_graphql.store.documents import DoctorDay, IdempotencyKey, OutboxEvent, Token
from tests.service.factories import DAY, a_day, a_doctor, another_process, book, change


def commits(names: list[str]) -> int:
    return names.count("commitTransaction")


async def test_bookings_waiting_on_a_busy_day_share_one_transaction(counted):
    here, commands = counted
    doctor = await a_doctor(here)
    await a_day(here, doctor, capacity=10)
    await book(here, doctor)  # the doctor and the day are now known to the process
    retries = REGISTRY.get_sample_value("opd_transaction_retries_total") or 0.0
    commands.names.clear()

    booked = await asyncio.gather(*(book(here, doctor, name=f"P{i}") for i in range(12)))

    # The first goes alone; the eleven that queued behind it go together.
    assert commits(commands.names) == 2
    assert [t.number for t in booked] == [f"CAR1-{n:03d}" for n in range(2, 14)]
    assert REGISTRY.get_sample_value("opd_transaction_retries_total") == retries
    assert len(here.turns) == 0
    ledger = await DoctorDay.get(DoctorDay.key(doctor.id, DAY.isoformat()))  # type: ignore[arg-type]
    assert ledger is not None and ledger.tokens_issued == 13
    stored = await Token.find({"doctor_id": doctor.id}).count()
    assert stored == 13
    assert await OutboxEvent.find({"kind": "BOOKED"}).count() == 13


async def test_a_refused_change_leaves_the_others_in_its_transaction_alone(counted):
    here, commands = counted
    doctor = await a_doctor(here)
    await a_day(here, doctor, capacity=10)
    cancelled = await book(here, doctor)
    await tokens.cancel_token(here, str(cancelled.id))
    commands.names.clear()

    outcomes = await asyncio.gather(
        book(here, doctor, name="First"),
        book(here, doctor, name="Second"),
        tokens.mark_no_show(here, str(cancelled.id)),  # refused: it was cancelled
        book(here, doctor, name="Third"),
        return_exceptions=True,
    )

    first, second, refused, third = outcomes
    assert isinstance(refused, Conflict)
    assert [t.number for t in (first, second, third)] == ["CAR1-002", "CAR1-003", "CAR1-004"]  # type: ignore[union-attr]
    assert commits(commands.names) == 2
    again = await Token.get(cancelled.id)
    assert again is not None and again.status is Status.CANCELLED
    assert len(again.history) == 2  # booked, cancelled: nothing from the refusal


async def test_a_refused_booking_issues_no_number_to_the_next(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor)
    await book(service, doctor)

    async def refuse_after_taking_a_number(day: OpenDay) -> None:
        day.issue_number()
        raise InvalidInput("Refused on purpose.", "date")

    before, refused, after = await asyncio.gather(
        book(service, doctor, name="Before"),
        change(service, doctor, refuse_after_taking_a_number),
        book(service, doctor, name="After"),
        return_exceptions=True,
    )

    assert isinstance(refused, InvalidInput)
    assert [before.number, after.number] == ["CAR1-002", "CAR1-003"]  # type: ignore[union-attr]


async def test_one_change_failing_unexpectedly_fails_only_itself(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor, capacity=10)
    await book(service, doctor)

    async def broken(day: OpenDay) -> None:
        raise RuntimeError("a bug in one change")

    outcomes = await asyncio.gather(
        book(service, doctor, name="Before"),
        book(service, doctor, name="Also before"),
        change(service, doctor, broken),
        book(service, doctor, name="After"),
        return_exceptions=True,
    )

    assert isinstance(outcomes[2], RuntimeError)
    numbers = sorted(t.number for t in outcomes if isinstance(t, Token))
    assert numbers == ["CAR1-002", "CAR1-003", "CAR1-004"]


async def test_a_database_failure_fails_its_whole_transaction_and_is_not_retried(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor, capacity=10)
    await book(service, doctor)
    runs = 0

    async def database_fails(day: OpenDay) -> None:
        nonlocal runs
        runs += 1
        raise OperationFailure("the database gave up")

    first, failed, second = await asyncio.gather(
        book(service, doctor, name="Alone before"),
        change(service, doctor, database_fails),
        book(service, doctor, name="With it"),
        return_exceptions=True,
    )

    assert isinstance(first, Token)
    assert isinstance(failed, OperationFailure) and isinstance(second, OperationFailure)
    assert runs == 1
    assert await Token.find({"patient.name": "With it"}).count() == 0


async def test_one_key_twice_in_one_transaction_books_once(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor, capacity=10)
    await book(service, doctor)

    outcomes = await asyncio.gather(
        book(service, doctor, name="Other"),
        book(service, doctor, name="Retried", key="desk-7"),
        book(service, doctor, name="Retried", key="desk-7"),
        book(service, doctor, name="Another"),
    )

    assert outcomes[1].id == outcomes[2].id
    assert await Token.find({"patient.name": "Retried"}).count() == 1
    assert await IdempotencyKey.find_all().count() == 1
    assert len({t.id for t in outcomes}) == 3


@pytest.mark.parametrize("changes", [1, 3])
async def test_a_transaction_of_refusals_only_changes_nothing(service, changes):
    doctor = await a_doctor(service)
    await a_day(service, doctor)
    token = await book(service, doctor)
    await tokens.cancel_token(service, str(token.id))
    key = DoctorDay.key(doctor.id, DAY.isoformat())  # type: ignore[arg-type]
    before = await DoctorDay.get(key)

    outcomes = await asyncio.gather(
        *(tokens.mark_no_show(service, str(token.id)) for _ in range(changes)),
        return_exceptions=True,
    )

    assert all(isinstance(outcome, Conflict) for outcome in outcomes)
    after = await DoctorDay.get(key)
    assert before is not None and after is not None
    assert (after.version, after.tokens_issued) == (before.version, before.tokens_issued)


async def test_concurrent_changes_from_two_processes_keep_the_day_whole(service):
    doctor = await a_doctor(service)
    slots = await a_day(service, doctor, hours=3, capacity=4)
    processes = [service, another_process(service)]
    chosen = random.Random(7)
    booked: list[Token] = []
    for wave in range(6):
        changes = []
        for i in range(10):
            here = chosen.choice(processes)
            if booked and chosen.random() < 0.3:
                victim = str(chosen.choice(booked).id)
                change = chosen.choice([tokens.cancel_token, tokens.mark_no_show])
                changes.append(change(here, victim))
            else:
                source = chosen.choice([Source.WALK_IN, Source.ONLINE, Source.PAID])
                changes.append(book(here, doctor, source, name=f"P{wave}-{i}"))
        outcomes = await asyncio.gather(*changes, return_exceptions=True)
        assert all(isinstance(o, (Token, Conflict)) or o is None for o in outcomes), outcomes
        booked += [o for o in outcomes if isinstance(o, Token)]

    stored = await Token.find({"doctor_id": doctor.id}).to_list()
    ledger = await DoctorDay.get(DoctorDay.key(doctor.id, DAY.isoformat()))  # type: ignore[arg-type]
    assert ledger is not None
    assert sorted(t.seq for t in stored) == list(range(1, ledger.tokens_issued + 1))
    for slot in slots:
        assert sum(t.slot_id == slot.id and t.status in HOLDS_PLACE for t in stored) <= 4
    free = 3 * 4 - sum(t.status in HOLDS_PLACE for t in stored)
    waiting = sum(t.status is Status.WAITLISTED for t in stored)
    assert not (free and waiting), "someone waits while a place is free"
    events = OutboxEvent.get_pymongo_collection()
    for token in stored:
        assert token.history, token.number
        assert await events.count_documents({"token_id": token.id}) == len(token.history)
