"""What a simulated doctor-day does next, on its own virtual clock."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

Step = TypeVar("Step")
Owned = tuple[datetime, Step, object]


class Agenda(Generic[Step]):
    """Steps in (moment, order scheduled) order.

    A step may belong to a patient (its `owner`), so that when the patient goes to another
    doctor their steps still to come go with them, to be taken in the same order there.
    """

    def __init__(self) -> None:
        self._entries: list[tuple[datetime, int, Step, object]] = []
        self._sequence = 0

    def __len__(self) -> int:
        return len(self._entries)

    def at(self, moment: datetime, step: Step, owner: object = None) -> None:
        self._sequence += 1
        heapq.heappush(self._entries, (moment, self._sequence, step, owner))

    def pop(self, before: datetime | None = None) -> tuple[datetime, Step] | None:
        """The next step, or None when there is none (earlier than `before`, if given)."""
        if not self._entries or (before is not None and self._entries[0][0] >= before):
            return None
        moment, _, step, _ = heapq.heappop(self._entries)
        return moment, step

    def take(self, owned: Callable[[object], bool]) -> list[Owned[Step]]:
        """Remove the steps whose owner `owned` accepts and return them in agenda order."""
        taken = sorted((e for e in self._entries if owned(e[3])), key=lambda e: e[:2])
        self._entries = [e for e in self._entries if not owned(e[3])]
        heapq.heapify(self._entries)
        return [(moment, step, owner) for moment, _, step, owner in taken]
