from __future__ import annotations

from datetime import timedelta

from opd_graphql.engine import (
    Source,
    Status,
    consultation_length,
    estimated_call_times,
    now_serving,
    queue_order,
    waitlist,
)
from tests.engine.factories import at, day, slot, token

CALLED, CHECKED_IN = Status.CALLED, Status.CHECKED_IN


def test_queue_order_is_emergency_first_then_slot_start_then_rank() -> None:
    today = day(
        [slot(1), slot(0)],
        [
            token(1, Source.PAID, slot_id="S1"),
            token(2, Source.WALK_IN, slot_id="S0", queued_at=at(7, 30)),
            token(3, Source.WALK_IN, slot_id="S0", queued_at=at(7)),
            token(4, Source.EMERGENCY, slot_id="S1"),
            token(5, Source.FOLLOW_UP, slot_id="S0", status=CHECKED_IN),
            token(6, Source.ONLINE, slot_id="S0", status=CALLED),
        ],
    )

    assert [t.id for t in queue_order(today)] == ["T4", "T5", "T6", "T3", "T2", "T1"]


def test_queue_order_leaves_out_tokens_without_a_seat() -> None:
    today = day(
        [slot(0)],
        [
            token(1, slot_id="S0", status=Status.COMPLETED),
            token(2, slot_id="S0", status=Status.CANCELLED),
            token(3),
            token(4, slot_id="S0"),
        ],
    )

    assert [t.id for t in queue_order(today)] == ["T4"]


def test_now_serving_is_the_called_token() -> None:
    today = day([slot(0)], [token(1, slot_id="S0"), token(2, slot_id="S0", status=CALLED)])

    serving = now_serving(today)

    assert serving is not None and serving.id == "T2"


def test_nobody_is_served_without_a_called_token() -> None:
    assert now_serving(day([slot(0)], [token(1, slot_id="S0", status=CHECKED_IN)])) is None


def test_waitlist_is_in_promotion_order() -> None:
    today = day(
        [slot(0)],
        [
            token(1, Source.WALK_IN),
            token(2, Source.PAID, queued_at=at(8, 30)),
            token(3, Source.PAID, queued_at=at(8, 5)),
            token(4, slot_id="S0"),
        ],
    )

    assert [t.id for t in waitlist(today)] == ["T3", "T2", "T1"]


def test_consultation_length_divides_the_slot_by_its_capacity() -> None:
    assert consultation_length(slot(0, capacity=4)) == timedelta(minutes=15)


def test_estimates_walk_the_queue_from_now_and_never_precede_the_slot_start() -> None:
    today = day(
        [slot(0, capacity=4), slot(1, capacity=2)],
        [
            token(1, slot_id="S0"),
            token(2, slot_id="S0", status=CHECKED_IN),
            token(3, slot_id="S1"),
            token(4, slot_id="S1"),
        ],
    )

    estimates = estimated_call_times(today, at(9, 20))

    assert estimates == {"T1": at(9, 20), "T2": at(9, 35), "T3": at(10), "T4": at(10, 30)}


def test_estimates_start_before_the_slot_opens_at_its_start() -> None:
    today = day([slot(0, capacity=2)], [token(1, slot_id="S0"), token(2, slot_id="S0")])

    assert estimated_call_times(today, at(8)) == {"T1": at(9), "T2": at(9, 30)}


def test_estimates_wait_one_consultation_for_the_token_being_served() -> None:
    today = day(
        [slot(0, capacity=3)], [token(1, slot_id="S0", status=CALLED), token(2, slot_id="S0")]
    )

    assert estimated_call_times(today, at(9, 10)) == {"T2": at(9, 30)}


def test_estimates_cover_waiting_tokens_only() -> None:
    today = day(
        [slot(0)],
        [token(1, slot_id="S0", status=Status.COMPLETED), token(2), token(3, slot_id="S0")],
    )

    assert set(estimated_call_times(today, at(9))) == {"T3"}


def test_a_late_emergency_is_estimated_first_but_not_before_its_slot() -> None:
    today = day(
        [slot(0, capacity=2), slot(1, capacity=2)],
        [token(1, slot_id="S0"), token(2, Source.EMERGENCY, slot_id="S1")],
    )

    assert estimated_call_times(today, at(9)) == {"T2": at(10), "T1": at(10, 30)}


def test_estimates_count_each_token_as_its_places_in_consultations() -> None:
    today = day(
        [slot(0, capacity=4)],
        [token(1, slot_id="S0", places=2), token(2, slot_id="S0"), token(3, slot_id="S0")],
    )

    assert estimated_call_times(today, at(9)) == {"T1": at(9), "T2": at(9, 30), "T3": at(9, 45)}


def test_the_token_being_served_is_counted_as_its_places_in_consultations() -> None:
    today = day(
        [slot(0, capacity=4)],
        [token(1, slot_id="S0", status=CALLED, places=3), token(2, slot_id="S0")],
    )

    assert estimated_call_times(today, at(9)) == {"T2": at(9, 45)}


# --- patients held back after a skip ---------------------------------------------------------


def test_a_held_back_patient_is_shown_after_the_patients_called_before_them() -> None:
    today = day(
        [slot(0, capacity=6)],
        [
            token(1, slot_id="S0", status=CHECKED_IN, recall_in=2),
            token(2, slot_id="S0", status=CHECKED_IN),
            token(3, slot_id="S0"),
            token(4, slot_id="S0", status=CHECKED_IN),
            token(5, slot_id="S0", status=CHECKED_IN),
        ],
    )

    assert [t.id for t in queue_order(today)] == ["T2", "T3", "T4", "T1", "T5"]


def test_a_held_back_patient_stays_at_their_own_place_when_that_is_later() -> None:
    today = day(
        [slot(0, capacity=6)],
        [
            token(1, slot_id="S0", status=CHECKED_IN),
            token(2, slot_id="S0", status=CHECKED_IN),
            token(3, slot_id="S0", status=CHECKED_IN, recall_in=1),
            token(4, slot_id="S0"),
        ],
    )

    assert [t.id for t in queue_order(today)] == ["T1", "T2", "T3", "T4"]


def test_a_held_back_patient_is_shown_first_when_nobody_else_is_checked_in() -> None:
    today = day(
        [slot(0, capacity=6)],
        [token(1, slot_id="S0"), token(2, slot_id="S0", status=CHECKED_IN, recall_in=2)],
    )

    assert [t.id for t in queue_order(today)] == ["T1", "T2"]


def test_held_back_patients_are_shown_in_the_order_they_will_be_called() -> None:
    today = day(
        [slot(0, capacity=6)],
        [
            token(1, slot_id="S0", status=CHECKED_IN, recall_in=2),
            token(2, slot_id="S0", status=CHECKED_IN, recall_in=1),
            token(3, slot_id="S0", status=CHECKED_IN),
            token(4, slot_id="S0", status=CHECKED_IN),
            token(5, slot_id="S0", status=CHECKED_IN),
        ],
    )

    # T3 is called first (T1 -> 1, T2 -> 0), then T2 comes before T4 (T1 -> 0), then T1.
    assert [t.id for t in queue_order(today)] == ["T3", "T2", "T1", "T4", "T5"]


def test_estimates_follow_the_order_a_held_back_patient_will_be_called_in() -> None:
    today = day(
        [slot(0, capacity=4)],
        [
            token(1, slot_id="S0", status=CHECKED_IN, recall_in=1),
            token(2, slot_id="S0", status=CHECKED_IN),
        ],
    )

    assert estimated_call_times(today, at(9)) == {"T2": at(9), "T1": at(9, 15)}


def test_a_patient_held_back_longer_is_shown_after_one_held_back_less_if_called_later() -> None:
    today = day(
        [slot(0, capacity=6)],
        [
            token(1, slot_id="S0", status=CHECKED_IN, recall_in=1),
            token(2, slot_id="S0", status=CHECKED_IN, recall_in=2),
            token(3, slot_id="S0", status=CHECKED_IN),
        ],
    )

    # Calls: T3 (T1 -> 0, T2 -> 1), T1 (T2 -> 0), T2. T2's own place is before T3's, but it
    # is called after T1, who is shown after T3.
    assert [t.id for t in queue_order(today)] == ["T3", "T1", "T2"]
