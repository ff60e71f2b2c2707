"""`opd-graphql serve`: refuses to expose an open server, says so loudly when it is open."""

from __future__ import annotations

import ipaddress
import logging
import logging.config

import uvicorn

from opd_graphql.api.app import create_app
from opd_graphql.api.graphql_view import MAX_MESSAGE_BYTES
from opd_graphql.core.config import Settings
from opd_graphql.core.logs import LOG_CONFIG

log = logging.getLogger("opd_graphql")


class UnsafeBind(Exception):
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


def serve(host: str, port: int, settings: Settings | None = None) -> None:
    settings = settings or Settings.from_env()
    check_bind(settings, host)
    logging.config.dictConfig(LOG_CONFIG)
    if settings.open_mode:
        log.warning(
            "OPEN DEVELOPMENT MODE: OPD_API_KEYS is not set, so every caller may do "
            "everything. Never run a hospital like this."
        )
    uvicorn.run(
        create_app(settings),
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
