"""Departments: listing them, their day, and booking into one."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import GraphQLClient
from tests.api.test_hospital_day import UPDATE
from tests.api.test_mutations import BOOK, CREATE_DOCTOR, DATE, a_day, a_doctor

DEPARTMENT_DAY = """query($name: String!, $date: Date!) { department(name: $name) {
  name doctors { code active }
  day(date: $date) { date freePlaces earliestFreeSlot { id } queues { doctor { code } } } } }"""


async def into(gql: GraphQLClient, department: str, **extra: Any) -> dict[str, Any]:
    patient = {"name": extra.pop("name", "Meera Iyer")}
    data = await gql(
        BOOK,
        input={
            "department": department,
            "date": DATE,
            "source": extra.pop("source", "WALK_IN"),
            "patient": patient,
            **extra,
        },
    )
    return data["bookToken"]


async def test_departments_are_grouped_case_blind_under_their_first_name(gql):
    await a_doctor(gql)  # Cardiology
    await gql(
        CREATE_DOCTOR, input={"name": "Ravi Shah", "department": " cardiology ", "code": "CAR2"}
    )
    await gql(CREATE_DOCTOR, input={"name": "Ila Sen", "department": "ENT", "code": "ENT1"})

    listed = (await gql("{ departments { name doctors { code } } }"))["departments"]
    found = (await gql('{ department(name: "CARDIOLOGY") { name } }'))["department"]
    missing = (await gql('{ department(name: "Dermatology") { name } }'))["department"]

    assert listed == [
        {"name": "Cardiology", "doctors": [{"code": "CAR1"}, {"code": "CAR2"}]},
        {"name": "ENT", "doctors": [{"code": "ENT1"}]},
    ]
    assert found == {"name": "Cardiology"} and missing is None


async def test_a_department_booking_goes_where_the_patient_is_seated_soonest(gql):
    asha, ravi = await a_doctor(gql), await a_doctor(gql, "CAR2")
    asha_slots = await a_day(gql, asha["id"])  # one place at 09:00 and at 10:00
    await a_day(gql, ravi["id"])

    first = await into(gql, "cardiology")
    second = await into(gql, "Cardiology")
    third = await into(gql, "Cardiology")
    stored = await gql(f'{{ token(id: "{first["id"]}") {{ requestedDepartment }} }}')

    # Both 09:00 places first (the earliest start), by code; then 10:00.
    assert [t["number"] for t in (first, second, third)] == ["CAR1-001", "CAR2-001", "CAR1-002"]
    assert first["slot"]["id"] == asha_slots[0]["id"]
    assert stored["token"]["requestedDepartment"] == "Cardiology"
    day = (await gql(DEPARTMENT_DAY, name="Cardiology", date=DATE))["department"]["day"]
    assert day["freePlaces"] == 1
    assert [q["doctor"]["code"] for q in day["queues"]] == ["CAR1", "CAR2"]


async def test_a_department_booking_skips_inactive_doctors_and_needs_someone(gql):
    asha, ravi = await a_doctor(gql), await a_doctor(gql, "CAR2")
    await a_day(gql, asha["id"])
    await a_day(gql, ravi["id"])
    await gql(UPDATE, id=asha["id"], input={"active": False})

    booked = await into(gql, "Cardiology")
    await gql(UPDATE, id=ravi["id"], input={"active": False})
    refused = await into(gql, "Cardiology")
    unknown = await into(gql, "Dermatology")

    assert booked["number"] == "CAR2-001"
    assert refused["__typename"] == "ValidationError" and refused["field"] == "department"
    assert unknown["__typename"] == "ValidationError" and unknown["field"] == "department"


async def test_a_booking_names_a_doctor_or_a_department_never_both(gql):
    asha = await a_doctor(gql)
    await a_day(gql, asha["id"])

    both = await into(gql, "Cardiology", doctorId=asha["id"])
    neither = (
        await gql(
            BOOK,
            input={"date": DATE, "source": "WALK_IN", "patient": {"name": "Meera"}},
        )
    )["bookToken"]

    assert both["__typename"] == "ValidationError"
    assert neither["__typename"] == "ValidationError"


async def test_the_doctors_filter_compares_departments_as_departments_do(gql):
    await a_doctor(gql)
    await gql(CREATE_DOCTOR, input={"name": "Ila Sen", "department": "ENT", "code": "ENT1"})

    found = await gql('{ doctors(department: "  CARDIOLOGY ") { code } }')

    assert found["doctors"] == [{"code": "CAR1"}]
