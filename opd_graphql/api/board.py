"""The waiting-room boards: TV pages that follow queues live.

GET /board/{doctor_id} is one doctor's door, GET /board/department/{name} a department's
hall. A board for a doctor or department that does not exist is a 404 page.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections.abc import Awaitable
from functools import cache
from html import escape
from importlib.resources import files
from string import Template
from typing import TypeVar

from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from opd_graphql.service import departments, doctors
from opd_graphql.service.errors import ServiceError

log = logging.getLogger("opd_graphql")
T = TypeVar("T")

CSS = "text/css; charset=utf-8"
JS = "text/javascript; charset=utf-8"
ASSET_TYPES = {
    "common.css": CSS,
    "board.css": CSS,
    "department.css": CSS,
    "live.js": JS,
    "common.js": JS,
    "voice.js": JS,
    "board.js": JS,
    "department.js": JS,
}
# A board that cannot tell whether its doctor exists is served anyway: its feed retries,
# where an error page would stay up until someone reloads the TV.
CHECK_WITHIN = 3.0  # seconds

# The page talks only to this server; no referrer, so a ?key= in its URL goes nowhere else.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@cache
def _read(name: str) -> str:
    return files("opd_graphql.web").joinpath(name).read_text(encoding="utf-8")


@cache
def _version(name: str) -> str:
    return hashlib.sha256(_read(name).encode()).hexdigest()[:12]


def render(template: str, **values: str) -> str:
    """A page from web/, its values escaped, each asset URL carrying its content's hash."""
    versions = {"v_" + name.replace(".", "_"): _version(name) for name in ASSET_TYPES}
    escaped = {key: escape(value, quote=True) for key, value in values.items()}
    return Template(_read(template)).substitute(versions | escaped)


def _day(request: Request) -> tuple[dt.date, bool] | None:
    """The day to show and whether the URL pinned it; None for a date that is not one."""
    requested = request.query_params.get("date")
    if requested is None:
        return dt.datetime.now(request.app.state.settings.timezone).date(), False
    try:
        return dt.date.fromisoformat(requested), True
    except ValueError:
        return None


class Unchecked:
    """The database could not say in time."""


async def _checked(lookup: Awaitable[T]) -> T | Unchecked:
    try:
        return await asyncio.wait_for(lookup, CHECK_WITHIN)
    except (PyMongoError, TimeoutError) as error:
        log.warning("board: could not check what it shows: %s", type(error).__name__)
        return Unchecked()


def _bad_date() -> Response:
    return PlainTextResponse("Bad date: use YYYY-MM-DD.\n", status_code=400)


def _missing(title: str, message: str) -> Response:
    page = render("missing.html", title=title, message=message)
    return HTMLResponse(page, status_code=404, headers=PAGE_HEADERS)


def _quoted(text: str) -> str:
    return f"\u201c{text[:60]}\u201d"


async def board_page(request: Request) -> Response:
    day = _day(request)
    if day is None:
        return _bad_date()
    doctor_id = request.path_params["doctor_id"]
    try:
        await _checked(doctors.get_doctor(doctor_id))
    except ServiceError:
        return _missing("Doctor not found", f"No doctor has the id {_quoted(doctor_id)}.")
    date, date_fixed = day
    page = render(
        "board.html",
        doctor_id=doctor_id,
        date=date.isoformat(),
        date_fixed="true" if date_fixed else "false",
        timezone=request.app.state.settings.timezone.key,
    )
    return HTMLResponse(page, headers=PAGE_HEADERS)


async def department_page(request: Request) -> Response:
    day = _day(request)
    if day is None:
        return _bad_date()
    name = " ".join(request.path_params["name"].split())
    try:
        found = await _checked(departments.find_department(name))
    except ServiceError:
        found = None
    if found is None:
        return _missing("Department not found", f"There is no department called {_quoted(name)}.")
    if isinstance(found, departments.Department):
        name = found.name
    date, date_fixed = day
    page = render(
        "department.html",
        department=name,
        date=date.isoformat(),
        date_fixed="true" if date_fixed else "false",
        timezone=request.app.state.settings.timezone.key,
    )
    return HTMLResponse(page, headers=PAGE_HEADERS)


async def board_asset(request: Request) -> Response:
    name = request.path_params["name"]
    media_type = ASSET_TYPES.get(name)
    if media_type is None:
        return PlainTextResponse("Not found.\n", status_code=404)
    # Asset URLs carry a content hash, so a browser may keep them as long as it likes.
    headers = {"Cache-Control": "public, max-age=31536000, immutable"}
    return Response(_read(name), media_type=media_type, headers=headers)


routes: list[BaseRoute] = [
    Route("/board/department/{name:path}", department_page, methods=["GET"]),
    Route("/board/{doctor_id}", board_page, methods=["GET"]),
    Route("/board-assets/{name}", board_asset, methods=["GET"]),
]
