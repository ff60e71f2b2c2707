"""GraphQL operations sent over HTTP, executed on graphql-core directly.

Every front desk, doctor's console and script sends its operations as a JSON POST.
Strawberry's view would take each through its request adapters, extension runner and
execution context: a tenth of a booking's instructions on top of the execution itself.
This runs the same schema, the same checks and masking (extensions.py) and Strawberry's
own executor, without the layers between, for POST and for queries sent by GET alike.
Strawberry's view keeps GraphiQL and subscriptions over WebSocket.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from graphql import ExecutionResult, GraphQLError, OperationType, get_operation_ast
from graphql import execute as execute_document
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from opd_graphql.api.extensions import checked_document, mask, record_operation
from opd_graphql.api.schema import Schema


class BadRequest(Exception):
    """A request that is not a GraphQL operation at all: a 4xx, and nothing runs."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Operation:
    """What a request asks for, as sent; by GET, it may only ask for a query."""

    def __init__(self, body: Any, *, read_only: bool = False) -> None:
        self.read_only = read_only
        if isinstance(body, list):
            raise BadRequest("Batching is not enabled")
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object.")
        self.query = _field(body, "query", str)
        self.variables = _field(body, "variables", dict)
        self.name = _field(body, "operationName", str)
        _field(body, "extensions", dict)
        if not self.query:
            raise BadRequest("No GraphQL query found in the request")


def _field(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if value is not None and not isinstance(value, kind):
        what = "a string" if kind is str else "an object"
        raise BadRequest(f"The GraphQL operation's `{name}` must be {what} or null, if provided.")
    return value


async def read_operation(request: Request) -> Operation:
    if request.method == "GET":
        return Operation(_from_params(request.query_params), read_only=True)
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise BadRequest("Unsupported content type")
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError) as error:  # not JSON, not UTF-8, or nested too deep
        raise BadRequest("Unable to parse request body as JSON") from error
    return Operation(body)


def _from_params(params: QueryParams) -> dict[str, Any]:
    body: dict[str, Any] = dict(params)
    for name in ("variables", "extensions"):
        try:
            body[name] = json.loads(body[name]) if body.get(name) else None
        except (ValueError, RecursionError) as error:
            raise BadRequest(f"The `{name}` parameter is not JSON.") from error
    return body


async def execute(schema: Schema, operation: Operation, context: object) -> ExecutionResult:
    """The operation's result, with unexpected errors logged and masked."""
    started = time.perf_counter()
    document, errors = checked_document(schema._schema, operation.query)
    chosen = None if document is None else get_operation_ast(document, operation.name)
    if errors:
        result = ExecutionResult(None, list(errors))
    elif document is None or chosen is None:
        raise BadRequest(
            f'Unknown operation named "{operation.name}".'
            if operation.name
            else "Must provide operation name if query contains multiple operations."
        )
    elif chosen.operation is OperationType.SUBSCRIPTION:
        raise BadRequest("Subscriptions are served over WebSocket (graphql-transport-ws).")
    elif chosen.operation is OperationType.MUTATION and operation.read_only:
        raise BadRequest("Mutations are sent by POST, not GET.")
    else:
        outcome = execute_document(
            schema._schema,
            document,
            context_value=context,
            variable_values=operation.variables,
            operation_name=operation.name,
            executor_class=schema.execution_context_class,
        )
        result = outcome if isinstance(outcome, ExecutionResult) else await outcome
        if result.errors:
            schema.process_errors(result.errors)
    mask(result)
    record_operation(
        operation.name,
        None if chosen is None else chosen.operation.value,
        getattr(context, "viewer", None),
        time.perf_counter() - started,
        len(result.errors or []),
    )
    return result


def result_response(result: ExecutionResult, status: int | None = None) -> Response:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    if status is None:
        status = 400 if refused(body) else 200
    content = json.dumps(body, separators=(",", ":"))
    return Response(content, status_code=status, media_type="application/json")


def refused(body: Mapping[str, Any]) -> bool:
    """A document that does not parse or validate, or variables that do not fit it, were
    never executed: the client's fault. Errors raised while executing carry a path; those
    stay 200 with partial data.
    """
    errors = body.get("errors") or []
    return (
        body.get("data") is None
        and bool(errors)
        and all(isinstance(e, dict) and "path" not in e for e in errors)
    )


def bad_request(message: str, status: int = 400) -> Response:
    error = GraphQLError(message, extensions={"code": "BAD_REQUEST"})
    return result_response(ExecutionResult(None, [error]), status)
