"""Connecting to MongoDB: the configured one, or the embedded database started for us."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from opd_graphql.core.config import Settings
from opd_graphql.store.documents import DOCUMENT_MODELS
from opd_graphql.store.embedded import EmbeddedDatabase

# MongoDB 6.0: transactions and change streams as the service uses them.
MIN_WIRE_VERSION = 17


class UnsupportedServer(RuntimeError):
    pass


def make_client(uri: str) -> AsyncMongoClient:
    return AsyncMongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000)


async def init_database(database: AsyncDatabase) -> None:
    check_server(await database.client.admin.command("hello"))
    await init_beanie(database=database, document_models=DOCUMENT_MODELS)


def check_server(hello: Mapping[str, Any]) -> None:
    if hello.get("maxWireVersion", 0) < MIN_WIRE_VERSION:
        raise UnsupportedServer("opd-graphql needs MongoDB 6.0 or later.")


@asynccontextmanager
async def connect(settings: Settings) -> AsyncIterator[AsyncDatabase]:
    """The database for the app's lifetime, with the embedded server stopped on the way out."""
    embedded = None
    uri = settings.mongodb_uri
    if uri is None:
        embedded = EmbeddedDatabase(settings.data_dir)
        uri = embedded.start()
    client = make_client(uri)
    try:
        database = client[settings.db_name]
        await init_database(database)
        yield database
    finally:
        await client.close()
        if embedded is not None:
            embedded.stop()
