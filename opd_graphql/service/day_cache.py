"""What this process's last commit left in each doctor-day, so the next change need not read it."""

from __future__ import annotations

from dataclasses import dataclass

from opd_graphql import engine
from opd_graphql.service.recent import Recent

DAYS_REMEMBERED = 256


@dataclass(frozen=True)
class RememberedDay:
    version: int
    slots: list[engine.Slot]
    tokens: dict[str, engine.Token]


class DayCache:
    """The engine's view of recently changed doctor-days, by ledger version.

    Every change to a day's slots or tokens bumps its ledger in the same transaction.
    So a transaction that bumps the ledger to exactly one past the version remembered
    here is the first change since that commit, by any process, and the day is still
    as remembered. Anything else (another process wrote, a commit's outcome was
    unknown, the day was forgotten) reads the day from the database.
    """

    def __init__(self, size: int = DAYS_REMEMBERED) -> None:
        self._days: Recent[RememberedDay] = Recent(size)

    def recall(self, key: str, version: int) -> RememberedDay | None:
        day = self._days.get(key)
        if day is None or day.version != version - 1:
            return None
        # The caller changes its copy as it goes; what is remembered stays as committed.
        return RememberedDay(day.version, list(day.slots), dict(day.tokens))

    def remember(self, key: str, day: RememberedDay) -> None:
        known = self._days.get(key)
        if known is not None and known.version > day.version:
            return  # two changes of one day finished out of order here; keep the later
        self._days.put(key, day)
