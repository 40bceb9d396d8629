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

import grader
from grader.safetext import truncate, truncation_marker
from grader.sandbox import integrity, wire
from grader.sandbox.tfsupport import new_default_graph
from grader.sandbox.student import (  # noqa: F401 - re-exported for drivers' tests
    DriverContext, MissingFunction, StudentCode, StudentIssue, WrongType, clean_message)
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
            out += "\n" + truncation_marker(self.kept + self.dropped)
        return out


def student_traceback(exc: BaseException, files: list[str], code: StudentCode | None = None) -> str:
    """The traceback cut down to the student's own frames (in notebook cells when `code` knows them)."""
    if code is not None:
        return code.format_traceback(exc)
    tb = traceback.TracebackException.from_exception(exc)
    frames = [f for f in tb.stack if f.filename in files]
    lines = traceback.format_list(frames) if frames else []
    head = "Traceback (most recent call last):\n" if lines else ""
    return head + "".join(lines) + "".join(tb.format_exception_only())


# TensorFlow's words for a student function that reset the graph under tensors it was given.
_OTHER_GRAPH = ("must be from the same graph", "is not an element of this graph")


def error_info(exc: BaseException, files: list[str], code: StudentCode | None = None) -> dict[str, Any]:
    if isinstance(exc, StudentIssue):
        info: dict[str, Any] = {"type": exc.kind, "message": str(exc), "traceback": ""}
        if isinstance(exc, MissingFunction):
            info["missing"] = exc.name
        return info
    message = clean_message(str(exc))
    if isinstance(exc, SyntaxError):
        at = code.where(exc.filename or "", exc.lineno) if code is not None else f"{exc.filename}, line {exc.lineno}"
        message = f"{exc.msg} ({at})"
    elif any(marker in message for marker in _OTHER_GRAPH):
        message += ("\n(Tensors from two graphs were mixed: if your function calls tf.reset_default_graph(), "
                    "call it before creating anything it uses, not after receiving tensors.)")
    return {
        "type": type(exc).__name__,
        "message": message[:4000],
        "traceback": student_traceback(exc, files, code)[-8000:],
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


def read_frame(fd: int) -> Any:
    """One framed message from `fd` (its FRAME_HEADER, then the body), decoded; None at the end."""
    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = os.read(fd, n - len(data))
            if not chunk:
                return b""
            data += chunk
        return data

    head = exactly(FRAME_HEADER.size)
    body = exactly(FRAME_HEADER.unpack(head)[0]) if head else b""
    return wire.decode(body) if body else None


def next_probes(fd: int) -> list[dict[str, Any]] | None:
    """More probes for the files already loaded (`run_job`'s `more`): {"probes": [...]} read
    from `fd`, which the runner writes only once it has sealed what this worker reported so
    far; None when it closes `fd` instead, or when it cannot be read (student code may have
    closed or replaced it: then the worker just ends, and the runner starts a fresh one)."""
    try:
        job = read_frame(fd)
    except (OSError, wire.WireError):
        return None
    probes = job.get("probes") if isinstance(job, dict) else None
    return probes if isinstance(probes, list) else None


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


LOAD_OUTPUT_SHOWN = 4000  # characters of it repeated there (the load report keeps it all)


def _with_load_output(exercise: str | None, out: str, shown: set[str], printed_by: dict[str, tuple[str, str]]) -> str:
    """`out`, preceded the first time an exercise is probed by what its file printed while loading
    (top-level prints would otherwise reach no check)."""
    if exercise is None or exercise in shown or exercise not in printed_by:
        return out
    shown.add(exercise)
    name, printed = printed_by[exercise]
    if not printed.strip():
        return out
    printed = truncate(printed, LOAD_OUTPUT_SHOWN)
    during = f"[While this check ran, your code printed:]\n{out}" if out else ""
    return f"[While {name} was loading, it printed:]\n{printed.rstrip()}\n{during}"


def _load_error(exc: BaseException, names: list[str], code: StudentCode) -> dict[str, Any]:
    if isinstance(exc, SystemExit):
        return {"type": "SystemExit", "message": "the file called sys.exit() while loading", "traceback": ""}
    return error_info(exc, names, code)


def _last_student_line(exc: BaseException, file_name: str) -> int | None:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == file_name]
    return frames[-1].lineno if frames else None


def cell_phase(display: str, number: int) -> str:
    """The name a notebook cell's run goes by; the runner hands it back in `skip_files`
    when the cell ran past its time limit, and the rerun leaves that cell out."""
    return f"{display}, cell {number}"


def _load_notebook(code: StudentCode, name: str, channel: Channel, skip: set[str]) -> dict[str, Any]:
    """Run a converted notebook's planned cells in order, each its own phase with its own time limit.

    Like Jupyter's "Run All" with errors allowed: a failing cell does not stop the rest, and
    only the names it should have defined (and those needing them) are lost; the lookups say
    so (grader.sandbox.cellrun). Cells the graded names do not need are left out (run later
    only if a lookup needs them). The file's load report carries the first error, naming
    every cell that failed.
    """
    src = code.source(name)
    module = code.new_module(name)
    outputs: list[str] = []
    failed: list[tuple[str, dict[str, Any]]] = []  # ("cell 3, line 2", error)
    started = time.perf_counter()
    _reseed()
    for cell in src.cells:
        if not cell.planned:
            continue
        phase = cell_phase(src.display, cell.number)
        if phase in skip:
            outputs.append(f"[cell {cell.number} was not run this time: it ran past its time limit]\n")
            src.mark_ran(cell.number, "it ran past its time limit")
            continue
        channel.send({"kind": "start", "probe": f"load:{phase}"})
        _, exc, out = _captured(lambda: code.run_cell(module, cell))  # noqa: B023 - called at once
        outputs.append(out)
        if exc is None:
            src.mark_ran(cell.number)
            continue
        src.mark_ran(cell.number, code.cell_error(src, cell, exc))
        info = _load_error(exc, code.file_names(), code)
        at = exc.lineno if isinstance(exc, SyntaxError) else _last_student_line(exc, name)
        if at is not None and not isinstance(exc, SyntaxError):
            # The file name the judge prints is the converted x.py: say where in the notebook.
            info["message"] = f"{info['message']} ({code.where(name, at)})"
        where = code.where(name, at).partition(", ")[2] if at is not None else f"cell {cell.number}"
        failed.append((where, info))
    msg: dict[str, Any] = {"kind": "load", "name": name, "output": "".join(outputs)[:OUTPUT_CAP],
                           "duration": time.perf_counter() - started}
    if failed:
        first = dict(failed[0][1])
        if len(failed) > 1:
            others = ", ".join(f"{where} ({e['type']})" for where, e in failed[1:6])
            first["message"] = (f"{first['message']}\n(also failed: {others}; each cell ran even when one "
                                "before it had failed)")
        msg["error"] = first
    return msg


def run_job(job: dict[str, Any], channel: Channel, workdir: Path,
            more: Callable[[], list[dict[str, Any]] | None] | None = None) -> None:
    """Load the student's files, then run every probe, reporting as we go.

    `job` = {"files": {name: source}, "probes": [{"id", "driver", "args",
    "exercise"}], "skip_files": [names]}. Each batch of probes ends with a "done"
    message; then `more()` may hand over another batch for the files already loaded
    (the hidden probes, once the runner has sealed what the student sees: see
    grader.runner.groups.follow_on), until it returns None.
    """
    from grader.sandbox.drivers import DRIVERS  # imported before fork in the zygote

    from grader.sandbox import tf1shim

    tf1shim.install()  # student code's `import tensorflow` means TF 1 (this process only)
    grader._in_worker = True  # `grader.check(...)` in a graded notebook does nothing here
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

    skip = set(job.get("skip_files", ()))
    printed_by: dict[str, tuple[str, str]] = {}  # stem -> (file as submitted, what it printed loading)
    for name in names:
        # Each file starts from an empty default graph, as it would run alone: the lesson's
        # walkthrough scripts in one folder must not see each other's variables.
        new_default_graph()
        if code.source(name).cells:
            report = _load_notebook(code, name, channel, skip)
            printed_by[Path(name).stem] = (code.source(name).display, report["output"])
            send(report)
            continue
        module_name = code.module_for(name)
        send({"kind": "start", "probe": f"load:{name}"})
        _reseed()
        started = time.perf_counter()
        _, exc, out = _captured(lambda: __import__(module_name))
        msg: dict[str, Any] = {"kind": "load", "name": name, "output": out,
                               "duration": time.perf_counter() - started}
        printed_by[Path(name).stem] = (name, out)
        if exc is not None:
            msg["error"] = _load_error(exc, names, code)
            # Keep whatever the file defined before failing: drivers may still find it.
            sys.modules.pop(module_name, None)
        send(msg)

    shown: set[str] = set()
    batch: list[dict[str, Any]] | None = job["probes"]
    while batch is not None:
        for probe in batch:
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
            msg = {"kind": "observation", "probe": pid, "output": _with_load_output(probe.get("exercise"), out, shown, printed_by),
                   "duration": time.perf_counter() - started}
            if exc is None:
                msg["value"] = value
            elif isinstance(exc, SystemExit):
                msg["error"] = {"type": "SystemExit", "message": "your code called sys.exit()", "traceback": ""}
            else:
                msg["error"] = error_info(exc, names, code)
            send(msg)
        send({"kind": "done"})
        batch = more() if more is not None else None
