"""The page of policies compared on the same seeded days: which waits less, and is it real."""

from __future__ import annotations

from html import escape

from opd_graphql.sim.html_days import SPREAD_NOTE
from opd_graphql.sim.html_spread import (
    SpreadRow,
    difference_chart,
    figure_row,
    figure_table,
    invariants,
    page,
    spread_chart,
)
from opd_graphql.sim.many import EMERGENCY_WAIT, FIGURES, WALK_IN_WAIT, Comparison
from opd_graphql.sim.runner import Mode
from opd_graphql.sim.text import describe_day
from opd_graphql.sim.text_many import MANY_DAY_ROWS, plus_minus, policy_name, walk_in_headline

BY_POLICY = [WALK_IN_WAIT, EMERGENCY_WAIT, "meanWaitMinutes"]
KEY_FIGURES = [
    WALK_IN_WAIT,
    EMERGENCY_WAIT,
    "meanWaitMinutes",
    "completed",
    "rejected",
    "waitlistedRemaining",
    "utilization",
]
AXES = {"count": "patients", "minutes": "minutes", "share": "of the day's places"}


def render(comparison: Comparison, mode: Mode) -> str:
    current = comparison.current
    runs, seeds = len(current.reports), current.seeds
    policy = current.config.policy
    sections = [
        f"<h1>Policies compared on {runs} seeded days</h1>",
        _headline(comparison),
        f'<p class="sub">Seeds {seeds[0]} to {seeds[-1]} ({current.reports[0].date:%A} '
        f"{current.reports[0].date}), the same patients under each policy, played in "
        f"{mode.value} mode: {escape(describe_day(current.config))}.</p>",
        f'<p class="sub">Overflow {policy.overflow.value}, at most {policy.max_displacements} '
        f"displacements, recall after {policy.recall_after}, at most {policy.max_skips} skips; "
        f"the current policy is {escape(policy_name(policy))}.</p>",
        invariants(comparison.policies),
        "<h2>Each policy, day by day</h2>",
        SPREAD_NOTE,
        *(_by_policy(comparison, name) for name in BY_POLICY),
        "<h2>Differences from the current policy, paired day by day</h2>",
        '<p class="note">Each dot is one day: the figure under the policy minus the figure '
        "under the current policy on the same seeded day. A band clear of the zero line "
        "(dark) is a difference larger than the day-to-day noise; a grey band crossing it is "
        "one these days cannot tell from noise.</p>",
        *(_differences(comparison, name) for name in KEY_FIGURES),
        "<h2>Every figure, side by side</h2>",
        '<p class="note">Mean over the days \u00b1 the half-width of its 95% confidence '
        "interval; in bold, a difference from the current policy larger than its noise.</p>",
        _side_by_side(comparison),
    ]
    footer = (
        f"opd-graphql simulate --compare-policies --runs {runs}, seeds {seeds[0]}-{seeds[-1]}, "
        f"{mode.value} mode, run in {sum(d.elapsed_ms for d in comparison.policies) / 1000:.1f} "
        "s. Every doctor and patient here is simulated."
    )
    return page(f"Policies compared on {runs} simulated OPD days", sections, footer)


def _headline(comparison: Comparison) -> str:
    answer, *details = walk_in_headline(comparison)
    said = " ".join(escape(sentence) for sentence in details)
    return f'<p class="headline"><b>{escape(answer)}</b> {said}</p>'


def _label(comparison: Comparison, index: int) -> str:
    name = policy_name(comparison.policies[index].config.policy)
    return f"{name} (current)" if index == comparison.baseline else name


def _by_policy(comparison: Comparison, name: str) -> str:
    figure = FIGURES[name]
    rows = [
        figure_row(days, name, _label(comparison, index))
        for index, days in enumerate(comparison.policies)
    ]
    return f"<h3>{escape(figure.label)}</h3>" + spread_chart(
        rows, figure.unit, AXES[figure.unit.value]
    )


def _differences(comparison: Comparison, name: str) -> str:
    figure = FIGURES[name]
    current = comparison.current
    rows = []
    for index, days in enumerate(comparison.policies):
        if index == comparison.baseline:
            continue
        per_day = [d for d in days.day_differences(name, current) if d is not None]
        difference = days.difference(name, current)
        rows.append(SpreadRow(_label(comparison, index), per_day, difference, difference.real))
    return f"<h3>{escape(figure.label)}, minus the current policy's</h3>" + difference_chart(
        rows, figure.unit, AXES[figure.unit.value]
    )


def _side_by_side(comparison: Comparison) -> str:
    marks = [comparison.differences(i) for i in range(len(comparison.policies))]
    header = ["Figure", *(_label(comparison, i) for i in range(len(comparison.policies)))]
    rows = [
        [
            (FIGURES[name].label, False),
            *(
                (
                    plus_minus(days.figures[name], FIGURES[name].unit),
                    index != comparison.baseline and marks[index][name].real,
                )
                for index, days in enumerate(comparison.policies)
            ),
        ]
        for name in MANY_DAY_ROWS
    ]
    return figure_table(header, rows)
