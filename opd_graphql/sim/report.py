"""The figures of a simulated day (DESIGN section 5, `SimulationReport`)."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any

from opd_graphql.engine import EventKind, Source, Status
from opd_graphql.sim.invariants import BUCKETS


@dataclass(frozen=True)
class SourceFigures:
    source: Source
    booked: int
    completed: int
    mean_wait_minutes: float | None


@dataclass(frozen=True)
class SimulationReport:
    simulation_id: str
    seed: int
    date: date
    doctors: int
    slots_created: int
    tokens_booked: int
    emergencies: int
    cancellations: int
    no_shows: int
    completed: int
    rejected: int
    waitlisted_remaining: int
    displacements: int
    promotions: int
    skips: int  # times a called patient was not in the room
    skipped_patients: int
    skipped_seen: int  # of the skipped patients, those seen in the end
    moved_patients: int  # moved to another doctor when theirs was called away
    moved_seen: int  # of the moved patients, those seen in the end
    overbooked_slots: int
    utilization: float  # places used by completed consultations over the day's places
    mean_wait_minutes: float | None
    p95_wait_minutes: float | None
    by_source: tuple[SourceFigures, ...]
    invariant_violations: tuple[str, ...]
    elapsed_ms: int

    def as_json(self) -> dict[str, Any]:
        """The report under its GraphQL names."""
        return _camel(asdict(self))


@dataclass(frozen=True)
class Outcome:
    """One token's day, as the report needs it."""

    source: Source
    status: Status
    wait: timedelta | None
    places: int = 1
    skips: int = 0
    moved: bool = False


def bucket_counts(outcomes: Iterable[Outcome]) -> dict[str, int]:
    counted = Counter(BUCKETS.get(o.status) for o in outcomes)
    return {name: counted[name] for name in BUCKETS.values()}


def build_report(
    *,
    simulation_id: str,
    seed: int,
    day: date,
    doctors: int,
    slots: int,
    places: int,
    booked: int,
    outcomes: Sequence[Outcome],
    events: Counter[EventKind],
    overbooked_slots: int,
    violations: Sequence[str],
    elapsed_ms: int,
) -> SimulationReport:
    buckets = bucket_counts(outcomes)
    waits = [o.wait for o in outcomes if o.wait is not None]
    used = sum(o.places for o in outcomes if o.status is Status.COMPLETED)
    skipped = [o for o in outcomes if o.skips]
    moved = [o for o in outcomes if o.moved]
    return SimulationReport(
        simulation_id=simulation_id,
        seed=seed,
        date=day,
        doctors=doctors,
        slots_created=slots,
        tokens_booked=booked,
        emergencies=sum(o.source is Source.EMERGENCY for o in outcomes),
        cancellations=buckets["cancellations"],
        no_shows=buckets["noShows"],
        completed=buckets["completed"],
        rejected=buckets["rejected"],
        waitlisted_remaining=buckets["waitlistedRemaining"],
        displacements=events[EventKind.DISPLACED],
        promotions=events[EventKind.PROMOTED],
        skips=events[EventKind.SKIPPED],
        skipped_patients=len(skipped),
        skipped_seen=sum(o.status is Status.COMPLETED for o in skipped),
        moved_patients=len(moved),
        moved_seen=sum(o.status is Status.COMPLETED for o in moved),
        overbooked_slots=overbooked_slots,
        utilization=round(used / places, 3) if places else 0.0,
        mean_wait_minutes=_mean_minutes(waits),
        p95_wait_minutes=_p95_minutes(waits),
        by_source=tuple(_by_source(source, outcomes) for source in Source),
        invariant_violations=tuple(violations),
        elapsed_ms=elapsed_ms,
    )


def _by_source(source: Source, outcomes: Sequence[Outcome]) -> SourceFigures:
    mine = [o for o in outcomes if o.source is source]
    return SourceFigures(
        source=source,
        booked=len(mine),
        completed=sum(o.status is Status.COMPLETED for o in mine),
        mean_wait_minutes=_mean_minutes([o.wait for o in mine if o.wait is not None]),
    )


def minutes(span: timedelta) -> float:
    return span.total_seconds() / 60


def _mean_minutes(waits: Sequence[timedelta]) -> float | None:
    return round(statistics.fmean(minutes(w) for w in waits), 1) if waits else None


def _p95_minutes(waits: Sequence[timedelta]) -> float | None:
    if not waits:
        return None
    ordered = sorted(waits)
    return round(minutes(ordered[math.ceil(0.95 * len(ordered)) - 1]), 1)


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {_camel_name(k): _camel(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_camel(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def _camel_name(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)
