"""The replay follows a token moved to another doctor-day by the events of both days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from beanie import PydanticObjectId

from opd_graphql.engine import EventKind, Source, Status
from opd_graphql.sim import invariants
from opd_graphql.sim.replay import Committed, DayReplay, Replays, SlotInfo, TokenState

NINE = datetime(2030, 1, 10, 9, 0, tzinfo=UTC)


def a_day(capacity: int = 2, unplaced: Status = Status.WAITLISTED) -> DayReplay:
    slot = SlotInfo(str(PydanticObjectId()), NINE, NINE + timedelta(hours=1), capacity)
    return DayReplay(PydanticObjectId(), "2030-01-10", [slot], unplaced=unplaced)


def seat(day: DayReplay, number: str, status: Status, source: Source = Source.WALK_IN) -> str:
    token_id = str(PydanticObjectId())
    slot_id = None if status is Status.WAITLISTED else day.slots[0].id
    seq = int(number[-3:])
    day.tokens[token_id] = TokenState(token_id, number, seq, source, NINE, status, slot_id)
    return token_id


def event(day: DayReplay, token_id: str, slot_id: str | None, version: int = 1) -> Committed:
    at = NINE + timedelta(minutes=30)
    return Committed(day.doctor_id, version, token_id, EventKind.TRANSFERRED, slot_id, at)


@pytest.mark.parametrize("arrival_first", [False, True])
def test_a_transferred_token_leaves_one_day_and_joins_the_other_with_its_status(arrival_first):
    source, target = a_day(), a_day()
    replays = Replays()
    replays.add(source)
    replays.add(target)
    moved = seat(source, "D01-004", Status.CHECKED_IN)
    stays = seat(source, "D01-005", Status.CHECKED_IN)
    source.tokens[moved].skips, source.tokens[moved].recall_in = 1, 2
    state = source.tokens[moved]

    source.send(moved, target, "D02-007", 7)
    leaving, arriving = event(source, moved, None), event(target, moved, target.slots[0].id)
    for committed in [arriving, leaving] if arrival_first else [leaving, arriving]:
        replays.committed([committed])
    for day in (target, source) if arrival_first else (source, target):
        day.catch_up()

    assert list(source.tokens) == [stays]
    assert target.tokens == {moved: state}
    assert (state.number, state.seq, state.status) == ("D02-007", 7, Status.CHECKED_IN)
    assert (state.slot_id, state.skips, state.recall_in) == (target.slots[0].id, 1, 0)
    assert source.applied == [(1, moved, EventKind.TRANSFERRED)]
    assert target.applied == [(1, moved, EventKind.TRANSFERRED)]
    assert invariants.counted_once([("D01", source, [stays]), ("D02", target, [moved])]) == []


@pytest.mark.parametrize(
    ("before", "unplaced", "seated", "after"),
    [
        (Status.WAITLISTED, Status.REJECTED, True, Status.BOOKED),
        (Status.WAITLISTED, Status.REJECTED, False, Status.WAITLISTED),
        (Status.BOOKED, Status.WAITLISTED, True, Status.BOOKED),
        (Status.CHECKED_IN, Status.WAITLISTED, False, Status.WAITLISTED),
        (Status.CHECKED_IN, Status.REJECTED, False, Status.REJECTED),
    ],
)
def test_a_token_takes_the_status_its_new_day_gives_it(before, unplaced, seated, after):
    source, target = a_day(), a_day(unplaced=unplaced)
    moved = seat(source, "D01-001", before)
    source.send(moved, target, "D02-001", 1)

    source.committed([event(source, moved, None)])
    target.committed([event(target, moved, target.slots[0].id if seated else None)])
    source.catch_up()
    target.catch_up()

    assert target.tokens[moved].status is after
    assert (target.tokens[moved].slot_id is not None) is seated
    assert invariants.states(target, "D02") == []


def test_an_emergency_moved_into_a_full_slot_overbooks_it():
    source, target = a_day(), a_day(capacity=1)
    seat(target, "D02-001", Status.CHECKED_IN)
    emergency = seat(source, "D01-002", Status.CHECKED_IN, Source.EMERGENCY)
    walk_in = seat(source, "D01-003", Status.CHECKED_IN)
    crowded = a_day(capacity=1)
    seat(crowded, "D03-001", Status.CHECKED_IN)
    source.send(emergency, target, "D02-002", 2)
    source.send(walk_in, crowded, "D03-002", 2)

    source.committed([event(source, emergency, None), event(source, walk_in, None, 2)])
    target.committed([event(target, emergency, target.slots[0].id)])
    crowded.committed([event(crowded, walk_in, crowded.slots[0].id)])
    for day in (source, target, crowded):
        day.catch_up()

    assert target.overbooked == {target.slots[0].id}
    assert invariants.capacity(target, "D02") == []
    assert crowded.overbooked == set()
    assert len(invariants.capacity(crowded, "D03")) == 1
