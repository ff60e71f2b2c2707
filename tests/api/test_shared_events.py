from __future__ import annotations

from collections.abc import AsyncGenerator

import pytest
import strawberry

from opd_graphql.api.extensions import OperationGuard
from opd_graphql.api.shared_events import SharedEventExecution
from opd_graphql.core.security import Role, Viewer


@strawberry.type
class Board:
    name: str
    executions: strawberry.Private[list[str]]

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        self.executions.append(self.name)
        return self.name.upper() * times


class Context:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer


@pytest.fixture
def schema():
    executions: list[str] = []
    board = Board(name="day", executions=executions)

    @strawberry.type
    class Query:
        ok: bool = True

    @strawberry.type
    class Subscription:
        @strawberry.subscription
        async def board(self) -> AsyncGenerator[Board, None]:
            yield board  # every subscriber gets the same object, as screens of a day do

    schema = strawberry.Schema(
        query=Query,
        subscription=Subscription,
        execution_context_class=SharedEventExecution,
        extensions=[OperationGuard],  # as the app's: one parsed document per query text
    )
    return schema, executions


async def first_result(schema, document, viewer):
    stream = await schema.subscribe(document, context_value=Context(viewer))
    result = await anext(stream)
    await stream.aclose()
    return result


async def test_one_execution_serves_every_subscriber_with_the_same_question(schema):
    schema, executions = schema
    screen = Viewer(Role.DISPLAY, "screens")

    answers = [
        await first_result(schema, "subscription { board { shout } }", screen) for _ in range(3)
    ]

    assert [a.data for a in answers] == [{"board": {"shout": "DAY"}}] * 3
    assert len({id(a) for a in answers}) == 3  # each its own result to send
    assert executions == ["day"]


async def test_another_document_or_viewer_is_executed_for_itself(schema):
    schema, executions = schema
    screen = Viewer(Role.DISPLAY, "screens")
    desk = Viewer(Role.STAFF, "desk")

    twice = await first_result(schema, "subscription { board { shout(times: 2) } }", screen)
    once = await first_result(schema, "subscription { board { shout } }", screen)
    at_the_desk = await first_result(schema, "subscription { board { shout } }", desk)

    assert twice.data == {"board": {"shout": "DAYDAY"}}
    assert once.data == at_the_desk.data == {"board": {"shout": "DAY"}}
    assert executions == ["day", "day", "day"]
