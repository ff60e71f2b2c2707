"""Transfers and closings through the API: patients move, nobody is lost, numbers stay unique."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import GraphQLClient
from tests.api.test_hospital_day import UPDATE
from tests.api.test_mutations import DATE, a_day, a_doctor, book

TOKEN = """ ... on Token { id number status slot { id } history { kind note } }
  ... on UserError { code message field }"""
TRANSFER = f"""mutation($id: ID!, $doctorId: ID!, $slotId: ID) {{
  transferToken(id: $id, doctorId: $doctorId, slotId: $slotId) {{ __typename {TOKEN} }} }}"""
CLOSE_SLOT = """mutation($slotId: ID!, $reason: String!, $moveTo: MoveTo!) {
  closeSlot(slotId: $slotId, reason: $reason, moveTo: $moveTo) { __typename
    ... on CloseOutcome { slots { id closed } moved { id number status slot { id }
                                                    history { kind note } } }
    ... on UserError { code message field } } }"""
CLOSE_DAY = """mutation($doctorId: ID!, $date: Date!, $reason: String!, $moveTo: MoveTo!) {
  closeDay(doctorId: $doctorId, date: $date, reason: $reason, moveTo: $moveTo) { __typename
    ... on CloseOutcome { slots { id } moved { id number status } }
    ... on UserError { code message field } } }"""


async def token(gql: GraphQLClient, id: str) -> dict[str, Any]:
    found = await gql(f'{{ token(id: "{id}") {{ number status slot {{ id }} }} }}')
    return found["token"]


async def test_a_transfer_renumbers_the_token_and_frees_its_place(gql):
    asha, ent = await a_doctor(gql), await a_doctor(gql, "ENT1")
    await a_day(gql, asha["id"])  # one place per slot, two slots
    ent_slots = await a_day(gql, ent["id"])
    moving = await book(gql, asha["id"])
    await book(gql, asha["id"])
    waiting = await book(gql, asha["id"])
    assert waiting["status"] == "WAITLISTED"

    moved = (await gql(TRANSFER, id=moving["id"], doctorId=ent["id"]))["transferToken"]

    assert moved["id"] == moving["id"] and moved["number"] == "ENT1-001"
    assert moved["status"] == "BOOKED" and moved["slot"]["id"] == ent_slots[0]["id"]
    assert moved["history"][-1] == {"kind": "TRANSFERRED", "note": f"was {moving['number']}"}
    promoted = await token(gql, waiting["id"])
    assert promoted["status"] == "BOOKED" and promoted["slot"]["id"] == moving["slot"]["id"]


async def test_a_seated_token_the_target_cannot_seat_is_not_moved(gql):
    asha, ent = await a_doctor(gql), await a_doctor(gql, "ENT1")
    await a_day(gql, asha["id"])
    await a_day(gql, ent["id"])
    seated = await book(gql, asha["id"])
    for _ in range(2):
        await book(gql, ent["id"], "PAID")  # ENT1's day is full of better-ranked patients

    refused = (await gql(TRANSFER, id=seated["id"], doctorId=ent["id"]))["transferToken"]

    assert refused["__typename"] == "ConflictError"
    assert await token(gql, seated["id"]) == {
        "number": seated["number"],
        "status": "BOOKED",
        "slot": seated["slot"],
    }


async def test_a_transfer_to_an_inactive_or_unknown_doctor_is_refused(gql):
    asha, ent = await a_doctor(gql), await a_doctor(gql, "ENT1")
    await a_day(gql, asha["id"])
    await a_day(gql, ent["id"])
    seated = await book(gql, asha["id"])
    await gql(UPDATE, id=ent["id"], input={"active": False})

    inactive = (await gql(TRANSFER, id=seated["id"], doctorId=ent["id"]))["transferToken"]
    unknown = (await gql(TRANSFER, id=seated["id"], doctorId="65a000000000000000000000"))[
        "transferToken"
    ]

    assert inactive["__typename"] == "ValidationError" and inactive["field"] == "doctorId"
    assert unknown["__typename"] == "NotFoundError"


async def test_a_move_to_another_slot_of_the_same_doctor_keeps_the_number(gql):
    asha = await a_doctor(gql)
    slots = await a_day(gql, asha["id"])
    seated = await book(gql, asha["id"])

    moved = (await gql(TRANSFER, id=seated["id"], doctorId=asha["id"], slotId=slots[1]["id"]))[
        "transferToken"
    ]

    assert moved["number"] == seated["number"] and moved["slot"]["id"] == slots[1]["id"]
    assert moved["history"][-1]["kind"] == "TRANSFERRED"


async def test_a_closed_slot_moves_its_patients_on_and_takes_nobody(gql):
    asha = await a_doctor(gql)
    slots = await a_day(gql, asha["id"], capacity=2)
    first = await book(gql, asha["id"])

    closed = (
        await gql(
            CLOSE_SLOT, slotId=slots[0]["id"], reason="Doctor in theatre", moveTo="SAME_DOCTOR"
        )
    )["closeSlot"]
    refused = await book(gql, asha["id"], slotId=slots[0]["id"])

    assert closed["slots"] == [{"id": slots[0]["id"], "closed": True}]
    [moved] = closed["moved"]
    assert moved["id"] == first["id"] and moved["slot"]["id"] == slots[1]["id"]
    assert moved["history"][-1] == {"kind": "MOVED", "note": "Doctor in theatre"}
    assert refused["__typename"] == "ValidationError" and refused["field"] == "slotId"


async def test_an_absent_doctors_day_moves_to_the_department(gql):
    asha, ravi = await a_doctor(gql), await a_doctor(gql, "CAR2")
    await a_day(gql, asha["id"])
    await a_day(gql, ravi["id"], capacity=2)
    patients = [await book(gql, asha["id"]) for _ in range(3)]  # two seated, one waiting

    closed = (
        await gql(CLOSE_DAY, doctorId=asha["id"], date=DATE, reason="On leave", moveTo="DEPARTMENT")
    )["closeDay"]

    assert len(closed["slots"]) == 2
    assert {t["id"] for t in closed["moved"]} == {p["id"] for p in patients}
    assert sorted(t["number"] for t in closed["moved"]) == ["CAR2-001", "CAR2-002", "CAR2-003"]
    assert all(t["status"] == "BOOKED" for t in closed["moved"])
    queue = await gql(
        f'{{ queue(doctorId: "{asha["id"]}", date: "{DATE}") {{ entries {{ id }} }} }}'
    )
    assert queue["queue"]["entries"] == []


async def test_closing_to_a_department_with_nobody_else_changes_nothing(gql):
    asha = await a_doctor(gql)
    await a_day(gql, asha["id"])
    seated = await book(gql, asha["id"])

    refused = (
        await gql(CLOSE_DAY, doctorId=asha["id"], date=DATE, reason="Ill", moveTo="DEPARTMENT")
    )["closeDay"]

    assert refused["__typename"] == "ValidationError" and refused["field"] == "moveTo"
    assert (await token(gql, seated["id"]))["status"] == "BOOKED"
