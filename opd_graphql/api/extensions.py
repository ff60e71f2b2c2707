"""Schema extensions: one log line per operation, and unexpected errors masked with an id."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension

from opd_graphql.core.logs import request_id
from opd_graphql.core.metrics import OPERATION_SECONDS

log = logging.getLogger("opd_graphql.operations")


def is_unexpected(error: GraphQLError) -> bool:
    # Errors without an original exception are the client's own (syntax, validation,
    # errors raised on purpose as GraphQLError): those are safe and useful to show.
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    """ "Unexpected error." with the request id, so the desk can quote it to support."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id.get()}
        return masked


class OperationLog(SchemaExtension):
    """Logs each operation's name, kind, role and duration; never its variables."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        viewer = getattr(context.context, "viewer", None)
        result = context.result
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
                "role": getattr(viewer, "role", None),
                "durationMs": round(seconds * 1000, 2),
                "errors": len(getattr(result, "errors", None) or []),
            },
        )
