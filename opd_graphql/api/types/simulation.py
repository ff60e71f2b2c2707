"""simulateDay's input and its report."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import strawberry

from opd_graphql import engine
from opd_graphql.api.types.enums import EmergencyMode, Overflow, Spill, TokenSource
from opd_graphql.service.errors import InvalidInput
from opd_graphql.sim import many, report
from opd_graphql.sim.config import SimulationConfig

DEFAULTS = SimulationConfig()
# One request plays at most this many days and patients, so that it cannot hold the server
# for long even on the engine.
MAX_RUNS = 100
MAX_RUN_PATIENTS = 20_000


@strawberry.input(description="The allocation policy to simulate; omitted knobs keep the server's.")
class PolicyInput:
    emergency_mode: EmergencyMode | None = None
    spill: Spill | None = None
    overflow: Overflow | None = None
    max_displacements: int | None = None
    recall_after: int | None = None
    max_skips: int | None = None

    def over(self, base: engine.Policy) -> engine.Policy:
        return engine.Policy(
            emergency_mode=self.emergency_mode or base.emergency_mode,
            spill=self.spill or base.spill,
            overflow=self.overflow or base.overflow,
            max_displacements=base.max_displacements
            if self.max_displacements is None
            else self.max_displacements,
            recall_after=base.recall_after if self.recall_after is None else self.recall_after,
            max_skips=base.max_skips if self.max_skips is None else self.max_skips,
        )


@strawberry.input(description="A day to simulate. Every field has a realistic default.")
class SimulateDayInput:
    seed: int = strawberry.field(
        default=DEFAULTS.seed, description="The same seed and input give the same report."
    )
    date: dt.date | None = strawberry.field(
        default=None, description="Default: tomorrow in the hospital's timezone."
    )
    doctors: int = strawberry.field(default=DEFAULTS.doctors, description="1 to 50.")
    slots_per_doctor: int = strawberry.field(
        default=DEFAULTS.slots_per_doctor, description="Back to back from 09:00."
    )
    slot_minutes: int = DEFAULTS.slot_minutes
    capacity: int = strawberry.field(default=DEFAULTS.capacity, description="Places per slot.")
    patients: int | None = strawberry.field(
        default=None,
        description="Patients over the whole day, 0 to 5000. Default: 110% of the day's places.",
    )
    no_show_rate: float = strawberry.field(
        default=DEFAULTS.no_show_rate,
        description="Share of patients with an appointment who do not come (0 to 1).",
    )
    cancel_rate: float = strawberry.field(
        default=DEFAULTS.cancel_rate,
        description="Share of appointments cancelled before their slot (0 to 1).",
    )
    emergency_rate: float = strawberry.field(
        default=DEFAULTS.emergency_rate, description="Share of patients who are emergencies."
    )
    new_patient_rate: float = strawberry.field(
        default=DEFAULTS.new_patient_rate,
        description="Share of patients (follow-ups excepted) who are new and need a double "
        "consultation: their tokens hold 2 places (0 to 1).",
    )
    absent_when_called_rate: float = strawberry.field(
        default=DEFAULTS.absent_when_called_rate,
        description="Share of patients (emergencies excepted) not in the room when first "
        "called, who are skipped; most come back within minutes, some never do and end as "
        "no-shows after the policy's maxSkips (0 to 1).",
    )
    close_doctor_at: dt.time | None = strawberry.field(
        default=None,
        description="The hospital's time of day (from 09:00 to before the last slot ends) at "
        "which the first doctor, D01, is called away: their slots close, their waiting and "
        "waitlisted patients move to the other doctors (closeDay with moveTo DEPARTMENT), and "
        "patients who register later go to the others in turn. Needs 2 doctors or more. "
        "Null: nobody is called away.",
    )
    policy: PolicyInput | None = None
    runs: int = strawberry.field(
        default=1,
        description=f"Days to play: seeds seed to seed + runs - 1, 1 to {MAX_RUNS}, and runs x "
        f"the day's patients at most {MAX_RUN_PATIENTS}. More than 1 plays them on the pure "
        "engine in memory (the same report as through the service, only faster) and answers "
        "SimulationRuns: each figure's mean and 95% confidence interval, and every day's report.",
    )

    def checked_runs(self, config: SimulationConfig) -> int:
        """The days to play, or InvalidInput naming `runs`; `config` is already validated."""
        if not 1 <= self.runs <= MAX_RUNS:
            raise InvalidInput(f"runs must be between 1 and {MAX_RUNS}.", "runs")
        if self.runs * config.demand > MAX_RUN_PATIENTS:
            raise InvalidInput(
                f"runs x patients must be at most {MAX_RUN_PATIENTS}: {self.runs} days of "
                f"{config.demand} patients are too many for one request.",
                "runs",
            )
        return self.runs

    def to_config(self, base_policy: engine.Policy) -> SimulationConfig:
        return replace(
            DEFAULTS,
            seed=self.seed,
            date=self.date,
            doctors=self.doctors,
            slots_per_doctor=self.slots_per_doctor,
            slot_minutes=self.slot_minutes,
            capacity=self.capacity,
            patients=self.patients,
            no_show_rate=self.no_show_rate,
            cancel_rate=self.cancel_rate,
            emergency_rate=self.emergency_rate,
            new_patient_rate=self.new_patient_rate,
            absent_when_called_rate=self.absent_when_called_rate,
            close_doctor_at=self.close_doctor_at,
            policy=(self.policy or PolicyInput()).over(base_policy),
        )


@strawberry.type(description="How the patients of one source fared.")
class SourceFigures:
    source: TokenSource
    booked: int
    completed: int
    mean_wait_minutes: float | None

    @classmethod
    def from_figures(cls, figures: report.SourceFigures) -> SourceFigures:
        return cls(
            source=figures.source,
            booked=figures.booked,
            completed=figures.completed,
            mean_wait_minutes=figures.mean_wait_minutes,
        )


@strawberry.type(
    description="A simulated day. completed + noShows + cancellations + rejected + "
    "waitlistedRemaining = tokensBooked."
)
class SimulationReport:
    simulation_id: strawberry.ID
    seed: int
    date: dt.date
    doctors: int
    slots_created: int
    tokens_booked: int
    emergencies: int
    cancellations: int
    no_shows: int
    completed: int
    rejected: int
    waitlisted_remaining: int = strawberry.field(
        description="Still waitlisted when the last slot ended (their tokens then expired)."
    )
    displacements: int
    promotions: int
    skips: int = strawberry.field(
        description="Times a called patient not in the room went back to the queue (a last "
        "skip, which makes a no-show, counts among noShows)."
    )
    skipped_patients: int = strawberry.field(description="Patients skipped at least once.")
    skipped_seen: int = strawberry.field(
        description="Of the skipped patients, those seen in the end."
    )
    moved_patients: int = strawberry.field(
        description="Patients moved to another doctor when D01 was called away (closeDoctorAt)."
    )
    moved_seen: int = strawberry.field(description="Of the moved patients, those seen in the end.")
    overbooked_slots: int = strawberry.field(description="Slots that went over capacity.")
    utilization: float = strawberry.field(
        description="Places used by completed consultations over the day's places."
    )
    mean_wait_minutes: float | None = strawberry.field(
        description="From arrival to being called (from the appointment's start for a patient "
        "who came early for it); null when nobody was seen."
    )
    p95_wait_minutes: float | None
    by_source: list[SourceFigures]
    invariant_violations: list[str] = strawberry.field(
        description="Broken rules found while the day ran; empty when all held."
    )
    elapsed_ms: int

    @classmethod
    def from_report(cls, day: report.SimulationReport) -> SimulationReport:
        return cls(
            simulation_id=strawberry.ID(day.simulation_id),
            seed=day.seed,
            date=day.date,
            doctors=day.doctors,
            slots_created=day.slots_created,
            tokens_booked=day.tokens_booked,
            emergencies=day.emergencies,
            cancellations=day.cancellations,
            no_shows=day.no_shows,
            completed=day.completed,
            rejected=day.rejected,
            waitlisted_remaining=day.waitlisted_remaining,
            displacements=day.displacements,
            promotions=day.promotions,
            skips=day.skips,
            skipped_patients=day.skipped_patients,
            skipped_seen=day.skipped_seen,
            moved_patients=day.moved_patients,
            moved_seen=day.moved_seen,
            overbooked_slots=day.overbooked_slots,
            utilization=day.utilization,
            mean_wait_minutes=day.mean_wait_minutes,
            p95_wait_minutes=day.p95_wait_minutes,
            by_source=[SourceFigures.from_figures(f) for f in day.by_source],
            invariant_violations=list(day.invariant_violations),
            elapsed_ms=day.elapsed_ms,
        )


@strawberry.type(
    description="A figure's mean over the days that have it, with its 95% confidence interval "
    "(Student t)."
)
class FigureMean:
    figure: str = strawberry.field(
        description="The report's name for it, e.g. \"meanWaitMinutes\"; a source's figures are "
        'named like "bySource.WALK_IN.meanWaitMinutes".'
    )
    mean: float | None = strawberry.field(description="Null when no day has the figure.")
    low: float | None = strawberry.field(description="Null with fewer than 2 days.")
    high: float | None
    days: int = strawberry.field(
        description="Days that have the figure: a mean wait, for one, needs somebody seen."
    )


@strawberry.type(
    description="Days seed, seed + 1, ... of the same input, played on the pure engine: each "
    "figure's mean and 95% confidence interval, and every day's report."
)
class SimulationRuns:
    runs: int
    seeds: list[int]
    figures: list[FigureMean]
    days: list[SimulationReport]
    broken_seeds: list[int] = strawberry.field(
        description="Seeds of the days on which a rule was broken; empty when all held."
    )
    elapsed_ms: int

    @classmethod
    def from_days(cls, days: many.Days) -> SimulationRuns:
        return cls(
            runs=len(days.reports),
            seeds=days.seeds,
            figures=[
                FigureMean(figure=name, **estimate.as_json(), days=estimate.n)
                for name, estimate in days.figures.items()
            ],
            days=[SimulationReport.from_report(day) for day in days.reports],
            broken_seeds=days.broken_seeds,
            elapsed_ms=days.elapsed_ms,
        )
