"""Counting the API's instructions per request under callgrind, at a tiny size."""

from __future__ import annotations

import shutil

import pytest
from pymongo import MongoClient

from opd_graphql.bench.instructions import count_instructions


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_a_booking_counts_more_instructions_than_the_least_request(
    mongo_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPD_MONGODB_URI", mongo_uri)

    counts = count_instructions(requests=8, warmup=4)

    assert counts.requests == 8
    # Both are whole requests through HTTP and GraphQL; a booking adds its transaction.
    assert 100_000 < counts.typename < counts.booking
    assert "bookToken" in counts.render() and "after 4 to warm up" in counts.render()
    with MongoClient(mongo_uri) as client:  # the bench cleans up a database it was given
        assert not [n for n in client.list_database_names() if n.startswith("instructions_")]
