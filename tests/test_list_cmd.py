"""`grader list`: exercises, checks, points and visibility."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.judging.checks import Check
from grader.cli import main


def test_table_lists_every_check_with_points(capsys: pytest.CaptureFixture[str], all_checks: list[Check]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for c in all_checks:
        assert c.id in out
    assert "7. dropout - Dropout with keep_prob (15 points)" in out
    assert f"Total: {sum(c.points for c in all_checks):g} points" in out
    line = next(ln for ln in out.splitlines() if "dropout.other_keep_probs" in ln)
    assert line.split()[:2] == ["4", "hidden"]


def test_public_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--public"]) == 0
    out = capsys.readouterr().out
    assert "  hidden  " not in out and "hidden)" not in out
    assert "relu_model.lesson_inputs" in out and "relu_model.new_inputs" not in out


def test_json(capsys: pytest.CaptureFixture[str], all_checks: list[Check]) -> None:
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == sum(c.points for c in all_checks)  # the checks declare the points
    points = {e["name"]: e["points"] for e in data["exercises"]}
    assert points["parameter_count"] == 10 and points["quiz"] == 5
    quiz = next(e for e in data["exercises"] if e["name"] == "quiz")
    assert {c["visibility"] for c in quiz["checks"]} == {"public"}


def test_bundle_shows_real_points_and_that_hidden_checks_exist(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, all_checks: list[Check]) -> None:
    """In the bundle (no hidden package), points.json from `grader release` gives the real totals."""
    from grader.authoring.release import points_table
    from grader.commands import list_cmd

    points = tmp_path / "points.json"
    points.write_text(json.dumps(points_table()))
    monkeypatch.setattr(list_cmd, "POINTS_FILE", points)
    public_only = list_cmd.load_checks

    monkeypatch.setattr(list_cmd, "load_checks", lambda **kw: public_only(include_hidden=False))
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "7. dropout - Dropout with keep_prob (15 points)" in out
    assert f"Total: {sum(c.points for c in all_checks):g} points" in out
    hidden = [c for c in all_checks if c.visibility == "hidden"]
    assert not any(c.id in out or c.title in out for c in hidden)
    n = sum(1 for c in hidden if c.exercise == "relu_model")
    assert f"{n} hidden checks on inputs you have not seen" in out
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == sum(c.points for c in all_checks)  # the checks declare the points
    relu = next(e for e in data["exercises"] if e["name"] == "relu_model")
    assert relu["hidden_checks"] == n and all(c["visibility"] == "public" for c in relu["checks"])
