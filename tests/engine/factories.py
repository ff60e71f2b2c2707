"""Small builders for engine tests: slots on one fixed date, tokens, days, applying plans."""

from __future__ import annotations

from datetime import UTC, datetime

from opd_graphql.engine import Day, EventKind, Plan, Slot, Source, Status, Token


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 1, 6, hour, minute, tzinfo=UTC)


MORNING = at(8)  # before any slot starts


def slot(i: int, capacity: int = 2, *, closed: bool = False) -> Slot:
    """Slot `S{i}` from 09:00 + i hours, one hour long."""
    return Slot(id=f"S{i}", start=at(9 + i), end=at(10 + i), capacity=capacity, closed=closed)


def token(
    seq: int,
    source: Source = Source.WALK_IN,
    *,
    slot_id: str | None = None,
    status: Status | None = None,
    queued_at: datetime = MORNING,
    displacements: int = 0,
    places: int = 1,
    skips: int = 0,
    recall_in: int = 0,
) -> Token:
    """Token `T{seq}`: BOOKED when given a slot, else WAITLISTED, unless `status` says."""
    if status is None:
        status = Status.BOOKED if slot_id is not None else Status.WAITLISTED
    return Token(
        id=f"T{seq}",
        seq=seq,
        source=source,
        status=status,
        queued_at=queued_at,
        slot_id=slot_id,
        displacements=displacements,
        places=places,
        skips=skips,
        recall_in=recall_in,
    )


def new(
    seq: int, source: Source = Source.WALK_IN, queued_at: datetime = MORNING, *, places: int = 1
) -> Token:
    """A token as the service hands it to `book`: status and slot are placeholders."""
    return token(seq, source, status=Status.BOOKED, queued_at=queued_at, places=places)


def day(slots: list[Slot], tokens: list[Token] | None = None) -> Day:
    return Day(slots=tuple(slots), tokens=tuple(tokens or ()))


def apply(current: Day, plan: Plan) -> Day:
    """The day after a plan, built plainly: tokens and slots replaced by id, new tokens
    appended, gone tokens removed."""
    changed = {t.id: t for t in plan.tokens}
    kept = tuple(changed.pop(t.id, t) for t in current.tokens if t.id not in plan.gone)
    slots = {s.id: s for s in plan.slots}
    return Day(
        slots=tuple(slots.get(s.id, s) for s in current.slots),
        tokens=kept + tuple(changed.values()),
    )


def moves(plan: Plan) -> list[tuple[str, EventKind, str | None, str | None]]:
    """The plan's events as (token, kind, slot, caused_by) tuples, for compact asserts."""
    return [(e.token_id, e.kind, e.slot_id, e.caused_by) for e in plan.events]


def placement(plan: Plan) -> dict[str, tuple[Status, str | None]]:
    """Each changed token's final (status, slot)."""
    return {t.id: (t.status, t.slot_id) for t in plan.tokens}
