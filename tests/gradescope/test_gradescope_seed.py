"""run_autograder's seed and an out-of-date zip, without running TensorFlow."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.judging.oracles import secret


def test_the_shipped_seed_is_taken_and_an_empty_one_is_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.gradescope import run

    monkeypatch.setenv(secret.ENV, "what the environment says")  # restored after the test
    assert not run.use_shipped_seed(tmp_path)
    (tmp_path / "seed").mkdir()
    (tmp_path / run.SEED_FILE).write_text("\n", encoding="utf-8")
    assert not run.use_shipped_seed(tmp_path) and os.environ[secret.ENV] == "what the environment says"
    (tmp_path / run.SEED_FILE).write_text("123456789\n", encoding="utf-8")
    assert run.use_shipped_seed(tmp_path) and os.environ[secret.ENV] == "123456789"


def test_an_out_of_date_zip_without_solutions_says_to_rebuild(tmp_path: Path) -> None:
    from grader.gradescope import run
    from grader.reference import StaleReference

    autograder, source = tmp_path / "autograder", tmp_path / "source"
    (autograder / "submission").mkdir(parents=True)
    (autograder / "submission" / "relu_model.py").write_text("x = 1\n", encoding="utf-8")
    (source / "reference").mkdir(parents=True)
    (source / run.REFERENCE_FILE).write_text('{"format": 1, "observations": {}}\n', encoding="utf-8")
    with pytest.raises(StaleReference, match="out of date: rebuild the zip with `grader gradescope`"):
        run.grade(autograder, source)
