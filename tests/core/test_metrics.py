from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, generate_latest

from opd_graphql.core.metrics import OperationSeries


def a_histogram() -> tuple[Histogram, CollectorRegistry]:
    registry = CollectorRegistry()
    return Histogram(
        "ops_seconds", "Operations.", ["kind", "operation"], registry=registry
    ), registry


def series_names(registry: CollectorRegistry) -> set[str]:
    text = generate_latest(registry).decode()
    return {
        line.split('operation="')[1].split('"')[0]
        for line in text.splitlines()
        if "_count{" in line
    }


def test_each_operation_name_has_its_series_up_to_the_limit() -> None:
    histogram, registry = a_histogram()
    series = OperationSeries(histogram, limit=3)
    for name in ("BookToken", "Queue", "BookToken", "Board"):
        series("query", name).observe(0.01)

    assert series_names(registry) == {"BookToken", "Queue", "Board"}
    assert series("query", "BookToken") is series("query", "BookToken")


def test_names_past_the_limit_share_one_series() -> None:
    histogram, registry = a_histogram()
    series = OperationSeries(histogram, limit=2)
    for n in range(1000):
        series("query", f"Probe{n}").observe(0.01)

    assert series_names(registry) == {"Probe0", "Probe1", "(other)"}
    text = generate_latest(registry).decode()
    assert 'ops_seconds_count{kind="query",operation="(other)"} 998.0' in text
