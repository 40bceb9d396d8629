"""The feedback rules every verdict must keep, written once and applied to every verdict the tests build.

A student reads `message`, `hint` and the expected/got table of a check (reports/results_io.test_output
renders them). The rules:
  1. an error names the student's function (`name` raised ...), never one of our drivers, probes or modules
     (the names of the exercises' files are modules of ours too: `save_restore` raised ...);
  2. no path of the worker's scratch folders (/tmp/..., grader-worker-...) appears anywhere;
  3. never "null": no "Expected: null" table (a value shown with nothing to compare it to) and no null text;
  4. values shown are capped (rows and numbers), so the table explains rather than floods;
  5. "not attempted" names no mistake (it is only ever the unchanged stub).
Rules 3-4 are about what a student is shown: they apply to public CheckResults (a hidden check shows
only its student-safe text; a Fail is the judge's raw material, which judge.py turns into a CheckResult).
Used by the fast test over every recorded verdict (test_feedback_rules.py) and by every slow catalogue
row (catalogue_support.check_row).
"""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
WORKER_PATH = re.compile(r"(?:/tmp/|/private/var/|/var/folders/|grader-worker-|grader-portable-)")
RAISED = re.compile(r"`([^`]+)` raised\b")
MAX_ROWS = 10        # rows of an expected/got table (judge.ROW_LIMIT)
MAX_NUMBERS = 400    # numbers in one shown value (judge.DISPLAY_LIMIT)
# What a message may name when no function of the student's applies.
OTHER_NAMES = {"your code", "your quiz script", "quiz.py"}


@cache
def student_functions() -> frozenset[str]:
    """Every function the stubs ask students for (and the helpers the stubs define)."""
    names: set[str] = set()
    for path in (ROOT / "solutions").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names.update(n.name for n in tree.body if isinstance(n, ast.FunctionDef))
    return frozenset(names)


@cache
def our_names() -> frozenset[str]:
    """Drivers and probe ids: names of ours a student never wrote."""
    from grader.catalog import EXERCISE_NAMES
    from grader.judging.checks import load_checks
    from grader.sandbox.drivers import DRIVERS

    probes = {p.id for c in load_checks() for p in c.probes}
    return frozenset(set(DRIVERS) | probes | set(EXERCISE_NAMES)) - student_functions()


def _rows_and_numbers(value: Any) -> tuple[int, int]:
    if isinstance(value, dict) and value.get("truncated"):
        return 0, MAX_NUMBERS  # displayable() already cut it to its cap
    if isinstance(value, dict) and "shape" in value and "sum" in value:
        shape = value["shape"]  # a snapshot's summary of an array
        rows = int(shape[0]) if shape else 1
        numbers = 1
        for d in shape:
            numbers *= int(d)
        return rows, numbers
    if isinstance(value, list):
        numbers = sum(_rows_and_numbers(v)[1] or 1 for v in value)
        return len(value), numbers
    return 0, 0


def problems(result: dict[str, Any], shown: bool = True) -> list[str]:
    """The rules a verdict breaks ({"message", "hint", "status", "expected", "got", "traceback", ...});
    `shown`: its expected/got table reaches the student (a public CheckResult)."""
    out = []
    status = result.get("status")
    texts = {k: str(result.get(k) or "") for k in ("message", "hint", "traceback", "student_message")}
    for key, text in texts.items():
        if WORKER_PATH.search(text):
            out.append(f"{key} shows a worker path: {text[:200]!r}")
    for key in ("message", "hint", "student_message"):
        text = texts[key]
        if re.search(r"\bnull\b", text):
            out.append(f"{key} says null: {text[:200]!r}")
        for name in RAISED.findall(text):
            if name in our_names():
                out.append(f"{key} names {name!r}, not a function of the student's: {text[:200]!r}")
    if not shown:
        return out
    if status in ("failed", None) and result.get("expected") is None and result.get("got") is not None:
        out.append(f"a value shown with nothing to compare it to (Expected: null): {texts['message'][:120]!r}")
    for key in ("expected", "got"):
        rows, numbers = _rows_and_numbers(result.get(key))
        if rows > MAX_ROWS or numbers > MAX_NUMBERS:
            out.append(f"{key} shows {rows} rows / {numbers} numbers: {texts['message'][:120]!r}")
    return out


def _not_attempted(result: dict[str, Any]) -> list[str]:
    if result.get("status") == "not_attempted" and result.get("mistake"):
        return [f"not attempted with another story ({result['mistake']}): {str(result.get('message'))[:200]!r}"]
    return []


def all_problems(result: dict[str, Any], kind: str = "CheckResult") -> list[str]:
    """Every rule a recorded verdict breaks; `kind` is "CheckResult" or "Fail"."""
    shown = kind == "CheckResult" and result.get("visibility", "public") == "public"
    return problems(result, shown) + _not_attempted(result)


def recorded_verdicts(folder: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """Every CheckResult and Fail the snapshot files of `folder` record, with the test that built it."""
    out = []
    for path in sorted(folder.glob("*.json")):
        for test, records in json.loads(path.read_text(encoding="utf-8")).items():
            for record in records if isinstance(records, list) else []:
                for kind in ("CheckResult", "Fail"):
                    if isinstance(record, dict) and isinstance(record.get(kind), dict):
                        out.append((f"{path.stem}::{test}", kind, record[kind]))
    return out
