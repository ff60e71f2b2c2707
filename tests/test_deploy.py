"""What can be checked of the deployment files without a container engine."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from opd_graphql.api.graphql_view import MAX_MESSAGE_BYTES

ROOT = Path(__file__).parent.parent


def dockerfile_instruction(name: str) -> str:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    [line] = [line for line in text.splitlines() if line.startswith(f"{name} ")]
    return line.removeprefix(f"{name} ")


def test_the_image_serves_the_api_on_the_network_and_checks_its_health():
    command = json.loads(dockerfile_instruction("CMD"))
    assert command == ["opd-graphql", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert "http://127.0.0.1:8000/healthz" in dockerfile_instruction("HEALTHCHECK")
    assert dockerfile_instruction("USER") == "opd"


def test_the_compose_stack_is_a_replica_set_two_apis_and_a_load_balancer():
    stack = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = stack["services"]
    assert {"mongo1", "mongo2", "mongo3", "mongo-init", "api", "lb"} <= set(services)
    for member in ("mongo1", "mongo2", "mongo3"):
        assert "--replSet" in services[member]["command"]
    api = services["api"]
    assert api["deploy"]["replicas"] == 2
    assert api["command"] == json.loads(dockerfile_instruction("CMD"))
    assert "replicaSet=rs0" in api["environment"]["OPD_MONGODB_URI"]
    assert "OPD_API_KEYS" in api["environment"]
    init = (ROOT / "deploy" / "replica-set.js").read_text()
    assert all(f"{m}:27017" in init for m in ("mongo1", "mongo2", "mongo3"))


def test_the_load_balancer_passes_websockets_and_the_body_limit():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "server api:8000;" in conf
    limit = re.search(r"client_max_body_size (\d+)k;", conf)
    assert limit is not None and int(limit.group(1)) * 1024 == MAX_MESSAGE_BYTES
