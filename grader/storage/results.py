"""results.json in Gradescope's autograder results schema, and back; and the student's copy of it.

Gradescope reads `score`, `execution_time`, `output` and `tests[]`; everything
else we know about a result rides in `extra_data` (top level and per test), so
`from_gradescope(to_gradescope(r)) == r` and the report command can re-render
a student's report from results.json alone.

What a student sees on Gradescope is each test's `output` and the top-level
`output`: those words are the reports' (`grader.reports.gradescope_text`), handed
in as `Words`, so this module never imports a page. For a hidden check the test's
`output` is exactly the text the HTML student view shows (status, named mistake,
hint). The full file (OUT/_instructor/<id>/results.json) keeps the check's own
message, expected values, inputs, traceback and printed output in `extra_data`;
`grader.storage.student_copy` drops them for the file a student may be given (OUT/<id>/).

Whatever the student supplied, the file is valid UTF-8 and at most
`MAX_RESULTS_BYTES`: long strings, values, tracebacks and printed output are
capped and marked as truncated, and each submitted file's source is stored once
(on the first exercise that shows it), however many exercises it answers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collections.abc import Callable

from grader import codec
from grader.catalog import EXERCISE_NAMES
from grader.errors import ExitCode, GraderError
from grader.model import CheckResult, ExerciseResult, StudentResult
from grader.safetext import truncate, utf8_text
from grader.storage.atomic import atomic_write_text
from grader.storage.layout import INSTRUCTOR_DIR, RESULTS_NAME, instructor_root, old_layout

SCHEMA = "grader-results/1"

# Our visibility -> Gradescope's. Hidden checks show up once grades are published.
_GS_VISIBILITY = {"public": "visible", "hidden": "after_published"}
_STATUSES = ("passed", "failed", "not_attempted", "error")

MAX_RESULTS_BYTES = 512 * 1024   # Gradescope rejects large results files


@dataclass(frozen=True)
class Caps:
    """How much of each kind of text results.json keeps (characters); shrunk until the file fits."""

    text: int = 8000       # messages, hints, tracebacks
    output: int = 8000     # printed output (the end is kept)
    value: int = 8000      # an expected/got/inputs value, as JSON
    source: int = 100_000  # one submitted file
    problems: int = 100    # lines in the problem list
    name: int = 1000       # titles, ids, mistake names, file names


_CAP_LEVELS = (Caps(), Caps(2000, 2000, 2000, 30_000, 50, 500), Caps(500, 500, 500, 8000, 20, 200),
               Caps(100, 100, 0, 0, 5, 100))


class ResultsFileError(GraderError):
    """A results.json that is missing, unreadable or not written by this grader."""

    exit_code = ExitCode.UNREADABLE_OUTPUT


# -- writing -------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """JSON-safe form of an expected/got/inputs value (NaN and inf stay tagged)."""
    try:
        return codec.to_jsonable(value)
    except (codec.CodecError, ValueError, TypeError, RecursionError):
        return repr(value)[:2000]


def _capped(value: Any, cap: int) -> Any:
    """The value, or a marked preview of its JSON when that is longer than `cap`."""
    plain = _plain(value)
    try:
        text = json.dumps(plain, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return {"truncated": True, "preview": ""}
    if len(text) <= cap:
        return plain
    return {"truncated": True, "preview": text[:cap]}


def _number(score: float) -> float:
    return float(score) if math.isfinite(score) else 0.0


def value_text(value: Any, cap: int) -> str:
    """An expected/got value as capped JSON text (what a public check's `output` shows)."""
    return truncate(json.dumps(_capped(value, cap), allow_nan=False), cap)


@dataclass(frozen=True)
class Words:
    """What Gradescope shows a student: each test's `output`, and the top-level `output`."""

    test_output: Callable[[CheckResult, Caps], str]
    summary_text: Callable[[StudentResult, Caps], str]


def _test(c: CheckResult, number: str, caps: Caps, words: Words) -> dict[str, Any]:
    mistake = truncate(c.mistake, caps.name) if c.mistake else None
    tags = [c.exercise, c.status] + ([mistake] if mistake else [])
    return {
        "name": truncate(c.title, caps.name),
        "number": number,
        "score": _number(c.score),
        "max_score": _number(c.max_score),
        "status": "passed" if c.status == "passed" else "failed",
        "output": words.test_output(c, caps),
        "visibility": _GS_VISIBILITY[c.visibility],
        "tags": tags,
        "extra_data": {
            "check_id": c.check_id,
            "exercise": c.exercise,
            "title": truncate(c.title, caps.name),
            "status": c.status,
            "visibility": c.visibility,
            "message": truncate(c.message, caps.text),
            "hint": truncate(c.hint, caps.text),
            "mistake": mistake,
            "expected": _capped(c.expected, caps.value),
            "got": _capped(c.got, caps.value),
            "inputs": _capped(c.inputs, caps.value),
            "traceback": truncate(c.traceback, caps.text, keep_end=True),
            "output": truncate(c.output, caps.output, keep_end=True),
            "duration": _number(c.duration),
            "tolerance": list(c.tolerance) if c.tolerance else None,
            "grader_error": truncate(c.grader_error, caps.text),
            "instructor_message": truncate(c.instructor_message, caps.text, keep_end=True),
        },
    }


def _exercises(r: StudentResult, caps: Caps) -> list[dict[str, Any]]:
    """Each file's source once: on the first exercise that shows it."""
    seen: set[str] = set()
    out = []
    for e in r.exercises:
        entry: dict[str, Any] = {"name": e.name, "title": truncate(e.title, caps.name), "score": e.score,
                                 "max_score": e.max_score, "source_name": truncate(e.source_name, caps.name),
                                 "checks": [c.check_id for c in e.checks]}
        if e.source_name not in seen or not e.source_name:
            entry["source"] = truncate(e.source, caps.source)
            seen.add(e.source_name)
        out.append(entry)
    return out


def to_gradescope(r: StudentResult, words: Words, caps: Caps = Caps()) -> dict[str, Any]:
    """A StudentResult as a Gradescope results.json document."""
    order = {name: i + 1 for i, name in enumerate(EXERCISE_NAMES)}
    tests = []
    for e in r.exercises:
        for i, c in enumerate(e.checks, start=1):
            tests.append(_test(c, f"{order.get(e.name, 0)}.{i}", caps, words))
    return {
        "score": _number(r.score),
        "execution_time": max(0, round(_number(r.execution_time))),
        "output": words.summary_text(r, caps),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "schema": SCHEMA,
            "student_id": truncate(r.student_id, caps.name),
            "score": _number(r.score),
            "max_score": _number(r.max_score),
            "execution_time": _number(r.execution_time),
            "problems": [truncate(p, caps.text) for p in r.problems[:caps.problems]],
            "output": truncate(r.output, caps.output, keep_end=True),
            "grader_version": r.grader_version,
            "submission_digest": r.submission_digest,
            "grader_errors": [truncate(g, caps.text) for g in r.grader_errors[:caps.problems]],
            "checks_digest": r.checks_digest,
            **({"isolation": r.isolation} if r.isolation else {}),
            **({"display_name": truncate(r.display_name, caps.name)} if r.display_name else {}),
            "exercises": _exercises(r, caps),
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
    if isinstance(value, float) and not math.isfinite(value):
        raise ResultsFileError(f"{where}: {key!r} is not a finite number")
    return value


def _value(raw: Any) -> Any:
    try:
        return codec.from_jsonable(raw)
    except codec.CodecError as exc:
        raise ResultsFileError(f"malformed value: {exc}") from exc


def _check(test: Any, where: str) -> CheckResult:
    x = _get(test, "extra_data", dict, where)
    status = _get(x, "status", str, where)
    visibility = _get(x, "visibility", str, where)
    if status not in _STATUSES or visibility not in _GS_VISIBILITY:
        raise ResultsFileError(f"{where}: unknown status or visibility")
    mistake = x.get("mistake")
    tol = x.get("tolerance")
    tolerance = (float(tol[0]), float(tol[1])) if (
        isinstance(tol, list) and len(tol) == 2 and all(_is_number(t) for t in tol)) else None
    grader_error = x.get("grader_error", "")
    instructor_message = x.get("instructor_message", "")
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
        tolerance=tolerance,
        grader_error=grader_error if isinstance(grader_error, str) else "",
        instructor_message=instructor_message if isinstance(instructor_message, str) else "",
    )


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


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
    sources: dict[str, str] = {}
    for i, e in enumerate(_get(top, "exercises", list, "results")):
        where = f"exercises[{i}]"
        ids = _get(e, "checks", list, where)
        if not all(isinstance(cid, str) for cid in ids):
            raise ResultsFileError(f"{where}: 'checks' holds something other than check ids")
        missing = [cid for cid in ids if cid not in checks]
        if missing:
            raise ResultsFileError(f"{where}: no test for {missing[0]}")
        source_name = _get(e, "source_name", str, where)
        if "source" in e:  # a file's source is stored on the first exercise showing it
            sources.setdefault(source_name, _get(e, "source", str, where))
        exercises.append(ExerciseResult(
            name=_get(e, "name", str, where), title=_get(e, "title", str, where),
            score=float(_get(e, "score", (int, float), where)),
            max_score=float(_get(e, "max_score", (int, float), where)),
            checks=tuple(checks[cid] for cid in ids),
            source=sources.get(source_name, ""), source_name=source_name,
        ))
    problems = _get(top, "problems", list, "results")
    grader_errors = top.get("grader_errors", [])
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
        grader_errors=tuple(str(g) for g in grader_errors) if isinstance(grader_errors, list) else (),
        checks_digest=top["checks_digest"] if isinstance(top.get("checks_digest"), str) else "",
        isolation=top["isolation"] if isinstance(top.get("isolation"), str) else "",
        display_name=top["display_name"] if isinstance(top.get("display_name"), str) else "",
    )


def load_result(path: Path | str) -> StudentResult:
    """Read a results.json written by `write_result`; ResultsFileError if it is not one."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: bad UTF-8, bad JSON, huge ints
        raise ResultsFileError(f"{path}: cannot read results ({exc})") from exc
    if not isinstance(doc, dict):
        raise ResultsFileError(f"{path}: not a results object")
    try:
        return from_gradescope(doc)
    except ResultsFileError as exc:
        raise ResultsFileError(f"{path}: {exc}") from exc
    except (ValueError, TypeError, OverflowError, IndexError, RecursionError) as exc:  # e.g. a float of a huge int
        raise ResultsFileError(f"{path}: malformed results ({type(exc).__name__})") from exc


@dataclass(frozen=True)
class ClassResults:
    """Every OUT/<folder>/results.json: those we could read, and why the others could not be."""

    results: dict[str, StudentResult] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def load_class(out_dir: Path | str, results_name: str = RESULTS_NAME) -> ClassResults:
    """The one loader of a class folder's results, by folder name, in a stable order.

    A results.json that is missing a piece, not ours, or unreadable never stops the
    caller: it is listed in `errors` (folder -> reason) instead.
    """
    found: dict[str, StudentResult] = {}
    errors: dict[str, str] = {}
    for path in sorted(Path(out_dir).glob(f"*/{results_name}")):
        try:
            if not path.is_file():
                raise ResultsFileError(f"{path}: not a file")
            found[path.parent.name] = load_result(path)
        except ResultsFileError as exc:
            errors[path.parent.name] = utf8_text(str(exc))
    return ClassResults(found, errors)


def load_outputs(out: Path | str) -> ClassResults:
    """Every student's full results in OUT (the instructor copies, OUT/_instructor/<id>/results.json)."""
    if old_layout(Path(out)):
        raise ResultsFileError(f"{out} was written by an older grader (student folders but no {INSTRUCTOR_DIR}/ "
                               "folder): regrade it with `grader grade ... --force`")
    loaded = load_class(instructor_root(Path(out)))
    # A student folder without its instructor copy is not a graded student (another tool's, or a
    # copy of OUT/<id>/ alone): listed, never counted.
    for path in sorted(Path(out).glob(f"*/{RESULTS_NAME}")):
        name = path.parent.name
        if not name.startswith((".", "_")) and name not in loaded.results and name not in loaded.errors:
            loaded.errors[name] = f"{path}: no full copy in {INSTRUCTOR_DIR}/{name}/ (not written by this grader)"
    return loaded


def dumps(r: StudentResult, words: Words, max_bytes: int = MAX_RESULTS_BYTES) -> str:
    """results.json text of at most `max_bytes` UTF-8 bytes: caps shrink until it fits."""
    text = ""
    for caps in _CAP_LEVELS:
        text = utf8_text(json.dumps(to_gradescope(r, words, caps), indent=1, allow_nan=False, ensure_ascii=False)) + "\n"
        if len(text.encode("utf-8")) <= max_bytes:
            return text
    compact = utf8_text(json.dumps(to_gradescope(r, words, _CAP_LEVELS[-1]), allow_nan=False, ensure_ascii=False)) + "\n"
    if len(compact.encode("utf-8")) <= max_bytes:
        return compact
    raise ResultsFileError(f"results for {r.student_id[:80]!r} do not fit in {max_bytes} bytes")


def write_result(r: StudentResult, path: Path | str, words: Words, max_bytes: int = MAX_RESULTS_BYTES) -> None:
    atomic_write_text(Path(path), dumps(r, words, max_bytes))
