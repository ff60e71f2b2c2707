"""A doctor called away mid-session: their day closes and their patients go to colleagues.

Every doctor's run stops at the moment of the absence, so that nothing else happens while
it does. The first doctor's day is closed with `closeDay(moveTo: DEPARTMENT)`: its waiting
patients move, best rank first, to the other doctors of the department (all of one
simulation's doctors share one). Each moved patient's visit, with the steps still to come
for them (an arrival, a cancellation), is handed to the run of the doctor whose day now
holds their token. Patients who have not registered yet are sent by the desk to the
other doctors in turn. The doctor called away still finishes a consultation under way.
The runs then go on, each on its own day again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from opd_graphql.sim.doctor_run import DoctorRun
from opd_graphql.sim.patients import Patient

REASON = "Called away"


async def call_away(runs: Sequence[DoctorRun], at: datetime) -> None:
    """Call the first run's doctor away at `at`, once every run has played up to then."""
    away, *others = runs
    for run in runs:
        run.clock.advance_to(at)
    moved = await away.desk.close_day(away.doctor_id, away.date, REASON)
    run_of = {run.doctor_id: run for run in others}
    for token in moved:
        target = run_of[str(token.doctor_id)]
        away.day.send(token.token_id, target.day, token.number, token.seq)
        visit, steps = away.release(token.token_id)
        visit.moved = True
        target.adopt(visit, steps)
    for run in runs:  # the day left first, so that no token is on two days at once
        await run.sync()
    later = away.agenda.take(lambda owner: isinstance(owner, Patient))
    for index, (moment, step, patient) in enumerate(later):
        others[index % len(others)].agenda.at(moment, step, patient)
    for run in others:
        run.call_if_free()
