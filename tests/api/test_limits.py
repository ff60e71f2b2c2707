from __future__ import annotations

from graphql import get_introspection_query, parse

from opd_graphql.api.extensions import DOCUMENTS, Documents
from opd_graphql.api.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS


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


async def test_a_repeated_document_is_checked_once_and_reused(gql):
    query = "query RepeatedForTheCache { doctors { id name } }"
    await gql(query)
    first = DOCUMENTS.get(query)

    await gql(query)

    assert first is not None and DOCUMENTS.get(query) is first


def test_documents_stay_within_their_byte_budget():
    documents = Documents(budget=20_000)
    for i in range(200):
        query = f"{{ doctors {{ id a{i}: name }} }}"
        documents.put(query, parse(query), [])

    assert 0 < len(documents) < 200
    assert documents.size <= 20_000
    assert documents.get("{ doctors { id a199: name } }") is not None
    assert documents.get("{ doctors { id a0: name } }") is None


def test_a_document_larger_than_the_budget_is_not_kept():
    documents = Documents(budget=100)
    query = "{ " + "doctors { id } " * 50 + "}"
    documents.put(query, parse(query), [])
    assert len(documents) == 0 and documents.size == 0
