"""Service tests: a service whose client lists the commands it sends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from opd_graphql.service.context import ServiceContext
from opd_graphql.store.connection import init_database


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.names: list[str] = []
        self.sent: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.names.append(event.command_name)
        self.sent.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
async def unconfirmed(service: ServiceContext) -> ServiceContext:
    """A service that gives up on an unconfirmed commit after a second, not a minute."""
    return replace(service, retry_seconds=1.0)


@pytest.fixture
async def counted(mongo_uri, db_name, clock) -> AsyncIterator[tuple[ServiceContext, Commands]]:
    """A service whose client lists the commands it sends."""
    commands = Commands()
    client = AsyncMongoClient(mongo_uri, tz_aware=True, event_listeners=[commands])
    await init_database(client[db_name])
    yield ServiceContext(client=client, clock=clock), commands
    await client.drop_database(db_name)
    await client.close()
