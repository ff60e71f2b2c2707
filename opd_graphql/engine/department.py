"""Choosing a doctor of a department for a token (DESIGN 3, booking into a department), and
handing a closing doctor-day's patients over to the department's other doctors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from opd_graphql.engine.day import Day, is_overbooked, seated_places
from opd_graphql.engine.errors import SlotUnusable
from opd_graphql.engine.model import RANK, WAITING, Event, EventKind, Plan, Policy, Token
from opd_graphql.engine.moving import transfer_in, transfer_out
from opd_graphql.engine.queue import waitlist


@dataclass(frozen=True, slots=True)
class Candidate:
    """One doctor the token could go to: their code, their day before the token comes, and the
    plan that brings the token there (`book` or `transfer_in` on that day)."""

    code: str
    day: Day
    plan: Plan


def choose_candidate(token_id: str, candidates: Sequence[Candidate]) -> Candidate:
    """The candidate whose plan seats the token best.

    Among those that seat it: no slot left overbooked by it, then the fewest DISPLACED events,
    then the earliest start of its slot, then the fewest seated places in that slot before,
    then the doctor's code. If none seats it: the fewest waitlisted tokens, then the code.
    """
    if not candidates:
        raise ValueError("There is no candidate doctor to choose from.")
    seating = [c for c in candidates if c.plan.token(token_id).seated]
    if not seating:
        return min(candidates, key=lambda c: (len(waitlist(c.day)), c.code))
    return min(seating, key=lambda c: _merit(c, token_id))


def _merit(candidate: Candidate, token_id: str) -> tuple[bool, int, datetime, int, str]:
    day, plan = candidate.day, candidate.plan
    slot_id = plan.token(token_id).slot_id
    assert slot_id is not None  # a seated token has a slot
    return (
        is_overbooked(day.after(plan), slot_id),
        sum(event.kind is EventKind.DISPLACED for event in plan.events),
        day.slot(slot_id).start,
        seated_places(day, slot_id),
        candidate.code,
    )


@dataclass(frozen=True, slots=True)
class Receiver:
    """A doctor-day that may take a token from another: the doctor's code, the day, and how
    many tokens it has numbered (a token coming to it takes the next number)."""

    code: str
    day: Day
    issued: int


@dataclass(frozen=True, slots=True)
class Handover:
    """A token leaving one doctor-day for another: `out` on the day it leaves (its places
    offered on, and a TRANSFERRED event there), `inbound` on the day of the doctor `code`."""

    token_id: str
    code: str
    out: Plan
    inbound: Plan


def hand_over(
    day: Day,
    token_id: str,
    receiver: Receiver,
    slot_id: str | None,
    now: datetime,
    policy: Policy,
    note: str,
) -> Handover:
    """The token moves from `day` to the receiver's day, from `slot_id` there if given."""
    token = day.by_id[token_id]
    inbound = _arriving(receiver, token, slot_id, now, policy, note)
    return Handover(token_id, receiver.code, _leaving(day, token_id, now, policy, note), inbound)


def close_into(
    day: Day,
    slot_ids: Sequence[str] | None,
    receivers: Sequence[Receiver],
    now: datetime,
    policy: Policy,
    note: Callable[[Token], str],
) -> tuple[Plan, list[Handover]]:
    """Close slots of `day` (None: all of it) and hand their waiting tokens, best rank first,
    to the receivers (closing the whole day, its waitlist after them), each to the one that
    takes it best by the department rule, on the days as earlier handovers left them.

    Returns the plan closing the slots and the handovers in order. SlotUnusable: a token no
    receiver could take (the caller changes nothing).
    """
    ids = {slot.id for slot in day.slots} if slot_ids is None else set(slot_ids)
    leaving = sorted((t for t in day.tokens if t.slot_id in ids and t.status in WAITING), key=RANK)
    if slot_ids is None:
        leaving += waitlist(day)
    shut = Plan(
        slots=tuple(replace(s, closed=True) for s in day.slots if s.id in ids and not s.closed)
    )
    day = day.after(shut)
    taking = {receiver.code: receiver for receiver in receivers}
    handovers: list[Handover] = []
    for token in leaving:
        why = note(token)
        candidates = []
        for receiver in taking.values():
            try:
                plan = _arriving(receiver, token, None, now, policy, why)
            except SlotUnusable:
                continue
            candidates.append(Candidate(receiver.code, receiver.day, plan))
        if not candidates:
            raise SlotUnusable(f"No other doctor has an open slot that could take {token.id}.")
        best = choose_candidate(token.id, candidates)
        out = _leaving(day, token.id, now, policy, why)
        day = day.after(out)
        there = taking[best.code]
        taking[best.code] = Receiver(there.code, there.day.after(best.plan), there.issued + 1)
        handovers.append(Handover(token.id, best.code, out, best.plan))
    return shut, handovers


def _arriving(
    receiver: Receiver, token: Token, slot_id: str | None, now: datetime, policy: Policy, note: str
) -> Plan:
    arriving = replace(token, seq=receiver.issued + 1)
    return transfer_in(receiver.day, arriving, slot_id, now, policy, note=note)


def _leaving(day: Day, token_id: str, now: datetime, policy: Policy, note: str) -> Plan:
    out = transfer_out(day, token_id, now, policy)
    # The day left learns that the token went from an event of its own.
    leaving = Event(token_id, EventKind.TRANSFERRED, note=note)
    return Plan(out.tokens, (*out.events, leaving), out.slots, out.gone)
