from __future__ import annotations

from opd_graphql.service import consultation
from opd_graphql.service.queue import read_day
from tests.service.factories import DAY, a_day, a_doctor, another_process, book, scanned_index


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


async def test_a_days_slots_are_read_through_an_index(counted):
    here, commands = counted
    doctor = await a_doctor(here)
    await a_day(here, doctor)
    commands.sent.clear()

    await read_day(here, doctor.id, DAY)  # type: ignore[arg-type]

    [read] = [c for c in commands.sent if c.get("find") == "slots"]
    database = here.client[commands.sent[0]["$db"]]
    scan = await scanned_index(database, {"find": "slots", "filter": read["filter"]})
    assert scan == ("IXSCAN", "doctor_date_start")
