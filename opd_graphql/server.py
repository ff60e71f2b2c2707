"""`opd-graphql serve`: refuses to expose an open server, says so loudly when it is open,
and says at start where its pages and its database are."""

from __future__ import annotations

import errno
import ipaddress
import logging
import logging.config
import socket

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opd_graphql.api.app import create_app
from opd_graphql.api.graphql_view import MAX_MESSAGE_BYTES
from opd_graphql.core.config import Settings
from opd_graphql.core.logs import LOG_CONFIG
from opd_graphql.store.connection import DatabaseUnavailable

log = logging.getLogger("opd_graphql")


class UnsafeBind(Exception):
    pass


class CannotListen(Exception):
    pass


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings, host: str) -> None:
    if settings.open_mode and not is_loopback(host) and not settings.allow_open_network:
        raise UnsafeBind(
            f"Refusing to serve on {host} in open development mode: anyone on the network "
            "could read patients' names and change bookings. Set OPD_API_KEYS, or bind "
            "127.0.0.1, or set OPD_ALLOW_OPEN_NETWORK=true if you really mean it."
        )


def check_port(host: str, port: int) -> None:
    """Refuses a port already taken before the database is started for nothing."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise CannotListen(f"Cannot listen on {host}: {reason}.") from None
    with socket.socket(family, kind, proto) as probe:
        # As the server binds: a port left in TIME_WAIT by the last run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise CannotListen(
                    f"Port {port} on {host} is already in use (another opd-graphql serve?): "
                    "stop what uses it, or choose another --port."
                ) from None
            raise CannotListen(f"Cannot listen on {host} port {port}: {error.strerror}.") from None


def base_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def start_lines(host: str, port: int) -> list[str]:
    url = base_url(host, port)
    return [
        f"GraphiQL: {url}/graphql",
        f"boards: {url}/board/DOCTOR_ID and {url}/board/department/NAME",
    ]


class StartReport:
    """The app, with its start told in a few lines rather than a traceback.

    Starlette reports a lifespan that failed with the traceback's text, and the server logs
    it; for a database the operator must fix, the sentence is enough. It is kept in
    `failure` and the report is sent without it.
    """

    def __init__(self, app: ASGIApp, host: str, port: int) -> None:
        self.app = app
        self.lines = start_lines(host, port)
        self.failure: DatabaseUnavailable | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        failed: Message | None = None

        async def report(message: Message) -> None:
            nonlocal failed
            if message["type"] == "lifespan.startup.failed":
                failed = message  # sent once it is known why
                return
            if message["type"] == "lifespan.startup.complete":
                for line in self.lines:
                    log.info(line)
            await send(message)

        try:
            await self.app(scope, receive, report)
        except DatabaseUnavailable as error:
            self.failure = error
            if failed is not None:
                await send({**failed, "message": ""})
            raise
        except BaseException:
            if failed is not None:
                await send(failed)
            raise


def serve(host: str, port: int, settings: Settings | None = None) -> None:
    """Raises UnsafeBind, CannotListen, DatabaseUnavailable (and SettingsError) to be said."""
    settings = settings or Settings.from_env()
    check_bind(settings, host)
    check_port(host, port)
    logging.config.dictConfig(LOG_CONFIG)
    if settings.open_mode:
        log.warning(
            "OPEN DEVELOPMENT MODE: OPD_API_KEYS is not set, so every caller may do "
            "everything. Never run a hospital like this."
        )
    app = StartReport(create_app(settings), host, port)
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=LOG_CONFIG,
            # Each request is logged once, by the operation log, with what matters.
            access_log=False,
            # Compressing every screen's copy of every update cost more CPU than it saves
            # on a hospital's network, and a compressor for each connection.
            ws_per_message_deflate=False,
            # The server closes the connection (1009) before reading a larger message whole.
            ws_max_size=MAX_MESSAGE_BYTES,
        )
    except SystemExit:
        if app.failure is not None:
            raise app.failure from None
        raise
