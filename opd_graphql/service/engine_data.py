"""What the engine sees of the stored documents, and what its decisions store."""

from __future__ import annotations

from datetime import datetime

from beanie import PydanticObjectId

from opd_graphql import engine
from opd_graphql.store.documents import Slot, Token, TokenEvent, TokenState


def engine_slot(slot: Slot) -> engine.Slot:
    return engine.Slot(
        id=str(slot.id),
        start=slot.start,
        end=slot.end,
        capacity=slot.capacity,
        closed=slot.closed,
    )


def engine_token(token: Token | TokenState) -> engine.Token:
    return engine.Token(
        id=str(token.id),
        seq=token.seq,
        source=token.source,
        status=token.status,
        queued_at=token.queued_at,
        slot_id=None if token.slot_id is None else str(token.slot_id),
        displacements=token.displacements,
        places=token.places,
        skips=token.skips,
        recall_in=token.recall_in,
    )


def token_event(event: engine.Event, at: datetime) -> TokenEvent:
    return TokenEvent(
        at=at,
        kind=event.kind,
        slot_id=object_id(event.slot_id),
        caused_by=object_id(event.caused_by),
        note=event.note,
    )


def object_id(value: str | None) -> PydanticObjectId | None:
    return None if value is None else PydanticObjectId(value)
