"""The indexed engine decides exactly what the plain reference does, step after step.

Each step is decided on a day built afresh from the last one's tokens and on the day carried
from plan to plan by Day.after, as the service keeps it; the carried slot index must match a
fresh one. Days are drawn freely, odd shapes included (holders of unknown slots, seated
tokens without a slot, released tokens keeping theirs), with what the service guarantees:
unique ids and sequence numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from opd_graphql import engine
from opd_graphql.engine import (
    Day,
    EmergencyMode,
    IllegalTransition,
    Overflow,
    Plan,
    Policy,
    Source,
    Spill,
    Status,
    Token,
)
from tests.engine import reference
from tests.engine.factories import apply, at, slot

UNKNOWN_SLOT = "S9"
Operation = tuple[str, int, Source, int]

policies = st.builds(
    Policy,
    emergency_mode=st.sampled_from(EmergencyMode),
    spill=st.sampled_from(Spill),
    overflow=st.sampled_from(Overflow),
    max_displacements=st.integers(0, 3),
)
operations = st.tuples(
    st.sampled_from(["book"] * 5 + ["release"] * 2 + ["fill", "expire", "advance"]),
    st.integers(0, 99),
    st.sampled_from(Source),
    st.integers(0, 99),
)
# Mostly booked tokens, so that slots fill up and bookings displace and cascade.
token_fields = st.tuples(
    st.sampled_from(Source),
    st.sampled_from([Status.BOOKED] * 6 + [Status.CHECKED_IN] * 2 + list(Status)),
    st.sampled_from([at(7), at(8), at(8, 30)]),
    st.integers(0, 3),
    st.integers(0, 99),
)


@st.composite
def odd_days(draw: st.DrawFn) -> Day:
    capacities = draw(st.lists(st.integers(1, 4), min_size=1, max_size=6))
    slots = draw(st.permutations([slot(i, capacity) for i, capacity in enumerate(capacities)]))
    places = [s.id for s in slots]
    tokens = []
    for seq, (source, status, queued_at, displacements, where) in enumerate(
        draw(st.lists(token_fields, min_size=4, max_size=40)), start=1
    ):
        if status in engine.HOLDS_PLACE | {Status.CANCELLED, Status.NO_SHOW}:
            slot_id = [*places, *places, UNKNOWN_SLOT, None][where % (2 * len(places) + 2)]
        else:
            slot_id = places[0] if where % 4 == 0 else None
        tokens.append(Token(f"T{seq}", seq, source, status, queued_at, slot_id, displacements))
    return Day(slots=tuple(slots), tokens=tuple(draw(st.permutations(tokens))))


@settings(max_examples=400, deadline=None)
@given(
    odd_days(),
    st.sampled_from([at(8), at(8), at(9, 30), at(11)]),
    policies,
    st.lists(operations, min_size=5, max_size=25),
)
def test_engine_and_reference_agree_on_every_step(
    today: Day, now: datetime, policy: Policy, steps: list[Operation]
) -> None:
    carried = today
    for number, (name, pick, source, other) in enumerate(steps):
        if name == "advance":
            now += timedelta(minutes=(30, 60, 120)[pick % 3])
            continue
        engine_fn, reference_fn, args = _call(name, today, number, now, policy, pick, source, other)
        decided = _outcome(engine_fn, *args)
        assert decided == _outcome(reference_fn, *args)
        assert _outcome(engine_fn, carried, *args[1:]) == decided
        if isinstance(decided, Plan):
            today = apply(today, decided)
            carried = carried.after(decided)
            assert carried.tokens == today.tokens
            assert seating(carried) == seating(Day(slots=today.slots, tokens=today.tokens))


@given(odd_days(), st.sampled_from([at(8), at(9, 30), at(11)]))
def test_queue_and_estimates_agree_with_the_reference(today: Day, now: datetime) -> None:
    known = {s.id for s in today.slots}
    seated_somewhere = tuple(
        t for t in today.tokens if t.status not in engine.SEATED or t.slot_id in known
    )
    for day in (today, Day(slots=today.slots, tokens=seated_somewhere)):
        assert _outcome(engine.queue_order, day) == _outcome(reference.queue_order, day)
        estimates = _outcome(engine.estimated_call_times, day, now)
        assert estimates == _outcome(reference.estimated_call_times, day, now)


def seating(day: Day) -> list[list[Token]]:
    """Each slot's holders in the day's index, in seq order: their order is not meaningful."""
    return [sorted(held, key=lambda token: token.seq) for held in day.index.holders]


def _call(
    name: str,
    today: Day,
    number: int,
    now: datetime,
    policy: Policy,
    pick: int,
    source: Source,
    other: int,
) -> tuple[Callable[..., Plan], Callable[..., Plan], tuple[object, ...]]:
    slot_ids = [s.id for s in today.slots]
    if name == "book":
        newcomer = Token(f"N{number}", 1000 + number, source, Status.WAITLISTED, queued_at=now)
        preferred = [*slot_ids, None][pick % (len(slot_ids) + 1)]
        return engine.book, reference.book, (today, newcomer, preferred, now, policy)
    if name == "release":
        ids = [t.id for t in today.tokens] + ["T-unknown"]
        statuses = (Status.CANCELLED, Status.NO_SHOW) * 2 + (Status.COMPLETED,)
        args = (today, ids[pick % len(ids)], statuses[other % 5], now, policy)
        return engine.release, reference.release, args
    if name == "fill":
        slot_id = [*slot_ids, UNKNOWN_SLOT][pick % (len(slot_ids) + 1)]
        return engine.fill, reference.fill, (today, slot_id, now)
    return engine.expire, reference.expire, (today, now)


def _outcome(decide: Callable[..., object], *args: object) -> object:
    try:
        return decide(*args)
    except (ValueError, IllegalTransition) as refused:
        return (type(refused), str(refused))
