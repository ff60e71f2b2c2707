"""The embedded database: a SecantusDB server run as a child process of this one."""

from __future__ import annotations

import contextlib
import ctypes
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

_PR_SET_PDEATHSIG = 1


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

    def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        storage = self.data_dir / "db"
        self.port = self.requested_port or free_port()
        log = self.log_path.open("wb")
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
        return self.uri

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
                raise RuntimeError(
                    f"the embedded database exited at start; see {self.log_path}:\n"
                    + self.log_path.read_text(errors="replace")[-2000:]
                )
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the embedded database did not start; see {self.log_path}")

    def stop(self, timeout: float = 15.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
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
