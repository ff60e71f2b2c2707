from __future__ import annotations

import json
import logging

from opd_graphql.api.extensions import OperationGuard
from opd_graphql.api.schema import Schema
from opd_graphql.core.logs import JsonFormatter, request_id
from tests.api.broken import Broken, BrokenFeed, assert_masked
from tests.api.test_mutations import BOOK, DATE, a_day, a_doctor


def test_an_unexpected_error_is_masked_with_the_request_id_and_logged(caplog):
    schema = Schema(query=Broken, extensions=[OperationGuard])
    token = request_id.set("req-42")
    try:
        result = schema.execute_sync("{ boom }")
    finally:
        request_id.reset(token)

    assert_masked(result, "req-42", caplog.text)


def test_an_error_raised_on_purpose_is_shown_as_it_is():
    schema = Schema(query=Broken, extensions=[OperationGuard])

    result = schema.execute_sync("{ refused }")

    assert result.errors is not None
    [error] = result.errors
    assert (error.message, error.extensions) == ("You may not.", {"code": "FORBIDDEN"})


async def test_an_unexpected_error_in_a_subscription_is_masked():
    schema = Schema(query=Broken, subscription=BrokenFeed, extensions=[OperationGuard])

    # As each event is sent: masking it afterwards would be too late.
    sent = [
        (r.data, [e.message for e in r.errors or []])
        async for r in await schema.subscribe("subscription { ticks }")
    ]

    assert sent == [({"ticks": 1}, []), (None, ["Unexpected error."])]


def test_log_lines_are_json_with_the_request_id():
    record = logging.LogRecord("opd", logging.INFO, "x", 1, "graphql operation", None, None)
    record.operation = "BookToken"
    token = request_id.set("req-7")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["requestId"] == "req-7"
    assert line["operation"] == "BookToken"
    assert line["message"] == "graphql operation"


async def test_operations_are_logged_without_patient_data(gql, http, caplog):
    caplog.set_level(logging.INFO)
    doctor = await a_doctor(gql)
    await a_day(gql, doctor["id"])
    response = await http.post(
        "/graphql",
        json={
            "query": BOOK,
            "operationName": None,
            "variables": {
                "input": {
                    "doctorId": doctor["id"],
                    "date": DATE,
                    "source": "ONLINE",
                    "patient": {"name": "Zebediah Quartermaine", "phone": "not a phone"},
                }
            },
        },
    )

    assert response.json()["data"]["bookToken"]["__typename"] == "ValidationError"
    assert len(response.headers["X-Request-Id"]) == 16
    operations = [r for r in caplog.records if r.name == "opd_graphql.operations"]
    assert operations and all(hasattr(r, "durationMs") for r in operations)
    assert "Zebediah" not in caplog.text
    assert "not a phone" not in caplog.text


async def test_a_document_that_does_not_parse_is_logged_as_one_of_no_kind(gql, caplog):
    caplog.set_level(logging.INFO)

    body = await gql.raw("{ doctors { id ")

    assert "Syntax Error" in body["errors"][0]["message"]
    [line] = [r for r in caplog.records if r.name == "opd_graphql.operations"]
    assert (line.kind, line.errors) == (None, 1)  # type: ignore[attr-defined]
