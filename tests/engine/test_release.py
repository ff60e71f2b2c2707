from __future__ import annotations

import pytest

from opd_graphql.engine import (
    EventKind,
    IllegalTransition,
    Plan,
    Policy,
    Source,
    Status,
    expire,
    fill,
    release,
)
from tests.engine.factories import MORNING, apply, at, day, moves, placement, slot, token

CANCELLED, NO_SHOW, PROMOTED = EventKind.CANCELLED, EventKind.NO_SHOW, EventKind.PROMOTED
DEFAULT = Policy()


# --- release --------------------------------------------------------------------------------


def test_cancelling_a_seated_token_keeps_its_slot_for_history() -> None:
    today = day([slot(0)], [token(1, slot_id="S0")])

    plan = release(today, "T1", Status.CANCELLED, MORNING, DEFAULT)

    assert placement(plan) == {"T1": (Status.CANCELLED, "S0")}
    assert moves(plan) == [("T1", CANCELLED, "S0", None)]


@pytest.mark.parametrize("status", [Status.BOOKED, Status.CHECKED_IN, Status.CALLED])
def test_no_show_of_a_seated_token_frees_its_place_for_the_waitlist(status: Status) -> None:
    today = day([slot(0, capacity=1)], [token(1, slot_id="S0", status=status), token(2)])

    plan = release(today, "T1", Status.NO_SHOW, MORNING, DEFAULT)

    assert moves(plan) == [("T1", NO_SHOW, "S0", None), ("T2", PROMOTED, "S0", "T1")]
    assert placement(plan) == {"T1": (Status.NO_SHOW, "S0"), "T2": (Status.BOOKED, "S0")}


def test_the_freed_place_goes_to_the_best_ranked_waitlisted_token() -> None:
    waiting = [
        token(2, Source.WALK_IN, queued_at=at(7)),
        token(3, Source.PAID, queued_at=at(8, 30)),
        token(4, Source.PAID, queued_at=at(8, 10)),
    ]
    today = day([slot(0, capacity=1)], [token(1, slot_id="S0"), *waiting])

    plan = release(today, "T1", Status.CANCELLED, MORNING, DEFAULT)

    assert ("T4", PROMOTED, "S0", "T1") in moves(plan)
    assert [e.token_id for e in plan.events if e.kind is PROMOTED] == ["T4"]


def test_promotion_breaks_rank_ties_by_sequence() -> None:
    today = day([slot(0, capacity=1)], [token(1, slot_id="S0"), token(9), token(8)])

    plan = release(today, "T1", Status.CANCELLED, MORNING, DEFAULT)

    assert ("T8", PROMOTED, "S0", "T1") in moves(plan)


def test_an_overbooked_slot_promotes_nobody_until_back_under_capacity() -> None:
    today = day(
        [slot(0, capacity=2)],
        [
            token(1, slot_id="S0"),
            token(2, slot_id="S0"),
            token(3, Source.EMERGENCY, slot_id="S0"),
            token(4),
        ],
    )

    first = release(today, "T1", Status.CANCELLED, MORNING, DEFAULT)
    second = release(apply(today, first), "T2", Status.CANCELLED, MORNING, DEFAULT)

    assert moves(first) == [("T1", CANCELLED, "S0", None)]
    assert ("T4", PROMOTED, "S0", "T2") in moves(second)


def test_a_release_in_an_ended_slot_promotes_nobody() -> None:
    today = day([slot(0, capacity=1), slot(1, capacity=1)], [token(1, slot_id="S0"), token(2)])

    plan = release(today, "T1", Status.NO_SHOW, at(10, 15), DEFAULT)

    assert moves(plan) == [("T1", NO_SHOW, "S0", None)]


def test_cancelling_a_waitlisted_token_promotes_nobody() -> None:
    today = day([slot(0, capacity=1)], [token(1, slot_id="S0"), token(2), token(3)])

    plan = release(today, "T2", Status.CANCELLED, MORNING, DEFAULT)

    assert moves(plan) == [("T2", CANCELLED, None, None)]
    assert placement(plan) == {"T2": (Status.CANCELLED, None)}


def test_cancelling_a_cancelled_token_changes_nothing() -> None:
    today = day([slot(0)], [token(1, slot_id="S0", status=Status.CANCELLED)])

    assert release(today, "T1", Status.CANCELLED, MORNING, DEFAULT) == Plan()


@pytest.mark.parametrize(
    ("status", "released_as", "message"),
    [
        (Status.COMPLETED, Status.CANCELLED, "A completed token cannot be cancelled."),
        (Status.REJECTED, Status.CANCELLED, "A rejected token cannot be cancelled."),
        (Status.EXPIRED, Status.CANCELLED, "An expired token cannot be cancelled."),
        (Status.NO_SHOW, Status.CANCELLED, "A no-show token cannot be cancelled."),
        (Status.COMPLETED, Status.NO_SHOW, "A completed token cannot be marked as a no-show."),
        (Status.CANCELLED, Status.NO_SHOW, "A cancelled token cannot be marked as a no-show."),
        (Status.WAITLISTED, Status.NO_SHOW, "A waitlisted token cannot be marked as a no-show."),
        (Status.NO_SHOW, Status.NO_SHOW, "A no-show token cannot be marked as a no-show."),
    ],
)
def test_illegal_releases_raise_a_readable_error(
    status: Status, released_as: Status, message: str
) -> None:
    slot_id = None if status is Status.WAITLISTED else "S0"
    today = day([slot(0)], [token(1, slot_id=slot_id, status=status)])

    with pytest.raises(IllegalTransition) as raised:
        release(today, "T1", released_as, MORNING, DEFAULT)

    assert str(raised.value) == message
    assert (raised.value.token_id, raised.value.status) == ("T1", status)


def test_release_only_cancels_or_marks_no_show() -> None:
    with pytest.raises(ValueError):
        release(day([slot(0)], [token(1, slot_id="S0")]), "T1", Status.COMPLETED, MORNING, DEFAULT)


def test_releasing_an_unknown_token_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        release(day([slot(0)]), "T404", Status.CANCELLED, MORNING, DEFAULT)


# --- fill -----------------------------------------------------------------------------------


def test_fill_offers_every_free_place_to_the_waitlist_in_rank_order() -> None:
    waiting = [token(1), token(2, Source.PAID), token(3, Source.ONLINE), token(4, Source.PAID)]
    today = day([slot(0, capacity=1), slot(1, capacity=3)], [token(9, slot_id="S0"), *waiting])

    plan = fill(today, "S1", MORNING)

    assert moves(plan) == [
        ("T2", PROMOTED, "S1", None),
        ("T4", PROMOTED, "S1", None),
        ("T3", PROMOTED, "S1", None),
    ]
    assert placement(plan)["T3"] == (Status.BOOKED, "S1")


def test_fill_counts_the_places_already_held() -> None:
    today = day([slot(0, capacity=2)], [token(1, slot_id="S0"), token(2), token(3)])

    plan = fill(today, "S0", MORNING)

    assert moves(plan) == [("T2", PROMOTED, "S0", None)]


def test_fill_of_an_ended_slot_does_nothing() -> None:
    today = day([slot(0), slot(1)], [token(1)])

    assert fill(today, "S0", at(10)) == Plan()


def test_fill_with_an_empty_waitlist_does_nothing() -> None:
    assert fill(day([slot(0)], [token(1, slot_id="S0")]), "S0", MORNING) == Plan()


def test_fill_of_an_unknown_slot_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        fill(day([slot(0)]), "S9", MORNING)


# --- expire ---------------------------------------------------------------------------------


def test_waitlisted_tokens_expire_once_the_last_slot_has_ended() -> None:
    today = day(
        [slot(1), slot(0)],
        [token(1, slot_id="S0"), token(2), token(3, Source.PAID), token(4, status=Status.REJECTED)],
    )

    plan = expire(today, at(11))

    assert moves(plan) == [
        ("T3", EventKind.EXPIRED, None, None),
        ("T2", EventKind.EXPIRED, None, None),
    ]
    assert placement(plan) == {"T3": (Status.EXPIRED, None), "T2": (Status.EXPIRED, None)}


def test_nothing_expires_while_a_slot_is_open() -> None:
    today = day([slot(0), slot(1)], [token(1)])

    assert expire(today, at(10, 59)) == Plan()


def test_a_day_without_slots_expires_nothing() -> None:
    assert expire(day([], [token(1)]), at(23)) == Plan()


def test_fill_of_a_closed_slot_does_nothing() -> None:
    today = day([slot(0, closed=True), slot(1)], [token(1)])

    assert fill(today, "S0", MORNING) == Plan()


def test_a_release_in_a_closed_slot_promotes_nobody() -> None:
    today = day(
        [slot(0, capacity=1, closed=True), slot(1, capacity=1)], [token(1, slot_id="S0"), token(2)]
    )

    plan = release(today, "T1", Status.CANCELLED, MORNING, DEFAULT)

    assert moves(plan) == [("T1", CANCELLED, "S0", None)]
