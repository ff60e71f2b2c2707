from __future__ import annotations

import strawberry

from opd_graphql.api.types.token import Token


@strawberry.type
class CallNextPayload:
    called: Token | None = strawberry.field(description="Null when nobody is checked in.")
    completed: Token | None = strawberry.field(
        description="The consultation that calling the next patient ended, if one was running."
    )
