"""A small check of results.json against Gradescope's autograder specification.

https://gradescope-autograders.readthedocs.io/en/latest/specs/ : top-level score,
execution_time, output, output_format, visibility, stdout_visibility, extra_data,
tests, leaderboard; each test's score, max_score, status, name, name_format,
number, output, output_format, tags, visibility, extra_data. Either a top-level
score or per-test scores must be present. Unknown keys are reported too: Gradescope
ignores them, so one is most likely a misspelling.
"""

from __future__ import annotations

import math
from typing import Any

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
FORMATS = ("text", "html", "simple_format", "md", "ansi")
TOP = {"score": "number", "execution_time": "number", "output": "str", "output_format": FORMATS,
       "test_output_format": FORMATS, "test_name_format": FORMATS, "visibility": VISIBILITIES,
       "stdout_visibility": VISIBILITIES, "extra_data": "any", "tests": "list", "leaderboard": "list"}
TEST = {"score": "number", "max_score": "number", "status": ("passed", "failed"), "name": "str",
        "name_format": FORMATS, "number": "str", "output": "str", "output_format": FORMATS,
        "tags": "list", "visibility": VISIBILITIES, "extra_data": "any"}


def _bad(value: Any, kind: Any) -> str | None:
    if kind == "any":
        return None
    if kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        return None if ok else "is not a finite number"
    if kind == "str":
        return None if isinstance(value, str) else "is not a string"
    if kind == "list":
        return None if isinstance(value, list) else "is not a list"
    return None if value in kind else f"is {value!r}, not one of {', '.join(kind)}"


def _fields(doc: dict[str, Any], spec: dict[str, Any], where: str) -> list[str]:
    errors = []
    for key, value in doc.items():
        if key not in spec:
            errors.append(f"{where}: unknown key {key!r}")
            continue
        problem = _bad(value, spec[key])
        if problem:
            errors.append(f"{where}.{key} {problem}")
    return errors


def validate(doc: Any) -> list[str]:
    """Every way `doc` breaks the spec (empty when it is a valid results.json)."""
    if not isinstance(doc, dict):
        return ["results.json is not a JSON object"]
    errors = _fields(doc, TOP, "results")
    tests = doc.get("tests", [])
    if not isinstance(tests, list):
        return errors
    for i, test in enumerate(tests):
        if not isinstance(test, dict):
            errors.append(f"tests[{i}] is not an object")
            continue
        errors += _fields(test, TEST, f"tests[{i}]")
        if "score" in test and "max_score" in test and _bad(test["score"], "number") is None \
                and _bad(test["max_score"], "number") is None and test["score"] > test["max_score"]:
            errors.append(f"tests[{i}]: score above max_score")
        for tag in test.get("tags", []) if isinstance(test.get("tags"), list) else []:
            if not isinstance(tag, str):
                errors.append(f"tests[{i}].tags holds a non-string")
    if "score" not in doc and not all(isinstance(t, dict) and "score" in t for t in tests):
        errors.append("results: no top-level score and a test without a score")
    return errors
