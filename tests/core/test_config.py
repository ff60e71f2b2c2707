from __future__ import annotations

from pathlib import Path

import pytest

from opd_graphql.core.config import Settings
from opd_graphql.engine import EmergencyMode, Overflow, Policy, Spill


def test_defaults_run_on_the_embedded_database_in_utc():
    settings = Settings.from_env({})
    assert settings.mongodb_uri is None
    assert settings.data_dir == Path(".opd-data")
    assert settings.timezone.key == "UTC"
    assert settings.policy == Policy()


def test_every_setting_comes_from_its_variable():
    settings = Settings.from_env(
        {
            "OPD_MONGODB_URI": "mongodb://db:27017/?replicaSet=rs0",
            "OPD_DB_NAME": "city",
            "OPD_DATA_DIR": "/var/lib/opd",
            "OPD_TIMEZONE": "Asia/Kolkata",
            "OPD_EMERGENCY_MODE": "OVERBOOK",
            "OPD_SPILL": "WAITLIST",
            "OPD_OVERFLOW": "REJECT",
            "OPD_MAX_DISPLACEMENTS": "1",
        }
    )
    assert settings.mongodb_uri == "mongodb://db:27017/?replicaSet=rs0"
    assert (settings.db_name, settings.data_dir) == ("city", Path("/var/lib/opd"))
    assert settings.timezone.key == "Asia/Kolkata"
    assert settings.policy == Policy(EmergencyMode.OVERBOOK, Spill.WAITLIST, Overflow.REJECT, 1)


def test_a_misspelt_policy_stops_the_server_at_start():
    with pytest.raises(ValueError):
        Settings.from_env({"OPD_SPILL": "NEXTSLOT"})
