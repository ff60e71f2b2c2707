"""Plain-text tables of many seeded days, and of policies compared on the same days."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from opd_graphql.engine import Policy, Source
from opd_graphql.sim.many import (
    DAY_FIGURES,
    EMERGENCY_WAIT,
    FIGURES,
    WALK_IN_SEEN,
    WALK_IN_WAIT,
    Comparison,
    Days,
    Estimate,
    Unit,
)
from opd_graphql.sim.runner import Mode
from opd_graphql.sim.text import describe_day, describe_policy, table, violations

MANY_DAY_ROWS = [*(f.name for f in DAY_FIGURES), EMERGENCY_WAIT, WALK_IN_WAIT]
WRAP = 100
SOURCE_PARTS = [
    ("booked", Unit.COUNT),
    ("completed", Unit.COUNT),
    ("meanWaitMinutes", Unit.MINUTES),
]


def days_summary(days: Days, mode: Mode) -> str:
    """Each figure's mean over the days and its 95% confidence interval."""
    runs = len(days.reports)
    partial = any(days.figures[n].n < runs for n in MANY_DAY_ROWS)
    header = ["Figure", "Mean", "95% CI", *(["Days"] if partial else [])]
    rows = [
        [
            FIGURES[name].label,
            value(FIGURES[name].unit, days.figures[name].mean),
            interval(days.figures[name], FIGURES[name].unit),
            *([_days_with(days.figures[name], runs)] if partial else []),
        ]
        for name in MANY_DAY_ROWS
    ]
    by_source = [
        [
            source.value,
            *(
                plus_minus(days.figures[f"bySource.{source.value}.{part}"], unit)
                for part, unit in SOURCE_PARTS
            ),
        ]
        for source in Source
    ]
    lines = [_many_heading(days, mode), describe_policy(days.config.policy), ""]
    lines += table(header, rows)
    lines += ["", *table(["Source", "Booked", "Seen", "Mean wait"], by_source)]
    lines += ["", *broken_days([days]), f"Run time: {days.elapsed_ms / 1000:.1f} s in all."]
    return "\n".join(lines) + "\n"


def policies_summary(comparison: Comparison, mode: Mode) -> str:
    """Policies side by side on the same days, differences from the current one marked."""
    current = comparison.current
    marks = [comparison.differences(i) for i in range(len(comparison.policies))]
    policies = [days.config.policy for days in comparison.policies]
    rows = [["Spill", *(p.spill.value for p in policies)]]
    rows.append(
        ["", *("current" if i == comparison.baseline else "" for i in range(len(policies)))]
    )
    for name in MANY_DAY_ROWS:
        unit = FIGURES[name].unit
        rows.append(
            [
                FIGURES[name].label,
                *(
                    plus_minus(days.figures[name], unit)
                    + ("*" if i != comparison.baseline and marks[i][name].real else " ")
                    for i, days in enumerate(comparison.policies)
                ),
            ]
        )
    lines = [_many_heading(current, mode)]
    lines.append(
        f"Same seeded patients under each policy; overflow {current.config.policy.overflow.value}, "
        f"at most {current.config.policy.max_displacements} displacements. Each cell is the mean "
        "over the days \u00b1 the half-width of its 95% confidence interval; * marks a "
        "difference from the current policy larger than its noise (paired day by day)."
    )
    lines += ["", *table(["Emergency mode", *(p.emergency_mode.value for p in policies)], rows)]
    lines += ["", *_wrapped(" ".join(walk_in_headline(comparison)))]
    lines += ["", *_real_differences(comparison, marks)]
    lines += ["", *broken_days(comparison.policies)]
    return "\n".join(lines) + "\n"


def walk_in_headline(comparison: Comparison) -> list[str]:
    """Which policy walk-ins wait least under, and whether that is more than noise."""
    best, *others = comparison.ranked(WALK_IN_WAIT)
    leader = comparison.policies[best]
    wait = leader.figures[WALK_IN_WAIT]
    if wait.mean is None:
        return ["No walk-in was seen under any policy: there is no walk-in wait to compare."]
    said = [
        f"Walk-ins wait least under {policy_name(leader.config.policy)}: "
        f"{value(Unit.MINUTES, wait.mean)} on average over {wait.n} days"
        + (f" (95% CI {interval(wait, Unit.MINUTES)})." if wait.low is not None else ".")
    ]
    rivals = others[:1]
    if comparison.baseline != best and comparison.baseline not in rivals:
        rivals.append(comparison.baseline)
    for rival in rivals:
        role = "the current policy" if rival == comparison.baseline else "the next best"
        more = comparison.policies[rival].difference(WALK_IN_WAIT, leader)
        name = policy_name(comparison.policies[rival].config.policy)
        said.append(f"Under {role}, {name}, {_more(more)}")
    seen = leader.difference(WALK_IN_SEEN, comparison.current)
    if seen.real and seen.mean is not None and seen.mean < 0:
        said.append(
            f"But it sees {-seen.mean:.1f} fewer walk-ins a day than the current policy "
            f"(paired 95% CI {-(seen.high or 0):.1f} to {-(seen.low or 0):.1f}): the wait is "
            "shorter partly because fewer are seen."
        )
    return said


def _more(difference: Estimate) -> str:
    if difference.mean is None:
        return "no walk-in was seen on the same days."
    if difference.low == difference.high == difference.mean == 0:
        return "they wait exactly as long on every one of these days."
    if difference.low is None or difference.high is None:
        return f"they wait {difference.mean:.1f} min more, on too few days to tell from noise."
    verdict = (
        "larger than the day-to-day noise: a real difference"
        if difference.real
        else "within the day-to-day noise: these days cannot tell the two apart"
    )
    return (
        f"they wait {difference.mean:.1f} min more (paired 95% CI {difference.low:.1f} to "
        f"{difference.high:.1f} min), {verdict}."
    )


def _real_differences(comparison: Comparison, marks: list[dict[str, Estimate]]) -> list[str]:
    current = policy_name(comparison.current.config.policy)
    lines = [f"Differences from the current policy ({current}) larger than their noise:"]
    for index, days in enumerate(comparison.policies):
        real = [
            f"{FIGURES[name].label} {signed(FIGURES[name].unit, marks[index][name])}"
            for name in MANY_DAY_ROWS
            if index != comparison.baseline and marks[index][name].real
        ]
        if real:
            said = f"{policy_name(days.config.policy)}: " + "; ".join(real)
            lines += _wrapped(said, indent="  ")
    return lines if len(lines) > 1 else [lines[0], "  none."]


def broken_days(groups: Sequence[Days]) -> list[str]:
    broken = [
        (days, report) for days in groups for report in days.reports if report.invariant_violations
    ]
    if not broken:
        return ["All invariants held on every day."]
    seeds = sorted({report.seed for _, report in broken})
    lines = [f"INVARIANT VIOLATIONS on seed(s) {', '.join(map(str, seeds))}:"]
    for days, report in broken:
        lines.append(f"  seed {report.seed}, {policy_name(days.config.policy)}:")
        lines += [f"  {line}" for line in violations(report)[1:]]
    return lines


def _wrapped(paragraph: str, indent: str = "") -> list[str]:
    return textwrap.wrap(
        paragraph,
        WRAP,
        initial_indent=indent,
        subsequent_indent=indent * 2,
        break_on_hyphens=False,
    )


def policy_name(policy: Policy) -> str:
    return f"{policy.emergency_mode.value} / {policy.spill.value}"


def value(unit: Unit, amount: float | None) -> str:
    if amount is None:
        return "-"
    return _bare(unit, amount) + _suffix(unit)


def interval(estimate: Estimate, unit: Unit) -> str:
    if estimate.low is None or estimate.high is None:
        return "-"
    return f"{_bare(unit, estimate.low)} to {_bare(unit, estimate.high)}{_suffix(unit)}"


def plus_minus(estimate: Estimate, unit: Unit) -> str:
    if estimate.mean is None:
        return "-"
    if estimate.half_width is None:
        return value(unit, estimate.mean)
    return f"{_bare(unit, estimate.mean)} \u00b1 {_bare(unit, estimate.half_width)}{_suffix(unit)}"


def signed(unit: Unit, difference: Estimate) -> str:
    """A difference with its sign and interval: "-2.1 min (-3.2 to -1.0)"."""
    if difference.mean is None:
        return "-"
    shown = f"{'+' if difference.mean >= 0 else ''}{_bare(unit, difference.mean)}{_suffix(unit)}"
    if difference.low is None or difference.high is None:
        return shown
    return f"{shown} ({_bare(unit, difference.low)} to {_bare(unit, difference.high)})"


def _bare(unit: Unit, amount: float) -> str:
    return f"{amount * 100:.1f}" if unit is Unit.SHARE else f"{amount:.1f}"


def _suffix(unit: Unit) -> str:
    return {Unit.SHARE: "%", Unit.MINUTES: " min", Unit.COUNT: ""}[unit]


def _days_with(estimate: Estimate, runs: int) -> str:
    return "" if estimate.n == runs else f"{estimate.n} of {runs}"


def _many_heading(days: Days, mode: Mode) -> str:
    first, last = days.seeds[0], days.seeds[-1]
    return (
        f"Simulated OPD days {days.reports[0].date}, seeds {first}-{last} "
        f"({len(days.seeds)} days, {mode.value} mode): {describe_day(days.config)}"
    )
