from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from opd_graphql.cli import main
from opd_graphql.core.config import Settings
from opd_graphql.server import UnsafeBind, check_bind
from opd_graphql.store.connection import connect, shown_uri
from opd_graphql.store.embedded import free_port
from tests.servers import Server


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_open_mode_serves_on_loopback(host):
    check_bind(Settings.from_env({}), host)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::", "opd.hospital.example"])
def test_open_mode_refuses_the_network(host):
    with pytest.raises(UnsafeBind, match="OPD_API_KEYS"):
        check_bind(Settings.from_env({}), host)


def test_the_network_is_fine_with_keys_or_when_asked_for_explicitly():
    check_bind(Settings.from_env({"OPD_API_KEYS": "admin:k"}), "0.0.0.0")
    check_bind(Settings.from_env({"OPD_ALLOW_OPEN_NETWORK": "true"}), "0.0.0.0")


@pytest.fixture(scope="module")
def serving(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`opd-graphql serve` on the embedded database, in a data directory of its own."""
    folder = tmp_path_factory.mktemp("serving")
    server = Server({"OPD_DATA_DIR": str(folder / "data")}, folder / "serve.log")
    server.start()
    yield server
    server.stop()


def _data_dir(server: Server) -> Path:
    return Path(server.env["OPD_DATA_DIR"])


def test_the_server_says_where_graphiql_the_boards_and_its_database_are(serving):
    messages = [json.loads(line)["message"] for line in serving.log_tail(20_000).splitlines()]
    database_uri = json.loads((_data_dir(serving) / "address").read_text())["uri"]

    assert f"GraphiQL: {serving.url}/graphql" in messages
    assert (
        f"boards: {serving.url}/board/DOCTOR_ID and {serving.url}/board/department/NAME" in messages
    )
    [database] = [m for m in messages if m.startswith("database: ")]
    assert database_uri in database and str(_data_dir(serving).resolve()) in database


def test_a_second_server_on_the_same_data_directory_says_why_it_stops(serving, tmp_path):
    second = subprocess.run(
        [sys.executable, "-m", "opd_graphql.cli", "serve", "--port", str(free_port())],
        env={**serving.env, "OPD_DATA_DIR": str(_data_dir(serving))},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert second.returncode == 2
    assert "Traceback" not in second.stderr
    assert second.stderr.splitlines()[-1] == (
        f"opd-graphql serve: The data directory {_data_dir(serving)} is in use by another "
        "process (an opd-graphql serve?): stop it, or set OPD_MONGODB_URI, or set "
        "OPD_DATA_DIR to another directory."
    )
    assert httpx.get(f"{serving.url}/healthz").status_code == 200


def test_simulate_next_to_a_running_server_uses_its_database(serving, monkeypatch, capsys):
    for name in [name for name in os.environ if name.startswith("OPD_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OPD_DATA_DIR", str(_data_dir(serving)))
    database_uri = json.loads((_data_dir(serving) / "address").read_text())["uri"]

    code = main(["simulate", "--doctors", "1", "--slots-per-doctor", "2", "--patients", "4"])

    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"the embedded database a server runs at {database_uri}" in err
    assert "All invariants held." in out
    with MongoClient(database_uri) as client:
        assert client.opd.doctors.count_documents({}) > 0
    assert httpx.get(f"{serving.url}/healthz").status_code == 200


def test_a_database_address_is_shown_without_user_password_or_options():
    assert shown_uri(
        "mongodb://admin:s3cret@db1:27017,db2/opd?tlsCertificateKeyFilePassword=x"
    ) == ("mongodb://db1:27017,db2")
    assert shown_uri("mongodb+srv://u:pa/ss@cluster.example/") == "mongodb+srv://cluster.example"
    assert "s3cret" not in shown_uri("s3cret")


async def test_the_database_line_names_a_configured_database_without_its_options(
    mongo_uri, db_name
):
    said: list[str] = []
    settings = Settings(mongodb_uri=mongo_uri, db_name=db_name)

    async with connect(settings, say=said.append) as database:
        await database.client.drop_database(db_name)

    assert said == [
        f"database: {shown_uri(mongo_uri)} (OPD_MONGODB_URI), database name {db_name!r}"
    ]
    assert "directConnection" not in said[0]
