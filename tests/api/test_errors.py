"""Every bad input gets its typed error and leaves the database as it was."""

from __future__ import annotations

from typing import Any

import pytest

from opd_graphql.store.documents import Doctor, DoctorDay, OutboxEvent, Slot, Token
from tests.api.test_mutations import (
    BOOK,
    CANCEL,
    CREATE_DOCTOR,
    CREATE_SLOT,
    CREATE_SLOTS,
    DATE,
    NO_SHOW,
    a_day,
    a_doctor,
    book,
)

UNKNOWN_ID = "65a000000000000000000000"
SIMULATE = """
mutation($input: SimulateDayInput) {
  simulateDay(input: $input) { __typename ... on UserError { message field } }
}"""


async def database_state() -> tuple[Any, ...]:
    ledgers = await DoctorDay.find_all().to_list()
    return (
        await Doctor.find_all().count(),
        await Slot.find_all().count(),
        await Token.find_all().count(),
        await OutboxEvent.find_all().count(),
        sorted((ledger.id, ledger.version, ledger.tokens_issued) for ledger in ledgers),
    )


@pytest.fixture
async def desk(gql):
    """A doctor with two morning slots, one patient booked, and a second doctor."""
    doctor = await a_doctor(gql)
    slots = await a_day(gql, doctor["id"])
    other = await a_doctor(gql, "ENT1")
    other_slots = await a_day(gql, other["id"])
    token = await book(gql, doctor["id"])
    return {
        "doctor": doctor["id"],
        "slot": slots[0]["id"],
        "other_slot": other_slots[0]["id"],
        "token": token["id"],
    }


def slot_input(desk: dict[str, str], **change: Any) -> dict[str, Any]:
    return {
        "doctorId": desk["doctor"],
        "start": "2030-01-10T14:00:00",
        "end": "2030-01-10T15:00:00",
        "capacity": 4,
        **change,
    }


def booking(desk: dict[str, str], **change: Any) -> dict[str, Any]:
    return {
        "doctorId": desk["doctor"],
        "date": DATE,
        "source": "ONLINE",
        "patient": {"name": "Meera Iyer"},
        **change,
    }


CASES = {
    "blank doctor name": (
        CREATE_DOCTOR,
        lambda d: {"input": {"name": "  ", "department": "ENT", "code": "ENT2"}},
        "ValidationError",
        "name",
    ),
    "malformed doctor code": (
        CREATE_DOCTOR,
        lambda d: {"input": {"name": "A", "department": "ENT", "code": "1-X"}},
        "ValidationError",
        "code",
    ),
    "duplicate doctor code": (
        CREATE_DOCTOR,
        lambda d: {"input": {"name": "A", "department": "ENT", "code": "car1"}},
        "ConflictError",
        "code",
    ),
    "zero capacity": (
        CREATE_SLOT,
        lambda d: {"input": slot_input(d, capacity=0)},
        "ValidationError",
        "capacity",
    ),
    "end before start": (
        CREATE_SLOT,
        lambda d: {"input": slot_input(d, end="2030-01-10T13:00:00")},
        "ValidationError",
        "end",
    ),
    "overlapping slot": (
        CREATE_SLOT,
        lambda d: {"input": slot_input(d, start="2030-01-10T10:30:00", end="2030-01-10T11:30:00")},
        "ValidationError",
        "start",
    ),
    "slot longer than a day": (
        CREATE_SLOT,
        lambda d: {"input": slot_input(d, end="2030-01-12T15:00:00")},
        "ValidationError",
        "end",
    ),
    "slot past midnight": (
        CREATE_SLOT,
        lambda d: {"input": slot_input(d, start="2030-01-10T23:00:00", end="2030-01-11T01:00:00")},
        "ValidationError",
        "end",
    ),
    "slot that has ended": (
        CREATE_SLOT,
        lambda d: {"input": slot_input(d, start="2030-01-10T05:00:00", end="2030-01-10T06:00:00")},
        "ValidationError",
        "end",
    ),
    "slot for an unknown doctor": (
        CREATE_SLOT,
        lambda d: {"input": slot_input(d, doctorId=UNKNOWN_ID)},
        "NotFoundError",
        "doctorId",
    ),
    "slot for a malformed doctor id": (
        CREATE_SLOT,
        lambda d: {"input": slot_input(d, doctorId="nope")},
        "NotFoundError",
        "doctorId",
    ),
    "uneven slots": (
        CREATE_SLOTS,
        lambda d: {
            "input": {
                "doctorId": d["doctor"],
                "date": DATE,
                "startTime": "14:00",
                "endTime": "15:10",
                "slotMinutes": 20,
                "capacity": 2,
            }
        },
        "ValidationError",
        "slotMinutes",
    ),
    "blank patient name": (
        BOOK,
        lambda d: {"input": booking(d, patient={"name": " \t"})},
        "ValidationError",
        "patient.name",
    ),
    "huge patient name": (
        BOOK,
        lambda d: {"input": booking(d, patient={"name": "x" * 5000})},
        "ValidationError",
        "patient.name",
    ),
    "malformed phone": (
        BOOK,
        lambda d: {"input": booking(d, patient={"name": "Meera", "phone": "call me"})},
        "ValidationError",
        "patient.phone",
    ),
    "booking an unknown doctor": (
        BOOK,
        lambda d: {"input": booking(d, doctorId=UNKNOWN_ID)},
        "NotFoundError",
        "doctorId",
    ),
    "booking an unknown slot": (
        BOOK,
        lambda d: {"input": booking(d, slotId=UNKNOWN_ID)},
        "NotFoundError",
        "slotId",
    ),
    "booking another doctor's slot": (
        BOOK,
        lambda d: {"input": booking(d, slotId=d["other_slot"])},
        "ValidationError",
        "slotId",
    ),
    "booking a slot on another date": (
        BOOK,
        lambda d: {"input": booking(d, slotId=d["slot"], date="2030-01-11")},
        "ValidationError",
        "slotId",
    ),
    "booking a past date": (
        BOOK,
        lambda d: {"input": booking(d, date="2030-01-09")},
        "ValidationError",
        "date",
    ),
    "an oversized idempotency key": (
        BOOK,
        lambda d: {"input": booking(d, idempotencyKey="k" * 200)},
        "ValidationError",
        "idempotencyKey",
    ),
    "a lone surrogate in a patient name": (
        BOOK,
        lambda d: {"input": booking(d, patient={"name": "Meera \ud800"})},
        "ValidationError",
        "patient.name",
    ),
    "a lone surrogate in an idempotency key": (
        BOOK,
        lambda d: {"input": booking(d, idempotencyKey="desk-\udfff")},
        "ValidationError",
        "idempotencyKey",
    ),
    "a lone surrogate in a doctor name": (
        CREATE_DOCTOR,
        lambda d: {"input": {"name": "Dr \ud800", "department": "ENT", "code": "ENT2"}},
        "ValidationError",
        "name",
    ),
    "simulating the calendar's first day": (
        SIMULATE,
        lambda d: {"input": {"date": "0001-01-01"}},
        "ValidationError",
        "date",
    ),
    "simulating the calendar's last day": (
        SIMULATE,
        lambda d: {"input": {"date": "9999-12-31"}},
        "ValidationError",
        "date",
    ),
    "cancelling an unknown token": (CANCEL, lambda d: {"id": UNKNOWN_ID}, "NotFoundError", "id"),
    "no-show of an unknown token": (NO_SHOW, lambda d: {"id": "x"}, "NotFoundError", "id"),
}


@pytest.mark.parametrize("case", CASES.keys())
async def test_bad_input_gets_a_typed_error_and_changes_nothing(gql, desk, case):
    query, variables, typename, field = CASES[case]
    before = await database_state()

    body = await gql.raw(query, **variables(desk))

    [result] = body["data"].values()
    assert result["__typename"] == typename, result
    assert result["field"] == field
    assert result["message"]
    assert await database_state() == before


async def test_booking_a_slot_that_has_ended_is_refused(gql, desk, clock):
    clock.set(10, 30)
    body = await gql.raw(BOOK, input=booking(desk, slotId=desk["slot"]))
    assert body["data"]["bookToken"]["__typename"] == "ValidationError"
    assert body["data"]["bookToken"]["field"] == "slotId"


async def test_a_no_show_of_a_cancelled_token_is_a_conflict(gql, desk):
    await gql(CANCEL, id=desk["token"])
    before = await database_state()

    result = (await gql(NO_SHOW, id=desk["token"]))["markNoShow"]

    assert result["__typename"] == "ConflictError"
    assert result["code"] == "CONFLICT"
    assert await database_state() == before


async def test_a_query_for_an_unknown_doctor_is_a_not_found_error(gql):
    body = await gql.raw(f'{{ queue(doctorId: "{UNKNOWN_ID}", date: "{DATE}") {{ version }} }}')
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
    assert "No doctor" in body["errors"][0]["message"]


async def test_a_lone_surrogate_in_a_department_filter_is_bad_user_input(gql):
    body = await gql.raw("query($d: String) { doctors(department: $d) { id } }", d="ENT\ud800")

    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "department" in error["message"]
