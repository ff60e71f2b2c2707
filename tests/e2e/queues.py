"""Doctors, days and tokens made over the API, for the board tests and the docs' screenshot."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e.conftest import TIMEZONE, GraphQL

CREATE_DOCTOR = """
mutation ($input: CreateDoctorInput!) {
  createDoctor(input: $input) {
    ... on Doctor { id code }
    ... on UserError { errorCode: code message }
  }
}"""
UPDATE_DOCTOR = """
mutation ($id: ID!, $input: UpdateDoctorInput!) {
  updateDoctor(id: $id, input: $input) {
    ... on Doctor { id room active }
    ... on UserError { errorCode: code message }
  }
}"""
CREATE_SLOTS = """
mutation ($input: CreateSlotsInput!) {
  createSlots(input: $input) {
    ... on SlotList { slots { id } }
    ... on UserError { message }
  }
}"""
BOOK = """
mutation ($input: BookTokenInput!) {
  bookToken(input: $input) {
    ... on Token { id number status }
    ... on UserError { message }
  }
}"""
CHECK_IN = """
mutation ($id: ID!) {
  checkIn(id: $id) { ... on Token { status } ... on UserError { message } }
}"""
CALL_NEXT = """
mutation ($doctorId: ID!, $date: Date!) {
  callNext(doctorId: $doctorId, date: $date) {
    ... on CallNextPayload { called { number } }
    ... on UserError { message }
  }
}"""
SKIP = """
mutation ($id: ID!) {
  skipToken(id: $id) { ... on Token { status skips } ... on UserError { message } }
}"""
QUEUE = """
query ($doctorId: ID!, $date: Date!) {
  queue(doctorId: $doctorId, date: $date) {
    nowServing { number }
    entries { number status skips estimatedCallAt }
  }
}"""

# Names a board must never show.
PATIENTS = [
    {"name": "Zebediah Quartermaine", "phone": "+91 98765 43210"},
    {"name": "Philippa Wolstenholme", "phone": "+91 91234 56780"},
    {"name": "Bartholomew Featherstonehaugh", "phone": "+91 99887 76655"},
    {"name": "Anastasia Throckmorton", "phone": "+91 90000 11122"},
    {"name": "Cornelius Vanderbilt-Ashby", "phone": "+91 95555 44433"},
]


def tomorrow() -> str:
    """The hospital's tomorrow: its whole morning is still ahead at any hour of today."""
    return (dt.datetime.now(ZoneInfo(TIMEZONE)).date() + dt.timedelta(days=1)).isoformat()


def unique(prefix: str) -> str:
    """A code or name no other test on the same server uses."""
    return f"{prefix}{uuid.uuid4().hex[:4].upper()}"


def new_doctor(
    gql: GraphQL,
    *,
    name: str = "Dr Asha Menon",
    department: str = "Cardiology",
    code: str = "CAR1",
    room: str | None = None,
) -> str:
    doctor = gql(CREATE_DOCTOR, input={"name": name, "department": department, "code": code})[
        "createDoctor"
    ]
    assert "id" in doctor, doctor
    if room is not None:
        update_doctor(gql, doctor["id"], room=room)
    return str(doctor["id"])


def update_doctor(gql: GraphQL, doctor_id: str, **changes: Any) -> None:
    updated = gql(UPDATE_DOCTOR, id=doctor_id, input=changes)["updateDoctor"]
    assert "id" in updated, updated


def open_slots(
    gql: GraphQL,
    doctor_id: str,
    date: str,
    *,
    start: str = "09:00",
    end: str = "12:00",
    minutes: int = 60,
    capacity: int = 3,
) -> None:
    slots = gql(
        CREATE_SLOTS,
        input={
            "doctorId": doctor_id,
            "date": date,
            "startTime": start,
            "endTime": end,
            "slotMinutes": minutes,
            "capacity": capacity,
        },
    )["createSlots"]
    assert "slots" in slots, slots


def open_day(gql: GraphQL, date: str, **doctor: Any) -> str:
    """A doctor with three one-hour slots of three places from 09:00."""
    doctor_id = new_doctor(gql, **doctor)
    open_slots(gql, doctor_id, date)
    return doctor_id


def book(
    gql: GraphQL,
    doctor_id: str,
    date: str,
    patient: dict[str, str],
    *,
    source: str = "WALK_IN",
    check_in: bool = False,
) -> dict[str, Any]:
    token = gql(
        BOOK,
        input={
            "doctorId": doctor_id,
            "date": date,
            "source": source,
            "patient": patient,
            "checkIn": check_in,
        },
    )["bookToken"]
    assert "number" in token, token
    return dict(token)


def check_in(gql: GraphQL, token_id: str) -> None:
    assert gql(CHECK_IN, id=token_id)["checkIn"]["status"] == "CHECKED_IN"


def call_next(gql: GraphQL, doctor_id: str, date: str) -> str:
    called = gql(CALL_NEXT, doctorId=doctor_id, date=date)["callNext"]["called"]
    assert called is not None
    return str(called["number"])


def skip(gql: GraphQL, token_id: str) -> None:
    skipped = gql(SKIP, id=token_id)["skipToken"]
    assert skipped.get("skips") == 1, skipped


def queue(gql: GraphQL, doctor_id: str, date: str) -> dict[str, Any]:
    return dict(gql(QUEUE, doctorId=doctor_id, date=date)["queue"])
