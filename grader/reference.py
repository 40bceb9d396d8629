"""Where the reference observations come from: one provider for the shipped, cached and computed cases.

Reference observations are computed once and shipped (or cached), so grading one submission runs only its probes.

Each observation is tied to the probe that made it (a digest of its id, driver,
arguments, exercise, group and `needs`), and the file to the solutions' bytes. A
file made for other checks (the catalogue changed, another secret seed) or other
solutions is refused, and callers compute the reference afresh instead of judging
against stale expected values. Any subset of the checks can be served from one file.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from grader import __version__
from grader.errors import ExitCode, GraderError
from grader.judging.checks import Check
from grader.judging.checks.base import probe_digest
from grader.model import Observation, Probe, RunOutcome
from grader.pipeline import probes_for, read_python_files, reference_observations
from grader.storage.atomic import atomic_write_text
from grader import codec

FORMAT = 1


class StaleReference(GraderError):
    """The shipped reference does not belong to these checks."""

    exit_code = ExitCode.STALE_REFERENCE


def probes_digest(probes: Sequence[Probe]) -> str:
    return hashlib.sha256(" ".join(sorted(probe_digest(p) for p in probes)).encode()).hexdigest()


def solutions_digest(folder: Path) -> str:
    """Changes whenever a reference solution changes (the shipped observations are then stale)."""
    h = hashlib.sha256()
    for f in sorted(folder.glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def dumps(observations: dict[str, Observation], checks: Sequence[Check], solutions: str = "") -> str:
    doc: dict[str, Any] = {
        "format": FORMAT, "grader_version": __version__, "solutions_digest": solutions,
        "probes_digest": probes_digest(probes_for(checks)),
        "observations": {p.id: {"value": codec.to_jsonable(observations[p.id].value), "probe": probe_digest(p),
                                "duration": observations[p.id].duration}
                         for p in sorted(probes_for(checks), key=lambda p: p.id)},
    }
    return json.dumps(doc, allow_nan=False, sort_keys=True) + "\n"


def save(observations: dict[str, Observation], checks: Sequence[Check], path: Path, solutions: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, dumps(observations, checks, solutions))


def load(path: Path, checks: Sequence[Check], solutions: str | None = None) -> dict[str, Observation]:
    """The shipped observations for exactly these checks' probes (and, when given, these
    solutions' digest); StaleReference otherwise."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StaleReference(f"cannot read the shipped reference {path}: {exc}") from exc
    probes = probes_for(checks)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise StaleReference(f"{path} is not a reference file this grader reads")
    if solutions is not None and doc.get("solutions_digest") != solutions:
        raise StaleReference(f"{path} was made from other reference solutions (rebuild it)")
    raw = doc.get("observations", {})
    out = {}
    for p in probes:
        entry = raw.get(p.id)
        if not isinstance(entry, dict):
            raise StaleReference(f"{path} has no observation for {p.id} (rebuild it)")
        if entry.get("probe") != probe_digest(p):
            raise StaleReference(f"{path} was made for other checks: probe {p.id} changed (rebuild it)")
        out[p.id] = Observation(p.id, value=codec.from_jsonable(entry.get("value")),
                                duration=float(entry.get("duration", 0.0)))
    return out


def cache_file(root: Path) -> Path:
    """Where the course repository keeps its reference observations between runs."""
    return root / ".grader-cache" / "reference.json"


def cached(root: Path, solutions: Path, checks: Sequence[Check]) -> dict[str, Observation] | None:
    """The cached reference observations for these checks and solutions, or None when stale or absent.

    Keyed on every probe (ids, drivers, arguments: hidden inputs and the secret seed
    included) and on the solutions' bytes, so a cache hit judges exactly as a fresh run.
    """
    try:
        every = load(cache_file(root), checks, solutions_digest(solutions))
    except StaleReference:
        return None
    return {p.id: every[p.id] for p in probes_for(checks)}


def remember(root: Path, solutions: Path, checks: Sequence[Check], observations: dict[str, Observation]) -> None:
    """Cache a fresh reference run (best effort: a read-only checkout just recomputes next time)."""
    try:
        save(observations, checks, cache_file(root), solutions_digest(solutions))
    except OSError:
        pass


class _Runs(Protocol):
    def run(self, files: dict[str, str], probes: Sequence[Probe]) -> RunOutcome: ...


@dataclass(frozen=True)
class ReferenceProvider:
    """The one way a run gets its reference observations.

    In order: the file `shipped` with an autograder (when it is stale: computed from
    `solutions` if any are shipped, else StaleReference); the course's cache under
    `cache_root` (.grader-cache/, when it matches these probes and solutions); else computed
    by running `solutions` (the batch runs them as its first job, alongside the students) and,
    with a `cache_root`, remembered. With neither `solutions` nor `shipped` there is no
    reference at all (the self-check: public checks carry their own expected values).
    """

    solutions: Path | None = None
    cache_root: Path | None = None
    shipped: Path | None = None
    # The checks whose probes a computed run covers (default: those graded). The pytest plugin
    # computes every check's so that the cache it leaves serves any later selection.
    compute_for: tuple[Check, ...] | None = None
    memory_mb: int | None = None   # named in the error when the solutions run out of memory
    given: dict[str, Observation] | None = field(default=None, compare=False)  # in hand (see settle)

    @property
    def wanted(self) -> bool:
        return self.solutions is not None or self.shipped is not None or self.given is not None

    def settle(self, checks: Sequence[Check]) -> ReferenceProvider:
        """This provider with what is known loaded now: a stale autograder is refused (and a
        fallback announced) before any worker starts, and only once."""
        known = self.known(checks)
        return replace(self, shipped=None, given=known,
                       cache_root=None if known is not None else self.cache_root)

    def known(self, checks: Sequence[Check]) -> dict[str, Observation] | None:
        """The observations available without running anything, or None when they must be computed."""
        if self.given is not None:
            return self.given
        if self.shipped is not None:
            try:
                return load(self.shipped, checks)
            except StaleReference as exc:
                if self.solutions is None or not any(self.solutions.glob("*.py")):
                    raise StaleReference(f"{exc}. The autograder is out of date: rebuild the zip with "
                                         "`grader gradescope` in the course repository and upload it again") from exc
                print(f"grader: {exc}; running the reference solutions", file=sys.stderr)
        if self.cache_root is not None and self.solutions is not None:
            return cached(self.cache_root, self.solutions, checks)
        return None

    def run_item(self, checks: Sequence[Check]) -> tuple[dict[str, str], list[Probe]]:
        """The files and probes of the reference run."""
        if self.solutions is None:
            raise StaleReference("no reference solutions to run")
        return read_python_files(self.solutions), probes_for(self._computed(checks))

    def accept(self, outcome: RunOutcome, checks: Sequence[Check]) -> dict[str, Observation]:
        """The reference run's observations (ReferenceSolutionError if it failed), cached when asked."""
        computed = self._computed(checks)
        observations = reference_observations(outcome, probes_for(computed), self.memory_mb)
        if self.cache_root is not None and self.solutions is not None:
            remember(self.cache_root, self.solutions, computed, observations)
        return observations

    def obtain(self, runner: _Runs, checks: Sequence[Check]) -> dict[str, Observation] | None:
        """The reference for one submission: known, else run now (None when none is wanted)."""
        if not self.wanted:
            return None
        known = self.known(checks)
        if known is not None:
            return known
        return self.accept(runner.run(*self.run_item(checks)), checks)

    def _computed(self, checks: Sequence[Check]) -> Sequence[Check]:
        return self.compute_for if self.compute_for is not None else checks


NO_REFERENCE = ReferenceProvider()
