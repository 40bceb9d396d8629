"""Code that runs inside a sandboxed worker process, next to student code.

Nothing here decides a score. The worker loads the student's files, runs each
probe's driver, and streams back what it saw as framed, plain-data messages.
Student code shares this process, so it can forge any of these messages; that
is harmless because the trusted side compares them with expected values that
never enter the worker.
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from grader.sandbox import integrity, wire
from grader.sandbox.student import (  # noqa: F401 - re-exported for drivers' tests
    DriverContext, MissingFunction, StudentCode, StudentIssue, WrongType)
from grader.sandbox.wire import FRAME_HEADER

OUTPUT_CAP = 64 * 1024  # characters of captured output kept per phase


class CappedText(io.TextIOBase):
    """A text sink that keeps the first `cap` characters and counts the rest."""

    def __init__(self, cap: int = OUTPUT_CAP) -> None:
        self.cap = cap
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            s = str(s)
        room = self.cap - self.kept
        if room > 0:
            self.parts.append(s[:room])
            self.kept += min(room, len(s))
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def text(self) -> str:
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n[... {self.dropped} more characters of output were cut]"
        return out


def student_traceback(exc: BaseException, files: list[str]) -> str:
    """The traceback cut down to the student's own frames."""
    tb = traceback.TracebackException.from_exception(exc)
    frames = [f for f in tb.stack if f.filename in files]
    lines = traceback.format_list(frames) if frames else []
    head = "Traceback (most recent call last):\n" if lines else ""
    return head + "".join(lines) + "".join(tb.format_exception_only())


def error_info(exc: BaseException, files: list[str]) -> dict[str, Any]:
    if isinstance(exc, StudentIssue):
        info: dict[str, Any] = {"type": exc.kind, "message": str(exc), "traceback": ""}
        if isinstance(exc, MissingFunction):
            info["missing"] = exc.name
        return info
    message = str(exc)
    if isinstance(exc, SyntaxError):
        message = f"{exc.msg} ({exc.filename}, line {exc.lineno})"
    return {
        "type": type(exc).__name__,
        "message": message[:4000],
        "traceback": student_traceback(exc, files)[-8000:],
    }


class Channel:
    """Framed messages on a file descriptor the sandbox handed us."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, message: dict[str, Any]) -> None:
        try:
            body = wire.encode(message)
        except wire.WireError as exc:
            # A driver produced data the wire refuses: report it, don't crash.
            body = wire.encode({**message, "value": None,
                                "error": {"type": "WrongType", "message": str(exc), "traceback": ""}})
        data = FRAME_HEADER.pack(len(body)) + body
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]


def _reseed() -> None:
    random.seed(0)
    np.random.seed(0)


def _captured(fn: Callable[[], Any]) -> tuple[Any, BaseException | None, str]:
    """Run `fn` with Python-level stdout/stderr captured."""
    sink = CappedText()
    old = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = sink
    try:
        return fn(), None, sink.text()
    except BaseException as exc:  # noqa: BLE001 - student code may raise anything
        if isinstance(exc, KeyboardInterrupt):
            raise
        return None, exc, sink.text()
    finally:
        sys.stdout, sys.stderr = old


def run_job(job: dict[str, Any], channel: Channel, workdir: Path) -> None:
    """Load the student's files, then run every probe, reporting as we go.

    `job` = {"files": {name: source}, "probes": [{"id", "driver", "args",
    "exercise"}], "skip_files": [names]}.
    """
    from grader.sandbox.drivers import DRIVERS  # imported before fork in the zygote

    from grader.sandbox import tf1shim

    tf1shim.install()  # student code's `import tensorflow` means TF 1 (this process only)
    # Bind the drivers and everything they use before any student code runs, and
    # take the guard's own functions into locals now (see grader.sandbox.integrity).
    guard = integrity.Guard(integrity.bind(DRIVERS, channel), channel.send)
    check, checked_send, trusted = integrity.Guard.check, integrity.Guard.send, integrity.TRUSTED
    table = guard.snapshot.drivers

    def verify() -> dict[str, str] | None:
        """None while the grader is intact, else the error to report instead of a value."""
        for fn, code in trusted:
            if fn.__code__ is not code:
                fn.__code__ = code
                guard.changed = guard.changed or [f"{fn.__module__}.{fn.__qualname__} (its code)"]
        return check(guard)

    def send(message: dict[str, Any]) -> None:
        verify()
        checked_send(guard, message)

    files: dict[str, str] = {n: s for n, s in job["files"].items() if n not in job.get("skip_files", ())}
    code = StudentCode(files)
    sys.meta_path.append(code)
    names = code.file_names()

    for name in names:
        module_name = code.module_for(name)
        channel.send({"kind": "start", "probe": f"load:{name}"})
        _reseed()
        started = time.perf_counter()
        _, exc, out = _captured(lambda: __import__(module_name))
        msg: dict[str, Any] = {"kind": "load", "name": name, "output": out,
                               "duration": time.perf_counter() - started}
        if exc is not None:
            if isinstance(exc, SystemExit):
                msg["error"] = {"type": "SystemExit", "message": "the file called sys.exit() while loading", "traceback": ""}
            else:
                msg["error"] = error_info(exc, names)
            # Keep whatever the file defined before failing: drivers may still find it.
            sys.modules.pop(module_name, None)
        channel.send(msg)

    for probe in job["probes"]:
        pid = probe["id"]
        send({"kind": "start", "probe": pid})
        tampered = verify()
        if tampered is not None:  # nothing this worker observes can be trusted now
            send({"kind": "observation", "probe": pid, "output": "", "duration": 0.0, "error": tampered})
            continue
        driver = table.get(probe["driver"])  # the table as bound, not as it is now
        ctx = DriverContext(code, workdir, probe.get("exercise"))
        _reseed()
        started = time.perf_counter()
        if driver is None:
            value, exc, out = None, RuntimeError(f"unknown driver {probe['driver']}"), ""
        else:
            value, exc, out = _captured(lambda: driver(ctx, **probe.get("args", {})))  # noqa: B023
        msg = {"kind": "observation", "probe": pid, "output": out,
               "duration": time.perf_counter() - started}
        if exc is None:
            msg["value"] = value
        elif isinstance(exc, SystemExit):
            msg["error"] = {"type": "SystemExit", "message": "your code called sys.exit()", "traceback": ""}
        else:
            msg["error"] = error_info(exc, names)
        send(msg)
    send({"kind": "done"})
