"""A working copy of one doctor-day for one allocation: its slot index, changed as decided.

The board starts from the day's slot index, built once per Day, and copies a slot's holders
before it first changes them: the day, its index included, stays as it was given.
"""

from __future__ import annotations

from datetime import datetime

from opd_graphql.engine.day import Day, Seating
from opd_graphql.engine.model import (
    PRIORITY,
    Event,
    EventKind,
    Plan,
    Policy,
    Source,
    Status,
    Token,
)

DISPLACEABLE = frozenset({Status.BOOKED, Status.CHECKED_IN})
# Members read once: on Python 3.11 every Status.X or Source.X costs a Python-level
# metaclass hook, which adds up over a day's tokens.
EMERGENCY, WAITLISTED = Source.EMERGENCY, Status.WAITLISTED
LOWEST_PRIORITY = max(PRIORITY.values())


class Board:
    """Slots in start order, the tokens holding each one's places, and the changes so far."""

    def __init__(self, day: Day, now: datetime, policy: Policy) -> None:
        index = day.index
        self.slots = index.slots
        self.is_open = [now < slot.end for slot in self.slots]
        self.capacities = index.capacities
        self.positions = index.positions
        self.policy = policy
        self._day = day
        self._seating = Seating(index)
        # For each slot, the tokens holding its places now.
        self.holders = self._seating.holders
        self._changed: dict[str, Token] = {}
        self._events: list[Event] = []

    def has_free_place(self, index: int) -> bool:
        return len(self.holders[index]) < self.capacities[index]

    def victim_for(self, index: int, priority: int) -> Token | None:
        """The slot's worst-ranked displaceable token, if its priority is worse than `priority`."""
        limit = self.policy.max_displacements
        worst = None
        worst_rank = None
        for token in self.holders[index]:
            source = token.source
            if (
                PRIORITY[source] > priority
                and source is not EMERGENCY
                and token.status in DISPLACEABLE
                and token.displacements < limit
            ):
                rank = (PRIORITY[source], token.queued_at, token.seq)
                if worst_rank is None or rank > worst_rank:
                    worst, worst_rank = token, rank
        return worst

    def changed(self, token_id: str) -> Token:
        """The state this allocation has given the token so far."""
        return self._changed[token_id]

    def waitlist(self) -> list[Token]:
        """Waitlisted tokens as they stand now, best rank first."""
        changed = self._changed
        waiting = [
            current
            for token in self._day.tokens
            if (current := changed.get(token.id, token)).status is WAITLISTED
        ]
        return sorted(waiting, key=lambda token: token.rank)

    def record(
        self,
        token: Token,
        kind: EventKind,
        slot_id: str | None,
        caused_by: str | None = None,
        *,
        was: Token | None = None,
    ) -> None:
        """Note `token`'s new state and why; `was` is its state before, if it had one.

        `was` must be the very object the board holds for the token, so that a token leaving
        a place leaves the index too.
        """
        self._seating.move(was, token)
        self._changed[token.id] = token
        self._events.append(Event(token.id, kind, slot_id, caused_by))

    def plan(self) -> Plan:
        return Plan(tuple(self._changed.values()), tuple(self._events))


def moved(
    token: Token, status: Status, slot_id: str | None, displacements: int | None = None
) -> Token:
    """`token` with a new status and place: dataclasses.replace, without its cost per call."""
    if displacements is None:
        displacements = token.displacements
    return Token(token.id, token.seq, token.source, status, token.queued_at, slot_id, displacements)
