"""The Starlette app: GraphQL (and GraphiQL) at /graphql, a health check at /healthz."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from opd_graphql.api import board, graphiql
from opd_graphql.api.graphql_view import AppState, GraphQLApp
from opd_graphql.api.request_id import RequestIdMiddleware
from opd_graphql.core.config import Settings
from opd_graphql.core.metrics import ACTIVE_SUBSCRIPTIONS
from opd_graphql.live.broker import Broker
from opd_graphql.service.context import ServiceContext, utc_now
from opd_graphql.service.expiry import sweep_forever
from opd_graphql.store.connection import connect
from opd_graphql.store.documents import OutboxEvent

log = logging.getLogger("opd_graphql")
HEALTH_TIMEOUT = 2.0


def create_app(
    settings: Settings | None = None, clock: Callable[[], datetime] = utc_now
) -> Starlette:
    settings = settings or Settings.from_env()
    state = AppState()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with connect(settings) as database:
            state.database = database
            state.service = ServiceContext(
                client=database.client,
                timezone=settings.timezone,
                policy=settings.policy,
                clock=clock,
            )
            state.broker = Broker(OutboxEvent.get_pymongo_collection())
            background = [
                asyncio.create_task(state.broker.run(), name="event stream"),
                asyncio.create_task(sweep_forever(state.service), name="expiry sweep"),
            ]
            try:
                yield
            finally:
                for task in background:
                    task.cancel()
                await asyncio.gather(*background, return_exceptions=True)
                await state.service.settle()

    async def healthz(request: Request) -> Response:
        try:
            await asyncio.wait_for(state.database.command("ping"), HEALTH_TIMEOUT)
        except Exception as error:
            log.warning("health check failed: %s", type(error).__name__)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def metrics(request: Request) -> Response:
        if hasattr(state, "broker"):
            ACTIVE_SUBSCRIPTIONS.set(state.broker.subscribers)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    graphql: Any = GraphQLApp(state, settings)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/metrics", metrics),
            *board.routes,
            *graphiql.routes,
        ],
        middleware=[Middleware(RequestIdMiddleware)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
