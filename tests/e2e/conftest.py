"""A real server process on the test database, a GraphQL client for it, and a browser."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import Server

TIMEZONE = "Asia/Kolkata"
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
LANDSCAPE = {"width": 1920, "height": 1080}
PORTRAIT = {"width": 1080, "height": 1920}

# What a board says aloud, in order: "tone" for each tone of a chime, then what is spoken.
RECORD_CALLS = """
window.__calls = [];
window.speechSynthesis.speak = (utterance) => {
  window.__calls.push({ text: utterance.text, lang: utterance.lang });
  setTimeout(() => utterance.dispatchEvent(new Event("end")), 0);
};
window.AudioContext = class {
  constructor() { this.state = "running"; this.currentTime = 0; this.destination = {}; }
  resume() { return Promise.resolve(); }
  createOscillator() {
    return { frequency: { setValueAtTime() {} }, connect() {}, stop() {},
             start() { window.__calls.push("tone"); } };
  }
  createGain() {
    return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect() {} };
  }
};
"""


class GraphQL:
    def __init__(self, url: str) -> None:
        self.url = f"{url}/graphql"

    def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        response = httpx.post(self.url, json={"query": query, "variables": variables}, timeout=10)
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]


def server_env(mongo_uri: str, db_name: str) -> dict[str, str]:
    return {"OPD_MONGODB_URI": mongo_uri, "OPD_DB_NAME": db_name, "OPD_TIMEZONE": TIMEZONE}


def new_db_name() -> str:
    return f"e2e_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def server(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for a module's tests that only add data of their own."""
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    server = Server(server_env(mongo_uri, new_db_name()), log_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_server(mongo_uri: str, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Servers on one fresh database, for a test that stops and starts them."""
    db_name = new_db_name()
    servers: list[Server] = []

    def make(port: int | None = None) -> Server:
        server = Server(server_env(mongo_uri, db_name), tmp_path / "server.log", port)
        servers.append(server)
        server.start()
        return server

    try:
        yield make
    finally:
        for server in servers:
            server.stop()


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
async def new_page(browser: Any) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """Pages that record what they say aloud, in a browser far from the hospital."""
    contexts: list[Any] = []

    async def make(viewport: dict[str, int] = LANDSCAPE) -> Any:
        # New York's clock: the board must still show the hospital's times.
        context = await browser.new_context(viewport=viewport, timezone_id="America/New_York")
        contexts.append(context)
        await context.add_init_script(RECORD_CALLS)
        return await context.new_page()

    try:
        yield make
    finally:
        for context in contexts:
            await context.close()


@pytest.fixture
async def page(new_page: Callable[..., Awaitable[Any]]) -> Any:
    return await new_page()


async def calls(page: Any) -> list[Any]:
    """What the page has said aloud so far: "tone"s and {text, lang}s, in order."""
    return list(await page.evaluate("window.__calls"))


async def spoken(page: Any) -> list[dict[str, str]]:
    return [call for call in await calls(page) if call != "tone"]


def record_frames(page: Any) -> list[str]:
    """Every WebSocket message the page receives."""
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


async def box(page: Any, selector: str) -> dict[str, float]:
    found = await page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not on screen"
    return dict(found)


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )
