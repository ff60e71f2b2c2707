"""Registering doctors and finding them."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.errors import DuplicateKeyError

from opd_graphql.service import validate
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.errors import Conflict, NotFound
from opd_graphql.store.documents import Doctor


@dataclass(frozen=True)
class NewDoctor:
    name: str
    department: str
    code: str
    simulation_id: str | None = None


async def create_doctor(ctx: ServiceContext, new: NewDoctor) -> Doctor:
    doctor = Doctor(
        name=validate.text(new.name, "name"),
        department=validate.text(new.department, "department"),
        code=validate.doctor_code(new.code, "code"),
        created_at=ctx.now(),
        simulation_id=new.simulation_id,
    )
    try:
        await doctor.insert()
    except DuplicateKeyError:
        raise Conflict(f"Another doctor already has the code {doctor.code}.", "code") from None
    return doctor


@dataclass(frozen=True)
class DoctorChanges:
    """What updateDoctor changes: each field left None stays as it is."""

    name: str | None = None
    department: str | None = None
    room: str | None = None
    active: bool | None = None


async def update_doctor(ctx: ServiceContext, doctor_id: str, changes: DoctorChanges) -> Doctor:
    doctor = await get_doctor(doctor_id, "id")
    if changes.name is not None:
        doctor.name = validate.text(changes.name, "name")
    if changes.department is not None:
        doctor.department = validate.text(changes.department, "department")
    if changes.room is not None:
        # An empty room clears it.
        doctor.room = validate.text(changes.room, "room") if changes.room.strip() else None
    if changes.active is not None:
        doctor.active = changes.active
    await doctor.save()
    return doctor


async def list_doctors(department: str | None = None) -> list[Doctor]:
    query: dict[str, object] = {"simulation_id": None}
    found = await Doctor.find(query).sort("department", "name").to_list()
    if department is None:
        return found
    # Compared as departments are: trimmed, spaces folded, case ignored.
    wanted = department_key(validate.storable(department, "department"))
    return [doctor for doctor in found if department_key(doctor.department) == wanted]


def department_key(name: str) -> str:
    """What two department names are compared by: trimmed, spaces folded, case ignored."""
    return " ".join(name.split()).casefold()


async def get_doctor(doctor_id: str, field: str = "doctorId") -> Doctor:
    doctor = await Doctor.get(validate.object_id(doctor_id, field, "doctor"))
    if doctor is None:
        raise NotFound(f"No doctor has the id {doctor_id}.", field)
    return doctor
