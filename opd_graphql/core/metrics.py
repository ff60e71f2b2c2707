"""Prometheus metrics of this process, served at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

BOOKINGS = Counter(
    "opd_bookings_total",
    "Bookings by source and outcome: the new token's status, or the error returned.",
    ["source", "outcome"],
)
OPERATION_SECONDS = Histogram(
    "opd_graphql_operation_seconds",
    "Time to execute a GraphQL operation, by kind and name.",
    ["kind", "operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TRANSACTION_RETRIES = Counter(
    "opd_transaction_retries_total",
    "Doctor-day transactions run again after a conflict or a transient error.",
)
ACTIVE_SUBSCRIPTIONS = Gauge("opd_active_subscriptions", "Live subscriptions held by this process.")
