"""The typed errors a mutation can return: members of its result union, all UserError."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from opd_graphql.api.types.enums import ErrorCode
from opd_graphql.service.errors import Conflict, InvalidInput, NotFound, ServiceError


@strawberry.interface(description="An expected failure: nothing was changed.")
class UserError:
    code: ErrorCode
    message: str
    field: str | None = strawberry.field(
        default=None, description="The input field at fault, when there is one."
    )


@strawberry.type
class ValidationError(UserError):
    pass


@strawberry.type
class NotFoundError(UserError):
    pass


@strawberry.type
class ConflictError(UserError):
    pass


def from_service_error(error: ServiceError) -> ValidationError | NotFoundError | ConflictError:
    if isinstance(error, NotFound):
        return NotFoundError(code=ErrorCode.NOT_FOUND, message=error.message, field=error.field)
    if isinstance(error, Conflict):
        return ConflictError(code=ErrorCode.CONFLICT, message=error.message, field=error.field)
    assert isinstance(error, InvalidInput)
    return ValidationError(code=ErrorCode.BAD_USER_INPUT, message=error.message, field=error.field)


def as_graphql_error(error: ServiceError) -> GraphQLError:
    """For queries and subscriptions, whose results have no union to carry a UserError."""
    return GraphQLError(error.message, extensions={"code": from_service_error(error).code.value})
