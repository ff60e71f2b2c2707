"""The GraphQL schema, its limits and its guard (extensions.py)."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.types import ExecutionContext

from opd_graphql.api.context import OwnLoaders
from opd_graphql.api.extensions import OperationGuard, is_unexpected
from opd_graphql.api.mutations import Mutation
from opd_graphql.api.queries import Query
from opd_graphql.api.subscriptions import Subscription

log = logging.getLogger("opd_graphql.errors")

# Generous for every screen and console we know of, small enough that one request
# cannot make the server walk the whole hospital.
MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
# These two limiters make a new rule class each time one is made, and a subscription
# keeps its own for as long as it lasts: made once here, the rules serve every operation.
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
    extensions=[
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(LIMIT_RULES),
        OwnLoaders,
        OperationGuard,
    ],
)
