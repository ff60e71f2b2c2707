from __future__ import annotations

from graphql import GraphQLError

from opd_graphql.api.extensions import is_unexpected
from tests.api.test_mutations import CREATE_SLOT, DATE, TOKEN_FIELDS, a_doctor, book

CHECK_IN = f"mutation($id: ID!) {{ checkIn(id: $id) {{ __typename {TOKEN_FIELDS} }} }}"
COMPLETE = f"mutation($id: ID!) {{ completeToken(id: $id) {{ __typename {TOKEN_FIELDS} }} }}"
CALL_NEXT = """
mutation($doctorId: ID!, $date: Date!) {
  callNext(doctorId: $doctorId, date: $date) {
    __typename
    ... on CallNextPayload { called { number status } completed { number status } }
    ... on UserError { code message field }
  }
}"""


async def nine_to_ten(gql, doctor_id: str) -> dict:
    """A slot for three on 2030-01-10 from 09:00 to 10:00 UTC."""
    created = await gql(
        CREATE_SLOT,
        input={
            "doctorId": doctor_id,
            "start": "2030-01-10T09:00:00+00:00",
            "end": "2030-01-10T10:00:00+00:00",
            "capacity": 3,
        },
    )
    return created["createSlot"]


async def test_a_consultation_from_arrival_to_completion(gql, clock):
    doctor = await a_doctor(gql)
    slot = await nine_to_ten(gql, doctor["id"])
    assert slot["__typename"] == "Slot" and slot["available"] == 3
    first = await book(gql, doctor["id"])
    second = await book(gql, doctor["id"])

    arrived = (await gql(CHECK_IN, id=first["id"]))["checkIn"]
    await gql(CHECK_IN, id=second["id"])
    clock.set(9, 0)
    called = (await gql(CALL_NEXT, doctorId=doctor["id"], date=DATE))["callNext"]
    queue = await gql(
        f'{{ queue(doctorId: "{doctor["id"]}", date: "{DATE}") '
        "{ nowServing { number } entries { number estimatedCallAt } } }"
    )
    # A token read on its own loads its day for the estimate; in a queue it comes with it.
    alone = await gql(f'{{ token(id: "{second["id"]}") {{ estimatedCallAt }} }}')
    moved_on = (await gql(CALL_NEXT, doctorId=doctor["id"], date=DATE))["callNext"]
    done = (await gql(COMPLETE, id=second["id"]))["completeToken"]
    idle = (await gql(CALL_NEXT, doctorId=doctor["id"], date=DATE))["callNext"]

    assert arrived["status"] == "CHECKED_IN"
    assert called == {
        "__typename": "CallNextPayload",
        "completed": None,
        "called": {"number": first["number"], "status": "CALLED"},
    }
    assert queue["queue"]["nowServing"] == {"number": first["number"]}
    assert queue["queue"]["entries"][1]["estimatedCallAt"] == "2030-01-10T09:20:00+00:00"
    assert alone["token"]["estimatedCallAt"] == "2030-01-10T09:20:00+00:00"
    assert moved_on["completed"] == {"number": first["number"], "status": "COMPLETED"}
    assert moved_on["called"] == {"number": second["number"], "status": "CALLED"}
    assert done["status"] == "COMPLETED"
    assert [e["kind"] for e in done["history"]] == ["BOOKED", "CHECKED_IN", "CALLED", "COMPLETED"]
    assert idle == {"__typename": "CallNextPayload", "called": None, "completed": None}


async def test_completing_a_waiting_token_is_a_conflict(gql):
    doctor = await a_doctor(gql)
    await gql(
        CREATE_SLOT,
        input={
            "doctorId": doctor["id"],
            "start": "2030-01-10T09:00:00",
            "end": "2030-01-10T10:00:00",
            "capacity": 1,
        },
    )
    token = await book(gql, doctor["id"])

    refused = (await gql(COMPLETE, id=token["id"]))["completeToken"]

    assert refused["__typename"] == "ConflictError"
    assert refused["code"] == "CONFLICT" and token["number"] in refused["message"]


async def test_calling_next_for_an_unknown_doctor_is_not_found(gql):
    result = (await gql(CALL_NEXT, doctorId="65a000000000000000000000", date=DATE))["callNext"]
    assert (result["__typename"], result["field"]) == ("NotFoundError", "doctorId")


def test_only_unexpected_errors_are_masked():
    assert is_unexpected(GraphQLError("boom", original_error=RuntimeError("db password")))
    assert not is_unexpected(GraphQLError("Cannot query field 'x'."))
    assert not is_unexpected(GraphQLError("No doctor", original_error=GraphQLError("No doctor")))


async def test_tokens_read_with_their_day_still_tell_their_history(gql):
    doctor = await a_doctor(gql)
    await nine_to_ten(gql, doctor["id"])
    token = await book(gql, doctor["id"])
    await gql(CHECK_IN, id=token["id"])

    found = await gql(
        """query($id: ID!, $date: Date!) {
          queue(doctorId: $id, date: $date) { entries { history { kind } } }
          doctor(id: $id) { slots(date: $date) { tokens { history { kind } } } }
        }""",
        id=doctor["id"],
        date=DATE,
    )

    told = [{"kind": "BOOKED"}, {"kind": "CHECKED_IN"}]
    assert found["queue"]["entries"] == [{"history": told}]
    assert found["doctor"]["slots"] == [{"tokens": [{"history": told}]}]
