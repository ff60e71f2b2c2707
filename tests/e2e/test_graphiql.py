"""GraphiQL in a real browser that can reach the server and nothing else."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import GraphQL
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
READY = 30_000  # ms: GraphiQL's 3.5 MB bundle, parsed on a busy test machine
ANSWER = 10_000  # ms

CREATE_DOCTOR = """
mutation ($input: CreateDoctorInput!) {
  createDoctor(input: $input) { ... on Doctor { id } ... on UserError { message } }
}"""
CREATE_SLOTS = """
mutation ($input: CreateSlotsInput!) {
  createSlots(input: $input) { ... on SlotList { slots { id } } ... on UserError { message } }
}"""


class Offline:
    """A browser page that can reach the test server and nothing else, and what it tried."""

    def __init__(self, page: Any, server: Server) -> None:
        self.page = page
        self.origin = urlsplit(server.url).netloc
        self.elsewhere: list[str] = []
        self.assets: dict[str, int] = {}
        self.sockets: list[str] = []
        self.problems: list[str] = []
        page.on("response", self._on_response)
        page.on("websocket", lambda socket: self.sockets.append(socket.url))
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    async def start(self) -> None:
        await self.page.route("**/*", self._on_route)

    async def _on_route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc != self.origin:
            self.elsewhere.append(url)
            await route.abort("internetdisconnected")
        else:
            await route.continue_()

    def _on_response(self, response: Any) -> None:
        parts = urlsplit(response.url)
        if parts.path.startswith("/graphiql-assets/"):
            self.assets[parts.path] = response.status

    def _on_console(self, message: Any) -> None:
        # A blocked script, style or connection is reported only here.
        if message.type == "error":
            self.problems.append(f"console: {message.text}")


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
async def offline(browser: Any, server: Server) -> AsyncIterator[Offline]:
    context = await browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        offline = Offline(await context.new_page(), server)
        await offline.start()
        yield offline
    finally:
        await context.close()


async def open_graphiql(offline: Offline, server: Server) -> Any:
    from playwright.async_api import expect

    page = offline.page
    response = await page.goto(f"{server.url}/graphql")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    await expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible(timeout=READY)
    # The explorer plugin lists the schema's fields once GraphiQL has introspected it.
    await page.locator(".graphiql-sidebar button[aria-label='Show GraphiQL Explorer']").click()
    await expect(page.locator(".graphiql-explorer-root")).to_contain_text("doctors", timeout=ANSWER)
    return page


async def run(page: Any, operation: str) -> None:
    # CodeMirror 5 keeps its text in its own model: set it there, as typing would.
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    await editor.evaluate("(element, text) => element.CodeMirror.setValue(text)", operation)
    # GraphiQL parses the text 100 ms after a change, and only a parsed subscription goes
    # over the WebSocket: run before that and it is sent by POST.
    await page.wait_for_function(
        """(text) => {
            const parsed = document.querySelector(".graphiql-query-editor .CodeMirror")
                .CodeMirror.documentAST;
            return parsed !== null && parsed.loc.source.body === text;
        }""",
        arg=operation,
        timeout=ANSWER,
    )
    await page.locator("button.graphiql-execute-button").click()


async def test_graphiql_runs_a_query_with_nothing_from_outside(
    offline: Offline, server: Server
) -> None:
    from playwright.async_api import expect

    GraphQL(server.url)(
        CREATE_DOCTOR, input={"name": "Dr Ravi Iyer", "department": "Neurology", "code": "NEU1"}
    )
    page = await open_graphiql(offline, server)
    await run(page, "{ doctors { id name } }")
    result = page.locator(".graphiql-response")
    await expect(result).to_contain_text('"doctors"', timeout=ANSWER)
    await expect(result).to_contain_text("Dr Ravi Iyer")

    assert offline.elsewhere == [], "the page tried to reach another host"
    served = {path.rsplit("/", 1)[1] for path in offline.assets}
    assert served >= {
        "react.production.min.js",
        "react-dom.production.min.js",
        "js.cookie.min.js",
        "graphiql.min.js",
        "graphiql.min.css",
        "plugin-explorer.umd.js",
        "plugin-explorer.css",
        "graphiql-page.js",
        "graphiql-page.css",
    }
    assert set(offline.assets.values()) == {200}, offline.assets
    assert offline.problems == []


async def test_graphiql_subscribes_over_a_websocket_to_the_same_server(
    offline: Offline, server: Server
) -> None:
    from playwright.async_api import expect

    gql = GraphQL(server.url)
    doctor = gql(
        CREATE_DOCTOR, input={"name": "Dr Meera Pillai", "department": "ENT", "code": "ENT1"}
    )["createDoctor"]
    date = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    slots = {"startTime": "09:00", "endTime": "10:00", "slotMinutes": 60, "capacity": 2}
    gql(CREATE_SLOTS, input={"doctorId": doctor["id"], "date": date, **slots})
    page = await open_graphiql(offline, server)
    await run(
        page,
        f'subscription {{ queueUpdated(doctorId: "{doctor["id"]}", date: "{date}") '
        "{ date version } }",
    )
    result = page.locator(".graphiql-response")
    await expect(result).to_contain_text('"queueUpdated"', timeout=ANSWER)
    await expect(result).to_contain_text(date)

    assert [urlsplit(url)[:3] for url in offline.sockets] == [
        ("ws", urlsplit(server.url).netloc, "/graphql")
    ]
    assert offline.elsewhere == []
    assert offline.problems == []
