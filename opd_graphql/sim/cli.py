"""opd-graphql simulate: play an OPD day through the real engine and show how it went."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from datetime import time as time_of_day
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opd_graphql.core.config import Settings
from opd_graphql.engine import EmergencyMode, Overflow, Policy, Spill
from opd_graphql.service.errors import InvalidInput
from opd_graphql.sim.config import SimulationConfig
from opd_graphql.sim.progress import ProgressBar

if TYPE_CHECKING:
    from opd_graphql.service.context import ServiceContext
    from opd_graphql.sim.many import Days
    from opd_graphql.sim.runner import Mode, Simulation

DEFAULTS = SimulationConfig()
MAX_RUNS = 1000
# runner.Mode's values: the runner is imported only once days are played, not for --help.
MODES = ("service", "engine")


def add_command(commands: Any) -> None:
    """Add `simulate` to the subcommands of the `opd-graphql` parser."""
    parser = commands.add_parser(
        "simulate",
        help="simulate an OPD day and print its report",
        description=__doc__ + " It runs on the embedded database unless OPD_MONGODB_URI "
        "is set; simulated doctors are kept apart from the real ones.",
    )
    day = parser.add_argument_group("the day")
    day.add_argument("--seed", type=int, default=DEFAULTS.seed, help="default %(default)s")
    day.add_argument("--date", type=date.fromisoformat, help="default: tomorrow")
    for flag, default, meaning in [
        ("--doctors", DEFAULTS.doctors, "doctors, 1-50"),
        ("--slots-per-doctor", DEFAULTS.slots_per_doctor, "slots each, from 09:00"),
        ("--slot-minutes", DEFAULTS.slot_minutes, "minutes per slot"),
        ("--capacity", DEFAULTS.capacity, "places per slot"),
    ]:
        day.add_argument(flag, type=int, default=default, help=f"{meaning} (default %(default)s)")
    day.add_argument("--patients", type=int, help="default: 110%% of the day's places")
    for rate, share, meaning in [
        ("--no-show-rate", DEFAULTS.no_show_rate, "share of appointments not kept"),
        ("--cancel-rate", DEFAULTS.cancel_rate, "share of appointments cancelled"),
        ("--emergency-rate", DEFAULTS.emergency_rate, "share of patients who are emergencies"),
        ("--new-patient-rate", DEFAULTS.new_patient_rate, "share of new patients (2 places)"),
        (
            "--absent-when-called-rate",
            DEFAULTS.absent_when_called_rate,
            "share of patients not in the room when called",
        ),
    ]:
        day.add_argument(rate, type=float, default=share, help=f"{meaning} (default %(default)s)")
    day.add_argument(
        "--close-doctor-at",
        type=_time_of_day,
        metavar="HH:MM",
        help="call D01 away at this time: their patients move to the other doctors",
    )
    policy = parser.add_argument_group("the policy (default: the server's, from OPD_* settings)")
    policy.add_argument("--emergency-mode", choices=[m.value for m in EmergencyMode])
    policy.add_argument("--spill", choices=[s.value for s in Spill])
    policy.add_argument("--overflow", choices=[o.value for o in Overflow])
    policy.add_argument("--max-displacements", type=int)
    policy.add_argument("--recall-after", type=int, help="patients called before a skipped one")
    policy.add_argument("--max-skips", type=int, help="skips before a no-show")
    days = parser.add_argument_group("many days")
    days.add_argument(
        "--runs",
        type=int,
        default=1,
        metavar="N",
        help=f"play N seeded days (seed, seed+1, ...) and report each figure's mean and 95%% "
        f"confidence interval, 1-{MAX_RUNS} (default %(default)s)",
    )
    days.add_argument(
        "--mode",
        choices=MODES,
        help="service: every change a real transaction; engine: the pure engine in memory, "
        "the same report, much faster (default: service for one day, engine for --runs > 1)",
    )
    output = parser.add_argument_group("output")
    output.add_argument("--json", type=Path, metavar="FILE", help="write the report as JSON")
    output.add_argument(
        "--report", type=Path, metavar="FILE", help="write an HTML page of the day or days"
    )
    output.add_argument(
        "--compare-policies",
        action="store_true",
        help="run the same days under each emergency mode and spill, side by side",
    )


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        config = _config(args, settings.policy).validated()
    except InvalidInput as error:
        print(f"opd-graphql simulate: {error.message}", file=sys.stderr)
        return 2
    if not 1 <= args.runs <= MAX_RUNS:
        print(f"opd-graphql simulate: runs must be between 1 and {MAX_RUNS}.", file=sys.stderr)
        return 2
    if args.compare_policies and args.report and args.runs == 1:
        print(
            "opd-graphql simulate: --report draws one day, or policies compared on many: "
            "drop --compare-policies or add --runs N",
            file=sys.stderr,
        )
        return 2
    from opd_graphql.store.connection import DatabaseUnavailable

    try:
        return asyncio.run(_simulate(args, config, settings))
    except DatabaseUnavailable as error:
        print(f"opd-graphql simulate: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        if error.filename is None or str(error.filename) not in (str(args.json), str(args.report)):
            raise
        print(
            f"opd-graphql simulate: cannot write {error.filename}: {error.strerror}",
            file=sys.stderr,
        )
        return 2


async def _simulate(args: argparse.Namespace, config: SimulationConfig, settings: Settings) -> int:
    from pymongo import AsyncMongoClient

    from opd_graphql.service.context import ServiceContext
    from opd_graphql.sim.runner import Mode
    from opd_graphql.store.connection import connect

    mode = Mode(chosen_mode(args.runs, args.mode))
    if mode is Mode.ENGINE:
        # The engine plays in memory: no database to start or reach, the client is never used.
        unused: AsyncMongoClient[Any] = AsyncMongoClient(connect=False)
        return await _play(args, config, settings, ServiceContext(unused, settings.timezone), mode)
    # Next to a running server, on its database: the data directory is locked.
    async with connect(settings, share_running=True, say=_say) as database:
        ctx = ServiceContext(client=database.client, timezone=settings.timezone)
        return await _play(args, config, settings, ctx, mode)


async def _play(
    args: argparse.Namespace,
    config: SimulationConfig,
    settings: Settings,
    ctx: ServiceContext,
    mode: Mode,
) -> int:
    policies = _policies(config.policy) if args.compare_policies else [config.policy]
    if args.runs > 1:
        played = await _play_many(ctx, config, policies, args.runs, mode)
        return _show_many(args, played, policies.index(config.policy), mode)
    return _show_one(args, await _play_one(ctx, config, policies, mode), settings)


async def _play_one(
    ctx: ServiceContext, config: SimulationConfig, policies: list[Policy], mode: Mode
) -> list[Simulation]:
    from opd_graphql.sim.runner import simulate_day

    simulations = []
    for number, policy in enumerate(policies, start=1):
        label = f"{policy.emergency_mode.value}/{policy.spill.value}"
        bar = ProgressBar(sys.stderr, f"[{number}/{len(policies)}] {label}")
        simulations.append(await simulate_day(ctx, replace(config, policy=policy), bar, mode))
        bar.close()
    return simulations


def _show_one(args: argparse.Namespace, simulations: list[Simulation], settings: Settings) -> int:
    from opd_graphql.sim import html, text
    from opd_graphql.sim.many_json import policy_json

    if args.compare_policies:
        config = simulations[0].config
        sys.stdout.write(
            text.comparison(config, [(s.config.policy, s.report) for s in simulations])
        )
        document: Any = [
            {"policy": policy_json(s.config.policy), "report": s.report.as_json()}
            for s in simulations
        ]
    else:
        [simulation] = simulations
        sys.stdout.write(text.summary(simulation.config, simulation.report))
        document = simulation.report.as_json()
        if args.report:
            args.report.write_text(html.render(simulation, settings.timezone))
            print(f"Wrote the day's page to {args.report}")
    _write_json(args.json, document)
    return 1 if any(s.report.invariant_violations for s in simulations) else 0


async def _play_many(
    ctx: ServiceContext, config: SimulationConfig, policies: list[Policy], runs: int, mode: Mode
) -> list[Days]:
    from opd_graphql.sim.many import play_days

    label = f"{runs} days" + (f" x {len(policies)} policies" if len(policies) > 1 else "")
    bar = ProgressBar(sys.stderr, f"{label}, {mode.value} mode")
    played = []
    for number, policy in enumerate(policies):
        share = _share_of(bar, number, len(policies))
        played.append(await play_days(ctx, replace(config, policy=policy), runs, mode, share))
    bar.close()
    return played


def _share_of(bar: ProgressBar, number: int, parts: int) -> Callable[[float], None]:
    return lambda fraction: bar((number + fraction) / parts)


def _show_many(args: argparse.Namespace, played: list[Days], current: int, mode: Mode) -> int:
    from opd_graphql.sim import html_days, html_policies, many, many_json, text_many

    if args.compare_policies:
        comparison = many.Comparison(tuple(played), current)
        sys.stdout.write(text_many.policies_summary(comparison, mode))
        document = many_json.comparison_json(comparison, mode)
        page = html_policies.render(comparison, mode) if args.report else ""
    else:
        [days] = played
        sys.stdout.write(text_many.days_summary(days, mode))
        document = many_json.days_json(days, mode)
        page = html_days.render(days, mode) if args.report else ""
    if args.report:
        args.report.write_text(page)
        print(f"Wrote the days' page to {args.report}")
    _write_json(args.json, document)
    broken = sorted({seed for days in played for seed in days.broken_seeds})
    if broken:
        _say(f"rules were broken on seed(s) {', '.join(map(str, broken))}")
        return 1
    return 0


def _write_json(path: Path | None, document: Any) -> None:
    if path:
        path.write_text(json.dumps(document, indent=2) + "\n")
        print(f"Wrote the report to {path}")


def chosen_mode(runs: int, flag: str | None) -> str:
    """The --mode given, else service for one day and the engine for many (DESIGN section 8)."""
    return flag or ("engine" if runs > 1 else "service")


def _say(line: str) -> None:
    print(f"opd-graphql simulate: {line}", file=sys.stderr)


def _config(args: argparse.Namespace, server_policy: Policy) -> SimulationConfig:
    numbers = {
        name: getattr(args, name)
        for name in ("max_displacements", "recall_after", "max_skips")
        if getattr(args, name) is not None
    }
    policy = replace(
        server_policy,
        emergency_mode=EmergencyMode(args.emergency_mode or server_policy.emergency_mode),
        spill=Spill(args.spill or server_policy.spill),
        overflow=Overflow(args.overflow or server_policy.overflow),
        **numbers,
    )
    return SimulationConfig(
        seed=args.seed,
        date=args.date,
        doctors=args.doctors,
        slots_per_doctor=args.slots_per_doctor,
        slot_minutes=args.slot_minutes,
        capacity=args.capacity,
        patients=args.patients,
        no_show_rate=args.no_show_rate,
        cancel_rate=args.cancel_rate,
        emergency_rate=args.emergency_rate,
        new_patient_rate=args.new_patient_rate,
        absent_when_called_rate=args.absent_when_called_rate,
        close_doctor_at=args.close_doctor_at,
        policy=policy,
    )


def _time_of_day(text: str) -> time_of_day:
    try:
        return time_of_day.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time of day (HH:MM)") from None


def _policies(base: Policy) -> list[Policy]:
    return [
        replace(base, emergency_mode=mode, spill=spill) for mode in EmergencyMode for spill in Spill
    ]
