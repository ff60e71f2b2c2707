"""bench --hospital: a hospital's morning peak on API processes that share one database.

The days are filled first with what the simulator had booked before its busiest window.
Then every doctor's screen follows its day and the phones follow tokens booked then,
spread over the processes, while bookings arrive on an open-loop schedule at the peak
rate and at multiples of it, sent to the processes in turn. Alongside, at half that rate,
a followed token is checked in (or, once all are, cancelled): the change a phone shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psutil

from opd_graphql.bench import api
from opd_graphql.bench.arrivals import Arrival, MorningPeak, morning_peak
from opd_graphql.bench.hospital_report import ApiProcessFigures, HospitalLevel, HospitalReport
from opd_graphql.bench.measure import drive
from opd_graphql.bench.open_loop import play
from opd_graphql.bench.plan import HospitalPlan
from opd_graphql.bench.runner import DAYS_AHEAD, HTTP_SECONDS
from opd_graphql.bench.server import ApiServer, Database, drop_databases
from opd_graphql.bench.subscribers import Subscribers
from opd_graphql.bench.workload import FIRST_NAMES, LAST_NAMES, Booking, DoctorDay

Say = Callable[[str], None]
PREFILL_CLIENTS = 8
PREFILL_SECONDS = 900.0
# After the last subscriber's first message, so that what sending it took is in the RSS.
SETTLE_SECONDS = 1.0
CHANGES = (("checkIn", "CHECKED_IN"), ("cancelToken", "CANCELLED"))


def run_hospital(plan: HospitalPlan, say: Say) -> HospitalReport:
    started = time.perf_counter()
    window = timedelta(minutes=plan.peak_window_minutes)
    peak = morning_peak(plan.doctors, plan.slots_per_doctor, plan.capacity, window)
    say(
        f"the simulator's day for {plan.doctors} doctors: {peak.patients} patients, "
        f"{len(peak.arrivals)} bookings in its busiest {plan.peak_window_minutes} minutes "
        f"({peak.per_second:.2f}/s)"
    )
    db_name = f"bench_{uuid.uuid4().hex[:10]}"
    with (
        tempfile.TemporaryDirectory(prefix="opd-bench-") as workdir,
        Database(Path(workdir)) as database,
        contextlib.ExitStack() as stack,
    ):
        if database.configured:
            stack.callback(drop_databases, database.uri, db_name)
        say(f"database: {database.label}; starting {plan.processes} API processes")
        servers = [
            stack.enter_context(ApiServer(database.uri, db_name, Path(workdir) / f"api-{n}.log"))
            for n in range(1, plan.processes + 1)
        ]
        hospital = Hospital(plan, say, servers, database)
        try:
            return asyncio.run(hospital.measure(peak, started))
        except Exception:
            for number, server in enumerate(servers, start=1):
                say(f"API process {number}'s log ends with:\n{server.log_tail()}")
            raise


class Hospital:
    def __init__(
        self, plan: HospitalPlan, say: Say, servers: list[ApiServer], database: Database
    ) -> None:
        self.plan = plan
        self.say = say
        self.servers = servers
        self.database = database
        self.http: list[httpx.AsyncClient] = []
        self.days: list[DoctorDay] = []
        self.subscribers = Subscribers([server.url for server in servers])
        self.changes: Iterator[tuple[str, str, str]] = iter(())
        self.booked = 0  # of the window's arrivals: the next level goes on from there

    async def measure(self, peak: MorningPeak, started: float) -> HospitalReport:
        plan = self.plan
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with contextlib.AsyncExitStack() as stack:
            self.http = [
                await stack.enter_async_context(
                    httpx.AsyncClient(base_url=server.url, timeout=HTTP_SECONDS, limits=limits)
                )
                for server in self.servers
            ]
            clock = time.perf_counter()
            prefilled, followed = await self._set_up(peak)
            setup_s = time.perf_counter() - clock
            self.say(
                f"subscribing {plan.doctors} screens and {plan.phones} phones "
                f"({plan.phones_per_connection} to a connection) on {plan.processes} processes"
            )
            clock = time.perf_counter()
            stack.push_async_callback(self.subscribers.close)
            self.subscribers.arrange(self.days, followed, plan.phones_per_connection)
            rss = [await self._settled_rss()]
            for phase in (0, 1):
                await self.subscribers.open(phase)
                rss.append(await self._settled_rss())
            subscribe_s = time.perf_counter() - clock - 3 * SETTLE_SECONDS
            self.say(
                f"  in {subscribe_s:.1f} s; memory before, following every day, and after: "
                + ", ".join(
                    " -> ".join(f"{phase[n] / 2**20:.1f}" for phase in rss) + " MiB"
                    for n in range(plan.processes)
                )
            )
            levels = [await self._level(peak, multiplier) for multiplier in plan.multipliers]
            failures = self.subscribers.failures()
        processes = []
        for number, server in enumerate(self.servers):
            screens, phones, connections = self.subscribers.on(number)
            processes.append(
                ApiProcessFigures(
                    name=f"api-{number + 1}",
                    screens=screens,
                    phones=phones,
                    connections=connections,
                    first_subscribers=sum(self.subscribers.on(number, 0)[:2]),
                    rss_before_bytes=rss[0][number],
                    rss_following_bytes=rss[1][number],
                    rss_after_bytes=rss[2][number],
                    peak_rss_bytes=server.peak_rss_bytes(),
                    cpu_s=server.cpu_seconds(),
                )
            )
        return HospitalReport(
            plan=plan,
            database=self.database.label,
            peak=peak,
            prefilled=prefilled,
            setup_s=setup_s,
            subscribe_s=subscribe_s,
            connections=sum(process.connections for process in processes),
            processes=processes,
            levels=levels,
            subscriber_failures=failures,
            elapsed_s=time.perf_counter() - started,
        )

    async def _set_up(self, peak: MorningPeak) -> tuple[int, list[str]]:
        """The doctors, their day and the tokens booked before the peak; the followed ones."""
        plan = self.plan
        self.say(
            f"setting up {plan.doctors} doctors, {plan.slots_per_doctor} slots of {plan.capacity}"
        )
        doctors = await api.create_doctors(self.http[0], plan.doctors)
        date = datetime.now(UTC).date() + timedelta(days=DAYS_AHEAD)
        self.days = [DoctorDay(doctor_id, code, date) for doctor_id, code in doctors]
        await api.open_days(
            self.http[0],
            self.days,
            slots=plan.slots_per_doctor,
            slot_minutes=plan.slot_minutes,
            capacity=plan.capacity,
        )
        earlier = peak.before(plan.prefill_per_doctor, at_least=-(-plan.phones // plan.doctors))
        bookings = [self._booking(arrival, f"prefill-{i}") for i, arrival in enumerate(earlier)]
        self.say(f"booking {len(bookings)} tokens, as the simulator had before its peak")
        ids: dict[int, str] = {}

        async def prefill(index: int) -> None:
            ids[index] = (await api.book(self.http[index % len(self.http)], bookings[index]))["id"]

        done = await drive(
            prefill, clients=PREFILL_CLIENTS, seconds=PREFILL_SECONDS, limit=len(bookings)
        )
        if done.errors or done.done < len(bookings):
            raise api.Failed(f"booking the earlier tokens failed: {done.error_samples}")
        self.say(f"  {done.per_second:.1f} bookings/s")
        # Each doctor's first tokens, booked longest ago, are the ones the phones follow.
        firsts: dict[int, list[str]] = {}
        for index, arrival in enumerate(earlier):
            firsts.setdefault(arrival.doctor, []).append(ids[index])
        followed = [firsts[j % plan.doctors][j // plan.doctors] for j in range(plan.phones)]
        self.changes = ((field, t, status) for field, status in CHANGES for t in followed)
        return len(bookings), followed

    async def _level(self, peak: MorningPeak, multiplier: int) -> HospitalLevel:
        plan = self.plan
        seconds = plan.seconds_per_level
        rate = max(peak.per_second, plan.min_bookings_per_level / seconds) * multiplier
        label = "peak" if multiplier == 1 else f"{multiplier}x peak"
        rng = random.Random(f"{plan.seed}/hospital/{multiplier}")
        count = round(rate * seconds)
        arrivals = [peak.arrivals[(self.booked + i) % len(peak.arrivals)] for i in range(count)]
        self.booked += count
        bookings = [
            (a.doctor, self._booking(a, f"{label}-{i}", rng)) for i, a in enumerate(arrivals)
        ]
        wanted = round(count * plan.phone_changes_per_booking)
        changes = [c for c in (next(self.changes, None) for _ in range(wanted)) if c]
        self.say(
            f"{label}: {rate:.2f} bookings/s and {len(changes) / seconds:.2f} token changes/s "
            f"for {seconds:.0f} s"
        )
        cpu = self._cpu()
        played = await play(self.http, self.subscribers, bookings, changes, seconds, rng)
        level = HospitalLevel(
            label=label,
            multiplier=multiplier,
            offered_per_s=rate,
            seconds=seconds,
            booking=played.booking,
            changes=played.changes,
            screens=played.screens,
            phones=played.phones,
            send_lag_ms=played.send_lag_ms,
            not_sent=played.not_sent,
            cpu_s={name: spent - cpu[name] for name, spent in self._cpu().items()},
        )
        self.say(
            f"  {level.booking.per_second:.2f}/s booked, p99 {level.booking.p99_ms:.0f} ms; "
            f"screens p99 {level.screens.p99_ms:.0f} ms, phones p99 {level.phones.p99_ms:.0f} ms; "
            f"{level.booking.errors + level.changes.errors} errors, "
            f"{level.screens.missed + level.phones.missed} missed, "
            f"{sum(level.not_sent)} not sent (saturated)"
        )
        for sample in (level.booking.error_samples + level.changes.error_samples)[:3]:
            self.say(f"  error: {sample}")
        return level

    def _booking(self, arrival: Arrival, key: str, rng: random.Random | None = None) -> Booking:
        rng = rng or random.Random(key)
        return Booking(
            day=self.days[arrival.doctor],
            source=arrival.source,
            patient=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            phone=f"+91 9{rng.randrange(10**8, 10**9)}",
            key=key,
            places=arrival.places,
        )

    async def _settled_rss(self) -> list[int]:
        """Each API process's RSS, once what it last sent has left it."""
        await asyncio.sleep(SETTLE_SECONDS)
        return [_rss(server.pid) for server in self.servers]

    def _cpu(self) -> dict[str, float]:
        spent = {f"api-{n}": s.cpu_seconds() for n, s in enumerate(self.servers, start=1)}
        embedded = self.database.embedded
        if embedded is not None and embedded.process is not None:
            times = psutil.Process(embedded.process.pid).cpu_times()
            spent["database"] = times.user + times.system
        spent["bench client"] = time.process_time()
        return spent


def _rss(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)


def run_command(tiny: bool, json_path: Path | None) -> int:
    """`opd-graphql bench --hospital`: the table on stdout, progress on stderr."""
    from opd_graphql.bench import table

    plan = HospitalPlan.tiny() if tiny else HospitalPlan.full()
    started = time.perf_counter()

    def say(line: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {line}", file=sys.stderr, flush=True)

    try:
        report = run_hospital(plan, say)
    except (api.Failed, RuntimeError) as error:
        print(f"opd-graphql bench: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(table.render_hospital(report))
    if json_path:
        try:
            table.write_hospital_json(report, json_path)
        except OSError as error:
            print(f"opd-graphql bench: cannot write {json_path}: {error.strerror}", file=sys.stderr)
            return 2
        print(f"Wrote every figure to {json_path}")
    return 1 if report.problems() else 0
