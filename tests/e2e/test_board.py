"""One doctor's waiting-room board in a real browser against a real server process."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.e2e import queues as q
from tests.e2e.conftest import (
    LANDSCAPE,
    PORTRAIT,
    GraphQL,
    box,
    calls,
    overlap,
    record_frames,
    spoken,
)
from tests.servers import Server

LIVE = 10_000  # ms: how long a change may take to reach the screen
SAID = 10_000  # ms: a chime, then the words
NewPage = Callable[..., Awaitable[Any]]


@pytest.fixture
def gql(server: Server) -> GraphQL:
    return GraphQL(server.url)


async def open_board(page: Any, server: Server, doctor_id: str, query: str = "") -> None:
    from playwright.async_api import expect

    response = await page.goto(f"{server.url}/board/{doctor_id}?date={q.tomorrow()}{query}")
    assert response.status == 200
    await expect(page.locator("body")).to_have_attribute("data-state", "live", timeout=LIVE)


async def said_so_far(page: Any, count: int) -> list[dict[str, str]]:
    await page.wait_for_function(
        "(count) => window.__calls.filter((call) => call !== 'tone').length >= count",
        arg=count,
        timeout=SAID,
    )
    return await spoken(page)


async def test_board_follows_the_queue_live_without_patient_data(
    server: Server, gql: GraphQL, page: Any
) -> None:
    from playwright.async_api import expect

    date = q.tomorrow()
    code = q.unique("C")
    doctor_id = q.open_day(gql, date, code=code)
    frames = record_frames(page)
    await open_board(page, server, doctor_id)
    await expect(page.locator("#doctor-name")).to_have_text("Dr Asha Menon")
    await expect(page.locator("#department")).to_have_text("Cardiology")
    await expect(page.locator("#empty")).to_contain_text("No patients waiting")

    first = q.book(gql, doctor_id, date, q.PATIENTS[0])
    assert first["number"] == f"{code}-001"
    rows = page.locator("#next-list .entry")
    await expect(rows).to_have_count(1, timeout=LIVE)
    await expect(rows.nth(0)).to_contain_text(first["number"])
    await expect(page.locator("#empty")).to_be_hidden()

    second = q.book(gql, doctor_id, date, q.PATIENTS[1])
    await expect(rows).to_have_count(2, timeout=LIVE)
    await expect(rows.nth(1)).to_contain_text(second["number"])
    # Slot 09:00-10:00 for three: 20 minutes each, at the hospital's clock, not New York's.
    await expect(rows.nth(0).locator(".entry-time")).to_have_text("09:00")
    await expect(rows.nth(1).locator(".entry-time")).to_have_text("09:20")

    q.check_in(gql, first["id"])
    assert q.call_next(gql, doctor_id, date) == first["number"]
    await expect(page.locator("#now-number")).to_have_text(first["number"], timeout=LIVE)
    await expect(rows).to_have_count(1)
    await expect(rows.nth(0)).to_contain_text(second["number"])
    await expect(page.locator("#waitlist-count")).to_have_text("0")

    assert frames, "the page received no WebSocket frames"
    seen = [await page.content(), *frames]
    for patient in q.PATIENTS[:2]:
        for secret in (patient["name"], patient["phone"], patient["phone"].replace(" ", "")):
            assert not any(secret in text for text in seen), f"{secret!r} reached the board"


async def test_board_marks_who_has_arrived(server: Server, gql: GraphQL, page: Any) -> None:
    from playwright.async_api import expect

    date = q.tomorrow()
    doctor_id = q.open_day(gql, date, code=q.unique("C"))
    here = q.book(gql, doctor_id, date, q.PATIENTS[0], check_in=True)
    away = q.book(gql, doctor_id, date, q.PATIENTS[1])
    await open_board(page, server, doctor_id)
    rows = page.locator("#next-list .entry")
    await expect(rows).to_have_count(2, timeout=LIVE)
    await expect(rows.nth(0)).to_contain_text(here["number"])
    await expect(rows.nth(0).locator(".badge-arrived")).to_have_text("\u2713 Arrived")
    await expect(rows.nth(1).locator(".badge-arrived")).to_have_count(0)

    q.check_in(gql, away["id"])
    await expect(rows.nth(1).locator(".badge-arrived")).to_be_visible(timeout=LIVE)


async def test_board_calls_a_new_number_aloud_with_its_room(
    server: Server, gql: GraphQL, page: Any
) -> None:
    from playwright.async_api import expect

    date = q.tomorrow()
    code = q.unique("C")
    doctor_id = q.open_day(gql, date, code=code, room="4")
    tokens = [q.book(gql, doctor_id, date, p, check_in=True) for p in q.PATIENTS[:3]]
    q.call_next(gql, doctor_id, date)
    await open_board(page, server, doctor_id)
    await expect(page.locator("#now-number")).to_have_text(tokens[0]["number"])
    await expect(page.locator("#now-room")).to_have_text("\u2192 Room 4")
    await expect(page.locator("#doctor-room")).to_have_text("Room 4")

    assert q.call_next(gql, doctor_id, date) == f"{code}-002"
    await expect(page.locator("#now-number")).to_have_text(f"{code}-002", timeout=LIVE)
    # Only the change is called, not what the board found on first load.
    assert await said_so_far(page, 1) == [{"text": f"Token {code} 002, room 4", "lang": "en-IN"}]
    assert (await calls(page))[:3] == [
        "tone",
        "tone",
        {"text": f"Token {code} 002, room 4", "lang": "en-IN"},
    ]

    # A change to the queue that calls nobody new is not called.
    late = q.book(gql, doctor_id, date, q.PATIENTS[3])
    await expect(page.locator("#next-list")).to_contain_text(late["number"], timeout=LIVE)
    q.call_next(gql, doctor_id, date)
    assert len(await said_so_far(page, 2)) == 2
    assert (await spoken(page))[1]["text"] == f"Token {code} 003, room 4"


async def test_board_speaks_the_language_asked_for_or_not_at_all(
    server: Server, gql: GraphQL, new_page: NewPage
) -> None:
    from playwright.async_api import expect

    date = q.tomorrow()
    code = q.unique("C")
    doctor_id = q.open_day(gql, date, code=code, room="12")
    for patient in q.PATIENTS[:2]:
        q.book(gql, doctor_id, date, patient, check_in=True)
    hindi, silent = await new_page(), await new_page()
    await open_board(hindi, server, doctor_id, "&lang=hi-IN")
    await open_board(silent, server, doctor_id, "&voice=off")

    q.call_next(gql, doctor_id, date)
    for page in (hindi, silent):
        await expect(page.locator("#now-number")).to_have_text(f"{code}-001", timeout=LIVE)
    assert await said_so_far(hindi, 1) == [
        {
            "text": f"टोकन {code} 001, कमरा नंबर 12",
            "lang": "hi-IN",
        }
    ]
    # The Hindi board has chimed and spoken by now; the silent one has done neither.
    assert await calls(silent) == []


async def test_board_lays_out_for_a_landscape_and_a_portrait_screen(
    server: Server, gql: GraphQL, new_page: NewPage
) -> None:
    from playwright.async_api import expect

    date = q.tomorrow()
    long_name = "Dr Meera Pillai-Venkataraman Subramaniam"
    doctor_id = q.open_day(gql, date, name=long_name, code=q.unique("LONG"), room="Cardiac OPD 4")
    for patient in q.PATIENTS:
        q.book(gql, doctor_id, date, patient, check_in=True)
    q.call_next(gql, doctor_id, date)
    for viewport in (LANDSCAPE, PORTRAIT):
        page = await new_page(viewport)
        await open_board(page, server, doctor_id)
        await expect(page.locator("#next-list .entry")).to_have_count(4)
        now, upcoming = await box(page, "#now"), await box(page, "#next")
        assert not overlap(now, upcoming)
        if viewport is LANDSCAPE:
            assert now["x"] + now["width"] <= upcoming["x"]
            assert abs(now["y"] - upcoming["y"]) < 2
        else:
            assert now["y"] + now["height"] <= upcoming["y"]
            assert now["width"] > 0.85 * PORTRAIT["width"]
            assert abs(now["width"] - upcoming["width"]) < 2
        for selector in ("#now-number", "#now-room", "#next-list .entry >> nth=0"):
            inside = await page.locator(selector).evaluate(
                "(node) => node.scrollWidth <= node.clientWidth + 1"
            )
            assert inside, f"{selector} overflows on {viewport}"
        for selector in (".masthead", ".panels", ".footer"):
            found = await box(page, selector)
            assert found["x"] >= 0 and found["x"] + found["width"] <= viewport["width"]
            assert found["y"] + found["height"] <= viewport["height"]


async def test_board_says_when_there_is_no_session_or_it_runs_late(
    server: Server, gql: GraphQL, new_page: NewPage
) -> None:
    from playwright.async_api import expect

    date = q.tomorrow()
    idle = await new_page()
    await open_board(idle, server, q.new_doctor(gql, code=q.unique("C")))
    await expect(idle.locator("#empty-title")).to_have_text("No session today")
    await expect(idle.locator("#day-status")).to_be_hidden()

    # One hour for two: a third patient, an emergency, is seen after the session ends.
    doctor_id = q.new_doctor(gql, code=q.unique("C"))
    q.open_slots(gql, doctor_id, date, start="09:00", end="10:00", minutes=60, capacity=2)
    for patient in q.PATIENTS[:2]:
        q.book(gql, doctor_id, date, patient, source="EMERGENCY")
    page = await new_page()
    await open_board(page, server, doctor_id)
    await expect(page.locator("#next-list .entry")).to_have_count(2)
    await expect(page.locator("#empty")).to_be_hidden()
    await expect(page.locator("#day-status")).to_be_hidden()

    q.book(gql, doctor_id, date, q.PATIENTS[2], source="EMERGENCY")
    await expect(page.locator("#next-list .entry")).to_have_count(3, timeout=LIVE)
    await expect(page.locator("#day-status")).to_have_text("Running late")
    await expect(page.locator("#next-list .entry-time").nth(2)).to_have_text("10:00")


async def test_board_shows_a_skipped_patient_where_they_will_be_called(
    server: Server, gql: GraphQL, page: Any
) -> None:
    from playwright.async_api import expect

    date = q.tomorrow()
    doctor_id = q.open_day(gql, date, code=q.unique("C"))
    tokens = [q.book(gql, doctor_id, date, p, check_in=True) for p in q.PATIENTS[:4]]
    q.call_next(gql, doctor_id, date)
    await open_board(page, server, doctor_id)
    await expect(page.locator("#now-number")).to_have_text(tokens[0]["number"])

    q.skip(gql, tokens[0]["id"])
    await expect(page.locator("#now-number")).to_have_text("\u2014", timeout=LIVE)
    expected = [e["number"] for e in q.queue(gql, doctor_id, date)["entries"]]
    assert tokens[0]["number"] in expected[1:], expected
    numbers = page.locator("#next-list .entry-number")
    await expect(numbers).to_have_text(expected, timeout=LIVE)


async def test_board_reconnects_when_the_server_comes_back(
    make_server: Callable[..., Server], page: Any
) -> None:
    from playwright.async_api import expect

    server = make_server()
    date = q.tomorrow()
    doctor_id = q.open_day(GraphQL(server.url), date)
    await open_board(page, server, doctor_id)
    body = page.locator("body")

    server.stop()
    await expect(body).not_to_have_attribute("data-state", "live", timeout=LIVE)
    restarted = make_server(server.port)
    await expect(body).to_have_attribute("data-state", "live", timeout=3 * LIVE)

    token = q.book(GraphQL(restarted.url), doctor_id, date, q.PATIENTS[0])
    await expect(page.locator("#next-list")).to_contain_text(token["number"], timeout=LIVE)


@pytest.mark.parametrize("doctor_id", ["000000000000000000000000", "not-an-id"])
async def test_board_for_an_unknown_doctor_is_a_404_page(
    server: Server, page: Any, doctor_id: str
) -> None:
    response = await page.goto(f"{server.url}/board/{doctor_id}")
    assert response.status == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert await page.locator("h1").text_content() == "Doctor not found"
    message = await page.locator(".missing-message").text_content()
    assert message == f"No doctor has the id \u201c{doctor_id}\u201d."
    assert await page.locator("#connection-text").count() == 0  # no board that waits forever


CLOSE_DAY = """
mutation Close($doctorId: ID!, $date: Date!) {
  closeDay(doctorId: $doctorId, date: $date, reason: "Unwell") { __typename }
}"""


async def test_board_shows_a_new_room_and_a_closed_day_within_a_minute(
    server: Server, gql: GraphQL, page: Any
) -> None:
    from playwright.async_api import expect

    date = q.tomorrow()
    doctor_id = q.open_day(gql, date, code=q.unique("R"))
    await page.clock.install()
    await open_board(page, server, doctor_id)
    await expect(page.locator("#doctor-room")).to_be_hidden()
    await expect(page.locator("#empty-title")).to_have_text("No patients waiting")

    q.update_doctor(gql, doctor_id, room="7B")
    closed = gql(CLOSE_DAY, doctorId=doctor_id, date=date)["closeDay"]  # nobody booked
    assert closed["__typename"] == "CloseOutcome", closed
    await page.clock.fast_forward(61_000)

    await expect(page.locator("#doctor-room")).to_have_text("Room 7B", timeout=LIVE)
    await expect(page.locator("#empty-title")).to_have_text("No session today")
