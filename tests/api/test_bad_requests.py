from __future__ import annotations

import pytest

from opd_graphql.api.graphql_view import MAX_MESSAGE_BYTES, MAX_QUERY_STRING_BYTES

CREATE_DOCTOR = """
mutation Create($input: CreateDoctorInput!) {
  createDoctor(input: $input) { __typename }
}
"""


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[" * 20_000, "application/json"),  # too deep for the JSON parser
        (b'{"query": "\xff"}', "application/json"),  # not UTF-8
        (b"[1, 2]", "application/json"),
        (b'{"query": 5}', "application/json"),
        (b'{"query": "{ doctors { id } }", "variables": "x"}', "application/json"),
        (b"doctors", "text/plain"),
    ],
)
async def test_a_malformed_request_is_a_4xx_with_a_graphql_error_body(http, body, content_type):
    response = await http.post("/graphql", content=body, headers={"content-type": content_type})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}


async def test_an_oversized_body_is_refused_before_it_is_read(http):
    query = '{"query": "{ doctors { id } }", "padding": "' + "x" * MAX_MESSAGE_BYTES + '"}'
    response = await http.post(
        "/graphql", content=query, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "bytes" in response.json()["errors"][0]["message"]


async def test_an_oversized_body_without_a_length_is_refused_too(http):
    async def chunks():
        yield b'{"query": "{ doctors { id } }", "padding": "'
        for _ in range(MAX_MESSAGE_BYTES // 1000 + 1):
            yield b"x" * 1000
        yield b'"}'

    response = await http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("query", "message"),
    [("{ doctors { id ", "Syntax Error"), ("{ doctors { nope } }", "Cannot query field")],
)
async def test_a_document_that_cannot_run_is_a_400_with_a_graphql_error(http, query, message):
    response = await http.post("/graphql", json={"query": query})
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


async def test_an_error_while_running_stays_a_200_with_its_path(http):
    response = await http.post(
        "/graphql", json={"query": '{ slots(doctorId: "x", date: "2030-01-10") { id } }'}
    )
    assert response.status_code == 200
    assert response.json()["errors"][0]["path"] == ["slots"]


async def test_a_subscription_sent_by_post_is_pointed_to_the_websocket(http):
    query = 'subscription { queueUpdated(doctorId: "x", date: "2030-01-10") { date } }'
    response = await http.post("/graphql", json={"query": query})
    assert response.status_code == 400
    assert "WebSocket" in response.json()["errors"][0]["message"]


async def test_a_query_may_be_sent_by_get(http):
    response = await http.get("/graphql", params={"query": "{ doctors { id } }"})
    assert (response.status_code, response.json()) == (200, {"data": {"doctors": []}})


async def test_a_query_sent_by_get_takes_its_variables_and_operation_name(http):
    for code, department in (("CAR1", "Cardiology"), ("ENT1", "ENT")):
        doctor = {"name": f"Dr {code}", "code": code, "department": department}
        await http.post("/graphql", json={"query": CREATE_DOCTOR, "variables": {"input": doctor}})
    params = {
        "query": "query A { doctors { code } } "
        "query B($d: String) { doctors(department: $d) { code } }",
        "variables": '{"d": "ENT"}',
        "operationName": "B",
    }
    response = await http.get("/graphql", params=params)
    assert (response.status_code, response.json()) == (
        200,
        {"data": {"doctors": [{"code": "ENT1"}]}},
    )


async def test_a_mutation_sent_by_get_is_refused_and_changes_nothing(http):
    doctor = '{"input": {"name": "Dr A", "code": "CAR1", "department": "Cardiology"}}'
    response = await http.get("/graphql", params={"query": CREATE_DOCTOR, "variables": doctor})
    assert response.status_code == 400
    assert "mutations are not allowed when using GET" in response.json()["errors"][0]["message"]
    doctors = await http.post("/graphql", json={"query": "{ doctors { id } }"})
    assert doctors.json() == {"data": {"doctors": []}}


async def test_a_get_with_a_query_string_over_the_limit_is_refused(http):
    padding = "#" + "x" * MAX_QUERY_STRING_BYTES  # a comment: the query itself would run
    response = await http.get("/graphql", params={"query": "{ doctors { id } }" + padding})
    assert response.status_code == 414
    assert "POST" in response.json()["errors"][0]["message"]
    shorter = await http.get("/graphql", params={"query": "{ doctors { id } }" + padding[:1000]})
    assert shorter.json() == {"data": {"doctors": []}}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"query": "{ doctors { id } }", "variables": "{not json"}, "Unable to parse"),
        ({"query": "{ doctors { id } }", "variables": "[1]"}, "`variables` must be an object"),
        ({"query": ""}, "No GraphQL query"),
        ({}, "No GraphQL query"),
        (
            {"query": 'subscription { queueUpdated(doctorId: "x", date: "2030-01-10") { date } }'},
            "WebSocket",
        ),
    ],
)
async def test_a_get_that_is_not_a_query_is_a_400(http, params, message):
    response = await http.get("/graphql", params=params, headers={"accept": "application/json"})
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]
