from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry
from beanie import PydanticObjectId

from opd_graphql.api.permissions import READ, check_may_follow, viewer
from opd_graphql.api.queries import known_doctor
from opd_graphql.api.types.errors import as_graphql_error
from opd_graphql.api.types.queue import Queue
from opd_graphql.api.types.token import Token
from opd_graphql.live.feeds import day_views
from opd_graphql.service import tokens
from opd_graphql.service.errors import NotFound


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The doctor-day's queue now, then after every change.",
        permission_classes=[READ],
    )
    async def queue_updated(
        self, info: strawberry.Info, doctor_id: strawberry.ID, date: dt.date
    ) -> AsyncGenerator[Queue, None]:
        context = info.context
        doctor = await known_doctor(info, doctor_id)
        assert doctor.id is not None
        async for view in day_views(context.service, context.broker, doctor.id, date.isoformat()):
            context.forget()
            context.know(view)
            yield Queue.from_view(view)

    @strawberry.subscription(
        description="The token now, then after every change to its day. A patient's app may "
        "follow only the tokens it booked.",
        permission_classes=[READ],
    )
    async def token_updated(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> AsyncGenerator[Token, None]:
        context = info.context
        token_id, day = await _followed(info, id)
        moved_at = None  # when the token left the day followed before, if it did
        while True:
            async with aclosing(day_views(context.service, context.broker, *day)) as views:
                async for view in views:
                    context.forget()
                    context.know(view)
                    # A token still in play is in the shared view, and answers from it: the
                    # loaders are the connection's, which its other subscriptions reset.
                    # Only a finished token, or one transferred to another day, is read.
                    current = view.live.get(token_id)
                    read_with = view if current is not None else None
                    if current is None:
                        current = await tokens.get_token(id)
                    if moved_at is not None and current.updated_at == moved_at:
                        moved_at = None
                        continue  # the transfer itself, sent from the day it left
                    moved_at = None
                    yield Token.from_document(current, context.service.timezone, read_with)
                    if (current.doctor_id, current.date) != day:
                        moved_at = current.updated_at
                        break  # transferred: follow it on its new day
                else:
                    return
            day = (current.doctor_id, current.date)


async def _followed(
    info: strawberry.Info, id: strawberry.ID
) -> tuple[str, tuple[PydanticObjectId, str]]:
    """The token's id and day, once the caller may follow it. Only these are kept while
    the subscription lasts, not the token as read."""
    try:
        token = await tokens.get_token(id)
    except NotFound as error:
        raise as_graphql_error(error) from None
    check_may_follow(viewer(info), token.booked_by)
    return str(token.id), (token.doctor_id, token.date)
