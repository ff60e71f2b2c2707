"""A database restart in a busy morning: nothing acknowledged is lost, nothing is doubled."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools

import httpx

from opd_graphql.store.embedded import EmbeddedDatabase
from tests.live.conftest import graphql, subscribe
from tests.live.test_subscriptions import QUEUE, a_doctor_with_a_day
from tests.servers import Server

TOMORROW = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
BOOK = """
mutation($doctorId: ID!, $date: Date!, $idem: String!, $name: String!) {
  bookToken(input: {doctorId: $doctorId, date: $date, source: WALK_IN,
                    patient: {name: $name}, idempotencyKey: $idem}) {
    __typename ... on Token { id number }
  }
}"""
PATIENTS = 40


async def book_until_acknowledged(urls: list[str], doctor_id: str, key: str) -> str:
    """A front desk that retries, on whichever server answers, with the same key."""
    for url in itertools.cycle(urls):
        try:
            async with httpx.AsyncClient(timeout=30) as client:
                response = await client.post(
                    f"{url}/graphql",
                    json={
                        "query": BOOK,
                        "variables": {
                            "doctorId": doctor_id,
                            "date": TOMORROW,
                            "idem": key,
                            "name": f"P {key}",
                        },
                    },
                )
            result = (response.json().get("data") or {}).get("bookToken") or {}
            if result.get("__typename") == "Token":
                return str(result["number"])
        except (httpx.HTTPError, ValueError):
            pass
        await asyncio.sleep(0.2)
    raise AssertionError("unreachable")


async def test_bookings_survive_a_database_restart_exactly_once(tmp_path):
    database = EmbeddedDatabase(tmp_path / "db")
    env = {"OPD_MONGODB_URI": database.start(), "OPD_DB_NAME": "faults"}
    port = database.port
    servers = [Server(env, tmp_path / f"api-{i}.log") for i in range(2)]
    for server in servers:
        server.start()
    urls = [server.url for server in servers]
    try:
        doctor_id = await a_doctor_with_a_day(urls[0], end="13:00", capacity=8)

        async with subscribe(urls[1], QUEUE, doctorId=doctor_id, date=TOMORROW) as screen:
            await screen.next()
            desks = [
                asyncio.create_task(book_until_acknowledged(urls, doctor_id, f"k{i}"))
                for i in range(PATIENTS)
            ]
            await asyncio.sleep(0.5)
            in_flight = sum(not desk.done() for desk in desks)
            database.stop()
            down = [httpx.get(f"{url}/healthz", timeout=10).status_code for url in urls]
            database = EmbeddedDatabase(tmp_path / "db", port=port)
            database.start()
            numbers = await asyncio.wait_for(asyncio.gather(*desks), 180)

            after = await graphql(
                urls[0], BOOK, doctorId=doctor_id, date=TOMORROW, idem="after", name="After Restart"
            )
            seen = None
            while seen is None or after["bookToken"]["number"] not in str(seen):
                seen = await screen.next(timeout=30)

        assert in_flight > 0, "the database must go down in the middle of the bookings"
        assert down == [503, 503]
        assert len(set(numbers)) == PATIENTS
        stored = await graphql(
            urls[0],
            """query($d: ID!, $date: Date!) {
            queue(doctorId: $d, date: $date) { entries { number } waitlist { number } } }""",
            d=doctor_id,
            date=TOMORROW,
        )
        queue = stored["queue"]
        on_record = [t["number"] for t in queue["entries"] + queue["waitlist"]]
        assert sorted(on_record) == sorted([*numbers, after["bookToken"]["number"]])
    finally:
        for server in servers:
            server.stop()
        database.stop()


async def test_two_processes_racing_for_the_last_places_never_overfill(
    mongo_uri, db_name, tmp_path
):
    env = {"OPD_MONGODB_URI": mongo_uri, "OPD_DB_NAME": db_name}
    servers = [Server(env, tmp_path / f"api-{i}.log") for i in range(2)]
    for server in servers:
        server.start()
    try:
        urls = [server.url for server in servers]
        doctor_id = await a_doctor_with_a_day(urls[0], capacity=3)

        booked = await asyncio.gather(
            *(
                graphql(
                    urls[i % 2],
                    BOOK,
                    doctorId=doctor_id,
                    date=TOMORROW,
                    idem=f"race-{i}",
                    name=f"P {i}",
                )
                for i in range(24)
            )
        )
        queue = (
            await graphql(
                urls[1],
                """query($d: ID!, $date: Date!) {
            queue(doctorId: $d, date: $date) { entries { number } waitlist { number } } }""",
                d=doctor_id,
                date=TOMORROW,
            )
        )["queue"]
    finally:
        for server in servers:
            server.stop()

    numbers = [b["bookToken"]["number"] for b in booked]
    assert len(set(numbers)) == 24
    assert len(queue["entries"]) == 3
    assert len(queue["waitlist"]) == 21
