"""The README's GraphiQL session, run from its own blocks on tomorrow's date, as a reader would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.api.readme import blocks, filled
from tests.api.test_mutations import BOOK


async def test_the_readme_session_on_tomorrows_date(gql, clock):
    clock.moment = dt.datetime.now(dt.UTC)
    day = (clock.moment.date() + dt.timedelta(days=1)).isoformat()
    create_doctor, create_slots, walk_in, paid, queue, cancel = blocks("A session in GraphiQL")

    doctor = (await gql(filled(create_doctor, day)))["createDoctor"]
    slots = (await gql(filled(create_slots, day, DOCTOR_ID=doctor["id"])))["createSlots"]
    nine = slots["slots"][0]["start"]
    first = (await gql(filled(walk_in, day, DOCTOR_ID=doctor["id"])))["bookToken"]
    other = filled(walk_in, day, DOCTOR_ID=doctor["id"]).replace("Ravi Kumar", "Sita Devi")
    second = (await gql(other))["bookToken"]
    assert first["slot"]["start"] == second["slot"]["start"] == nine

    meera = (await gql(filled(paid, day, DOCTOR_ID=doctor["id"])))["bookToken"]
    state = (await gql(filled(queue, day, DOCTOR_ID=doctor["id"])))["queue"]
    assert meera["slot"]["start"] == nine
    displaced = next(e for e in state["entries"] if e["number"] == second["number"])
    assert displaced["slot"]["start"] == slots["slots"][1]["start"]
    assert [h["kind"] for h in displaced["history"]] == ["BOOKED", "DISPLACED", "MOVED"]

    async def book(source: str, name: str, **extra: Any) -> dict[str, Any]:
        patient = {"name": name}
        booking = {"doctorId": doctor["id"], "date": day, "source": source, "patient": patient}
        return (await gql(BOOK, input={**booking, **extra}))["bookToken"]

    walk_ins = [await book("WALK_IN", f"Walk-in {i}") for i in range(4)]
    assert [t["status"] for t in walk_ins] == ["BOOKED", "BOOKED", "BOOKED", "WAITLISTED"]
    nine_id = slots["slots"][0]["id"]
    kinds = []
    while not kinds or kinds[-1] != "OVERBOOKED":
        emergency = await book("EMERGENCY", f"Emergency {len(kinds)}", slotId=nine_id)
        kinds.append(emergency["history"][0]["kind"])
        assert len(kinds) <= 3, "the slot has only two places to take"
    assert kinds == ["BOOKED", "BOOKED", "OVERBOOKED"]

    state = (await gql(filled(queue, day, DOCTOR_ID=doctor["id"])))["queue"]
    waiting = state["waitlist"]
    assert [w["waitlistPosition"] for w in waiting] == list(range(1, len(waiting) + 1))
    ids = await gql(
        f'{{ queue(doctorId: "{doctor["id"]}", date: "{day}") {{ entries {{ id }} }} }}'
    )
    seated = {"id": ids["queue"]["entries"][-1]["id"], "number": state["entries"][-1]["number"]}
    cancelled = (await gql(filled(cancel, day, TOKEN_ID=seated["id"])))["cancelToken"]
    assert cancelled == {"number": seated["number"], "status": "CANCELLED"}
    after = (await gql(filled(queue, day, DOCTOR_ID=doctor["id"])))["queue"]
    assert waiting[0]["number"] in [e["number"] for e in after["entries"]]
    assert [w["number"] for w in after["waitlist"]] == [w["number"] for w in waiting[1:]]
