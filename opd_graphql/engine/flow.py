"""The consultation flow: check in, call next, complete."""

from __future__ import annotations

from dataclasses import replace

from opd_graphql.engine.day import Day
from opd_graphql.engine.model import Event, EventKind, Plan, Status, Token
from opd_graphql.engine.queue import now_serving, queue_order


class IllegalTransition(Exception):
    """A token was asked to change state in a way its current status forbids."""

    def __init__(self, token_id: str, status: Status, action: str) -> None:
        self.token_id = token_id
        self.status = status
        adjective = status.value.lower().replace("_", "-")
        article = "An" if adjective[0] in "aeiou" else "A"
        super().__init__(f"{article} {adjective} token cannot be {action}.")


def check_in(day: Day, token_id: str) -> Plan:
    """BOOKED -> CHECKED_IN: the patient has arrived."""
    token = find_token(day, token_id)
    if token.status is not Status.BOOKED:
        raise IllegalTransition(token_id, token.status, "checked in")
    return _single(token, Status.CHECKED_IN, EventKind.CHECKED_IN)


def call_next(day: Day) -> Plan:
    """Complete the token being served, if any, then call the first checked-in token in queue order.

    An empty Plan means nobody was being served and nobody is checked in.
    """
    changed: list[Token] = []
    events: list[Event] = []
    serving = now_serving(day)
    if serving is not None:
        changed.append(replace(serving, status=Status.COMPLETED))
        events.append(Event(serving.id, EventKind.COMPLETED, serving.slot_id))
    checked_in = Status.CHECKED_IN  # read once: Status.X is slow on Python 3.11 (queue.py)
    arrived = (token for token in queue_order(day) if token.status is checked_in)
    called = next(arrived, None)
    if called is not None:
        changed.append(replace(called, status=Status.CALLED))
        events.append(Event(called.id, EventKind.CALLED, called.slot_id))
    return Plan(tuple(changed), tuple(events))


def complete(day: Day, token_id: str) -> Plan:
    """CALLED -> COMPLETED: the consultation is over (its place stays used)."""
    token = find_token(day, token_id)
    if token.status is not Status.CALLED:
        raise IllegalTransition(token_id, token.status, "completed")
    return _single(token, Status.COMPLETED, EventKind.COMPLETED)


def find_token(day: Day, token_id: str) -> Token:
    token = day.token(token_id)
    if token is None:
        raise ValueError(f"Unknown token {token_id}.")
    return token


def _single(token: Token, status: Status, kind: EventKind) -> Plan:
    return Plan((replace(token, status=status),), (Event(token.id, kind, token.slot_id),))
