from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from pymongo import MongoClient

from opd_graphql.store.embedded import DataDirInUse, EmbeddedDatabase, running_uri, terminate
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
    # Left behind by the killed server, and not believed.
    assert (tmp_path / "address").exists()
    assert running_uri(tmp_path) is None


def test_a_running_database_records_its_address_until_it_stops(tmp_path):
    with EmbeddedDatabase(tmp_path) as database:
        recorded = json.loads(database.address_path.read_text())
        assert recorded == {"uri": database.uri, "pid": database.process.pid}
        assert running_uri(tmp_path) == database.uri
    assert not database.address_path.exists()
    assert running_uri(tmp_path) is None


def test_a_second_database_on_the_same_directory_is_refused_before_touching_its_log(tmp_path):
    with EmbeddedDatabase(tmp_path) as first:
        with first.log_path.open("a") as log:
            log.write("the first database's log\n")

        with pytest.raises(DataDirInUse):
            EmbeddedDatabase(tmp_path).start()

        assert "the first database's log" in first.log_path.read_text()
        assert running_uri(tmp_path) == first.uri


@pytest.mark.parametrize("stale", ["process", "address"])
def test_an_address_whose_process_is_gone_or_which_does_not_answer_is_not_believed(tmp_path, stale):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with EmbeddedDatabase(tmp_path) as database:
        recorded = {"uri": database.uri, "pid": os.getpid()}
        if stale == "process":
            recorded["pid"] = gone.pid
        else:
            recorded["uri"] = "mongodb://127.0.0.1:1/?directConnection=true"
        database.address_path.write_text(json.dumps(recorded))

        assert running_uri(tmp_path) is None


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
