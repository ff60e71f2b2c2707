"""Inserts and updates across collections, sent as one `bulkWrite` command.

The command as MongoDB 8 documents it, sent as it is: PyMongo's client bulk write
sends the same command, but its bookkeeping around it cost about a twentieth of a
booking's CPU. The writes are ordered, and only errors are reported back, so a reply
is small and its first batch holds the one error that stopped the writes, if any.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from pymongo.asynchronous.client_session import AsyncClientSession


class Write(NamedTuple):
    kind: str  # "insert" or "update"
    namespace: str  # "database.collection"
    fields: dict[str, Any]


class WriteRefused(Exception):
    """The database refused a write (a duplicate key, say); the ones after it were not sent.

    `errors` are the command's write errors: each has the `idx` of its write and a `code`.
    """

    def __init__(self, errors: list[Mapping[str, Any]]) -> None:
        super().__init__("; ".join(str(error.get("errmsg")) for error in errors))
        self.errors = errors


def insert(namespace: str, document: Mapping[str, Any]) -> Write:
    return Write("insert", namespace, {"document": document})


def update(
    namespace: str, query: Mapping[str, Any], change: Mapping[str, Any], *, upsert: bool = False
) -> Write:
    return Write(
        "update",
        namespace,
        {"filter": query, "updateMods": change, "upsert": upsert, "multi": False},
    )


async def bulk_write(session: AsyncClientSession, writes: Sequence[Write]) -> int:
    """Send `writes` in order in `session`; returns how many updates upserted."""
    namespaces: dict[str, int] = {}
    # The kind comes first in each operation: the server reads it as the operation's name.
    ops = [
        {kind: namespaces.setdefault(namespace, len(namespaces)), **fields}
        for kind, namespace, fields in writes
    ]
    command = {
        "bulkWrite": 1,
        "ops": ops,
        "nsInfo": [{"ns": namespace} for namespace in namespaces],
        "ordered": True,
        "errorsOnly": True,
    }
    reply = await session.client.admin.command(command, session=session)
    if reply["nErrors"]:
        raise WriteRefused(reply["cursor"]["firstBatch"])
    return int(reply["nUpserted"])
