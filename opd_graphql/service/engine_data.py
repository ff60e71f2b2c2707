"""What the engine sees of the stored documents, and what its decisions store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId

from opd_graphql import engine
from opd_graphql.store.documents import Slot, Token, TokenEvent


def engine_slot(slot: Slot) -> engine.Slot:
    return engine.Slot(
        id=str(slot.id),
        start=slot.start,
        end=slot.end,
        capacity=slot.capacity,
        closed=slot.closed,
    )


def engine_token(token: Token) -> engine.Token:
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


def allocation_token(stored: Mapping[str, Any]) -> engine.Token:
    """The engine's token from the raw fields `days.token_states` reads."""
    slot_id = stored.get("slot_id")
    return engine.Token(
        id=str(stored["_id"]),
        seq=stored["seq"],
        source=engine.Source(stored["source"]),
        status=engine.Status(stored["status"]),
        queued_at=stored["queued_at"],
        slot_id=None if slot_id is None else str(slot_id),
        displacements=stored.get("displacements", 0),
        places=stored.get("places", 1),
        skips=stored.get("skips", 0),
        recall_in=stored.get("recall_in", 0),
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
