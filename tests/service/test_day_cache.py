from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from opd_graphql import engine
from opd_graphql.engine import Status
from opd_graphql.service import tokens
from opd_graphql.service.day_cache import DayCache, RememberedDay
from opd_graphql.service.recent import Recent
from opd_graphql.store.documents import Token
from tests.service.factories import a_day, a_doctor, book

SLOT = engine.Slot("s1", datetime(2030, 1, 10, 9, tzinfo=UTC), datetime(2030, 1, 10, 10), 2)


def another_process(service):
    """The same database seen by a process with nothing in memory."""
    return replace(service, days=DayCache(), doctors=Recent(8))


def test_a_day_is_recalled_only_by_the_next_version():
    cache = DayCache()
    cache.remember("d", RememberedDay(4, [SLOT], {}))

    assert cache.recall("d", 5) is not None
    assert cache.recall("d", 6) is None
    assert cache.recall("d", 4) is None
    assert cache.recall("other", 5) is None


def test_a_recalled_day_is_a_copy_the_caller_may_change():
    cache = DayCache()
    cache.remember("d", RememberedDay(1, [SLOT], {}))

    recalled = cache.recall("d", 2)
    assert recalled is not None
    recalled.slots.clear()
    recalled.tokens["t"] = engine.Token("t", 1, engine.Source.PAID, Status.BOOKED, SLOT.start)

    again = cache.recall("d", 2)
    assert again is not None and again.slots == [SLOT] and again.tokens == {}


def test_an_earlier_commit_finishing_late_does_not_replace_a_later_one():
    cache = DayCache()
    cache.remember("d", RememberedDay(7, [SLOT], {}))
    cache.remember("d", RememberedDay(6, [], {}))

    assert cache.recall("d", 8) is not None


def test_the_least_recently_used_day_is_forgotten_first():
    cache = DayCache(size=2)
    for key in ("a", "b"):
        cache.remember(key, RememberedDay(1, [], {}))
    assert cache.recall("a", 2) is not None
    cache.remember("c", RememberedDay(1, [], {}))

    assert cache.recall("b", 2) is None
    assert cache.recall("a", 2) is not None


async def test_a_change_made_by_another_process_is_seen_by_the_next_booking(service):
    doctor = await a_doctor(service)
    first, second, _ = await a_day(service, doctor, capacity=2)
    await book(service, doctor)
    elsewhere = another_process(service)
    await book(elsewhere, doctor)

    third = await book(service, doctor)

    assert third.slot_id == second.id
    held = await Token.find({"slot_id": first.id, "status": Status.BOOKED.value}).count()
    assert held == 2


async def test_a_cancellation_elsewhere_frees_the_place_for_this_process(service):
    doctor = await a_doctor(service)
    first, _ = await a_day(service, doctor, hours=2, capacity=1)
    seated = await book(service, doctor)
    await tokens.cancel_token(another_process(service), str(seated.id))

    nxt = await book(service, doctor)

    assert nxt.slot_id == first.id


async def test_a_refused_change_leaves_the_remembered_day_true(service):
    doctor = await a_doctor(service)
    first, second = await a_day(service, doctor, hours=2, capacity=1)
    seated = await book(service, doctor)
    await tokens.cancel_token(service, str(seated.id))
    try:
        await tokens.mark_no_show(service, str(seated.id))
    except Exception as refused:  # a cancelled token cannot be a no-show
        assert "no-show" in str(refused)
    else:
        raise AssertionError("marking a cancelled token a no-show was allowed")

    first_again = await book(service, doctor)
    after = await book(service, doctor)

    assert (first_again.slot_id, after.slot_id) == (first.id, second.id)
