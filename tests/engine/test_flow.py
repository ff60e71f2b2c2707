from __future__ import annotations

import pytest

from opd_graphql.engine import (
    EventKind,
    IllegalTransition,
    Plan,
    Policy,
    Source,
    Status,
    Token,
    call_next,
    check_in,
    complete,
    skip,
)
from tests.engine.factories import MORNING, apply, day, moves, placement, slot, token

CALLED, CHECKED_IN, COMPLETED = Status.CALLED, Status.CHECKED_IN, Status.COMPLETED


def test_check_in_marks_a_booked_token_arrived() -> None:
    plan = check_in(day([slot(0)], [token(1, slot_id="S0")]), "T1")

    assert placement(plan) == {"T1": (CHECKED_IN, "S0")}
    assert moves(plan) == [("T1", EventKind.CHECKED_IN, "S0", None)]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Status.WAITLISTED, "A waitlisted token cannot be checked in."),
        (Status.CHECKED_IN, "A checked-in token cannot be checked in."),
        (Status.CALLED, "A called token cannot be checked in."),
        (Status.CANCELLED, "A cancelled token cannot be checked in."),
        (Status.EXPIRED, "An expired token cannot be checked in."),
    ],
)
def test_only_booked_tokens_can_be_checked_in(status: Status, message: str) -> None:
    with pytest.raises(IllegalTransition, match=message) as raised:
        check_in(day([slot(0)], [token(1, status=status)]), "T1")

    assert (raised.value.token_id, raised.value.status) == ("T1", status)


def test_call_next_calls_the_first_checked_in_token_in_queue_order() -> None:
    today = day(
        [slot(0), slot(1)],
        [
            token(1, Source.PAID, slot_id="S1", status=CHECKED_IN),
            token(2, Source.WALK_IN, slot_id="S0", status=CHECKED_IN),
            token(3, Source.PAID, slot_id="S0"),
        ],
    )

    plan = call_next(today)

    assert moves(plan) == [("T2", EventKind.CALLED, "S0", None)]
    assert placement(plan) == {"T2": (CALLED, "S0")}


def test_call_next_calls_a_checked_in_emergency_first() -> None:
    today = day(
        [slot(0), slot(1)],
        [
            token(1, slot_id="S0", status=CHECKED_IN),
            token(2, Source.EMERGENCY, slot_id="S1", status=CHECKED_IN),
        ],
    )

    assert placement(call_next(today)) == {"T2": (CALLED, "S1")}


def test_call_next_completes_the_current_token_before_calling_the_next() -> None:
    today = day(
        [slot(0)],
        [token(1, slot_id="S0", status=CALLED), token(2, slot_id="S0", status=CHECKED_IN)],
    )

    plan = call_next(today)

    assert moves(plan) == [
        ("T1", EventKind.COMPLETED, "S0", None),
        ("T2", EventKind.CALLED, "S0", None),
    ]
    assert placement(plan) == {"T1": (COMPLETED, "S0"), "T2": (CALLED, "S0")}


def test_call_next_with_nobody_checked_in_only_completes() -> None:
    today = day([slot(0)], [token(1, slot_id="S0", status=CALLED), token(2, slot_id="S0")])

    assert moves(call_next(today)) == [("T1", EventKind.COMPLETED, "S0", None)]


def test_call_next_on_a_quiet_day_changes_nothing() -> None:
    assert call_next(day([slot(0)], [token(1, slot_id="S0"), token(2)])) == Plan()


def test_complete_ends_a_called_consultation() -> None:
    plan = complete(day([slot(0)], [token(1, slot_id="S0", status=CALLED)]), "T1")

    assert placement(plan) == {"T1": (COMPLETED, "S0")}
    assert moves(plan) == [("T1", EventKind.COMPLETED, "S0", None)]


@pytest.mark.parametrize("status", [Status.BOOKED, CHECKED_IN, COMPLETED, Status.NO_SHOW])
def test_only_called_tokens_can_be_completed(status: Status) -> None:
    with pytest.raises(IllegalTransition, match="token cannot be completed"):
        complete(day([slot(0)], [token(1, slot_id="S0", status=status)]), "T1")


def test_flow_on_an_unknown_token_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        check_in(day([slot(0)]), "T1")


# --- calling a patient who is not there ----------------------------------------------------

SKIPPED = EventKind.SKIPPED


def test_a_skipped_patient_goes_back_to_checked_in_and_is_held_back() -> None:
    today = day([slot(0)], [token(1, slot_id="S0", status=CALLED)])

    plan = skip(today, "T1", MORNING, Policy(recall_after=3))

    assert moves(plan) == [("T1", SKIPPED, "S0", None)]
    skipped = plan.token("T1")
    assert (skipped.status, skipped.skips, skipped.recall_in) == (CHECKED_IN, 1, 3)


def test_a_patient_skipped_max_skips_times_is_a_no_show_at_the_next_skip() -> None:
    today = day([slot(0, capacity=1)], [token(1, slot_id="S0", status=CALLED, skips=2), token(2)])

    plan = skip(today, "T1", MORNING, Policy(max_skips=2))

    assert moves(plan) == [
        ("T1", EventKind.NO_SHOW, "S0", None),
        ("T2", EventKind.PROMOTED, "S0", "T1"),
    ]
    assert plan.token("T1").status is Status.NO_SHOW


def test_a_patient_skipped_fewer_times_than_max_skips_is_skipped_again() -> None:
    today = day([slot(0)], [token(1, slot_id="S0", status=CALLED, skips=1)])

    plan = skip(today, "T1", MORNING, Policy(max_skips=2))

    assert plan.token("T1").skips == 2 and moves(plan)[0][1] is SKIPPED


@pytest.mark.parametrize("status", [Status.BOOKED, CHECKED_IN, COMPLETED, Status.WAITLISTED])
def test_only_a_called_token_can_be_skipped(status: Status) -> None:
    with pytest.raises(IllegalTransition, match="token cannot be skipped"):
        skip(day([slot(0)], [token(1, slot_id="S0", status=status)]), "T1", MORNING, Policy())


def held_back_day() -> list[Token]:
    return [
        token(1, slot_id="S0", status=CHECKED_IN, recall_in=2),
        token(2, slot_id="S0", status=CHECKED_IN),
        token(3, slot_id="S0", status=CHECKED_IN),
        token(4, slot_id="S0", status=CHECKED_IN),
    ]


def test_call_next_passes_over_a_held_back_patient_and_lowers_their_hold() -> None:
    plan = call_next(day([slot(0, capacity=4)], held_back_day()))

    assert moves(plan) == [("T2", EventKind.CALLED, "S0", None)]
    assert plan.token("T1").recall_in == 1
    assert plan.token("T2").recall_in == 0


def test_a_held_back_patient_is_called_after_recall_after_others() -> None:
    today = day([slot(0, capacity=4)], held_back_day())
    called = []
    for _ in range(4):
        plan = call_next(today)
        called.append(next(e.token_id for e in plan.events if e.kind is EventKind.CALLED))
        today = apply(today, plan)

    assert called == ["T2", "T3", "T1", "T4"]


def test_a_held_back_patient_is_called_sooner_when_nobody_else_is_checked_in() -> None:
    today = day(
        [slot(0)],
        [
            token(1, slot_id="S0", status=CHECKED_IN, recall_in=2),
            token(2, slot_id="S0", status=CHECKED_IN, recall_in=1),
            token(3, slot_id="S0"),
        ],
    )

    plan = call_next(today)

    assert placement(plan)["T2"] == (CALLED, "S0")
    assert plan.token("T1").recall_in == 1


def test_calling_a_patient_clears_their_own_hold() -> None:
    today = day([slot(0)], [token(1, slot_id="S0", status=CHECKED_IN, recall_in=2)])

    assert call_next(today).token("T1").recall_in == 0
