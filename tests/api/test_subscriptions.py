from __future__ import annotations

from opd_graphql.api.subscriptions import _queue_of
from opd_graphql.service.queue import read_day
from tests.service.factories import DAY, a_day, a_doctor, book


async def test_every_screen_handed_one_view_gets_one_queue_object(service):
    # Shared subscription execution recognises a screen's event by this identity.
    doctor = await a_doctor(service)
    await a_day(service, doctor)
    await book(service, doctor)
    view = await read_day(service, doctor.id, DAY)  # type: ignore[arg-type]
    again = await read_day(service, doctor.id, DAY)  # type: ignore[arg-type]

    first = _queue_of(view, service)

    assert _queue_of(view, service) is first
    assert _queue_of(again, service) is not first
    assert [e.id for e in _queue_of(again, service).entries] == [e.id for e in first.entries]
