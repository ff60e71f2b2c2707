"""Bookings over a WebSocket dropped mid-flight, next to desks booking over HTTP."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import httpx
import websockets

from tests.live.conftest import graphql
from tests.live.test_faults import TOMORROW
from tests.live.test_subscriptions import a_doctor_with_a_day

DESKS = 12
BOOKINGS_PER_DESK = 15
DROPS = 60
BOOK = """
mutation($doctorId: ID!, $date: Date!, $name: String!) {
  bookToken(input: {doctorId: $doctorId, date: $date, source: WALK_IN,
                    patient: {name: $name}}) {
    __typename ... on Token { id number } ... on UserError { message }
  }
}"""
QUEUE = """query($d: ID!, $date: Date!) {
  queue(doctorId: $d, date: $date) {
    entries { id patient { name } } waitlist { id patient { name } } } }"""


async def http_desk(url: str, doctor_id: str, desk: int) -> list[tuple[str, dict[str, Any]]]:
    answers = []
    async with httpx.AsyncClient(timeout=60) as client:
        for n in range(BOOKINGS_PER_DESK):
            name = f"Desk {desk}-{n}"
            variables = {"doctorId": doctor_id, "date": TOMORROW, "name": name}
            response = await client.post(
                f"{url}/graphql", json={"query": BOOK, "variables": variables}
            )
            answers.append((name, response.json()))
    return answers


async def dropped_booking(url: str, doctor_id: str, n: int, rng: random.Random) -> None:
    """Sends bookToken over the WebSocket and hangs up 0-30 ms later, answer or not."""
    ws_url = url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        await socket.recv()
        variables = {"doctorId": doctor_id, "date": TOMORROW, "name": f"Dropped {n}"}
        message = {
            "id": "1",
            "type": "subscribe",
            "payload": {"query": BOOK, "variables": variables},
        }
        await socket.send(json.dumps(message))
        await asyncio.sleep(rng.uniform(0, 0.03))
        socket.transport.abort()


async def test_dropped_websockets_change_nothing_for_the_desks(server):
    doctor_id = await a_doctor_with_a_day(server, end="17:00", capacity=40)
    rng = random.Random(11)

    async def drop_all() -> None:
        for n in range(DROPS):
            await asyncio.gather(
                dropped_booking(server, doctor_id, 2 * n, rng),
                dropped_booking(server, doctor_id, 2 * n + 1, rng),
                return_exceptions=True,
            )

    desks = asyncio.gather(*(http_desk(server, doctor_id, d) for d in range(DESKS)))
    answers, _ = await asyncio.gather(desks, drop_all())

    queue = (await graphql(server, QUEUE, d=doctor_id, date=TOMORROW))["queue"]
    stored = [t["patient"]["name"] for t in queue["entries"] + queue["waitlist"]]
    assert len(stored) == len(set(stored))
    for name, body in (answer for desk in answers for answer in desk):
        assert "errors" not in body, body
        assert body["data"]["bookToken"]["__typename"] == "Token", body
        assert stored.count(name) == 1, name
