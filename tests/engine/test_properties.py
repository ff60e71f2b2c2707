"""Random days driven by random operations under random policies; invariants after each step."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from opd_graphql.engine import (
    HOLDS_PLACE,
    SEATED,
    Day,
    EmergencyMode,
    EventKind,
    IllegalTransition,
    Overflow,
    Plan,
    Policy,
    Source,
    Spill,
    Status,
    Token,
    book,
    call_next,
    check_in,
    complete,
    expire,
    fill,
    release,
)
from tests.engine.factories import apply, slot

Operation = tuple[str, int, Source]

OVERFLOW = {EventKind.WAITLISTED, EventKind.REJECTED}
SEATING = {EventKind.BOOKED, EventKind.MOVED}
CANCELLABLE = SEATED | {Status.WAITLISTED}
BOOKINGS = {"book", "arrive"}

policies = st.one_of(
    st.just(Policy()),
    st.builds(
        Policy,
        emergency_mode=st.sampled_from(EmergencyMode),
        spill=st.sampled_from(Spill),
        overflow=st.sampled_from(Overflow),
        max_displacements=st.integers(0, 3),
    ),
)
# Bookings dominate so that slots fill up, displace and waitlist; "arrive" books a patient
# who is at the desk.
OPERATION_NAMES = (
    ["book"] * 6
    + ["arrive"] * 2
    + [
        "cancel",
        "no_show",
        "check_in",
        "check_in",
        "call_next",
        "complete",
        "fill",
        "advance",
        "expire",
    ]
)
operations = st.tuples(
    st.sampled_from(OPERATION_NAMES), st.integers(0, 99), st.sampled_from(Source)
)


@st.composite
def days(draw: st.DrawFn) -> tuple[Day, datetime]:
    capacities = draw(st.lists(st.integers(1, 4), min_size=1, max_size=6))
    slots = draw(st.permutations([slot(i, capacity) for i, capacity in enumerate(capacities)]))
    # Starting at a slot's start leaves the slots before it ended; "advance" ends the rest.
    starts = sorted(s.start for s in slots)
    return Day(slots=tuple(slots), tokens=()), draw(st.sampled_from(starts))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days(), policies, st.lists(operations, min_size=15, max_size=60))
def test_invariants_hold_after_every_operation(
    start: tuple[Day, datetime], policy: Policy, steps: list[Operation]
) -> None:
    today, now = start
    for op in steps:
        note(f"{now:%H:%M} {op}")
        if op[0] == "advance":
            now += timedelta(minutes=(10, 30, 60)[op[1] % 3])
            continue
        plan = run(op, today, now, policy)
        for change in plan.events:
            event(change.kind.value)  # shown by pytest --hypothesis-show-statistics
        after = apply(today, plan)
        booked = op[0] in BOOKINGS and plan != Plan()
        check_step(today, after, plan, now, policy, booked=booked)
        check_places_offered(op, today, after, plan, now)
        today = after


def run(op: Operation, today: Day, now: datetime, policy: Policy) -> Plan:
    """Apply one operation, checking the engine refuses exactly what it should refuse."""
    name, arg, source = op
    slots = sorted(today.slots, key=lambda s: s.start)
    if name in BOOKINGS:
        arrived = name == "arrive"
        seq = len(today.tokens) + 1
        newcomer = Token(f"T{seq}", seq, source, Status.BOOKED, queued_at=now)
        pick = arg % (len(slots) + 1)
        preferred = slots[pick] if pick < len(slots) else None
        if preferred is not None and not preferred.is_open(now):
            return refused(ValueError, book, today, newcomer, preferred.id, now, policy)
        plan = book(
            today, newcomer, preferred.id if preferred else None, now, policy, arrived=arrived
        )
        assert plan.events[0].token_id == newcomer.id
        given = plan.token(newcomer.id)
        earliest_open = next((s for s in slots if s.is_open(now)), None)
        if source is Source.EMERGENCY and earliest_open is not None:
            assert given.slot_id == (preferred or earliest_open).id
        # A place is checked in exactly when the patient is at the desk.
        checked_in = [e for e in plan.events if e.kind is EventKind.CHECKED_IN]
        if given.seated:
            assert given.status is (Status.CHECKED_IN if arrived else Status.BOOKED)
            assert [e.token_id for e in checked_in] == ([newcomer.id] if arrived else [])
        else:
            assert not checked_in
        return plan
    if name == "fill":
        return fill(today, slots[arg % len(slots)].id, now)
    if name == "call_next":
        return call_next(today)
    if name == "expire":
        return expire(today, now)
    if not today.tokens:
        return Plan()
    target = today.tokens[arg % len(today.tokens)]
    if name == "cancel":
        if target.status is Status.CANCELLED:
            assert release(today, target.id, Status.CANCELLED, now, policy) == Plan()
            return Plan()
        if target.status not in CANCELLABLE:
            return refused(
                IllegalTransition, release, today, target.id, Status.CANCELLED, now, policy
            )
        return release(today, target.id, Status.CANCELLED, now, policy)
    if name == "no_show":
        if target.status not in SEATED:
            return refused(
                IllegalTransition, release, today, target.id, Status.NO_SHOW, now, policy
            )
        return release(today, target.id, Status.NO_SHOW, now, policy)
    transition, allowed_from = {
        "check_in": (check_in, Status.BOOKED),
        "complete": (complete, Status.CALLED),
    }[name]
    if target.status is not allowed_from:
        return refused(IllegalTransition, transition, today, target.id)
    return transition(today, target.id)


def refused(error: type[Exception], operation: Callable[..., Plan], *args: object) -> Plan:
    try:
        operation(*args)
    except error:
        return Plan()
    raise AssertionError(f"{operation} should have raised {error.__name__}")


def check_places_offered(op: Operation, before: Day, after: Day, plan: Plan, now: datetime) -> None:
    """A slot given places back (by a release, or fill) keeps none free while anyone waits."""
    held_before = {t.id for t in before.tokens if t.status in HOLDS_PLACE}
    offered = {
        e.slot_id
        for e in plan.events
        if e.kind in {EventKind.CANCELLED, EventKind.NO_SHOW} and e.token_id in held_before
    }
    if op[0] == "fill":
        offered.add(sorted(before.slots, key=lambda s: s.start)[op[1] % len(before.slots)].id)
    if not any(t.status is Status.WAITLISTED for t in after.tokens):
        return
    holders = Counter(t.slot_id for t in after.tokens if t.status in HOLDS_PLACE)
    for s in after.slots:
        if s.id in offered and s.is_open(now):
            assert holders[s.id] >= s.capacity


def check_step(
    before: Day, after: Day, plan: Plan, now: datetime, policy: Policy, *, booked: bool
) -> None:
    slots = {s.id: s for s in after.slots}
    previous = {t.id: t for t in before.tokens}

    # 3. nothing lost or duplicated; the plan names each changed token once, with its events
    ids = [t.id for t in after.tokens]
    assert len(ids) == len(set(ids))
    assert set(ids) - set(previous) == ({f"T{len(before.tokens) + 1}"} if booked else set())
    assert len(plan.tokens) == len({t.id for t in plan.tokens})
    assert {t.id for t in plan.tokens} == {e.token_id for e in plan.events}
    assert all(previous.get(t.id) != t for t in plan.tokens)

    for token in after.tokens:
        # 2. each status has its shape
        if token.status in HOLDS_PLACE:
            assert token.slot_id in slots
        if token.status in {Status.WAITLISTED, Status.REJECTED, Status.EXPIRED}:
            assert token.slot_id is None
        # 4. pinned after max_displacements
        assert token.displacements <= policy.max_displacements

    # 1. only emergencies overbook
    non_emergency = Counter(
        t.slot_id
        for t in after.tokens
        if t.status in HOLDS_PLACE and t.source is not Source.EMERGENCY
    )
    assert all(non_emergency[s.id] <= s.capacity for s in after.slots)

    # 5. under the default policy nobody waits while an open slot has room
    if policy == Policy() and any(t.status is Status.WAITLISTED for t in after.tokens):
        holders = Counter(t.slot_id for t in after.tokens if t.status in HOLDS_PLACE)
        assert all(holders[s.id] >= s.capacity for s in after.slots if s.is_open(now))

    # 7. one patient with the doctor at a time; nobody newly placed in an ended slot
    assert sum(t.status is Status.CALLED for t in after.tokens) <= 1
    for token in after.tokens:
        old = previous.get(token.id)
        held_before = old is not None and old.status in HOLDS_PLACE and old.slot_id == token.slot_id
        if token.status in HOLDS_PLACE and not held_before:
            assert slots[token.slot_id or ""].is_open(now)

    replay_ranks(before, plan, now, policy)


def replay_ranks(before: Day, plan: Plan, now: datetime, policy: Policy) -> None:
    """6. Ranks are respected, checked by replaying the plan's events in order.

    A working copy starts as the day before the step. At each PROMOTED event the token must
    be the best-ranked waitlisted one and the slot open with a free place. At each DISPLACED
    event the token must sit in that slot, be displaceable and the worst-ranked displaceable
    one there, the slot must be over capacity with its displacer seated, the displacer must
    have a strictly better priority (and be no emergency in OVERBOOK mode), and the token's
    displacement count must grow by one. Only an emergency overbooks, into a full slot, and
    in DISPLACE mode only when nobody there is displaceable.
    A token is only waitlisted or rejected while every open slot is full, unless it is a new
    booking stopped by spill=WAITLIST. After each event the token takes its new place: a
    displaced token leaves its slot (its next event seats or overflows it), any other event
    gives it its final state from the plan, in the event's slot when it is seated.
    """
    slots = {s.id: s for s in before.slots}
    working = {t.id: t for t in before.tokens}

    def holders(slot_id: str) -> list[Token]:
        return [t for t in working.values() if t.slot_id == slot_id and t.status in HOLDS_PLACE]

    for change in plan.events:
        final = plan.token(change.token_id)
        if change.kind is EventKind.PROMOTED:
            assert change.slot_id is not None
            waiting = [t for t in working.values() if t.status is Status.WAITLISTED]
            assert working[change.token_id] == min(waiting, key=lambda t: t.rank)
            assert slots[change.slot_id].is_open(now)
            assert len(holders(change.slot_id)) < slots[change.slot_id].capacity
            working[final.id] = replace(final, slot_id=change.slot_id)
        elif change.kind is EventKind.DISPLACED:
            assert change.slot_id is not None and change.caused_by is not None
            victim, displacer = working[change.token_id], working[change.caused_by]
            displaceable = [t for t in holders(change.slot_id) if is_displaceable(t, policy)]
            assert victim.slot_id == change.slot_id == displacer.slot_id
            assert victim == max(displaceable, key=lambda t: t.rank)
            assert displacer.priority < victim.priority
            if displacer.source is Source.EMERGENCY:
                assert policy.emergency_mode is EmergencyMode.DISPLACE
            assert len(holders(change.slot_id)) > slots[change.slot_id].capacity
            assert final.displacements == victim.displacements + 1
            working[victim.id] = replace(victim, slot_id=None)
        elif change.kind is EventKind.OVERBOOKED:
            assert change.slot_id is not None and final.source is Source.EMERGENCY
            assert len(holders(change.slot_id)) >= slots[change.slot_id].capacity
            if policy.emergency_mode is EmergencyMode.DISPLACE:
                assert not any(is_displaceable(t, policy) for t in holders(change.slot_id))
            working[final.id] = replace(final, slot_id=change.slot_id)
        elif change.kind in OVERFLOW and (change.caused_by or policy.spill is Spill.NEXT_SLOT):
            open_slots = [s for s in slots.values() if s.is_open(now)]
            assert all(len(holders(s.id)) >= s.capacity for s in open_slots)
            working[final.id] = final
        elif change.kind in SEATING:
            working[final.id] = replace(final, slot_id=change.slot_id)
        else:
            working[final.id] = final


def is_displaceable(token: Token, policy: Policy) -> bool:
    return (
        token.status in {Status.BOOKED, Status.CHECKED_IN}
        and token.source is not Source.EMERGENCY
        and token.displacements < policy.max_displacements
    )
