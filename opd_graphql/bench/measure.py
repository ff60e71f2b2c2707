"""Closed-loop load: each client issues its next operation as soon as the last one is done."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

ERROR_SAMPLES = 3


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0-100); 0.0 when there are no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share / 100 * len(ordered))) - 1]


@dataclass(frozen=True)
class Summary:
    """Operations that succeeded, how long the level ran, and their latencies."""

    done: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    error_samples: tuple[str, ...] = ()

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "bookings": self.done,
            "errors": self.errors,
            "duration_s": round(self.seconds, 3),
            "throughput_bookings_per_s": round(self.per_second, 2),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "error_samples": list(self.error_samples),
        }


async def drive(
    operation: Callable[[int], Awaitable[object]], *, clients: int, seconds: float, limit: int
) -> Summary:
    """Runs operation(0), operation(1), ... from `clients` concurrent loops until `seconds`
    have passed or `limit` operations have started. An operation raises to count an error."""
    latencies: list[float] = []
    errors: list[str] = []
    issued = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def client() -> None:
        nonlocal issued
        while issued < limit and time.perf_counter() < deadline:
            index = issued
            issued += 1
            sent = time.perf_counter()
            try:
                await operation(index)
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}"[:300])
            else:
                latencies.append(time.perf_counter() - sent)

    await asyncio.gather(*(client() for _ in range(clients)))
    return Summary(
        done=len(latencies),
        errors=len(errors),
        seconds=time.perf_counter() - started,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        error_samples=tuple(errors[:ERROR_SAMPLES]),
    )
