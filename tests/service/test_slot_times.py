"""Slots on the days the clocks change: real durations, and no wall time guessed."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from opd_graphql.service import slots
from opd_graphql.service.errors import InvalidInput
from tests.service.factories import a_doctor

# (timezone, the day the clocks go forward and the hour they skip,
#  the day they go back and the hour they pass twice)
TRANSITIONS = [
    ("America/New_York", date(2027, 3, 14), 2, date(2027, 11, 7), 1),
    ("Europe/London", date(2027, 3, 28), 1, date(2027, 10, 31), 1),
]


def in_zone(service, name: str):
    service.clock.moment = datetime(2027, 1, 4, 12, tzinfo=UTC)
    return replace(service, timezone=ZoneInfo(name))


def day_of(doctor, day: date, start: int, end: int, minutes: int = 30) -> slots.NewSlots:
    return slots.NewSlots(str(doctor.id), day, time(start), time(end), minutes, 2)


def assert_back_to_back_and_real(made, minutes: int) -> None:
    for slot in made:
        assert slot.end - slot.start == timedelta(minutes=minutes)
    for earlier, later in itertools.pairwise(made):
        assert later.start == earlier.end


@pytest.mark.parametrize(("zone", "forward", "skipped", "back", "twice"), TRANSITIONS)
async def test_a_day_across_the_spring_change_has_real_half_hours(
    service, zone, forward, skipped, back, twice
):
    ctx = in_zone(service, zone)
    doctor = await a_doctor(ctx)

    made = await slots.create_slots(ctx, day_of(doctor, forward, skipped - 1, skipped + 2))

    # Three wall-clock hours that last two real ones: four half-hour slots.
    assert len(made) == 4
    assert_back_to_back_and_real(made, 30)


@pytest.mark.parametrize(("zone", "forward", "skipped", "back", "twice"), TRANSITIONS)
async def test_a_day_across_the_autumn_change_has_real_half_hours(
    service, zone, forward, skipped, back, twice
):
    ctx = in_zone(service, zone)
    doctor = await a_doctor(ctx)

    made = await slots.create_slots(ctx, day_of(doctor, back, twice - 1, twice + 2))

    # Three wall-clock hours that last four real ones: eight half-hour slots, none longer.
    assert len(made) == 8
    assert_back_to_back_and_real(made, 30)
    assert len({slot.start for slot in made}) == 8


@pytest.mark.parametrize(("zone", "forward", "skipped", "back", "twice"), TRANSITIONS)
async def test_a_wall_time_the_clocks_skip_is_refused(service, zone, forward, skipped, back, twice):
    ctx = in_zone(service, zone)
    doctor = await a_doctor(ctx)
    gone = datetime.combine(forward, time(skipped, 30))

    with pytest.raises(InvalidInput, match="does not exist") as refused:
        await slots.create_slot(
            ctx, slots.NewSlot(str(doctor.id), gone, gone + timedelta(hours=1), 2)
        )
    assert refused.value.field == "start"
    with pytest.raises(InvalidInput, match="does not exist"):
        await slots.create_slots(ctx, day_of(doctor, forward, skipped, skipped + 2))


@pytest.mark.parametrize(("zone", "forward", "skipped", "back", "twice"), TRANSITIONS)
async def test_a_wall_time_that_happens_twice_is_refused(
    service, zone, forward, skipped, back, twice
):
    ctx = in_zone(service, zone)
    doctor = await a_doctor(ctx)
    again = datetime.combine(back, time(twice, 30))

    with pytest.raises(InvalidInput, match="happens twice") as refused:
        await slots.create_slot(
            ctx, slots.NewSlot(str(doctor.id), again - timedelta(hours=1), again, 2)
        )
    assert refused.value.field == "end"
