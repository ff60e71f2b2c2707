from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import strawberry

from opd_graphql.api.types.enums import TokenEventKind
from opd_graphql.store import documents

if TYPE_CHECKING:
    from opd_graphql.api.types.slot import Slot
    from opd_graphql.api.types.token import Token


@strawberry.type(description="One thing that happened to a token, and what caused it.")
class TokenEvent:
    at: dt.datetime
    kind: TokenEventKind
    note: str | None
    slot_id: strawberry.Private[str | None]
    caused_by_id: strawberry.Private[str | None]

    @classmethod
    def from_document(cls, doc: documents.TokenEvent, tz: ZoneInfo) -> TokenEvent:
        return cls(
            at=doc.at.astimezone(tz),
            kind=doc.kind,
            note=doc.note,
            slot_id=None if doc.slot_id is None else str(doc.slot_id),
            caused_by_id=None if doc.caused_by is None else str(doc.caused_by),
        )

    @strawberry.field
    async def slot(
        self, info: strawberry.Info
    ) -> Annotated[Slot, strawberry.lazy("opd_graphql.api.types.slot")] | None:
        from opd_graphql.api.types.slot import Slot

        if self.slot_id is None:
            return None
        doc = await info.context.slots.load(self.slot_id)
        return None if doc is None else Slot.from_document(doc, info.context.service.timezone)

    @strawberry.field(name="causedBy", description="The token whose arrival or exit caused this.")
    async def caused_by(
        self, info: strawberry.Info
    ) -> Annotated[Token, strawberry.lazy("opd_graphql.api.types.token")] | None:
        from opd_graphql.api.types.token import Token

        if self.caused_by_id is None:
            return None
        doc = await info.context.tokens.load(self.caused_by_id)
        return None if doc is None else Token.from_document(doc, info.context.service.timezone)
