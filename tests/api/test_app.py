from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx

from opd_graphql.api.app import create_app
from opd_graphql.core.config import Settings
from opd_graphql.store.embedded import EmbeddedDatabase


async def test_healthz_answers_200_when_the_database_answers(http):
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_healthz_answers_503_while_the_database_is_down(tmp_path):
    database = EmbeddedDatabase(tmp_path)
    app = create_app(Settings(mongodb_uri=database.start()))
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                assert (await client.get("/healthz")).status_code == 200
                database.stop()
                response = await client.get("/healthz")
    finally:
        database.stop()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


async def test_graphiql_is_served_on_get(http):
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_serve_runs_on_the_embedded_database_and_stops_it_on_sigterm(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "OPD_DATA_DIR": str(tmp_path)}
    env.pop("OPD_MONGODB_URI", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "opd_graphql.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = _wait_for_health(port, server)
        assert body == {"status": "ok"}
        answer = httpx.post(
            f"http://127.0.0.1:{port}/graphql", json={"query": "{ doctors { id } }"}
        ).json()
        assert answer == {"data": {"doctors": []}}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert server.returncode in (0, -signal.SIGTERM)
    assert server.stderr is not None and "Application shutdown complete" in server.stderr.read()
    leftover = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True)
    assert leftover.stdout == ""


def _wait_for_health(port: int, server: subprocess.Popen[str]) -> dict[str, str]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz").json()
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("the server did not come up")
