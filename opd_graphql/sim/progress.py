"""The simulator's progress on a terminal."""

from __future__ import annotations

import time
from typing import TextIO

BAR_WIDTH = 30


class ProgressBar:
    """A one-line bar on a terminal; silent when the stream is not one."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.shown = stream.isatty()
        self.started = time.perf_counter()

    def __call__(self, fraction: float) -> None:
        if not self.shown:
            return
        filled = round(fraction * BAR_WIDTH)
        elapsed = time.perf_counter() - self.started
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
            f"{fraction:4.0%} {elapsed:5.1f} s"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
