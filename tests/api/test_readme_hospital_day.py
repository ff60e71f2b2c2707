"""The README's hospital day, run from the README's own GraphQL blocks."""

from __future__ import annotations

import re
from pathlib import Path

from tests.api.test_mutations import CREATE_DOCTOR, CREATE_SLOTS, book

README = Path(__file__).parents[2] / "README.md"
DATE = "2030-01-10"


def blocks(section: str) -> list[str]:
    text = README.read_text()
    start = text.index(f"## {section}")
    end = text.index("\n## ", start + 1)
    return re.findall(r"```graphql\n(.*?)```", text[start:end], re.DOTALL)


def filled(block: str, **ids: str) -> str:
    block = block.replace('"DATE"', f'"{DATE}"')
    for name, value in ids.items():
        block = block.replace(f'"{name}"', f'"{value}"')
    return block


async def a_cardiologist(gql, name: str, code: str) -> str:
    doctor = await gql(
        CREATE_DOCTOR, input={"name": name, "department": "Cardiology", "code": code}
    )
    doctor_id = doctor["createDoctor"]["id"]
    await gql(
        CREATE_SLOTS,
        input={
            "doctorId": doctor_id,
            "date": DATE,
            "startTime": "09:00",
            "endTime": "12:00",
            "slotMinutes": 60,
            "capacity": 2,
        },
    )
    return str(doctor_id)


async def test_the_readme_hospital_day(gql):
    booking, finding, transfer, closing = blocks(
        "A hospital's day: departments, transfers, absences"
    )
    rao = await a_cardiologist(gql, "Asha Rao", "CAR1")
    shah = await a_cardiologist(gql, "Ravi Shah", "CAR2")
    await book(gql, shah, patient={"name": "Early Bird"})  # CAR2's 09:00 now has one place

    meera = (await gql(filled(booking)))["bookToken"]
    assert meera["number"] == "CAR1-001" and meera["places"] == 2
    assert meera["requestedDepartment"] == "Cardiology"

    found = (await gql(filled(finding)))["tokens"]
    assert [t["id"] for t in found] == [meera["id"]]

    moved = (await gql(filled(transfer, TOKEN_ID=meera["id"], OTHER_DOCTOR_ID=shah)))[
        "transferToken"
    ]
    assert moved["number"] == "CAR2-002"
    assert moved["history"][-1] == {"kind": "TRANSFERRED", "note": "was CAR1-001"}

    staying = await book(gql, rao, patient={"name": "Sita Devi"})
    closed = (await gql(filled(closing, DOCTOR_ID=rao)))["closeDay"]
    assert [s["closed"] for s in closed["slots"]] == [True, True, True]
    assert [t["number"] for t in closed["moved"]] == ["CAR2-003"]
    assert staying["number"] == "CAR1-002"
