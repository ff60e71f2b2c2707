from __future__ import annotations

from graphql import get_introspection_query

from opd_graphql.api.extensions import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS


async def test_graphiql_can_still_introspect_the_schema(gql):
    data = await gql(get_introspection_query(descriptions=True))
    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_a_query_too_deep_is_refused(gql):
    levels = MAX_DEPTH // 2 + 1
    nested = "history { causedBy { " * levels + "number" + " } }" * levels
    body = await gql.raw(f'{{ token(id: "x") {{ {nested} }} }}')
    assert body.get("data") is None
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_too_many_aliases_are_refused(gql):
    fields = " ".join(f"a{i}: doctors {{ id }}" for i in range(MAX_ALIASES + 1))
    body = await gql.raw(f"{{ {fields} }}")
    assert "aliases found" in body["errors"][0]["message"]


async def test_a_huge_document_is_refused(gql):
    body = await gql.raw("{ " + "doctors { id } " * (MAX_TOKENS // 4 + 1) + "}")
    assert f"more than {MAX_TOKENS} tokens" in body["errors"][0]["message"]


async def test_a_repeated_document_is_parsed_and_validated_once(gql, monkeypatch):
    from strawberry.schema import schema as strawberry_schema

    from opd_graphql.api import extensions

    runs: list[str] = []

    def counted(module, name):
        original = getattr(module, name)

        def counting(*args, **kwargs):
            runs.append(name)
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counting)

    for module in (strawberry_schema, extensions):
        counted(module, "parse")
    for module in (strawberry_schema, extensions):
        counted(module, "validate_document")
    query = "query RepeatedForTheCache { doctors { id name } }"
    for _ in range(3):
        await gql(query)

    assert sorted(runs) == ["parse", "validate_document"]
