from __future__ import annotations

import datetime as dt
from enum import Enum

import pytest
import strawberry

from opd_graphql.api.direct_inputs import build_inputs_directly
from opd_graphql.api.schema import schema as app_schema


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.input
class Inner:
    name: str
    note: str | None = None


@strawberry.input
class Outer:
    id: strawberry.ID
    colour: Colour
    when: dt.date
    inner: Inner
    inners: list[Inner]
    tags: list[str]
    nullable: str | None  # no default: None when left out
    maybe: strawberry.Maybe[str | None]
    flag: bool = True


def echo_schema() -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def echo(self, value: Outer) -> str:
            return repr(value)

    return strawberry.Schema(query=Query)


ECHO = "query Echo($value: Outer!) { echo(value: $value) }"
BASE = {
    "id": "7",
    "colour": "BLUE",
    "when": "2030-01-10",
    "inner": {"name": "a"},
    "inners": [{"name": "b", "note": "n"}, {"name": "c", "note": None}],
    "tags": ["x", "y"],
}


@pytest.mark.parametrize(
    "value",
    [
        BASE,
        {**BASE, "nullable": "set", "maybe": "some", "flag": False},
        {**BASE, "maybe": None, "inners": [], "inner": {"name": "d", "note": "e"}},
    ],
)
def test_an_input_built_directly_is_the_one_strawberry_builds(value):
    # Two schemas over the same classes: the inputs' definitions are the classes', so
    # the plain schema is asked first, before its inputs are built directly.
    plain = echo_schema().execute_sync(ECHO, {"value": value})
    direct_schema = echo_schema()
    build_inputs_directly(direct_schema)
    try:
        direct = direct_schema.execute_sync(ECHO, {"value": value})
    finally:
        for cls in (Outer, Inner):
            cls.__strawberry_definition__.from_input = None  # type: ignore[attr-defined]

    assert plain.errors is None and direct.errors is None
    assert direct.data == plain.data
    assert "Outer(id='7', colour=<Colour.BLUE" in direct.data["echo"]  # type: ignore[index]


def test_every_input_of_the_app_is_built_directly():
    inputs = [
        entry.definition
        for entry in app_schema.schema_converter.type_map.values()
        if getattr(entry.definition, "is_input", False)
    ]

    assert {d.name for d in inputs} >= {"BookTokenInput", "PatientInput", "CreateSlotsInput"}
    assert all(d.from_input is not None for d in inputs)
