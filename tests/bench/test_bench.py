"""The whole bench, at its tiny size, against the test database server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pymongo import MongoClient

from opd_graphql.bench.measure import percentile
from opd_graphql.cli import main


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) == 0.0


def test_the_bench_measures_every_part(
    mongo_uri: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPD_MONGODB_URI", mongo_uri)
    path = tmp_path / "bench.json"

    assert main(["bench", "--tiny", "--json", str(path)]) == 0

    figures = json.loads(path.read_text())
    assert figures["problems"] == []
    assert figures["plan"]["name"] == "tiny"
    assert figures["environment"]["cpu_count"] >= 1
    assert figures["environment"]["python"]
    assert figures["engine"]["allocations_per_s"] > 0
    assert figures["engine"]["fresh_day_allocations_per_s"] > 0

    levels = figures["booking"]
    assert [(level["clients"], level["doctor_days"]) for level in levels] == [
        (1, 4),
        (4, 4),
        (4, 1),
    ]
    for level in levels:
        for side in (level["api"], level["floor"]):
            assert side["bookings"] > 0
            assert side["errors"] == 0
            assert side["throughput_bookings_per_s"] > 0
            assert 0 < side["p50_ms"] <= side["p99_ms"]
            assert side["transaction_retries"] >= 0
        assert level["api"]["cpu_ms_per_booking"] > 0
        assert level["floor"]["client_cpu_ms_per_booking"] > 0
        assert level["api_to_floor_throughput_ratio"] > 0
    made = figures["bookings_stored"]["bookings_made"]
    assert made == sum(level["api"]["bookings"] for level in levels)
    assert figures["bookings_stored"]["tokens_stored"] == made

    for screens in figures["fanout"]:
        assert screens["errors"] == 0
        assert screens["missed_deliveries"] == 0
        assert screens["deliveries"] == screens["screens"] * screens["bookings"] > 0
        assert 0 < screens["p50_ms"] <= screens["p99_ms"]
        assert screens["server_cpu_ms_per_booking"] > 0
    assert [s["screens"] for s in figures["fanout"]] == [1, 8]

    played, skipped = figures["simulations"]
    assert played["run"] and played["wall_s"] > 0 and played["tokens_booked"] > 0
    assert played["invariant_violations"] == 0 and played["error"] is None
    assert not skipped["run"] and skipped["wall_s"] is None
    big_day, compared = figures["what_if"]
    assert big_day["args"][:2] == ["--mode", "engine"] and big_day["simulated_ms"] > 0
    assert compared["args"] == ["--compare-policies", "--runs", "2"]
    for command in (big_day, compared):
        assert command["wall_s"] > 0 and not command["broken"] and command["error"] is None
    assert figures["server"]["peak_rss_bytes"] > 20 * 2**20
    assert figures["server"]["cpu_s"] > 0

    table = capsys.readouterr().out
    assert "API/floor" in table
    assert "not run (use --full)" in table
    assert "--compare-policies --runs 2" in table
    # The bench cleans up after itself on a database it was given.
    with MongoClient(mongo_uri) as client:
        assert not [name for name in client.list_database_names() if name.startswith("bench_")]
