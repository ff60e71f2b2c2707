"""Departments: the doctors who share one, and choosing among them for a token."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from opd_graphql import engine
from opd_graphql.service import validate
from opd_graphql.service.doctor_day import DayKey, OpenDay
from opd_graphql.service.doctors import department_key
from opd_graphql.store.documents import Doctor


@dataclass(frozen=True)
class Department:
    name: str  # as written for its first doctor, trimmed
    doctors: list[Doctor]  # active and inactive, by name


async def list_departments(simulation_id: str | None = None) -> list[Department]:
    """The hospital's departments; or, given a simulation's id, that simulation's."""
    doctors = await Doctor.find({str(Doctor.simulation_id): simulation_id}).to_list()
    by_key: dict[str, list[Doctor]] = {}
    for doctor in sorted(doctors, key=lambda d: (d.created_at, str(d.id))):
        by_key.setdefault(department_key(doctor.department), []).append(doctor)
    departments = [
        Department(" ".join(members[0].department.split()), sorted(members, key=_by_name))
        for members in by_key.values()
    ]
    return sorted(departments, key=lambda d: department_key(d.name))


async def find_department(
    name: str, field: str = "department", simulation_id: str | None = None
) -> Department | None:
    wanted = department_key(validate.storable(name, field))
    found = await list_departments(simulation_id)
    return next((d for d in found if department_key(d.name) == wanted), None)


def _by_name(doctor: Doctor) -> tuple[str, str]:
    return (doctor.name.casefold(), doctor.code)


def candidate_keys(doctors: Sequence[Doctor], date: str) -> list[DayKey]:
    return [(doctor.id, date) for doctor in doctors if doctor.active and doctor.id is not None]


def best_of(
    token_id: str,
    doctors: Sequence[Doctor],
    date: str,
    opened: dict[DayKey, OpenDay],
    plan_for: Callable[[OpenDay], engine.Plan],
) -> tuple[Doctor, OpenDay, engine.Plan] | None:
    """The doctor whose day takes the token best by DESIGN's department rule, with the plan.

    `plan_for` plans the token's coming to one day; a day with no open slot that could
    hold it is no candidate. None: no doctor is a candidate.
    """
    found: dict[str, tuple[Doctor, OpenDay, engine.Plan]] = {}
    for doctor in doctors:
        day = None if doctor.id is None else opened.get((doctor.id, date))
        if day is None or not doctor.active:
            continue
        try:
            found[doctor.code] = (doctor, day, plan_for(day))
        except engine.SlotUnusable:
            continue
    if not found:
        return None
    candidates = [
        engine.Candidate(code, day.engine_day, plan) for code, (_, day, plan) in found.items()
    ]
    return found[engine.choose_candidate(token_id, candidates).code]
