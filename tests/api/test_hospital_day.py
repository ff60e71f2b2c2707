"""Places, absent patients, finding a patient by phone, and doctors who stop taking bookings."""

from __future__ import annotations

from tests.api.test_consultation import CALL_NEXT, CHECK_IN
from tests.api.test_mutations import DATE, a_day, a_doctor, book

SKIP = """mutation($id: ID!) { skipToken(id: $id) {
  __typename ... on Token { number status skips history { kind } }
  ... on UserError { code message field } } }"""
FIND = """query($phone: String!, $date: Date) {
  tokens(phone: $phone, date: $date) { number date status patient { name } } }"""
UPDATE = """mutation($id: ID!, $input: UpdateDoctorInput!) { updateDoctor(id: $id, input: $input) {
  __typename ... on Doctor { name department room active }
  ... on UserError { code message field } } }"""
SLOTS = """query($id: ID!, $date: Date!) { doctor(id: $id) {
  slots(date: $date) { capacity seated available overbooked closed } } }"""


async def test_a_new_patient_takes_two_places_of_a_slot(gql):
    doctor = await a_doctor(gql)
    await a_day(gql, doctor["id"], capacity=3)

    new = await book(gql, doctor["id"], places=2)
    other = await book(gql, doctor["id"], places=2)  # the first slot has one place left

    slots = (await gql(SLOTS, id=doctor["id"], date=DATE))["doctor"]["slots"]
    assert new["status"] == "BOOKED" and other["slot"]["id"] != new["slot"]["id"]
    assert [(s["seated"], s["available"]) for s in slots] == [(2, 1), (2, 1)]
    token = await gql(f'{{ token(id: "{new["id"]}") {{ places skips requestedDepartment }} }}')
    assert token["token"] == {"places": 2, "skips": 0, "requestedDepartment": None}


async def test_places_out_of_range_are_a_validation_error(gql):
    doctor = await a_doctor(gql)
    await a_day(gql, doctor["id"], capacity=4)

    refused = await book(gql, doctor["id"], places=5)

    assert refused["__typename"] == "ValidationError" and refused["field"] == "places"


async def test_a_patient_not_in_the_room_is_called_again_later_then_a_no_show(gql, clock):
    doctor = await a_doctor(gql)
    await a_day(gql, doctor["id"], capacity=4)
    first, *others = [await book(gql, doctor["id"]) for _ in range(4)]
    for token in (first, *others):
        await gql(CHECK_IN, id=token["id"])
    clock.set(9, 0)

    def call():
        return gql(CALL_NEXT, doctorId=doctor["id"], date=DATE)

    called = [(await call())["callNext"]["called"]["number"]]
    skipped = (await gql(SKIP, id=first["id"]))["skipToken"]
    for _ in range(3):
        called.append((await call())["callNext"]["called"]["number"])

    assert skipped["status"] == "CHECKED_IN" and skipped["skips"] == 1
    assert skipped["history"][-1]["kind"] == "SKIPPED"
    # Called again after recallAfter (2) others.
    assert called == [first["number"], others[0]["number"], others[1]["number"], first["number"]]
    await gql(SKIP, id=first["id"])
    await call()
    await call()  # others[2], then first again
    final = (await gql(SKIP, id=first["id"]))["skipToken"]
    assert final["status"] == "NO_SHOW" and final["skips"] == 2


async def test_skipping_a_token_that_is_not_called_is_a_conflict(gql):
    doctor = await a_doctor(gql)
    await a_day(gql, doctor["id"])
    token = await book(gql, doctor["id"])

    refused = (await gql(SKIP, id=token["id"]))["skipToken"]

    assert refused["__typename"] == "ConflictError"


async def test_a_patient_is_found_by_the_last_ten_digits_of_their_phone(gql):
    doctor = await a_doctor(gql)
    other = await a_doctor(gql, "ENT1")
    await a_day(gql, doctor["id"], capacity=3)
    await a_day(gql, other["id"], capacity=3)
    ent = await book(gql, other["id"], patient={"name": "Ravi", "phone": "+91 98765 43210"})
    car = await book(gql, doctor["id"], patient={"name": "Ravi", "phone": "98765-43210"})
    await book(gql, doctor["id"], patient={"name": "Someone", "phone": "+91 91234 56789"})

    found = (await gql(FIND, phone="9876543210", date=DATE))["tokens"]
    any_day = (await gql(FIND, phone="+91 98765 43210"))["tokens"]
    other_day = (await gql(FIND, phone="9876543210", date="2030-01-11"))["tokens"]

    assert [t["number"] for t in found] == [car["number"], ent["number"]]  # CAR1 before ENT1
    assert any_day == found
    assert other_day == []


async def test_a_doctor_who_is_made_inactive_takes_no_bookings(gql):
    doctor = await a_doctor(gql)
    await a_day(gql, doctor["id"])
    before = await book(gql, doctor["id"])

    updated = (
        await gql(UPDATE, id=doctor["id"], input={"active": False, "room": "OPD 4", "name": "Dr A"})
    )["updateDoctor"]
    refused = await book(gql, doctor["id"])
    still = await gql(f'{{ token(id: "{before["id"]}") {{ status }} }}')

    assert updated == {
        "__typename": "Doctor",
        "name": "Dr A",
        "department": "Cardiology",
        "room": "OPD 4",
        "active": False,
    }
    assert refused["__typename"] == "ValidationError" and refused["field"] == "doctorId"
    assert still["token"]["status"] == "BOOKED"


async def test_updating_an_unknown_doctor_is_not_found(gql):
    missing = (await gql(UPDATE, id="65a000000000000000000000", input={"room": "1"}))[
        "updateDoctor"
    ]
    assert missing["__typename"] == "NotFoundError" and missing["field"] == "id"
