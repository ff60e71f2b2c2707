"""Random days driven by random operations under random policies; invariants after each step.

Every plan is also replayed event by event against the rules it claims to follow (see
`replay`), so a decision that breaks rank order is caught where it is made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from opd_graphql.engine import (
    HOLDS_PLACE,
    SEATED,
    WAITING,
    Day,
    EmergencyMode,
    Event,
    EventKind,
    IllegalTransition,
    Overflow,
    Plan,
    Policy,
    Slot,
    SlotUnusable,
    Source,
    Spill,
    Status,
    Token,
    book,
    call_next,
    check_in,
    close_slots,
    complete,
    expire,
    fill,
    queue_order,
    release,
    skip,
    transfer_in,
    transfer_out,
    transfer_within,
)
from tests.engine.factories import apply, slot

Operation = tuple[str, int, Source, int]

OVERFLOW = {EventKind.WAITLISTED, EventKind.REJECTED}
CANCELLABLE = SEATED | {Status.WAITLISTED}
TRANSFERABLE = WAITING | {Status.WAITLISTED}
BOOKINGS = {"book", "arrive"}
ARRIVALS = BOOKINGS | {"come"}

policies = st.one_of(
    st.just(Policy()),
    st.builds(
        Policy,
        emergency_mode=st.sampled_from(EmergencyMode),
        spill=st.sampled_from(Spill),
        overflow=st.sampled_from(Overflow),
        max_displacements=st.integers(0, 3),
        recall_after=st.integers(0, 3),
        max_skips=st.integers(0, 3),
    ),
)
# Bookings dominate so that slots fill up, displace and waitlist; "arrive" books a patient
# who is at the desk.
OPERATION_NAMES = (
    ["book"] * 7
    + ["arrive"] * 2
    + ["check_in"] * 4
    + ["call_next"] * 3
    + ["skip"] * 3
    + ["cancel", "no_show", "complete", "fill", "advance"]
    + ["expire", "close", "transfer", "transfer", "leave", "come"]
)
operations = st.tuples(
    st.sampled_from(OPERATION_NAMES),
    st.integers(0, 99),
    st.sampled_from(Source),
    st.sampled_from([1, 1, 1, 1, 2, 2, 3, 4]),
)


@st.composite
def days(draw: st.DrawFn) -> tuple[Day, datetime]:
    capacities = draw(st.lists(st.integers(1, 4), min_size=1, max_size=6))
    slots = draw(st.permutations([slot(i, capacity) for i, capacity in enumerate(capacities)]))
    # Starting at a slot's start leaves the slots before it ended; "advance" ends the rest.
    starts = sorted(s.start for s in slots)
    return Day(slots=tuple(slots), tokens=()), draw(st.sampled_from(starts))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days(), policies, st.lists(operations, min_size=20, max_size=100))
def test_invariants_hold_after_every_operation(
    start: tuple[Day, datetime], policy: Policy, steps: list[Operation]
) -> None:
    today, now = start
    ever: set[str] = set()
    gone: set[str] = set()
    for op in steps:
        note(f"{now:%H:%M} {op}")
        if op[0] == "advance":
            now += timedelta(minutes=(10, 30, 60)[op[1] % 3])
            continue
        plan = run(op, today, now, policy, len(ever) + 1)
        for change in plan.events:
            event(change.kind.value)  # shown by pytest --hypothesis-show-statistics
        kinds = {change.kind for change in plan.events}
        if op[0] in BOOKINGS and EventKind.PROMOTED in kinds:
            event("places left over by a booking promoted")
        if op[0] == "close" and EventKind.MOVED in kinds:
            event("a closing moved a token")
        if op[0] == "transfer" and EventKind.TRANSFERRED in kinds:
            event("a transfer within the day")
        if op[0] == "call_next" and any(t.recall_in for t in today.tokens):
            event("a call with a patient held back")
        after = apply(today, plan)
        arrived = {f"T{len(ever) + 1}"} if op[0] in ARRIVALS and plan != Plan() else set()
        ever |= {t.id for t in after.tokens}
        gone |= set(plan.gone)
        check_step(today, after, plan, now, policy, arrived=arrived)
        replay(today, plan, now, policy, op)
        # nothing lost: every token ever booked is still in the day, or left it for another
        assert {t.id for t in after.tokens} | gone == ever
        assert not gone & {t.id for t in after.tokens}
        today = after


def run(op: Operation, today: Day, now: datetime, policy: Policy, number: int) -> Plan:
    """Apply one operation, checking the engine refuses exactly what it should refuse.

    `number`: the sequence number a token new to the day gets."""
    name, arg, _, places = op
    slots = sorted(today.slots, key=lambda s: s.start)
    tokens = sorted(today.tokens, key=lambda t: t.seq)
    if name in BOOKINGS:
        return run_booking(today, slots, now, policy, op, number)
    if name == "come":
        return run_arrival(today, slots, now, policy, op, number)
    if name == "fill":
        return fill(today, slots[arg % len(slots)].id, now)
    if name == "call_next":
        return run_call_next(today)
    if name == "expire":
        return expire(today, now)
    if name == "close":
        closing = [s.id for s in slots[arg % len(slots) :: 1 + places % 3]]
        plan = close_slots(today, closing, now, policy, "away")
        assert {s.id for s in plan.slots} == {
            s.id for s in slots if s.id in closing and not s.closed
        }
        assert all(e.note == "away" for e in plan.events if e.caused_by is None)
        return plan
    if not tokens:
        return Plan()
    target = tokens[arg % len(tokens)]
    serving = [t for t in tokens if t.status is Status.CALLED]
    if name in {"skip", "complete"} and serving and arg % 4:
        target = serving[0]  # mostly the patient being seen, so that these happen
    if name == "transfer":
        return run_transfer(today, slots, target, now, policy, places)
    if name == "leave":
        if target.status not in TRANSFERABLE:
            return refused(IllegalTransition, transfer_out, today, target.id, now, policy)
        plan = transfer_out(today, target.id, now, policy)
        assert plan.gone == (target.id,) and target.id not in {t.id for t in plan.tokens}
        assert {e.caused_by for e in plan.events} <= {target.id}
        return plan
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
    if name == "skip":
        return run_skip(today, now, policy, target)
    transition, allowed_from = {
        "check_in": (check_in, Status.BOOKED),
        "complete": (complete, Status.CALLED),
    }[name]
    if target.status is not allowed_from:
        return refused(IllegalTransition, transition, today, target.id)
    return transition(today, target.id)


def run_booking(
    today: Day, slots: list[Slot], now: datetime, policy: Policy, op: Operation, seq: int
) -> Plan:
    name, arg, source, places = op
    arrived = name == "arrive"
    newcomer = Token(f"T{seq}", seq, source, Status.BOOKED, queued_at=now, places=places)
    pick = arg % (len(slots) + 1)
    preferred = slots[pick] if pick < len(slots) else None
    holding = [s for s in slots if s.is_open(now) and s.capacity >= places]
    if (preferred is None and not holding) or (
        preferred is not None and (not preferred.is_open(now) or preferred.capacity < places)
    ):
        preferred_id = None if preferred is None else preferred.id
        return refused(SlotUnusable, book, today, newcomer, preferred_id, now, policy)
    preferred_id = None if preferred is None else preferred.id
    plan = book(today, newcomer, preferred_id, now, policy, arrived=arrived)
    assert plan.events[0].token_id == newcomer.id
    given = plan.token(newcomer.id)
    if source is Source.EMERGENCY:
        assert given.slot_id == (preferred or holding[0]).id
    # A place is checked in exactly when the patient is at the desk.
    checked_in = [e for e in plan.events if e.kind is EventKind.CHECKED_IN]
    if given.seated:
        assert given.status is (Status.CHECKED_IN if arrived else Status.BOOKED)
        assert [e.token_id for e in checked_in] == ([newcomer.id] if arrived else [])
    else:
        assert not checked_in
    return plan


def run_arrival(
    today: Day, slots: list[Slot], now: datetime, policy: Policy, op: Operation, seq: int
) -> Plan:
    """A token transferred in from another doctor-day, refused as the service refuses it:
    a seated token the day cannot seat changes nothing."""
    _, arg, source, places = op
    status = (Status.BOOKED, Status.CHECKED_IN, Status.WAITLISTED)[arg % 3]
    slot_id = None if status is Status.WAITLISTED else "ELSEWHERE"
    queued_at = now - timedelta(hours=arg % 4)
    displaced, skipped = min(arg % 2, policy.max_displacements), min(1, policy.max_skips)
    coming = Token(
        f"T{seq}", seq, source, status, queued_at, slot_id, displaced, places, skipped, 2
    )
    pick = arg % (len(slots) + 1)
    preferred = slots[pick] if pick < len(slots) else None
    holding = [s for s in slots if s.is_open(now) and s.capacity >= places]
    preferred_id = None if preferred is None else preferred.id
    if (preferred is None and not holding) or (
        preferred is not None and (not preferred.is_open(now) or preferred.capacity < places)
    ):
        return refused(SlotUnusable, transfer_in, today, coming, preferred_id, now, policy)
    plan = transfer_in(today, coming, preferred_id, now, policy, note="CAR1-001")
    came = plan.token(coming.id)
    assert [(e.kind, e.note) for e in plan.events if e.token_id == coming.id] == [
        (EventKind.TRANSFERRED, "CAR1-001")
    ]
    assert (came.queued_at, came.displacements, came.skips, came.recall_in) == (
        queued_at,
        displaced,
        skipped,
        0,
    )
    if came.seated:
        assert came.status is (Status.BOOKED if status is Status.WAITLISTED else status)
    elif status is Status.WAITLISTED:
        assert came.status is Status.WAITLISTED
    else:
        return Plan()
    return plan


def run_call_next(today: Day) -> Plan:
    """The patient called is the first checked-in one the queue shows."""
    shown = [t.id for t in queue_order(today) if t.status is Status.CHECKED_IN]
    plan = call_next(today)
    called = [e.token_id for e in plan.events if e.kind is EventKind.CALLED]
    assert called == shown[:1]
    for token in plan.tokens:
        before = today.token(token.id)
        assert before is not None
        if token.id not in called and token.status is before.status:
            assert token.recall_in == before.recall_in - 1  # a held patient, one call closer
    return plan


def run_skip(today: Day, now: datetime, policy: Policy, target: Token) -> Plan:
    if target.status is not Status.CALLED:
        return refused(IllegalTransition, skip, today, target.id, now, policy)
    plan = skip(today, target.id, now, policy)
    skipped = plan.token(target.id)
    if target.skips >= policy.max_skips:
        assert skipped.status is Status.NO_SHOW
    else:
        assert (skipped.status, skipped.skips) == (Status.CHECKED_IN, target.skips + 1)
        assert skipped.recall_in == policy.recall_after
    return plan


def run_transfer(
    today: Day, slots: list[Slot], target: Token, now: datetime, policy: Policy, pick: int
) -> Plan:
    """A transfer within the day, refused as the service refuses it: a seated token that
    comes back unseated changes nothing."""
    to = slots[pick % len(slots)]
    if target.status not in TRANSFERABLE:
        return refused(IllegalTransition, transfer_within, today, target.id, to.id, now, policy)
    if not to.is_open(now) or to.capacity < target.places or to.id == target.slot_id:
        return refused(SlotUnusable, transfer_within, today, target.id, to.id, now, policy)
    plan = transfer_within(today, target.id, to.id, now, policy, note="moved")
    moved = plan.token(target.id)
    assert [e.kind for e in plan.events if e.token_id == target.id] == [EventKind.TRANSFERRED]
    assert (moved.seq, moved.queued_at, moved.places) == (
        target.seq,
        target.queued_at,
        target.places,
    )
    if target.seated and not moved.seated:
        return Plan()
    if moved.seated:
        assert moved.slot_id != target.slot_id
        assert moved.status is (
            Status.BOOKED if target.status is Status.WAITLISTED else target.status
        )
    return plan


def refused(error: type[Exception], operation: Callable[..., Plan], *args: object) -> Plan:
    try:
        operation(*args)
    except error:
        return Plan()
    raise AssertionError(f"{operation} should have raised {error.__name__}")


def held(tokens: list[Token], slot_id: str, *, emergencies: bool = True) -> int:
    return sum(
        t.places
        for t in tokens
        if t.status in HOLDS_PLACE
        and t.slot_id == slot_id
        and (emergencies or t.source is not Source.EMERGENCY)
    )


def check_step(
    before: Day, after: Day, plan: Plan, now: datetime, policy: Policy, *, arrived: set[str]
) -> None:
    slots = {s.id: s for s in after.slots}
    previous = {t.id: t for t in before.tokens}
    tokens = list(after.tokens)

    # nothing duplicated; numbers unique; the plan names each changed token once
    ids = [t.id for t in tokens]
    assert len(ids) == len(set(ids))
    assert len({t.seq for t in tokens}) == len(tokens)
    assert set(ids) - set(previous) == arrived
    assert len(plan.tokens) == len({t.id for t in plan.tokens})
    quiet = {t.id for t in plan.tokens} - {e.token_id for e in plan.events}
    assert all(previous[i].recall_in > plan.token(i).recall_in for i in quiet)

    for token in tokens:
        # every token in exactly one state: a slot when it holds a place, none when waiting
        if token.status in HOLDS_PLACE:
            assert token.slot_id in slots
        if token.status in {Status.WAITLISTED, Status.REJECTED, Status.EXPIRED}:
            assert token.slot_id is None
        assert token.displacements <= policy.max_displacements
        assert token.recall_in >= 0 and token.skips <= policy.max_skips
        assert 1 <= token.places <= 4
    assert sum(t.status is Status.CALLED for t in tokens) <= 1

    # no slot over its places but by emergencies
    assert all(held(tokens, s, emergencies=False) <= slots[s].capacity for s in slots)

    # under the default policy nobody waits while an open slot has room for them
    if policy == Policy():
        for waiting in (t for t in tokens if t.status is Status.WAITLISTED):
            for s in slots.values():
                if s.is_open(now):
                    assert held(tokens, s.id) + waiting.places > s.capacity

    # nobody newly placed in a slot that is not open
    for token in tokens:
        old = previous.get(token.id)
        kept = old is not None and old.status in HOLDS_PLACE and old.slot_id == token.slot_id
        if token.status in HOLDS_PLACE and not kept:
            assert slots[token.slot_id or ""].is_open(now)


def replay(before: Day, plan: Plan, now: datetime, policy: Policy, op: Operation) -> None:
    """Rank order is respected, checked by replaying the plan's events in order.

    A working copy starts as the day before the step, without the tokens the plan sends to
    another day. At each DISPLACED event the slot is
    still over its places with its displacer seated in it, and the token leaving is the
    worst-ranked displaceable one of a strictly worse priority than its displacer's (no
    emergency displaces in OVERBOOK mode). At each PROMOTED event the slot is open with room
    for the token, and every better-ranked waitlisted token lacks that room. A token that
    lost its place and is waitlisted or rejected found no open slot with room for it. An
    emergency that overbooks in DISPLACE mode leaves nobody displaceable in its slot. After
    each event the token takes its state from the plan, in the event's slot; a displacement
    counts once per DISPLACED event.
    """
    open_slots = {s.id: s for s in before.slots if s.is_open(now)}
    closed = {s.id for s in plan.slots}
    capacity = {s.id: s.capacity for s in before.slots}
    working = {t.id: t for t in before.tokens if t.id not in plan.gone}
    overbooked: list[str] = []

    def tokens() -> list[Token]:
        return list(working.values())

    def room(slot_id: str, token: Token) -> bool:
        usable = slot_id in open_slots and slot_id not in closed
        return usable and held(tokens(), slot_id) + token.places <= capacity[slot_id]

    for change in plan.events:
        final = plan.token(change.token_id)
        token = working.get(change.token_id, final)
        if change.kind is EventKind.DISPLACED:
            assert change.slot_id is not None and change.caused_by is not None
            displacer = working[change.caused_by]
            assert token.slot_id == change.slot_id == displacer.slot_id
            assert held(tokens(), change.slot_id) > capacity[change.slot_id]
            candidates = [
                t
                for t in tokens()
                if t.slot_id == change.slot_id
                and t.status in WAITING
                and t.displacements < policy.max_displacements
                and t.priority > displacer.priority
            ]
            assert token == max(candidates, key=lambda t: t.rank)
            if displacer.source is Source.EMERGENCY:
                assert policy.emergency_mode is EmergencyMode.DISPLACE
        elif change.kind is EventKind.PROMOTED:
            assert change.slot_id is not None and token.status is Status.WAITLISTED
            assert room(change.slot_id, token)
            better = [t for t in tokens() if t.status is Status.WAITLISTED and t.rank < token.rank]
            assert not any(room(change.slot_id, t) for t in better)
        elif change.kind is EventKind.OVERBOOKED:
            assert change.slot_id is not None and final.source is Source.EMERGENCY
            assert held(tokens(), change.slot_id) + final.places > capacity[change.slot_id]
            overbooked.append(change.slot_id)
        elif change.kind in OVERFLOW and (change.caused_by or change.note):
            # It lost its place (not a new booking), so every open slot was tried.
            assert not any(room(s, token) for s in open_slots)
        working[token.id] = state_after(change, token, final)
    # The events tell each token's story to its end, and a displacement counts once per
    # DISPLACED event (nothing else counts one).
    for final in plan.tokens:
        told = working[final.id]
        assert (told.status, told.slot_id, told.displacements) == (
            final.status,
            final.slot_id,
            final.displacements,
        )
    if policy.emergency_mode is EmergencyMode.DISPLACE:
        for slot_id in overbooked:
            assert not any(
                t.slot_id == slot_id
                and t.status in WAITING
                and t.source is not Source.EMERGENCY
                and t.displacements < policy.max_displacements
                for t in tokens()
            )


# The status a token has right after an event that does not end its story in this plan.
STATUS_AT = {
    EventKind.BOOKED: Status.BOOKED,
    EventKind.OVERBOOKED: Status.BOOKED,
    EventKind.PROMOTED: Status.BOOKED,
    EventKind.CHECKED_IN: Status.CHECKED_IN,
    EventKind.WAITLISTED: Status.WAITLISTED,
    EventKind.REJECTED: Status.REJECTED,
}


def state_after(change: Event, token: Token, final: Token) -> Token:
    """The token right after `change`: `token` is its state before (or its final state when
    the plan brings it), `final` its state once the whole plan is carried out."""
    if change.kind is EventKind.DISPLACED:
        return replace(token, slot_id=None, displacements=token.displacements + 1)
    if change.kind is EventKind.MOVED:
        return replace(token, slot_id=change.slot_id)
    if change.kind in STATUS_AT:
        return replace(token, status=STATUS_AT[change.kind], slot_id=change.slot_id)
    if change.kind is EventKind.TRANSFERRED:
        return replace(token, status=final.status, slot_id=change.slot_id)
    return final
