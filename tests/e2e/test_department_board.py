"""A department's hall board in a real browser against a real server process."""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import httpx
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
)
from tests.servers import Server

LIVE = 10_000  # ms
SAID = 10_000  # ms
NewPage = Callable[..., Awaitable[Any]]


@pytest.fixture
def gql(server: Server) -> GraphQL:
    return GraphQL(server.url)


def hall(gql: GraphQL, date: str) -> tuple[str, list[dict[str, str]]]:
    """A department of three active doctors with rooms, one inactive, and a doctor elsewhere."""
    department = q.unique("Cardiology ")
    doctors = [
        {"name": "Dr Asha Menon", "code": q.unique("A"), "room": "4"},
        {"name": "Dr Farah Khan", "code": q.unique("F"), "room": "7"},
        {"name": "Dr Ravi Iyer", "code": q.unique("R"), "room": "Cabin 12"},
    ]
    for doctor in doctors:
        doctor["id"] = q.open_day(gql, date, department=department, **doctor)
    retired = q.open_day(gql, date, name="Dr Old Timer", department=department, code=q.unique("O"))
    q.update_doctor(gql, retired, active=False)
    q.open_day(gql, date, name="Dr Elsewhere", department="Neurology", code=q.unique("N"))
    return department, doctors


async def open_hall(page: Any, server: Server, name: str, query: str = "") -> None:
    from playwright.async_api import expect

    url = f"{server.url}/board/department/{quote(name)}?date={q.tomorrow()}{query}"
    response = await page.goto(url)
    assert response.status == 200
    await expect(page.locator("body")).to_have_attribute("data-state", "live", timeout=LIVE)


def desk(page: Any, doctor: dict[str, str]) -> Any:
    return page.locator(f".desk[data-doctor-id='{doctor['id']}']")


async def test_hall_shows_every_active_doctor_live_and_calls_aloud(
    server: Server, gql: GraphQL, page: Any
) -> None:
    from playwright.async_api import expect

    date = q.tomorrow()
    department, doctors = hall(gql, date)
    asha, farah, ravi = doctors
    first = q.book(gql, asha["id"], date, q.PATIENTS[0], check_in=True)
    second = q.book(gql, asha["id"], date, q.PATIENTS[1])
    q.call_next(gql, asha["id"], date)
    frames = record_frames(page)
    # Named as the API's department(name) is: trimmed, case ignored.
    await open_hall(page, server, f"  {department.upper()} ")

    await expect(page.locator("#hall-name")).to_have_text(department)
    await expect(page.locator(".desk .desk-name")).to_have_text(
        ["Dr Asha Menon", "Dr Farah Khan", "Dr Ravi Iyer"], timeout=LIVE
    )
    await expect(desk(page, asha).locator(".desk-room")).to_have_text("Room 4")
    await expect(desk(page, ravi).locator(".desk-room")).to_have_text("Cabin 12")
    await expect(desk(page, asha).locator(".desk-number")).to_have_text(first["number"])
    await expect(desk(page, asha).locator(".entry")).to_have_text([f"{second['number']}09:00"])
    await expect(desk(page, farah).locator(".desk-empty")).to_have_text("No patients waiting")

    third = q.book(gql, ravi["id"], date, q.PATIENTS[2], check_in=True)
    ravi_rows = desk(page, ravi).locator(".entry")
    await expect(ravi_rows).to_have_count(1, timeout=LIVE)
    await expect(ravi_rows.nth(0)).to_contain_text(third["number"])
    await expect(ravi_rows.nth(0).locator(".badge-arrived")).to_be_visible()

    q.call_next(gql, ravi["id"], date)
    await expect(desk(page, ravi).locator(".desk-number")).to_have_text(
        third["number"], timeout=LIVE
    )
    await page.wait_for_function("() => window.__calls.some((call) => call.text)", timeout=SAID)
    number = third["number"].replace("-", " ")
    assert await calls(page) == [
        "tone",
        "tone",
        {"text": f"Token {number}, Cabin 12", "lang": "en-IN"},
    ]

    seen = [await page.content(), *frames]
    assert "Dr Old Timer" not in seen[0] and "Dr Elsewhere" not in seen[0]
    for patient in q.PATIENTS[:3]:
        assert not any(patient["name"] in text for text in seen), patient["name"]
        assert not any(patient["phone"] in text for text in seen), patient["phone"]


async def test_hall_says_when_a_doctor_has_no_session_or_runs_late(
    server: Server, gql: GraphQL, page: Any
) -> None:
    from playwright.async_api import expect

    date = q.tomorrow()
    department = q.unique("Orthopaedics ")
    idle = {"id": q.new_doctor(gql, name="Dr Idle", department=department, code=q.unique("I"))}
    busy = {"id": q.new_doctor(gql, name="Dr Busy", department=department, code=q.unique("B"))}
    q.open_slots(gql, busy["id"], date, start="09:00", end="10:00", capacity=2)
    for patient in q.PATIENTS[:3]:
        q.book(gql, busy["id"], date, patient, source="EMERGENCY")
    await open_hall(page, server, department)
    await expect(desk(page, idle).locator(".desk-empty")).to_have_text("No session today")
    await expect(desk(page, idle).locator(".status-chip")).to_be_hidden()
    await expect(desk(page, busy).locator(".entry")).to_have_count(3)
    late = desk(page, busy).locator(".status-chip")
    await expect(late).to_be_visible()
    await expect(late).to_have_text("Running late")
    await expect(desk(page, busy).locator(".desk-empty")).to_be_hidden()


async def test_hall_sits_side_by_side_on_landscape_and_stacks_on_portrait(
    server: Server, gql: GraphQL, new_page: NewPage
) -> None:
    from playwright.async_api import expect

    date = q.tomorrow()
    department, doctors = hall(gql, date)
    for patient in q.PATIENTS:
        q.book(gql, doctors[0]["id"], date, patient, check_in=True)
    q.call_next(gql, doctors[0]["id"], date)
    for viewport in (LANDSCAPE, PORTRAIT):
        page = await new_page(viewport)
        await open_hall(page, server, department)
        await expect(page.locator(".desk")).to_have_count(3)
        await expect(desk(page, doctors[0]).locator(".entry")).to_have_count(4)
        desks = [await box(page, f".desk[data-doctor-id='{d['id']}']") for d in doctors]
        for one, other in itertools.pairwise(desks):
            assert not overlap(one, other)
            if viewport is LANDSCAPE:
                assert one["x"] + one["width"] <= other["x"]
                assert abs(one["y"] - other["y"]) < 2
            else:
                assert one["y"] + one["height"] <= other["y"]
                assert abs(one["x"] - other["x"]) < 2
        for found in desks:
            assert found["x"] + found["width"] <= viewport["width"]
            assert found["y"] + found["height"] <= viewport["height"]
            if viewport is PORTRAIT:
                assert found["width"] > 0.85 * PORTRAIT["width"]
        # Every row shown fits its desk; those that do not are counted, not cut off.
        first = desk(page, doctors[0])
        shown = first.locator(".entry:visible")
        assert await shown.count() >= 3
        more = await first.locator(".desk-more").text_content() or ""
        assert await shown.count() + int(re.sub(r"\D", "", more) or 0) == 4
        outline = desks[0]
        last = await shown.last.bounding_box()
        assert last["y"] + last["height"] <= outline["y"] + outline["height"] + 1


async def test_hall_with_no_doctor_on_duty_says_so(server: Server, gql: GraphQL, page: Any) -> None:
    from playwright.async_api import expect

    department = q.unique("Dermatology ")
    doctor_id = q.new_doctor(gql, department=department, code=q.unique("D"))
    q.update_doctor(gql, doctor_id, active=False)
    await open_hall(page, server, department)
    await expect(page.locator("#no-doctors")).to_be_visible()
    await expect(page.locator("#no-doctors")).to_contain_text("No doctors on duty")
    assert await page.locator(".desk").count() == 0


@pytest.mark.parametrize("name", ["No Such Department", "%20"])
async def test_hall_for_an_unknown_department_is_a_404_page(
    server: Server, page: Any, name: str
) -> None:
    response = await page.goto(f"{server.url}/board/department/{name}")
    assert response.status == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert await page.locator("h1").text_content() == "Department not found"
    message = await page.locator(".missing-message").text_content()
    assert message.startswith("There is no department called")


def test_hall_page_is_html_with_the_department_as_it_is_written(
    server: Server, gql: GraphQL
) -> None:
    department = q.unique("Ear Nose Throat ")
    q.new_doctor(gql, department=department, code=q.unique("E"))
    response = httpx.get(f"{server.url}/board/department/{department.lower()}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert f'data-department="{department}"' in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    bad = httpx.get(f"{server.url}/board/department/{department}", params={"date": "soon"})
    assert bad.status_code == 400
