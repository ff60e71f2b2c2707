"""What this process's last commit left in each doctor-day, so the next change need not read it."""

from __future__ import annotations

from dataclasses import dataclass

from opd_graphql import engine
from opd_graphql.service.recent import Recent

DAYS_REMEMBERED = 256


@dataclass(frozen=True)
class RememberedDay:
    """A doctor-day as of one ledger version: what the engine needs, and the numbers issued.

    The engine's day keeps its slot index, so the next change to the day need not build it.
    """

    version: int
    tokens_issued: int
    day: engine.Day


class DayCache:
    def __init__(self, size: int = DAYS_REMEMBERED) -> None:
        self._days: Recent[str, RememberedDay] = Recent(size)

    def last(self, key: str) -> RememberedDay | None:
        return self._days.get(key)

    def remember(self, key: str, day: RememberedDay) -> None:
        known = self._days.get(key)
        if known is not None and known.version > day.version:
            return  # two changes of one day finished out of order here; keep the later
        self._days.put(key, day)
