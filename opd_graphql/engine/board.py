"""A working copy of one doctor-day for one operation: who holds which places, and what changed.

The board starts from the day's slot index, built once per Day, and replaces a slot's holders
when they change: the day, its index included, stays as it was given.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from opd_graphql.engine.day import Day, Seating
from opd_graphql.engine.model import (
    WAITING,
    Event,
    EventKind,
    Plan,
    Policy,
    Slot,
    Status,
    Token,
)

WAITLISTED = Status.WAITLISTED  # read once: compared with every token of a day


class Board:
    """Slots in start order, the tokens holding each one's places, and the changes so far.

    Slots are named by their position in start order. `freed` maps a slot that gave places
    back during the operation to the token that gave them, until they are offered to the
    waitlist.
    """

    def __init__(self, day: Day, now: datetime, policy: Policy) -> None:
        index = day.index
        self.day = day
        self._day_tokens = day.by_id
        self.policy = policy
        self.position = day.position
        self.slots = index.slots
        # A slot's capacity while it is open, 0 once it is not: nothing fits in a closed slot.
        self.open_capacity = [
            0 if slot.closed or now >= slot.end else slot.capacity for slot in self.slots
        ]
        self._seating = Seating(index)
        self.holders = self._seating.holders
        self.held = self._seating.held
        self.worst_first = self._seating.worst_first
        self.freed: dict[int, str] = {}
        self._changed: dict[str, Token] = {}
        self._events: list[Event] = []
        self._closed: list[Slot] = []
        self._gone: list[str] = []

    def token(self, token_id: str) -> Token:
        """The token as this operation has left it so far."""
        token = self._changed.get(token_id) or self._day_tokens.get(token_id)
        if token is None or token_id in self._gone:
            raise ValueError(f"Unknown token {token_id}.")
        return token

    def record(
        self,
        token: Token,
        kind: EventKind,
        caused_by: str | None = None,
        *,
        note: str | None = None,
        slot_id: str | None = None,
    ) -> None:
        """Note `token`'s new state and why. The event names the token's slot unless `slot_id`
        names another (the slot a displaced token left)."""
        token_id = token.id
        self._seating.move(self._changed.get(token_id) or self._day_tokens.get(token_id), token)
        self._changed[token_id] = token
        self._events.append(Event(token_id, kind, slot_id or token.slot_id, caused_by, note))

    def lift(self, token: Token) -> None:
        """Take the token, as it stands now, out of its place without an event: a later one
        says where it went."""
        lifted = token.placed(token.status, None)
        self._seating.move(token, lifted)
        self._changed[token.id] = lifted

    def leave(self, token: Token) -> None:
        """The token leaves the day for another: its places are freed, it is in no plan token."""
        self._seating.move(self.token(token.id), None)
        self._changed.pop(token.id, None)
        self._gone.append(token.id)

    def close(self, position: int) -> None:
        slot = self.slots[position]
        self.open_capacity[position] = 0
        if not slot.closed:
            self._closed.append(replace(slot, closed=True))

    def waitlist(self) -> list[Token]:
        """Waitlisted tokens as they stand now, best rank first."""
        changed = self._changed
        waiting = {t.id: t for t in changed.values() if t.status is WAITLISTED}
        for token in self.day.tokens:
            if token.status is WAITLISTED and token.id not in changed:
                waiting[token.id] = token
        for token_id in self._gone:
            waiting.pop(token_id, None)
        return sorted(waiting.values(), key=lambda token: token.rank)

    def waiting(self, position: int) -> list[Token]:
        """The slot's tokens that are seated and not yet called."""
        return [token for token in self.holders[position] if token.status in WAITING]

    def plan(self) -> Plan:
        return Plan(
            tuple(self._changed.values()),
            tuple(self._events),
            tuple(self._closed),
            tuple(self._gone),
        )
