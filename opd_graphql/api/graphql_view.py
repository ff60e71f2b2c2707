"""The GraphQL endpoint: Strawberry's view, with who is calling and limits on what they send.

Every refusal of a request that is not a GraphQL operation at all (too large, not JSON,
a mutation by GET) is a JSON GraphQL error with a 4xx status, never a plain-text page.
"""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError
from pymongo.asynchronous.database import AsyncDatabase
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from opd_graphql.api import graphiql
from opd_graphql.api.context import Context
from opd_graphql.api.schema import schema
from opd_graphql.core.config import Settings
from opd_graphql.core.security import Unauthenticated, authenticate
from opd_graphql.live.broker import Broker
from opd_graphql.service.context import ServiceContext

MAX_SUBSCRIPTIONS_PER_CONNECTION = 20
# A booking is well under 1 KiB, GraphiQL's largest query about 10 KiB. The same limit
# holds for a WebSocket message as for an HTTP body.
MAX_MESSAGE_BYTES = 64 * 1024
# A query sent by GET: what the proxy in deploy/ lets through in a request line anyway.
MAX_QUERY_STRING_BYTES = 8 * 1024
MESSAGE_TOO_BIG = 1009  # the WebSocket close code for it


class TooLarge(HTTPException):
    def __init__(self, what: str, status: int = 413) -> None:
        super().__init__(status, f"{what} is over {MAX_MESSAGE_BYTES} bytes.")


class AppState:
    """What the app holds while it runs; filled in by the lifespan."""

    database: AsyncDatabase
    service: ServiceContext
    broker: Broker


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, state: AppState, settings: Settings) -> None:
        super().__init__(
            schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            max_subscriptions_per_connection=MAX_SUBSCRIPTIONS_PER_CONNECTION,
        )
        self.state = state
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await super().__call__(scope, _limited_messages(receive), send)
            return
        try:
            if len(scope["query_string"]) > MAX_QUERY_STRING_BYTES:
                raise HTTPException(
                    414,
                    f"The query string is over {MAX_QUERY_STRING_BYTES} bytes: "
                    "send the operation by POST.",
                )
            request = Request(scope, receive=_limited_body(receive))
            if int(request.headers.get("content-length") or 0) > MAX_MESSAGE_BYTES:
                raise TooLarge("The request body")
            response = await self.run(request)
        except HTTPException as refusal:
            response = bad_request(refusal.reason, refusal.status_code)
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        context = Context(
            service=self.state.service,
            broker=self.state.broker,
            over_websocket=isinstance(request, WebSocket),
        )
        self._authenticate(context, request.headers.get("authorization"))
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

    def decode_json(self, data: str | bytes) -> object:
        try:
            return super().decode_json(data)
        except (RecursionError, UnicodeDecodeError) as error:
            # Nested too deep, or not UTF-8: as malformed as any other bad JSON.
            raise HTTPException(400, "Unable to parse request body as JSON") from error

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql.page(), headers=graphiql.PAGE_HEADERS)

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if isinstance(response_data, dict) and refused(response_data):
            response.status_code = 400
        return response


def refused(body: GraphQLHTTPResponse) -> bool:
    """A document that does not parse or validate, or variables that do not fit it, was
    never executed: the client's fault. Errors raised while executing carry a path; those
    stay 200 with partial data.
    """
    errors: list[Any] = list(body.get("errors") or [])
    return (
        body.get("data") is None and bool(errors) and all("path" not in error for error in errors)
    )


def bad_request(message: str, status: int) -> Response:
    error = GraphQLError(message, extensions={"code": "BAD_REQUEST"})
    content = json.dumps({"data": None, "errors": [error.formatted]})
    return Response(content, status_code=status, media_type="application/json")


def _limited_body(receive: Receive) -> Receive:
    """The body as it arrives, refused past the limit even when no length was announced."""
    seen = 0

    async def receive_limited() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_MESSAGE_BYTES:
            raise TooLarge("The request body")
        return message

    return receive_limited


def _limited_messages(receive: Receive) -> Receive:
    """WebSocket messages, the connection ended at the first one past the limit."""

    async def receive_limited() -> Message:
        message = await receive()
        if message["type"] == "websocket.receive":
            text = message.get("text") or ""
            size = len(text.encode("utf-8", "surrogatepass")) + len(message.get("bytes") or b"")
            if size > MAX_MESSAGE_BYTES:
                # The view sees a client that went away, and lets go of all it held for it.
                return {"type": "websocket.disconnect", "code": MESSAGE_TOO_BIG}
        return message

    return receive_limited
