"""Hypothesis strategies for the mutations' inputs: values of each GraphQL type, and wrong ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from tests.api.test_errors import UNKNOWN_ID
from tests.api.test_mutations import DATE

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

MOVE_TO = Field(
    st.sampled_from(["SAME_DOCTOR", "DEPARTMENT"]), st.sampled_from(["", "ELSEWHERE", 1])
)
BOOLEAN = Field(st.none() | st.booleans(), st.sampled_from([0, 1, "true", "", []]))

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
