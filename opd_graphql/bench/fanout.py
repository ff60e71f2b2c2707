"""Booking -> screen: how long one booking takes to reach every waiting-room screen.

Each screen is its own WebSocket connection (graphql-transport-ws) with one `queueUpdated`
subscription, as a real board has. The server coalesces bursts and sends the whole queue,
so a booking is matched to a screen's message by its token number appearing in the queue,
never by message order; a message may even arrive before the booking's HTTP answer does.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.typing import Subprotocol

from opd_graphql.bench.api import Failed, book
from opd_graphql.bench.measure import percentile
from opd_graphql.bench.workload import Booking, DoctorDay

OPEN_BATCH = 25
OPEN_SECONDS = 30.0
DELIVERY_SECONDS = 30.0
QUEUE = """
subscription Screen($doctorId: ID!, $date: Date!) {
  queueUpdated(doctorId: $doctorId, date: $date) {
    version
    nowServing { number }
    entries { number status estimatedCallAt }
    waitlist { number }
  }
}"""


@dataclass(frozen=True)
class FanoutLevel:
    screens: int
    bookings: int
    deliveries: int
    missed: int
    errors: int
    p50_ms: float
    p99_ms: float
    # The API process's, while the bookings were made and reached every screen.
    server_cpu_ms_per_booking: float
    error_samples: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "screens": self.screens,
            "bookings": self.bookings,
            "deliveries": self.deliveries,
            "missed_deliveries": self.missed,
            "errors": self.errors,
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "server_cpu_ms_per_booking": round(self.server_cpu_ms_per_booking, 3),
            "error_samples": list(self.error_samples),
        }


class Screen:
    """One board: when it first saw each token number."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.updates = 0
        self.seen: dict[str, float] = {}
        self.failure: str | None = None

    async def listen(self, arrived: asyncio.Event) -> None:
        try:
            async for raw in self.socket:
                received = time.perf_counter()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "ping":
                    await self.socket.send(json.dumps({"type": "pong"}))
                elif kind == "next" and not message["payload"].get("errors"):
                    queue = message["payload"]["data"]["queueUpdated"]
                    for token in [*queue["entries"], *queue["waitlist"]]:
                        self.seen.setdefault(token["number"], received)
                    self.updates += 1
                    arrived.set()
                elif kind in ("next", "error", "complete"):
                    self.failure = f"{kind}: {json.dumps(message.get('payload'))[:200]}"
                    break
        except ConnectionClosed as closed:
            self.failure = f"connection closed: {closed}"
        if self.failure is None:
            self.failure = "connection closed"
        arrived.set()


async def open_screen(url: str, day: DoctorDay) -> Screen:
    variables = {"doctorId": day.doctor_id, "date": day.date.isoformat()}
    return Screen(await subscribed(url, "the screen", [{"query": QUEUE, "variables": variables}]))


async def subscribed(url: str, who: str, operations: list[dict[str, Any]]) -> ClientConnection:
    """A graphql-transport-ws connection the server accepted, with `operations` subscribed
    under the ids 1, 2, ... in order."""
    socket = await connect(
        url.replace("http://", "ws://") + "/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        open_timeout=OPEN_SECONDS,
        max_size=None,
    )
    try:
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        ack = json.loads(await asyncio.wait_for(socket.recv(), OPEN_SECONDS))
        if ack.get("type") != "connection_ack":
            raise Failed(f"the server did not accept {who}: {ack}")
        for number, payload in enumerate(operations, start=1):
            message = {"id": str(number), "type": "subscribe", "payload": payload}
            await socket.send(json.dumps(message))
    except BaseException:
        await socket.close()
        raise
    return socket


async def fanout_level(
    http: httpx.AsyncClient,
    url: str,
    day: DoctorDay,
    screens: int,
    bookings: list[Booking],
    server_cpu_seconds: Callable[[], float],
) -> FanoutLevel:
    """Opens `screens` boards on `day`, then books one token at a time and times each arrival."""
    allow_open_files(screens)
    boards: list[Screen] = []
    arrived = asyncio.Event()
    listeners: list[asyncio.Task[None]] = []
    latencies: list[float] = []
    missed = 0
    errors: list[str] = []
    try:
        for first in range(0, screens, OPEN_BATCH):
            batch = range(first, min(first + OPEN_BATCH, screens))
            boards += await asyncio.gather(*(open_screen(url, day) for _ in batch))
        listeners = [asyncio.create_task(board.listen(arrived)) for board in boards]
        if not await _until(arrived, lambda: all(b.updates or b.failure for b in boards)):
            raise Failed("the screens did not receive the queue after subscribing")
        cpu = server_cpu_seconds()
        for booking in bookings:
            sent = time.perf_counter()
            try:
                number = (await book(http, booking))["number"]
            except (Failed, httpx.HTTPError) as error:
                errors.append(f"{type(error).__name__}: {error}"[:300])
                continue
            await _until(arrived, partial(_delivered, boards, number))
            for board in boards:
                if number in board.seen:
                    latencies.append(board.seen[number] - sent)
                else:
                    missed += 1
        cpu = server_cpu_seconds() - cpu
    except (OSError, WebSocketException, TimeoutError) as error:
        raise Failed(f"{screens} screens: {type(error).__name__}: {error}") from None
    finally:
        for listener in listeners:
            listener.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        await asyncio.gather(*(b.socket.close() for b in boards), return_exceptions=True)
    failures = [b.failure for b in boards if b.failure]
    return FanoutLevel(
        screens=screens,
        bookings=len(bookings),
        deliveries=len(latencies),
        missed=missed,
        errors=len(errors),
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        server_cpu_ms_per_booking=cpu * 1000 / len(bookings) if bookings else 0.0,
        error_samples=tuple((errors + failures)[:3]),
    )


def _delivered(boards: list[Screen], number: str) -> bool:
    return all(number in board.seen or board.failure for board in boards)


async def _until(arrived: asyncio.Event, done: Callable[[], bool]) -> bool:
    deadline = time.perf_counter() + DELIVERY_SECONDS
    while True:
        arrived.clear()
        if done():
            return True
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return False
        try:
            await asyncio.wait_for(arrived.wait(), remaining)
        except TimeoutError:
            return done()


def allow_open_files(screens: int) -> None:
    """Each screen holds a socket: raise the soft limit on open files when it is too low."""
    if sys.platform == "win32":
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = screens + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))
