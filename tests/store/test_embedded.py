from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

from pymongo import MongoClient

from opd_graphql.store.embedded import EmbeddedDatabase, terminate
from tests.store.processes import thread_states


def test_data_survives_a_restart_and_stop_leaves_no_process(tmp_path):
    with EmbeddedDatabase(tmp_path) as first:
        MongoClient(first.uri).opd.doctors.insert_one({"code": "CAR1"})
        process = first.process
    assert process is not None and process.poll() is not None

    with EmbeddedDatabase(tmp_path) as second:
        assert MongoClient(second.uri).opd.doctors.find_one({"code": "CAR1"}) is not None


def test_the_database_dies_with_a_server_killed_outright(tmp_path):
    script = textwrap.dedent(f"""
        from opd_graphql.store.embedded import EmbeddedDatabase
        db = EmbeddedDatabase({str(tmp_path)!r})
        db.start()
        print(db.process.pid, flush=True)
        import time; time.sleep(60)
    """)
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    database_pid = int(server.stdout.readline())

    server.send_signal(signal.SIGKILL)
    server.wait()

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(database_pid):
        time.sleep(0.1)
    assert not _alive(database_pid)


def _alive(pid: int) -> bool:
    # A zombie has exited but not been reaped yet: it holds nothing.
    try:
        states = thread_states(pid)
    except FileNotFoundError:  # reaped
        return False
    return bool(states) and "Z" not in states


def test_the_stop_signal_is_sent_to_the_main_thread_where_the_server_waits_for_it():
    # SIGTERM held back in the child, so it stays pending where it was sent: to one
    # thread (SigPnd) or to the whole process, for any thread to take (ShdPnd).
    script = "import signal, sys, time\n" + (
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"

        terminate(child)

        with open(f"/proc/{child.pid}/task/{child.pid}/status") as status:
            pending = dict(line.split(":\t") for line in status.read().splitlines())
        sigterm = 1 << (signal.SIGTERM - 1)
        assert int(pending["SigPnd"], 16) & sigterm
        assert not int(pending["ShdPnd"], 16) & sigterm
    finally:
        child.kill()
        child.wait()
