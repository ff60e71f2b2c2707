"""Every mutation fuzzed over HTTP: no input gets a 5xx, and a refused one writes nothing.

Hypothesis draws each example's variables inside the test (`st.data()`), so the strategies
can mix in the ids of the doctor, slots and tokens the test set up: those inputs get past
the id checks and reach the deeper validation. The data of the examples that succeed
accumulates in the test's database; each example compares the state just before and after.
EDGES are inputs at the edges sent on every run, whatever Hypothesis happens to draw.

A failing example is shrunk, which takes Hypothesis some tens of seconds here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from graphql import build_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from opd_graphql.api.schema import schema
from opd_graphql.service import doctors
from opd_graphql.service.errors import InvalidInput
from tests.api.conftest import GraphQLClient
from tests.api.test_consultation import CALL_NEXT, CHECK_IN, COMPLETE
from tests.api.test_errors import UNKNOWN_ID, database_state
from tests.api.test_mutations import (
    BOOK,
    CANCEL,
    CREATE_DOCTOR,
    CREATE_SLOT,
    CREATE_SLOTS,
    DATE,
    NO_SHOW,
    a_day,
    a_doctor,
    book,
)
from tests.sim.test_api import SIMULATE

EXAMPLES = 50
USER_ERRORS = {
    "ValidationError": "BAD_USER_INPUT",
    "NotFoundError": "NOT_FOUND",
    "ConflictError": "CONFLICT",
}

# --- Values of any JSON type, for fields that expect another one. -------------------------

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),  # NaN and infinities are not JSON
    st.text(max_size=20),
)
JUNK = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
NOT_A_STRING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(JSON_SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=8), JUNK, max_size=3),
)


def weighted(*choices: tuple[int, SearchStrategy[Any]]) -> SearchStrategy[Any]:
    """One of the strategies, by weight (`st.one_of` drops repeats of one strategy)."""
    options = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(options).flatmap(lambda chosen: chosen)


@dataclass(frozen=True)
class Field:
    """The values an input field's GraphQL type accepts, and values of the wrong type."""

    typed: SearchStrategy[Any]
    wrong: SearchStrategy[Any] = JUNK


# --- Text. ------------------------------------------------------------------------------

SPECIAL_TEXT = [
    "",
    " ",
    "\t\r\n",
    "\x00",
    "Ravi\x00Kumar",
    "\x07\x1b[31mred\x7f",
    "\u202eevil\u202c",  # right-to-left override
    "مستشفى المدينة",  # Arabic (RTL)
    "שלום",  # Hebrew (RTL)
    "e\u0301\u0302\u0303\u0304\u0305",  # stacked combining marks
    "Z\u0364\u0351\u0307a\u0308\u0356l\u036e\u0312g\u030c\u0317o\u0319\u0314",
    "😀👩\u200d⚕️🏥",  # an emoji, a joined sequence
    "\ufeffBOM",
    "\u200b",  # zero-width space: not whitespace to str.split
    "\u3000\u2028\u00a0",  # whitespace beyond ASCII
    "\uffff\U0010ffff",  # non-characters
    "ß1",  # upper-cases to two letters
    "\uff21\uff22\uff11",  # full-width letters and digit
    "null",
    '{"$gt": ""}',
    "$where",
    "'; DROP TABLE doctors; --",
    "%s%n%x",
]
HUGE_TEXT = st.builds(
    lambda unit, length: (unit * length)[:length],
    st.sampled_from(["x", "é", "😀", "\x00", " ", "ab\u0301", "مر"]),
    st.integers(min_value=101, max_value=20_000),
)
TEXT = st.one_of(st.sampled_from(SPECIAL_TEXT), st.text(max_size=120), HUGE_TEXT)
STRING = Field(TEXT, NOT_A_STRING)
NULLABLE_STRING = Field(st.none() | TEXT, NOT_A_STRING.filter(lambda value: value is not None))

# --- Numbers. -----------------------------------------------------------------------------

INT32 = [0, -1, 1, 2, 4, 5, 30, 50, 51, 60, 240, 241, 500, 501, 1440, 1441, 2**31 - 1, -(2**31)]
INT = Field(
    st.one_of(st.sampled_from(INT32), st.integers(-(2**31), 2**31 - 1), st.integers(-3, 70)),
    st.one_of(
        st.sampled_from([2**31, -(2**31) - 1, 2**53 + 1, 2**63, -(2**63), 2**64]),
        st.sampled_from([1.5, 0.1, 1e308, 5e-324, -1e308]),
        st.sampled_from(["1", "0x10", "1e3", "", " 2"]),
        JUNK,
    ),
)

# --- Dates and times. ----------------------------------------------------------------------

PARSED_DATES = [
    DATE,
    "2030-01-11",
    "2030-01-09",  # yesterday
    "2029-12-31",
    "0001-01-01",
    "9999-12-31",
    "1970-01-01",
    "2032-02-29",
    "20300110",  # basic format
    "2030-W02-4",  # week date
]
BAD_DATES = [
    "2030-02-29",
    "2030-13-01",
    "2030-00-10",
    "2030-01-32",
    "2030-1-1",
    "2030-01-10T09:00:00",
    "2030-01-10 ",
    "10/01/2030",
    "0000-01-01",
    "10000-01-01",
    "-0001-01-01",
    "\u0662\u0660\u0663\u0660-\u0660\u0661-\u0661\u0660",  # Arabic-Indic digits
    "today",
    "",
]
DAY = Field(
    st.one_of(
        st.sampled_from(PARSED_DATES),
        st.dates().map(date.isoformat),
        st.dates(date(2030, 1, 8), date(2030, 1, 14)).map(date.isoformat),
    ),
    st.one_of(st.sampled_from(BAD_DATES), st.text(max_size=12), JUNK),
)
OFFSETS = [
    UTC,
    timezone(timedelta(hours=14)),
    timezone(-timedelta(hours=12)),
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=23, minutes=59)),
]
TIME = Field(
    st.one_of(
        st.sampled_from(
            ["00:00", "09:00", "11:00", "14:00", "15:00", "23:59", "23:59:59.999999", "0900"]
        ),
        st.sampled_from(["09:00+05:30", "09:00Z", "09:00:00-12:00", "14:00:00.5"]),
        st.times().map(lambda t: t.isoformat()),
        st.times(timezones=st.sampled_from(OFFSETS)).map(lambda t: t.isoformat()),
    ),
    st.one_of(
        st.sampled_from(["24:00", "25:00", "9:00", "09:60", "T09:00", "noon", ""]),
        st.text(max_size=10),
        JUNK,
    ),
)
# The first and last moments Python can hold, with offsets that take them out of its range.
EXTREME_DATETIMES = [
    "0001-01-01T00:00:00",
    "0001-01-01T01:00:00",
    "0001-01-01T00:00:00+05:00",
    "0001-01-01T01:00:00+05:00",
    "0001-01-01T00:00:00-05:00",
    "9999-12-31T22:00:00",
    "9999-12-31T23:59:59.999999",
    "9999-12-31T22:00:00-05:00",
    "9999-12-31T23:59:59.999999-05:00",
    "9999-12-31T23:59:59+05:00",
]
MOMENT = Field(
    st.one_of(
        st.sampled_from(
            [
                "2030-01-10T14:00:00",
                "2030-01-10T15:00:00",
                "2030-01-10T14:00:00+00:00",
                "2030-01-10T15:00:00Z",
                "2030-01-10T14:00:00+05:30",
                "2030-01-10T23:00:00",
                "2030-01-11T00:00:00",
                "2030-01-10T24:00:00",
                "2030-01-10T05:00:00",
                "2030-01-09T10:00:00",
                "2030-01-10",
                "2030-01-10T14:00:00.123456789",
            ]
        ),
        st.sampled_from(EXTREME_DATETIMES),
        st.datetimes(datetime(2030, 1, 9), datetime(2030, 1, 12)).map(datetime.isoformat),
        st.datetimes(timezones=st.none() | st.sampled_from(OFFSETS)).map(datetime.isoformat),
    ),
    st.one_of(
        st.sampled_from(
            ["2030-01-10T25:00:00", "2030-01-10T09:00:00+24:00", "2030-01-10 14:00", "now", ""]
        ),
        st.text(max_size=30),
        JUNK,
    ),
)

# --- Domain values. -------------------------------------------------------------------------

CODE = Field(
    st.one_of(
        st.sampled_from(["ENT2", "car1", "CAR1", " ent3 ", "A", "AB", "ABCDEFGH", "ABCDEFGHI"]),
        st.from_regex(r"[A-Za-z][A-Za-z0-9]{1,7}", fullmatch=True),
        TEXT,
    ),
    NOT_A_STRING,
)
PHONE = Field(
    st.one_of(
        st.none(),
        st.sampled_from(
            [
                "+91 98765 43210",
                "9876543210",
                "123456",
                "1234567",
                "+1234567890123456",
                "++91 98765 43210",
                "98765--43210",
                "\u0669\u0668\u0667\u0666\u0665\u0664\u0663\u0662\u0661\u0660",
                "98765\x0043210",
                "",
                "   ",
            ]
        ),
        TEXT,
    ),
    NOT_A_STRING.filter(lambda value: value is not None),
)
SOURCE = Field(
    st.sampled_from(["EMERGENCY", "PAID", "FOLLOW_UP", "ONLINE", "WALK_IN"]),
    st.one_of(st.sampled_from(["online", "VIP", "WALK-IN", "", "Token"]), JUNK),
)
NAME = Field(st.one_of(st.sampled_from(["Ravi Kumar", "x" * 100, "x" * 101]), TEXT), NOT_A_STRING)
KEY = Field(
    st.one_of(st.none(), st.sampled_from(["kiosk-1", "k" * 128, "k" * 129, "", "\x00"]), TEXT),
    NOT_A_STRING.filter(lambda value: value is not None),
)


def ids(own: list[str], others: list[str]) -> Field:
    """Real ids (mostly of the right kind), ids almost like them, unknown and malformed ones.

    GraphQL's ID takes ints as well as strings.
    """
    known = weighted((3, st.sampled_from(own)), (1, st.sampled_from(others)))
    return Field(
        weighted(
            (4, known),
            (1, known.map(str.upper)),
            (1, known.map(lambda id_: f" {id_}")),
            (1, known.map(lambda id_: id_[:-1])),
            (1, known.map(lambda id_: id_ + "0")),
            (1, st.sampled_from([UNKNOWN_ID, "0" * 24, "g" * 24, "\u0660" * 24, "0" * 12])),
            (1, st.text(alphabet="0123456789abcdefABCDEF", min_size=23, max_size=25)),
            (1, st.integers()),
            (1, TEXT),
        ),
        st.one_of(st.none(), st.booleans(), st.floats(0.1, 1e9), st.lists(known), JUNK),
    )


def shapes(
    required: dict[str, Field], optional: dict[str, Field] | None = None
) -> SearchStrategy[dict[str, Any]]:
    """Well-typed values (mostly), one field of the wrong type, or required fields missing."""
    optional = optional or {}
    fields = {**required, **optional}
    typed = st.fixed_dictionaries(
        {name: f.typed for name, f in required.items()},
        optional={name: f.typed for name, f in optional.items()},
    )
    one_wrong = st.tuples(typed, st.sampled_from(sorted(fields))).flatmap(
        lambda drawn: fields[drawn[1]].wrong.map(lambda value: {**drawn[0], drawn[1]: value})
    )
    missing = st.fixed_dictionaries({}, optional={name: f.typed for name, f in fields.items()})
    return weighted((6, typed), (2, one_wrong), (1, missing))


def input_object(required: dict[str, Field], optional: dict[str, Field] | None = None) -> Field:
    """An input object: its shapes, and wrong ones: an unknown field, or not an object at all."""
    shaped = shapes(required, optional)
    unknown = st.tuples(shaped, st.text(min_size=1, max_size=10), JUNK).map(
        lambda drawn: {**drawn[0], drawn[1]: drawn[2]}
    )
    return Field(shaped, st.one_of(unknown, JUNK))


PATIENT = input_object({"name": NAME}, optional={"phone": PHONE})

# --- simulateDay: every example is out of range in at least one field, so none runs. ------


def numbers(values: list[Any]) -> Field:
    return Field(st.sampled_from(values), INT.wrong)


SIMULATION = shapes(
    {},
    optional={
        "seed": numbers([0, 7, -1, 2**31 - 1, -(2**31)]),
        "date": Field(st.none() | DAY.typed, DAY.wrong),
        "doctors": numbers([1, 0, 51, -1]),
        "slotsPerDoctor": numbers([1, 2, 0, 49, -1]),
        "slotMinutes": numbers([20, 5, 4, 241, -1]),
        "capacity": numbers([1, 2, 0, -1, 51]),
        "patients": Field(st.sampled_from([None, 0, 4, -5, 5001]), INT.wrong),
        "noShowRate": Field(st.sampled_from([0, 0.5, 1, 1.5, -0.1, 1e308]), NOT_A_STRING),
        "cancelRate": Field(st.sampled_from([0, 0.05, 1.5, -1, 5e-324]), NOT_A_STRING),
        "emergencyRate": Field(st.sampled_from([0, 0.25, 2, -0.5]), NOT_A_STRING),
        "policy": Field(
            st.none()
            | shapes(
                {},
                optional={
                    "emergencyMode": Field(st.sampled_from(["DISPLACE", "OVERBOOK", None])),
                    "spill": Field(st.sampled_from(["NEXT_SLOT", "WAITLIST", None])),
                    "overflow": Field(st.sampled_from(["WAITLIST", "REJECT", None])),
                    "maxDisplacements": Field(st.sampled_from([0, 3, -1, 11, None]), INT.wrong),
                },
            ),
        ),
    },
)
OUT_OF_RANGE = st.sampled_from(
    [
        {"doctors": 0},
        {"doctors": 51},
        {"doctors": -(2**31)},
        {"slotsPerDoctor": 0},
        {"slotsPerDoctor": 49},
        {"slotMinutes": 4},
        {"slotMinutes": 241},
        {"capacity": -1},
        {"capacity": 51},
        {"patients": -5},
        {"patients": 5001},
        {"noShowRate": 1.5},
        {"cancelRate": -0.1},
        {"emergencyRate": 1.0000001},
        {"policy": {"maxDisplacements": -1}},
        {"policy": {"maxDisplacements": 11}},
    ]
)
SIMULATIONS = st.builds(lambda small, bad: {**small, **bad}, SIMULATION, OUT_OF_RANGE)


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
            optional={"slotId": ids(desk.slots, desk.everything), "idempotencyKey": KEY},
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
    # Never without an input: an omitted or null one is the default, a real day's run.
    "simulateDay": Target(
        SIMULATE, lambda desk: st.fixed_dictionaries({"input": SIMULATIONS}), None
    ),
}


@pytest.fixture
async def desk(gql: GraphQLClient) -> Desk:
    """A doctor's day of two one-place slots: one token booked, one called, one cancelled."""
    doctor = await a_doctor(gql)
    slots = await a_day(gql, doctor["id"])
    booked = await book(gql, doctor["id"])
    called = await book(gql, doctor["id"])
    cancelled = await book(gql, doctor["id"])
    await gql(CANCEL, id=cancelled["id"])
    await gql(CHECK_IN, id=called["id"])
    await gql(CALL_NEXT, doctorId=doctor["id"], date=DATE)
    return Desk(
        doctor=doctor["id"],
        slots=[slot["id"] for slot in slots],
        tokens=[booked["id"], called["id"], cancelled["id"]],
    )


async def test_the_desk_has_tokens_in_several_states(gql: GraphQLClient, desk: Desk) -> None:
    statuses = [
        (await gql(f'{{ token(id: "{id_}") {{ status }} }}'))["token"]["status"]
        for id_ in desk.tokens
    ]
    assert statuses == ["BOOKED", "CALLED", "CANCELLED"]


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


async def check(
    http: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    mutation: str,
    variables: dict[str, Any],
) -> None:
    """Send one mutation; fail unless the answer is well formed and a refusal wrote nothing."""
    target = TARGETS[mutation]
    caplog.clear()
    before = await database_state()

    response = await http.post("/graphql", json={"query": target.query, "variables": variables})

    unchanged = await database_state() == before
    seen = (
        f"HTTP {response.status_code}: {response.text[:2000]}\n"
        f"database {'unchanged' if unchanged else 'CHANGED'}\nserver log:\n{caplog.text}"
    )
    assert response.status_code < 500, seen
    assert response.headers["content-type"].startswith("application/json"), seen
    body = response.json()
    assert isinstance(body, dict), seen
    if "errors" in body:
        # A GraphQL error (validation, coercion): no data, and never a masked server error.
        assert body["errors"], seen
        assert body.get("data") is None, seen
        for error in body["errors"]:
            assert isinstance(error["message"], str), seen
            assert (error.get("extensions") or {}).get("code") != "INTERNAL_SERVER_ERROR", seen
        assert unchanged, f"a refused request wrote data\n{seen}"
        return
    assert set(body["data"]) == {mutation}, seen
    result = body["data"][mutation]
    if target.success is not None and result["__typename"] == target.success:
        return
    assert result["__typename"] in USER_ERRORS, seen
    # createDoctor's document reads an error's code as errorCode: Doctor has a code too.
    code = result["errorCode"] if "errorCode" in result else result["code"]
    assert code == USER_ERRORS[result["__typename"]], seen
    assert isinstance(result["message"], str) and result["message"].strip(), seen
    assert result["field"] is None or isinstance(result["field"], str), seen
    assert unchanged, f"a typed error wrote data\n{seen}"


@pytest.mark.parametrize("mutation", TARGETS)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(data=st.data())
async def test_no_input_breaks_a_mutation_and_a_refused_one_writes_nothing(
    http: httpx.AsyncClient,
    desk: Desk,
    caplog: pytest.LogCaptureFixture,
    mutation: str,
    data: st.DataObject,
) -> None:
    variables = data.draw(TARGETS[mutation].variables(desk), label="variables")
    await check(http, caplog, mutation, variables)


@pytest.mark.parametrize("edge", EDGES)
async def test_an_input_at_the_edge_breaks_nothing(
    http: httpx.AsyncClient, desk: Desk, caplog: pytest.LogCaptureFixture, edge: str
) -> None:
    mutation, variables = EDGES[edge]
    await check(http, caplog, mutation, variables(desk))


def test_every_mutation_of_the_schema_is_fuzzed() -> None:
    mutations = build_schema(schema.as_str()).mutation_type
    assert mutations is not None
    assert set(mutations.fields) == set(TARGETS)


VALID_DOCTOR = {"input": {"name": "B Menon", "department": "ENT", "code": "ENT1"}}


async def test_the_check_fails_on_a_masked_server_error_and_shows_its_traceback(
    http, caplog, monkeypatch
):
    async def broken(ctx: Any, new: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(doctors, "create_doctor", broken)

    with pytest.raises(AssertionError, match="INTERNAL_SERVER_ERROR") as failed:
        await check(http, caplog, "createDoctor", VALID_DOCTOR)
    assert "the database went away" in str(failed.value)


async def test_the_check_fails_on_a_typed_error_that_wrote_data(http, caplog, monkeypatch):
    create = doctors.create_doctor

    async def half_done(ctx: Any, new: Any) -> Any:
        await create(ctx, new)
        raise InvalidInput("name is wrong after all.", "name")

    monkeypatch.setattr(doctors, "create_doctor", half_done)

    with pytest.raises(AssertionError, match="a typed error wrote data"):
        await check(http, caplog, "createDoctor", VALID_DOCTOR)


async def test_the_check_passes_a_success_and_a_typed_error(http, caplog):
    await check(http, caplog, "createDoctor", VALID_DOCTOR)
    await check(http, caplog, "createDoctor", VALID_DOCTOR)  # the code is taken: a conflict

    doctors_stored, *_ = await database_state()
    assert doctors_stored == 1
