"""Every mutation fuzzed over HTTP: no input gets a 5xx, and a refused one writes nothing.

Hypothesis draws each example's variables inside the test (`st.data()`), so the strategies
can mix in the ids of the doctor, slots and tokens the test set up: those inputs get past
the id checks and reach the deeper validation. The data of the examples that succeed
accumulates in the test's database; each example compares the state just before and after.
EDGES are inputs at the edges sent on every run, whatever Hypothesis happens to draw.

A failing example is shrunk, which takes Hypothesis some tens of seconds here.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import build_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opd_graphql.api.schema import schema
from opd_graphql.service import doctors
from opd_graphql.service.errors import InvalidInput
from tests.api.conftest import GraphQLClient
from tests.api.fuzz_targets import EDGES, TARGETS, Desk
from tests.api.test_consultation import CALL_NEXT, CHECK_IN
from tests.api.test_errors import database_state
from tests.api.test_mutations import CANCEL, DATE, a_day, a_doctor, book

EXAMPLES = 50
USER_ERRORS = {
    "ValidationError": "BAD_USER_INPUT",
    "NotFoundError": "NOT_FOUND",
    "ConflictError": "CONFLICT",
}


@pytest.fixture
async def desk(gql: GraphQLClient) -> Desk:
    """A doctor's day of two one-place slots: one token booked, one called, one cancelled."""
    doctor = await a_doctor(gql)
    slots = await a_day(gql, doctor["id"])
    booked = await book(gql, doctor["id"])
    called = await book(gql, doctor["id"])
    cancelled = await book(gql, doctor["id"])
    await gql(CANCEL, id=cancelled["id"])
    await gql(CHECK_IN, id=called["id"])
    await gql(CALL_NEXT, doctorId=doctor["id"], date=DATE)
    return Desk(
        doctor=doctor["id"],
        slots=[slot["id"] for slot in slots],
        tokens=[booked["id"], called["id"], cancelled["id"]],
    )


async def test_the_desk_has_tokens_in_several_states(gql: GraphQLClient, desk: Desk) -> None:
    statuses = [
        (await gql(f'{{ token(id: "{id_}") {{ status }} }}'))["token"]["status"]
        for id_ in desk.tokens
    ]
    assert statuses == ["BOOKED", "CALLED", "CANCELLED"]


async def check(
    http: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    mutation: str,
    variables: dict[str, Any],
) -> None:
    """Send one mutation; fail unless the answer is well formed and a refusal wrote nothing."""
    target = TARGETS[mutation]
    caplog.clear()
    before = await database_state()

    response = await http.post("/graphql", json={"query": target.query, "variables": variables})

    unchanged = await database_state() == before
    seen = (
        f"HTTP {response.status_code}: {response.text[:2000]}\n"
        f"database {'unchanged' if unchanged else 'CHANGED'}\nserver log:\n{caplog.text}"
    )
    assert response.status_code < 500, seen
    assert response.headers["content-type"].startswith("application/json"), seen
    body = response.json()
    assert isinstance(body, dict), seen
    if "errors" in body:
        # A GraphQL error (validation, coercion): no data, and never a masked server error.
        assert body["errors"], seen
        assert body.get("data") is None, seen
        for error in body["errors"]:
            assert isinstance(error["message"], str), seen
            assert (error.get("extensions") or {}).get("code") != "INTERNAL_SERVER_ERROR", seen
        assert unchanged, f"a refused request wrote data\n{seen}"
        return
    assert set(body["data"]) == {mutation}, seen
    result = body["data"][mutation]
    if target.success is not None and result["__typename"] == target.success:
        return
    assert result["__typename"] in USER_ERRORS, seen
    # createDoctor's document reads an error's code as errorCode: Doctor has a code too.
    code = result["errorCode"] if "errorCode" in result else result["code"]
    assert code == USER_ERRORS[result["__typename"]], seen
    assert isinstance(result["message"], str) and result["message"].strip(), seen
    assert result["field"] is None or isinstance(result["field"], str), seen
    assert unchanged, f"a typed error wrote data\n{seen}"


@pytest.mark.parametrize("mutation", TARGETS)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(data=st.data())
async def test_no_input_breaks_a_mutation_and_a_refused_one_writes_nothing(
    http: httpx.AsyncClient,
    desk: Desk,
    caplog: pytest.LogCaptureFixture,
    mutation: str,
    data: st.DataObject,
) -> None:
    variables = data.draw(TARGETS[mutation].variables(desk), label="variables")
    await check(http, caplog, mutation, variables)


@pytest.mark.parametrize("edge", EDGES)
async def test_an_input_at_the_edge_breaks_nothing(
    http: httpx.AsyncClient, desk: Desk, caplog: pytest.LogCaptureFixture, edge: str
) -> None:
    mutation, variables = EDGES[edge]
    await check(http, caplog, mutation, variables(desk))


def test_every_mutation_of_the_schema_is_fuzzed() -> None:
    mutations = build_schema(schema.as_str()).mutation_type
    assert mutations is not None
    assert set(mutations.fields) == set(TARGETS)


VALID_DOCTOR = {"input": {"name": "B Menon", "department": "ENT", "code": "ENT1"}}


async def test_the_check_fails_on_a_masked_server_error_and_shows_its_traceback(
    http, caplog, monkeypatch
):
    async def broken(ctx: Any, new: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(doctors, "create_doctor", broken)

    with pytest.raises(AssertionError, match="INTERNAL_SERVER_ERROR") as failed:
        await check(http, caplog, "createDoctor", VALID_DOCTOR)
    assert "the database went away" in str(failed.value)


async def test_the_check_fails_on_a_typed_error_that_wrote_data(http, caplog, monkeypatch):
    create = doctors.create_doctor

    async def half_done(ctx: Any, new: Any) -> Any:
        await create(ctx, new)
        raise InvalidInput("name is wrong after all.", "name")

    monkeypatch.setattr(doctors, "create_doctor", half_done)

    with pytest.raises(AssertionError, match="a typed error wrote data"):
        await check(http, caplog, "createDoctor", VALID_DOCTOR)


async def test_the_check_passes_a_success_and_a_typed_error(http, caplog):
    await check(http, caplog, "createDoctor", VALID_DOCTOR)
    await check(http, caplog, "createDoctor", VALID_DOCTOR)  # the code is taken: a conflict

    doctors_stored, *_ = await database_state()
    assert doctors_stored == 1
