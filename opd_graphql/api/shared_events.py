"""A subscription event worked out once for every subscriber who would get the same answer."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from graphql import ExecutionResult, OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from opd_graphql.service.recent import Recent

# (event, operation, result): the event and operation are kept so their ids stay theirs.
_RESULTS: Recent[str, tuple[Any, Any, Any]] = Recent(512)


class SharedEventExecution(StrawberryGraphQLCoreExecutionContext):
    """Every screen of a doctor-day is handed the same Queue object after a change.

    Screens sending the same document with the same variables, as the same viewer, would
    each execute it over that Queue to the same result; it is executed once instead, and
    each gets its own copy of the result. What a viewer may see is part of the key. The
    schema's parser cache makes one query text one document, which is what is compared.
    """

    def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        event, operation = self.root_value, self.operation
        if event is None or operation.operation is not OperationType.SUBSCRIPTION:
            return super().execute_operation(*args, **kwargs)
        viewer = getattr(self.context_value, "viewer", None)
        key = f"{id(event)}:{id(operation)}:{self.variable_values!r}:{viewer!r}"
        known = _RESULTS.get(key)
        if known is None or known[0] is not event or known[1] is not operation:
            result = super().execute_operation(*args, **kwargs)
            if self.is_awaitable(result):
                result = asyncio.ensure_future(result)
            known = (event, operation, result)
            _RESULTS.put(key, known)
        shared = known[2]
        if isinstance(shared, asyncio.Future):
            return _copy_when_done(shared)
        return _copy(cast(ExecutionResult, shared))


async def _copy_when_done(shared: asyncio.Future[ExecutionResult]) -> ExecutionResult:
    # Shielded: a screen that goes away must not cancel the execution for the others.
    return _copy(await asyncio.shield(shared))


def _copy(result: ExecutionResult) -> ExecutionResult:
    errors = None if result.errors is None else list(result.errors)
    return ExecutionResult(data=result.data, errors=errors, extensions=result.extensions)
