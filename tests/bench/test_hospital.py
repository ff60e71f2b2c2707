"""The hospital level, at its tiny size, against the test database server."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

import pytest
from pymongo import MongoClient

from opd_graphql.bench.arrivals import morning_peak
from opd_graphql.bench.open_loop import schedule
from opd_graphql.cli import main


def test_the_peak_is_the_simulators_busiest_window() -> None:
    peak = morning_peak(4, 16, 6, timedelta(minutes=15))
    assert len(peak.arrivals) + len(peak.earlier) < peak.patients
    assert peak.per_second == len(peak.arrivals) / 900
    assert {arrival.doctor for arrival in peak.arrivals} <= set(range(4))
    # Walk-ins make the morning's peak.
    walk_ins = sum(arrival.source == "WALK_IN" for arrival in peak.arrivals)
    assert walk_ins > len(peak.arrivals) / 2
    before = peak.before(3, at_least=5)
    assert [sum(a.doctor == d for a in before) for d in range(4)] == [5, 5, 5, 5]


def test_a_schedule_keeps_its_count_and_span() -> None:
    moments = schedule(50, 2.0, random.Random(1))
    assert len(moments) == 50
    assert moments == sorted(moments)
    assert all(0 <= moment < 2.0 for moment in moments)


def test_the_hospital_level_measures_every_figure(
    mongo_uri: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPD_MONGODB_URI", mongo_uri)
    path = tmp_path / "hospital.json"

    assert main(["bench", "--hospital", "--tiny", "--json", str(path)]) == 0

    figures = json.loads(path.read_text())["hospital"]
    assert figures["problems"] == []
    assert figures["plan"]["name"] == "hospital-tiny"
    assert figures["environment"]["cpu_count"] >= 1
    peak = figures["morning_peak"]
    assert peak["doctors"] == 4 and peak["peak_bookings_per_s"] > 0
    assert peak["bookings_in_busiest_window"] > 0
    assert figures["prefilled_tokens"] > 0
    subscribers = figures["subscribers"]
    assert subscribers["screens"] == 4 and subscribers["phones"] == 8

    processes = figures["processes"]
    assert [process["name"] for process in processes] == ["api-1", "api-2"]
    assert sum(process["screens"] for process in processes) == 4
    assert sum(process["phones"] for process in processes) == 8
    for process in processes:
        assert process["screens"] > 0 and process["phones"] > 0
        for moment in ("before_subscribers", "following_every_day", "after_subscribers"):
            assert process[f"rss_{moment}_bytes"] > 20 * 2**20
        assert 0 < process["first_subscribers"] < process["subscribers"]
        assert "memory_per_subscriber_kib" in process
        assert "memory_per_subscriber_all_in_kib" in process
        assert process["peak_rss_bytes"] > 0 and process["cpu_s"] > 0

    levels = figures["levels"]
    assert [level["multiplier"] for level in levels] == [1, 5, 20]
    for level in levels:
        booking, changes = level["booking"], level["token_changes"]
        assert booking["bookings"] > 0 and booking["errors"] == 0
        assert 0 < booking["p50_ms"] <= booking["p99_ms"]
        assert booking["throughput_bookings_per_s"] > 0
        assert changes["changes"] > 0 and changes["errors"] == 0
        assert booking["not_sent_saturated"] == changes["not_sent_saturated"] == 0
        for delivery, done in (
            (level["booking_to_screen"], booking["bookings"]),
            (level["change_to_phone"], changes["changes"]),
        ):
            assert delivery["missed"] == 0
            assert delivery["expected"] == delivery["delivered"] == done
            assert 0 < delivery["p50_ms"] <= delivery["p99_ms"]
        assert level["client_send_lag_max_ms"] >= 0
        assert {"api-1", "api-2", "bench client"} <= set(level["cpu_s"])
    assert {target["target"] for target in figures["targets"]} >= {
        "no errors",
        "every screen updated within 1 s at p99 at the peak",
        "every phone updated within 1 s at p99 at the peak",
        "api-1: memory per subscriber under 50 KiB",
    }

    table = capsys.readouterr().out
    for heading in ("Open loop", "screen", "phone", "KiB/subscriber", "target"):
        assert heading in table
    with MongoClient(mongo_uri) as client:
        assert not [name for name in client.list_database_names() if name.startswith("bench_")]
