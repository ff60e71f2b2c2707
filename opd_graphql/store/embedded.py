"""The embedded database: a SecantusDB server run as a child process of this one."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
from pymongo import MongoClient
from pymongo.errors import PyMongoError

_PR_SET_PDEATHSIG = 1
# Where a running database's address is recorded, in its data directory.
ADDRESS_FILE = "address"


class DataDirUnusable(RuntimeError):
    """The data directory cannot be opened or written."""


class DataDirInUse(DataDirUnusable):
    """Another database process holds the data directory."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL("libc.so.6", use_errno=True)


def _die_with_parent() -> None:
    # Runs in the child before exec: if this server is killed outright, the kernel kills
    # the database too, so no orphaned database process holds the data directory's lock.
    # SIGKILL, not SIGTERM: a graceful shutdown was seen to hang once its parent was gone,
    # and the storage engine's journal recovers from a hard stop.
    with contextlib.suppress(OSError):
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def terminate(process: subprocess.Popen[Any]) -> None:
    """SIGTERM to the database's main thread, which waits there to be told to stop.

    CPython runs signal handlers only in the main thread, and a main thread blocked on a
    lock wakes only for a signal sent to it. Sent to the whole process, SIGTERM reaches
    whichever thread the kernel picks; now and then that is another of the server's
    threads, and the server never stops (until killed). Linux can aim it at one thread.
    """
    with contextlib.suppress(OSError, AttributeError):
        if _libc().tgkill(process.pid, process.pid, signal.SIGTERM) == 0:
            return
    process.terminate()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EmbeddedDatabase:
    """Starts SecantusDB on a free loopback port with its data in `data_dir`."""

    def __init__(
        self,
        data_dir: Path | str,
        *,
        port: int | None = None,
        startup_timeout: float = 60.0,
        test_commands: bool = False,
    ) -> None:
        """`test_commands`: let clients arm failures (configureFailPoint); for tests only."""
        self.data_dir = Path(data_dir)
        self.test_commands = test_commands
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.requested_port = port
        self.port: int | None = None

    @property
    def uri(self) -> str:
        if self.port is None:
            raise RuntimeError("the embedded database is not running")
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "secantus.log"

    @property
    def address_path(self) -> Path:
        return self.data_dir / ADDRESS_FILE

    def start(self) -> str:
        """Raises DataDirInUse when another database runs on the directory."""
        storage = self.data_dir / "db"
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # Checked first: opening the log truncates the log of a database already running.
            self._check_not_in_use()
            log = self.log_path.open("wb")
        except OSError as error:
            raise DataDirUnusable(
                f"cannot use {self.data_dir} ({error.strerror or error})"
            ) from None
        self.port = self.requested_port or free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "secantus",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--storage-path",
                str(storage),
                "--log-level",
                "WARNING",
                # A success is durable: its commit is on disk before it is answered.
                "--sync-on-commit",
                *(["--enable-test-commands"] if self.test_commands else []),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        log.close()
        self._wait_until_listening()
        try:
            self._record_address()
        except OSError as error:
            self.stop()
            raise DataDirUnusable(f"cannot write in {self.data_dir} ({error.strerror})") from None
        return self.uri

    def _record_address(self) -> None:
        assert self.process is not None
        partial = self.address_path.with_suffix(".partial")
        partial.write_text(json.dumps({"uri": self.uri, "pid": self.process.pid}) + "\n")
        partial.replace(self.address_path)

    def _check_not_in_use(self) -> None:
        if _locked(self.data_dir / "db" / "WiredTiger.lock"):
            raise DataDirInUse(f"{self.data_dir} is in use by another database process")

    def _forget_address(self, pid: int) -> None:
        if _recorded(self.data_dir) == (self.uri, pid):
            self.address_path.unlink(missing_ok=True)

    def _wait_until_listening(self) -> None:
        assert self.process is not None and self.port is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                pass
            if self.process.poll() is not None:
                self._check_not_in_use()  # another one started in the same instant
                raise RuntimeError(
                    f"the embedded database exited at start; see {self.log_path}:\n"
                    + self.log_path.read_text(errors="replace")[-2000:]
                )
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the embedded database did not start; see {self.log_path}")

    def stop(self, timeout: float = 15.0) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        self._forget_address(process.pid)
        if process.poll() is not None:
            return
        terminate(process)
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            # On SIGTERM the server closes its listening socket, which on Linux does not
            # wake the thread blocked accepting on it; it waits two seconds for that
            # thread unless a connection arrives to end the wait.
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port or 0), timeout=0.1).close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(0.05)
        if process.poll() is None:
            process.kill()
            process.wait()

    def __enter__(self) -> EmbeddedDatabase:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def running_uri(data_dir: Path | str, timeout: float = 1.0) -> str | None:
    """The address of the database running on `data_dir`, as it recorded it, if it answers.

    A server killed outright leaves its address file behind (its database dies with it),
    so the file alone proves nothing: its process must be alive and its address answer.
    """
    recorded = _recorded(Path(data_dir))
    if recorded is None or not _alive(recorded[1]):
        return None
    uri = recorded[0]
    client: MongoClient[dict[str, Any]]
    try:
        timeout_ms = int(timeout * 1000)
        with MongoClient(
            uri, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms
        ) as client:
            client.admin.command("hello")
    except (PyMongoError, ValueError):
        return None
    return uri


def _recorded(data_dir: Path) -> tuple[str, int] | None:
    try:
        recorded = json.loads((data_dir / ADDRESS_FILE).read_text())
        return str(recorded["uri"]), int(recorded["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _locked(lock: Path) -> bool:
    """Whether a process holds the storage engine's lock (fcntl, as the engine takes it)."""
    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        # Taken and dropped at once (closing drops it): only a database starting in that
        # very instant could be refused the directory.
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EAGAIN):
            return True
        raise
    finally:
        os.close(fd)
    return False
