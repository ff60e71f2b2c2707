"""Prometheus metrics of this process, served at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# GraphQL names cannot hold parentheses, so no operation that runs is called this.
OTHER_OPERATIONS = "(other)"

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


class OperationSeries:
    """The histogram's series for one operation, for the first `limit` names seen.

    Callers name their operations, so their names are not a bounded set: each new one
    would otherwise add a series held for the life of the process. Past the limit, new
    names share one series, `(other)`.
    """

    def __init__(self, histogram: Histogram, limit: int) -> None:
        self.histogram, self.limit = histogram, limit
        self.series: dict[tuple[str, str], Histogram] = {}

    def __call__(self, kind: str, name: str) -> Histogram:
        key = (kind, name)
        if key not in self.series:
            if len(self.series) >= self.limit:
                key = (kind, OTHER_OPERATIONS)
            if key not in self.series:
                self.series[key] = self.histogram.labels(*key)
        return self.series[key]


OPERATION_SERIES = OperationSeries(OPERATION_SECONDS, limit=200)
TRANSACTION_RETRIES = Counter(
    "opd_transaction_retries_total",
    "Doctor-day transactions run again after a conflict or a transient error.",
)
ACTIVE_SUBSCRIPTIONS = Gauge("opd_active_subscriptions", "Live subscriptions held by this process.")
