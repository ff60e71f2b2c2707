"""The consultation flow: check in, call next, skip, complete."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from opd_graphql.engine.allocation import release
from opd_graphql.engine.day import Day, find_token
from opd_graphql.engine.errors import IllegalTransition
from opd_graphql.engine.model import Event, EventKind, Plan, Policy, Status, Token
from opd_graphql.engine.queue import CHECKED_IN, by_position, call_order, now_serving


def check_in(day: Day, token_id: str) -> Plan:
    """BOOKED -> CHECKED_IN: the patient has arrived."""
    token = find_token(day, token_id)
    if token.status is not Status.BOOKED:
        raise IllegalTransition(token_id, token.status, "checked in")
    return _single(token, Status.CHECKED_IN, EventKind.CHECKED_IN)


def call_next(day: Day) -> Plan:
    """Complete the token being served, if any, then call the next checked-in token.

    The next is the first in queue order not held back after a skip; if every one is held
    back, the one whose hold ends soonest. Calling a patient brings every other held-back
    patient one call closer to their own (`recall_in` - 1, a change without an event).
    An empty Plan means nobody was being served and nobody is checked in.
    """
    changed: list[Token] = []
    events: list[Event] = []
    serving = now_serving(day)
    if serving is not None:
        changed.append(replace(serving, status=Status.COMPLETED))
        events.append(Event(serving.id, EventKind.COMPLETED, serving.slot_id))
    checked_in = [token for token in day.tokens if token.status is CHECKED_IN]
    calls = call_order(by_position(day, checked_in))
    if calls:
        called = calls[0]
        changed.append(replace(called, status=Status.CALLED, recall_in=0))
        events.append(Event(called.id, EventKind.CALLED, called.slot_id))
        changed.extend(
            replace(token, recall_in=token.recall_in - 1)
            for token in calls[1:]
            if token.recall_in > 0
        )
    return Plan(tuple(changed), tuple(events))


def skip(day: Day, token_id: str, now: datetime, policy: Policy) -> Plan:
    """A CALLED patient did not come in: back to CHECKED_IN, called again after
    `policy.recall_after` other patients. A patient already skipped `policy.max_skips` times
    is marked a no-show instead, their places going to the waitlist."""
    token = find_token(day, token_id)
    if token.status is not Status.CALLED:
        raise IllegalTransition(token_id, token.status, "skipped")
    if token.skips >= policy.max_skips:
        return release(day, token_id, Status.NO_SHOW, now, policy)
    skipped = replace(
        token, status=Status.CHECKED_IN, skips=token.skips + 1, recall_in=policy.recall_after
    )
    return Plan((skipped,), (Event(token_id, EventKind.SKIPPED, token.slot_id),))


def complete(day: Day, token_id: str) -> Plan:
    """CALLED -> COMPLETED: the consultation is over (its places stay used)."""
    token = find_token(day, token_id)
    if token.status is not Status.CALLED:
        raise IllegalTransition(token_id, token.status, "completed")
    return _single(token, Status.COMPLETED, EventKind.COMPLETED)


def _single(token: Token, status: Status, kind: EventKind) -> Plan:
    return Plan((replace(token, status=status),), (Event(token.id, kind, token.slot_id),))
