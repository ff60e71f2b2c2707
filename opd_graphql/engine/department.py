"""Choosing a doctor of a department for a token (DESIGN 3, booking into a department)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from opd_graphql.engine.day import Day, is_overbooked, seated_places
from opd_graphql.engine.model import EventKind, Plan
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
