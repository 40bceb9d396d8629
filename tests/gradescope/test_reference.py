"""Shipped and cached reference observations: the same values back, refused when anything changed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from grader import reference as ref
from grader.judging.checks.base import check_set_digest
from grader.judging.checks import load_checks
from grader.model import Observation
from grader.pipeline import probes_for


def fake_observations(checks: list) -> dict[str, Observation]:
    out = {}
    for i, p in enumerate(probes_for(checks)):
        value = {"array": np.arange(6, dtype=np.float32).reshape(2, 3) * i, "nan": float("nan"), "n": i}
        out[p.id] = Observation(p.id, value=value, duration=0.5)
    return out


def test_round_trip_and_staleness(tmp_path: Path) -> None:
    checks = load_checks(("relu_model", "quiz"))
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    (solutions / "quiz.py").write_text("A = 1\n")
    obs = fake_observations(checks)
    assert ref.cached(tmp_path, solutions, checks) is None
    ref.remember(tmp_path, solutions, checks, obs)
    back = ref.cached(tmp_path, solutions, checks)
    assert back is not None and set(back) == set(obs)
    for pid, o in obs.items():
        got = back[pid].value
        assert np.array_equal(got["array"], o.value["array"]) and got["array"].dtype == np.float32
        assert np.isnan(got["nan"]) and got["n"] == o.value["n"]
    # A subset of the checks is served from the same file.
    assert set(ref.cached(tmp_path, solutions, checks[:1]) or {}) == {p.id for p in probes_for(checks[:1])}
    # Changed solutions, or changed probe inputs (another secret seed): refused.
    (solutions / "quiz.py").write_text("A = 2\n")
    assert ref.cached(tmp_path, solutions, checks) is None
    (solutions / "quiz.py").write_text("A = 1\n")
    moved = [replace(c, probes=tuple(replace(p, args={**p.args, "seed": 7}) for p in c.probes)) for c in checks]
    with pytest.raises(ref.StaleReference, match="probe .* changed"):
        ref.load(ref.cache_file(tmp_path), moved)
    assert check_set_digest(moved) != check_set_digest(checks)
