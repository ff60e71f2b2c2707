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
from tests.api.test_hospital_day import SKIP, UPDATE
from tests.api.test_moving import CLOSE_DAY, CLOSE_SLOT, TRANSFER
from tests.api.test_mutations import (
    BOOK,
    CANCEL,
    CREATE_DOCTOR,
    CREATE_SLOT,
    CREATE_SLOTS,
    DATE,
    NO_SHOW,
)
from tests.conftest import FakeClock

KEYS = {
    "ADMIN": "k-admin",
    "STAFF": "k-staff",
    "DOCTOR": "k-doctor",
    "DISPLAY": "k-display",
    "PATIENT": "k-patient",
    "OTHER_PATIENT": "k-patient-2",
}
NAME = "Zebediah Quartermaine"
CAR1_DOCTOR = "k-doctor-car1"  # a DOCTOR key bound to the doctor CAR1


@pytest.fixture
def settings(mongo_uri: str, db_name: str) -> Settings:
    spec = ",".join(f"{role.split('_')[-1].lower()}:{key}" for role, key in KEYS.items())
    spec += f",doctor:{CAR1_DOCTOR}:car1"
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
    return {
        "doctor": doctor["id"],
        "slot": slots[0]["id"],
        "later_slot": slots[1]["id"],
        "token": token["id"],
    }


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
        "skipToken": (SKIP, {"id": day["token"]}, {"DOCTOR"}),
        "updateDoctor": (UPDATE, {"id": day["doctor"], "input": {"room": "4"}}, {"ADMIN"}),
        "transferToken": (
            TRANSFER,
            {"id": day["token"], "doctorId": day["doctor"], "slotId": day["later_slot"]},
            {"STAFF"},
        ),
        "closeSlot": (
            CLOSE_SLOT,
            {"slotId": day["later_slot"], "reason": "Ill", "moveTo": "SAME_DOCTOR"},
            {"STAFF"},
        ),
        "closeDay": (
            CLOSE_DAY,
            {"doctorId": day["doctor"], "date": DATE, "reason": "Ill", "moveTo": "SAME_DOCTOR"},
            {"ADMIN"},
        ),
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


UNKNOWN_ID = "0123456789abcdef01234567"


async def a_patient_waiting(gql: GraphQLClient, doctor_id: str) -> dict[str, Any]:
    staff = as_role(gql, "STAFF")
    patient = {"name": "Meera Iyer"}
    booking = {"doctorId": doctor_id, "date": DATE, "source": "WALK_IN", "patient": patient}
    token = (await staff(BOOK, input={**booking, "checkIn": True}))["bookToken"]
    assert token["status"] == "CHECKED_IN", token
    return token


@pytest.fixture
async def ent1(gql: GraphQLClient, clock: FakeClock) -> dict[str, Any]:
    """Another doctor's day, whose first patient an unbound DOCTOR key has called."""
    admin = as_role(gql, "ADMIN")
    doctor = (
        await admin(CREATE_DOCTOR, input={"name": "B Nair", "department": "ENT", "code": "ENT1"})
    )["createDoctor"]
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
    called = await a_patient_waiting(gql, doctor["id"])
    waiting = await a_patient_waiting(gql, doctor["id"])
    clock.set(9, 0)
    call = await as_role(gql, "DOCTOR")(CALL_NEXT, doctorId=doctor["id"], date=DATE)
    assert call["callNext"]["called"]["number"] == called["number"], call
    return {"doctor": doctor["id"], "called": called["id"], "waiting": waiting["id"]}


async def test_a_bound_doctor_key_runs_its_own_doctors_queue(gql, day, clock):
    await as_role(gql, "STAFF")(CHECK_IN, id=day["token"])
    absent = await a_patient_waiting(gql, day["doctor"])
    clock.set(9, 0)
    car1 = gql.with_key(CAR1_DOCTOR)

    def call() -> Any:
        return car1(CALL_NEXT, doctorId=day["doctor"], date=DATE)

    called = (await call())["callNext"]["called"]
    skipped = (await car1(SKIP, id=day["token"]))["skipToken"]
    no_show = (await car1(NO_SHOW, id=absent["id"]))["markNoShow"]
    called_again = (await call())["callNext"]["called"]
    completed = (await car1(COMPLETE, id=day["token"]))["completeToken"]

    assert called["status"] == "CALLED" and called["number"] == called_again["number"]
    assert skipped["status"] == "CHECKED_IN" and skipped["skips"] == 1
    assert no_show["status"] == "NO_SHOW"
    assert completed["status"] == "COMPLETED"


@pytest.mark.parametrize(
    ("query", "token"),
    [(CALL_NEXT, None), (SKIP, "called"), (COMPLETE, "called"), (NO_SHOW, "waiting")],
    ids=["callNext", "skipToken", "completeToken", "markNoShow"],
)
async def test_a_bound_doctor_key_may_not_touch_another_doctors_queue(gql, ent1, query, token):
    variables = {"doctorId": ent1["doctor"], "date": DATE} if token is None else {"id": ent1[token]}
    before = await stored()

    body = await gql.with_key(CAR1_DOCTOR).raw(query, **variables)

    assert body["data"] is None, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["message"] == "This key acts only on the queues of CAR1."
    assert await stored() == before
    statuses = {str(t.id): t.status.value for t in await Token.find_all().to_list()}
    assert statuses == {ent1["called"]: "CALLED", ent1["waiting"]: "CHECKED_IN"}


async def test_an_unbound_doctor_key_acts_on_any_doctor(gql, day, ent1):
    unbound = as_role(gql, "DOCTOR")

    ent_done = (await unbound(COMPLETE, id=ent1["called"]))["completeToken"]
    ent_absent = (await unbound(NO_SHOW, id=ent1["waiting"]))["markNoShow"]
    car_absent = (await unbound(NO_SHOW, id=day["token"]))["markNoShow"]

    assert ent_done["status"] == "COMPLETED"
    assert ent_absent["status"] == car_absent["status"] == "NO_SHOW"


async def test_a_bound_doctor_key_is_told_what_is_not_found(gql, day):
    car1 = gql.with_key(CAR1_DOCTOR)

    token = (await car1(COMPLETE, id=UNKNOWN_ID))["completeToken"]
    doctor = (await car1(CALL_NEXT, doctorId=UNKNOWN_ID, date=DATE))["callNext"]

    assert (token["__typename"], token["field"]) == ("NotFoundError", "id")
    assert (doctor["__typename"], doctor["field"]) == ("NotFoundError", "doctorId")


@pytest.mark.parametrize("role", ["ADMIN", "STAFF", "DOCTOR", "DISPLAY", "PATIENT", None])
async def test_only_the_desk_and_admins_find_patients_by_phone(gql, day, role):
    body = await as_role(gql, role).raw('{ tokens(phone: "9876543210") { number } }')

    if role in ("ADMIN", "STAFF"):
        assert [t["number"] for t in body["data"]["tokens"]] == ["CAR1-001"]
    else:
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
