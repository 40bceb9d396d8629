"""Choosing the runner: the Linux sandbox where it starts, the portable runner elsewhere.

    with make_runner(limits, jobs, hidden_paths=...) as runner:
        runner.run(files, probes)          # or runner.run_many(items)

`GRADER_RUNNER=portable` forces the portable runner, `GRADER_RUNNER=sandbox` the
sandbox (no fallback: a sandbox that cannot start is an error). Unset or `auto`:
the sandbox on Linux, falling back to the portable runner with a one-line note
when it cannot start (a container without user namespaces, no memfd) for trusted
code only: for untrusted code that is a refusal, unless weak isolation is allowed;
the portable runner on macOS and Windows. Either way the level got is printed in
one line (grader.runner.isolation) and checked against the command's `need`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from grader.errors import IsolationRefused, SandboxError, UsageError
from grader.model import Probe, RunOutcome
from grader.runner import isolation
from grader.runner.portable import ENV_VAR, PortableRunner
from grader.runner.runner import Limits, Runner

K = TypeVar("K")
CHOICES = ("auto", "sandbox", "portable")


class AnyRunner(Protocol):
    def run(self, files: dict[str, str], probes: Sequence[Probe]) -> RunOutcome: ...

    def run_many(self, items: Iterable[tuple[K, dict[str, str], Sequence[Probe]]]) -> Iterator[tuple[K, RunOutcome]]: ...


def _note(text: str) -> None:
    print(f"grader: {text}", file=sys.stderr)


def chosen() -> str:
    value = os.environ.get(ENV_VAR, "auto").strip().lower() or "auto"
    if value not in CHOICES:
        raise UsageError(f"{ENV_VAR}={value!r}: choose one of {', '.join(CHOICES)}")
    return value


class _Selected:
    """Enters the sandbox runner, or the portable one when the sandbox cannot start and
    the command allows it; prints the isolation level it got and refuses one below `need`."""

    def __init__(self, limits: Limits | None, jobs: int | None, hidden_paths: Iterable[str | Path],
                 note: Callable[[str], None], need: isolation.Need) -> None:
        self.limits, self.jobs, self.hidden = limits, jobs, list(hidden_paths)
        self.note = note
        self.need = need
        self.inner: Any = None
        self.kind = ""
        self.level: isolation.Level | None = None

    def __enter__(self) -> Any:
        mode = chosen()
        if mode == "auto" and not sys.platform.startswith("linux"):
            self.note(f"using the portable runner on {sys.platform} (no Linux sandbox here)")
            mode = "portable"
        level: isolation.Level | None = None
        if mode in ("auto", "sandbox"):
            try:
                self.inner = Runner(self.limits, self.jobs, hidden_paths=self.hidden).__enter__()
                self.kind = "sandbox"
            except (SandboxError, OSError, AttributeError) as exc:
                if mode == "sandbox":
                    raise SandboxError(f"the sandbox cannot start here ({exc}); {ENV_VAR}=sandbox "
                                       "forbids any other runner") from exc
                if self.need.untrusted and not self.need.allow_weak:
                    # Never silently the portable runner for untrusted code: that is level `none`.
                    raise IsolationRefused(isolation.refusal_text("none", [
                        f"anything: the sandbox cannot start here ({exc}) and the portable runner "
                        "protects neither your files, the network nor your processes"])) from exc
                self.note(f"the sandbox cannot start here ({exc}); using the portable runner "
                          f"(weaker isolation; {ENV_VAR}=portable skips this attempt)")
            else:
                level = self.inner.level
        if level is None:
            self.inner = PortableRunner(self.limits, self.jobs, hidden_paths=self.hidden).__enter__()
            self.kind = "portable"
            level = isolation.none_level("portable")
        try:
            self.level = isolation.admit(level, self.need)
        except IsolationRefused:
            self.note(level.line())
            self.__exit__(None, None, None)
            raise
        self.note(self.level.line())
        return self.inner

    def __exit__(self, *exc: object) -> None:
        if self.inner is not None:
            self.inner.__exit__(*exc)
            self.inner = None


def make_runner(limits: Limits | None = None, jobs: int | None = None, *, hidden_paths: Iterable[str | Path] = (),
                note: Callable[[str], None] = _note, need: isolation.Need = isolation.TRUSTED) -> _Selected:
    """A context manager giving the sandbox `Runner` or a `PortableRunner` (see the module docstring).

    `need` is what the command requires of the isolation level (grader.runner.isolation):
    the default, TRUSTED, is for a student's own code and our own; commands that run
    untrusted code pass UNTRUSTED or GRADESCOPE, and are refused (IsolationRefused)
    before any student code runs where the level is lower.
    """
    return _Selected(limits, jobs, hidden_paths, note, need)
