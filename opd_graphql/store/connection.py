"""Connecting to MongoDB: the configured one, or the embedded database started for us."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from opd_graphql.core.config import Settings
from opd_graphql.store.documents import DOCUMENT_MODELS
from opd_graphql.store.embedded import EmbeddedDatabase


def make_client(uri: str) -> AsyncMongoClient:
    return AsyncMongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000)


async def init_database(database: AsyncDatabase) -> None:
    await init_beanie(database=database, document_models=DOCUMENT_MODELS)


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
