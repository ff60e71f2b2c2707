from __future__ import annotations

from datetime import UTC, datetime

from opd_graphql.engine import Day, Slot, Source, Status
from opd_graphql.service import consultation, tokens
from opd_graphql.service.day_cache import DayCache, RememberedDay
from opd_graphql.service.open_day import OpenDay
from opd_graphql.store.documents import DoctorDay, Token
from tests.service.factories import DAY, a_day, a_doctor, another_process, book, change

SLOT = Slot("s1", datetime(2030, 1, 10, 9, tzinfo=UTC), datetime(2030, 1, 10, 10), 2)
EMPTY = Day(slots=(), tokens=())


def test_an_earlier_commit_finishing_late_does_not_replace_a_later_one():
    cache = DayCache()
    cache.remember("d", RememberedDay(7, 3, Day(slots=(SLOT,), tokens=())))
    cache.remember("d", RememberedDay(6, 2, EMPTY))

    last = cache.last("d")
    assert last is not None and (last.version, last.day.slots) == (7, (SLOT,))


def test_the_least_recently_used_day_is_forgotten_first():
    cache = DayCache(size=2)
    for key in ("a", "b"):
        cache.remember(key, RememberedDay(1, 0, EMPTY))
    assert cache.last("a") is not None
    cache.remember("c", RememberedDay(1, 0, EMPTY))

    assert cache.last("b") is None
    assert cache.last("a") is not None


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


async def test_only_tokens_in_play_are_remembered(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor, hours=1, capacity=2)
    kept = await book(service, doctor)
    cancelled = await book(service, doctor)
    await tokens.cancel_token(service, str(cancelled.id))
    await tokens.cancel_token(service, str(cancelled.id))  # brought back in to be judged

    remembered = service.days.last(f"{doctor.id}:{kept.date}")

    assert remembered is not None
    assert [t.id for t in remembered.day.tokens] == [str(kept.id)]
    assert remembered.day.index.holders == (list(remembered.day.tokens),)


async def test_the_next_change_starts_from_the_remembered_day_and_its_slot_index(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor, hours=2, capacity=1)
    first = await book(service, doctor)
    key = f"{doctor.id}:{first.date}"
    known = service.days.last(key)
    assert known is not None
    index = known.day.index

    second = await book(service, doctor)

    remembered = service.days.last(key)
    assert remembered is not None and remembered.version == known.version + 1
    assert remembered.day.index.slots is index.slots  # carried forward, not built again
    held = [[t.id for t in tokens] for tokens in remembered.day.index.holders]
    assert held == [[str(first.id)], [str(second.id)]]


async def test_a_refusal_is_never_given_on_a_day_changed_elsewhere(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor, hours=1, capacity=1)
    seated = await book(service, doctor)
    waiting = await book(service, doctor)  # remembered here as waitlisted
    await tokens.cancel_token(another_process(service), str(seated.id))  # promotes it

    await consultation.check_in(service, str(waiting.id))

    assert (await tokens.get_token(str(waiting.id))).status is Status.CHECKED_IN


async def test_a_remembered_day_whose_ledger_is_gone_is_read_again(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor)
    await book(service, doctor)
    await Token.find_all().delete()  # the day wiped under a running process
    await DoctorDay.find_all().delete()

    again = await book(service, doctor)

    assert again.number == "CAR1-001"
    assert await DoctorDay.find_all().count() == 1


async def test_a_change_that_writes_nothing_still_proves_the_day_it_saw(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor)
    await book(service, doctor)
    await book(another_process(service), doctor)

    async def count(day: OpenDay) -> int:
        return len(day.engine_day.tokens)

    assert await change(service, doctor, count) == 2


async def test_a_change_to_a_remembered_day_is_one_bulk_write_and_the_commit(counted):
    here, commands = counted
    doctor = await a_doctor(here)
    await a_day(here, doctor, capacity=1)
    first = await book(here, doctor)
    commands.names.clear()

    await consultation.check_in(here, str(first.id))

    assert commands.names[:2] == ["bulkWrite", "commitTransaction"]


async def test_no_change_to_a_day_uses_find_and_modify(counted, clock):
    # The embedded database scans a whole collection for a findAndModify, even by _id.
    here, commands = counted
    doctor = await a_doctor(here)
    await a_day(here, doctor, capacity=1)
    first = await book(here, doctor)
    await book(another_process(here), doctor, Source.PAID)
    await consultation.check_in(here, str(first.id))
    await tokens.cancel_token(another_process(here), str(first.id))
    clock.set(9)
    await consultation.call_next(here, str(doctor.id), DAY)

    # One per change that wrote: calling next with nobody checked in writes nothing.
    assert commands.names.count("commitTransaction") == 5
    assert "findAndModify" not in commands.names
