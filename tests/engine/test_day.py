from __future__ import annotations

from datetime import datetime, timedelta

import pytest
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
    available_places,
    book,
    held_places,
    is_overbooked,
    seated_places,
)
from tests.engine.factories import MORNING, apply, at, day, new, slot, token

Step = tuple[str, int, Status, str | None]
UNKNOWN_SLOT = "S9"


def test_a_day_indexes_its_tokens_by_slot_in_start_order() -> None:
    seated, waiting, elsewhere = token(1, slot_id="S1"), token(2), token(3, slot_id="S9")
    today = day([slot(1), slot(0)], [seated, waiting, elsewhere])

    assert [s.id for s in today.index.slots] == ["S0", "S1"]
    assert today.index.holders == ([], [seated])
    assert today.index is today.index


def test_the_day_after_a_plan_carries_the_index_and_leaves_the_first_day_as_it_was() -> None:
    seated = token(1, slot_id="S0")
    first = day([slot(0, capacity=1), slot(1)], [seated])
    plan = book(first, new(2, Source.PAID), None, MORNING, Policy())

    second = first.after(plan)

    assert first.tokens == (seated,) and first.index.holders == ([seated], [])
    assert [t.id for t in second.tokens] == ["T1", "T2"]
    assert second.index.holders == ([plan.token("T2")], [plan.token("T1")])
    assert second.index.slots is first.index.slots


def test_a_day_made_before_its_index_indexes_itself_when_asked() -> None:
    first = day([slot(0)], [token(1, slot_id="S0")])
    cancelled = token(1, slot_id="S0", status=Status.CANCELLED)

    second = first.after(Plan((cancelled,)))

    assert second.index.holders == ([],)
    assert first.index.holders == ([token(1, slot_id="S0")],)


def test_tokens_left_out_take_their_places_with_them() -> None:
    seated, cancelled = token(1, slot_id="S0"), token(2, slot_id="S0", status=Status.CANCELLED)
    first = day([slot(0)], [seated])
    first_index = first.index

    judged = first.after(Plan((cancelled,)))
    remembered = judged.after(Plan(gone=("T2", "T1", "T-unknown")))

    assert [t.id for t in judged.tokens] == ["T1", "T2"]
    assert judged.index.holders == ([seated],)
    assert (remembered.tokens, remembered.index.holders) == ((), ([],))
    assert first.index is first_index and first_index.holders == ([seated],)


def test_the_day_after_a_plan_closes_its_slots_and_drops_its_gone_tokens() -> None:
    first = day([slot(0), slot(1)], [token(1, slot_id="S0"), token(2, slot_id="S1")])
    assert first.index.holders == ([token(1, slot_id="S0")], [token(2, slot_id="S1")])

    second = first.after(Plan(slots=(slot(1, closed=True),), gone=("T1",)))

    assert [s.closed for s in second.slots] == [False, True]
    assert second.index.slots[1].closed
    assert [t.id for t in second.tokens] == ["T2"]
    assert second.index.holders == ([], [token(2, slot_id="S1")])


# --- places in a slot ----------------------------------------------------------------------


def test_places_count_seated_and_completed_tokens_by_their_places() -> None:
    today = day(
        [slot(0, capacity=6)],
        [
            token(1, slot_id="S0", places=2),
            token(2, slot_id="S0", status=Status.COMPLETED, places=3),
            token(3, slot_id="S0", status=Status.CANCELLED, places=4),
            token(4, places=4),
        ],
    )

    assert held_places(today, "S0") == 5
    assert seated_places(today, "S0") == 2
    assert available_places(today, "S0") == 1
    assert not is_overbooked(today, "S0")


def test_an_overbooked_slot_has_no_places_available_never_fewer() -> None:
    today = day(
        [slot(0, capacity=2)],
        [token(1, slot_id="S0", places=2), token(2, Source.EMERGENCY, slot_id="S0", places=2)],
    )

    assert (available_places(today, "S0"), is_overbooked(today, "S0")) == (0, True)


def test_places_of_an_unknown_slot_are_a_value_error() -> None:
    with pytest.raises(ValueError, match="Unknown slot"):
        held_places(day([slot(0)]), "S9")


# --- a carried index decides as a fresh one does -------------------------------------------

token_fields = st.tuples(
    st.sampled_from(Source),
    st.sampled_from([Status.BOOKED] * 6 + [Status.CHECKED_IN] * 2 + list(Status)),
    st.sampled_from([at(7), at(8), at(8, 30)]),
    st.integers(0, 3),
    st.integers(0, 99),
    st.integers(1, 3),
)


@st.composite
def odd_days(draw: st.DrawFn) -> Day:
    """Days drawn freely, odd shapes included (holders of unknown slots, seated tokens
    without a slot, released tokens keeping theirs), with what the service guarantees:
    unique ids and sequence numbers."""
    capacities = draw(st.lists(st.integers(1, 4), min_size=1, max_size=6))
    slots = draw(st.permutations([slot(i, capacity) for i, capacity in enumerate(capacities)]))
    places = [s.id for s in slots]
    tokens = []
    for seq, (source, status, queued_at, displacements, where, size) in enumerate(
        draw(st.lists(token_fields, min_size=4, max_size=40)), start=1
    ):
        if status in engine.HOLDS_PLACE | {Status.CANCELLED, Status.NO_SHOW}:
            slot_id = [*places, *places, UNKNOWN_SLOT, None][where % (2 * len(places) + 2)]
        else:
            slot_id = places[0] if where % 4 == 0 else None
        tokens.append(
            Token(f"T{seq}", seq, source, status, queued_at, slot_id, displacements, size)
        )
    return Day(slots=tuple(slots), tokens=tuple(draw(st.permutations(tokens))))


def seating(today: Day) -> list[list[Token]]:
    """Each slot's holders in the day's index, in seq order: their order is not meaningful."""
    return [sorted(held, key=lambda t: t.seq) for held in today.index.holders]


steps = st.lists(
    st.tuples(
        st.sampled_from(["change", "bring", "leave"]),
        st.integers(0, 99),
        st.sampled_from(list(Status)),
        st.sampled_from(["S0", "S1", "S2", "S9", None]),
    ),
    max_size=30,
)


@given(odd_days(), steps)
def test_a_carried_index_always_matches_one_built_afresh(first: Day, changes: list[Step]) -> None:
    carried = first
    seating(carried)  # indexed from the start, so that every change carries the index forward
    for number, (kind, pick, status, slot_id) in enumerate(changes):
        ids = [t.id for t in carried.tokens]
        if kind == "leave":
            gone = tuple(ids[pick % len(ids) :: 3]) if ids else ("T-unknown",)
            carried = carried.after(Plan(gone=gone))
        else:
            token_id = ids[pick % len(ids)] if ids and kind == "change" else f"N{number}"
            changed = Token(token_id, 100 + number, Source.ONLINE, status, at(8), slot_id)
            carried = carried.after(Plan((changed,)))
        assert seating(carried) == seating(Day(slots=carried.slots, tokens=carried.tokens))


policies = st.builds(
    Policy,
    emergency_mode=st.sampled_from(EmergencyMode),
    spill=st.sampled_from(Spill),
    overflow=st.sampled_from(Overflow),
    max_displacements=st.integers(0, 3),
)
operations = st.tuples(
    st.sampled_from(["book"] * 5 + ["release"] * 2 + ["fill", "advance"]),
    st.integers(0, 99),
    st.sampled_from(Source),
    st.integers(0, 99),
)


@settings(max_examples=300, deadline=None)
@given(
    odd_days(),
    st.sampled_from([at(8), at(8), at(9, 30), at(11)]),
    policies,
    st.lists(operations, min_size=5, max_size=25),
)
def test_a_day_carried_from_plan_to_plan_decides_as_one_built_afresh(
    today: Day, now: datetime, policy: Policy, steps: list[tuple[str, int, Source, int]]
) -> None:
    """The index, carried by Day.after with its sorted holders shared between decisions,
    gives the very plans a day built afresh from the same tokens gives."""
    carried = today
    for number, (name, pick, source, other) in enumerate(steps):
        if name == "advance":
            now += timedelta(minutes=(30, 60, 120)[pick % 3])
            continue
        fresh = Day(slots=today.slots, tokens=today.tokens)
        decided = _outcome(name, fresh, number, now, policy, pick, source, other)
        assert _outcome(name, carried, number, now, policy, pick, source, other) == decided
        # Asked again, the carried day decides the same: what it shared was not changed.
        assert _outcome(name, carried, number, now, policy, pick, source, other) == decided
        if isinstance(decided, Plan):
            today = apply(today, decided)
            carried = carried.after(decided)
            assert carried.tokens == today.tokens
            assert seating(carried) == seating(Day(slots=today.slots, tokens=today.tokens))


def _outcome(
    name: str,
    today: Day,
    number: int,
    now: datetime,
    policy: Policy,
    pick: int,
    source: Source,
    other: int,
) -> object:
    slot_ids = [s.id for s in today.slots]
    try:
        if name == "book":
            newcomer = Token(f"N{number}", 1000 + number, source, Status.BOOKED, now, None, 0, 1)
            preferred = [*slot_ids, None][pick % (len(slot_ids) + 1)]
            return book(today, newcomer, preferred, now, policy)
        if name == "release":
            ids = [t.id for t in today.tokens] + ["T-unknown"]
            status = (Status.CANCELLED, Status.NO_SHOW)[other % 2]
            return engine.release(today, ids[pick % len(ids)], status, now, policy)
        return engine.fill(today, [*slot_ids, UNKNOWN_SLOT][pick % (len(slot_ids) + 1)], now)
    except (ValueError, IllegalTransition) as refused:
        return (type(refused), str(refused))
