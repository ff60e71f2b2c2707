from __future__ import annotations

import asyncio
from typing import Any

import pytest

from opd_graphql.service.turns import Turns


class Recorder:
    """A `run` that records its batches, one at a time, and fails when told to."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.batches: list[list[str]] = []
        self.running = 0
        self.overlapped = False
        self.fail_on = fail_on

    async def __call__(self, batch: list[str]) -> None:
        self.overlapped |= self.running > 0
        self.running += 1
        self.batches.append(batch)
        await asyncio.sleep(0.01)
        self.running -= 1
        if self.fail_on in batch:
            raise ValueError(self.fail_on)


async def queued(turns: Turns[str], run: Recorder, *items: str) -> list[asyncio.Task[None]]:
    """The first item's batch running on "day", and the others waiting behind it."""
    first = asyncio.create_task(turns.take("day", items[0], run))
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(turns.take("day", item, run)) for item in items[1:]]
    await asyncio.sleep(0)
    return [first, *waiting]


async def test_whoever_waits_behind_a_batch_goes_in_the_next_one_together():
    turns: Turns[str] = Turns()
    run = Recorder()

    await asyncio.gather(*(turns.take("day", f"c{i}", run) for i in range(5)))

    assert run.batches == [["c0"], ["c1", "c2", "c3", "c4"]]
    assert not run.overlapped
    assert len(turns) == 0


async def test_each_day_has_its_own_queue():
    turns: Turns[str] = Turns()
    run = Recorder()

    await asyncio.gather(turns.take("a", "a1", run), turns.take("b", "b1", run))

    assert run.overlapped  # both days ran at once
    assert sorted(map(tuple, run.batches)) == [("a1",), ("b1",)]


async def test_a_batch_holds_at_most_so_many_and_the_oldest_go_first():
    turns: Turns[str] = Turns(most=2)
    run = Recorder()

    await asyncio.gather(*(turns.take("day", f"c{i}", run) for i in range(6)))

    assert run.batches == [["c0"], ["c1", "c2"], ["c3", "c4"], ["c5"]]


async def test_a_failed_batch_fails_only_the_caller_whose_turn_it_was():
    turns: Turns[str] = Turns()
    run = Recorder(fail_on="c1")

    outcomes = await asyncio.gather(
        *(turns.take("day", f"c{i}", run) for i in range(4)), return_exceptions=True
    )

    assert [type(outcome).__name__ for outcome in outcomes] == [
        "NoneType",
        "ValueError",
        "NoneType",
        "NoneType",
    ]
    assert len(turns) == 0


async def test_a_caller_that_gives_up_waiting_is_left_out_and_the_queue_goes_on():
    turns: Turns[str] = Turns()
    run = Recorder()
    first, impatient, patient = await queued(turns, run, "c0", "c1", "c2")

    impatient.cancel()
    await asyncio.gather(first, patient)

    with pytest.raises(asyncio.CancelledError):
        await impatient
    assert run.batches == [["c0"], ["c2"]]
    assert len(turns) == 0


class CancelledOnItsTurn(Turns[str]):
    """Cancels a caller just as it is handed the lead, before it can resume."""

    victim: asyncio.Task[None] | None = None

    def _pass_on(self, key: str, waiting: Any) -> None:
        super()._pass_on(key, waiting)
        victim, self.victim = self.victim, None
        if victim is not None:
            victim.cancel()


async def test_a_caller_cancelled_on_being_handed_its_turn_hands_it_on():
    turns = CancelledOnItsTurn()
    run = Recorder()
    first, second, third = await queued(turns, run, "c0", "c1", "c2")
    turns.victim = second

    await asyncio.gather(first, second, third, return_exceptions=True)

    assert second.cancelled()
    assert run.batches == [["c0"], ["c2"]]
    assert len(turns) == 0
