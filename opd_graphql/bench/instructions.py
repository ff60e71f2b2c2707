"""Instructions the API process executes per request, counted by callgrind.

CPU time on a shared or virtual machine drifts by a third from one hour to the next; the
number of instructions the same requests take does not, to a tenth of a percent. So this
is the figure to compare a change to the API's cost by, before and after.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from opd_graphql.bench import api
from opd_graphql.bench.measure import drive
from opd_graphql.bench.runner import DAYS_AHEAD
from opd_graphql.bench.server import ApiServer, Database, drop_databases
from opd_graphql.bench.workload import DoctorDay, bookings

CLIENTS = 4
DOCTOR_DAYS = 20
WARMUP = 100
REQUESTS = 300
# Slow to start under valgrind, even with nothing counted yet.
STARTUP_SECONDS = 300.0
HTTP_SECONDS = 120.0
TYPENAME = "{ __typename }"


@dataclass(frozen=True)
class Counts:
    """Instructions per request: a booking, and the least any request costs."""

    clients: int
    requests: int
    warmup: int
    booking: int
    typename: int

    def as_json(self) -> dict[str, Any]:
        return {
            "clients": self.clients,
            "requests_counted": self.requests,
            "warmup_requests": self.warmup,
            "booking_instructions": self.booking,
            "typename_instructions": self.typename,
        }

    def render(self) -> str:
        return (
            "API instructions per request, counted by callgrind ("
            f"{self.requests} requests at {self.clients} clients, after {self.warmup} to warm up)\n"
            "  request          instructions\n"
            f"  bookToken        {self.booking:>12,}\n"
            f"  {TYPENAME:<16} {self.typename:>12,}\n"
        )


def count_instructions(requests: int = REQUESTS, warmup: int = WARMUP) -> Counts:
    valgrind, control = shutil.which("valgrind"), shutil.which("callgrind_control")
    if valgrind is None or control is None:
        raise RuntimeError(
            "counting instructions needs valgrind (Debian: apt-get install valgrind)"
        )
    with tempfile.TemporaryDirectory(prefix="opd-instructions-") as workdir:
        dumps = Path(workdir) / "callgrind"
        dumps.mkdir()
        launcher = (
            valgrind,
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={dumps}/out.%p",
        )
        db_name = f"instructions_{uuid.uuid4().hex[:10]}"
        with Database(Path(workdir)) as database:
            try:
                with ApiServer(
                    database.uri,
                    db_name,
                    Path(workdir) / "server.log",
                    launcher=launcher,
                    startup_seconds=STARTUP_SECONDS,
                ) as server:
                    counter = Callgrind(control, server.pid, dumps)
                    return asyncio.run(_count(server.url, counter, requests, warmup))
            finally:
                if database.configured:
                    drop_databases(database.uri, db_name)


class Callgrind:
    """Switches counting on in a process run under callgrind and reads what it counted."""

    def __init__(self, control: str, pid: int, dumps: Path) -> None:
        self.control, self.pid, self.dumps = control, pid, dumps

    async def per_request(
        self, send: Callable[[int], Awaitable[object]], requests: int, warmup: int
    ) -> int:
        self._tell("--instr=on")
        await _run(send, warmup)
        self._tell("--zero")
        await _run(send, requests)
        self._tell("--dump")
        return self._last_total() // requests

    def _tell(self, command: str) -> None:
        subprocess.run([self.control, command, str(self.pid)], check=True, capture_output=True)

    def _last_total(self) -> int:
        newest = max(self.dumps.iterdir(), key=lambda path: path.stat().st_mtime_ns)
        for line in newest.read_text().splitlines():
            if line.startswith("totals:"):
                return int(line.split()[1])
        raise RuntimeError(f"callgrind wrote no totals to {newest}")


async def _count(url: str, counter: Callgrind, requests: int, warmup: int) -> Counts:
    async with httpx.AsyncClient(base_url=url, timeout=HTTP_SECONDS) as http:
        doctors = await api.create_doctors(http, DOCTOR_DAYS)
        day = datetime.now(UTC).date() + timedelta(days=DAYS_AHEAD)
        days = [DoctorDay(doctor_id, code, day) for doctor_id, code in doctors]
        await api.open_days(http, days, slots=16, slot_minutes=30, capacity=100)
        # A new booking every time, over the warm-up and the counted run alike.
        made = iter(bookings(days, warmup + requests, seed=7, prefix="counted"))

        async def book(_: int) -> None:
            await api.book(http, next(made))

        async def typename(_: int) -> None:
            await api.call(http, TYPENAME)

        booking = await counter.per_request(book, requests, warmup)
        least = await counter.per_request(typename, requests, warmup)
    return Counts(CLIENTS, requests, warmup, booking, least)


async def _run(send: Callable[[int], Awaitable[object]], requests: int) -> None:
    done = await drive(send, clients=CLIENTS, seconds=float("inf"), limit=requests)
    if done.errors:
        raise RuntimeError(f"requests failed while counting: {done.error_samples}")
