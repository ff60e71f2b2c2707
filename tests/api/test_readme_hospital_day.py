"""The README's hospital day, run from the README's own GraphQL blocks."""

from __future__ import annotations

import datetime as dt

from tests.api.readme import blocks, filled
from tests.api.test_mutations import BOOK, CREATE_DOCTOR, CREATE_SLOTS


async def a_cardiologist(gql, name: str, code: str, day: str) -> str:
    doctor = await gql(
        CREATE_DOCTOR, input={"name": name, "department": "Cardiology", "code": code}
    )
    doctor_id = doctor["createDoctor"]["id"]
    await gql(
        CREATE_SLOTS,
        input={
            "doctorId": doctor_id,
            "date": day,
            "startTime": "09:00",
            "endTime": "12:00",
            "slotMinutes": 60,
            "capacity": 2,
        },
    )
    return str(doctor_id)


async def walk_in(gql, doctor_id: str, day: str, name: str) -> dict[str, str]:
    booking = {"doctorId": doctor_id, "date": day, "source": "WALK_IN", "patient": {"name": name}}
    return (await gql(BOOK, input=booking))["bookToken"]


async def test_the_readme_hospital_day_on_tomorrows_date(gql, clock):
    clock.moment = dt.datetime.now(dt.UTC)
    day = (clock.moment.date() + dt.timedelta(days=1)).isoformat()
    booking, finding, transfer, closing = blocks(
        "A hospital's day: departments, transfers, absences"
    )
    rao = await a_cardiologist(gql, "Asha Rao", "CAR1", day)
    shah = await a_cardiologist(gql, "Ravi Shah", "CAR2", day)
    await walk_in(gql, shah, day, "Early Bird")  # CAR2's 09:00 now has one place

    meera = (await gql(filled(booking, day)))["bookToken"]
    assert meera["number"] == "CAR1-001" and meera["places"] == 2
    assert meera["requestedDepartment"] == "Cardiology"

    found = (await gql(filled(finding, day)))["tokens"]
    assert [t["id"] for t in found] == [meera["id"]]

    moved = (await gql(filled(transfer, day, TOKEN_ID=meera["id"], OTHER_DOCTOR_ID=shah)))[
        "transferToken"
    ]
    assert moved["number"] == "CAR2-002"
    assert moved["history"][-1] == {"kind": "TRANSFERRED", "note": "was CAR1-001"}

    staying = await walk_in(gql, rao, day, "Sita Devi")
    closed = (await gql(filled(closing, day, DOCTOR_ID=rao)))["closeDay"]
    assert [s["closed"] for s in closed["slots"]] == [True, True, True]
    assert [t["number"] for t in closed["moved"]] == ["CAR2-003"]
    assert staying["number"] == "CAR1-002"
