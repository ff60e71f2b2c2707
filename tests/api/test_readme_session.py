"""The README's GraphiQL session, step by step, shows what it says it shows."""

from __future__ import annotations

from tests.api.test_mutations import CANCEL, CREATE_DOCTOR, CREATE_SLOTS, book

DATE = "2030-01-10"
QUEUE = """
query($doctorId: ID!, $date: Date!) {
  queue(doctorId: $doctorId, date: $date) {
    entries { number source slot { start } }
    waitlist { number waitlistPosition }
  }
  slots(doctorId: $doctorId, date: $date) { start overbooked }
}"""


async def test_the_readme_session(gql):
    doctor = (
        await gql(
            CREATE_DOCTOR, input={"name": "Asha Rao", "department": "Cardiology", "code": "CAR1"}
        )
    )["createDoctor"]
    slots = (
        await gql(
            CREATE_SLOTS,
            input={
                "doctorId": doctor["id"],
                "date": DATE,
                "startTime": "09:00",
                "endTime": "12:00",
                "slotMinutes": 60,
                "capacity": 2,
            },
        )
    )["createSlots"]["slots"]
    nine = slots[0]["id"]

    first = await book(gql, doctor["id"], patient={"name": "Ravi Kumar"})
    second = await book(gql, doctor["id"], patient={"name": "Sita Devi"})
    assert first["slot"]["id"] == second["slot"]["id"] == nine

    paid = await book(gql, doctor["id"], "PAID", patient={"name": "Meera Iyer"})
    assert paid["slot"]["id"] == nine
    moved = (
        await gql(f'{{ token(id: "{second["id"]}") {{ slot {{ id }} history {{ kind }} }} }}')
    )["token"]
    assert moved["slot"]["id"] == slots[1]["id"]
    assert [e["kind"] for e in moved["history"]] == ["BOOKED", "DISPLACED", "MOVED"]

    walk_ins = [await book(gql, doctor["id"], patient={"name": f"Walk-in {i}"}) for i in range(4)]
    assert [t["status"] for t in walk_ins] == ["BOOKED", "BOOKED", "BOOKED", "WAITLISTED"]

    emergencies = []
    while True:
        emergency = await book(
            gql,
            doctor["id"],
            "EMERGENCY",
            slotId=nine,
            patient={"name": f"Emergency {len(emergencies)}"},
        )
        emergencies.append(emergency)
        if emergency["history"][0]["kind"] == "OVERBOOKED":
            break
        assert emergency["history"][0]["kind"] == "BOOKED"
        assert len(emergencies) <= 2, "the slot has only two places to take"
    state = await gql(QUEUE, doctorId=doctor["id"], date=DATE)
    assert [s["overbooked"] for s in state["slots"]] == [True, False, False]
    assert [e["source"] for e in state["queue"]["entries"][:3]] == ["EMERGENCY"] * 3
    waiting = state["queue"]["waitlist"]
    assert [w["waitlistPosition"] for w in waiting] == list(range(1, len(waiting) + 1))

    seated = state["queue"]["entries"][-1]
    seated_id = (
        await gql(f'{{ queue(doctorId: "{doctor["id"]}", date: "{DATE}") {{ entries {{ id }} }} }}')
    )["queue"]["entries"][-1]["id"]
    cancelled = (await gql(CANCEL, id=seated_id, reason="Rescheduled"))["cancelToken"]
    assert cancelled["number"] == seated["number"] and cancelled["status"] == "CANCELLED"
    after = await gql(QUEUE, doctorId=doctor["id"], date=DATE)
    promoted = waiting[0]["number"]
    assert promoted in [e["number"] for e in after["queue"]["entries"]]
    assert [w["number"] for w in after["queue"]["waitlist"]] == [w["number"] for w in waiting[1:]]
