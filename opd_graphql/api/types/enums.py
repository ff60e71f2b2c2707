"""The engine's enums as GraphQL enums, under the contract's names."""

from __future__ import annotations

from enum import Enum

import strawberry

from opd_graphql import engine
from opd_graphql.service import moving

# strawberry.enum registers the GraphQL definition on the engine's own class; the
# aliases keep one Python type per enum, so storage, engine and API share values.
strawberry.enum(engine.Source, name="TokenSource")
strawberry.enum(engine.Status, name="TokenStatus")
strawberry.enum(engine.EventKind, name="TokenEventKind")
strawberry.enum(engine.EmergencyMode, name="EmergencyMode")
strawberry.enum(engine.Spill, name="Spill")
strawberry.enum(engine.Overflow, name="Overflow")
strawberry.enum(moving.MoveTo, name="MoveTo")
TokenSource = engine.Source
TokenStatus = engine.Status
TokenEventKind = engine.EventKind
EmergencyMode = engine.EmergencyMode
Spill = engine.Spill
Overflow = engine.Overflow
MoveTo = moving.MoveTo


@strawberry.enum
class ErrorCode(Enum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
