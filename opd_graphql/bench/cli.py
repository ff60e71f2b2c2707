"""opd-graphql bench: how fast the API books, reaches screens and simulates, on this machine."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from opd_graphql.bench.plan import Plan
from opd_graphql.core.config import Settings

DESCRIPTION = (
    __doc__ + " It starts the API server as a child process on the embedded database (or on "
    "OPD_MONGODB_URI when set, in fresh databases it drops afterwards), and compares its "
    "bookings with the same transaction issued straight through PyMongo."
)


def add_command(commands: Any) -> None:
    """Add `bench` to the subcommands of the `opd-graphql` parser."""
    parser = commands.add_parser(
        "bench",
        help="measure booking throughput, screen fan-out and simulation speed",
        description=DESCRIPTION,
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--full",
        action="store_true",
        help="longer load levels and the 20-doctor simulated day (several minutes)",
    )
    size.add_argument(
        "--instructions",
        action="store_true",
        help="instead of timing, count the API's instructions per booking and per "
        "minimal request under valgrind's callgrind: steady where CPU time drifts",
    )
    # The smoke test's size: every part runs, none says much.
    size.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write every figure, with units, as JSON"
    )
    parser.add_argument(
        "--hospital",
        action="store_true",
        help="instead, a hospital's morning peak: 200 doctors, two API processes on one "
        "database, 200 screens and 1,000 phones subscribed (about five minutes)",
    )


def run(args: argparse.Namespace) -> int:
    # A malformed OPD_* value, said now (SettingsError) rather than by each server it starts.
    Settings.from_env()
    if args.hospital:
        if args.full or args.instructions:
            print("opd-graphql bench: --hospital runs alone (or with --tiny)", file=sys.stderr)
            return 2
        from opd_graphql.bench.hospital import run_command

        return run_command(args.tiny, args.json)
    if args.instructions:
        return _count_instructions(args.json)
    from opd_graphql.bench import table
    from opd_graphql.bench.api import Failed
    from opd_graphql.bench.runner import run_bench

    plan = Plan.tiny() if args.tiny else Plan.full() if args.full else Plan.quick()
    started = time.perf_counter()

    def say(line: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {line}", file=sys.stderr, flush=True)

    try:
        report = run_bench(plan, say)
    except (Failed, RuntimeError) as error:
        print(f"opd-graphql bench: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(table.render(report))
    if args.json:
        try:
            table.write_json(report, args.json)
        except OSError as error:
            print(f"opd-graphql bench: cannot write {args.json}: {error.strerror}", file=sys.stderr)
            return 2
        print(f"Wrote every figure to {args.json}")
    return 1 if report.problems() else 0


def _count_instructions(json_path: Path | None) -> int:
    from opd_graphql.bench.instructions import count_instructions

    try:
        counts = count_instructions()
    except RuntimeError as error:
        print(f"opd-graphql bench: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(counts.render())
    if json_path:
        try:
            json_path.write_text(json.dumps({"instructions": counts.as_json()}, indent=2) + "\n")
        except OSError as error:
            print(f"opd-graphql bench: cannot write {json_path}: {error.strerror}", file=sys.stderr)
            return 2
        print(f"Wrote every figure to {json_path}")
    return 0
