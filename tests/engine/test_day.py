from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opd_graphql.engine import Day, Plan, Policy, Source, Status, Token, book
from tests.engine.factories import MORNING, at, day, new, slot, token
from tests.engine.test_equivalence import odd_days, seating

Step = tuple[str, int, Status, str | None]


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
    remembered = judged.without(["T2", "T1", "T-unknown"])

    assert [t.id for t in judged.tokens] == ["T1", "T2"]
    assert judged.index.holders == ([seated],)
    assert (remembered.tokens, remembered.index.holders) == ((), ([],))
    assert first.index is first_index and first_index.holders == ([seated],)


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
            carried = carried.without(ids[pick % len(ids) :: 3] if ids else ["T-unknown"])
        else:
            token_id = ids[pick % len(ids)] if ids and kind == "change" else f"N{number}"
            changed = Token(token_id, 100 + number, Source.ONLINE, status, at(8), slot_id)
            carried = carried.after(Plan((changed,)))
        assert seating(carried) == seating(Day(slots=carried.slots, tokens=carried.tokens))
