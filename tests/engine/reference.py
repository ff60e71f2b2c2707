"""DESIGN section 3 written the plain way: every question answered by scanning every token.

The engine indexes the day to be fast; tests check it decides exactly what this does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from opd_graphql.engine import (
    HOLDS_PLACE,
    SEATED,
    Day,
    EmergencyMode,
    Event,
    EventKind,
    IllegalTransition,
    Overflow,
    Plan,
    Policy,
    Slot,
    Source,
    Spill,
    Status,
    Token,
)

DISPLACEABLE = {Status.BOOKED, Status.CHECKED_IN}
WAITING = {Status.BOOKED, Status.CHECKED_IN}
RELEASABLE = {
    Status.CANCELLED: SEATED | {Status.WAITLISTED},
    Status.NO_SHOW: SEATED,
}
RELEASE_ACTION = {Status.CANCELLED: "cancelled", Status.NO_SHOW: "marked as a no-show"}


class Board:
    def __init__(self, day: Day, now: datetime, policy: Policy) -> None:
        self.slots = sorted(day.slots, key=lambda slot: slot.start)
        self.tokens = {token.id: token for token in day.tokens}
        self.now = now
        self.policy = policy
        self.changed: dict[str, Token] = {}
        self.events: list[Event] = []

    def slot(self, slot_id: str) -> Slot:
        found = next((slot for slot in self.slots if slot.id == slot_id), None)
        if found is None:
            raise ValueError(f"Unknown slot {slot_id}.")
        return found

    def has_free_place(self, slot: Slot) -> bool:
        held = sum(t.slot_id == slot.id and t.status in HOLDS_PLACE for t in self.tokens.values())
        return held < slot.capacity

    def worst_displaceable(self, slot: Slot) -> Token | None:
        displaceable = [
            token
            for token in self.tokens.values()
            if token.slot_id == slot.id
            and token.status in DISPLACEABLE
            and token.source is not Source.EMERGENCY
            and token.displacements < self.policy.max_displacements
        ]
        return max(displaceable, key=lambda token: token.rank, default=None)

    def best_waitlisted(self) -> Token | None:
        waiting = (token for token in self.tokens.values() if token.status is Status.WAITLISTED)
        return min(waiting, key=lambda token: token.rank, default=None)

    def record(
        self, token: Token, kind: EventKind, slot_id: str | None, caused_by: str | None = None
    ) -> None:
        self.tokens[token.id] = token
        self.changed[token.id] = token
        self.events.append(Event(token.id, kind, slot_id, caused_by))

    def plan(self) -> Plan:
        return Plan(tuple(self.changed.values()), tuple(self.events))


def book(
    day: Day, token: Token, preferred_slot_id: str | None, now: datetime, policy: Policy
) -> Plan:
    board = Board(day, now, policy)
    if preferred_slot_id is None:
        opened = (i for i, slot in enumerate(board.slots) if slot.is_open(now))
        start = next(opened, None)
    else:
        preferred = board.slot(preferred_slot_id)
        if not preferred.is_open(now):
            raise ValueError(f"Slot {preferred_slot_id} has ended.")
        start = board.slots.index(preferred)
    if start is None:
        overflow(board, token, caused_by=None)
    elif token.source is Source.EMERGENCY:
        seat_emergency(board, token, start)
    else:
        place(board, token, start, displaced_by=None)
    return board.plan()


def release(day: Day, token_id: str, status: Status, now: datetime, policy: Policy) -> Plan:
    if status not in RELEASABLE:
        raise ValueError(f"A token cannot be released as {status.value}.")
    token = next((token for token in day.tokens if token.id == token_id), None)
    if token is None:
        raise ValueError(f"Unknown token {token_id}.")
    if token.status is Status.CANCELLED and status is Status.CANCELLED:
        return Plan()
    if token.status not in RELEASABLE[status]:
        raise IllegalTransition(token_id, token.status, RELEASE_ACTION[status])
    board = Board(day, now, policy)
    board.record(replace(token, status=status), EventKind(status.value), token.slot_id)
    if token.status in SEATED and token.slot_id is not None:
        promote(board, board.slot(token.slot_id), caused_by=token_id)
    return board.plan()


def fill(day: Day, slot_id: str, now: datetime) -> Plan:
    board = Board(day, now, Policy())
    promote(board, board.slot(slot_id), caused_by=None)
    return board.plan()


def expire(day: Day, now: datetime) -> Plan:
    if not day.slots or now < max(slot.end for slot in day.slots):
        return Plan()
    board = Board(day, now, Policy())
    waiting = sorted(
        (token for token in day.tokens if token.status is Status.WAITLISTED),
        key=lambda token: token.rank,
    )
    for token in waiting:
        board.record(replace(token, status=Status.EXPIRED), EventKind.EXPIRED, None)
    return board.plan()


def seat_emergency(board: Board, token: Token, index: int) -> None:
    slot = board.slots[index]
    seated = replace(token, status=Status.BOOKED, slot_id=slot.id)
    if board.has_free_place(slot):
        board.record(seated, EventKind.BOOKED, slot.id)
        return
    victim = None
    if board.policy.emergency_mode is EmergencyMode.DISPLACE:
        victim = board.worst_displaceable(slot)
    if victim is None:
        board.record(seated, EventKind.OVERBOOKED, slot.id)
        return
    board.record(seated, EventKind.BOOKED, slot.id)
    displace(board, victim, index, displacer_id=token.id)


def place(board: Board, token: Token, start: int, displaced_by: str | None) -> None:
    for index in range(start, len(board.slots)):
        slot = board.slots[index]
        if not slot.is_open(board.now):
            continue
        if board.has_free_place(slot):
            seat(board, token, slot, displaced_by)
            return
        victim = board.worst_displaceable(slot)
        if victim is not None and victim.priority > token.priority:
            seat(board, token, slot, displaced_by)
            displace(board, victim, index, displacer_id=token.id)
            return
        if displaced_by is None and board.policy.spill is Spill.WAITLIST:
            board.record(
                replace(token, status=Status.WAITLISTED, slot_id=None), EventKind.WAITLISTED, None
            )
            return
    earlier = (
        slot
        for slot in board.slots[:start]
        if slot.is_open(board.now) and board.has_free_place(slot)
    )
    fallback = next(earlier, None)
    if fallback is not None:
        seat(board, token, fallback, displaced_by)
    else:
        overflow(board, token, caused_by=displaced_by)


def seat(board: Board, token: Token, slot: Slot, displaced_by: str | None) -> None:
    if displaced_by is None:
        board.record(
            replace(token, status=Status.BOOKED, slot_id=slot.id), EventKind.BOOKED, slot.id
        )
    else:
        board.record(replace(token, slot_id=slot.id), EventKind.MOVED, slot.id, displaced_by)


def displace(board: Board, victim: Token, index: int, displacer_id: str) -> None:
    unseated = replace(victim, slot_id=None, displacements=victim.displacements + 1)
    board.record(unseated, EventKind.DISPLACED, victim.slot_id, displacer_id)
    place(board, unseated, index + 1, displaced_by=displacer_id)


def overflow(board: Board, token: Token, caused_by: str | None) -> None:
    if board.policy.overflow is Overflow.WAITLIST:
        status, kind = Status.WAITLISTED, EventKind.WAITLISTED
    else:
        status, kind = Status.REJECTED, EventKind.REJECTED
    board.record(replace(token, status=status, slot_id=None), kind, None, caused_by)


def promote(board: Board, slot: Slot, caused_by: str | None) -> None:
    if not slot.is_open(board.now):
        return
    while board.has_free_place(slot) and (best := board.best_waitlisted()) is not None:
        promoted = replace(best, status=Status.BOOKED, slot_id=slot.id)
        board.record(promoted, EventKind.PROMOTED, slot.id, caused_by)


def queue_order(day: Day) -> list[Token]:
    slots = {slot.id: slot for slot in day.slots}

    def position(token: Token) -> tuple[bool, datetime, tuple[int, datetime, int]]:
        return (token.source is not Source.EMERGENCY, slot_of(slots, token).start, token.rank)

    return sorted((token for token in day.tokens if token.seated), key=position)


def estimated_call_times(day: Day, now: datetime) -> dict[str, datetime]:
    slots = {slot.id: slot for slot in day.slots}
    cursor = now
    serving = next((token for token in day.tokens if token.status is Status.CALLED), None)
    if serving is not None:
        cursor = now + consultation_length(slot_of(slots, serving))
    estimates: dict[str, datetime] = {}
    for token in queue_order(day):
        if token.status not in WAITING:
            continue
        slot = slot_of(slots, token)
        estimates[token.id] = max(cursor, slot.start)
        cursor = estimates[token.id] + consultation_length(slot)
    return estimates


def consultation_length(slot: Slot) -> timedelta:
    return (slot.end - slot.start) / slot.capacity


def slot_of(slots: dict[str, Slot], token: Token) -> Slot:
    if token.slot_id not in slots:
        raise ValueError(f"Token {token.id} is {token.status.value} without a known slot.")
    return slots[token.slot_id]
