"""What each mutation is fuzzed with: strategies for its variables, and inputs at the edges."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from tests.api.fuzz_inputs import (
    BOOLEAN,
    CODE,
    DAY,
    INT,
    KEY,
    MOMENT,
    MOVE_TO,
    NAME,
    NULLABLE_STRING,
    PATIENT,
    SIMULATIONS,
    SOURCE,
    TIME,
    Field,
    ids,
    input_object,
    shapes,
)
from tests.api.test_consultation import CALL_NEXT, CHECK_IN, COMPLETE
from tests.api.test_hospital_day import SKIP, UPDATE
from tests.api.test_moving import CLOSE_DAY, CLOSE_SLOT, TRANSFER
from tests.api.test_mutations import (
    BOOK,
    CANCEL,
    CREATE_DOCTOR,
    CREATE_SLOT,
    CREATE_SLOTS,
    DATE,
    NO_SHOW,
)
from tests.sim.test_api import SIMULATE

# --- The mutations. -------------------------------------------------------------------------


@dataclass(frozen=True)
class Desk:
    doctor: str
    slots: list[str]
    tokens: list[str]

    @property
    def everything(self) -> list[str]:
        return [self.doctor, *self.slots, *self.tokens]


@dataclass(frozen=True)
class Target:
    query: str
    variables: Callable[[Desk], SearchStrategy[dict[str, Any]]]
    # The result's __typename on success; simulateDay's inputs are all out of range.
    success: str | None


def an_input(required: dict[str, Field], optional: dict[str, Field] | None = None) -> Any:
    return shapes({"input": input_object(required, optional)})


def a_token_id(desk: Desk) -> SearchStrategy[dict[str, Any]]:
    return shapes({"id": ids(desk.tokens, desk.everything)})


TARGETS = {
    "createDoctor": Target(
        CREATE_DOCTOR,
        lambda desk: an_input({"name": NAME, "department": NAME, "code": CODE}),
        "Doctor",
    ),
    "createSlot": Target(
        CREATE_SLOT,
        lambda desk: an_input(
            {
                "doctorId": ids([desk.doctor], desk.everything),
                "start": MOMENT,
                "end": MOMENT,
                "capacity": INT,
            }
        ),
        "Slot",
    ),
    "createSlots": Target(
        CREATE_SLOTS,
        lambda desk: an_input(
            {
                "doctorId": ids([desk.doctor], desk.everything),
                "date": DAY,
                "startTime": TIME,
                "endTime": TIME,
                "slotMinutes": INT,
                "capacity": INT,
            }
        ),
        "SlotList",
    ),
    "bookToken": Target(
        BOOK,
        lambda desk: an_input(
            {
                "doctorId": ids([desk.doctor], desk.everything),
                "date": DAY,
                "source": SOURCE,
                "patient": PATIENT,
            },
            optional={
                "slotId": ids(desk.slots, desk.everything),
                "idempotencyKey": KEY,
                "places": INT,
            },
        ),
        "Token",
    ),
    "cancelToken": Target(
        CANCEL,
        lambda desk: shapes(
            {"id": ids(desk.tokens, desk.everything)}, optional={"reason": NULLABLE_STRING}
        ),
        "Token",
    ),
    "markNoShow": Target(NO_SHOW, a_token_id, "Token"),
    "checkIn": Target(CHECK_IN, a_token_id, "Token"),
    "callNext": Target(
        CALL_NEXT,
        lambda desk: shapes({"doctorId": ids([desk.doctor], desk.everything), "date": DAY}),
        "CallNextPayload",
    ),
    "completeToken": Target(COMPLETE, a_token_id, "Token"),
    "skipToken": Target(SKIP, a_token_id, "Token"),
    "transferToken": Target(
        TRANSFER,
        lambda desk: shapes(
            {
                "id": ids(desk.tokens, desk.everything),
                "doctorId": ids([desk.doctor], desk.everything),
            },
            optional={"slotId": ids(desk.slots, desk.everything)},
        ),
        "Token",
    ),
    "closeSlot": Target(
        CLOSE_SLOT,
        lambda desk: shapes(
            {"slotId": ids(desk.slots, desk.everything), "reason": NAME, "moveTo": MOVE_TO}
        ),
        "CloseOutcome",
    ),
    "closeDay": Target(
        CLOSE_DAY,
        lambda desk: shapes(
            {
                "doctorId": ids([desk.doctor], desk.everything),
                "date": DAY,
                "reason": NAME,
                "moveTo": MOVE_TO,
            }
        ),
        "CloseOutcome",
    ),
    "updateDoctor": Target(
        UPDATE,
        lambda desk: shapes(
            {
                "id": ids([desk.doctor], desk.everything),
                "input": input_object(
                    {},
                    optional={
                        "name": NAME,
                        "department": NAME,
                        "room": NULLABLE_STRING,
                        "active": BOOLEAN,
                    },
                ),
            }
        ),
        "Doctor",
    ),
    # Never without an input: an omitted or null one is the default, a real day's run.
    "simulateDay": Target(
        SIMULATE, lambda desk: st.fixed_dictionaries({"input": SIMULATIONS}), None
    ),
}


# Inputs at the edges, sent on every run whatever Hypothesis draws: (mutation, variables).
EDGES: dict[str, tuple[str, Callable[[Desk], dict[str, Any]]]] = {
    "a slot in year 1 with an offset east of UTC": (
        "createSlot",
        lambda desk: {
            "input": {
                "doctorId": desk.doctor,
                "start": "0001-01-01T00:00:00+05:00",
                "end": "0001-01-01T01:00:00+05:00",
                "capacity": 1,
            }
        },
    ),
    "a slot in year 9999 with an offset west of UTC": (
        "createSlot",
        lambda desk: {
            "input": {
                "doctorId": desk.doctor,
                "start": "9999-12-31T22:00:00-05:00",
                "end": "9999-12-31T23:00:00-05:00",
                "capacity": 1,
            }
        },
    ),
    "a slot on the last day there is": (
        "createSlot",
        lambda desk: {
            "input": {
                "doctorId": desk.doctor,
                "start": "9999-12-31T22:00:00",
                "end": "9999-12-31T23:59:59.999999",
                "capacity": 500,
            }
        },
    ),
    "a slot ending at 24:00": (
        "createSlot",
        lambda desk: {
            "input": {
                "doctorId": desk.doctor,
                "start": "2030-01-10T23:00:00",
                "end": "2030-01-10T24:00:00",
                "capacity": 1,
            }
        },
    ),
    "a slot of 2**31 places": (
        "createSlot",
        lambda desk: {
            "input": {
                "doctorId": desk.doctor,
                "start": "2030-01-10T14:00:00",
                "end": "2030-01-10T15:00:00",
                "capacity": 2**31,
            }
        },
    ),
    "five-minute slots at the end of year 9999": (
        "createSlots",
        lambda desk: {
            "input": {
                "doctorId": desk.doctor,
                "date": "9999-12-31",
                "startTime": "23:00",
                "endTime": "23:55",
                "slotMinutes": 5,
                "capacity": 1,
            }
        },
    ),
    "slots in year 1": (
        "createSlots",
        lambda desk: {
            "input": {
                "doctorId": desk.doctor,
                "date": "0001-01-01",
                "startTime": "00:00",
                "endTime": "01:00",
                "slotMinutes": 60,
                "capacity": 1,
            }
        },
    ),
    "slots of 2**63 minutes": (
        "createSlots",
        lambda desk: {
            "input": {
                "doctorId": desk.doctor,
                "date": DATE,
                "startTime": "14:00",
                "endTime": "15:00",
                "slotMinutes": 2**63,
                "capacity": 1,
            }
        },
    ),
    "a booking in year 9999 by a patient named with NUL and RTL marks": (
        "bookToken",
        lambda desk: {
            "input": {
                "doctorId": desk.doctor,
                "date": "9999-12-31",
                "source": "WALK_IN",
                "patient": {"name": "Ravi\x00\u202eKumar", "phone": None},
                "idempotencyKey": "\x00",
            }
        },
    ),
    "a booking for a patient with a 20,000-character name": (
        "bookToken",
        lambda desk: {
            "input": {
                "doctorId": desk.doctor,
                "date": DATE,
                "source": "PAID",
                "patient": {"name": "e\u0301" * 10_000},
            }
        },
    ),
    "a booking in year 1 of a slot by its upper-cased id": (
        "bookToken",
        lambda desk: {
            "input": {
                "doctorId": desk.doctor.upper(),
                "date": "0001-01-01",
                "source": "ONLINE",
                "patient": {"name": "Meera"},
                "slotId": desk.slots[0].upper(),
            }
        },
    ),
    "calling the next patient in year 9999": (
        "callNext",
        lambda desk: {"doctorId": desk.doctor, "date": "9999-12-31"},
    ),
    "calling the next patient in year 1": (
        "callNext",
        lambda desk: {"doctorId": desk.doctor, "date": "0001-01-01"},
    ),
    "cancelling with a 20,000-character id": (
        "cancelToken",
        lambda desk: {"id": "6" * 20_000, "reason": "\x00"},
    ),
    "cancelling with a reason of control characters": (
        "cancelToken",
        lambda desk: {"id": desk.tokens[0], "reason": "\x01\x02\x1b" * 50},
    ),
    "completing a token by a doctor's id": ("completeToken", lambda desk: {"id": desk.doctor}),
    "checking in a cancelled token": ("checkIn", lambda desk: {"id": desk.tokens[2]}),
    "a no-show by an id of 2**63": (
        "markNoShow",
        lambda desk: {"id": 2**63},
    ),
    "a simulation of no doctors in year 9999": (
        "simulateDay",
        lambda desk: {"input": {"doctors": 0, "date": "9999-12-31", "seed": -(2**31)}},
    ),
}
