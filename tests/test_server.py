from __future__ import annotations

import pytest

from opd_graphql.core.config import Settings
from opd_graphql.server import UnsafeBind, check_bind


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_open_mode_serves_on_loopback(host):
    check_bind(Settings.from_env({}), host)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::", "opd.hospital.example"])
def test_open_mode_refuses_the_network(host):
    with pytest.raises(UnsafeBind, match="OPD_API_KEYS"):
        check_bind(Settings.from_env({}), host)


def test_the_network_is_fine_with_keys_or_when_asked_for_explicitly():
    check_bind(Settings.from_env({"OPD_API_KEYS": "admin:k"}), "0.0.0.0")
    check_bind(Settings.from_env({"OPD_ALLOW_OPEN_NETWORK": "true"}), "0.0.0.0")
