"""simulateDay's input and its report."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import strawberry

from opd_graphql import engine
from opd_graphql.api.types.enums import EmergencyMode, Overflow, Spill, TokenSource
from opd_graphql.sim import report
from opd_graphql.sim.config import SimulationConfig

DEFAULTS = SimulationConfig()


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
