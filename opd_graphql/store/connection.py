"""Connecting to MongoDB: the configured one, or the embedded database started for us."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConfigurationError, ConnectionFailure, OperationFailure

from opd_graphql.core.config import Settings
from opd_graphql.store.documents import DOCUMENT_MODELS
from opd_graphql.store.embedded import (
    DataDirInUse,
    DataDirUnusable,
    EmbeddedDatabase,
    running_uri,
)

log = logging.getLogger("opd_graphql")
# MongoDB 6.0: transactions and change streams as the service uses them.
MIN_WIRE_VERSION = 17
SERVER_SELECTION_MS = 5000
_REFUSED = {13, 18}  # Unauthorized, AuthenticationFailed


class DatabaseUnavailable(RuntimeError):
    """The database cannot be opened, for a reason the operator can fix: one sentence."""


class UnsupportedServer(DatabaseUnavailable):
    pass


def make_client(uri: str) -> AsyncMongoClient:
    return AsyncMongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=SERVER_SELECTION_MS)


async def init_database(database: AsyncDatabase) -> None:
    check_server(await database.client.admin.command("hello"))
    await init_beanie(database=database, document_models=DOCUMENT_MODELS)


def check_server(hello: Mapping[str, Any]) -> None:
    if hello.get("maxWireVersion", 0) < MIN_WIRE_VERSION:
        raise UnsupportedServer("opd-graphql needs MongoDB 6.0 or later.")


def shown_uri(uri: str) -> str:
    """The scheme and hosts of a MongoDB URI: never its user, password or options."""
    scheme, separator, rest = uri.partition("://")
    if not separator:
        return "(not a mongodb:// address)"
    # After the last "@": a password with an unescaped "/" or "@" still stays hidden.
    hosts = rest.rpartition("@")[2].partition("/")[0].partition("?")[0]
    return f"{scheme}://{hosts}"


@asynccontextmanager
async def connect(
    settings: Settings,
    *,
    share_running: bool = False,
    say: Callable[[str], None] = log.info,
) -> AsyncIterator[AsyncDatabase]:
    """The database for the app's lifetime, with the embedded server stopped on the way out.

    `share_running`: with no OPD_MONGODB_URI, use the embedded database a server runs on
    OPD_DATA_DIR, if there is one, instead of starting one. `say` gets one line saying
    where the database is. Raises DatabaseUnavailable for what the operator can fix.
    """
    embedded = None
    uri = settings.mongodb_uri
    data_dir = settings.data_dir.resolve()
    if uri is not None:
        where = f"{shown_uri(uri)} (OPD_MONGODB_URI)"
    elif share_running and (uri := running_uri(settings.data_dir)) is not None:
        where = f"the embedded database a server runs at {uri}, data in {data_dir}"
    else:
        embedded = EmbeddedDatabase(settings.data_dir)
        uri = _start(embedded, settings)
        where = f"embedded (SecantusDB) at {uri}, data in {data_dir}"
    try:
        client = make_client(uri)
    except (ConfigurationError, ValueError) as error:
        raise DatabaseUnavailable(f"OPD_MONGODB_URI is not a usable address: {error}.") from None
    try:
        database = client[settings.db_name]
        await _init(database, shown_uri(uri), settings)
        say(f"database: {where}, database name {settings.db_name!r}")
        yield database
    finally:
        await client.close()
        if embedded is not None:
            embedded.stop()


def _start(embedded: EmbeddedDatabase, settings: Settings) -> str:
    try:
        return embedded.start()
    except DataDirInUse:
        raise DatabaseUnavailable(
            f"The data directory {settings.data_dir} is in use by another process "
            "(an opd-graphql serve?): stop it, or set OPD_MONGODB_URI, or set OPD_DATA_DIR "
            "to another directory."
        ) from None
    except DataDirUnusable as error:
        reason = str(error)
        raise DatabaseUnavailable(
            f"{reason[:1].upper()}{reason[1:]}: set OPD_DATA_DIR to a directory this user can "
            "write, or set OPD_MONGODB_URI."
        ) from None


async def _init(database: AsyncDatabase, shown: str, settings: Settings) -> None:
    advice = (
        "check OPD_MONGODB_URI and that the database runs"
        if settings.mongodb_uri
        else "it may have stopped"
    )
    try:
        await init_database(database)
    except ConnectionFailure:
        raise DatabaseUnavailable(
            f"No database answered at {shown} within {SERVER_SELECTION_MS // 1000} seconds: "
            f"{advice}."
        ) from None
    except ConfigurationError as error:
        raise DatabaseUnavailable(f"Cannot reach the database at {shown}: {error}.") from None
    except OperationFailure as error:
        if error.code not in _REFUSED:
            raise
        reason = (error.details or {}).get("errmsg") or "refused"
        raise DatabaseUnavailable(
            f"The database at {shown} did not let opd-graphql in ({reason}): check the user "
            "and password in OPD_MONGODB_URI."
        ) from None
