"""The GraphQL schema and its guards: masked errors, caches, and limits on each document."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from opd_graphql.api.extensions import MaskUnexpectedErrors, OperationLog, is_unexpected
from opd_graphql.api.mutations import Mutation
from opd_graphql.api.queries import Query
from opd_graphql.api.shared_events import SharedEventExecution
from opd_graphql.api.subscriptions import Subscription

log = logging.getLogger("opd_graphql.errors")
# Generous for every screen and console we know of, small enough that one request
# cannot make the server walk the whole hospital.
MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
# The limiters make their validation rules when constructed. Made once here, the rules
# are the same on every request, so the validation cache can answer a repeated
# document; a limiter made per request would make validation run every time.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


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
    extensions=[
        OperationLog,
        MaskUnexpectedErrors,
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ],
)
