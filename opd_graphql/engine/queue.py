"""Who is seen in what order, who is being seen now, and roughly when the others will be."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from itertools import pairwise

from opd_graphql.engine.day import Day
from opd_graphql.engine.model import PRIORITY, SEATED, WAITING, Slot, Source, Status, Token

# Read once: compared with every token of a day, and Status.X is a lookup each time.
CALLED, CHECKED_IN, WAITLISTED = Status.CALLED, Status.CHECKED_IN, Status.WAITLISTED


def queue_order(day: Day) -> list[Token]:
    """Seated tokens in the order they will be seen.

    EMERGENCY first, then by slot start, then by rank; except that a patient held back after
    a skip is shown where `call_next` will call them if nobody else checks in: right after
    the patient called just before them, or at their own place if that is later.
    """
    seated = by_position(day, [token for token in day.tokens if token.status in SEATED])
    calls = call_order([token for token in seated if token.status is CHECKED_IN])
    place = {token.id: number for number, token in enumerate(seated)}
    held = {token.id for token in calls if token.recall_in > 0}
    order = [token for token in seated if token.id not in held]
    for before, token in pairwise([None, *calls]):
        if token is None or token.id not in held:
            continue
        own = next((i for i, t in enumerate(order) if place[t.id] > place[token.id]), len(order))
        after = 0 if before is None else next(i for i, t in enumerate(order) if t is before) + 1
        order.insert(max(own, after), token)
    return order


def call_order(checked_in: list[Token]) -> list[Token]:
    """The order `call_next` calls these checked-in tokens (given in position order) if nobody
    else checks in.

    Next is the first whose `recall_in` is 0; when every one is held back, the one whose hold
    ends soonest. Each call lowers the others' `recall_in` by one.
    """
    place = {token.id: number for number, token in enumerate(checked_in)}
    ready = deque(token for token in checked_in if token.recall_in == 0)
    held = [token for token in checked_in if token.recall_in > 0]
    recall = {token.id: token.recall_in for token in held}
    order = []
    while ready or held:
        due = next((token for token in held if recall[token.id] == 0), None)
        if due is not None and (not ready or place[due.id] < place[ready[0].id]):
            called = due
            held.remove(called)
        elif ready:
            called = ready.popleft()
        else:
            called = min(held, key=lambda token: recall[token.id])
            held.remove(called)
        order.append(called)
        for token in held:
            recall[token.id] = max(0, recall[token.id] - 1)
    return order


def by_position(day: Day, tokens: list[Token]) -> list[Token]:
    """Seated tokens by queue position: EMERGENCY first, then slot start, then rank."""
    starts = {slot.id: slot.start for slot in day.slots}
    emergency = Source.EMERGENCY

    def position(token: Token) -> tuple[bool, datetime, int, datetime, int]:
        if token.slot_id not in starts:
            raise _without_slot(token)
        source = token.source
        start = starts[token.slot_id]
        return (source is not emergency, start, PRIORITY[source], token.queued_at, token.seq)

    return sorted(tokens, key=position)


def now_serving(day: Day) -> Token | None:
    return next((token for token in day.tokens if token.status is CALLED), None)


def waitlist(day: Day) -> list[Token]:
    """Waitlisted tokens in promotion order: best rank first."""
    waiting = (token for token in day.tokens if token.status is WAITLISTED)
    return sorted(waiting, key=lambda token: token.rank)


def estimated_call_times(day: Day, now: datetime) -> dict[str, datetime]:
    """When each waiting (BOOKED or CHECKED_IN) token should be called, by its id.

    Walks the queue order from `now`, each token taking `places` consultations of its own
    slot, and never calls a token before its slot starts. The engine does not know when the
    CALLED token was called, so its consultation is counted as a whole one starting now:
    estimates err late rather than early.
    """
    slots = {slot.id: slot for slot in day.slots}
    cursor = now
    serving = now_serving(day)
    if serving is not None:
        if serving.slot_id not in slots:
            raise _without_slot(serving)
        cursor = now + serving.places * consultation_length(slots[serving.slot_id])
    estimates: dict[str, datetime] = {}
    for token in queue_order(day):
        if token.status not in WAITING:
            continue
        assert token.slot_id is not None  # queue_order refuses seated tokens without a known slot
        slot = slots[token.slot_id]
        estimate = max(cursor, slot.start)
        estimates[token.id] = estimate
        cursor = estimate + token.places * consultation_length(slot)
    return estimates


def consultation_length(slot: Slot) -> timedelta:
    return (slot.end - slot.start) / slot.capacity


def _without_slot(token: Token) -> ValueError:
    return ValueError(f"Token {token.id} is {token.status.value} without a known slot.")
