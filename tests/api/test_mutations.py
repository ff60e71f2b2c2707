from __future__ import annotations

from typing import Any

from opd_graphql.service.doctors import NewDoctor, create_doctor
from opd_graphql.store.documents import Token
from tests.api.conftest import GraphQLClient

CREATE_DOCTOR = """
mutation($input: CreateDoctorInput!) {
  createDoctor(input: $input) {
    __typename
    ... on Doctor { id code name department }
    ... on UserError { errorCode: code message field }
  }
}"""
CREATE_SLOT = """
mutation($input: CreateSlotInput!) {
  createSlot(input: $input) {
    __typename
    ... on Slot { id start end capacity seated available overbooked }
    ... on UserError { code message field }
  }
}"""
CREATE_SLOTS = """
mutation($input: CreateSlotsInput!) {
  createSlots(input: $input) {
    __typename
    ... on SlotList { slots { id start end capacity available } }
    ... on UserError { code message field }
  }
}"""
TOKEN_FIELDS = """
    ... on Token {
      id number status source priority displacements waitlistPosition
      slot { id } requestedSlot { id } patient { name phone }
      history { kind slot { id } causedBy { number } note }
    }
    ... on UserError { code message field }
"""
BOOK = f"""
mutation($input: BookTokenInput!) {{ bookToken(input: $input) {{ __typename {TOKEN_FIELDS} }} }}"""
CANCEL = f"""
mutation($id: ID!, $reason: String) {{
  cancelToken(id: $id, reason: $reason) {{ __typename {TOKEN_FIELDS} }}
}}"""
NO_SHOW = f"""mutation($id: ID!) {{ markNoShow(id: $id) {{ __typename {TOKEN_FIELDS} }} }}"""
DATE = "2030-01-10"


async def a_doctor(gql: GraphQLClient, code: str = "CAR1") -> dict[str, Any]:
    data = await gql(
        CREATE_DOCTOR, input={"name": "Asha Rao", "department": "Cardiology", "code": code}
    )
    return data["createDoctor"]


async def a_day(gql: GraphQLClient, doctor_id: str, capacity: int = 1) -> list[dict[str, Any]]:
    data = await gql(
        CREATE_SLOTS,
        input={
            "doctorId": doctor_id,
            "date": DATE,
            "startTime": "09:00",
            "endTime": "11:00",
            "slotMinutes": 60,
            "capacity": capacity,
        },
    )
    return data["createSlots"]["slots"]


async def book(
    gql: GraphQLClient, doctor_id: str, source: str = "WALK_IN", **extra: Any
) -> dict[str, Any]:
    patient = extra.pop("patient", {"name": "Ravi Kumar", "phone": "+91 98765 43210"})
    data = await gql(
        BOOK,
        input={"doctorId": doctor_id, "date": DATE, "source": source, "patient": patient, **extra},
    )
    return data["bookToken"]


async def test_a_day_at_the_desk(gql):
    doctor = await a_doctor(gql)
    first, second = await a_day(gql, doctor["id"])
    assert doctor["code"] == "CAR1"
    assert (first["start"], first["end"]) == (
        "2030-01-10T09:00:00+00:00",
        "2030-01-10T10:00:00+00:00",
    )

    walk_in = await book(gql, doctor["id"])
    paid = await book(gql, doctor["id"], "PAID", slotId=first["id"])
    waiting = await book(gql, doctor["id"], "WALK_IN")

    assert walk_in["number"] == "CAR1-001" and walk_in["slot"]["id"] == first["id"]
    assert paid["slot"]["id"] == first["id"] and paid["requestedSlot"]["id"] == first["id"]
    assert waiting["status"] == "WAITLISTED" and waiting["waitlistPosition"] == 1
    moved = (
        await gql(
            f'{{ token(id: "{walk_in["id"]}") {{ slot {{ id }} history {{ kind '
            "causedBy { number } } } }"
        )
    )["token"]
    assert moved["slot"]["id"] == second["id"]
    assert [(e["kind"], (e["causedBy"] or {}).get("number")) for e in moved["history"]] == [
        ("BOOKED", None),
        ("DISPLACED", "CAR1-002"),
        ("MOVED", "CAR1-002"),
    ]

    cancelled = (await gql(CANCEL, id=paid["id"], reason="Rescheduled"))["cancelToken"]
    assert cancelled["status"] == "CANCELLED" and cancelled["history"][-1]["note"] == "Rescheduled"
    promoted = await gql(f'{{ token(id: "{waiting["id"]}") {{ status slot {{ id }} }} }}')
    assert promoted["token"] == {"status": "BOOKED", "slot": {"id": first["id"]}}

    no_show = (await gql(NO_SHOW, id=waiting["id"]))["markNoShow"]
    assert no_show["status"] == "NO_SHOW"

    queue = await gql(
        f'{{ queue(doctorId: "{doctor["id"]}", date: "{DATE}") '
        "{ version entries { number } waitlist { number } doctor { code } } }"
    )
    assert queue["queue"]["entries"] == [{"number": "CAR1-001"}]
    assert queue["queue"]["doctor"] == {"code": "CAR1"}
    assert queue["queue"]["version"] == 6


async def test_a_patient_at_the_desk_is_booked_and_checked_in_at_once(gql):
    doctor = await a_doctor(gql)
    await a_day(gql, doctor["id"])  # two places
    await book(gql, doctor["id"], "PAID")

    here = await book(gql, doctor["id"], checkIn=True)
    waiting = await book(gql, doctor["id"], checkIn=True)

    assert here["status"] == "CHECKED_IN"
    assert [e["kind"] for e in here["history"]] == ["BOOKED", "CHECKED_IN"]
    assert waiting["status"] == "WAITLISTED"
    assert [e["kind"] for e in waiting["history"]] == ["WAITLISTED"]


async def test_an_emergency_into_a_slot_of_emergencies_overbooks_it(gql):
    doctor = await a_doctor(gql)
    first, _ = await a_day(gql, doctor["id"])
    await book(gql, doctor["id"], "EMERGENCY")

    second = await book(gql, doctor["id"], "EMERGENCY", slotId=first["id"])

    assert second["history"][0]["kind"] == "OVERBOOKED"
    slots = await gql(
        f'{{ slots(doctorId: "{doctor["id"]}", date: "{DATE}") {{ seated available overbooked }} }}'
    )
    assert slots["slots"][0] == {"seated": 2, "available": 0, "overbooked": True}


async def test_doctors_are_listed_by_department(gql):
    await a_doctor(gql, "CAR1")
    await gql(CREATE_DOCTOR, input={"name": "B Menon", "department": "ENT", "code": "ENT1"})

    everyone = await gql("{ doctors { code } }")
    ent = await gql('{ doctors(department: "ENT") { code } }')

    assert [d["code"] for d in everyone["doctors"]] == ["CAR1", "ENT1"]
    assert ent["doctors"] == [{"code": "ENT1"}]


async def test_a_retried_booking_with_its_key_returns_the_first_token(gql):
    doctor = await a_doctor(gql)
    await a_day(gql, doctor["id"])

    first = await book(gql, doctor["id"], idempotencyKey="kiosk-7-42")
    again = await book(gql, doctor["id"], idempotencyKey="kiosk-7-42")

    assert again["id"] == first["id"]
    assert await Token.find_all().count() == 1


async def test_simulated_doctors_are_not_listed(gql, service):
    await a_doctor(gql)
    await create_doctor(service, NewDoctor("Sim", "Cardiology", "CAR1", "sim-1"))

    listed = await gql("{ doctors { code } }")

    assert listed["doctors"] == [{"code": "CAR1"}]
