"""Every role can do exactly what it is for, and nobody else sees who the patients are."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from opd_graphql.api.app import create_app
from opd_graphql.core.config import Settings
from opd_graphql.core.security import parse_api_keys
from opd_graphql.store.documents import Doctor, Slot, Token
from tests.api.conftest import GraphQLClient
from tests.api.test_consultation import CALL_NEXT, CHECK_IN, COMPLETE
from tests.api.test_mutations import (
    BOOK,
    CANCEL,
    CREATE_DOCTOR,
    CREATE_SLOT,
    CREATE_SLOTS,
    DATE,
    NO_SHOW,
)

KEYS = {
    "ADMIN": "k-admin",
    "STAFF": "k-staff",
    "DOCTOR": "k-doctor",
    "DISPLAY": "k-display",
    "PATIENT": "k-patient",
    "OTHER_PATIENT": "k-patient-2",
}
NAME = "Zebediah Quartermaine"


@pytest.fixture
def settings(mongo_uri: str, db_name: str) -> Settings:
    spec = ",".join(f"{role.split('_')[-1].lower()}:{key}" for role, key in KEYS.items())
    return Settings(mongodb_uri=mongo_uri, db_name=db_name, api_keys=parse_api_keys(spec))


def as_role(gql: GraphQLClient, role: str | None) -> GraphQLClient:
    return gql.with_key(None if role is None else KEYS[role])


@pytest.fixture
async def day(gql: GraphQLClient) -> dict[str, Any]:
    admin = as_role(gql, "ADMIN")
    doctor = (
        await admin(
            CREATE_DOCTOR, input={"name": "Asha Rao", "department": "Cardiology", "code": "CAR1"}
        )
    )["createDoctor"]
    slots = (
        await admin(
            CREATE_SLOTS,
            input={
                "doctorId": doctor["id"],
                "date": DATE,
                "startTime": "09:00",
                "endTime": "11:00",
                "slotMinutes": 60,
                "capacity": 3,
            },
        )
    )["createSlots"]["slots"]
    staff = as_role(gql, "STAFF")
    token = (
        await staff(
            BOOK,
            input={
                "doctorId": doctor["id"],
                "date": DATE,
                "source": "WALK_IN",
                "patient": {"name": NAME, "phone": "+91 98765 43210"},
            },
        )
    )["bookToken"]
    return {"doctor": doctor["id"], "slot": slots[0]["id"], "token": token["id"]}


def operations(day: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any], set[str]]]:
    """Each mutation, its variables, and the roles allowed to call it."""
    booking = {
        "doctorId": day["doctor"],
        "date": DATE,
        "source": "ONLINE",
        "patient": {"name": "Meera Iyer"},
    }
    return {
        "createDoctor": (
            CREATE_DOCTOR,
            {"input": {"name": "B", "department": "ENT", "code": "ENT1"}},
            {"ADMIN"},
        ),
        "createSlot": (
            CREATE_SLOT,
            {
                "input": {
                    "doctorId": day["doctor"],
                    "start": "2030-01-10T14:00:00",
                    "end": "2030-01-10T15:00:00",
                    "capacity": 2,
                }
            },
            {"ADMIN"},
        ),
        "createSlots": (
            CREATE_SLOTS,
            {
                "input": {
                    "doctorId": day["doctor"],
                    "date": DATE,
                    "startTime": "16:00",
                    "endTime": "17:00",
                    "slotMinutes": 30,
                    "capacity": 2,
                }
            },
            {"ADMIN"},
        ),
        "bookToken": (BOOK, {"input": booking}, {"STAFF", "PATIENT"}),
        "checkIn": (CHECK_IN, {"id": day["token"]}, {"STAFF"}),
        "cancelToken": (CANCEL, {"id": day["token"]}, {"STAFF"}),
        "callNext": (CALL_NEXT, {"doctorId": day["doctor"], "date": DATE}, {"DOCTOR"}),
        "completeToken": (COMPLETE, {"id": day["token"]}, {"DOCTOR"}),
        "markNoShow": (NO_SHOW, {"id": day["token"]}, {"DOCTOR"}),
    }


async def stored() -> tuple[int, ...]:
    return (
        await Doctor.find_all().count(),
        await Slot.find_all().count(),
        await Token.find_all().count(),
        sum(len(t.history) for t in await Token.find_all().to_list()),
    )


@pytest.mark.parametrize("role", ["ADMIN", "STAFF", "DOCTOR", "DISPLAY", "PATIENT", None])
async def test_each_role_may_call_exactly_its_mutations(gql, day, role):
    for name, (query, variables, allowed) in operations(day).items():
        before = await stored()
        body = await as_role(gql, role).raw(query, **variables)
        if role in allowed:
            assert "errors" not in body, (name, role, body)
        else:
            assert body["data"] is None, (name, role)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (name, role)
            assert await stored() == before, (name, role)


async def test_a_wrong_key_is_unauthenticated(gql, day):
    body = await gql.with_key("k-nope").raw("{ doctors { id } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_patient_books_online_only_and_reads_only_its_own_tokens(gql, day):
    patient = as_role(gql, "PATIENT")
    walk_in = {
        "doctorId": day["doctor"],
        "date": DATE,
        "source": "WALK_IN",
        "patient": {"name": "Meera Iyer"},
    }
    refused = await patient.raw(BOOK, input=walk_in)
    at_the_desk = await patient.raw(BOOK, input={**walk_in, "source": "ONLINE", "checkIn": True})
    own = (await patient(BOOK, input={**walk_in, "source": "ONLINE"}))["bookToken"]
    read = "query($id: ID!) { token(id: $id) { number patient { name } } }"

    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert at_the_desk["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    mine = (await patient(read, id=own["id"]))["token"]
    assert mine["patient"] == {"name": "Meera Iyer"}
    others = await patient.raw(read, id=day["token"])
    assert others["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    stranger = await as_role(gql, "OTHER_PATIENT").raw(read, id=own["id"])
    assert stranger["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("role", ["DISPLAY", None, "PATIENT"])
async def test_public_screens_never_get_a_patients_name(gql, day, role):
    query = f'''{{
      queue(doctorId: "{day["doctor"]}", date: "{DATE}") {{
        entries {{ number patient {{ name phone }} }}
      }}
      slots(doctorId: "{day["doctor"]}", date: "{DATE}") {{ tokens {{ patient {{ name }} }} }}
    }}'''
    response = await as_role(gql, role).http.post(
        "/graphql", json={"query": query}, headers=as_role(gql, role).headers
    )
    assert response.status_code == 200
    assert response.json()["data"]["queue"]["entries"][0]["patient"] is None
    assert NAME not in response.text and "98765" not in response.text


async def test_staff_see_who_the_patient_is(gql, day):
    query = "query($d: ID!, $date: Date!) { queue(doctorId: $d, date: $date) "
    data = await as_role(gql, "STAFF")(
        query + "{ entries { patient { name } } } }", d=day["doctor"], date=DATE
    )
    assert data["queue"]["entries"][0]["patient"] == {"name": NAME}


async def test_anonymous_access_can_be_turned_off(mongo_uri, db_name, clock):
    settings = Settings(
        mongodb_uri=mongo_uri,
        db_name=db_name,
        api_keys=parse_api_keys("display:k"),
        anonymous_display=False,
    )
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            body = (await client.post("/graphql", json={"query": "{ doctors { id } }"})).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
