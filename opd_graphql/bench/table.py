"""The bench's figures as one table for a terminal, and as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from opd_graphql.bench.hospital_report import HospitalReport
from opd_graphql.bench.open_loop import WAITING_SECONDS
from opd_graphql.bench.report import Report

NOT_RUN = "not run (use --full)"


def render(report: Report) -> str:
    env = report.environment
    lines = [
        f"opd-graphql bench ({report.plan.name}): {report.database} database, "
        f"{env['cpu_count']} CPUs, Python {env['python']}, {env['platform']}",
        "",
        "Booking (bookToken over HTTP) vs the floor (the same transaction through PyMongo)",
        *_grid(
            [
                "level",
                "API/s",
                "p50 ms",
                "p99 ms",
                "errors",
                "retries",
                "CPU ms/booking",
                "floor/s",
                "p50 ms",
                "p99 ms",
                "retries",
                "CPU ms/booking",
                "API/floor",
            ],
            [
                [
                    level.label,
                    f"{level.api.per_second:.1f}",
                    f"{level.api.p50_ms:.1f}",
                    f"{level.api.p99_ms:.1f}",
                    str(level.api.errors),
                    str(level.api_transaction_retries),
                    f"{level.cpu_ms_per_booking:.2f}",
                    f"{level.floor.per_second:.1f}",
                    f"{level.floor.p50_ms:.1f}",
                    f"{level.floor.p99_ms:.1f}",
                    str(level.floor_transaction_retries),
                    f"{level.floor_cpu_ms_per_booking:.2f}",
                    f"{level.ratio:.3f}",
                ]
                for level in report.booking
            ],
        ),
        f"  bookings answered {report.bookings_made}, tokens stored {report.tokens_stored}; "
        "API/floor over 1: the database, not the API, limits that level; "
        "floor CPU is the PyMongo client's own, in this process",
        "",
        "Booking -> subscribed screens (one booking at a time, one connection per screen)",
        *_grid(
            ["screens", "bookings", "p50 ms", "p99 ms", "missed", "errors", "CPU ms/booking"],
            [
                [
                    str(level.screens),
                    str(level.bookings),
                    f"{level.p50_ms:.1f}",
                    f"{level.p99_ms:.1f}",
                    str(level.missed),
                    str(level.errors),
                    f"{level.server_cpu_ms_per_booking:.1f}",
                ]
                for level in report.fanout
            ],
        ),
        "  CPU: the API process's, to make each booking and bring it to every screen "
        "(its event stream runs only while someone subscribes)",
        "",
        "simulateDay (the server plays the day)",
        *_grid(
            ["day", "wall s", "server ms", "tokens"],
            [
                [day.label, NOT_RUN, "", ""]
                if not day.ran
                else [day.label, f"{day.wall_s or 0:.2f}", "failed: " + day.error, ""]
                if day.error
                else [
                    day.label,
                    f"{day.wall_s or 0:.2f}",
                    str(day.server_elapsed_ms),
                    str(day.tokens_booked),
                ]
                for day in report.simulations
            ],
        ),
        "",
        "What-if (opd-graphql simulate, the whole command in a process of its own)",
        *_grid(
            ["command", "wall s", "simulated ms"],
            [
                [
                    command.label,
                    "failed: " + command.error if command.error else f"{command.wall_s or 0:.2f}",
                    "" if command.simulated_ms is None else str(command.simulated_ms),
                ]
                for command in report.what_if
            ],
        ),
        "",
        *_grid(
            ["", ""],
            [
                [
                    f"engine allocations/s ({report.plan.engine_tokens:,}-token doctor-day)",
                    f"{report.engine_allocations_per_s:,.0f}",
                ],
                [
                    "  the same, the day indexed afresh for each call",
                    f"{report.engine_fresh_allocations_per_s:,.0f}",
                ],
                [
                    "API process peak memory (RSS)",
                    f"{report.server_peak_rss_bytes / 2**20:.1f} MiB",
                ],
                ["API process CPU over the run", f"{report.server_cpu_s:.1f} s"],
                ["bench wall time", f"{report.elapsed_s:.1f} s"],
            ],
            header=False,
        ),
    ]
    problems = report.problems()
    if problems:
        lines += ["", "PROBLEMS", *(f"  {problem}" for problem in problems)]
    return "\n".join(lines) + "\n"


def write_json(report: Report, path: Path) -> None:
    path.write_text(json.dumps(report.as_json(), indent=2) + "\n")


def _grid(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, header: bool = True
) -> list[str]:
    """Columns padded to their widest cell: the first left-aligned, the rest right-aligned."""
    table = [list(headers), *rows] if header else [list(row) for row in rows]
    widths = [max(len(row[column]) for row in table) for column in range(len(headers))]
    lines = []
    for row in table:
        cells = [
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def render_hospital(report: HospitalReport) -> str:
    env, plan, peak = report.environment, report.plan, report.peak
    levels = report.levels
    cpu_names = list(levels[0].cpu_s) if levels else []
    lines = [
        f"opd-graphql bench --hospital ({plan.name}): {report.database} database, "
        f"{env['cpu_count']} CPUs, Python {env['python']}, {env['platform']}",
        "",
        f"The morning: {plan.doctors} doctors x {plan.slots_per_doctor} slots of "
        f"{plan.capacity}, {peak.patients:,} patients (the simulator's default demand); its "
        f"busiest {peak.window_s / 60:.0f} minutes hold {len(peak.arrivals):,} bookings: "
        f"{peak.per_second:.2f} a second at the peak",
        f"  {report.prefilled:,} tokens booked first (the simulator had "
        f"{len(peak.earlier):,} by then); {plan.doctors} screens, one connection each, and "
        f"{plan.phones:,} phones, {plan.phones_per_connection} to a connection: "
        f"{report.connections} connections over {plan.processes} API processes",
        "",
        "Open loop: bookToken, and checkIn or cancelToken of a followed token, sent to the "
        "processes in turn",
        *_grid(
            [
                "level",
                "offered/s",
                "booked/s",
                "p50 ms",
                "p99 ms",
                "errors",
                "not sent",
                "changes",
                "p50 ms",
                "p99 ms",
                "errors",
                "not sent",
                "client lag ms",
            ],
            [
                [
                    level.label,
                    f"{level.offered_per_s:.2f}",
                    f"{level.booking.per_second:.2f}",
                    f"{level.booking.p50_ms:.1f}",
                    f"{level.booking.p99_ms:.1f}",
                    str(level.booking.errors),
                    str(level.not_sent[0]),
                    str(level.changes.done),
                    f"{level.changes.p50_ms:.1f}",
                    f"{level.changes.p99_ms:.1f}",
                    str(level.changes.errors),
                    str(level.not_sent[1]),
                    f"{level.send_lag_ms:.1f}",
                ]
                for level in levels
            ],
        ),
        "  latencies from the moment each was due; not sent: let pass while "
        f"{WAITING_SECONDS:.0f} s worth of them waited for an answer (the API saturated)",
        "",
        "Booking -> its doctor's screen; change -> the phone following that token "
        "(from the moment each was due)",
        *_grid(
            [
                "level",
                "screens",
                "p50 ms",
                "p99 ms",
                "missed",
                "phones",
                "p50 ms",
                "p99 ms",
                "missed",
            ],
            [
                [
                    level.label,
                    str(level.screens.delivered),
                    f"{level.screens.p50_ms:.1f}",
                    f"{level.screens.p99_ms:.1f}",
                    str(level.screens.missed),
                    str(level.phones.delivered),
                    f"{level.phones.p50_ms:.1f}",
                    f"{level.phones.p99_ms:.1f}",
                    str(level.phones.missed),
                ]
                for level in levels
            ],
        ),
        "",
        "CPU seconds over each level, by process",
        *_grid(
            ["level", "seconds", *cpu_names],
            [
                [level.label, f"{level.booking.seconds:.1f}"]
                + [f"{level.cpu_s[name]:.1f}" for name in cpu_names]
                for level in levels
            ],
        ),
        "",
        "API processes' memory (RSS): before any subscriber; following every day (the first "
        "subscribers); with all of them",
        *_grid(
            [
                "process",
                "screens",
                "phones",
                "connections",
                "before MiB",
                "following MiB",
                "after MiB",
                "KiB/subscriber",
                "all in",
                "peak MiB",
                "CPU s",
            ],
            [
                [
                    process.name,
                    str(process.screens),
                    str(process.phones),
                    str(process.connections),
                    f"{process.rss_before_bytes / 2**20:.1f}",
                    f"{process.rss_following_bytes / 2**20:.1f}",
                    f"{process.rss_after_bytes / 2**20:.1f}",
                    f"{process.per_subscriber_bytes / 2**10:.1f}",
                    f"{process.all_in_per_subscriber_bytes / 2**10:.1f}",
                    f"{process.peak_rss_bytes / 2**20:.1f}",
                    f"{process.cpu_s:.1f}",
                ]
                for process in report.processes
            ],
        ),
        "  KiB/subscriber: the growth from following to after, over the subscribers added then, "
        "each on a day its process already followed; all in: from before to after, over all",
        "",
        *_grid(
            ["target", "measured", "holds"],
            [[name, figure, "yes" if holds else "NO"] for name, figure, holds in report.targets()],
        ),
        "",
        f"  set-up {report.setup_s:.1f} s, subscribing {report.subscribe_s:.1f} s, "
        f"bench wall time {report.elapsed_s:.1f} s",
    ]
    problems = report.problems()
    if problems:
        lines += ["", "PROBLEMS", *(f"  {problem}" for problem in problems)]
    return "\n".join(lines) + "\n"


def write_hospital_json(report: HospitalReport, path: Path) -> None:
    path.write_text(json.dumps({"hospital": report.as_json()}, indent=2) + "\n")
