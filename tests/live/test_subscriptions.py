from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
import websockets

from opd_graphql.api.graphql_view import MAX_MESSAGE_BYTES, MAX_SUBSCRIPTIONS_PER_CONNECTION
from tests.live.conftest import graphql, running_server, subscribe
from tests.servers import Server

TOMORROW = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
QUEUE = """
subscription($doctorId: ID!, $date: Date!) {
  queueUpdated(doctorId: $doctorId, date: $date) {
    version nowServing { number } entries { number status } waitlist { number }
  }
}"""
TOKEN = "subscription($id: ID!) { tokenUpdated(id: $id) { number status slot { start } } }"
BOOK = """
mutation($doctorId: ID!, $date: Date!) {
  bookToken(input: {doctorId: $doctorId, date: $date, source: WALK_IN,
                    patient: {name: "Anita Das"}}) { ... on Token { id number } }
}"""


async def a_doctor_with_a_day(
    url: str, key: str | None = None, *, end: str = "10:00", capacity: int = 1
) -> str:
    """A doctor with hour-long slots from 09:00 tomorrow; returns the doctor's id."""
    created = await graphql(
        url,
        key=key,
        query="""
        mutation { createDoctor(input: {name: "Asha Rao",
          department: "Cardiology", code: "CAR1"}) { ... on Doctor { id } } }""",
    )
    doctor_id = created["createDoctor"]["id"]
    await graphql(
        url,
        key=key,
        query="""
        mutation($doctorId: ID!, $date: Date!, $end: Time!, $capacity: Int!) {
          createSlots(input: {doctorId: $doctorId, date: $date, startTime: "09:00",
            endTime: $end, slotMinutes: 60, capacity: $capacity}) {
          ... on SlotList { slots { id } } } }""",
        doctorId=doctor_id,
        date=TOMORROW,
        end=end,
        capacity=capacity,
    )
    return doctor_id


async def test_a_screen_gets_the_queue_at_once_then_every_change(server):
    doctor_id = await a_doctor_with_a_day(server)

    async with subscribe(server, QUEUE, doctorId=doctor_id, date=TOMORROW) as screen:
        first = await screen.next()
        assert first["type"] == "next"
        assert first["payload"]["data"]["queueUpdated"]["entries"] == []

        booked = (await graphql(server, BOOK, doctorId=doctor_id, date=TOMORROW))["bookToken"]
        update = (await screen.next())["payload"]["data"]["queueUpdated"]
        assert update["entries"] == [{"number": booked["number"], "status": "BOOKED"}]
        assert update["version"] > first["payload"]["data"]["queueUpdated"]["version"]

        await graphql(server, BOOK, doctorId=doctor_id, date=TOMORROW)
        update = (await screen.next())["payload"]["data"]["queueUpdated"]
        assert update["waitlist"] == [{"number": "CAR1-002"}]


async def test_a_patient_follows_their_own_token(server):
    doctor_id = await a_doctor_with_a_day(server)
    booked = (await graphql(server, BOOK, doctorId=doctor_id, date=TOMORROW))["bookToken"]

    async with subscribe(server, TOKEN, id=booked["id"]) as phone:
        first = (await phone.next())["payload"]["data"]["tokenUpdated"]
        assert first["status"] == "BOOKED"
        await graphql(
            server, "mutation($id: ID!) { cancelToken(id: $id) { __typename } }", id=booked["id"]
        )
        update = (await phone.next())["payload"]["data"]["tokenUpdated"]
        assert update == {"number": booked["number"], "status": "CANCELLED", "slot": None}


async def test_subscribing_to_an_unknown_doctor_is_a_not_found_error(server):
    async with subscribe(
        server, QUEUE, doctorId="65a000000000000000000000", date=TOMORROW
    ) as screen:
        message = await screen.next()
    assert message["type"] == "next"
    assert message["payload"]["data"] is None
    assert message["payload"]["errors"][0]["extensions"] == {"code": "NOT_FOUND"}


async def test_a_booking_through_one_process_reaches_a_screen_on_another(
    mongo_uri, db_name, server, tmp_path
):
    doctor_id = await a_doctor_with_a_day(server)
    with running_server(mongo_uri, db_name, tmp_path / "second.log") as second:
        async with subscribe(second, QUEUE, doctorId=doctor_id, date=TOMORROW) as screen:
            assert (await screen.next())["payload"]["data"]["queueUpdated"]["entries"] == []

            booked = await graphql(server, BOOK, doctorId=doctor_id, date=TOMORROW)
            update = (await screen.next(timeout=5))["payload"]["data"]["queueUpdated"]

    assert update["entries"][0]["number"] == booked["bookToken"]["number"]


async def test_screens_need_a_valid_key_and_never_receive_names(mongo_uri, db_name, tmp_path):
    keys = "admin:k-admin,staff:k-staff,display:k-display"
    env = {"OPD_MONGODB_URI": mongo_uri, "OPD_DB_NAME": db_name, "OPD_API_KEYS": keys}
    server = Server(env, tmp_path / "server.log")
    server.start()
    try:
        doctor_id = await a_doctor_with_a_day(server.url, key="k-admin")
        await graphql(server.url, BOOK, key="k-staff", doctorId=doctor_id, date=TOMORROW)
        ws_url = server.url.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:
            await socket.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": "Bearer k-wrong"}}
                )
            )
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403

        named = QUEUE.replace(
            "entries { number status }", "entries { number status patient { name phone } }"
        )
        async with subscribe(
            server.url, named, key="k-display", doctorId=doctor_id, date=TOMORROW
        ) as screen:
            message = await screen.next()
        [entry] = message["payload"]["data"]["queueUpdated"]["entries"]
        assert entry["patient"] is None
        assert "Anita" not in json.dumps(message)
    finally:
        server.stop()


async def test_a_connection_holds_a_limited_number_of_subscriptions(server):
    doctor_id = await a_doctor_with_a_day(server)
    async with subscribe(server, QUEUE, doctorId=doctor_id, date=TOMORROW) as screen:
        assert (await screen.next())["type"] == "next"
        for n in range(2, MAX_SUBSCRIPTIONS_PER_CONNECTION + 2):
            await screen.socket.send(
                json.dumps(
                    {
                        "id": str(n),
                        "type": "subscribe",
                        "payload": {
                            "query": QUEUE,
                            "variables": {"doctorId": doctor_id, "date": TOMORROW},
                        },
                    }
                )
            )
        answers = [await screen.next() for _ in range(MAX_SUBSCRIPTIONS_PER_CONNECTION)]
    refused = [a for a in answers if a["type"] == "error"]
    assert [a["id"] for a in refused] == [str(MAX_SUBSCRIPTIONS_PER_CONNECTION + 1)]
    assert refused[0]["payload"][0]["message"] == "Subscription limit reached"


async def test_subscription_messages_are_sent_uncompressed(server):
    # The client offers permessage-deflate, as browsers do; the server declines it.
    ws_url = server.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:
        assert socket.response is not None
        assert "Sec-WebSocket-Extensions" not in socket.response.headers


async def test_a_websocket_message_over_the_limit_ends_its_connection_only(server):
    ws_url = server.replace("http://", "ws://") + "/graphql"
    padding = "x" * MAX_MESSAGE_BYTES
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        query = f"{{ __typename }} # {padding}"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009

    assert await graphql(server, "{ __typename }") == {"__typename": "Query"}


async def test_a_patient_following_a_token_keeps_following_it_after_a_transfer(server):
    first = await a_doctor_with_a_day(server)
    created = await graphql(
        server,
        """mutation { createDoctor(input: {name: "Ravi Shah", department: "Cardiology",
           code: "CAR2"}) { ... on Doctor { id } } }""",
    )
    second = created["createDoctor"]["id"]
    await graphql(
        server,
        """mutation($d: ID!, $date: Date!) { createSlots(input: {doctorId: $d, date: $date,
           startTime: "09:00", endTime: "10:00", slotMinutes: 60, capacity: 2}) {
           __typename } }""",
        d=second,
        date=TOMORROW,
    )
    token = (await graphql(server, BOOK, doctorId=first, date=TOMORROW))["bookToken"]
    following = "subscription($id: ID!) { tokenUpdated(id: $id) { number status } }"

    async with subscribe(server, following, id=token["id"]) as phone:
        await phone.next()
        await graphql(
            server,
            "mutation($id: ID!, $d: ID!) { transferToken(id: $id, doctorId: $d) { __typename } }",
            id=token["id"],
            d=second,
        )
        moved = (await phone.next(timeout=5))["payload"]["data"]["tokenUpdated"]
        await graphql(
            server, "mutation($id: ID!) { checkIn(id: $id) { __typename } }", id=token["id"]
        )
        arrived = (await phone.next(timeout=5))["payload"]["data"]["tokenUpdated"]

    assert moved == {"number": "CAR2-001", "status": "BOOKED"}
    assert arrived == {"number": "CAR2-001", "status": "CHECKED_IN"}


async def test_a_query_beside_a_subscription_reads_the_day_afresh(server):
    doctor_id = await a_doctor_with_a_day(server)
    slots = "query($id: ID!, $date: Date!) { doctor(id: $id) { slots(date: $date) { closed } } }"

    async with subscribe(server, QUEUE, doctorId=doctor_id, date=TOMORROW) as screen:
        assert (await screen.next())["type"] == "next"
        # Nobody is booked: closing the day changes no queue, so no message comes.
        await graphql(
            server,
            "mutation($id: ID!, $date: Date!) { closeDay(doctorId: $id, date: $date, "
            'reason: "Unwell") { __typename } }',
            id=doctor_id,
            date=TOMORROW,
        )
        await screen.socket.send(
            json.dumps(
                {
                    "id": "2",
                    "type": "subscribe",
                    "payload": {"query": slots, "variables": {"id": doctor_id, "date": TOMORROW}},
                }
            )
        )
        answer = await screen.next()

    assert answer["id"] == "2"
    assert answer["payload"]["data"]["doctor"]["slots"] == [{"closed": True}]
