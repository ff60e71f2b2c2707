"""Plain-text tables of simulated days, for a terminal."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from opd_graphql.engine import Policy, Source
from opd_graphql.sim.config import FIRST_SLOT, SimulationConfig
from opd_graphql.sim.report import SimulationReport

Figure = Callable[[SimulationReport], str]


def _minutes(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} min"


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole}" + (f" ({part / whole:.0%})" if whole else "")


def _source_wait(source: Source) -> Figure:
    def wait(report: SimulationReport) -> str:
        figures = next(f for f in report.by_source if f.source is source)
        return _minutes(figures.mean_wait_minutes)

    return wait


FIGURES: list[tuple[str, Figure]] = [
    ("Tokens booked", lambda r: str(r.tokens_booked)),
    ("  of which emergencies", lambda r: str(r.emergencies)),
    ("Completed", lambda r: str(r.completed)),
    ("No-shows", lambda r: str(r.no_shows)),
    ("Cancellations", lambda r: str(r.cancellations)),
    ("Rejected", lambda r: str(r.rejected)),
    ("Waitlisted at close", lambda r: str(r.waitlisted_remaining)),
    ("Displacements", lambda r: str(r.displacements)),
    ("Promotions", lambda r: str(r.promotions)),
    ("Skips", lambda r: str(r.skips)),
    ("Skipped patients seen", lambda r: _share(r.skipped_seen, r.skipped_patients)),
    ("Moved to another doctor", lambda r: str(r.moved_patients)),
    ("Moved patients seen", lambda r: _share(r.moved_seen, r.moved_patients)),
    ("Overbooked slots", lambda r: str(r.overbooked_slots)),
    ("Utilization", lambda r: f"{r.utilization:.1%}"),
    ("Mean wait", lambda r: _minutes(r.mean_wait_minutes)),
    ("95th percentile wait", lambda r: _minutes(r.p95_wait_minutes)),
    ("Emergency mean wait", _source_wait(Source.EMERGENCY)),
    ("Walk-in mean wait", _source_wait(Source.WALK_IN)),
    ("Invariant violations", lambda r: str(len(r.invariant_violations))),
    ("Run time", lambda r: f"{r.elapsed_ms / 1000:.1f} s"),
]


def describe_day(config: SimulationConfig) -> str:
    session = config.slot_minutes * config.slots_per_doctor
    last_hour, last_minute = divmod(FIRST_SLOT.hour * 60 + session, 60)
    return (
        f"{config.doctors} doctor(s), each {config.slots_per_doctor} slots of "
        f"{config.slot_minutes} min "
        f"({FIRST_SLOT:%H:%M}-{last_hour:02d}:{last_minute:02d}), "
        f"{config.capacity} places per slot; {config.new_patient_rate:.0%} new patients "
        f"(2 places), {config.absent_when_called_rate:.0%} absent when called" + _absence(config)
    )


def _absence(config: SimulationConfig) -> str:
    if config.close_doctor_at is None:
        return ""
    return f"; D01 called away at {config.close_doctor_at:%H:%M}"


def describe_policy(policy: Policy) -> str:
    return (
        f"Policy: emergencies {policy.emergency_mode.value}, spill {policy.spill.value}, "
        f"overflow {policy.overflow.value}, at most {policy.max_displacements} displacements, "
        f"recall after {policy.recall_after}, at most {policy.max_skips} skips"
    )


def summary(config: SimulationConfig, report: SimulationReport) -> str:
    lines = [_heading(config, report), describe_policy(config.policy), ""]
    lines += table(["Figure", "Value"], [[name, show(report)] for name, show in FIGURES])
    lines.append("")
    lines += table(
        ["Source", "Booked", "Completed", "Mean wait"],
        [
            [f.source.value, str(f.booked), str(f.completed), _minutes(f.mean_wait_minutes)]
            for f in report.by_source
        ],
    )
    lines += ["", *violations(report), f"Simulation id: {report.simulation_id}"]
    return "\n".join(lines) + "\n"


def comparison(config: SimulationConfig, reports: Sequence[tuple[Policy, SimulationReport]]) -> str:
    header = ["Emergency mode", *(p.emergency_mode.value for p, _ in reports)]
    spill = ["Spill", *(p.spill.value for p, _ in reports)]
    rows = [spill, *([name, *(show(r) for _, r in reports)] for name, show in FIGURES)]
    lines = [_heading(config, reports[0][1])]
    lines.append(
        f"Same seeded patients under each policy; overflow {config.policy.overflow.value}, "
        f"at most {config.policy.max_displacements} displacements."
    )
    lines += ["", *table(header, rows)]
    for policy, report in reports:
        if report.invariant_violations:
            lines += ["", f"{policy.emergency_mode.value} / {policy.spill.value}:"]
            lines += violations(report)
    return "\n".join(lines) + "\n"


def _heading(config: SimulationConfig, report: SimulationReport) -> str:
    return f"Simulated OPD day {report.date}, seed {report.seed}: {describe_day(config)}"


def violations(report: SimulationReport) -> list[str]:
    if not report.invariant_violations:
        return ["All invariants held."]
    found = [f"{len(report.invariant_violations)} INVARIANT VIOLATION(S):"]
    return found + [f"  - {v}" for v in report.invariant_violations]


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first, *rest = cells
        aligned = [first.ljust(widths[0])]
        aligned += [cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True)]
        return "  ".join(aligned).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)]
