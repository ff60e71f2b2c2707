"""Open-loop load: each operation starts at its moment, however long the earlier ones take.

So a slow answer cannot slow the arrivals down and hide itself: every latency is taken
from the moment the operation was due, and the client's own lag is reported beside it.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx

from opd_graphql.bench import api
from opd_graphql.bench.hospital_report import Delivery
from opd_graphql.bench.measure import ERROR_SAMPLES, Summary, percentile
from opd_graphql.bench.subscribers import Subscribers
from opd_graphql.bench.workload import Booking

DRAIN_SECONDS = 15.0
POLL_SECONDS = 0.05
# Past this many seconds' worth of arrivals (at least MIN_WAITING) waiting for an answer,
# the API is saturated: the client lets the next ones pass, and counts them.
WAITING_SECONDS = 5.0
MIN_WAITING = 8


def schedule(count: int, seconds: float, rng: random.Random) -> list[float]:
    """`count` moments in `seconds` as independent arrivals come (a Poisson process given
    its count): bursts happen as they would, and the count is as planned."""
    return sorted(rng.uniform(0, seconds) for _ in range(count))


@dataclass
class Pace:
    """How the client kept to a schedule: its latest start, and the moments it let pass."""

    lag_s: float = 0.0
    not_sent: int = 0
    waiting: int = 0

    def answered(self, _: object) -> None:
        self.waiting -= 1


async def paced(
    offsets: list[float], operation: Callable[[int, float], Awaitable[None]], most_waiting: int
) -> Pace:
    """Starts operation(i, moment) at each offset from now, whether or not the earlier ones
    are done, and waits for all. A moment that finds `most_waiting` operations unanswered
    is let pass: past saturation the backlog, and the run, would grow without end."""
    started = time.perf_counter()
    tasks: list[asyncio.Future[None]] = []
    pace = Pace()
    for index, offset in enumerate(offsets):
        moment = started + offset
        delay = moment - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        pace.lag_s = max(pace.lag_s, time.perf_counter() - moment)
        if pace.waiting >= most_waiting:
            pace.not_sent += 1
            continue
        pace.waiting += 1
        task = asyncio.ensure_future(operation(index, moment))
        task.add_done_callback(pace.answered)
        tasks.append(task)
    await asyncio.gather(*tasks)
    return pace


@dataclass(frozen=True)
class Played:
    booking: Summary
    changes: Summary
    screens: Delivery
    phones: Delivery
    send_lag_ms: float
    not_sent: tuple[int, int]  # bookings and changes let pass, the API being saturated


async def play(
    http: list[httpx.AsyncClient],
    subscribers: Subscribers,
    bookings: list[tuple[int, Booking]],
    changes: list[tuple[str, str, str]],
    seconds: float,
    rng: random.Random,
) -> Played:
    """Books (doctor, booking) and makes the (mutation, token id, new status) changes at
    random moments over `seconds`, each to the processes in turn; then waits until every
    screen and phone has shown what it should, or DRAIN_SECONDS have passed."""
    booked: list[tuple[int, str, float, float]] = []
    changed: list[tuple[str, str, float, float]] = []
    errors: tuple[list[str], list[str]] = ([], [])

    async def book(index: int, moment: float) -> None:
        doctor, booking = bookings[index]
        try:
            token = await api.book(http[index % len(http)], booking)
        except (api.Failed, httpx.HTTPError) as error:
            errors[0].append(f"{type(error).__name__}: {error}"[:300])
            return
        booked.append((doctor, token["number"], moment, time.perf_counter()))

    async def change(index: int, moment: float) -> None:
        field, token_id, status = changes[index]
        try:
            await api.change_token(http[index % len(http)], field, token_id)
        except (api.Failed, httpx.HTTPError) as error:
            errors[1].append(f"{type(error).__name__}: {error}"[:300])
            return
        changed.append((token_id, status, moment, time.perf_counter()))

    begun = time.perf_counter()
    paces = await asyncio.gather(
        paced(schedule(len(bookings), seconds, rng), book, _most_waiting(bookings, seconds)),
        paced(schedule(len(changes), seconds, rng), change, _most_waiting(changes, seconds)),
    )
    ended = max([begun + seconds] + [answered for *_, answered in booked + changed])

    def screens_seen() -> list[float | None]:
        return [subscribers.screen_saw(doctor, number) for doctor, number, *_ in booked]

    def phones_seen() -> list[float | None]:
        return [subscribers.phone_saw(token_id, status) for token_id, status, *_ in changed]

    def delivered() -> bool:
        screens = zip(booked, screens_seen(), strict=True)
        phones = zip(changed, phones_seen(), strict=True)
        return all(seen or subscribers.screen_lost(b[0]) for b, seen in screens) and all(
            seen or subscribers.phone_lost(c[0]) for c, seen in phones
        )

    deadline = time.perf_counter() + DRAIN_SECONDS
    while not delivered() and time.perf_counter() < deadline:
        await asyncio.sleep(POLL_SECONDS)
    return Played(
        booking=_summary([a - m for *_, m, a in booked], errors[0], ended - begun),
        changes=_summary([a - m for *_, m, a in changed], errors[1], ended - begun),
        screens=_delivery(booked, screens_seen()),
        phones=_delivery(changed, phones_seen()),
        send_lag_ms=max(pace.lag_s for pace in paces) * 1000,
        not_sent=(paces[0].not_sent, paces[1].not_sent),
    )


def _most_waiting(planned: Sequence[object], seconds: float) -> int:
    return max(MIN_WAITING, math.ceil(len(planned) / seconds * WAITING_SECONDS))


def _delivery(
    done: Sequence[tuple[object, str, float, float]], seen: list[float | None]
) -> Delivery:
    latencies = [at - moment for (*_, moment, _), at in zip(done, seen, strict=True) if at]
    return Delivery.of(len(done), latencies)


def _summary(latencies: list[float], errors: list[str], seconds: float) -> Summary:
    return Summary(
        done=len(latencies),
        errors=len(errors),
        seconds=seconds,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        error_samples=tuple(errors[:ERROR_SAMPLES]),
    )
