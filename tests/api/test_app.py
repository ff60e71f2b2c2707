from __future__ import annotations

import signal
import subprocess

import httpx
from graphql import get_introspection_query

from opd_graphql.api.app import create_app
from opd_graphql.core.config import Settings
from opd_graphql.store.embedded import EmbeddedDatabase
from tests.servers import Server


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


async def test_graphiqls_introspection_query_is_answered(http):
    query = get_introspection_query(descriptions=True)
    response = await http.post("/graphql", json={"query": query})
    assert response.status_code == 200
    assert response.json()["data"]["__schema"]["mutationType"]["name"] == "Mutation"


def test_serve_runs_on_the_embedded_database_and_stops_it_on_sigterm(tmp_path):
    server = Server({"OPD_DATA_DIR": str(tmp_path / "data")}, tmp_path / "server.log")
    server.start()
    try:
        answer = httpx.post(f"{server.url}/graphql", json={"query": "{ doctors { id } }"})
        assert answer.json() == {"data": {"doctors": []}}
    finally:
        server.stop()
    assert server.process is not None
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert server.process.returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in server.log_path.read_text()
    leftover = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True)
    assert leftover.stdout == ""
