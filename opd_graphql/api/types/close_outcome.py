from __future__ import annotations

import strawberry

from opd_graphql.api.types.slot import Slot
from opd_graphql.api.types.token import Token


@strawberry.type(description="What a closing did.")
class CloseOutcome:
    slots: list[Slot] = strawberry.field(description="The slots this call closed.")
    moved: list[Token] = strawberry.field(description="The tokens it moved, as they are now.")
