"""What Linux says of a process's threads, for tests that stop or kill a database."""

from __future__ import annotations

import contextlib
from pathlib import Path


def thread_states(pid: int) -> list[str]:
    """One letter per thread of the process: R running, S sleeping, T stopped, Z zombie.

    Raises FileNotFoundError once the process is gone. A thread that ends while they are
    read is left out. The state follows the command name in parentheses, which may itself
    hold spaces.
    """
    states = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):
            states.append(task.joinpath("stat").read_text().rpartition(")")[2].split()[0])
    return states
