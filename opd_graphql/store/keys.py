"""Idempotency keys: written in their booking's transaction, looked up by caller and key."""

from __future__ import annotations

import re
from datetime import datetime

from beanie.operators import In
from pymongo.asynchronous.client_session import AsyncClientSession

from opd_graphql.store.documents import IdempotencyKey, Token


async def find(scope: str, key: str) -> IdempotencyKey | None:
    # One plain filter, which the unique index answers (see days.of_day).
    return await IdempotencyKey.find_one(
        {str(IdempotencyKey.scope): scope, str(IdempotencyKey.key): key}
    )


async def insert(session: AsyncClientSession, kept: IdempotencyKey) -> None:
    await kept.insert(session=session)


async def drop_expired(now: datetime) -> int:
    dropped = await IdempotencyKey.find(IdempotencyKey.expires_at < now).delete()
    return 0 if dropped is None else dropped.deleted_count


async def tokens_booked(prefix: str) -> int:
    """How many stored tokens were booked with a key starting with `prefix`."""
    kept = IdempotencyKey.find({str(IdempotencyKey.key): {"$regex": f"^{re.escape(prefix)}"}})
    booked = [k.token_id async for k in kept]
    return await Token.find(In(Token.id, booked)).count()
