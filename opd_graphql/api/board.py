"""The waiting-room board: GET /board/{doctor_id}, a page for a TV that follows a queue live."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from html import escape
from importlib.resources import files
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

ASSET_TYPES = {"board.css": "text/css; charset=utf-8", "board.js": "text/javascript; charset=utf-8"}

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


def render(doctor_id: str, date: dt.date, *, date_fixed: bool, timezone: str) -> str:
    values = {
        "doctor_id": doctor_id,
        "date": date.isoformat(),
        "date_fixed": "true" if date_fixed else "false",
        "timezone": timezone,
        "css_version": _version("board.css"),
        "js_version": _version("board.js"),
    }
    return Template(_read("board.html")).substitute(
        {key: escape(value, quote=True) for key, value in values.items()}
    )


async def board_page(request: Request) -> Response:
    timezone = request.app.state.settings.timezone
    requested = request.query_params.get("date")
    if requested is None:
        date = dt.datetime.now(timezone).date()
    else:
        try:
            date = dt.date.fromisoformat(requested)
        except ValueError:
            return PlainTextResponse("Bad date: use YYYY-MM-DD.\n", status_code=400)
    page = render(
        request.path_params["doctor_id"],
        date,
        date_fixed=requested is not None,
        timezone=timezone.key,
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
    Route("/board/{doctor_id}", board_page, methods=["GET"]),
    Route("/board-assets/{name}", board_asset, methods=["GET"]),
]
