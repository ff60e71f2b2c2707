"""The guard on every operation: checked documents remembered, errors masked, one log line."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import DocumentNode, ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from opd_graphql.core.logs import request_id
from opd_graphql.core.metrics import OPERATION_SERIES

log = logging.getLogger("opd_graphql.operations")

MASKED = "Unexpected error."
# What a parsed document holds in memory: its text, and a few hundred bytes per token.
BYTES_PER_TOKEN = 400
DOCUMENTS_BUDGET = 8 * 1024 * 1024


def is_unexpected(error: GraphQLError) -> bool:
    # Errors without an original exception are the client's own (syntax, validation,
    # errors raised on purpose as GraphQLError): those are safe and useful to show.
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


@dataclass(frozen=True)
class Checked:
    document: DocumentNode
    errors: tuple[GraphQLError, ...]  # what validating it found
    size: int  # bytes, roughly


class Documents:
    """Documents parsed and validated lately, by their text, within a budget of bytes.

    Front desks and screens send the same few documents all day: each is checked once. A
    stream of new or huge documents only pushes the oldest out.
    """

    def __init__(self, budget: int = DOCUMENTS_BUDGET) -> None:
        self.budget = budget
        self.size = 0
        self._checked: OrderedDict[str, Checked] = OrderedDict()

    def get(self, query: str) -> Checked | None:
        checked = self._checked.get(query)
        if checked is not None:
            self._checked.move_to_end(query)
        return checked

    def put(self, query: str, document: DocumentNode, errors: list[GraphQLError]) -> None:
        checked = Checked(document, tuple(errors), len(query) + BYTES_PER_TOKEN * _tokens(document))
        if query in self._checked or checked.size > self.budget:
            return
        self._checked[query] = checked
        self.size += checked.size
        while self.size > self.budget:
            _, oldest = self._checked.popitem(last=False)
            self.size -= oldest.size

    def __len__(self) -> int:
        return len(self._checked)


def _tokens(document: DocumentNode) -> int:
    count = 0
    token = document.loc.start_token if document.loc is not None else None
    while token is not None:
        count += 1
        token = token.next
    return count


DOCUMENTS = Documents()


class OperationGuard(SchemaExtension):
    """Remembers checked documents, masks unexpected errors, logs each operation once."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            context = self.execution_context
            result = context.result
            mask(result)
            kind = None
            if context.graphql_document is not None and context.pre_execution_errors is not None:
                kind = context.operation_type.value
            record_operation(
                context.operation_name,
                kind,
                getattr(context.context, "viewer", None),
                time.perf_counter() - started,
                len(getattr(result, "errors", None) or []),
            )

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        known = None if context.query is None else DOCUMENTS.get(context.query)
        if known is not None:
            # Strawberry parses only a document it has not been handed.
            context.graphql_document = known.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        known = None if context.query is None else DOCUMENTS.get(context.query)
        if known is not None:
            # ...and validates only one whose errors it has not been handed.
            context.pre_execution_errors = list(known.errors)
        yield
        if known is None and context.query is not None and context.graphql_document is not None:
            DOCUMENTS.put(
                context.query, context.graphql_document, context.pre_execution_errors or []
            )

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        over_websocket = getattr(context.context, "over_websocket", True)
        if context.operation_type is OperationType.SUBSCRIPTION and not over_websocket:
            # Strawberry would run it as a query and answer null: say where it belongs.
            error = GraphQLError(
                "Subscriptions run over the WebSocket at /graphql, not over HTTP.",
                extensions={"code": "BAD_REQUEST"},
            )
            context.result = ExecutionResult(data=None, errors=[error])
        yield

    def on_stream_result(self, result: object) -> Iterator[None]:
        # A subscription's events, each on its way to the client.
        mask(result)
        yield


def record_operation(
    name: str | None, kind: str | None, viewer: object, seconds: float, errors: int
) -> None:
    """The operation's one log line, and its time in the metrics."""
    if kind != "subscription":
        OPERATION_SERIES(kind or "unknown", name or "").observe(seconds)
    log.info(
        "graphql operation",
        extra={
            "operation": name,
            "kind": kind,
            "role": getattr(viewer, "role", None),
            "durationMs": round(seconds * 1000, 2),
            "errors": errors,
        },
    )


def mask(result: object) -> None:
    errors = getattr(result, "errors", None)
    if errors:
        result.errors = [_masked(e) if is_unexpected(e) else e for e in errors]  # type: ignore[attr-defined]


def _masked(error: GraphQLError) -> GraphQLError:
    """ "Unexpected error." with the request id, so the desk can quote it to support."""
    return GraphQLError(
        MASKED,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id.get()},
    )
