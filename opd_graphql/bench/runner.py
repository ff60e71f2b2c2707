"""One bench run: the engine alone, then the API process: simulations, load, floor, screens."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import httpx

from opd_graphql.bench import api
from opd_graphql.bench.engine import allocations_per_second
from opd_graphql.bench.fanout import FanoutLevel, fanout_level
from opd_graphql.bench.floor import Floor
from opd_graphql.bench.measure import Summary, drive
from opd_graphql.bench.plan import Plan, SimulatedDay
from opd_graphql.bench.report import BookingLevel, Report
from opd_graphql.bench.server import ApiServer, Database, drop_databases
from opd_graphql.bench.simulation import SimulationResult, simulate
from opd_graphql.bench.what_if import what_if
from opd_graphql.bench.workload import DoctorDay, bookings
from opd_graphql.store import keys
from opd_graphql.store.connection import init_database

Say = Callable[[str], None]
HTTP_SECONDS = 60.0
MEMORY_SAMPLE_SECONDS = 0.5
# A few days ahead: no "in the past" or "slots have ended" rule can apply in any timezone.
DAYS_AHEAD = 3


def run_bench(plan: Plan, say: Say) -> Report:
    started = time.perf_counter()
    say(f"engine: allocations on a {plan.engine_tokens}-token doctor-day")
    engine_rates = (
        allocations_per_second(plan.engine_tokens, plan.engine_seconds, plan.seed),
        allocations_per_second(plan.engine_tokens, plan.engine_seconds, plan.seed, fresh=True),
    )
    say(f"what-if: the 20-doctor day in engine mode, policies compared on {plan.compare_runs} days")
    commands = what_if(plan.compare_runs)
    db_name = f"bench_{uuid.uuid4().hex[:10]}"
    with (
        tempfile.TemporaryDirectory(prefix="opd-bench-") as workdir,
        Database(Path(workdir)) as database,
    ):
        say(f"database: {database.label}; starting the API server")
        try:
            with ApiServer(database.uri, db_name, Path(workdir) / "server.log") as server:
                try:
                    report = asyncio.run(
                        _measure(plan, say, database, db_name, server, engine_rates, started)
                    )
                except Exception:
                    say(f"the API server's log ends with:\n{server.log_tail()}")
                    raise
        finally:
            if database.configured:
                drop_databases(database.uri, db_name, f"{db_name}_floor")
    return replace(report, what_if=commands)


async def _measure(
    plan: Plan,
    say: Say,
    database: Database,
    db_name: str,
    server: ApiServer,
    engine_rates: tuple[float, float],
    started: float,
) -> Report:
    # The floor's client is made here, inside the event loop it will run on.
    session = Session(plan, say, database.uri, db_name, server)
    return await session.measure(database.label, engine_rates, started)


class Session:
    def __init__(self, plan: Plan, say: Say, uri: str, db_name: str, server: ApiServer) -> None:
        self.plan = plan
        self.say = say
        self.server = server
        self.floor = Floor(uri, f"{db_name}_floor")
        self.db_name = db_name
        self.doctors: list[tuple[str, str]] = []
        self.dates = (datetime.now(UTC).date() + timedelta(days=n) for n in count(DAYS_AHEAD))

    async def measure(
        self, database: str, engine_rates: tuple[float, float], started: float
    ) -> Report:
        plan = self.plan
        sampler = asyncio.create_task(self._sample_memory())
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        try:
            async with httpx.AsyncClient(
                base_url=self.server.url, timeout=HTTP_SECONDS, limits=limits
            ) as http:
                await self._set_up(http)
                # First, on a database holding only the set-up: how much the load levels
                # wrote (which depends on their speed) must not change the simulation's time.
                simulations = [await self._simulate(http, day) for day in plan.simulations]
                booking = [await self._level(http, *level) for level in self._levels()]
                stored = await self._tokens_stored()
                fanout = [await self._screens(http, screens) for screens in plan.screens]
                cpu = self.server.cpu_seconds()
                peak = self.server.peak_rss_bytes()
        finally:
            sampler.cancel()
            await self.floor.close(drop=False)
        return Report(
            plan=plan,
            database=database,
            engine_allocations_per_s=engine_rates[0],
            engine_fresh_allocations_per_s=engine_rates[1],
            booking=booking,
            bookings_made=sum(level.api.done for level in booking),
            tokens_stored=stored,
            fanout=fanout,
            simulations=simulations,
            server_peak_rss_bytes=peak,
            server_cpu_s=cpu,
            elapsed_s=time.perf_counter() - started,
        )

    async def _tokens_stored(self) -> int:
        """The API's tokens from the load levels, read straight from its database."""
        await init_database(self.floor.client[self.db_name])
        return await keys.tokens_booked("load-")

    async def _set_up(self, http: httpx.AsyncClient) -> None:
        plan = self.plan
        self.say(f"setting up {plan.doctor_days} doctors")
        self.doctors = await api.create_doctors(http, plan.doctor_days)
        await self.floor.prepare()
        warmup = await self._open_days(http, self.doctors[:4])
        self.say(f"warming up the API and the floor with {plan.warmup_bookings} bookings each")
        api_warmup = bookings(warmup, plan.warmup_bookings, seed=plan.seed, prefix="warmup-api")
        floor_warmup = bookings(warmup, plan.warmup_bookings, seed=plan.seed, prefix="warmup-floor")
        for name, done in [
            ("API", await _all(lambda i: api.book(http, api_warmup[i]), len(api_warmup))),
            ("floor", await _all(lambda i: self.floor.book(floor_warmup[i]), len(floor_warmup))),
        ]:
            if done.errors:
                raise api.Failed(f"warming up the {name} failed: {done.error_samples[0]}")

    def _levels(self) -> Iterator[tuple[str, int, int]]:
        spread = self.plan.doctor_days
        for clients in self.plan.client_levels:
            plural = "client" if clients == 1 else "clients"
            yield f"{clients} {plural}, {spread} doctor-days", clients, spread
        contention = self.plan.contention_clients
        yield f"{contention} clients, 1 doctor-day", contention, 1

    async def _level(
        self, http: httpx.AsyncClient, label: str, clients: int, spread: int
    ) -> BookingLevel:
        plan = self.plan
        days = await self._open_days(http, self.doctors[:spread])
        limit = len(days) * plan.max_bookings_per_day
        prefix = f"{clients}-{spread}"
        self.say(f"booking: {label}")
        load = bookings(days, limit, seed=plan.seed, prefix=f"load-{prefix}")
        retries, cpu = await api.transaction_retries(http), self.server.cpu_seconds()
        made = await drive(
            lambda i: api.book(http, load[i]),
            clients=clients,
            seconds=plan.seconds_per_level,
            limit=limit,
        )
        cpu = self.server.cpu_seconds() - cpu
        retries = await api.transaction_retries(http) - retries
        floor_load = bookings(days, limit, seed=plan.seed, prefix=f"floor-{prefix}")
        floor_retries, floor_cpu = self.floor.retries, time.process_time()
        floor = await self.floor.level(floor_load, clients=clients, seconds=plan.seconds_per_level)
        floor_cpu = time.process_time() - floor_cpu
        level = BookingLevel(
            label=label,
            clients=clients,
            doctor_days=spread,
            api=made,
            floor=floor,
            api_transaction_retries=round(retries),
            floor_transaction_retries=self.floor.retries - floor_retries,
            api_cpu_s=cpu,
            floor_cpu_s=floor_cpu,
        )
        self.say(
            f"  API {made.per_second:.1f}/s ({made.errors} errors), "
            f"floor {floor.per_second:.1f}/s ({floor.errors} errors), ratio {level.ratio:.3f}"
        )
        for sample in made.error_samples + floor.error_samples:
            self.say(f"  error: {sample}")
        return level

    async def _screens(self, http: httpx.AsyncClient, screens: int) -> FanoutLevel:
        [day] = await self._open_days(http, self.doctors[:1])
        number = self.plan.bookings_per_screen_level
        self.say(f"screens: {screens} subscribed, {number} bookings one at a time")
        made = bookings([day], number, seed=self.plan.seed, prefix=f"screens-{screens}")
        level = await fanout_level(
            http, self.server.url, day, screens, made, self.server.cpu_seconds
        )
        self.say(f"  p50 {level.p50_ms:.1f} ms, p99 {level.p99_ms:.1f} ms, missed {level.missed}")
        return level

    async def _simulate(self, http: httpx.AsyncClient, day: SimulatedDay) -> SimulationResult:
        if day.run:
            self.say(f"simulateDay: {day.label}")
        result = await simulate(http, day)
        if result.ran:
            self.say(
                f"  {result.wall_s or 0:.2f} s" if result.error is None else f"  {result.error}"
            )
        return result

    async def _open_days(
        self, http: httpx.AsyncClient, doctors: list[tuple[str, str]]
    ) -> list[DoctorDay]:
        """The doctors' days on a date no other part uses, so that every part starts empty."""
        day = next(self.dates)
        days = [DoctorDay(doctor_id, code, day) for doctor_id, code in doctors]
        plan = self.plan
        await api.open_days(
            http,
            days,
            slots=plan.slots_per_day,
            slot_minutes=plan.slot_minutes,
            capacity=plan.capacity,
        )
        return days

    async def _sample_memory(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                self.server.sample_memory()
                await asyncio.sleep(MEMORY_SAMPLE_SECONDS)


async def _all(operation: Callable[[int], Awaitable[object]], limit: int) -> Summary:
    return await drive(operation, clients=4, seconds=HTTP_SECONDS, limit=limit)
