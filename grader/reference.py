"""Reference observations computed once and shipped, so grading one submission runs only its probes.

Each observation is tied to the probe that made it (a digest of its id, driver,
arguments, exercise, group and `needs`), and the file to the solutions' bytes. A
file made for other checks (the catalogue changed, another secret seed) or other
solutions is refused, and callers compute the reference afresh instead of judging
against stale expected values. Any subset of the checks can be served from one file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader import __version__
from grader.errors import ExitCode, GraderError
from grader.judging.checks import Check
from grader.judging.checks.base import probe_digest
from grader.model import Observation, Probe
from grader.pipeline import probes_for
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
