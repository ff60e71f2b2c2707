from __future__ import annotations

from opd_graphql.bench.engine import allocations_per_second


def test_the_engine_workload_runs_on_its_hard_path() -> None:
    # allocations_per_second refuses to report a figure once its bookings stop displacing,
    # cascading and seating emergencies, so a small run checks the workload itself.
    assert allocations_per_second(tokens=200, seconds=0.05, seed=1) > 0
    assert allocations_per_second(tokens=200, seconds=0.05, seed=1, fresh=True) > 0
