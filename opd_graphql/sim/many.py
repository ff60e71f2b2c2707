"""Many seeded days: play them, then each figure's mean and 95% confidence interval.

One day's figures move more with the seed than with the policy (DESIGN section 8), so a
policy is judged on days seed, seed+1, ... and two policies on the same days, paired: a
day that is busy under one policy is busy under the other, and the per-day difference
is much less noisy than either figure.
"""

from __future__ import annotations

import asyncio
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from opd_graphql.engine import Source
from opd_graphql.service.context import ServiceContext
from opd_graphql.sim import runner
from opd_graphql.sim.charts import SOURCE_NAMES
from opd_graphql.sim.config import SimulationConfig
from opd_graphql.sim.report import SimulationReport, SourceFigures
from opd_graphql.sim.runner import Mode, Progress

# Student's t, 97.5th percentile, for 1 to 9 degrees of freedom; from 10 on the expansion
# in `t_quantile` agrees with it to four decimals.
T_TABLE = (12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622)
Z_975 = 1.959963984540054


class Unit(Enum):
    COUNT = "count"
    MINUTES = "minutes"
    SHARE = "share"


@dataclass(frozen=True)
class Figure:
    name: str  # the report's GraphQL name; per source "bySource.WALK_IN.meanWaitMinutes"
    label: str
    unit: Unit
    read: Callable[[SimulationReport], float | None]


def _source(source: Source) -> Callable[[SimulationReport], SourceFigures]:
    return lambda report: next(f for f in report.by_source if f.source is source)


def _source_figures(source: Source, name: str) -> list[Figure]:
    figures = _source(source)
    prefix = f"bySource.{source.value}"
    return [
        Figure(f"{prefix}.booked", f"{name} booked", Unit.COUNT, lambda r: figures(r).booked),
        Figure(f"{prefix}.completed", f"{name} seen", Unit.COUNT, lambda r: figures(r).completed),
        Figure(
            f"{prefix}.meanWaitMinutes",
            f"{name} mean wait",
            Unit.MINUTES,
            lambda r: figures(r).mean_wait_minutes,
        ),
    ]


DAY_FIGURES = (
    Figure("tokensBooked", "Tokens booked", Unit.COUNT, lambda r: r.tokens_booked),
    Figure("emergencies", "Emergencies", Unit.COUNT, lambda r: r.emergencies),
    Figure("completed", "Completed", Unit.COUNT, lambda r: r.completed),
    Figure("noShows", "No-shows", Unit.COUNT, lambda r: r.no_shows),
    Figure("cancellations", "Cancellations", Unit.COUNT, lambda r: r.cancellations),
    Figure("rejected", "Rejected", Unit.COUNT, lambda r: r.rejected),
    Figure(
        "waitlistedRemaining", "Waitlisted at close", Unit.COUNT, lambda r: r.waitlisted_remaining
    ),
    Figure("displacements", "Displacements", Unit.COUNT, lambda r: r.displacements),
    Figure("promotions", "Promotions", Unit.COUNT, lambda r: r.promotions),
    Figure("skips", "Skips", Unit.COUNT, lambda r: r.skips),
    Figure("skippedPatients", "Skipped patients", Unit.COUNT, lambda r: r.skipped_patients),
    Figure("skippedSeen", "Skipped patients seen", Unit.COUNT, lambda r: r.skipped_seen),
    Figure("movedPatients", "Moved to another doctor", Unit.COUNT, lambda r: r.moved_patients),
    Figure("movedSeen", "Moved patients seen", Unit.COUNT, lambda r: r.moved_seen),
    Figure("overbookedSlots", "Overbooked slots", Unit.COUNT, lambda r: r.overbooked_slots),
    Figure("utilization", "Utilization", Unit.SHARE, lambda r: r.utilization),
    Figure("meanWaitMinutes", "Mean wait", Unit.MINUTES, lambda r: r.mean_wait_minutes),
    Figure("p95WaitMinutes", "95th percentile wait", Unit.MINUTES, lambda r: r.p95_wait_minutes),
)
SOURCE_FIGURES = tuple(f for s, name in SOURCE_NAMES.items() for f in _source_figures(s, name))
FIGURES = {f.name: f for f in (*DAY_FIGURES, *SOURCE_FIGURES)}
WALK_IN_WAIT = f"bySource.{Source.WALK_IN.value}.meanWaitMinutes"
WALK_IN_SEEN = f"bySource.{Source.WALK_IN.value}.completed"
EMERGENCY_WAIT = f"bySource.{Source.EMERGENCY.value}.meanWaitMinutes"


def t_quantile(degrees_of_freedom: int) -> float:
    """Student's t 97.5th percentile: the factor of a two-sided 95% interval."""
    if degrees_of_freedom < 1:
        raise ValueError("a t interval needs at least 1 degree of freedom")
    if degrees_of_freedom <= len(T_TABLE):
        return T_TABLE[degrees_of_freedom - 1]
    # The Cornish-Fisher expansion of t in powers of 1/df around the normal quantile.
    z, df = Z_975, degrees_of_freedom
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * df**4)
    )


@dataclass(frozen=True)
class Estimate:
    """The mean of a figure over the days that have it, with its 95% confidence interval."""

    mean: float | None
    low: float | None  # None with fewer than two days
    high: float | None
    n: int

    @property
    def half_width(self) -> float | None:
        if self.mean is None or self.high is None:
            return None
        return self.high - self.mean

    @property
    def real(self) -> bool:
        """For a difference: the interval excludes 0, so it is larger than its noise."""
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)

    def as_json(self) -> dict[str, Any]:
        return {"mean": _rounded(self.mean), "low": _rounded(self.low), "high": _rounded(self.high)}


def estimate(values: Sequence[float | None]) -> Estimate:
    """Mean and Student t 95% interval of the values that are not None."""
    present = [float(v) for v in values if v is not None]
    if not present:
        return Estimate(None, None, None, 0)
    mean = statistics.fmean(present)
    if len(present) == 1:
        return Estimate(mean, None, None, 1)
    half = t_quantile(len(present) - 1) * statistics.stdev(present) / math.sqrt(len(present))
    return Estimate(mean, mean - half, mean + half, len(present))


def day_differences(
    values: Sequence[float | None], baseline: Sequence[float | None]
) -> list[float | None]:
    """Each day's `values - baseline`; None where either lacks the figure."""
    pairs = zip(values, baseline, strict=True)
    return [None if a is None or b is None else a - b for a, b in pairs]


@dataclass(frozen=True)
class Days:
    """The reports of days seed, seed+1, ... of one config."""

    config: SimulationConfig
    reports: tuple[SimulationReport, ...]
    figures: dict[str, Estimate] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "figures", {n: estimate(self.values(n)) for n in FIGURES})

    @property
    def seeds(self) -> list[int]:
        return [report.seed for report in self.reports]

    @property
    def broken_seeds(self) -> list[int]:
        return [report.seed for report in self.reports if report.invariant_violations]

    @property
    def elapsed_ms(self) -> int:
        return sum(report.elapsed_ms for report in self.reports)

    def values(self, name: str) -> list[float | None]:
        return [FIGURES[name].read(report) for report in self.reports]

    def difference(self, name: str, baseline: Days) -> Estimate:
        return estimate(self.day_differences(name, baseline))

    def day_differences(self, name: str, baseline: Days) -> list[float | None]:
        if self.seeds != baseline.seeds:
            raise ValueError("policies are compared on the same seeded days")
        return day_differences(self.values(name), baseline.values(name))


@dataclass(frozen=True)
class Comparison:
    """Policies played on the same days; `baseline` indexes the current policy."""

    policies: tuple[Days, ...]
    baseline: int

    @property
    def current(self) -> Days:
        return self.policies[self.baseline]

    def differences(self, index: int) -> dict[str, Estimate]:
        return {name: self.policies[index].difference(name, self.current) for name in FIGURES}

    def ranked(self, name: str) -> list[int]:
        """The policies by their mean of `name`, lowest first; those without it last."""
        means = [days.figures[name].mean for days in self.policies]
        return sorted(range(len(means)), key=lambda i: (means[i] is None, means[i] or 0.0))


async def play_days(
    ctx: ServiceContext,
    config: SimulationConfig,
    runs: int,
    mode: Mode,
    progress: Progress | None = None,
) -> Days:
    """Play `runs` days of `config`, seeds config.seed to config.seed + runs - 1."""
    reports = []
    for index in range(runs):
        day_progress = None if progress is None else _share_of(progress, index, runs)
        day = replace(config, seed=config.seed + index)
        reports.append((await runner.simulate_day(ctx, day, day_progress, mode)).report)
        # A day on the engine never waits on the database: let other requests have a turn.
        await asyncio.sleep(0)
    return Days(config, tuple(reports))


def _share_of(progress: Progress, index: int, runs: int) -> Progress:
    return lambda fraction: progress((index + fraction) / runs)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
