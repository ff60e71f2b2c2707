"""The schema's guard on every operation: limits, cached checks, masked errors, one log line."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, specified_rules
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.schema import validate_document

from opd_graphql.core.logs import request_id
from opd_graphql.core.metrics import OPERATION_SERIES

log = logging.getLogger("opd_graphql.operations")

# Generous for every screen and console we know of, small enough that one request
# cannot make the server walk the whole hospital.
MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
# The limiters make their validation rules when constructed. Made once here, the rules
# are the same on every request, so the validation cache can answer a repeated
# document; rules made per request would make validation run every time.
RULES = (
    *specified_rules,
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
)
MASKED = "Unexpected error."
DOCUMENTS_REMEMBERED = 256  # bounded: a stranger's stream of new documents cannot grow it


def is_unexpected(error: GraphQLError) -> bool:
    # Errors without an original exception are the client's own (syntax, validation,
    # errors raised on purpose as GraphQLError): those are safe and useful to show.
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


class OperationGuard(SchemaExtension):
    """Limits each document, remembers checked ones, masks unexpected errors, logs.

    One extension rather than Strawberry's AddValidationRules, MaxTokensLimiter,
    ParserCache, ValidationCache and MaskErrors beside a log of our own: each extension
    costs every request hooks of its own. Operations sent by POST skip Strawberry's
    execution and call the same checks themselves (operations.py).
    """

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = RULES
        context.parse_options["max_tokens"] = MAX_TOKENS
        if context.query is not None and context.graphql_document is None:
            document, errors = checked_document(context.schema._schema, context.query)
            if document is not None:
                # Strawberry neither parses nor validates a document it is handed with
                # its errors, so the checks run once per distinct document.
                context.graphql_document = document
                context.pre_execution_errors = list(errors)
        started = time.perf_counter()
        yield
        result = context.result
        mask(result)
        # A document that does not parse has no operation type.
        kind = None if context.graphql_document is None else context.operation_type.value
        record_operation(
            context.operation_name,
            kind,
            getattr(context.context, "viewer", None),
            time.perf_counter() - started,
            len(getattr(result, "errors", None) or []),
        )

    def on_stream_result(self, result: object) -> Iterator[None]:
        # A subscription's events, each on its way to the client.
        mask(result)
        yield


@lru_cache(maxsize=DOCUMENTS_REMEMBERED)
def checked_document(
    schema: GraphQLSchema, query: str
) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    """The document and its validation errors, or no document and why it does not parse."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError as error:
        return None, (error,)
    return document, tuple(validate_document(schema, document, RULES))


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
