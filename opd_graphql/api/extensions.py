"""The schema's guard on every operation: limits, masked errors, one log line."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from graphql import GraphQLError
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


def is_unexpected(error: GraphQLError) -> bool:
    # Errors without an original exception are the client's own (syntax, validation,
    # errors raised on purpose as GraphQLError): those are safe and useful to show.
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


class OperationGuard(SchemaExtension):
    """Limits each document, masks unexpected errors and logs the operation.

    One extension rather than Strawberry's AddValidationRules, MaxTokensLimiter and
    MaskErrors beside a log of our own: each extension costs every request hooks of its
    own, and those four were about 8% of a booking's CPU.
    """

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = (*context.validation_rules, *LIMIT_RULES)
        context.parse_options["max_tokens"] = MAX_TOKENS
        started = time.perf_counter()
        yield
        result = context.result
        _mask(result)
        kind = context.operation_type.value if context.operation_type else None
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
