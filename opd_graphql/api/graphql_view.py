"""The GraphQL endpoint: who is calling, and a JSON GraphQL error for every bad request.

Operations sent by POST or GET run in operations.py; Strawberry's view serves GraphiQL
and WebSocket subscriptions.
"""

from __future__ import annotations

from cross_web import HTTPException
from pymongo.asynchronous.database import AsyncDatabase
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from opd_graphql.api.context import Context
from opd_graphql.api.operations import (
    BadRequest,
    bad_request,
    execute,
    read_operation,
    refused,
    result_response,
)
from opd_graphql.api.schema import schema
from opd_graphql.core.config import Settings
from opd_graphql.core.security import Unauthenticated, authenticate
from opd_graphql.live.broker import Broker
from opd_graphql.service.context import ServiceContext

MAX_SUBSCRIPTIONS_PER_CONNECTION = 20
MAX_BODY_BYTES = 64 * 1024  # a booking is well under 1 KiB; GraphiQL's largest query ~10 KiB
# A query sent by GET: what the proxy in deploy/ lets through in a request line anyway.
MAX_QUERY_STRING_BYTES = 8 * 1024


class BodyTooLarge(BadRequest):
    def __init__(self) -> None:
        super().__init__(f"The request body is over {MAX_BODY_BYTES} bytes.", 413)


class AppState:
    """What the app holds while it runs; filled in by the lifespan."""

    database: AsyncDatabase
    service: ServiceContext
    broker: Broker


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, state: AppState, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            max_subscriptions_per_connection=MAX_SUBSCRIPTIONS_PER_CONNECTION,
        )
        self.state = state
        self.settings = settings

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return self.context_for(request.headers.get("authorization"))

    def context_for(self, authorization: str | None) -> Context:
        context = Context(service=self.state.service, broker=self.state.broker)
        self._authenticate(context, authorization)
        return context

    async def on_ws_connect(self, context: Context) -> None:
        # Browsers cannot set headers on a WebSocket: screens send the key here instead.
        params = context.connection_params or {}
        authorization = params.get("Authorization") or params.get("authorization")
        if isinstance(authorization, str):
            self._authenticate(context, authorization)
        if context.auth_error is not None:
            raise ConnectionRejectionError({"message": context.auth_error})

    def _authenticate(self, context: Context, authorization: str | None) -> None:
        try:
            context.viewer = authenticate(
                authorization,
                self.settings.api_keys,
                anonymous_display=self.settings.anonymous_display,
            )
            context.auth_error = None
        except Unauthenticated as refused:
            context.auth_error = str(refused)

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if isinstance(response_data, dict) and refused(response_data):
            response.status_code = 400
        return response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive=_limited(receive))
        try:
            if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
                raise BodyTooLarge
            if len(scope["query_string"]) > MAX_QUERY_STRING_BYTES:
                raise BadRequest(
                    f"The query string is over {MAX_QUERY_STRING_BYTES} bytes: "
                    "send the operation by POST.",
                    414,
                )
            if request.method == "POST" or (
                request.method == "GET" and "query" in request.query_params
            ):
                operation = await read_operation(request)
                context = self.context_for(request.headers.get("authorization"))
                response = result_response(await execute(schema, operation, context))
            else:
                response = await self.run(request)
        except HTTPException as refusal:
            response = bad_request(refusal.reason, refusal.status_code)
        except BadRequest as refusal:
            response = bad_request(str(refusal), refusal.status)
        await response(scope, receive, send)


def _limited(receive: Receive) -> Receive:
    """The body as it arrives, refused past the limit even when no length was announced."""
    seen = 0

    async def receive_limited() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_BODY_BYTES:
            raise BodyTooLarge
        return message

    return receive_limited
