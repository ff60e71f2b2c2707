"""The page of a simulated day: one self-contained HTML file, charts drawn as inline SVG."""

from __future__ import annotations

from collections import Counter
from html import escape
from zoneinfo import ZoneInfo

from opd_graphql.engine import Source, Status
from opd_graphql.sim import charts
from opd_graphql.sim.doctor_run import DoctorRun
from opd_graphql.sim.hospital import DEPARTMENT
from opd_graphql.sim.report import minutes
from opd_graphql.sim.runner import Simulation
from opd_graphql.sim.text import describe_day, describe_policy

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1f2933; margin: 0 auto; padding: 24px 32px; max-width: 1240px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 4px; border-bottom: 1px solid #d9e2ec; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 2px; }
.sub { color: #52606d; margin: 0; }
.note { color: #52606d; margin: 2px 0 10px; max-width: 900px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 18px 0 6px; }
.card { border: 1px solid #d9e2ec; border-radius: 8px; padding: 8px 14px; min-width: 112px; }
.card b { display: block; font-size: 24px; }
.card span { color: #52606d; font-size: 13px; }
.ok, .bad { border-radius: 8px; padding: 10px 14px; margin: 14px 0; }
.ok { background: #e3f9e5; color: #05400a; }
.bad { background: #ffe3e3; color: #610404; }
.legend { display: flex; flex-wrap: wrap; gap: 16px; margin: 8px 0; font-size: 13px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 5px;
            vertical-align: -1px; border-radius: 2px; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #334e68; }
footer { color: #829ab1; font-size: 12px; margin-top: 40px; }
"""
OUTCOMES = [
    (Status.COMPLETED, "seen", "#3f9142"),
    (Status.NO_SHOW, "did not come", "#9aa5b1"),
    (Status.CANCELLED, "cancelled", "#cbd2d9"),
    (Status.EXPIRED, "still waitlisted at close", "#f0b429"),
    (Status.REJECTED, "turned away", "#d64545"),
]


def render(simulation: Simulation, timezone: ZoneInfo) -> str:
    config, report = simulation.config, simulation.report
    window = charts.day_window(
        [run.day.slots for run in simulation.runs], [run.clock() for run in simulation.runs]
    )
    sections = [
        f"<h1>Simulated OPD day: {report.date:%A %d %B %Y}</h1>",
        f'<p class="sub">Seed {report.seed}: {escape(describe_day(config))}.</p>',
        f'<p class="sub">{escape(describe_policy(config.policy))}.</p>',
        _cards(simulation),
        _invariants(simulation),
        "<h2>Where every patient ended up</h2>",
        '<p class="note">Each bar is one source of patients, as long as the number who came '
        "from it.</p>",
        _legend([(label, colour) for _, label, colour in OUTCOMES]),
        charts.outcome_bars(_outcomes(simulation), [(s, c) for s, _, c in OUTCOMES]),
        "<h2>How long patients waited, by source</h2>",
        '<p class="note">Minutes from arriving (or from the appointment, for patients who '
        "came early for it) to being called in. Each row shows how that source's patients "
        "spread over the waiting times (the tallest bar is the most common wait); the black "
        "line is their mean.</p>",
        charts.wait_histograms(_waits(simulation)),
        "<h2>Each doctor's day, slot by slot</h2>",
        '<p class="note">One row per slot, the day running left to right. The band is how '
        "many of the slot's places were taken at each moment: light green while booked, "
        "dark green once seen. A row filled to the dashed line is a full slot; red above it "
        "is overbooking. The outlined box is the slot's own time: dark green to its right "
        "means the doctor ran late.</p>",
        charts.day_legend(),
        *(
            _doctor(run, window, timezone, _left(simulation, run, timezone))
            for run in simulation.runs
        ),
        f"<footer>opd-graphql simulate, seed {report.seed}, simulation {report.simulation_id}, "
        f"run in {report.elapsed_ms / 1000:.1f} s. Every doctor and patient here is "
        "simulated.</footer>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Simulated OPD day {report.date}</title>\n<style>{STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )


def _cards(simulation: Simulation) -> str:
    report = simulation.report
    wait = report.mean_wait_minutes
    p95 = report.p95_wait_minutes
    cards = [
        (str(report.tokens_booked), "patients"),
        (str(report.completed), "seen"),
        (str(report.no_shows), "did not come"),
        (str(report.cancellations), "cancelled"),
        (str(report.waitlisted_remaining), "waitlisted at close"),
        (str(report.rejected), "turned away"),
        ("-" if wait is None else f"{wait:.0f} min", "mean wait"),
        ("-" if p95 is None else f"{p95:.0f} min", "95% called within"),
        (f"{report.utilization:.0%}", "of places used"),
        (str(report.emergencies), "emergencies"),
        (str(report.overbooked_slots), "overbooked slots"),
        (str(report.displacements), "displacements"),
        (str(report.promotions), "promoted from waitlist"),
        (str(report.skips), "skips (not in the room)"),
        (f"{report.skipped_seen} of {report.skipped_patients}", "skipped patients seen"),
    ]
    if simulation.config.close_doctor_at is not None:
        cards.append((f"{report.moved_seen} of {report.moved_patients}", "moved patients seen"))
    inner = "".join(f'<div class="card"><b>{v}</b><span>{escape(k)}</span></div>' for v, k in cards)
    return f'<div class="cards">{inner}</div>'


def _invariants(simulation: Simulation) -> str:
    broken = simulation.report.invariant_violations
    if not broken:
        return (
            '<p class="ok">All rules held all day: no slot over capacity except by an '
            "emergency, every token in exactly one state, every call in queue order, nobody "
            "waitlisted while a place was free, and every patient counted exactly once.</p>"
        )
    items = "".join(f"<li>{escape(v)}</li>" for v in broken)
    return f'<div class="bad"><b>{len(broken)} rule(s) broken:</b><ul>{items}</ul></div>'


def _legend(entries: list[tuple[str, str]]) -> str:
    items = "".join(f'<span><i style="background:{c}"></i>{escape(n)}</span>' for n, c in entries)
    return f'<div class="legend">{items}</div>'


def _outcomes(simulation: Simulation) -> dict[Source, Counter[Status]]:
    counted: dict[Source, Counter[Status]] = {source: Counter() for source in Source}
    for run in simulation.runs:
        for visit in run.visits:
            if visit.token.status is not None:
                counted[visit.token.source][visit.token.status] += 1
    return counted


def _waits(simulation: Simulation) -> dict[Source, list[float]]:
    waits: dict[Source, list[float]] = {source: [] for source in Source}
    for run in simulation.runs:
        for visit in run.visits:
            if visit.wait is not None:
                waits[visit.token.source].append(minutes(visit.wait))
    return waits


def _left(simulation: Simulation, run: DoctorRun, timezone: ZoneInfo) -> str:
    away_at = simulation.config.close_doctor_at
    if away_at is not None and run is simulation.runs[0]:
        return f"the doctor was called away at {away_at:%H:%M}"
    return f"the doctor left at {run.clock().astimezone(timezone):%H:%M}"


def _doctor(run: DoctorRun, window: charts.Window, timezone: ZoneInfo, left: str) -> str:
    seen = [v for v in run.visits if v.token.status is Status.COMPLETED]
    waits = [minutes(v.wait) for v in seen if v.wait is not None]
    mean = f", mean wait {sum(waits) / len(waits):.0f} min" if waits else ""
    moved_in = sum(v.moved for v in run.visits)
    moves = f", {run.moved_out} moved to colleagues" if run.moved_out else ""
    moves += f", {moved_in} moved from D01" if moved_in else ""
    heading = (
        f"<h3>{escape(run.code)} &middot; {escape(DEPARTMENT)}</h3>"
        f'<p class="note">{len(run.visits)} patients{escape(moves)}, {len(seen)} seen{mean}; '
        f"{left}.</p>"
    )
    return heading + charts.doctor_day(run.day, window, timezone)
