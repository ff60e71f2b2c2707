from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
import strawberry

from opd_graphql.api.extensions import OperationGuard
from opd_graphql.api.operations import BadRequest, Operation, execute
from opd_graphql.api.schema import Schema
from opd_graphql.api.shared_events import SharedEventExecution
from opd_graphql.core.logs import request_id
from tests.api.broken import Broken, assert_masked


@strawberry.type
class Patient:
    name: str
    age: int | None


@strawberry.type
class Query(Broken):
    @strawberry.field
    def patients(self, named: str | None = None) -> list[Patient]:
        everyone = [Patient(name="Asha", age=41), Patient(name="Ravi", age=None)]
        return [p for p in everyone if named in (None, p.name)]

    @strawberry.field
    async def later(self) -> str:
        return "called"


@strawberry.type
class Mutation:
    @strawberry.mutation
    def rename(self, name: str) -> str:
        return name.upper()

    @strawberry.mutation
    def nickname(self, nick: strawberry.Maybe[str] = None) -> str:
        return "kept" if nick is None else nick.value


schema = Schema(
    query=Query,
    mutation=Mutation,
    execution_context_class=SharedEventExecution,
    extensions=[OperationGuard],
)
CONTEXT = SimpleNamespace(viewer=None)


def post(query: str, **fields: object) -> Operation:
    return Operation({"query": query, **fields})


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("{ patients { name age } }", {}),
        ("query($n: String) { patients(named: $n) { name } }", {"variables": {"n": "Ravi"}}),
        ("query($n: String!) { patients(named: $n) { name } }", {"variables": {}}),
        ("query A { later } query B { patients { age } }", {"operationName": "B"}),
        ("{ later boom patients { name } }", {}),
        ("{ refused }", {}),
        ('mutation { rename(name: "asha") }', {}),
        ("{ patients { nope } }", {}),
        ("{ patients { name ", {}),
    ],
)
async def test_a_post_gets_what_strawberry_would_answer(query, fields):
    ours = await execute(schema, post(query, **fields), CONTEXT)
    theirs = await schema.execute(
        query,
        variable_values=fields.get("variables"),
        operation_name=fields.get("operationName"),
        context_value=CONTEXT,
    )

    assert ours.data == theirs.data
    assert [e.formatted for e in ours.errors or []] == [e.formatted for e in theirs.errors or []]


async def test_strawberrys_own_rules_are_checked_too():
    # Maybe[str] may be left out or given a string, never an explicit null.
    result = await execute(schema, post("mutation { nickname(nick: null) }"), CONTEXT)

    assert result.data is None
    assert result.errors is not None and "nick" in result.errors[0].message
    assert (await execute(schema, post("mutation { nickname }"), CONTEXT)).data == {
        "nickname": "kept"
    }


async def test_an_unexpected_error_is_masked_with_the_request_id_and_logged(caplog):
    token = request_id.set("req-42")
    try:
        result = await execute(schema, post("{ boom }"), CONTEXT)
    finally:
        request_id.reset(token)

    assert_masked(result, "req-42", caplog.text)


async def test_each_operation_gets_one_log_line(caplog):
    caplog.set_level(logging.INFO)

    await execute(schema, post('mutation Rename { rename(name: "x") }'), CONTEXT)

    [line] = [r for r in caplog.records if r.name == "opd_graphql.operations"]
    assert (line.operation, line.kind, line.errors) == (None, "mutation", 0)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([{"query": "{ later }"}], "Batching"),
        ("{ later }", "JSON object"),
        ({"variables": {}}, "No GraphQL query"),
        ({"query": ""}, "No GraphQL query"),
        ({"query": "{ later }", "operationName": 5}, "`operationName` must be a string"),
        ({"query": "{ later }", "variables": []}, "`variables` must be an object"),
        ({"query": "{ later }", "extensions": "x"}, "`extensions` must be an object"),
    ],
)
def test_a_body_that_is_not_an_operation_is_refused(body, message):
    with pytest.raises(BadRequest, match=message):
        Operation(body)


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        ("query A { later } query B { later }", None, "Must provide operation name"),
        ("query A { later }", "Z", 'Unknown operation named "Z"'),
    ],
)
async def test_an_operation_that_cannot_be_chosen_is_refused(query, name, message):
    with pytest.raises(BadRequest, match=message):
        await execute(schema, post(query, operationName=name), CONTEXT)
