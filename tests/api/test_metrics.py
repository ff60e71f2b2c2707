from __future__ import annotations

import re

from tests.api.test_mutations import a_day, a_doctor, book


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one metric sample in Prometheus' text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = (
        rf"^{re.escape(name)}{{{re.escape(wanted)}}} (\S+)$"
        if labels
        else (rf"^{re.escape(name)} (\S+)$")
    )
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def test_metrics_count_bookings_operations_and_subscriptions(gql, http):
    before = (await http.get("/metrics")).text
    doctor = await a_doctor(gql)
    await a_day(gql, doctor["id"])
    await book(gql, doctor["id"], idempotencyKey="desk-1")
    await book(gql, doctor["id"], idempotencyKey="desk-1")  # a retry books nothing new
    await book(gql, doctor["id"], patient={"name": " "})

    response = await http.get("/metrics")

    assert response.status_code == 200
    after = response.text
    booked = {"source": "WALK_IN", "outcome": "BOOKED"}
    refused = {"source": "WALK_IN", "outcome": "InvalidInput"}
    assert (
        sample(after, "opd_bookings_total", **booked)
        == sample(before, "opd_bookings_total", **booked) + 1
    )
    assert (
        sample(after, "opd_bookings_total", **refused)
        == sample(before, "opd_bookings_total", **refused) + 1
    )
    assert sample(after, "opd_graphql_operation_seconds_count", kind="mutation", operation="") >= 4
    assert "opd_transaction_retries_total" in after
    assert sample(after, "opd_active_subscriptions") == 0
