"""The pure allocation engine: plain data in, a Plan of changes out (DESIGN section 3)."""

from __future__ import annotations

from opd_graphql.engine.allocation import book, expire, fill, release
from opd_graphql.engine.day import (
    Day,
    available_places,
    held_places,
    is_overbooked,
    seated_places,
)
from opd_graphql.engine.department import (
    Candidate,
    Handover,
    Receiver,
    choose_candidate,
    close_into,
    hand_over,
)
from opd_graphql.engine.errors import IllegalTransition, SlotUnusable
from opd_graphql.engine.flow import call_next, check_in, complete, skip
from opd_graphql.engine.model import (
    FINAL,
    HOLDS_PLACE,
    MAX_PLACES,
    PRIORITY,
    SEATED,
    WAITING,
    EmergencyMode,
    Event,
    EventKind,
    Overflow,
    Plan,
    Policy,
    Slot,
    Source,
    Spill,
    Status,
    Token,
)
from opd_graphql.engine.moving import close_slots, transfer_in, transfer_out, transfer_within
from opd_graphql.engine.queue import (
    consultation_length,
    estimated_call_times,
    now_serving,
    queue_order,
    waitlist,
)

__all__ = [
    "FINAL",
    "HOLDS_PLACE",
    "MAX_PLACES",
    "PRIORITY",
    "SEATED",
    "WAITING",
    "Candidate",
    "Day",
    "EmergencyMode",
    "Event",
    "EventKind",
    "Handover",
    "IllegalTransition",
    "Overflow",
    "Plan",
    "Policy",
    "Receiver",
    "Slot",
    "SlotUnusable",
    "Source",
    "Spill",
    "Status",
    "Token",
    "available_places",
    "book",
    "call_next",
    "check_in",
    "choose_candidate",
    "close_into",
    "close_slots",
    "complete",
    "consultation_length",
    "estimated_call_times",
    "expire",
    "fill",
    "hand_over",
    "held_places",
    "is_overbooked",
    "now_serving",
    "queue_order",
    "release",
    "seated_places",
    "skip",
    "transfer_in",
    "transfer_out",
    "transfer_within",
    "waitlist",
]
