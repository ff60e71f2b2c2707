"""Mutation results: the success type or one of the typed errors."""

from __future__ import annotations

from typing import Annotated

import strawberry

from opd_graphql.api.types.call_next_payload import CallNextPayload
from opd_graphql.api.types.close_outcome import CloseOutcome
from opd_graphql.api.types.doctor import Doctor
from opd_graphql.api.types.errors import ConflictError, NotFoundError, ValidationError
from opd_graphql.api.types.simulation import SimulationReport, SimulationRuns
from opd_graphql.api.types.slot import Slot
from opd_graphql.api.types.slot_list import SlotList
from opd_graphql.api.types.token import Token

CreateDoctorResult = Annotated[
    Doctor | ValidationError | NotFoundError | ConflictError,
    strawberry.union("CreateDoctorResult"),
]
CreateSlotResult = Annotated[
    Slot | ValidationError | NotFoundError | ConflictError, strawberry.union("CreateSlotResult")
]
CreateSlotsResult = Annotated[
    SlotList | ValidationError | NotFoundError | ConflictError,
    strawberry.union("CreateSlotsResult"),
]
BookTokenResult = Annotated[
    Token | ValidationError | NotFoundError | ConflictError, strawberry.union("BookTokenResult")
]
TokenResult = Annotated[
    Token | ValidationError | NotFoundError | ConflictError, strawberry.union("TokenResult")
]
CallNextResult = Annotated[
    CallNextPayload | ValidationError | NotFoundError | ConflictError,
    strawberry.union("CallNextResult"),
]
CloseResult = Annotated[
    CloseOutcome | ValidationError | NotFoundError | ConflictError,
    strawberry.union("CloseResult"),
]
SimulateDayResult = Annotated[
    SimulationReport | SimulationRuns | ValidationError | NotFoundError | ConflictError,
    strawberry.union("SimulateDayResult"),
]
