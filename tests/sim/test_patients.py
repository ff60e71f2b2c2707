from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from opd_graphql.engine import Source
from opd_graphql.sim.config import SimulationConfig
from opd_graphql.sim.patients import draw_patients

OPENS = datetime(2030, 1, 10, 9, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(hours=8)
CONFIG = SimulationConfig(slots_per_doctor=16)


def many(seed: int = 1, config: SimulationConfig = CONFIG) -> list:
    return draw_patients(random.Random(seed), config, OPENS, CLOSES, 4000)


def test_the_same_seed_draws_the_same_patients():
    assert many(3) == many(3)
    assert many(3) != many(4)


def test_walk_ins_come_on_the_day_mostly_in_the_first_two_hours():
    walk_ins = [p for p in many() if p.source is Source.WALK_IN]
    early = [p for p in walk_ins if p.books_at < OPENS + timedelta(hours=2)]

    assert len(walk_ins) / 4000 > 0.6
    assert all(OPENS - timedelta(minutes=30) <= p.books_at < CLOSES for p in walk_ins)
    # 2 of the 8 hours, yet more than half of the walk-ins.
    assert len(early) / len(walk_ins) > 0.5


def test_appointments_are_booked_ahead_and_about_23_percent_are_not_kept():
    appointments = [p for p in many() if not p.on_the_day]
    kept_or_missed = [p for p in appointments if p.cancel_fraction is None]
    missed = [p for p in kept_or_missed if p.arrival_offset is None]

    assert all(p.books_at <= OPENS - timedelta(hours=1) for p in appointments)
    assert all(p.preferred_slot is not None for p in appointments)
    assert 0.19 < len(missed) / len(kept_or_missed) < 0.27
    assert all(
        timedelta(minutes=-30) <= p.arrival_offset <= timedelta(minutes=5)
        for p in kept_or_missed
        if p.arrival_offset is not None
    )


def test_rates_of_zero_mean_nobody_cancels_misses_or_is_an_emergency():
    calm = SimulationConfig(no_show_rate=0, cancel_rate=0, emergency_rate=0)

    patients = many(config=calm)

    assert not any(p.source is Source.EMERGENCY for p in patients)
    assert all(p.arrival_offset is not None for p in patients if not p.on_the_day)


def test_about_15_percent_are_new_patients_needing_two_places_never_a_follow_up():
    patients = many()
    others = [p for p in patients if p.source is not Source.FOLLOW_UP]
    new = [p for p in others if p.places == 2]

    assert {p.places for p in patients} == {1, 2}
    assert all(p.places == 1 for p in patients if p.source is Source.FOLLOW_UP)
    assert 0.12 < len(new) / len(others) < 0.18


def test_no_patient_needs_more_places_than_a_slot_has():
    patients = many(config=replace(CONFIG, capacity=1, new_patient_rate=1))

    assert {p.places for p in patients} == {1}


def test_a_few_are_absent_when_called_and_most_of_them_come_back_within_20_minutes():
    patients = many()
    absent = [p for p in patients if p.absent_when_called]
    back = [p.back_after for p in absent if p.back_after is not None]

    assert 0.03 < len(absent) / len(patients) < 0.07
    assert not any(p.source is Source.EMERGENCY for p in absent)
    assert 0.7 < len(back) / len(absent) < 0.9
    assert all(timedelta(minutes=1) <= span <= timedelta(minutes=20) for span in back)
    assert all(p.back_after is None for p in patients if not p.absent_when_called)


def test_changing_a_trait_rate_keeps_the_same_patients_otherwise():
    calm = many(config=replace(CONFIG, new_patient_rate=0, absent_when_called_rate=0))
    busy = many(config=replace(CONFIG, new_patient_rate=0.5, absent_when_called_rate=0.5))

    assert not any(p.places > 1 or p.absent_when_called for p in calm)
    assert [(p.source, p.books_at) for p in calm] == [(p.source, p.books_at) for p in busy]
    assert sum(p.places > 1 for p in busy) > 1000
