"""The bench's figures as one table for a terminal, and as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

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
