"""Choosing the runner: the Linux sandbox where it starts, the portable runner elsewhere.

    with make_runner(limits, jobs, hidden_paths=...) as runner:
        runner.run(files, probes)          # or runner.run_many(items)

`GRADER_RUNNER=portable` forces the portable runner, `GRADER_RUNNER=sandbox` the
sandbox (no fallback: a sandbox that cannot start is an error). Unset or `auto`:
the sandbox on Linux, falling back to the portable runner with a one-line note
when it cannot start (a container without user namespaces, no memfd); the
portable runner on macOS and Windows.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from grader.errors import SandboxError, UsageError
from grader.model import Probe, RunOutcome
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
    """Enters the sandbox runner, or the portable one when the sandbox cannot start."""

    def __init__(self, limits: Limits | None, jobs: int | None, hidden_paths: Iterable[str | Path],
                 note: Callable[[str], None]) -> None:
        self.limits, self.jobs, self.hidden = limits, jobs, list(hidden_paths)
        self.note = note
        self.inner: Any = None
        self.kind = ""

    def __enter__(self) -> Any:
        mode = chosen()
        if mode == "auto" and not sys.platform.startswith("linux"):
            self.note(f"using the portable runner on {sys.platform} (no Linux sandbox here)")
            mode = "portable"
        if mode in ("auto", "sandbox"):
            try:
                self.inner = Runner(self.limits, self.jobs, hidden_paths=self.hidden).__enter__()
                self.kind = "sandbox"
                return self.inner
            except (SandboxError, OSError, AttributeError) as exc:
                if mode == "sandbox":
                    raise SandboxError(f"the sandbox cannot start here ({exc}); unset {ENV_VAR} "
                                       "to fall back to the portable runner") from exc
                self.note(f"the sandbox cannot start here ({exc}); using the portable runner "
                          f"(weaker isolation; {ENV_VAR}=portable skips this attempt)")
        self.inner = PortableRunner(self.limits, self.jobs, hidden_paths=self.hidden).__enter__()
        self.kind = "portable"
        return self.inner

    def __exit__(self, *exc: object) -> None:
        if self.inner is not None:
            self.inner.__exit__(*exc)
            self.inner = None


def make_runner(limits: Limits | None = None, jobs: int | None = None, *, hidden_paths: Iterable[str | Path] = (),
                note: Callable[[str], None] = _note) -> _Selected:
    """A context manager giving the sandbox `Runner` or a `PortableRunner` (see the module docstring)."""
    return _Selected(limits, jobs, hidden_paths, note)
