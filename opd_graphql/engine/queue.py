"""Who is seen in what order, who is being seen now, and roughly when the others will be."""

from __future__ import annotations

from datetime import datetime, timedelta

from opd_graphql.engine.model import Day, Slot, Source, Status, Token

WAITING = frozenset({Status.BOOKED, Status.CHECKED_IN})


def queue_order(day: Day) -> list[Token]:
    """Seated tokens: EMERGENCY first, then by slot start, then by rank."""
    slots = _slots_by_id(day)

    def position(token: Token) -> tuple[bool, datetime, tuple[int, datetime, int]]:
        return (token.source is not Source.EMERGENCY, _slot_of(slots, token).start, token.rank)

    return sorted((token for token in day.tokens if token.seated), key=position)


def now_serving(day: Day) -> Token | None:
    return next((token for token in day.tokens if token.status is Status.CALLED), None)


def waitlist(day: Day) -> list[Token]:
    """Waitlisted tokens in promotion order: best rank first."""
    waiting = (token for token in day.tokens if token.status is Status.WAITLISTED)
    return sorted(waiting, key=lambda token: token.rank)


def estimated_call_times(day: Day, now: datetime) -> dict[str, datetime]:
    """When each waiting (BOOKED or CHECKED_IN) token should be called, by its id.

    Walks the queue order from `now`, each consultation taking its own slot's
    `(end - start) / capacity`, and never calls a token before its slot starts. The
    engine does not know when the CALLED token was called, so its consultation is
    counted as a whole one starting now: estimates err late rather than early.
    """
    slots = _slots_by_id(day)
    cursor = now
    serving = now_serving(day)
    if serving is not None:
        cursor = now + consultation_length(_slot_of(slots, serving))
    estimates: dict[str, datetime] = {}
    for token in queue_order(day):
        if token.status not in WAITING:
            continue
        slot = _slot_of(slots, token)
        estimates[token.id] = max(cursor, slot.start)
        cursor = estimates[token.id] + consultation_length(slot)
    return estimates


def consultation_length(slot: Slot) -> timedelta:
    return (slot.end - slot.start) / slot.capacity


def _slots_by_id(day: Day) -> dict[str, Slot]:
    return {slot.id: slot for slot in day.slots}


def _slot_of(slots: dict[str, Slot], token: Token) -> Slot:
    if token.slot_id not in slots:
        raise ValueError(f"Token {token.id} is {token.status.value} without a known slot.")
    return slots[token.slot_id]
