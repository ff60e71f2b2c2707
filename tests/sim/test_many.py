from __future__ import annotations

import argparse
import json
import re
from dataclasses import replace
from typing import Any

import pytest

from opd_graphql.cli import main
from opd_graphql.engine import EmergencyMode, Policy, Source, Spill
from opd_graphql.sim import cli, html_days, html_policies, many, text_many
from opd_graphql.sim.many import WALK_IN_WAIT, Comparison, Days, estimate, t_quantile
from opd_graphql.sim.report import SimulationReport, SourceFigures
from opd_graphql.sim.runner import Mode
from tests.sim.conftest import DAY, TINY
from tests.sim.test_cli import REPORT_KEYS, TINY_FLAGS, database  # noqa: F401  (fixture)

BASE = SimulationReport(
    simulation_id="s",
    seed=0,
    date=DAY,
    doctors=1,
    slots_created=3,
    tokens_booked=8,
    emergencies=1,
    cancellations=0,
    no_shows=1,
    completed=6,
    rejected=0,
    waitlisted_remaining=1,
    displacements=0,
    promotions=0,
    skips=0,
    skipped_patients=0,
    skipped_seen=0,
    moved_patients=0,
    moved_seen=0,
    overbooked_slots=0,
    utilization=1.0,
    mean_wait_minutes=10.0,
    p95_wait_minutes=20.0,
    by_source=tuple(SourceFigures(s, 0, 0, None) for s in Source),
    invariant_violations=(),
    elapsed_ms=100,
)


def day(
    seed: int, walk_in_wait: float | None = None, walk_in_seen: int = 3, **changes: Any
) -> SimulationReport:
    by_source = tuple(
        SourceFigures(s, 4, walk_in_seen, walk_in_wait) if s is Source.WALK_IN else f
        for s, f in zip(Source, BASE.by_source, strict=True)
    )
    return replace(BASE, seed=seed, by_source=by_source, **changes)


def policy(mode: EmergencyMode, spill: Spill) -> Policy:
    return Policy(emergency_mode=mode, spill=spill)


def days_of(chosen: Policy, walk_in_waits: list[float | None], **changes: Any) -> Days:
    reports = tuple(day(7 + i, w, **changes) for i, w in enumerate(walk_in_waits))
    return Days(replace(TINY, seed=7, policy=chosen), reports)


CURRENT = policy(EmergencyMode.DISPLACE, Spill.NEXT_SLOT)
OTHER = policy(EmergencyMode.OVERBOOK, Spill.NEXT_SLOT)


def test_the_t_quantile_is_students():
    assert t_quantile(1) == 12.7062
    assert t_quantile(2) == 4.3027
    assert t_quantile(10) == pytest.approx(2.2281, abs=1e-4)
    assert t_quantile(30) == pytest.approx(2.0423, abs=1e-4)
    assert t_quantile(99) == pytest.approx(1.9842, abs=1e-4)
    assert t_quantile(100_000) == pytest.approx(1.96, abs=1e-3)
    quantiles = [t_quantile(df) for df in range(1, 1000)]
    assert quantiles == sorted(quantiles, reverse=True)
    with pytest.raises(ValueError):
        t_quantile(0)


def test_an_estimate_is_the_mean_and_its_t_interval():
    # sd 1, so the half-width is t(2) / sqrt(3) = 4.3027 / 1.7321 = 2.4842.
    three = estimate([1, 2, 3])

    assert three.mean == 2 and three.n == 3
    assert (three.low, three.high) == (
        pytest.approx(-0.4842, abs=1e-4),
        pytest.approx(4.4842, abs=1e-4),
    )
    assert three.half_width == pytest.approx(2.4842, abs=1e-4)
    assert estimate([5, 5, 5]) == many.Estimate(5, 5, 5, 3)


def test_a_figure_missing_on_some_days_is_averaged_over_the_days_that_have_it():
    assert estimate([None, 4.0, None, 6.0]) == many.Estimate(
        5.0, pytest.approx(5 - 12.7062), pytest.approx(5 + 12.7062), 2
    )
    assert estimate([None, 4.0]) == many.Estimate(4.0, None, None, 1)
    assert estimate([None, None]) == many.Estimate(None, None, None, 0)


def test_pairing_by_day_sees_a_difference_that_the_day_to_day_spread_hides():
    baseline = days_of(CURRENT, [10, 20, 30, 40])
    better = days_of(OTHER, [9, 19, 29.5, 39])

    # Differences -1, -1, -0.5, -1: mean -0.875, sd 0.25, half-width 3.1824 * 0.25 / 2.
    difference = better.difference(WALK_IN_WAIT, baseline)
    alone = better.figures[WALK_IN_WAIT]

    assert difference.mean == pytest.approx(-0.875)
    assert difference.half_width == pytest.approx(0.3978, abs=1e-4)
    assert difference.real
    assert alone.low is not None and alone.low < baseline.figures[WALK_IN_WAIT].mean < alone.high
    assert not better.difference("completed", baseline).real  # the same every day
    assert not many.Estimate(-2, -4.5, 0.5, 3).real


def test_days_only_pair_with_the_same_seeds():
    shifted = Days(TINY, (day(8, 1.0), day(9, 2.0)))
    with pytest.raises(ValueError, match="same seeded days"):
        shifted.difference(WALK_IN_WAIT, days_of(CURRENT, [1, 2]))


def test_every_figure_of_the_report_has_an_estimate():
    days = days_of(CURRENT, [10, None, 14], completed=6)

    assert days.figures["completed"] == many.Estimate(6, 6, 6, 3)
    assert days.figures["utilization"].mean == 1.0
    assert days.figures[WALK_IN_WAIT].n == 2
    assert days.figures["bySource.WALK_IN.booked"].mean == 4
    assert days.figures["bySource.EMERGENCY.meanWaitMinutes"].n == 0
    assert {f"bySource.{s.value}.meanWaitMinutes" for s in Source} <= set(days.figures)


def comparison(*waits: list[float | None]) -> Comparison:
    policies = [policy(mode, spill) for mode in EmergencyMode for spill in Spill][: len(waits)]
    return Comparison(tuple(days_of(p, w) for p, w in zip(policies, waits, strict=True)), 0)


def test_the_headline_names_the_policy_walk_ins_wait_least_under_and_whether_it_is_real():
    real = comparison([10, 20, 30, 40], [9, 19, 29.5, 39])
    noise = comparison([10, 20, 30, 40], [12, 15, 31, 39])

    assert comparison([10, 20], [10, 20]).ranked(WALK_IN_WAIT) == [0, 1]
    first, second = text_many.walk_in_headline(real)
    assert first.startswith("Walk-ins wait least under DISPLACE / WAITLIST: 24.1 min")
    assert "DISPLACE / NEXT_SLOT" in second and "a real difference" in second
    assert "cannot tell the two apart" in text_many.walk_in_headline(noise)[1]
    assert "exactly as long" in text_many.walk_in_headline(comparison([1, 2], [1, 2]))[1]
    assert "No walk-in" in text_many.walk_in_headline(comparison([None, None], [None, None]))[0]


def test_the_headline_says_when_the_shorter_wait_comes_from_seeing_fewer_walk_ins():
    current = days_of(CURRENT, [10, 20, 30, 40])
    fewer = Days(
        replace(current.config, policy=OTHER),
        tuple(
            day(7 + i, w, walk_in_seen=s)
            for i, (w, s) in enumerate([(9, 1), (19, 2), (29, 1), (39, 2)])
        ),
    )

    said = text_many.walk_in_headline(Comparison((current, fewer), 0))

    assert said[-1].startswith("But it sees 1.5 fewer walk-ins a day than the current policy")


def test_the_comparison_table_marks_differences_larger_than_their_noise():
    shown = text_many.policies_summary(comparison([10, 20, 30, 40], [9, 19, 29.5, 39]), Mode.ENGINE)

    walk_in = next(line for line in shown.splitlines() if line.startswith("Walk-in mean wait"))
    assert re.search(r"25\.0 ± 20\.5 min +24\.1 ± 20\.6 min\*$", walk_in)
    assert "DISPLACE / WAITLIST: Walk-in mean wait -0.9 min (-1.3 to -0.5)" in shown
    assert "4 days, engine mode" in shown


def test_the_days_table_shows_how_many_days_have_a_figure_when_not_all_do():
    shown = text_many.days_summary(days_of(CURRENT, [10, None, 14]), Mode.SERVICE)

    assert re.search(r"^Figure +Mean +95% CI +Days$", shown, re.M)
    assert re.search(r"^Walk-in mean wait +12\.0 min +-13\.4 to 37\.4 min +2 of 3$", shown, re.M)
    assert re.search(r"^Completed +6\.0 +6\.0 to 6\.0$", shown, re.M)
    assert "All invariants held on every day." in shown


def test_a_broken_day_fails_the_command_and_names_its_seed(capsys):
    broken = days_of(CURRENT, [10, 11, 12])
    broken = Days(
        broken.config,
        (*broken.reports[:2], replace(broken.reports[2], invariant_violations=("x",))),
    )
    args = argparse.Namespace(compare_policies=False, report=None, json=None)

    code = cli._show_many(args, [broken], 0, Mode.ENGINE)

    captured = capsys.readouterr()
    assert code == 1
    assert "INVARIANT VIOLATIONS on seed(s) 9:" in captured.out
    assert "seed(s) 9" in captured.err


def test_the_pages_draw_each_day_and_each_interval_without_scripts():
    days = days_of(CURRENT, [10, 20, 30, 40])
    pages = [
        html_days.render(days, Mode.ENGINE),
        html_policies.render(comparison([10, 20, 30, 40], [9, 19, 29.5, 39]), Mode.ENGINE),
    ]

    for page in pages:
        assert page.startswith("<!DOCTYPE html>")
        assert "<circle" in page and "95% CI" in page
        assert "<script" not in page and not re.search(r"https?://", page)
    assert '<p class="headline"><b>Walk-ins wait least under DISPLACE / WAITLIST' in pages[1]
    assert "a real difference" in pages[1]


@pytest.mark.usefixtures("database")
def test_runs_play_consecutive_seeds_and_report_each_figures_interval(tmp_path, capsys):
    json_file, page = tmp_path / "days.json", tmp_path / "days.html"

    code = main(
        [
            *TINY_FLAGS,
            "--runs",
            "3",
            "--mode",
            "service",
            "--json",
            str(json_file),
            "--report",
            str(page),
        ]
    )

    out = capsys.readouterr().out
    document = json.loads(json_file.read_text())
    assert code == 0
    assert set(document) == {"runs", "mode", "config", "seeds", "figures", "days"}
    assert (document["runs"], document["mode"], document["seeds"]) == (3, "service", [3, 4, 5])
    assert [d["seed"] for d in document["days"]] == [3, 4, 5]
    assert all(set(d) == REPORT_KEYS for d in document["days"])
    assert document["config"]["policy"]["emergencyMode"] == "DISPLACE"
    completed = document["figures"]["completed"]
    assert set(completed) == {"mean", "low", "high", "n"}
    assert completed["mean"] == pytest.approx(
        sum(d["completed"] for d in document["days"]) / 3, abs=1e-4
    )
    assert completed["low"] <= completed["mean"] <= completed["high"] and completed["n"] == 3
    assert re.search(r"^Tokens booked +8\.0 +8\.0 to 8\.0", out, re.M)
    assert "seeds 3-5 (3 days, service mode)" in out
    assert page.read_text().count("<circle") >= 3 * 10


@pytest.mark.usefixtures("database")
def test_policies_compared_on_the_same_days(tmp_path, capsys):
    json_file, page = tmp_path / "policies.json", tmp_path / "policies.html"

    code = main(
        [
            *TINY_FLAGS,
            "--compare-policies",
            "--runs",
            "2",
            "--mode",
            "service",
            "--json",
            str(json_file),
            "--report",
            str(page),
        ]
    )

    out = capsys.readouterr().out
    document = json.loads(json_file.read_text())
    policies = document["policies"]
    assert code == 0
    assert document["seeds"] == [3, 4]
    assert document["baseline"] == policies[0]["policy"]
    assert [(p["policy"]["emergencyMode"], p["policy"]["spill"]) for p in policies] == [
        (m.value, s.value) for m in EmergencyMode for s in Spill
    ]
    assert policies[0]["differences"] is None
    walk_in = policies[1]["differences"][WALK_IN_WAIT]
    assert set(walk_in) == {"mean", "low", "high", "n", "real"}
    assert all([d["seed"] for d in p["days"]] == [3, 4] for p in policies)
    assert "Walk-ins wait least under" in out or "No walk-in was seen" in out
    assert '<p class="headline">' in page.read_text()


def test_runs_and_mode_are_checked_before_playing(capsys):
    assert main(["simulate", "--runs", "0"]) == 2
    assert "runs must be between 1 and 1000" in capsys.readouterr().err
    assert main(["simulate", "--runs", "1001"]) == 2
    assert main(["simulate", "--compare-policies", "--report", "x.html"]) == 2
    assert "add --runs N" in capsys.readouterr().err


def test_engine_mode_is_the_default_for_many_days_only():
    assert cli.chosen_mode(1, None) == Mode.SERVICE
    assert cli.chosen_mode(2, None) == Mode.ENGINE
    assert cli.chosen_mode(2, "service") == Mode.SERVICE
    assert cli.chosen_mode(1, "engine") == Mode.ENGINE


def test_engine_mode_starts_no_database(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPD_MONGODB_URI", raising=False)
    monkeypatch.setenv("OPD_DATA_DIR", str(tmp_path / "data"))

    code = main([*TINY_FLAGS, "--runs", "2"])

    assert code == 0
    assert "seeds 3-4 (2 days, engine mode)" in capsys.readouterr().out
    assert not (tmp_path / "data").exists()
