"""Choosing a department's doctor for a token (DESIGN 3, booking into a department)."""

from __future__ import annotations

import pytest

from opd_graphql.engine import (
    Candidate,
    Day,
    Policy,
    Slot,
    Source,
    Token,
    book,
    choose_candidate,
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
