"""Settings read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from opd_graphql.core.security import ApiKey, parse_api_keys
from opd_graphql.engine import EmergencyMode, Overflow, Policy, Spill

T = TypeVar("T")
E = TypeVar("E", bound=Enum)


class SettingsError(ValueError):
    """A malformed OPD_* value, said in one sentence that names the variable."""


@dataclass(frozen=True)
class Variable:
    name: str
    default: str  # what an unset variable reads as; "" for none
    meaning: str


def _choices(kind: type[Enum]) -> str:
    return " or ".join(str(member.value) for member in kind)


_POLICY = Policy()
# The one list of settings: `from_env` takes its defaults from it, `serve --help` shows it.
VARIABLES = (
    Variable(
        "OPD_MONGODB_URI",
        "",
        "a MongoDB 6.0+ replica set to use; unset: the embedded database in OPD_DATA_DIR",
    ),
    Variable("OPD_DB_NAME", "opd", "database name"),
    Variable("OPD_DATA_DIR", ".opd-data", "where the embedded database keeps its data"),
    Variable("OPD_TIMEZONE", "UTC", "the hospital's timezone: dates, and times without an offset"),
    Variable("OPD_EMERGENCY_MODE", _POLICY.emergency_mode.value, _choices(EmergencyMode)),
    Variable(
        "OPD_SPILL",
        _POLICY.spill.value,
        "a full slot sends a new token to later slots (NEXT_SLOT), or WAITLISTs it",
    ),
    Variable(
        "OPD_OVERFLOW",
        _POLICY.overflow.value,
        f"when no slot can take a token: {_choices(Overflow)}",
    ),
    Variable(
        "OPD_MAX_DISPLACEMENTS",
        str(_POLICY.max_displacements),
        "how often one token may be displaced",
    ),
    Variable(
        "OPD_RECALL_AFTER",
        str(_POLICY.recall_after),
        "others called before a skipped patient is called again",
    ),
    Variable(
        "OPD_MAX_SKIPS",
        str(_POLICY.max_skips),
        "skips allowed; the next one makes the patient a no-show",
    ),
    Variable(
        "OPD_API_KEYS",
        "",
        "role:key,... (doctor:key:CAR1|CAR2 binds a key to doctors); unset: open "
        "development mode, everyone may do everything",
    ),
    Variable("OPD_ANONYMOUS_DISPLAY", "true", "requests without a key get DISPLAY rights"),
    Variable(
        "OPD_ALLOW_OPEN_NETWORK",
        "false",
        "let open development mode bind a non-loopback address",
    ),
)
_DEFAULTS = {variable.name: variable.default for variable in VARIABLES}


@dataclass(frozen=True)
class Settings:
    mongodb_uri: str | None = None
    db_name: str = "opd"
    data_dir: Path = Path(".opd-data")
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    policy: Policy = field(default_factory=Policy)
    api_keys: tuple[ApiKey, ...] = ()
    anonymous_display: bool = True
    allow_open_network: bool = False

    @property
    def open_mode(self) -> bool:
        """No keys: every operation is allowed, for development on one machine."""
        return not self.api_keys

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Raises SettingsError for a malformed value."""
        env = os.environ if env is None else env

        def read(name: str, parse: Callable[[str], T]) -> T:
            return _parse(name, env.get(name, _DEFAULTS[name]), parse)

        return cls(
            mongodb_uri=env.get("OPD_MONGODB_URI") or None,
            db_name=read("OPD_DB_NAME", _name),
            data_dir=read("OPD_DATA_DIR", Path),
            timezone=read("OPD_TIMEZONE", _timezone),
            policy=Policy(
                emergency_mode=read("OPD_EMERGENCY_MODE", _member(EmergencyMode)),
                spill=read("OPD_SPILL", _member(Spill)),
                overflow=read("OPD_OVERFLOW", _member(Overflow)),
                max_displacements=read("OPD_MAX_DISPLACEMENTS", _count),
                recall_after=read("OPD_RECALL_AFTER", _count),
                max_skips=read("OPD_MAX_SKIPS", _count),
            ),
            api_keys=read("OPD_API_KEYS", parse_api_keys),
            anonymous_display=read("OPD_ANONYMOUS_DISPLAY", _flag),
            allow_open_network=read("OPD_ALLOW_OPEN_NETWORK", _flag),
        )


def _parse(name: str, value: str, parse: Callable[[str], T]) -> T:
    try:
        return parse(value)
    except ValueError as error:
        reason = str(error)
        # The API key parser names its variable itself, and never repeats a key.
        raise SettingsError(reason if reason.startswith(name) else f"{name}: {reason}") from None


def _name(value: str) -> str:
    if not value.strip():
        raise ValueError("expected a database name, got nothing.")
    return value


def _timezone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        raise ValueError(f"{value!r} is not a timezone name such as Asia/Kolkata or UTC.") from None


def _member(kind: type[E]) -> Callable[[str], E]:
    def parse(value: str) -> E:
        try:
            return kind(value)
        except ValueError:
            raise ValueError(f"expected {_choices(kind)}, got {value!r}.") from None

    return parse


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError(f"expected a whole number, 0 or more, got {value!r}.")
    return number


def _flag(value: str) -> bool:
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected true or false, got {value!r}.")
