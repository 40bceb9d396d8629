"""Progress of a batch on the terminal: a bar with ETA, plain lines under CI or a pipe, or nothing."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from grader.safetext import terminal_text


class Progress:
    """A bar with ETA on a terminal, plain lines otherwise (or under CI), nothing when quiet."""

    def __init__(self, total: int, mode: str = "auto", stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        if mode == "auto":
            ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
            mode = "bar" if self.stream.isatty() and not ci else "lines"
        self.mode = mode
        self.total = total
        self.done = 0
        self.started = time.monotonic()

    def _eta(self) -> str:
        if not self.done:
            return "--:--"
        left = (time.monotonic() - self.started) / self.done * (self.total - self.done)
        return f"{int(left // 60):02d}:{int(left % 60):02d}"

    def step(self, label: str) -> None:
        self.done += 1
        label = terminal_text(label)
        if self.mode == "quiet":
            return
        if self.mode == "bar":
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            line = (f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
                    f"  ETA {self._eta()}  {label[:40]:<40}")
            self.stream.write(line)
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {label}\n")
        self.stream.flush()
