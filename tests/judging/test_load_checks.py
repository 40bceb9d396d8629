"""load_checks: every module of both packages, hidden ones only when asked, in exercise order."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest

from grader.catalog import EXERCISE_NAMES
from grader.judging.checks import base, load_checks

FRESH = """
import json
from grader.judging.checks import load_checks
print(json.dumps([[c.id for c in load_checks(include_hidden=False)], [c.id for c in load_checks()]]))
"""


def test_a_fresh_interpreter_finds_every_check_module() -> None:
    """In this process the modules are long imported; a new one shows what load_checks itself finds."""
    out = subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True, check=True).stdout
    public, everything = json.loads(out)
    assert public == [c.id for c in load_checks(include_hidden=False)]
    assert everything == [c.id for c in load_checks()]
    assert len(public) < len(everything)
    assert {cid.split(".")[0] for cid in public} == set(EXERCISE_NAMES)


def test_hidden_checks_only_when_asked_and_exercises_filter() -> None:
    public = load_checks(include_hidden=False)
    assert public and all(c.visibility == "public" for c in public)
    assert any(c.visibility == "hidden" for c in load_checks())
    some = load_checks(("dropout", "quiz"))
    assert some and {c.exercise for c in some} == {"dropout", "quiz"}


def test_checks_come_in_exercise_order_and_an_unknown_exercise_last(monkeypatch: pytest.MonkeyPatch) -> None:
    template = load_checks()[0]
    stray = replace(template, id="zzz.extra", exercise="zzz")
    monkeypatch.setitem(base.CHECKS, "aaa.extra", stray)
    ordered = load_checks()
    assert ordered[-1] is stray
    rank = [EXERCISE_NAMES.index(c.exercise) for c in ordered[:-1]]
    assert rank == sorted(rank)
