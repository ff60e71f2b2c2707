"""Fields that fail, for the tests of what a client is shown when something does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import strawberry
from graphql import GraphQLError

SECRET = "connection string with a password"


@strawberry.type
class Broken:
    @strawberry.field
    def boom(self) -> str:
        raise RuntimeError(SECRET)

    @strawberry.field
    def refused(self) -> str:
        raise GraphQLError("You may not.", extensions={"code": "FORBIDDEN"})


@strawberry.type
class BrokenFeed:
    @strawberry.subscription
    async def ticks(self) -> AsyncIterator[int]:
        yield 1
        raise RuntimeError(SECRET)


def assert_masked(result: Any, request: str, log_text: str) -> None:
    """`boom`'s error reached the client as "Unexpected error." and the log in full."""
    assert result.errors is not None
    [error] = result.errors
    assert error.message == "Unexpected error."
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR", "requestId": request}
    assert SECRET in log_text
