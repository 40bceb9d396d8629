"""The run stage: execute submissions' probes in sandboxed worker processes.

`Runner` starts a zygote (`grader.sandbox.zygote`) that has imported TensorFlow once,
and asks it to fork one confined worker per submission (see grader.sandbox.confine).
This process never forks workers itself: it holds the reference solution's
observations, which must never be in a worker's memory.

Workers stream framed plain data (grader.sandbox.wire, never pickle) on a pipe; this
side decodes it, enforces the time and memory limits, kills a worker's whole
slot (its process group and everything its uid owns) when one is exceeded,
and runs the probes that remain in a fresh worker, so one infinite loop in one
exercise does not zero the others.
"""

from __future__ import annotations

import itertools
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from grader.sandbox import wire
from grader.sandbox.wire import FRAME_HEADER
from grader.errors import SandboxError
from grader.model import ErrorInfo, FileLoad, Observation, Probe, RunOutcome
from grader.sandbox.confine import UID_BASE, SandboxConfig, kill_uid, processes

MAX_MESSAGE = 32 * 1024 * 1024
MAX_CHANNEL = 256 * 1024 * 1024  # bytes one worker may send in all; more is a flood, not results
POLL_INTERVAL = 0.1      # seconds between memory polls of running workers
K = TypeVar("K")


@dataclass(frozen=True)
class Limits:
    check_timeout: float | None = None   # overrides each probe's own timeout when set
    student_timeout: float = 600.0       # everything one submission may take
    load_timeout: float = 30.0           # executing one submitted file
    memory_mb: int = 2048                # memory actually used (RSS beyond the zygote's)
    output_cap: int = 64 * 1024          # bytes of fd-level output kept per submission
    file_mb: int = 64                    # largest file a worker may write
    tmp_mb: int = 256                    # size of the worker's private /tmp
    nproc: int = 0                       # processes+threads per slot; 0 = sized to the machine
    cpu_seconds: int = 0                 # RLIMIT_CPU backstop; 0 = derived from student_timeout
    max_processes: int = 32              # live processes per slot before it counts as a fork bomb


def _error(raw: Any) -> ErrorInfo | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        return ErrorInfo("WorkerError", "malformed error report")

    def s(key: str) -> str:
        v = raw.get(key, "")
        return v if isinstance(v, str) else ""

    missing = raw.get("missing")
    return ErrorInfo(type=s("type")[:200] or "Error", message=s("message")[:4000],
                     traceback=s("traceback")[:8000],
                     missing=missing if isinstance(missing, str) else None)


def _text(raw: Any) -> str:
    return raw if isinstance(raw, str) else ""


def _number(raw: Any) -> float:
    return float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else 0.0


def where(phase: str | None) -> str:
    """How a phase is named in messages: a probe id, or `loading <file>`."""
    if phase is None:
        return "the worker"
    if phase.startswith("load:"):
        return f"loading {phase[5:]}"
    return phase


class Collector:
    """Assembles worker messages into a `RunOutcome`, trusting nothing in them."""

    def __init__(self, probes: Sequence[Probe], memory_mb: int | None = None,
                 files: Iterable[str] | None = None) -> None:
        self.wanted = {p.id for p in probes}
        # Load reports are kept only for files really submitted, once each, so a
        # worker forging endless "load" frames cannot grow this process's memory.
        self.files = set(files) if files is not None else None
        self.memory_mb = memory_mb
        self.observations: dict[str, Observation] = {}
        self.loads: list[FileLoad] = []
        self.current: str | None = None
        self.done = False
        self.problems: list[str] = []

    def _memory(self, err: ErrorInfo | None, phase: str) -> ErrorInfo | None:
        """A MemoryError in student code reads like the sandbox's own memory kill."""
        if err is not None and err.type == "MemoryError" and self.memory_mb:
            return ErrorInfo("MemoryError", f"exceeded the {self.memory_mb} MiB memory limit in {where(phase)}",
                             err.traceback, killed="memory")
        return err

    def feed(self, message: Any) -> None:
        if not isinstance(message, dict):
            return
        kind = message.get("kind")
        pid = message.get("probe")
        if kind == "start" and isinstance(pid, str):
            self.current = pid
        elif kind == "load" and isinstance(message.get("name"), str):
            name = message["name"]
            known = self.files is None or name in self.files
            if known and all(load.name != name for load in self.loads):  # a rerun loads files again
                self.loads.append(FileLoad(name, self._memory(_error(message.get("error")), f"load:{name}"),
                                           _text(message.get("output"))[-20000:]))
        elif kind == "observation" and pid in self.wanted and pid not in self.observations:
            self.observations[pid] = Observation(
                probe_id=pid, value=message.get("value"),
                error=self._memory(_error(message.get("error")), pid),
                output=_text(message.get("output"))[-20000:], duration=_number(message.get("duration")))
        elif kind == "done":
            self.done = True
            self.current = None

    def stopped(self, reason: str, message: str) -> str | None:
        """The worker was stopped: the phase it was in gets the blame.

        Returns the file name when it was stopped while loading that file, so
        a rerun can skip it.
        """
        phase = self.current
        self.current = None
        self.problems.append(message)
        if phase is None:
            return None
        if phase.startswith("load:"):
            name = phase[5:]
            if all(load.name != name for load in self.loads):
                self.loads.append(FileLoad(name, ErrorInfo(reason, message, killed=reason)))
            return name
        if phase in self.wanted and phase not in self.observations:
            self.observations[phase] = Observation(phase, error=ErrorInfo(reason, message, killed=reason))
        return None


def read_frames(buffer: bytearray) -> list[Any]:
    """Pop every complete frame off `buffer`; malformed frames raise WireError."""
    out = []
    while len(buffer) >= FRAME_HEADER.size:
        (size,) = FRAME_HEADER.unpack_from(buffer)
        if size > MAX_MESSAGE:
            raise wire.WireError("message too large")
        if len(buffer) < FRAME_HEADER.size + size:
            break
        body = bytes(buffer[FRAME_HEADER.size:FRAME_HEADER.size + size])
        del buffer[:FRAME_HEADER.size + size]
        out.append(wire.decode(body))
    return out


def read_output(fd: int, cap: int) -> str:
    """The start of a worker's fd-level output, with a note when it was cut."""
    size = os.fstat(fd).st_size
    data = os.pread(fd, cap, 0)
    text = data.decode("utf-8", errors="replace")
    if size > cap:
        text += f"\n[... {size - cap} more bytes of output were cut]"
    return text


def describe_status(status: int) -> tuple[str, str]:
    """(killed kind, phrase) for a worker that ended without reporting `done`."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return "timeout", "used up its CPU time"
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        what = {signal.SIGSEGV: "segmentation fault", signal.SIGABRT: "abort", signal.SIGBUS: "bus error",
                signal.SIGFPE: "arithmetic fault", signal.SIGKILL: "killed"}.get(signal.Signals(sig), "signal")
        return "crash", f"crashed ({what}, {name})"
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    if code == 70:
        return "crash", "could not be started by the sandbox"
    if code == 71:
        return "crash", "stopped on an exception it could not report (KeyboardInterrupt?)"
    return "crash", f"exited early with status {code} (sys.exit or os._exit?)"


@dataclass
class _Student:
    key: Any
    files: dict[str, str]
    probes: list[Probe]
    collector: Collector
    started: float
    attempts: int = 0
    skip: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)


@dataclass
class _Attempt:
    student: _Student
    slot: int
    token: int
    channel: int
    out_fd: int
    started: float
    pid: int | None = None
    buffer: bytearray = field(default_factory=bytearray)
    phase: str | None = None
    phase_started: float = 0.0
    eof: bool = False
    eof_at: float = 0.0
    status: int | None = None
    observed_before: int = 0
    received: int = 0


_warned = False


def default_hidden() -> list[Path]:
    """What no worker may see: hidden checks, the repository (solutions, tests,
    .git, example students) and the course folder found from here."""
    from grader.paths import PACKAGE_DIR, Paths

    paths = Paths.discover()
    hidden = [paths.hidden_checks]
    if (PACKAGE_DIR.parent / "pyproject.toml").is_file():
        hidden.append(PACKAGE_DIR.parent)  # a development checkout holds solutions and tests
    if paths.exercises.is_dir():
        # The whole course folder is covered; its parts are listed too so that
        # they stay hidden even where a parent folder is re-exposed for imports.
        hidden += [paths.solutions, paths.root / "tests", paths.root / ".git", paths.examples.parent,
                   paths.reports, paths.root]
    return hidden


class Runner:
    """Runs probes in sandboxed workers forked from one zygote.

    `jobs` workers run at once (default: one per core), each as its own
    unprivileged uid when we are root. `hidden_paths` adds folders workers must
    not see (the batch output folder, the submissions being graded).
    """

    def __init__(self, limits: Limits | None = None, jobs: int | None = None, *,
                 hidden_paths: Iterable[str | Path] = (), drop_root: bool = True,
                 namespaces: bool = True) -> None:
        self.limits = limits or Limits()
        # Slots are uid blocks of 128 (see _claim_uids).
        self.jobs = min(128, max(1, jobs or os.cpu_count() or 1))
        # Covering "/" would hide the whole system; everything else may be hidden.
        self.hidden = [h for h in dict.fromkeys(str(Path(p).resolve()) for p in [*default_hidden(), *hidden_paths])
                       if h != "/"]
        self.as_root = os.getuid() == 0 and drop_root
        self.namespaces = namespaces
        self.uid_base = UID_BASE
        self._uid_lock: int | None = None
        self.zygote: subprocess.Popen[bytes] | None = None
        self.control: socket.socket | None = None
        self.warnings: list[str] = []
        self.baseline_kb = 0
        self.data_kb = 0
        self.preload_s = 0.0
        self.peak_kb = 0
        self.peak_threads = 0
        self._tokens = itertools.count(1)
        self._exits: dict[int, int] = {}

    # -- lifecycle ---------------------------------------------------------
    def config(self, slot: int) -> SandboxConfig:
        lim = self.limits
        cores = os.cpu_count() or 1
        return SandboxConfig(
            uid=self.uid_base + slot if self.as_root else None,
            memory_mb=lim.memory_mb,
            # A backstop on allocations; RSS polling is the real limit.
            data_mb=self.data_kb // 1024 + lim.memory_mb + 512,
            nproc=lim.nproc or 128 + 8 * cores,
            cpu_seconds=lim.cpu_seconds or int(lim.student_timeout * min(cores, 8)) + 10,
            file_mb=lim.file_mb, tmp_mb=lim.tmp_mb, hidden=tuple(self.hidden),
            namespaces=self.namespaces)

    def _claim_uids(self) -> None:
        """Lock a block of 128 uids for this runner's slots, so concurrent graders
        (or test runs) on one machine never kill each other's workers."""
        import fcntl
        import tempfile

        folder = Path(tempfile.gettempdir()) / "grader-uid-blocks"
        folder.mkdir(mode=0o700, exist_ok=True)
        for block in range(400):
            fd = os.open(folder / f"{block}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            self._uid_lock, self.uid_base = fd, UID_BASE + block * 128
            return
        raise SandboxError("no free block of sandbox uids (400 graders running?)")

    def __enter__(self) -> "Runner":
        global _warned
        if self.as_root:
            self._claim_uids()
            for slot in range(self.jobs):
                self._sweep(slot)  # leftovers of a grader that was killed
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # Workers inherit the zygote's environment: pass on nothing secret.
        env = {k: v for k, v in os.environ.items()
               if k in ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "TF_CPP_MIN_LOG_LEVEL", "HOME",
                        "XDG_CACHE_HOME", "GRADER_CACHE", "GRADER_ROOT")}
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        # One worker per core already fills the machine: TF's own thread pools
        # per session would only fight each other for the same cores.
        threads = str(max(1, (os.cpu_count() or 1) // self.jobs))
        env.setdefault("TF_NUM_INTRAOP_THREADS", threads)
        env.setdefault("TF_NUM_INTEROP_THREADS", threads)
        probe = self.config(0).to_dict()
        self.zygote = subprocess.Popen(
            [sys.executable, "-P", "-m", "grader.sandbox.zygote", str(theirs.fileno()), json.dumps(probe)],
            pass_fds=[theirs.fileno()], cwd="/", env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        self.control = ours
        ready, _, _ = select.select([ours], [], [], 180)
        raw = ours.recv(1 << 16) if ready else b""
        try:
            hello = json.loads(raw) if raw else {}
        except ValueError:
            hello = {}
        if hello.get("op") != "ready":
            self.__exit__(None, None, None)
            raise SandboxError("the sandbox's zygote process did not start")
        self.baseline_kb = int(hello.get("anon_kb", 0))
        self.data_kb = int(hello.get("data_kb", 0))
        self.preload_s = float(hello.get("preload_s", 0.0))
        self.warnings = [str(w) for w in hello.get("warnings", [])]
        if not self.as_root:
            self.warnings.append("not running as root: workers keep your user id")
        if self.warnings and not _warned:
            _warned = True
            warnings.warn("student code runs with reduced isolation: " + "; ".join(self.warnings),
                          RuntimeWarning, stacklevel=2)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.zygote is not None:
            try:
                self.zygote.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.zygote.kill()
                self.zygote.wait()
            self.zygote = None
        if self.as_root:
            for slot in range(self.jobs):
                self._sweep(slot)
        if self._uid_lock is not None:
            os.close(self._uid_lock)
            self._uid_lock = None

    # -- running -----------------------------------------------------------
    def run(self, files: dict[str, str], probes: Sequence[Probe]) -> RunOutcome:
        for _, outcome in self.run_many([(None, files, probes)]):
            return outcome
        raise SandboxError("no outcome")

    def run_many(self, items: Iterable[tuple[K, dict[str, str], Sequence[Probe]]]) -> Iterator[tuple[K, RunOutcome]]:
        """Run submissions `jobs` at a time; yield (key, outcome) as each finishes."""
        if self.control is None:
            raise SandboxError("use the Runner as a context manager (with Runner() as r: ...)")
        active: dict[int, _Attempt] = {}          # slot -> attempt
        by_token: dict[int, _Attempt] = {}
        try:
            yield from self._schedule(iter(items), active, by_token)
        finally:
            for a in active.values():  # the caller stopped early: leave no worker behind
                self._stop(a)

    def _schedule(self, pending: Iterator[tuple[K, dict[str, str], Sequence[Probe]]],
                  active: dict[int, _Attempt], by_token: dict[int, _Attempt]) -> Iterator[tuple[K, RunOutcome]]:
        assert self.control is not None
        free = [s for s in range(self.jobs) if s not in active]
        exhausted = False
        last_poll = 0.0
        while active or not exhausted:
            while free and not exhausted:
                try:
                    key, files, probes = next(pending)
                except StopIteration:
                    exhausted = True
                    break
                st = _Student(key, dict(files), list(probes),
                              Collector(probes, self.limits.memory_mb, files), time.monotonic())
                attempt = self._start(st, free.pop(0))
                active[attempt.slot] = by_token[attempt.token] = attempt
            if not active:
                break
            now = time.monotonic()
            wait = min([POLL_INTERVAL] + [max(0.0, self._deadline(a)[0] - now) for a in active.values()])
            fds = [a.channel for a in active.values() if not a.eof]
            ready, _, _ = select.select(fds + [self.control], [], [], wait)
            if self.control in ready:
                self._control_messages(by_token)
            now = time.monotonic()
            finished: list[tuple[_Attempt, str | None, str]] = []  # (attempt, killed kind, message)
            for a in list(active.values()):
                if a.channel in ready:
                    self._read(a)
                if a.pid is not None and a.status is None and a.pid in self._exits:
                    a.status = self._exits.pop(a.pid)
                if a.student.collector.done:
                    finished.append((a, None, ""))
                elif a.eof and (a.status is not None or now - a.eof_at > 2.0):
                    kind, phrase = describe_status(a.status if a.status is not None else 0)
                    if a.status is None:
                        kind, phrase = "crash", "stopped unexpectedly"
                    finished.append((a, kind, f"the worker {phrase} in {where(a.student.collector.current)}"))
                else:
                    deadline, limit, scope = self._deadline(a)
                    if now >= deadline:
                        finished.append((a, "timeout", f"timed out after {limit:g} s in {scope}"))
            if now - last_poll >= POLL_INTERVAL and self.as_root:
                last_poll = now
                busy = {a.slot for a, _, _ in finished}
                usage, counts = self._memory({self.uid_base + s: s for s in active if s not in busy})
                for slot, kb in usage.items():
                    a = active[slot]
                    if kb > self.limits.memory_mb * 1024:
                        finished.append((a, "memory", f"exceeded the {self.limits.memory_mb} MiB memory limit "
                                                      f"in {where(a.student.collector.current)}"))
                    elif counts[slot] > self.limits.max_processes:
                        finished.append((a, "crash", f"started more than {self.limits.max_processes} processes "
                                                     f"in {where(a.student.collector.current)}"))
            for a, stop_kind, message in finished:
                self._stop(a)
                del active[a.slot]
                by_token.pop(a.token, None)
                st = a.student
                if stop_kind is not None:
                    skipped = st.collector.stopped(stop_kind, message)
                    if skipped:
                        st.skip.append(skipped)
                again = self._remaining(a)
                if again:
                    retry = self._start(st, a.slot, again)
                    active[retry.slot] = by_token[retry.token] = retry
                    continue
                free.append(a.slot)
                yield st.key, self._outcome(st)

    # -- helpers -----------------------------------------------------------
    def _start(self, st: _Student, slot: int, probes: Sequence[Probe] | None = None) -> _Attempt:
        assert self.control is not None
        st.attempts += 1
        todo = list(probes if probes is not None else st.probes)
        job = {"files": st.files, "skip_files": list(st.skip),
               "probes": [{"id": p.id, "driver": p.driver, "args": p.args, "exercise": p.exercise} for p in todo]}
        job_fd = os.memfd_create("grader-job")
        data = wire.encode(job)
        view = memoryview(data)
        while view:
            view = view[os.write(job_fd, view):]
        os.lseek(job_fd, 0, os.SEEK_SET)
        out_fd = os.memfd_create("grader-output")
        read_fd, write_fd = os.pipe()
        token = next(self._tokens)
        message = {"op": "spawn", "token": token, "config": self.config(slot).to_dict()}
        try:
            socket.send_fds(self.control, [json.dumps(message).encode()], [job_fd, write_fd, out_fd])
        except OSError as exc:
            raise SandboxError(f"the sandbox's zygote is gone ({exc})") from exc
        finally:
            os.close(job_fd)
            os.close(write_fd)
        now = time.monotonic()
        return _Attempt(st, slot, token, read_fd, out_fd, now, phase_started=now,
                        observed_before=len(st.collector.observations) + len(st.collector.loads))

    def _control_messages(self, by_token: dict[int, _Attempt]) -> None:
        assert self.control is not None
        while True:
            try:
                raw = self.control.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            if not raw:
                raise SandboxError("the sandbox's zygote process died")
            msg = json.loads(raw)
            if msg.get("op") == "spawned" and msg.get("token") in by_token:
                by_token[msg["token"]].pid = int(msg["pid"])
            elif msg.get("op") == "exited":
                self._exits[int(msg["pid"])] = int(msg["status"])
                if len(self._exits) > 10000:  # grandchildren nobody waits for
                    self._exits.clear()

    def _read(self, a: _Attempt) -> None:
        try:
            chunk = os.read(a.channel, 1 << 16)
        except OSError:
            chunk = b""
        if not chunk:
            a.eof, a.eof_at = True, time.monotonic()
            return
        a.buffer += chunk
        a.received += len(chunk)
        collector = a.student.collector
        try:
            if a.received > MAX_CHANNEL:
                raise wire.WireError(f"more than {MAX_CHANNEL >> 20} MiB of results")
            for message in read_frames(a.buffer):
                collector.feed(message)
        except wire.WireError as exc:
            collector.problems.append(f"the worker sent malformed data ({exc})")
            a.eof, a.eof_at, a.status = True, time.monotonic(), 0
            a.buffer.clear()
        if collector.current != a.phase:
            a.phase, a.phase_started = collector.current, time.monotonic()

    def _deadline(self, a: _Attempt) -> tuple[float, float, str]:
        """(when, limit in seconds, what to blame) for the tightest running limit."""
        st, lim = a.student, self.limits
        phase = st.collector.current
        if phase is not None and not phase.startswith("load:"):
            probe = next((p for p in st.probes if p.id == phase), None)
            limit = lim.check_timeout or (probe.timeout if probe else lim.load_timeout)
        else:
            limit = lim.load_timeout
        deadline, scope = a.phase_started + limit, where(phase)
        total = st.started + lim.student_timeout
        if total < deadline:
            deadline, limit, scope = total, lim.student_timeout, f"{scope} (the whole submission's time limit)"
        return deadline, limit, scope

    def _memory(self, uids: dict[int, int]) -> tuple[dict[int, int], dict[int, int]]:
        """Per slot: KiB used (anonymous RSS beyond what every worker shares with
        the zygote) and live processes.

        Also records the peaks (memory, processes+threads) seen in one slot,
        which is how the default limits were sized.
        """
        usage = dict.fromkeys(uids.values(), 0)
        counts = dict.fromkeys(uids.values(), 0)
        if not uids:
            return usage, counts
        threads = dict.fromkeys(uids.values(), 0)
        for p in processes(set(uids)):
            if not p.zombie:
                slot = uids[p.uid]
                usage[slot] += max(0, p.anon_kb - self.baseline_kb)
                threads[slot] += p.threads
                counts[slot] += 1
        self.peak_kb = max([self.peak_kb, *usage.values()])
        self.peak_threads = max([self.peak_threads, *threads.values()])
        return usage, counts

    def _stop(self, a: _Attempt) -> None:
        """Kill whatever the attempt left running, collect its output, close its fds."""
        if a.pid is not None:
            try:
                os.killpg(a.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.as_root:
            self._sweep(a.slot)
        os.close(a.channel)
        text = read_output(a.out_fd, self.limits.output_cap)
        os.close(a.out_fd)
        if text.strip():
            a.student.output.append(text)

    def _sweep(self, slot: int) -> None:
        uid = self.uid_base + slot
        end = time.monotonic() + 5.0
        while True:
            alive = [p for p in processes({uid}) if not p.zombie]
            if not alive or time.monotonic() > end:
                return
            kill_uid(uid)
            time.sleep(0.002)

    def _remaining(self, a: _Attempt) -> list[Probe]:
        """Probes to rerun in a fresh worker after this attempt was stopped early."""
        st = a.student
        c = st.collector
        left = [p for p in st.probes if p.id not in c.observations]
        if c.done or not left:
            return []
        progressed = len(c.observations) + len(c.loads) > a.observed_before
        if not progressed or st.attempts > len(st.probes) + len(st.files) + 1:
            return []
        if time.monotonic() - st.started >= self.limits.student_timeout:
            for p in left:
                c.observations[p.id] = Observation(p.id, error=ErrorInfo(
                    "timeout", f"not run: the submission used up its {self.limits.student_timeout:g} s",
                    killed="timeout"))
            return []
        return left

    def _outcome(self, st: _Student) -> RunOutcome:
        c = st.collector
        output = "".join(st.output)
        if len(output) > self.limits.output_cap * 2:
            output = output[:self.limits.output_cap * 2] + "\n[... output cut]"
        return RunOutcome(dict(c.observations), tuple(c.loads), tuple(dict.fromkeys(c.problems)),
                          output=output, duration=time.monotonic() - st.started)
