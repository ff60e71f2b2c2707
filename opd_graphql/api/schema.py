"""The GraphQL schema, with its guards: masked errors, parser and validation caches."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache

from opd_graphql.api.mutations import Mutation
from opd_graphql.api.queries import Query
from opd_graphql.api.subscriptions import Subscription


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
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ],
)
