"""simulateDay: open the simulated doctors' day, run each doctor's loop, count the figures.

Each doctor gets a fresh doctor (in the simulation's own namespace, all in one
department), its own virtual clock, desk and `random.Random` derived from the seed.
Doctor-days share nothing, so they run concurrently and the report is still the same for
the same seed. A doctor called away (absence.py) is the one moment they share: every run
stops there until the patients have been handed over. The days are played through the
service, or on the engine in memory (`Mode`): the same steps, the same report.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from opd_graphql.engine import EventKind, Overflow, Policy, Spill, Status
from opd_graphql.service.context import ServiceContext
from opd_graphql.sim import absence, invariants
from opd_graphql.sim.clock import VirtualClock
from opd_graphql.sim.config import FIRST_SLOT, SimulationConfig
from opd_graphql.sim.doctor_run import DoctorRun
from opd_graphql.sim.hospital import Hospital
from opd_graphql.sim.in_memory import Ward
from opd_graphql.sim.patients import BOOKING_WINDOW, draw_patients
from opd_graphql.sim.replay import DayReplay, Replays
from opd_graphql.sim.report import Outcome, SimulationReport, bucket_counts, build_report
from opd_graphql.sim.through_service import ServiceHospital

MAX_REPORTED_VIOLATIONS = 100
Progress = Callable[[float], None]


class Mode(StrEnum):
    """Where a simulated day's changes are applied; the rules and the report are the same."""

    SERVICE = "service"  # each change a real transaction through the service
    ENGINE = "engine"  # the pure engine on days kept in memory


@dataclass(frozen=True)
class Simulation:
    config: SimulationConfig
    report: SimulationReport
    runs: tuple[DoctorRun, ...]


async def simulate_day(
    ctx: ServiceContext,
    config: SimulationConfig,
    progress: Progress | None = None,
    mode: Mode = Mode.SERVICE,
) -> Simulation:
    """Play `config`'s day; `ctx` gives the timezone, its today and, in service mode, the
    database (engine mode touches none).

    The date defaults to the day after `ctx`'s today; the policy is `config.policy`.
    """
    started = time.perf_counter()
    config = config.validated()
    day = config.date or ctx.today() + timedelta(days=1)
    simulation_id = uuid.uuid4().hex
    replays = Replays()
    hospital: Hospital
    if mode is Mode.ENGINE:
        hospital = Ward(config.policy, ctx.timezone, replays.committed)
    else:
        hospital = ServiceHospital(ctx, config.policy, simulation_id, replays.committed)
    runs = [
        await _open_doctor_day(hospital, ctx, config, day, i, replays)
        for i in range(config.doctors)
    ]
    tracker = _Tracker(runs, progress)
    for run in runs:
        run.plan()
    if config.close_doctor_at is not None:
        away_at = datetime.combine(day, config.close_doctor_at, tzinfo=ctx.timezone)
        await _play(runs, tracker, away_at)
        await absence.call_away(runs, away_at)
    await _play(runs, tracker)
    violations = await _final_checks(hospital, runs)
    outcomes = [
        Outcome(
            v.token.source,
            v.token.status or Status.BOOKED,
            v.wait,
            v.token.places,
            v.token.skips,
            v.moved,
        )
        for run in runs
        for v in run.visits
    ]
    booked = sum(run.booked for run in runs)
    violations += invariants.conservation(bucket_counts(outcomes), booked)
    if len(violations) > MAX_REPORTED_VIOLATIONS:
        hidden = len(violations) - MAX_REPORTED_VIOLATIONS
        violations = [*violations[:MAX_REPORTED_VIOLATIONS], f"... and {hidden} more"]
    events: Counter[EventKind] = Counter()
    for run in runs:
        events.update(run.day.counts)
    report = build_report(
        simulation_id=simulation_id,
        seed=config.seed,
        day=day,
        doctors=config.doctors,
        slots=config.doctors * config.slots_per_doctor,
        places=config.places,
        booked=booked,
        outcomes=outcomes,
        events=events,
        overbooked_slots=sum(_overbooked_slots(run.day) for run in runs),
        violations=violations,
        elapsed_ms=round((time.perf_counter() - started) * 1000),
    )
    return Simulation(config, report, tuple(runs))


async def _play(runs: list[DoctorRun], tracker: _Tracker, until: datetime | None = None) -> None:
    """Play every run concurrently; if one fails, stop the others rather than leave them
    changing the database behind the caller's back."""
    playing = [asyncio.create_task(run.play(tracker.step, until)) for run in runs]
    try:
        await asyncio.gather(*playing)
    except BaseException:
        for task in playing:
            task.cancel()
        await asyncio.gather(*playing, return_exceptions=True)
        raise


async def _open_doctor_day(
    hospital: Hospital,
    ctx: ServiceContext,
    config: SimulationConfig,
    day: date,
    index: int,
    replays: Replays,
) -> DoctorRun:
    opens = datetime.combine(day, FIRST_SLOT, tzinfo=ctx.timezone)
    # The clock starts before the first appointment can be booked.
    clock = VirtualClock(opens - BOOKING_WINDOW[1] - timedelta(days=1))
    code = f"D{index + 1:02d}"
    opened = await hospital.open_day(config, day, code, clock)
    replay = DayReplay(
        doctor_id=opened.doctor_id,
        date=day.isoformat(),
        recall_after=config.policy.recall_after,
        unplaced=_unplaced(config.policy),
        slots=opened.slots,
    )
    closes = opens + config.slot_length * config.slots_per_doctor
    rng = random.Random(f"{config.seed}/{index}")
    share, extra = divmod(config.demand, config.doctors)
    patients = draw_patients(rng, config, opens, closes, share + (index < extra))
    replays.add(replay)
    return DoctorRun(opened.desk, clock, code, replay, patients, rng)


def _unplaced(policy: Policy) -> Status:
    """What a token coming to a day becomes when no slot takes it (the engine's rule)."""
    if policy.spill is Spill.WAITLIST or policy.overflow is Overflow.WAITLIST:
        return Status.WAITLISTED
    return Status.REJECTED


async def _final_checks(hospital: Hospital, runs: list[DoctorRun]) -> list[str]:
    kept = await hospital.kept([run.day.doctor_id for run in runs])
    violations: list[str] = []
    for run in runs:
        code = run.code
        violations += run.violations
        violations += invariants.events_agree(run.day, code, kept.events.get(run.doctor_id, []))
        violations += invariants.stored_agrees(run.day, code, kept.statuses)
        violations += invariants.facts_agree(run.day, code, kept.facts)
        violations += invariants.final_states(run.day, code)
    violations += invariants.counted_once(
        [(run.code, run.day, [v.token.id for v in run.visits]) for run in runs]
    )
    return violations


def _overbooked_slots(day: DayReplay) -> int:
    capacity = {slot.id: slot.capacity for slot in day.slots}
    return sum(
        any(held > capacity[slot_id] for _, held, _ in steps)
        for slot_id, steps in day.occupancy.items()
    )


class _Tracker:
    """Turns the doctors' progress into one fraction that never goes back."""

    def __init__(self, runs: list[DoctorRun], progress: Progress | None) -> None:
        self.runs = runs
        self.progress = progress
        self.shown = 0.0

    def step(self) -> None:
        if self.progress is None:
            return
        planned = sum(run.steps_planned for run in self.runs)
        done = sum(run.steps_done for run in self.runs) / planned if planned else 1.0
        if done >= self.shown + 0.01 or done == 1.0:
            self.shown = max(self.shown, done)
            self.progress(self.shown)
