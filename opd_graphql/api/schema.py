"""The GraphQL schema and its guards: masked errors, caches, and limits on each document."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from opd_graphql.api.mutations import Mutation
from opd_graphql.api.queries import Query
from opd_graphql.api.subscriptions import Subscription

# Generous for every screen and console we know of, small enough that one request
# cannot make the server walk the whole hospital.
MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000


def is_unexpected(error: GraphQLError) -> bool:
    # Errors without an original exception are the client's own (syntax, validation,
    # errors raised on purpose as GraphQLError): those are safe and useful to show.
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=[
        lambda: MaskErrors(should_mask_error=is_unexpected),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ],
)
