"""`kill -9` of a busy API on the embedded database: every answered booking survives, once."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import httpx

from tests.live.conftest import graphql
from tests.live.test_faults import BOOK, TOMORROW
from tests.live.test_subscriptions import a_doctor_with_a_day
from tests.servers import Server

CLIENTS = 16
CYCLES = 3
QUEUE = """query($d: ID!, $date: Date!) {
  queue(doctorId: $d, date: $date) { entries { id number } waitlist { id number } } }"""


async def desk(url: str, doctor_id: str, name: str, answered: dict[str, str]) -> None:
    """Books one patient after another until the server goes away; keeps what was answered."""
    async with httpx.AsyncClient(timeout=30) as client:
        for n in range(10_000):
            key = f"{name}-{n}"
            variables = {"doctorId": doctor_id, "date": TOMORROW, "idem": key, "name": key}
            try:
                response = await client.post(
                    f"{url}/graphql", json={"query": BOOK, "variables": variables}
                )
            except httpx.HTTPError:
                return
            token = response.json()["data"]["bookToken"]
            assert token["__typename"] == "Token", token
            answered[token["id"]] = token["number"]


async def test_answered_bookings_survive_kill_9_and_no_number_is_given_twice(tmp_path: Path):
    env = {"OPD_DATA_DIR": str(tmp_path / "data"), "OPD_DB_NAME": "crash"}
    answered: dict[str, str] = {}
    doctor_id = ""
    for cycle in range(CYCLES):
        server = Server(env, tmp_path / f"api-{cycle}.log")
        server.start()
        try:
            if not doctor_id:
                doctor_id = await a_doctor_with_a_day(server.url, end="17:00", capacity=500)
            before = len(answered)
            desks = [
                asyncio.create_task(desk(server.url, doctor_id, f"c{cycle}d{i}", answered))
                for i in range(CLIENTS)
            ]
            while len(answered) < before + 3 * CLIENTS:
                await asyncio.sleep(0.01)
            os.kill(server.pid, signal.SIGKILL)
            server.process.wait()  # type: ignore[union-attr]
            await asyncio.wait_for(asyncio.gather(*desks), 30)
        finally:
            server.stop()

    server = Server(env, tmp_path / "api-last.log")
    server.start()
    try:
        queue = (await graphql(server.url, QUEUE, d=doctor_id, date=TOMORROW))["queue"]
    finally:
        server.stop()
    stored = {t["id"]: t["number"] for t in queue["entries"] + queue["waitlist"]}
    assert all(stored.get(id) == number for id, number in answered.items())
    assert len(set(stored.values())) == len(stored), "a number was given out twice"
    assert len(answered) >= CYCLES * 3 * CLIENTS
