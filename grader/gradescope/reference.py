"""Reference observations computed once and shipped, so grading one submission runs only its probes.

The file is tied to the probes that made it: `probes_digest` covers every probe's
id, driver, arguments, exercise, group and `needs`. A file made for other checks
(the catalogue changed, another secret seed) is refused, and callers compute the
reference afresh instead of judging against stale expected values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader import __version__
from grader.errors import GraderError
from grader.judging.checks import Check
from grader.model import Observation, Probe
from grader.pipeline import probes_for
from grader.reports.results_io import atomic_write_text
from grader.sandbox import wire

FORMAT = 1


class StaleReference(GraderError):
    """The shipped reference does not belong to these checks."""

    exit_code = 3


def probes_digest(probes: Sequence[Probe]) -> str:
    rows = [[p.id, p.driver, wire.to_jsonable(p.args), p.exercise, p.group, p.needs]
            for p in sorted(probes, key=lambda p: p.id)]
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def checks_digest(checks: Sequence[Check]) -> str:
    """Which checks, with which points and probes: shards and shipped files must agree on it."""
    rows = [[c.id, c.points, c.visibility, [p.id for p in c.probes]] for c in checks]
    return hashlib.sha256(json.dumps([rows, probes_digest(probes_for(checks))]).encode()).hexdigest()


def dumps(observations: dict[str, Observation], checks: Sequence[Check]) -> str:
    doc: dict[str, Any] = {
        "format": FORMAT, "grader_version": __version__,
        "probes_digest": probes_digest(probes_for(checks)),
        "observations": {pid: {"value": wire.to_jsonable(o.value), "duration": o.duration}
                         for pid, o in sorted(observations.items())},
    }
    return json.dumps(doc, allow_nan=False, sort_keys=True) + "\n"


def save(observations: dict[str, Observation], checks: Sequence[Check], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, dumps(observations, checks))


def load(path: Path, checks: Sequence[Check]) -> dict[str, Observation]:
    """The shipped observations for exactly these checks' probes; StaleReference otherwise."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StaleReference(f"cannot read the shipped reference {path}: {exc}") from exc
    probes = probes_for(checks)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise StaleReference(f"{path} is not a reference file this grader reads")
    if doc.get("probes_digest") != probes_digest(probes):
        raise StaleReference(f"{path} was made for other checks (rebuild it)")
    raw = doc.get("observations", {})
    out = {}
    for p in probes:
        entry = raw.get(p.id)
        if not isinstance(entry, dict):
            raise StaleReference(f"{path} has no observation for {p.id}")
        out[p.id] = Observation(p.id, value=wire.from_jsonable(entry.get("value")),
                                duration=float(entry.get("duration", 0.0)))
    return out
