from __future__ import annotations

import strawberry

from opd_graphql.api.types.slot import Slot


@strawberry.type
class SlotList:
    slots: list[Slot]
