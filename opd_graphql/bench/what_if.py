"""What-if speed: the simulator's commands timed as an admin runs them.

Each is `opd-graphql simulate` in a process of its own, start to finish (Python's start
and the imports included), on the engine in memory: one big day, and the policies
compared over many days. The big day's report also gives the simulation's own time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMEOUT_SECONDS = 600.0
BIG_DAY = ("--doctors", "20", "--slots-per-doctor", "16", "--capacity", "6")


@dataclass(frozen=True)
class Command:
    label: str
    args: tuple[str, ...]
    wall_s: float | None = None
    simulated_ms: int | None = None  # the report's elapsedMs, for a single day
    broken: bool = False  # a day broke a rule (exit status 1)
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "command": self.label,
            "args": list(self.args),
            "wall_s": None if self.wall_s is None else round(self.wall_s, 3),
            "simulated_ms": self.simulated_ms,
            "broken": self.broken,
            "error": self.error,
        }


def what_if(compare_runs: int) -> list[Command]:
    return [
        run("20-doctor day, engine mode", ("--mode", "engine", *BIG_DAY)),
        run(
            f"--compare-policies --runs {compare_runs}",
            ("--compare-policies", "--runs", str(compare_runs)),
        ),
    ]


def run(label: str, args: tuple[str, ...]) -> Command:
    with tempfile.TemporaryDirectory(prefix="opd-what-if-") as workdir:
        report = Path(workdir) / "report.json"
        argv = [sys.executable, "-m", "opd_graphql.cli", "simulate", *args, "--json", str(report)]
        started = time.perf_counter()
        try:
            done = subprocess.run(
                argv, cwd=workdir, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
            )
        except subprocess.TimeoutExpired:
            return Command(label, args, error=f"no answer in {TIMEOUT_SECONDS:.0f} s")
        wall = time.perf_counter() - started
        if done.returncode not in (0, 1):
            return Command(label, args, wall, error=done.stderr.strip()[-300:])
        document = json.loads(report.read_text())
        elapsed = document.get("elapsedMs") if isinstance(document, dict) else None
        return Command(label, args, wall, elapsed, broken=done.returncode == 1)
