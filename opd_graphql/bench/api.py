"""The API as a client sees it over HTTP: GraphQL calls, bookings, doctors and their days."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from datetime import time, timedelta
from typing import Any

import httpx

from opd_graphql.bench.workload import Booking, DoctorDay

SETUP_CONCURRENCY = 4
DEPARTMENTS = ("General Medicine", "Paediatrics", "Orthopaedics", "Cardiology", "Dermatology")
BOOK = """
mutation Book($input: BookTokenInput!) {
  bookToken(input: $input) {
    __typename
    ... on Token { id number }
    ... on UserError { message }
  }
}"""
CREATE_DOCTOR = """
mutation CreateDoctor($input: CreateDoctorInput!) {
  createDoctor(input: $input) { __typename ... on Doctor { id code } ... on UserError { message } }
}"""
CREATE_SLOTS = """
mutation CreateSlots($input: CreateSlotsInput!) {
  createSlots(input: $input) {
    __typename ... on SlotList { slots { id } } ... on UserError { message }
  }
}"""
_RETRIES = re.compile(r"^opd_transaction_retries_total(?:\{[^}]*\})?\s+(\S+)$", re.MULTILINE)


class Failed(Exception):
    """An HTTP error, a GraphQL error, or a UserError result."""


async def call(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    timeout: float | None = None,
) -> dict[str, Any]:
    extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, **extra
    )
    if response.status_code != 200:
        raise Failed(f"HTTP {response.status_code}: {response.text[:200]}")
    body = response.json()
    if body.get("errors"):
        raise Failed(f"GraphQL error: {body['errors'][0].get('message')}")
    data: dict[str, Any] = body["data"]
    return data


def outcome(data: dict[str, Any], field: str, expected: str) -> dict[str, Any]:
    """The mutation's result when it is of the expected type; a UserError raises."""
    result: dict[str, Any] = data[field]
    if result["__typename"] != expected:
        raise Failed(f"{result['__typename']}: {result.get('message')}")
    return result


async def book(http: httpx.AsyncClient, booking: Booking) -> dict[str, Any]:
    """Books one token; returns its id and number."""
    patient: dict[str, Any] = {"name": booking.patient, "phone": booking.phone}
    made: dict[str, Any] = {
        "doctorId": booking.day.doctor_id,
        "date": booking.day.date.isoformat(),
        "source": booking.source,
        "patient": patient,
        "idempotencyKey": booking.key,
    }
    if booking.places != 1:
        # Only when asked: otherwise the same request as ever, whose instructions are counted.
        made["places"] = booking.places
    data = await call(http, BOOK, {"input": made})
    return outcome(data, "bookToken", "Token")


async def create_doctors(http: httpx.AsyncClient, count: int) -> list[tuple[str, str]]:
    """`count` doctors; returns their ids and codes."""
    doctors = []
    for number in range(1, count + 1):
        data = await call(
            http,
            CREATE_DOCTOR,
            {
                "input": {
                    "name": f"Doctor {number:02d}",
                    "department": DEPARTMENTS[number % len(DEPARTMENTS)],
                    "code": f"BD{number:02d}",
                }
            },
        )
        doctor = outcome(data, "createDoctor", "Doctor")
        doctors.append((doctor["id"], doctor["code"]))
    return doctors


async def open_days(
    http: httpx.AsyncClient,
    days: Iterable[DoctorDay],
    *,
    slots: int,
    slot_minutes: int,
    capacity: int,
) -> None:
    """Opens each doctor-day: `slots` back to back from 08:00, `capacity` places each."""
    start = time(8, 0)
    end = (timedelta(hours=8) + timedelta(minutes=slots * slot_minutes)).total_seconds()
    if end >= 24 * 3600:
        raise ValueError("the slots must end before midnight")
    end_time = time(int(end // 3600), int(end % 3600 // 60))
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def open_one(day: DoctorDay) -> None:
        async with gate:
            data = await call(
                http,
                CREATE_SLOTS,
                {
                    "input": {
                        "doctorId": day.doctor_id,
                        "date": day.date.isoformat(),
                        "startTime": start.isoformat("minutes"),
                        "endTime": end_time.isoformat("minutes"),
                        "slotMinutes": slot_minutes,
                        "capacity": capacity,
                    }
                },
            )
            outcome(data, "createSlots", "SlotList")

    await asyncio.gather(*(open_one(day) for day in days))


async def transaction_retries(http: httpx.AsyncClient) -> float:
    """The server's count of doctor-day transactions run again, from its /metrics."""
    response = await http.get("/metrics")
    response.raise_for_status()
    found = _RETRIES.search(response.text)
    return float(found.group(1)) if found else 0.0


async def change_token(http: httpx.AsyncClient, field: str, token_id: str) -> str:
    """`checkIn` or `cancelToken` on one token; returns its new status."""
    query = (
        f"mutation Change($id: ID!) {{ {field}(id: $id) "
        "{ __typename ... on Token { status } ... on UserError { message } } }"
    )
    status: str = outcome(await call(http, query, {"id": token_id}), field, "Token")["status"]
    return status
