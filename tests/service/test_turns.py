from __future__ import annotations

import asyncio

from prometheus_client import REGISTRY

from opd_graphql.service.turns import Turns
from tests.service.factories import a_day, a_doctor, book


async def test_a_day_takes_one_change_at_a_time_and_forgets_the_queue():
    turns = Turns()
    inside: list[str] = []
    overlaps = []

    async def change(name: str) -> None:
        async with turns.of("day"):
            overlaps.append(bool(inside))
            inside.append(name)
            await asyncio.sleep(0.01)
            inside.remove(name)

    await asyncio.gather(*(change(f"c{i}") for i in range(5)), change_other(turns))

    assert overlaps == [False] * 5
    assert len(turns) == 0


async def change_other(turns: Turns) -> None:
    async with turns.of("another day"):
        await asyncio.sleep(0.01)


async def test_concurrent_bookings_of_one_day_in_one_process_do_not_retry(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor, capacity=10)
    retries = REGISTRY.get_sample_value("opd_transaction_retries_total") or 0.0

    booked = await asyncio.gather(*(book(service, doctor, name=f"P{i}") for i in range(12)))

    assert len({token.number for token in booked}) == 12
    assert REGISTRY.get_sample_value("opd_transaction_retries_total") == retries
    assert len(service.turns) == 0
