"""`grader list`: exercises, checks, points and visibility."""

from __future__ import annotations

import json

import pytest

from grader.judging.checks import Check
from grader.cli import main


def test_table_lists_every_check_with_points(capsys: pytest.CaptureFixture[str], all_checks: list[Check]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for c in all_checks:
        assert c.id in out
    assert "7. dropout - Dropout with keep_prob (15 points)" in out
    assert "Total: 100 points" in out
    line = next(ln for ln in out.splitlines() if "dropout.other_keep_probs" in ln)
    assert line.split()[:2] == ["4", "hidden"]


def test_public_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--public"]) == 0
    out = capsys.readouterr().out
    assert "  hidden  " not in out and "hidden)" not in out
    assert "relu_model.lesson_inputs" in out and "relu_model.new_inputs" not in out


def test_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 100
    points = {e["name"]: e["points"] for e in data["exercises"]}
    assert points["parameter_count"] == 10 and points["quiz"] == 5
    quiz = next(e for e in data["exercises"] if e["name"] == "quiz")
    assert {c["visibility"] for c in quiz["checks"]} == {"public"}
