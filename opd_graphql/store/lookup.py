"""Documents by id, many in one read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from beanie import Document, PydanticObjectId

D = TypeVar("D", bound=Document)


async def by_ids(model: type[D], ids: Iterable[str]) -> dict[str, D]:
    """The documents of `model` with these ids; ids that name none are left out."""
    wanted = [PydanticObjectId(i) for i in ids]
    found = await model.find({"_id": {"$in": wanted}}).to_list() if wanted else []
    return {str(doc.id): doc for doc in found}
