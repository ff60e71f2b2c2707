"""engine.book calls per second of wall time on one busy doctor-day, plans unapplied.

By default every call is on one engine.Day whose slot index is already built, as the service
holds a day between changes; carrying it past a plan (Day.after) is not counted. With
`fresh=True` each call builds the Day from the same token tuple instead and indexes it, as
the first change after the service reads a day from the database does.
"""

from __future__ import annotations

import itertools
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from opd_graphql import engine
from opd_graphql.engine import EventKind, Source, Status

SLOTS = 20
SLOT_LENGTH = timedelta(minutes=20)
OPENS = datetime(2025, 1, 6, 9, tzinfo=UTC)
NOW = OPENS + timedelta(minutes=5)
WALK_IN_HOURS = timedelta(hours=2)
# Walk-ins fill the first two hours; online, follow-up and paid bookings the rest of the day,
# every other one still holding a few walk-ins, so displaced patients cascade.
# New bookings bring enough paid, follow-up and emergency patients to displace.
WALK_IN_HOURS_MIX = {
    Source.WALK_IN: 70,
    Source.ONLINE: 20,
    Source.FOLLOW_UP: 5,
    Source.PAID: 3,
    Source.EMERGENCY: 2,
}
BOOKED_AHEAD_MIX = {
    Source.ONLINE: 55,
    Source.FOLLOW_UP: 16,
    Source.PAID: 14,
    Source.EMERGENCY: 3,
}
BOOKING_MIX = {
    Source.WALK_IN: 30,
    Source.ONLINE: 34,
    Source.FOLLOW_UP: 12,
    Source.PAID: 16,
    Source.EMERGENCY: 8,
}
BOOKINGS = 1024
CHECKED_SAMPLE = 256


def allocations_per_second(
    tokens: int = 1000, seconds: float = 1.0, seed: int = 0, *, fresh: bool = False
) -> float:
    """Bookings decided a second on a doctor-day of `tokens` tokens, its slot index built once.

    With `fresh`, each booking is decided on a Day built and indexed anew from the same tokens.
    """
    rng = random.Random(seed)
    waitlisted = max(1, tokens // 100)
    slots = _slots(rng, places=tokens - waitlisted)
    loaded = _loaded_tokens(rng, slots, waitlisted)
    bookings = _bookings(rng, slots, first_seq=tokens + 1)
    policy = engine.Policy()
    held = engine.Day(slots=slots, tokens=loaded)
    _check_hard_path(held, bookings, policy)

    calls = 0
    started = time.perf_counter()
    for newcomer, preferred in itertools.cycle(bookings):
        day = engine.Day(slots=slots, tokens=loaded) if fresh else held
        engine.book(day, newcomer, preferred, NOW, policy)
        calls += 1
        if (elapsed := time.perf_counter() - started) >= seconds:
            break
    return calls / elapsed


def _slots(rng: random.Random, places: int) -> tuple[engine.Slot, ...]:
    base = places / SLOTS
    capacities = [max(1, round(base * rng.uniform(0.8, 1.2))) for _ in range(SLOTS - 1)]
    capacities.append(max(1, places - sum(capacities)))
    return tuple(
        engine.Slot(
            id=_object_id(rng),
            start=OPENS + i * SLOT_LENGTH,
            end=OPENS + (i + 1) * SLOT_LENGTH,
            capacity=capacity,
        )
        for i, capacity in enumerate(capacities)
    )


def _loaded_tokens(
    rng: random.Random, slots: tuple[engine.Slot, ...], waitlisted: int
) -> tuple[engine.Token, ...]:
    """Every place taken, patients of the first slots arriving, and a short waitlist."""
    wanted: list[engine.Slot | None] = [slot for slot in slots for _ in range(slot.capacity)]
    wanted += [None] * waitlisted
    rng.shuffle(wanted)
    mixes = {slot.id: _mix_of(i, slot) for i, slot in enumerate(slots)}
    queued = sorted(NOW - timedelta(hours=rng.uniform(0, 24)) for _ in wanted)
    loaded = []
    for seq, (slot, queued_at) in enumerate(zip(wanted, queued, strict=True), start=1):
        source = _draw(rng, WALK_IN_HOURS_MIX if slot is None else mixes[slot.id])
        status = Status.WAITLISTED if slot is None else Status.BOOKED
        if slot is not None and slot.start < NOW + SLOT_LENGTH and rng.random() < 0.5:
            status = rng.choice([Status.CHECKED_IN, Status.CHECKED_IN, Status.COMPLETED])
        displacements = 0 if source is Source.EMERGENCY else rng.choices([0, 1, 2], [90, 7, 3])[0]
        loaded.append(
            engine.Token(
                id=_object_id(rng),
                seq=seq,
                source=source,
                status=status,
                queued_at=queued_at,
                # Equal to the slot's id but a string of its own, as the service builds one
                # per token from the database: looking it up then compares characters.
                slot_id=None if slot is None else bytes.fromhex(slot.id).hex(),
                displacements=displacements,
            )
        )
    return tuple(loaded)


def _mix_of(index: int, slot: engine.Slot) -> dict[Source, int]:
    if slot.start < OPENS + WALK_IN_HOURS:
        return WALK_IN_HOURS_MIX
    return {**BOOKED_AHEAD_MIX, Source.WALK_IN: 10 * (index % 2)}


def _bookings(
    rng: random.Random, slots: tuple[engine.Slot, ...], first_seq: int
) -> list[tuple[engine.Token, str | None]]:
    """New tokens, each with the slot it asks for: some ask for none (the earliest open)."""
    bookings = []
    for i in range(BOOKINGS):
        newcomer = engine.Token(
            id=_object_id(rng),
            seq=first_seq + i,
            source=_draw(rng, BOOKING_MIX),
            status=Status.WAITLISTED,
            queued_at=NOW,
        )
        preferred = rng.choice(slots).id if rng.random() < 0.7 else None
        bookings.append((newcomer, preferred))
    return bookings


def _check_hard_path(
    day: engine.Day, bookings: list[tuple[engine.Token, str | None]], policy: engine.Policy
) -> None:
    """The figure is only worth quoting while bookings displace, cascade and seat emergencies.

    Deciding the sample also builds `day`'s slot index.
    """
    kinds: Counter[EventKind] = Counter()
    displacing_emergencies = 0
    for newcomer, preferred in bookings[:CHECKED_SAMPLE]:
        plan = engine.book(day, newcomer, preferred, NOW, policy)
        kinds.update(event.kind for event in plan.events)
        displacing_emergencies += newcomer.source is Source.EMERGENCY and any(
            event.caused_by == newcomer.id for event in plan.events
        )
    emergencies = sum(newcomer.source is Source.EMERGENCY for newcomer, _ in bookings)
    if (
        emergencies < len(bookings) / 20
        or not displacing_emergencies
        or kinds[EventKind.MOVED] < CHECKED_SAMPLE / 40
    ):
        raise RuntimeError(f"The engine workload lost its hard path: {kinds}, {emergencies=}.")


def _draw(rng: random.Random, mix: dict[Source, int]) -> Source:
    return rng.choices(list(mix), list(mix.values()))[0]


def _object_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(96):024x}"
