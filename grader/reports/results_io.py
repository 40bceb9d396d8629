"""results.json in Gradescope's autograder results schema, and back.

Gradescope reads `score`, `execution_time`, `output` and `tests[]`; everything
else we know about a result rides in `extra_data` (top level and per test), so
`from_gradescope(to_gradescope(r)) == r` and the report command can re-render
a student's report from results.json alone.

What a student sees on Gradescope is each test's `output`. For a hidden check
that string is only the check's student-facing message: the expected values,
inputs and traceback stay in `extra_data`, which Gradescope does not show.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from grader.sandbox import wire
from grader.catalog import EXERCISE_NAMES
from grader.errors import GraderError
from grader.model import CheckResult, ExerciseResult, StudentResult

SCHEMA = "grader-results/1"

# Our visibility -> Gradescope's. Hidden checks show up once grades are published.
_GS_VISIBILITY = {"public": "visible", "hidden": "after_published"}
_STATUSES = ("passed", "failed", "not_attempted", "error")


class ResultsFileError(GraderError):
    """A results.json that is missing, unreadable or not written by this grader."""

    exit_code = 2


# -- writing -------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """JSON-safe form of an expected/got/inputs value (NaN and inf stay tagged)."""
    try:
        return wire.to_jsonable(value)
    except wire.WireError:
        return repr(value)[:2000]


def _number(score: float) -> float:
    return float(score) if math.isfinite(score) else 0.0


def _fmt(value: Any) -> str:
    text = json.dumps(_plain(value))
    return text if len(text) <= 2000 else text[:2000] + " ..."


def test_output(c: CheckResult) -> str:
    """The text Gradescope shows under a test. Hidden checks: the message only."""
    if c.visibility == "hidden":
        return c.message
    parts = [c.message]
    if c.hint and c.status != "passed":
        parts.append(f"Hint: {c.hint}")
    if c.status == "failed" and (c.expected is not None or c.got is not None):
        parts.append(f"Expected: {_fmt(c.expected)}\nGot: {_fmt(c.got)}")
    if c.traceback:
        parts.append(c.traceback.rstrip())
    if c.output:
        parts.append("Your code printed:\n" + c.output[-4000:].rstrip())
    return "\n\n".join(p for p in parts if p)


def summary_text(r: StudentResult) -> str:
    lines = [f"Score: {r.score:g} / {r.max_score:g}"]
    for e in r.exercises:
        lines.append(f"  {e.title}: {e.score:g} / {e.max_score:g}")
    if r.problems:
        lines.append("Problems with the submission:")
        lines.extend(f"  - {p}" for p in r.problems)
    return "\n".join(lines)


def _test(c: CheckResult, number: str) -> dict[str, Any]:
    tags = [c.exercise, c.status] + ([c.mistake] if c.mistake else [])
    return {
        "name": c.title,
        "number": number,
        "score": _number(c.score),
        "max_score": _number(c.max_score),
        "status": "passed" if c.status == "passed" else "failed",
        "output": test_output(c),
        "visibility": _GS_VISIBILITY[c.visibility],
        "tags": tags,
        "extra_data": {
            "check_id": c.check_id,
            "exercise": c.exercise,
            "title": c.title,
            "status": c.status,
            "visibility": c.visibility,
            "message": c.message,
            "hint": c.hint,
            "mistake": c.mistake,
            "expected": _plain(c.expected),
            "got": _plain(c.got),
            "inputs": _plain(c.inputs),
            "traceback": c.traceback,
            "output": c.output,
            "duration": c.duration,
        },
    }


def to_gradescope(r: StudentResult) -> dict[str, Any]:
    """A StudentResult as a Gradescope results.json document."""
    order = {name: i + 1 for i, name in enumerate(EXERCISE_NAMES)}
    tests = []
    for e in r.exercises:
        for i, c in enumerate(e.checks, start=1):
            tests.append(_test(c, f"{order.get(e.name, 0)}.{i}"))
    return {
        "score": _number(r.score),
        "execution_time": max(0, round(r.execution_time)),
        "output": summary_text(r),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "schema": SCHEMA,
            "student_id": r.student_id,
            "score": r.score,
            "max_score": r.max_score,
            "execution_time": r.execution_time,
            "problems": list(r.problems),
            "output": r.output,
            "grader_version": r.grader_version,
            "submission_digest": r.submission_digest,
            "exercises": [
                {"name": e.name, "title": e.title, "score": e.score, "max_score": e.max_score,
                 "source": e.source, "source_name": e.source_name,
                 "checks": [c.check_id for c in e.checks]}
                for e in r.exercises
            ],
        },
    }


# -- reading -------------------------------------------------------------------

def _get(d: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(d, dict) or key not in d:
        raise ResultsFileError(f"{where}: missing {key!r}")
    value = d[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in (
            kind if isinstance(kind, tuple) else (kind,))):
        raise ResultsFileError(f"{where}: {key!r} has the wrong type")
    return value


def _value(raw: Any) -> Any:
    try:
        return wire.from_jsonable(raw)
    except wire.WireError as exc:
        raise ResultsFileError(f"malformed value: {exc}") from exc


def _check(test: Any, where: str) -> CheckResult:
    x = _get(test, "extra_data", dict, where)
    status = _get(x, "status", str, where)
    visibility = _get(x, "visibility", str, where)
    if status not in _STATUSES or visibility not in _GS_VISIBILITY:
        raise ResultsFileError(f"{where}: unknown status or visibility")
    mistake = x.get("mistake")
    return CheckResult(
        check_id=_get(x, "check_id", str, where),
        exercise=_get(x, "exercise", str, where),
        title=_get(x, "title", str, where),
        score=float(_get(test, "score", (int, float), where)),
        max_score=float(_get(test, "max_score", (int, float), where)),
        status=status,
        message=_get(x, "message", str, where),
        visibility=visibility,
        hint=_get(x, "hint", str, where),
        mistake=mistake if isinstance(mistake, str) else None,
        expected=_value(x.get("expected")),
        got=_value(x.get("got")),
        inputs=_value(x.get("inputs")),
        traceback=_get(x, "traceback", str, where),
        output=_get(x, "output", str, where),
        duration=float(_get(x, "duration", (int, float), where)),
    )


def from_gradescope(doc: dict[str, Any]) -> StudentResult:
    """Rebuild the StudentResult a results.json was written from."""
    top = _get(doc, "extra_data", dict, "results")
    if top.get("schema") != SCHEMA:
        raise ResultsFileError("results: not written by this grader (unknown schema)")
    tests = _get(doc, "tests", list, "results")
    checks: dict[str, CheckResult] = {}
    for i, test in enumerate(tests):
        c = _check(test, f"tests[{i}]")
        checks[c.check_id] = c
    exercises = []
    for i, e in enumerate(_get(top, "exercises", list, "results")):
        where = f"exercises[{i}]"
        ids = _get(e, "checks", list, where)
        missing = [cid for cid in ids if cid not in checks]
        if missing:
            raise ResultsFileError(f"{where}: no test for {missing[0]}")
        exercises.append(ExerciseResult(
            name=_get(e, "name", str, where), title=_get(e, "title", str, where),
            score=float(_get(e, "score", (int, float), where)),
            max_score=float(_get(e, "max_score", (int, float), where)),
            checks=tuple(checks[cid] for cid in ids),
            source=_get(e, "source", str, where), source_name=_get(e, "source_name", str, where),
        ))
    problems = _get(top, "problems", list, "results")
    return StudentResult(
        student_id=_get(top, "student_id", str, "results"),
        score=float(_get(top, "score", (int, float), "results")),
        max_score=float(_get(top, "max_score", (int, float), "results")),
        exercises=tuple(exercises),
        problems=tuple(str(p) for p in problems),
        output=_get(top, "output", str, "results"),
        execution_time=float(_get(top, "execution_time", (int, float), "results")),
        grader_version=_get(top, "grader_version", str, "results"),
        submission_digest=_get(top, "submission_digest", str, "results") if "submission_digest" in top else "",
    )


def load_result(path: Path | str) -> StudentResult:
    """Read a results.json written by `write_result`; ResultsFileError if it is not one."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ResultsFileError(f"{path}: cannot read results ({exc})") from exc
    if not isinstance(doc, dict):
        raise ResultsFileError(f"{path}: not a results object")
    try:
        return from_gradescope(doc)
    except ResultsFileError as exc:
        raise ResultsFileError(f"{path}: {exc}") from exc


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder and os.replace: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; reports and grades are for reading
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def dumps(r: StudentResult) -> str:
    return json.dumps(to_gradescope(r), indent=1, allow_nan=False, ensure_ascii=False) + "\n"


def write_result(r: StudentResult, path: Path | str) -> None:
    atomic_write_text(Path(path), dumps(r))
