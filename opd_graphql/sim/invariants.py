"""The rules a simulated day must never break, checked against the replayed events.

Each check returns human-readable violations; an empty list means the rule held.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
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
    """No slot holds more places than its capacity, except by an emergency overbooking it."""
    found = []
    holding = day.holding()
    for slot in day.slots:
        holders = holding[slot.id]
        held = sum(t.places for t in holders)
        others = sum(t.places for t in holders if t.source is not Source.EMERGENCY)
        if held > slot.capacity and (others > slot.capacity or slot.id not in day.overbooked):
            found.append(
                f"{label} {_window(slot)} holds {held} places for {slot.capacity} "
                f"({others} not emergencies') without an emergency overbooking it"
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
    """Nobody waits on the waitlist while an open slot has the free places they need
    (spill NEXT_SLOT)."""
    waiting = sorted(
        (t for t in day.tokens.values() if t.status is Status.WAITLISTED), key=lambda t: t.rank
    )
    found: list[str] = []
    if not waiting:
        return found
    holding = day.holding()
    for slot in day.slots:
        free = slot.capacity - sum(t.places for t in holding[slot.id])
        fits = next((t for t in waiting if t.places <= free), None)
        if now < slot.end and fits is not None:
            found.append(
                f"{label} left {fits.number} waitlisted while {_window(slot)} had "
                f"{free} free place(s) for its {fits.places}"
            )
    return found


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


def completion(
    label: str, serving: TokenState | None, completed: str | None, numbers: Mapping[str, str]
) -> list[str]:
    """callNext completed the patient being seen, and nobody else."""
    if completed == (serving and serving.id):
        return []
    return [
        f"{label} callNext completed {numbers.get(completed or '', 'nobody')} while "
        f"{serving.number if serving else 'nobody'} was being seen"
    ]


def skip(token: TokenState, skips_before: int, max_skips: int, label: str) -> list[str]:
    """A skip puts the patient back in the queue, or makes them a no-show once they have
    been skipped `max_skips` times already."""
    if skips_before >= max_skips:
        expected, skips = Status.NO_SHOW, skips_before
    else:
        expected, skips = Status.CHECKED_IN, skips_before + 1
    if (token.status, token.skips) == (expected, skips):
        return []
    return [
        f"{label} skipping {token.number} ({skips_before} skip(s) before, at most {max_skips}) "
        f"left it {token.status and token.status.value} with {token.skips} skip(s), "
        f"not {expected.value} with {skips}"
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


Facts = tuple[str, str, int, int]  # (doctor id, number, places, skips)


def facts_agree(day: DayReplay, label: str, stored: Mapping[str, Facts]) -> list[str]:
    """The tokens as stored are on this doctor's day, under the numbers the replay knows them
    by, and hold the places and skips it counted."""
    found = []
    for token in day.tokens.values():
        replayed = (str(day.doctor_id), token.number, token.places, token.skips)
        if stored.get(token.id) != replayed:
            found.append(
                f"{label} {token.number} is stored as (doctor, number, places, skips) "
                f"{stored.get(token.id)} but the replay has {replayed}"
            )
    return found


def counted_once(days: Sequence[tuple[str, DayReplay, Collection[str]]]) -> list[str]:
    """Every token ends the day on exactly one doctor-day, among that doctor's patients.

    `days`: each doctor's label, day and the ids of the tokens of the patients they count.
    """
    found = []
    home: dict[str, str] = {}
    for label, day, counted in days:
        for token in day.tokens.values():
            if token.id in home:
                found.append(f"{token.number} is on both {home[token.id]}'s and {label}'s day")
            home[token.id] = label
        if set(day.tokens) != set(counted):
            found.append(
                f"{label} counts {len(counted)} patient(s) but its day ends with "
                f"{len(day.tokens)} token(s), not the same ones"
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
