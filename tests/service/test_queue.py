from __future__ import annotations

from opd_graphql.engine import Status
from opd_graphql.service import consultation
from opd_graphql.service.queue import read_day
from tests.service.factories import DAY, a_day, a_doctor, another_process, book, scanned_index


async def test_a_token_is_parsed_again_only_once_it_has_changed(service):
    doctor = await a_doctor(service)
    await a_day(service, doctor, capacity=2)
    first = await book(service, doctor)
    second = await book(service, doctor)
    before = (await read_day(service, doctor.id, DAY)).live  # type: ignore[arg-type]

    await consultation.check_in(service, str(first.id))
    after = (await read_day(service, doctor.id, DAY)).live  # type: ignore[arg-type]

    assert after[str(second.id)] is before[str(second.id)]
    assert after[str(first.id)] is not before[str(first.id)]
    assert after[str(first.id)].status is Status.CHECKED_IN


async def test_a_busy_day_is_read_in_one_round_trip(counted):
    here, commands = counted
    doctor = await a_doctor(here)
    await a_day(here, doctor, capacity=1)
    first = await book(here, doctor)
    for i in range(110):  # more than a first batch holds by default
        await book(here, doctor, name=f"P{i}")
    commands.names.clear()

    view = await read_day(here, doctor.id, DAY)  # type: ignore[arg-type]
    await consultation.check_in(another_process(here), str(first.id))

    assert len(view.live) == 111
    assert "getMore" not in commands.names


async def test_a_days_tokens_are_read_through_an_index(counted):
    here, commands = counted
    doctor = await a_doctor(here)
    await a_day(here, doctor)
    token = await book(here, doctor)
    commands.sent.clear()

    await read_day(here, doctor.id, DAY)  # type: ignore[arg-type]
    await consultation.check_in(another_process(here), str(token.id))

    reads = [c for c in commands.sent if c.get("find") == "tokens" and "_id" not in c["filter"]]
    assert len(reads) == 2
    database = here.client[commands.sent[0]["$db"]]
    for read in reads:
        asked = {k: read[k] for k in ("filter", "projection") if k in read}
        scan = await scanned_index(database, {"find": "tokens", **asked})
        assert scan == ("IXSCAN", "doctor_date_seq_unique")
