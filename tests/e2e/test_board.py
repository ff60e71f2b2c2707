"""The waiting-room board in a real browser against a real server process."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.conftest import TIMEZONE, GraphQL
from tests.servers import Server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PATIENT = {"name": "Zebediah Quartermaine", "phone": "+91 98765 43210"}
SECOND_PATIENT = {"name": "Philippa Wolstenholme", "phone": "+91 91234 56780"}
LIVE = 10_000  # ms: how long a change may take to reach the screen

CREATE_DOCTOR = """
mutation ($input: CreateDoctorInput!) {
  createDoctor(input: $input) {
    ... on Doctor { id }
    ... on UserError { errorCode: code message }
  }
}"""
CREATE_SLOTS = """
mutation ($input: CreateSlotsInput!) {
  createSlots(input: $input) {
    ... on SlotList { slots { id } }
    ... on UserError { message }
  }
}"""
BOOK = """
mutation ($input: BookTokenInput!) {
  bookToken(input: $input) {
    ... on Token { id number }
    ... on UserError { message }
  }
}"""
CHECK_IN = """
mutation ($id: ID!) {
  checkIn(id: $id) { ... on Token { status } ... on UserError { message } }
}"""
CALL_NEXT = """
mutation ($doctorId: ID!, $date: Date!) {
  callNext(doctorId: $doctorId, date: $date) {
    ... on CallNextPayload { called { number } }
    ... on UserError { message }
  }
}"""


def tomorrow() -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()


def open_day(gql: GraphQL, date: str) -> str:
    doctor = gql(
        CREATE_DOCTOR, input={"name": "Dr Asha Menon", "department": "Cardiology", "code": "CAR1"}
    )["createDoctor"]
    assert "id" in doctor, doctor
    slots = gql(
        CREATE_SLOTS,
        input={
            "doctorId": doctor["id"],
            "date": date,
            "startTime": "09:00",
            "endTime": "12:00",
            "slotMinutes": 60,
            "capacity": 3,
        },
    )["createSlots"]
    assert len(slots["slots"]) == 3, slots
    return str(doctor["id"])


def book(gql: GraphQL, doctor_id: str, date: str, patient: dict[str, str]) -> dict[str, Any]:
    token = gql(
        BOOK,
        input={"doctorId": doctor_id, "date": date, "source": "WALK_IN", "patient": patient},
    )["bookToken"]
    assert "number" in token, token
    return dict(token)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    playwright_api = pytest.importorskip(
        "playwright.async_api", reason="the playwright package is not installed"
    )
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    # A browser far from the hospital: the board must still show the hospital's clock times.
    context = await browser.new_context(
        viewport={"width": 1920, "height": 1080}, timezone_id="America/New_York"
    )
    try:
        yield await context.new_page()
    finally:
        await context.close()


def record_frames(page: Any) -> list[str]:
    frames: list[str] = []

    def on_socket(socket: Any) -> None:
        socket.on(
            "framereceived",
            lambda payload: frames.append(
                payload.decode() if isinstance(payload, bytes) else payload
            ),
        )

    page.on("websocket", on_socket)
    return frames


async def test_board_follows_the_queue_live_without_patient_data(server: Server, page: Any) -> None:
    from playwright.async_api import expect

    gql = GraphQL(server.url)
    date = tomorrow()
    doctor_id = open_day(gql, date)
    frames = record_frames(page)

    await page.goto(f"{server.url}/board/{doctor_id}?date={date}")
    await expect(page.locator("body")).to_have_attribute("data-state", "live", timeout=LIVE)
    await expect(page.locator("#doctor-name")).to_have_text("Dr Asha Menon")
    await expect(page.locator("#department")).to_have_text("Cardiology")
    await expect(page.locator("#empty")).to_contain_text("No patients waiting")

    first = book(gql, doctor_id, date, PATIENT)
    assert first["number"] == "CAR1-001"
    rows = page.locator("#next-list .entry")
    await expect(rows).to_have_count(1, timeout=LIVE)
    await expect(rows.nth(0)).to_contain_text("CAR1-001")
    await expect(page.locator("#empty")).to_be_hidden()

    second = book(gql, doctor_id, date, SECOND_PATIENT)
    await expect(rows).to_have_count(2, timeout=LIVE)
    await expect(rows.nth(1)).to_contain_text(second["number"])
    # Slot 09:00-10:00 for three: 20 minutes each, at the hospital's clock, not New York's.
    await expect(rows.nth(0).locator(".entry-time")).to_have_text("09:00")
    await expect(rows.nth(1).locator(".entry-time")).to_have_text("09:20")

    assert gql(CHECK_IN, id=first["id"])["checkIn"]["status"] == "CHECKED_IN"
    assert gql(CALL_NEXT, doctorId=doctor_id, date=date)["callNext"]["called"]["number"] == (
        "CAR1-001"
    )
    await expect(page.locator("#now-number")).to_have_text("CAR1-001", timeout=LIVE)
    await expect(rows).to_have_count(1)
    await expect(rows.nth(0)).to_contain_text(second["number"])
    await expect(page.locator("#waitlist-count")).to_have_text("0")

    assert frames, "the page received no WebSocket frames"
    seen = [await page.content(), *frames]
    for patient in (PATIENT, SECOND_PATIENT):
        for secret in (patient["name"], patient["phone"], patient["phone"].replace(" ", "")):
            assert not any(secret in text for text in seen), f"{secret!r} reached the board"


async def test_board_reconnects_when_the_server_comes_back(
    make_server: Callable[..., Server], page: Any
) -> None:
    from playwright.async_api import expect

    server = make_server()
    gql = GraphQL(server.url)
    date = tomorrow()
    doctor_id = open_day(gql, date)
    await page.goto(f"{server.url}/board/{doctor_id}?date={date}")
    body = page.locator("body")
    await expect(body).to_have_attribute("data-state", "live", timeout=LIVE)

    server.stop()
    await expect(body).not_to_have_attribute("data-state", "live", timeout=LIVE)
    restarted = make_server(server.port)
    await expect(body).to_have_attribute("data-state", "live", timeout=3 * LIVE)

    token = book(GraphQL(restarted.url), doctor_id, date, PATIENT)
    await expect(page.locator("#next-list")).to_contain_text(token["number"], timeout=LIVE)


async def test_board_shows_an_unknown_doctor(server: Server, page: Any) -> None:
    from playwright.async_api import expect

    await page.goto(f"{server.url}/board/000000000000000000000000?date={tomorrow()}")
    await expect(page.locator("#notice")).to_contain_text("doctor", timeout=LIVE)


def test_board_page_is_html_with_the_day_filled_in(server: Server) -> None:
    before = dt.datetime.now(ZoneInfo(TIMEZONE)).date().isoformat()
    response = httpx.get(f"{server.url}/board/abc123")
    after = dt.datetime.now(ZoneInfo(TIMEZONE)).date().isoformat()
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert 'data-doctor-id="abc123"' in response.text
    assert f'data-date="{before}"' in response.text or f'data-date="{after}"' in response.text
    assert 'data-date-fixed="false"' in response.text
    assert f'data-timezone="{TIMEZONE}"' in response.text

    pinned = httpx.get(f"{server.url}/board/abc123", params={"date": "2030-01-10"})
    assert 'data-date="2030-01-10"' in pinned.text
    assert 'data-date-fixed="true"' in pinned.text


def test_board_rejects_a_bad_date(server: Server) -> None:
    response = httpx.get(f"{server.url}/board/abc123", params={"date": "not-a-date"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")


def test_board_escapes_the_doctor_id(server: Server) -> None:
    response = httpx.get(f"{server.url}/board/%22%3E%3Cscript%3Ealert('x')&")
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert 'data-doctor-id="&quot;&gt;&lt;script&gt;alert(&#x27;x&#x27;)&amp;"' in response.text


def test_board_assets_are_served(server: Server) -> None:
    css = httpx.get(f"{server.url}/board-assets/board.css")
    js = httpx.get(f"{server.url}/board-assets/board.js")
    assert css.status_code == js.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert js.headers["content-type"].startswith("text/javascript")
    assert httpx.get(f"{server.url}/board-assets/__init__.py").status_code == 404
