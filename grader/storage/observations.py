"""What each probe observed at grading time, kept so judges can run again without student code.

    OUT/_instructor/<id>/observations.json   one student's run: observations, file loads, problems, output,
                                             and the other workers' notes (RunOutcome.instructor_notes)
    OUT/reference.json                       the reference solutions' observations, once per class

Both are instructor-only (they hold what hidden probes saw): never in a student's folder, never
linked from a student's page. Values are encoded with `grader.codec`'s JSON form, so arrays
come back bit for bit. Each file records a digest of every check's probes; a check
whose probes changed since cannot be re-judged from these files (`grader.rejudge`).
A student's file is bounded (`MAX_BYTES`): a run that observed more keeps a marker
saying so, and that student must be regraded instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import ExitCode, GraderError
from grader.judging.checks.base import Check, check_probes_digest
from grader.model import ErrorInfo, FileLoad, Observation, RunOutcome
from grader import codec
from grader.storage.atomic import atomic_write_text
from grader.storage.layout import OBSERVATIONS_NAME, REFERENCE_NAME

__all__ = ["OBSERVATIONS_NAME", "REFERENCE_NAME", "ObservationsError", "Stored", "load_reference", "load_student",
           "probe_digests", "store_reference", "store_student"]
STUDENT_SCHEMA = "grader-observations/1"
REFERENCE_SCHEMA = "grader-reference/1"
MAX_BYTES = 16 * 1024 * 1024              # one student's observations
MAX_REFERENCE_BYTES = 128 * 1024 * 1024   # the reference's (ours, but still bounded)


class ObservationsError(GraderError):
    """Stored observations that are missing, too large to have been kept, or not ours."""

    exit_code = ExitCode.UNREADABLE_OUTPUT


@dataclass(frozen=True)
class Stored:
    """A stored run: the probe digests of the checks it served, and what it observed."""

    digests: dict[str, str]
    outcome: RunOutcome
    student_id: str = ""
    submission_digest: str = ""


def probe_digests(checks: Sequence[Check]) -> dict[str, str]:
    return {c.id: check_probes_digest(c) for c in checks}


# -- encoding -------------------------------------------------------------------------------

def _error(err: ErrorInfo | None) -> dict[str, Any] | None:
    if err is None:
        return None
    return {"type": err.type, "message": err.message, "traceback": err.traceback,
            "missing": err.missing, "killed": err.killed}


def _observation(o: Observation) -> dict[str, Any]:
    return {"value": codec.to_jsonable(o.value), "error": _error(o.error), "output": o.output,
            "duration": o.duration}


def _observations(observations: dict[str, Observation]) -> dict[str, Any]:
    return {pid: _observation(o) for pid, o in observations.items()}


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, allow_nan=False, ensure_ascii=False, separators=(",", ":")) + "\n"


def store_student(folder: Path, student_id: str, submission_digest: str, outcome: RunOutcome,
                  checks: Sequence[Check]) -> None:
    """Write `folder`/observations.json (OUT/_instructor/<id>/) (or, over MAX_BYTES, a marker saying it was too large)."""
    head = {"schema": STUDENT_SCHEMA, "student_id": student_id, "submission_digest": submission_digest,
            "probes": probe_digests(checks)}
    try:
        doc = {**head, "outcome": {
            "observations": _observations(outcome.observations),
            "loads": [{"name": ld.name, "error": _error(ld.error), "output": ld.output} for ld in outcome.loads],
            "problems": list(outcome.problems), "output": outcome.output, "duration": outcome.duration,
            "instructor_notes": list(outcome.instructor_notes)}}
        text = _dump(doc)
    except (codec.CodecError, ValueError, TypeError) as exc:
        # Observations arrive through the wire, so this should not happen; if it does, this
        # student is regraded instead of re-judged, and the class goes on.
        atomic_write_text(Path(folder) / OBSERVATIONS_NAME, _dump({**head, "omitted": f"not storable ({exc})"}))
        return
    if len(text.encode("utf-8")) > MAX_BYTES:
        text = _dump({**head, "omitted": f"{len(text.encode('utf-8')) // (1024 * 1024)} MB observed, "
                                         f"over the {MAX_BYTES // (1024 * 1024)} MB kept per student"})
    atomic_write_text(Path(folder) / OBSERVATIONS_NAME, text)


def store_reference(out: Path, reference: dict[str, Observation], checks: Sequence[Check]) -> None:
    """Write OUT/reference.json: the reference run's observations, for every later re-judging."""
    try:
        text = _dump({"schema": REFERENCE_SCHEMA, "probes": probe_digests(checks),
                      "observations": _observations(reference)})
    except (codec.CodecError, ValueError, TypeError) as exc:
        text = _dump({"schema": REFERENCE_SCHEMA, "probes": {}, "omitted": f"not storable ({exc})"})
    if len(text.encode("utf-8")) > MAX_REFERENCE_BYTES:
        text = _dump({"schema": REFERENCE_SCHEMA, "probes": {}, "omitted": "the reference observed too much"})
    atomic_write_text(Path(out) / REFERENCE_NAME, text)


# -- decoding -------------------------------------------------------------------------------

def _need(d: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(d, dict) or key not in d or not isinstance(d[key], kind) or isinstance(d[key], bool):
        raise ObservationsError(f"{where}: missing or malformed {key!r}")
    return d[key]


def _err_back(raw: Any, where: str) -> ErrorInfo | None:
    if raw is None:
        return None
    opt = {k: raw.get(k) for k in ("missing", "killed")}
    if not all(v is None or isinstance(v, str) for v in opt.values()):
        raise ObservationsError(f"{where}: malformed error")
    return ErrorInfo(_need(raw, "type", str, where), _need(raw, "message", str, where),
                     _need(raw, "traceback", str, where), opt["missing"], opt["killed"])


def _observations_back(raw: Any, where: str) -> dict[str, Observation]:
    if not isinstance(raw, dict):
        raise ObservationsError(f"{where}: observations are not an object")
    found = {}
    for pid, o in raw.items():
        if not isinstance(o, dict):
            raise ObservationsError(f"{where}: {pid}: not an object")
        try:
            value = codec.from_jsonable(o.get("value"))
        except codec.CodecError as exc:
            raise ObservationsError(f"{where}: {pid}: {exc}") from exc
        found[pid] = Observation(pid, value, _err_back(o.get("error"), where), _need(o, "output", str, where),
                                 float(_need(o, "duration", (int, float), where)))
    return found


def _read(path: Path, schema: str, limit: int) -> dict[str, Any]:
    try:
        if path.stat().st_size > limit + 1024:
            raise ObservationsError(f"{path}: larger than any file the grader writes")
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ObservationsError(f"{path} is missing") from exc
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ObservationsError(f"{path}: cannot read it ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("schema") != schema:
        raise ObservationsError(f"{path}: not written by this grader version (schema {schema} expected)")
    if "omitted" in doc:
        raise ObservationsError(f"{path}: not kept ({doc['omitted']})")
    return doc


def _digests(doc: dict[str, Any], where: str) -> dict[str, str]:
    raw = _need(doc, "probes", dict, where)
    return {str(k): v for k, v in raw.items() if isinstance(v, str)}


def load_student(folder: Path) -> Stored:
    path = Path(folder) / OBSERVATIONS_NAME
    doc = _read(path, STUDENT_SCHEMA, MAX_BYTES)
    where = str(path)
    out = _need(doc, "outcome", dict, where)
    loads = tuple(FileLoad(_need(ld, "name", str, where), _err_back(ld.get("error"), where),
                           _need(ld, "output", str, where)) for ld in _need(out, "loads", list, where))
    outcome = RunOutcome(_observations_back(out.get("observations"), where), loads,
                         tuple(str(p) for p in _need(out, "problems", list, where)),
                         _need(out, "output", str, where), float(_need(out, "duration", (int, float), where)),
                         tuple(str(n) for n in _need(out, "instructor_notes", list, where)) if "instructor_notes" in out else ())
    return Stored(_digests(doc, where), outcome, _need(doc, "student_id", str, where),
                  _need(doc, "submission_digest", str, where))


def load_reference(out: Path) -> Stored:
    path = Path(out) / REFERENCE_NAME
    doc = _read(path, REFERENCE_SCHEMA, MAX_REFERENCE_BYTES)
    return Stored(_digests(doc, str(path)), RunOutcome(_observations_back(doc.get("observations"), str(path))))
