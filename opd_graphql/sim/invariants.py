"""The rules a simulated day must never break, checked against the replayed events.

Each check returns human-readable violations; an empty list means the rule held.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from opd_graphql.engine import SEATED, EventKind, Source, Status
from opd_graphql.sim.replay import UNSEATED, DayReplay, SlotInfo, TokenState

# Where each final status is counted in the report: every token ends in exactly one.
BUCKETS = {
    Status.COMPLETED: "completed",
    Status.NO_SHOW: "noShows",
    Status.CANCELLED: "cancellations",
    Status.REJECTED: "rejected",
    Status.EXPIRED: "waitlistedRemaining",
}


def capacity(day: DayReplay, label: str) -> list[str]:
    """No slot over capacity, except by an emergency overbooking it."""
    found = []
    for slot in day.slots:
        holders = day.holders(slot.id)
        others = sum(t.source is not Source.EMERGENCY for t in holders)
        if len(holders) > slot.capacity and (
            others > slot.capacity or slot.id not in day.overbooked
        ):
            found.append(
                f"{label} {_window(slot)} holds {len(holders)} tokens for {slot.capacity} "
                f"places ({others} not emergencies) without an emergency overbooking it"
            )
    return found


def states(day: DayReplay, label: str) -> list[str]:
    """Every token has exactly one state: a slot when seated, none when not, one called."""
    found = []
    for token in day.tokens.values():
        if token.status is None:
            found.append(f"{label} {token.number} has no event putting it in any state")
        elif token.status in SEATED and token.slot_id not in day.slot_by_id:
            found.append(f"{label} {token.number} is {token.status.value} without a slot")
        elif token.status in UNSEATED and token.slot_id is not None:
            found.append(f"{label} {token.number} is {token.status.value} but holds a slot")
    called = [t.number for t in day.tokens.values() if t.status is Status.CALLED]
    if len(called) > 1:
        found.append(f"{label} has {len(called)} patients called at once: {', '.join(called)}")
    return found


def waitlist(day: DayReplay, label: str, now: datetime) -> list[str]:
    """Nobody waits on the waitlist while an open slot has a free place (spill NEXT_SLOT)."""
    waiting = [t for t in day.tokens.values() if t.status is Status.WAITLISTED]
    if not waiting:
        return []
    first = min(waiting, key=lambda t: t.rank)
    free = [
        slot for slot in day.slots if now < slot.end and len(day.holders(slot.id)) < slot.capacity
    ]
    return [
        f"{label} left {first.number} waitlisted while {_window(slot)} had a free place"
        for slot in free
    ]


def call_order(
    label: str, expected: TokenState | None, called: str | None, numbers: Mapping[str, str]
) -> list[str]:
    """callNext called the first checked-in token in queue order, as read before the call."""
    want = None if expected is None else expected.id
    if called == want:
        return []
    return [
        f"{label} callNext called {numbers.get(called or '', 'nobody')} but "
        f"{'nobody' if expected is None else expected.number} was first in queue order"
    ]


def events_agree(
    day: DayReplay, label: str, stored: Sequence[tuple[int, str, EventKind]]
) -> list[str]:
    """The outbox holds exactly the events the day was replayed from, in the same order."""
    if list(stored) == day.applied:
        return []
    seen = len(day.applied)
    return [f"{label}'s outbox holds {len(stored)} events, not the {seen} replayed, in order"]


def stored_agrees(day: DayReplay, label: str, stored: Mapping[str, Status]) -> list[str]:
    """The tokens as stored are in the states their events put them in."""
    found = []
    for token in day.tokens.values():
        actual = stored.get(token.id)
        if actual is not token.status:
            found.append(
                f"{label} {token.number} is stored as {actual and actual.value} but its events "
                f"say {token.status and token.status.value}"
            )
    return found


def final_states(day: DayReplay, label: str) -> list[str]:
    """At the end of the day every token is in one of the report's five buckets."""
    return [
        f"{label} {t.number} ended the day {t.status and t.status.value}, in no bucket"
        for t in day.tokens.values()
        if t.status not in BUCKETS
    ]


def conservation(buckets: Mapping[str, int], booked: int) -> list[str]:
    """completed + noShows + cancellations + rejected + waitlistedRemaining == tokensBooked."""
    if sum(buckets.values()) == booked:
        return []
    counted = " + ".join(f"{name} {count}" for name, count in buckets.items())
    return [f"{counted} = {sum(buckets.values())}, but {booked} tokens were booked"]


def _window(slot: SlotInfo) -> str:
    return f"{slot.start:%H:%M}-{slot.end:%H:%M}"
