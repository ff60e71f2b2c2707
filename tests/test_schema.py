from __future__ import annotations

from pathlib import Path

from opd_graphql.api.schema import schema

COMMITTED = Path(__file__).parent.parent / "schema" / "schema.graphql"


def test_the_committed_schema_matches_the_code():
    assert COMMITTED.read_text() == schema.as_str() + "\n", (
        "The API changed: run `opd-graphql export-schema --output schema/schema.graphql` "
        "and commit the result."
    )


def test_the_contract_names_are_in_the_schema():
    sdl = schema.as_str()
    for name in [
        "interface UserError",
        "type ValidationError implements UserError",
        "bookToken(input: BookTokenInput!): BookTokenResult!",
        "queue(doctorId: ID!, date: Date!): Queue!",
        "enum TokenSource",
        "enum TokenEventKind",
    ]:
        assert name in sdl
