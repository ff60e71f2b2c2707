from __future__ import annotations

import asyncio
import signal

import httpx
import websockets

from tests.live.conftest import subscribe
from tests.live.test_subscriptions import QUEUE, TOMORROW, a_doctor_with_a_day
from tests.servers import Server


async def test_sigterm_finishes_requests_and_closes_subscriptions_cleanly(
    mongo_uri, db_name, tmp_path
):
    server = Server({"OPD_MONGODB_URI": mongo_uri, "OPD_DB_NAME": db_name}, tmp_path / "server.log")
    server.start()
    try:
        doctor_id = await a_doctor_with_a_day(server.url)
        async with subscribe(server.url, QUEUE, doctorId=doctor_id, date=TOMORROW) as screen:
            await screen.next()
            async with httpx.AsyncClient(timeout=30) as client:
                in_flight = asyncio.create_task(
                    client.post(f"{server.url}/graphql", json={"query": "{ doctors { code } }"})
                )
                await asyncio.sleep(0.05)
                assert server.process is not None
                server.process.send_signal(signal.SIGTERM)
                answer = await in_flight
            try:
                while True:
                    await screen.next(timeout=20)
            except websockets.ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else None
        assert answer.status_code == 200
        assert answer.json() == {"data": {"doctors": [{"code": "CAR1"}]}}
        assert code in (1001, 1012)  # going away / service restart: the screen reconnects
        assert server.process.wait(30) in (0, -signal.SIGTERM)
    finally:
        server.stop()
