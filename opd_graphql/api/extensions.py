"""The schema's guard on every operation: limits, cached checks, masked errors, one log line."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from functools import lru_cache

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension

from opd_graphql.core.logs import request_id
from opd_graphql.core.metrics import OPERATION_SECONDS

log = logging.getLogger("opd_graphql.operations")

# Generous for every screen and console we know of, small enough that one request
# cannot make the server walk the whole hospital.
MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
# The limiters make their validation rules when constructed. Made once here, the rules
# are the same on every request, so the validation cache can answer a repeated
# document; rules made per request would make validation run every time.
LIMIT_RULES = (
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
    costs every request hooks of its own.
    """

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = (*context.validation_rules, *LIMIT_RULES)
        context.parse_options["max_tokens"] = MAX_TOKENS
        if context.query is not None and context.graphql_document is None:
            checked = _checked(context.schema._schema, context.query, context.validation_rules)
            if checked is not None:
                # Strawberry neither parses nor validates a document it is handed with
                # its errors, so the checks below run once per distinct document.
                context.graphql_document, errors = checked
                context.pre_execution_errors = list(errors)
        started = time.perf_counter()
        yield
        result = context.result
        _mask(result)
        # A document that does not parse has no operation type.
        kind = None if context.graphql_document is None else context.operation_type.value
        seconds = time.perf_counter() - started
        if kind != "subscription":
            OPERATION_SECONDS.labels(kind or "unknown", context.operation_name or "").observe(
                seconds
            )
        log.info(
            "graphql operation",
            extra={
                "operation": context.operation_name,
                "kind": kind,
                "role": getattr(getattr(context.context, "viewer", None), "role", None),
                "durationMs": round(seconds * 1000, 2),
                "errors": len(getattr(result, "errors", None) or []),
            },
        )

    def on_stream_result(self, result: object) -> Iterator[None]:
        # A subscription's events, each on its way to the client.
        _mask(result)
        yield


@lru_cache(maxsize=DOCUMENTS_REMEMBERED)
def _checked(
    schema: GraphQLSchema, query: str, rules: tuple[type[ASTValidationRule], ...]
) -> tuple[DocumentNode, tuple[GraphQLError, ...]] | None:
    """A document and its validation errors; None if it does not parse (Strawberry says why)."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None
    return document, tuple(validate(schema, document, rules))


def _mask(result: object) -> None:
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
