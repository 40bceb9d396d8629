"""Code that runs inside a sandboxed worker process, next to student code.

Nothing here decides a score. The worker loads the student's files, runs each
probe's driver, and streams back what it saw as framed, plain-data messages.
Student code shares this process, so it can forge any of these messages; that
is harmless because the trusted side compares them with expected values that
never enter the worker.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import io
import os
import random
import struct
import sys
import time
import traceback
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader import wire

OUTPUT_CAP = 64 * 1024  # characters of captured output kept per phase
FRAME_HEADER = struct.Struct(">I")


class StudentIssue(Exception):
    """A problem with what the student wrote, reported as their error."""

    kind = "StudentIssue"


class MissingFunction(StudentIssue):
    kind = "MissingFunction"

    def __init__(self, name: str, what: str = "function") -> None:
        super().__init__(f"No {what} named `{name}` was found in your submission.")
        self.name = name


class WrongType(StudentIssue):
    """The student returned something of the wrong kind."""

    kind = "WrongType"


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


@dataclass
class _Source:
    name: str
    module_name: str
    code: str


class StudentCode(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """The student's files, importable by their stem (`import relu_model`).

    It sits last on `sys.meta_path`, so a student file can never shadow numpy,
    tensorflow or the grader itself; a clashing stem is loaded under a private
    name instead.
    """

    def __init__(self, files: dict[str, str]) -> None:
        self.sources: dict[str, _Source] = {}
        self.modules: dict[str, types.ModuleType] = {}
        for name in sorted(files):
            stem = Path(name).stem
            module_name = stem if stem.isidentifier() else f"_student_{len(self.sources)}"
            if module_name in sys.modules or module_name in self.sources:
                module_name = f"_student_{stem}_{len(self.sources)}"
            self.sources[module_name] = _Source(name, module_name, files[name])

    # -- import protocol -------------------------------------------------
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname in self.sources:
            return importlib.util.spec_from_loader(fullname, self, origin=self.sources[fullname].name)
        return None

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        src = self.sources[module.__name__]
        module.__file__ = src.name
        code = compile(src.code, src.name, "exec", dont_inherit=True)
        self.modules[module.__name__] = module
        exec(code, module.__dict__)

    # -- lookups for drivers ---------------------------------------------
    def file_names(self) -> list[str]:
        return [s.name for s in self.sources.values()]

    def module_for(self, file_name: str) -> str:
        for s in self.sources.values():
            if s.name == file_name:
                return s.module_name
        raise KeyError(file_name)

    def _namespaces(self, prefer: str | None) -> Iterator[types.ModuleType]:
        mods = list(self.modules.values())
        if prefer:
            mods.sort(key=lambda m: Path(self.sources[m.__name__].name).stem != prefer)
        yield from mods

    def lookup(self, name: str, prefer: str | None = None) -> Any:
        """A top-level name from whichever file defines it, preferring `prefer`.py."""
        for mod in self._namespaces(prefer):
            if name in mod.__dict__:
                return mod.__dict__[name]
        raise MissingFunction(name, "name")

    def function(self, name: str, prefer: str | None = None) -> Callable[..., Any]:
        for mod in self._namespaces(prefer):
            obj = mod.__dict__.get(name)
            if callable(obj):
                return obj
        raise MissingFunction(name)


class DriverContext:
    """What a driver may use: the student's code, a scratch folder, the data."""

    def __init__(self, code: StudentCode, workdir: Path, exercise: str | None) -> None:
        self.code = code
        self.workdir = workdir
        self.exercise = exercise

    def function(self, name: str) -> Callable[..., Any]:
        return self.code.function(name, prefer=self.exercise)

    def constant(self, name: str) -> Any:
        return self.code.lookup(name, prefer=self.exercise)


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
    from grader.drivers import DRIVERS  # imported before fork in the zygote

    from grader import tf1shim

    tf1shim.install()  # student code's `import tensorflow` means TF 1 (this process only)
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
        channel.send({"kind": "start", "probe": pid})
        driver = DRIVERS.get(probe["driver"])
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
        channel.send(msg)
    channel.send({"kind": "done"})
