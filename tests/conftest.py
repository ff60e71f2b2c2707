from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest

from opd_graphql.service.context import ServiceContext
from opd_graphql.store.connection import init_database, make_client
from opd_graphql.store.embedded import EmbeddedDatabase


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.moment = now

    def __call__(self) -> datetime:
        return self.moment

    def set(self, hour: int, minute: int = 0) -> None:
        self.moment = self.moment.replace(hour=hour, minute=minute)


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real database server for the whole run; each test gets its own database in it."""
    with EmbeddedDatabase(tmp_path_factory.mktemp("embedded"), test_commands=True) as server:
        yield server.uri


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2030, 1, 10, 7, 0, tzinfo=UTC))


@pytest.fixture
def db_name() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def service(mongo_uri: str, db_name: str, clock: FakeClock) -> AsyncIterator[ServiceContext]:
    client = make_client(mongo_uri)
    await init_database(client[db_name])
    yield ServiceContext(client=client, clock=clock)
    await client.drop_database(db_name)
    await client.close()
