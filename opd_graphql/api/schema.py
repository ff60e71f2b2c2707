"""The GraphQL schema and its guard (extensions.py): limits, caches, masked errors, a log."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from opd_graphql.api.direct_inputs import build_inputs_directly
from opd_graphql.api.extensions import OperationGuard, is_unexpected
from opd_graphql.api.mutations import Mutation
from opd_graphql.api.queries import Query
from opd_graphql.api.shared_events import SharedEventExecution
from opd_graphql.api.subscriptions import Subscription

log = logging.getLogger("opd_graphql.errors")


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Only our own failures are worth a log line, and never with the variables:
        # they hold patients' names and phones.
        for error in errors:
            if is_unexpected(error):
                log.error("unexpected error in %s", error.path, exc_info=error.original_error)


schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    execution_context_class=SharedEventExecution,
    extensions=[OperationGuard],
)
build_inputs_directly(schema)
