from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from opd_graphql.cli import main
from opd_graphql.store.embedded import EmbeddedDatabase

README = Path(__file__).parent.parent / "README.md"
SIMULATE = ["simulate", "--doctors", "1", "--slots-per-doctor", "2", "--patients", "4"]


@pytest.fixture(autouse=True)
def no_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the settings a test gives: none from the shell running the tests."""
    for name in [name for name in os.environ if name.startswith("OPD_")]:
        monkeypatch.delenv(name)


def _readme_settings() -> dict[str, str]:
    """The README's Configuration table: variable -> default as the help shows it."""
    rows = re.findall(r"^\| `(OPD_\w+)` \| ([^|]+) \|", README.read_text(), re.M)
    return {
        name: "(unset)" if default.startswith("unset") else default.strip().strip("`")
        for name, default in rows
    }


def test_serve_help_lists_every_setting_with_its_default(capsys):
    with pytest.raises(SystemExit) as done:
        main(["serve", "--help"])

    out = capsys.readouterr().out
    listed = dict(re.findall(r"^  (OPD_\w+) +(\S+) ", out, re.M))
    assert done.value.code == 0
    assert listed == _readme_settings()
    assert len(listed) == 13


@pytest.mark.parametrize("command", ["serve", "simulate", "bench"])
@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("OPD_TIMEZONE=Nowhere", "OPD_TIMEZONE: 'Nowhere' is not a timezone name"),
        ("OPD_SPILL=SIDEWAYS", "OPD_SPILL: expected NEXT_SLOT or WAITLIST, got 'SIDEWAYS'."),
        ("OPD_MAX_SKIPS=x", "OPD_MAX_SKIPS: expected a whole number, 0 or more, got 'x'."),
        ("OPD_ALLOW_OPEN_NETWORK=maybe", "OPD_ALLOW_OPEN_NETWORK: expected true or false"),
    ],
)
def test_a_malformed_setting_is_one_sentence(command, setting, said, monkeypatch, capsys):
    monkeypatch.setenv(*setting.split("=", 1))

    code = main([command])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"opd-graphql {command}: {said}")
    assert err.count("\n") == 1


def test_a_malformed_setting_stops_the_real_process_without_a_traceback():
    ran = subprocess.run(
        [sys.executable, "-m", "opd_graphql.cli", "serve"],
        env={**os.environ, "OPD_TIMEZONE": "Asia"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert ran.returncode == 2
    assert ran.stderr == (
        "opd-graphql serve: OPD_TIMEZONE: 'Asia' is not a timezone name such as "
        "Asia/Kolkata or UTC.\n"
    )


def test_a_port_in_use_is_one_sentence(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        code = main(["serve", "--port", str(port)])

    assert code == 2
    assert capsys.readouterr().err == (
        f"opd-graphql serve: Port {port} on 127.0.0.1 is already in use (another "
        "opd-graphql serve?): stop what uses it, or choose another --port.\n"
    )


def test_simulate_on_a_locked_data_directory_without_a_usable_address_says_what_to_do(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("OPD_DATA_DIR", str(tmp_path))
    with EmbeddedDatabase(tmp_path) as other:
        # As a server stopped mid-way would leave it: alive, but its address not believable.
        other.address_path.write_text(
            json.dumps({"uri": "mongodb://127.0.0.1:1/?directConnection=true", "pid": 1})
        )

        code = main(SIMULATE)

    assert code == 2
    assert capsys.readouterr().err == (
        f"opd-graphql simulate: The data directory {tmp_path} is in use by another process "
        "(an opd-graphql serve?): stop it, or set OPD_MONGODB_URI, or set OPD_DATA_DIR to "
        "another directory.\n"
    )


def test_an_unusable_data_directory_is_one_sentence(tmp_path, monkeypatch, capsys):
    (tmp_path / "file").touch()
    monkeypatch.setenv("OPD_DATA_DIR", str(tmp_path / "file" / "data"))

    code = main(SIMULATE)

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"opd-graphql simulate: Cannot use {tmp_path / 'file' / 'data'} (")
    assert err.endswith(
        "set OPD_DATA_DIR to a directory this user can write, or set OPD_MONGODB_URI.\n"
    )
    assert err.count("\n") == 1


def test_export_schema_to_a_folder_that_is_not_there_is_one_sentence(tmp_path, capsys):
    missing = tmp_path / "missing" / "schema.graphql"

    code = main(["export-schema", "--output", str(missing)])

    assert code == 2
    assert capsys.readouterr().err == (
        f"opd-graphql export-schema: cannot write {missing}: No such file or directory\n"
    )
