from __future__ import annotations

import datetime as dt

import strawberry

from opd_graphql.api.permissions import FINDING, READ, check_may_follow, viewer
from opd_graphql.api.types.department import Department
from opd_graphql.api.types.doctor import Doctor
from opd_graphql.api.types.errors import as_graphql_error
from opd_graphql.api.types.queue import Queue
from opd_graphql.api.types.slot import Slot
from opd_graphql.api.types.token import Token
from opd_graphql.service import departments, doctors, tokens
from opd_graphql.service.errors import NotFound, ServiceError
from opd_graphql.store import documents


@strawberry.type
class Query:
    @strawberry.field(description="Doctors, by department and name.", permission_classes=[READ])
    async def doctors(self, department: str | None = None) -> list[Doctor]:
        try:
            found = await doctors.list_doctors(department)
        except ServiceError as error:
            raise as_graphql_error(error) from None
        return [Doctor.from_document(d) for d in found]

    @strawberry.field(permission_classes=[READ])
    async def doctor(self, info: strawberry.Info, id: strawberry.ID) -> Doctor | None:
        try:
            return Doctor.from_document(await doctors.get_doctor(id, "id"))
        except NotFound:
            return None

    @strawberry.field(
        description="A doctor's slots on a date, by start time.", permission_classes=[READ]
    )
    async def slots(
        self, info: strawberry.Info, doctor_id: strawberry.ID, date: dt.date
    ) -> list[Slot]:
        view = await info.context.day(str((await known_doctor(info, doctor_id)).id), date)
        return [Slot.from_document(s, info.context.service.timezone) for s in view.slots]

    @strawberry.field(
        description="A token; a patient's app may read only the tokens it booked.",
        permission_classes=[READ],
    )
    async def token(self, info: strawberry.Info, id: strawberry.ID) -> Token | None:
        try:
            doc = await tokens.get_token(id)
        except NotFound:
            return None
        check_may_follow(viewer(info), doc.booked_by)
        return Token.from_document(doc, info.context.service.timezone)

    @strawberry.field(
        description="A patient's tokens by phone (the last ten digits compared), in every "
        "status, by date, then doctor code, then number.",
        permission_classes=[FINDING],
    )
    async def tokens(
        self, info: strawberry.Info, phone: str, date: dt.date | None = None
    ) -> list[Token]:
        service = info.context.service
        try:
            found = await tokens.find_by_phone(service, phone, date)
        except ServiceError as error:
            raise as_graphql_error(error) from None
        return [Token.from_document(doc, service.timezone) for doc in found]

    @strawberry.field(description="Departments, by name.", permission_classes=[READ])
    async def departments(self) -> list[Department]:
        return [Department.from_department(d) for d in await departments.list_departments()]

    @strawberry.field(
        description="A department by name, compared trimmed and case-blind.",
        permission_classes=[READ],
    )
    async def department(self, name: str) -> Department | None:
        try:
            found = await departments.find_department(name, "name")
        except ServiceError as error:
            raise as_graphql_error(error) from None
        return None if found is None else Department.from_department(found)

    @strawberry.field(description="A doctor-day's queue as it is now.", permission_classes=[READ])
    async def queue(self, info: strawberry.Info, doctor_id: strawberry.ID, date: dt.date) -> Queue:
        view = await info.context.day(str((await known_doctor(info, doctor_id)).id), date)
        return Queue.from_view(view)


async def known_doctor(info: strawberry.Info, doctor_id: str) -> documents.Doctor:
    try:
        return await doctors.get_doctor(doctor_id)
    except NotFound as error:
        raise as_graphql_error(error) from None
