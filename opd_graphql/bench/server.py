"""The database and the API process under test, and what the API process costs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import psutil
from pymongo import MongoClient

from opd_graphql.store.embedded import EmbeddedDatabase, free_port

STARTUP_SECONDS = 60.0
STOP_SECONDS = 15.0
# Settings the bench decides for itself.
_OWN_SETTINGS = {
    "OPD_MONGODB_URI",
    "OPD_DB_NAME",
    "OPD_DATA_DIR",
    "OPD_API_KEYS",
    "OPD_ALLOW_OPEN_NETWORK",
}


class Database:
    """OPD_MONGODB_URI when it is set, else an embedded database with its data in `workdir`."""

    def __init__(self, workdir: Path) -> None:
        self.configured = os.environ.get("OPD_MONGODB_URI") or None
        self.embedded = None if self.configured else EmbeddedDatabase(workdir / "database")
        self.uri = self.configured or ""

    @property
    def label(self) -> str:
        return "OPD_MONGODB_URI" if self.configured else "embedded (SecantusDB)"

    def __enter__(self) -> Database:
        if self.embedded is not None:
            self.uri = self.embedded.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.embedded is not None:
            self.embedded.stop()


class ServeProcess:
    """`opd-graphql serve` as a child process on a loopback port; start and stop it at will."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        port: int | None = None,
        *,
        launcher: Sequence[str] = (),
        startup_seconds: float = STARTUP_SECONDS,
    ) -> None:
        """`launcher` is a command the server runs under, such as a profiler."""
        self.port = port or free_port()
        self.launcher = tuple(launcher)
        self.startup_seconds = startup_seconds
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        # Only the settings given: never a database address or keys from the shell.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("OPD_")}
        self.env = {**inherited, **env}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *self.launcher,
                    sys.executable,
                    "-m",
                    "opd_graphql.cli",
                    "serve",
                    "--port",
                    str(self.port),
                ],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def log_tail(self, characters: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:]

    def _wait_until_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the API server exited at start:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the API server did not become healthy:\n{self.log_tail()}")


class ApiServer(ServeProcess):
    """The API under test, in open mode on its own database, and what its process costs."""

    def __init__(
        self,
        mongodb_uri: str,
        db_name: str,
        log_path: Path,
        *,
        launcher: Sequence[str] = (),
        startup_seconds: float = STARTUP_SECONDS,
    ) -> None:
        # The caller's other settings (timezone, policy) change what the server does: kept.
        settings = {
            k: v for k, v in os.environ.items() if k.startswith("OPD_") and k not in _OWN_SETTINGS
        }
        super().__init__(
            {**settings, "OPD_MONGODB_URI": mongodb_uri, "OPD_DB_NAME": db_name},
            log_path,
            launcher=launcher,
            startup_seconds=startup_seconds,
        )
        self._peak_rss = 0

    def __enter__(self) -> ApiServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def cpu_seconds(self) -> float:
        """User plus system CPU time of the API process alone (not the database)."""
        times = psutil.Process(self.pid).cpu_times()
        return float(times.user + times.system)

    def sample_memory(self) -> None:
        self._peak_rss = max(self._peak_rss, int(psutil.Process(self.pid).memory_info().rss))

    def peak_rss_bytes(self) -> int:
        """The kernel's high-water mark on Linux; elsewhere the largest sample taken."""
        status = Path(f"/proc/{self.pid}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        self.sample_memory()
        return self._peak_rss


def drop_databases(uri: str, *names: str) -> None:
    """What a run made on a database it was given, dropped."""
    client: MongoClient[dict[str, Any]]
    with MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
        for name in names:
            client.drop_database(name)
