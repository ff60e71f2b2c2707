"""Who is seen in what order, who is being seen now, and roughly when the others will be."""

from __future__ import annotations

from datetime import datetime, timedelta

from opd_graphql.engine.day import Day
from opd_graphql.engine.model import PRIORITY, SEATED, Slot, Source, Status, Token

WAITING = frozenset({Status.BOOKED, Status.CHECKED_IN})
# Members read once: on Python 3.11 every Status.X or Source.X costs a Python-level
# metaclass hook, which adds up over a day's tokens.
CALLED, WAITLISTED, EMERGENCY = Status.CALLED, Status.WAITLISTED, Source.EMERGENCY


def queue_order(day: Day) -> list[Token]:
    """Seated tokens: EMERGENCY first, then by slot start, then by rank."""
    starts = {slot.id: slot.start for slot in day.slots}

    def position(token: Token) -> tuple[bool, datetime, int, datetime, int]:
        if token.slot_id not in starts:
            raise _without_slot(token)
        source = token.source
        start = starts[token.slot_id]
        return (source is not EMERGENCY, start, PRIORITY[source], token.queued_at, token.seq)

    return sorted((token for token in day.tokens if token.status in SEATED), key=position)


def now_serving(day: Day) -> Token | None:
    return next((token for token in day.tokens if token.status is CALLED), None)


def waitlist(day: Day) -> list[Token]:
    """Waitlisted tokens in promotion order: best rank first."""
    waiting = (token for token in day.tokens if token.status is WAITLISTED)
    return sorted(waiting, key=lambda token: token.rank)


def estimated_call_times(day: Day, now: datetime) -> dict[str, datetime]:
    """When each waiting (BOOKED or CHECKED_IN) token should be called, by its id.

    Walks the queue order from `now`, each consultation taking its own slot's
    `(end - start) / capacity`, and never calls a token before its slot starts. The
    engine does not know when the CALLED token was called, so its consultation is
    counted as a whole one starting now: estimates err late rather than early.
    """
    slots = {slot.id: slot for slot in day.slots}
    lengths = {slot.id: consultation_length(slot) for slot in day.slots}
    cursor = now
    serving = now_serving(day)
    if serving is not None:
        if serving.slot_id not in slots:
            raise _without_slot(serving)
        cursor = now + lengths[serving.slot_id]
    estimates: dict[str, datetime] = {}
    for token in queue_order(day):
        if token.status not in WAITING:
            continue
        slot_id = token.slot_id
        assert slot_id is not None  # queue_order refuses seated tokens without a known slot
        estimate = max(cursor, slots[slot_id].start)
        estimates[token.id] = estimate
        cursor = estimate + lengths[slot_id]
    return estimates


def consultation_length(slot: Slot) -> timedelta:
    return (slot.end - slot.start) / slot.capacity


def _without_slot(token: Token) -> ValueError:
    return ValueError(f"Token {token.id} is {token.status.value} without a known slot.")
