from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Iterator

import pytest
from pymongo import MongoClient

from opd_graphql.cli import main
from opd_graphql.sim.progress import ProgressBar

TINY_FLAGS = [
    "simulate",
    "--seed",
    "3",
    "--date",
    "2030-01-10",
    "--doctors",
    "1",
    "--slots-per-doctor",
    "3",
    "--slot-minutes",
    "20",
    "--capacity",
    "2",
    "--patients",
    "8",
    "--emergency-rate",
    "0.25",
]
REPORT_KEYS = {
    "simulationId",
    "seed",
    "date",
    "doctors",
    "slotsCreated",
    "tokensBooked",
    "emergencies",
    "cancellations",
    "noShows",
    "completed",
    "rejected",
    "waitlistedRemaining",
    "displacements",
    "promotions",
    "skips",
    "skippedPatients",
    "skippedSeen",
    "movedPatients",
    "movedSeen",
    "overbookedSlots",
    "utilization",
    "meanWaitMinutes",
    "p95WaitMinutes",
    "bySource",
    "invariantViolations",
    "elapsedMs",
}


@pytest.fixture
def database(mongo_uri: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The CLI connects through OPD_MONGODB_URI, here to a database of its own."""
    name = f"cli_{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("OPD_MONGODB_URI", mongo_uri)
    monkeypatch.setenv("OPD_DB_NAME", name)
    yield name
    with MongoClient(mongo_uri) as client:
        client.drop_database(name)


def test_simulate_prints_a_summary_and_writes_json_and_a_page(database, tmp_path, capsys):
    json_file, page = tmp_path / "day.json", tmp_path / "day.html"

    code = main([*TINY_FLAGS, "--json", str(json_file), "--report", str(page)])

    out = capsys.readouterr().out
    report = json.loads(json_file.read_text())
    html = page.read_text()
    assert code == 0
    assert set(report) == REPORT_KEYS
    assert report["tokensBooked"] == 8 and report["seed"] == 3
    assert re.search(r"^Tokens booked +8$", out, re.M)
    assert re.search(rf"^Completed +{report['completed']}$", out, re.M)
    assert "All invariants held." in out
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") >= 3  # outcomes, waits, and the doctor's day
    assert "D01" in html
    assert not re.search(r"https?://", html)
    assert "<script" not in html and "<link" not in html


def test_compare_policies_shows_every_emergency_mode_and_spill(database, tmp_path, capsys):
    json_file = tmp_path / "compare.json"

    code = main([*TINY_FLAGS, "--compare-policies", "--json", str(json_file)])

    out = capsys.readouterr().out
    modes = next(line for line in out.splitlines() if line.startswith("Emergency mode"))
    spills = next(line for line in out.splitlines() if line.startswith("Spill"))
    compared = json.loads(json_file.read_text())
    assert code == 0
    assert modes.split()[2:] == ["DISPLACE", "DISPLACE", "OVERBOOK", "OVERBOOK"]
    assert spills.split()[1:] == ["NEXT_SLOT", "WAITLIST", "NEXT_SLOT", "WAITLIST"]
    assert [(c["policy"]["emergencyMode"], c["policy"]["spill"]) for c in compared] == [
        ("DISPLACE", "NEXT_SLOT"),
        ("DISPLACE", "WAITLIST"),
        ("OVERBOOK", "NEXT_SLOT"),
        ("OVERBOOK", "WAITLIST"),
    ]
    assert len({c["report"]["tokensBooked"] for c in compared}) == 1


def test_absent_patients_are_skipped_as_the_flags_and_the_server_policy_say(
    database, tmp_path, capsys, monkeypatch
):
    json_file = tmp_path / "day.json"
    absent = [*TINY_FLAGS, "--absent-when-called-rate", "1", "--json", str(json_file)]

    code = main(absent)
    out = capsys.readouterr().out
    skipping = json.loads(json_file.read_text())
    monkeypatch.setenv("OPD_MAX_SKIPS", "0")  # the server's policy, kept when no flag changes it
    main(absent)
    capsys.readouterr()
    no_second_chance = json.loads(json_file.read_text())
    main([*absent, "--max-skips", "1"])
    capsys.readouterr()
    one_more_chance = json.loads(json_file.read_text())

    assert code == 0
    assert skipping["skips"] >= skipping["skippedPatients"] > 0
    assert re.search(rf"^Skips +{skipping['skips']}$", out, re.M)
    assert re.search(rf"^Skipped patients seen +{skipping['skippedSeen']} of ", out, re.M)
    assert "at most 2 skips" in out
    assert no_second_chance["skips"] == 0
    assert no_second_chance["noShows"] > skipping["noShows"]
    assert one_more_chance["skips"] > 0


def test_simulate_refuses_out_of_range_flags_before_starting(capsys):
    code = main(["simulate", "--doctors", "0"])

    assert code == 2
    assert "doctors must be between 1 and 50" in capsys.readouterr().err
    assert main(["simulate", "--new-patient-rate", "2"]) == 2
    assert "newPatientRate must be between 0 and 1" in capsys.readouterr().err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_draws_on_a_terminal_only():
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = ProgressBar(stream, "day")
        bar(0.5)
        bar(1.0)
        bar.close()

    assert "day [" + "#" * 15 + "." * 15 + "]  50%" in terminal.getvalue()
    assert "100%" in terminal.getvalue()
    assert pipe.getvalue() == ""
