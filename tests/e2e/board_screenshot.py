"""Takes docs/board.png: a doctor's board with a few tokens, in headless Chromium.

    .venv/bin/python -m tests.e2e.board_screenshot [docs/board.png]

Runs its own embedded database and server, and leaves nothing behind but the picture.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright, expect

from opd_graphql.store.embedded import EmbeddedDatabase
from tests.e2e import queues as q
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, LANDSCAPE, GraphQL, server_env
from tests.servers import Server

PATIENTS = [{"name": f"Screenshot Patient {n}"} for n in range(1, 9)]


def make_day(gql: GraphQL, date: str) -> str:
    doctor_id = q.open_day(gql, date, name="Dr Asha Menon", code="CAR1", room="4")
    tokens = [q.book(gql, doctor_id, date, patient) for patient in PATIENTS[:6]]
    for token in tokens[:3] + tokens[4:5]:
        q.check_in(gql, token["id"])
    q.call_next(gql, doctor_id, date)
    q.book(gql, doctor_id, date, PATIENTS[6], source="EMERGENCY", check_in=True)
    return doctor_id


async def shoot(url: str, path: Path) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        page = await browser.new_page(viewport=LANDSCAPE)
        await page.goto(url)
        await expect(page.locator("#next-list .entry")).to_have_count(6)
        await page.wait_for_timeout(4000)  # the called number's flash is over
        await page.screenshot(path=str(path))
        await browser.close()


def main(path: Path) -> None:
    with tempfile.TemporaryDirectory() as work, EmbeddedDatabase(Path(work, "db")) as database:
        server = Server(server_env(database.uri, "screenshot"), Path(work, "server.log"))
        server.start()
        try:
            date = q.tomorrow()
            doctor_id = make_day(GraphQL(server.url), date)
            asyncio.run(shoot(f"{server.url}/board/{doctor_id}?date={date}", path))
        finally:
            server.stop()
    print(f"wrote {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/board.png"))
