"""The pure allocation engine: plain data in, a Plan of changes out (DESIGN section 3)."""

from __future__ import annotations

from opd_graphql.engine.allocation import book, expire, fill, release
from opd_graphql.engine.day import Day
from opd_graphql.engine.flow import IllegalTransition, call_next, check_in, complete
from opd_graphql.engine.model import (
    FINAL,
    HOLDS_PLACE,
    PRIORITY,
    SEATED,
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
    "PRIORITY",
    "SEATED",
    "Day",
    "EmergencyMode",
    "Event",
    "EventKind",
    "IllegalTransition",
    "Overflow",
    "Plan",
    "Policy",
    "Slot",
    "Source",
    "Spill",
    "Status",
    "Token",
    "book",
    "call_next",
    "check_in",
    "complete",
    "consultation_length",
    "estimated_call_times",
    "expire",
    "fill",
    "now_serving",
    "queue_order",
    "release",
    "waitlist",
]
