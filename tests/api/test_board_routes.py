"""The boards' routes: a page for what exists, a 404 page for what does not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from pymongo.errors import ServerSelectionTimeoutError

from opd_graphql.api import board
from opd_graphql.core.config import Settings
from tests.api.conftest import GraphQLClient

CREATE_DOCTOR = """
mutation ($input: CreateDoctorInput!) {
  createDoctor(input: $input) { ... on Doctor { id } ... on UserError { message } }
}"""


async def new_doctor(gql: GraphQLClient, department: str = "Cardiology") -> str:
    doctor = await gql(
        CREATE_DOCTOR, input={"name": "Dr Asha Menon", "department": department, "code": "CAR1"}
    )
    return str(doctor["createDoctor"]["id"])


def is_missing_page(response: httpx.Response, sentence: str) -> bool:
    return (
        response.status_code == 404
        and response.headers["content-type"] == "text/html; charset=utf-8"
        and response.headers["cache-control"] == "no-store"
        and sentence in response.text
    )


async def test_a_doctors_board_is_html_with_the_day_filled_in(
    http: httpx.AsyncClient, gql: GraphQLClient, settings: Settings
) -> None:
    doctor_id = await new_doctor(gql)
    before = dt.datetime.now(settings.timezone).date().isoformat()
    response = await http.get(f"/board/{doctor_id}")
    after = dt.datetime.now(settings.timezone).date().isoformat()
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert f'data-doctor-id="{doctor_id}"' in response.text
    assert f'data-date="{before}"' in response.text or f'data-date="{after}"' in response.text
    assert 'data-date-fixed="false"' in response.text
    assert f'data-timezone="{settings.timezone.key}"' in response.text

    pinned = await http.get(f"/board/{doctor_id}", params={"date": "2030-01-10"})
    assert 'data-date="2030-01-10"' in pinned.text
    assert 'data-date-fixed="true"' in pinned.text


async def test_a_board_links_each_asset_by_its_content(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    doctor = await http.get(f"/board/{await new_doctor(gql)}")
    hall = await http.get("/board/department/cardiology")
    for page, own in ((doctor.text, "board"), (hall.text, "department")):
        for name in ("common.css", f"{own}.css", "live.js", "common.js", "voice.js", f"{own}.js"):
            url = f"/board-assets/{name}?v={board._version(name)}"
            assert url in page, name
            asset = await http.get(url)
            assert asset.status_code == 200
            assert asset.headers["content-type"] == board.ASSET_TYPES[name]
            assert "immutable" in asset.headers["cache-control"]
    for name in ("__init__.py", "board.html", "missing.html", "graphiql.html"):
        assert (await http.get(f"/board-assets/{name}")).status_code == 404


@pytest.mark.parametrize("doctor_id", ["000000000000000000000000", "abc123", "%E2%9C%93"])
async def test_a_board_for_no_doctor_is_a_404_page(http: httpx.AsyncClient, doctor_id: str) -> None:
    response = await http.get(f"/board/{doctor_id}")
    assert is_missing_page(response, "No doctor has the id"), response.text
    assert "data-doctor-id" not in response.text


async def test_a_404_page_escapes_what_it_was_asked_for(http: httpx.AsyncClient) -> None:
    response = await http.get("/board/%22%3E%3Cscript%3Ealert('x')&")
    assert is_missing_page(response, "No doctor has the id"), response.text
    assert "<script>alert" not in response.text
    assert "&quot;&gt;&lt;script&gt;alert(&#x27;x&#x27;)&amp;" in response.text


@pytest.mark.parametrize("path", ["/board/000000000000000000000000", "/board/department/x"])
async def test_a_bad_date_is_refused_before_anything_is_looked_up(
    http: httpx.AsyncClient, path: str
) -> None:
    response = await http.get(path, params={"date": "2030-13-01"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")


async def test_a_halls_board_finds_its_department_as_the_api_does(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    await new_doctor(gql, department="Ear, Nose  and Throat")
    response = await http.get("/board/department/%20ear,%20NOSE%20and%20throat%20")
    assert response.status_code == 200
    assert 'data-department="Ear, Nose and Throat"' in response.text
    assert "<title>Ear, Nose and Throat · Outpatient queue</title>" in response.text


@pytest.mark.parametrize("name", ["Cardiology", "Card/iology", "%3Cb%3E"])
async def test_a_board_for_no_department_is_a_404_page(
    http: httpx.AsyncClient, gql: GraphQLClient, name: str
) -> None:
    await new_doctor(gql, department="Neurology")
    response = await http.get(f"/board/department/{name}")
    assert is_missing_page(response, "There is no department called"), response.text
    assert "<b>" not in response.text


async def test_a_board_is_served_when_the_database_cannot_say(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable(*args: Any) -> None:
        raise ServerSelectionTimeoutError("no servers")

    monkeypatch.setattr(board.doctors, "get_doctor", unreachable)
    monkeypatch.setattr(board.departments, "find_department", unreachable)
    # The page's own feed then says what is wrong, and retries until it can tell.
    doctor = await http.get("/board/000000000000000000000000")
    assert doctor.status_code == 200
    assert 'data-doctor-id="000000000000000000000000"' in doctor.text
    hall = await http.get("/board/department/%20Cardiology%20")
    assert hall.status_code == 200
    assert 'data-department="Cardiology"' in hall.text
