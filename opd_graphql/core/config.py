"""Settings read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from opd_graphql.core.security import ApiKey, parse_api_keys
from opd_graphql.engine import EmergencyMode, Overflow, Policy, Spill


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
        env = os.environ if env is None else env
        default = Policy()
        return cls(
            mongodb_uri=env.get("OPD_MONGODB_URI") or None,
            db_name=env.get("OPD_DB_NAME", "opd"),
            data_dir=Path(env.get("OPD_DATA_DIR", ".opd-data")),
            timezone=ZoneInfo(env.get("OPD_TIMEZONE", "UTC")),
            policy=Policy(
                emergency_mode=EmergencyMode(
                    env.get("OPD_EMERGENCY_MODE", default.emergency_mode.value)
                ),
                spill=Spill(env.get("OPD_SPILL", default.spill.value)),
                overflow=Overflow(env.get("OPD_OVERFLOW", default.overflow.value)),
                max_displacements=int(
                    env.get("OPD_MAX_DISPLACEMENTS", str(default.max_displacements))
                ),
                recall_after=int(env.get("OPD_RECALL_AFTER", str(default.recall_after))),
                max_skips=int(env.get("OPD_MAX_SKIPS", str(default.max_skips))),
            ),
            api_keys=parse_api_keys(env.get("OPD_API_KEYS", "")),
            anonymous_display=_flag(env.get("OPD_ANONYMOUS_DISPLAY", "true")),
            allow_open_network=_flag(env.get("OPD_ALLOW_OPEN_NETWORK", "false")),
        )


def _flag(value: str) -> bool:
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"Expected true or false, got {value!r}.")
