"""opd-graphql simulate: play an OPD day through the real engine and show how it went."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import replace
from datetime import date
from datetime import time as time_of_day
from pathlib import Path
from typing import Any, TextIO

from opd_graphql.core.config import Settings
from opd_graphql.engine import EmergencyMode, Overflow, Policy, Spill
from opd_graphql.service.errors import InvalidInput
from opd_graphql.sim.config import SimulationConfig

DEFAULTS = SimulationConfig()
BAR_WIDTH = 30


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
    output = parser.add_argument_group("output")
    output.add_argument("--json", type=Path, metavar="FILE", help="write the report as JSON")
    output.add_argument("--report", type=Path, metavar="FILE", help="write an HTML page of the day")
    output.add_argument(
        "--compare-policies",
        action="store_true",
        help="run the same day under each emergency mode and spill, side by side",
    )


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        config = _config(args, settings.policy).validated()
    except InvalidInput as error:
        print(f"opd-graphql simulate: {error.message}", file=sys.stderr)
        return 2
    if args.compare_policies and args.report:
        print(
            "opd-graphql simulate: --report draws one day; drop --compare-policies", file=sys.stderr
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
    from opd_graphql.service.context import ServiceContext
    from opd_graphql.sim import html, text
    from opd_graphql.sim.runner import simulate_day
    from opd_graphql.store.connection import connect

    policies = _policies(config.policy) if args.compare_policies else [config.policy]
    # Next to a running server, on its database: the data directory is locked.
    async with connect(settings, share_running=True, say=_say) as database:
        ctx = ServiceContext(client=database.client, timezone=settings.timezone)
        simulations = []
        for number, policy in enumerate(policies, start=1):
            label = f"{policy.emergency_mode.value}/{policy.spill.value}"
            bar = ProgressBar(sys.stderr, f"[{number}/{len(policies)}] {label}")
            simulations.append(await simulate_day(ctx, replace(config, policy=policy), bar))
            bar.close()
    if args.compare_policies:
        sys.stdout.write(
            text.comparison(config, [(s.config.policy, s.report) for s in simulations])
        )
        document: Any = [
            {"policy": _policy_json(s.config.policy), "report": s.report.as_json()}
            for s in simulations
        ]
    else:
        [simulation] = simulations
        sys.stdout.write(text.summary(simulation.config, simulation.report))
        document = simulation.report.as_json()
        if args.report:
            args.report.write_text(html.render(simulation, settings.timezone))
            print(f"Wrote the day's page to {args.report}")
    if args.json:
        args.json.write_text(json.dumps(document, indent=2) + "\n")
        print(f"Wrote the report to {args.json}")
    return 1 if any(s.report.invariant_violations for s in simulations) else 0


def _say(line: str) -> None:
    print(f"opd-graphql simulate: {line}", file=sys.stderr)


class ProgressBar:
    """A one-line bar on a terminal; silent when the stream is not one."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.shown = stream.isatty()
        self.started = time.perf_counter()

    def __call__(self, fraction: float) -> None:
        if not self.shown:
            return
        filled = round(fraction * BAR_WIDTH)
        elapsed = time.perf_counter() - self.started
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
            f"{fraction:4.0%} {elapsed:5.1f} s"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")


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


def _policy_json(policy: Policy) -> dict[str, Any]:
    return {
        "emergencyMode": policy.emergency_mode.value,
        "spill": policy.spill.value,
        "overflow": policy.overflow.value,
        "maxDisplacements": policy.max_displacements,
        "recallAfter": policy.recall_after,
        "maxSkips": policy.max_skips,
    }
