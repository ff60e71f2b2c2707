"""The hospital's subscribers: a screen per doctor, and patients' phones.

A phone is a `tokenUpdated` subscription. A connection may hold 20 subscriptions
(MAX_SUBSCRIPTIONS_PER_CONNECTION), so the bench can put several phones on one, where a
real phone would hold its own. Each notes when it first saw its token in each status.
"""

from __future__ import annotations

import asyncio
import json
import time

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from opd_graphql.bench.api import Failed
from opd_graphql.bench.fanout import (
    OPEN_BATCH,
    Screen,
    allow_open_files,
    open_screen,
    subscribed,
)
from opd_graphql.bench.workload import DoctorDay

FIRST_MESSAGE_SECONDS = 120.0
POLL_SECONDS = 0.05
FOLLOW = """
subscription Phone($id: ID!) {
  tokenUpdated(id: $id) { id number status waitlistPosition estimatedCallAt }
}"""


class Phones:
    """One connection's phones: when each token was first seen in each status."""

    def __init__(self, socket: ClientConnection, token_ids: list[str]) -> None:
        self.socket = socket
        self.token_ids = token_ids
        self.seen: dict[tuple[str, str], float] = {}
        self.updated: set[str] = set()
        self.failure: str | None = None

    async def listen(self) -> None:
        try:
            async for raw in self.socket:
                received = time.perf_counter()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "ping":
                    await self.socket.send(json.dumps({"type": "pong"}))
                elif kind == "next" and not message["payload"].get("errors"):
                    token = message["payload"]["data"]["tokenUpdated"]
                    self.seen.setdefault((token["id"], token["status"]), received)
                    self.updated.add(token["id"])
                elif kind in ("next", "error", "complete"):
                    self.failure = f"{kind}: {json.dumps(message.get('payload'))[:200]}"
                    break
        except ConnectionClosed as closed:
            self.failure = f"connection closed: {closed}"
        if self.failure is None:
            self.failure = "connection closed"

    @property
    def ready(self) -> bool:
        return len(self.updated) == len(self.token_ids) or self.failure is not None


async def open_phones(url: str, token_ids: list[str]) -> Phones:
    following = [{"query": FOLLOW, "variables": {"id": token_id}} for token_id in token_ids]
    return Phones(await subscribed(url, "the phones", following), token_ids)


class Subscribers:
    """A screen for every doctor's day and the phones, spread over the API processes."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.screens: list[Screen] = []  # by doctor
        self.phones: list[Phones] = []
        self._phone_of: dict[str, Phones] = {}
        self._listeners: list[asyncio.Task[None]] = []
        self._days: list[DoctorDay] = []
        self._phases: list[list[tuple[int, list[str]]]] = [[], []]

    def arrange(self, days: list[DoctorDay], followed: list[str], per_connection: int) -> None:
        """Doctor i's screen on process i mod n; phone j, following followed[j] on doctor
        j mod doctors, on process (j mod doctors + j div doctors) mod n: as many phones on
        each process, and each doctor's on all of them, as a load balancer spreads them.

        The first n x doctors phones make every process follow every day; the screens and
        the other phones come second, each on a day its process already follows."""
        processes, doctors = len(self.urls), len(days)
        self._days = days
        first: list[list[str]] = [[] for _ in self.urls]
        second: list[list[str]] = [[] for _ in self.urls]
        for j, token_id in enumerate(followed):
            group = first if j < processes * doctors else second
            group[(j % doctors + j // doctors) % processes].append(token_id)
        self._phases = [
            [
                (process, tokens[at : at + per_connection])
                for process, tokens in enumerate(group)
                for at in range(0, len(tokens), per_connection)
            ]
            for group in (first, second)
        ]
        allow_open_files(doctors + sum(len(phase) for phase in self._phases))

    async def open(self, phase: int) -> None:
        """Opens phase 0 (the phones that make each process follow every day) or phase 1
        (the screens and the other phones), and waits for each one's first message."""
        screens: list[Screen] = []
        if phase == 1:
            processes = len(self.urls)
            for first in range(0, len(self._days), OPEN_BATCH):
                doctors = range(first, min(first + OPEN_BATCH, len(self._days)))
                screens += await asyncio.gather(
                    *(open_screen(self.urls[i % processes], self._days[i]) for i in doctors)
                )
        groups = self._phases[phase]
        phones: list[Phones] = []
        for first in range(0, len(groups), OPEN_BATCH):
            phones += await asyncio.gather(
                *(
                    open_phones(self.urls[process], tokens)
                    for process, tokens in groups[first : first + OPEN_BATCH]
                )
            )
        self.screens += screens
        self.phones += phones
        self._phone_of.update((t, p) for p in phones for t in p.token_ids)
        unused = asyncio.Event()
        self._listeners += [asyncio.create_task(s.listen(unused)) for s in screens]
        self._listeners += [asyncio.create_task(p.listen()) for p in phones]
        deadline = time.perf_counter() + FIRST_MESSAGE_SECONDS
        while not all(s.updates or s.failure for s in screens) or not all(p.ready for p in phones):
            if time.perf_counter() > deadline:
                raise Failed("the subscribers did not all receive their first message")
            await asyncio.sleep(POLL_SECONDS)

    def on(self, process: int, phase: int | None = None) -> tuple[int, int, int]:
        """The screens, phones and connections on one process (in one phase, or in all)."""
        screens = 0 if phase == 0 else len(range(process, len(self.screens), len(self.urls)))
        groups = self._phases if phase is None else [self._phases[phase]]
        phones = [tokens for group in groups for p, tokens in group if p == process]
        return screens, sum(len(tokens) for tokens in phones), screens + len(phones)

    def screen_saw(self, doctor: int, number: str) -> float | None:
        """When the doctor's screen first showed the token; None while it has not."""
        return self.screens[doctor].seen.get(number)

    def phone_saw(self, token_id: str, status: str) -> float | None:
        """When the token's phone first showed it in that status; None while it has not."""
        return self._phone_of[token_id].seen.get((token_id, status))

    def screen_lost(self, doctor: int) -> bool:
        return self.screens[doctor].failure is not None

    def phone_lost(self, token_id: str) -> bool:
        return self._phone_of[token_id].failure is not None

    def failures(self) -> tuple[str, ...]:
        return tuple(
            f"{kind}: {item.failure}"
            for kind, items in (("screen", self.screens), ("phones", self.phones))
            for item in items
            if item.failure
        )

    async def close(self) -> None:
        for listener in self._listeners:
            listener.cancel()
        await asyncio.gather(*self._listeners, return_exceptions=True)
        sockets = [s.socket for s in self.screens] + [p.socket for p in self.phones]
        await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)
