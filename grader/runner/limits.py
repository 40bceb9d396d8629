"""What a submission may use, and how a worker that overstepped is described."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

from grader.runner.channel import where

POLL_INTERVAL = 0.1      # seconds between memory polls of running workers


@dataclass(frozen=True)
class Limits:
    check_timeout: float | None = None   # overrides each probe's own timeout when set
    student_timeout: float = 600.0       # everything one submission may take
    load_timeout: float = 30.0           # executing one submitted file
    memory_mb: int = 2048                # memory really used: private beyond the zygote's, plus shared
    output_cap: int = 64 * 1024          # bytes of fd-level output kept per submission
    file_mb: int = 64                    # largest file a worker may write
    tmp_mb: int = 256                    # size of the worker's private /tmp
    nproc: int = 0                       # processes+threads per slot; 0 = sized to the machine
    cpu_seconds: int = 0                 # RLIMIT_CPU backstop; 0 = derived from student_timeout
    max_processes: int = 32              # live processes per slot before it counts as a fork bomb


def deadline(limits: Limits, phase: str | None, phase_started: float, probe_timeout: float | None,
             submission_started: float) -> tuple[float, float, str]:
    """(when, limit in seconds, what to blame) for the tightest limit on a running phase.

    `probe_timeout` is the running probe's own timeout (None while loading a file).
    """
    if phase is not None and not phase.startswith("load:"):
        limit = limits.check_timeout or (probe_timeout if probe_timeout is not None else limits.load_timeout)
    else:
        limit = limits.load_timeout
    when, scope = phase_started + limit, where(phase)
    total = submission_started + limits.student_timeout
    if total < when:
        when, limit, scope = total, limits.student_timeout, f"{scope} (the whole submission's time limit)"
    return when, limit, scope


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
