"""Choosing a department's doctor for a token (DESIGN 3, booking into a department)."""

from __future__ import annotations

import pytest

from opd_graphql.engine import (
    Candidate,
    Day,
    EventKind,
    Policy,
    Receiver,
    Slot,
    SlotUnusable,
    Source,
    Status,
    Token,
    book,
    choose_candidate,
    close_into,
    hand_over,
)
from tests.engine.factories import MORNING, day, new, slot, token

DEFAULT = Policy()


def candidate(code: str, today: Day, newcomer: Token, policy: Policy = DEFAULT) -> Candidate:
    return Candidate(code, today, book(today, newcomer, None, MORNING, policy))


def chosen(newcomer: Token, **days: Day) -> str:
    candidates = [candidate(code, today, newcomer) for code, today in days.items()]
    return choose_candidate(newcomer.id, candidates).code


def later(i: int, capacity: int = 2) -> Slot:
    return slot(i + 1, capacity)


def test_a_doctor_who_seats_the_token_beats_one_who_waitlists_it() -> None:
    full = day([slot(0, capacity=1)], [token(1, Source.PAID, slot_id="S0")])

    assert chosen(new(9), A=full, B=day([later(0)])) == "B"


def test_a_doctor_whose_slot_the_token_does_not_overbook_wins() -> None:
    crowded = day([slot(0, capacity=1)], [token(1, Source.EMERGENCY, slot_id="S0")])
    emergency = new(9, Source.EMERGENCY)

    assert chosen(emergency, A=crowded, B=day([later(3)])) == "B"


def test_fewer_displacements_win_then_earlier_slots() -> None:
    displacing = day([slot(0, capacity=1)], [token(1, slot_id="S0")])
    paid = new(9, Source.PAID)

    assert chosen(paid, A=displacing, B=day([later(2)])) == "B"
    assert chosen(paid, A=day([later(1)]), B=day([later(0)])) == "B"


def test_fewer_seated_places_before_the_booking_win_then_the_doctor_s_code() -> None:
    busier = day([slot(0, capacity=4)], [token(1, slot_id="S0", places=2)])
    quieter = day([slot(0, capacity=4)], [token(1, slot_id="S0")])

    assert chosen(new(9), A=busier, B=quieter) == "B"
    assert chosen(new(9), B=day([slot(0)]), A=day([slot(0)])) == "A"


def test_without_a_seat_anywhere_the_shortest_waitlist_then_the_code_wins() -> None:
    def full(waiting: int) -> Day:
        return day(
            [slot(0, capacity=1)],
            [token(1, Source.PAID, slot_id="S0"), *(token(2 + i) for i in range(waiting))],
        )

    assert chosen(new(9), A=full(2), B=full(1), C=full(3)) == "B"
    assert chosen(new(9), B=full(1), A=full(1)) == "A"


def test_no_candidate_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        choose_candidate("T9", [])


# --- handing a closing day's patients over ---------------------------------------------------


def note(leaving: Token) -> str:
    return f"Called away (was {leaving.seq})"


def test_closing_hands_tokens_over_best_rank_first_each_to_the_best_day_as_it_then_is() -> None:
    closing = day(
        [slot(0, capacity=2)],
        [token(1, slot_id="S0"), token(2, Source.PAID, slot_id="S0")],
    )
    receivers = [
        Receiver("A", day([later(0, capacity=1)]), issued=5),
        Receiver("B", day([later(1, capacity=1)]), issued=0),
    ]

    shut, handovers = close_into(closing, ["S0"], receivers, MORNING, DEFAULT, note)

    assert [s.id for s in shut.slots if s.closed] == ["S0"]
    assert [(h.token_id, h.code) for h in handovers] == [("T2", "A"), ("T1", "B")]
    paid = handovers[0].inbound.token("T2")
    assert (paid.seq, paid.slot_id, paid.status) == (6, "S1", Status.BOOKED)
    assert handovers[0].out.gone == ("T2",)
    assert [(e.kind, e.note) for e in handovers[0].out.events] == [
        (EventKind.TRANSFERRED, "Called away (was 2)")
    ]


def test_closing_a_whole_day_hands_its_waitlist_over_after_its_seated_tokens() -> None:
    closing = day(
        [slot(0, capacity=1)], [token(1, Source.PAID, slot_id="S0"), token(2, Source.PAID)]
    )
    receivers = [Receiver("A", day([later(0, capacity=2)]), issued=0)]

    _, handovers = close_into(closing, None, receivers, MORNING, DEFAULT, note)

    assert [h.token_id for h in handovers] == ["T1", "T2"]
    assert [h.inbound.token(h.token_id).seq for h in handovers] == [1, 2]


def test_a_token_no_other_day_can_take_stops_the_closing() -> None:
    closing = day([slot(0)], [token(1, slot_id="S0")])

    with pytest.raises(SlotUnusable):
        close_into(closing, None, [], MORNING, DEFAULT, note)


def test_a_handover_moves_one_token_from_the_slot_asked_for() -> None:
    leaving = day([slot(0)], [token(1, slot_id="S0", status=Status.CHECKED_IN)])
    there = day([later(0), later(1)])

    handover = hand_over(leaving, "T1", Receiver("B", there, 3), "S2", MORNING, DEFAULT, "moved")

    moved = handover.inbound.token("T1")
    assert (handover.code, moved.slot_id, moved.status, moved.seq) == (
        "B",
        "S2",
        Status.CHECKED_IN,
        4,
    )
    assert handover.out.gone == ("T1",)
