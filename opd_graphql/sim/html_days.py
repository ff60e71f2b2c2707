"""The page of many seeded days of one policy: every figure's spread over the days."""

from __future__ import annotations

from html import escape

from opd_graphql.engine import Source
from opd_graphql.sim.charts import SOURCE_NAMES
from opd_graphql.sim.html_spread import (
    cards,
    figure_row,
    figure_table,
    invariants,
    page,
    spread_chart,
)
from opd_graphql.sim.many import FIGURES, WALK_IN_WAIT, Days, Unit
from opd_graphql.sim.runner import Mode
from opd_graphql.sim.text import describe_day, describe_policy
from opd_graphql.sim.text_many import MANY_DAY_ROWS, interval, plus_minus, value

PATIENT_FIGURES = [
    "tokensBooked",
    "completed",
    "noShows",
    "cancellations",
    "rejected",
    "waitlistedRemaining",
    "emergencies",
    "displacements",
    "promotions",
    "skips",
    "overbookedSlots",
]
SPREAD_NOTE = (
    '<p class="note">One row per figure. Each dot is one day (the dots are spread up and '
    "down only to keep them apart); the dark line is the mean over the days and the band "
    "around it its 95% confidence interval: where the mean of many more such days would "
    "fall.</p>"
)


def render(days: Days, mode: Mode) -> str:
    runs, seeds = len(days.reports), days.seeds
    sections = [
        f"<h1>Simulated OPD days: {runs} seeded days</h1>",
        f'<p class="sub">Seeds {seeds[0]} to {seeds[-1]}, each a {days.reports[0].date:%A} '
        f"({days.reports[0].date}), played in {mode.value} mode: "
        f"{escape(describe_day(days.config))}.</p>",
        f'<p class="sub">{escape(describe_policy(days.config.policy))}.</p>',
        cards(
            [
                (plus_minus(days.figures[name], FIGURES[name].unit), caption)
                for name, caption in [
                    ("tokensBooked", "patients"),
                    ("completed", "seen"),
                    ("noShows", "did not come"),
                    ("rejected", "turned away"),
                    ("waitlistedRemaining", "waitlisted at close"),
                    ("meanWaitMinutes", "mean wait"),
                    (WALK_IN_WAIT, "walk-in mean wait"),
                    ("p95WaitMinutes", "95% called within"),
                    ("utilization", "of places used"),
                ]
            ]
        ),
        '<p class="note">Each card is the mean over the days \u00b1 the half-width of its 95% '
        "confidence interval.</p>",
        invariants([days]),
        "<h2>Where the patients ended up, day by day</h2>",
        SPREAD_NOTE,
        spread_chart([figure_row(days, n) for n in PATIENT_FIGURES], Unit.COUNT, "patients"),
        "<h2>How long patients waited</h2>",
        '<p class="note">Minutes from arriving (or from the appointment, for patients who came '
        "early for it) to being called in: each day's mean and 95th percentile, then each "
        "source's mean. A source with nobody seen on a day has no wait that day.</p>",
        spread_chart(
            [
                figure_row(days, "meanWaitMinutes"),
                figure_row(days, "p95WaitMinutes"),
                *(
                    figure_row(days, f"bySource.{s.value}.meanWaitMinutes", SOURCE_NAMES[s])
                    for s in Source
                ),
            ],
            Unit.MINUTES,
            "minutes waited",
        ),
        "<h2>Places used</h2>",
        spread_chart([figure_row(days, "utilization")], Unit.SHARE, "of the day's places"),
        "<h2>Every figure</h2>",
        figure_table(
            ["Figure", "Mean", "95% CI", "Days"],
            [
                [
                    (FIGURES[name].label, False),
                    (value(FIGURES[name].unit, days.figures[name].mean), False),
                    (interval(days.figures[name], FIGURES[name].unit), False),
                    (str(days.figures[name].n), False),
                ]
                for name in MANY_DAY_ROWS
            ],
        ),
    ]
    footer = (
        f"opd-graphql simulate --runs {runs}, seeds {seeds[0]}-{seeds[-1]}, {mode.value} mode, "
        f"run in {days.elapsed_ms / 1000:.1f} s. Every doctor and patient here is simulated."
    )
    return page(f"Simulated OPD days, {runs} seeds", sections, footer)
