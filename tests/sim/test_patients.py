from __future__ import annotations

import random
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
