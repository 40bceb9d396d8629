"""The check catalogue a fresh import declares is pinned, hidden inputs included.

Points, titles, hints, tolerances and every probe's inputs decide what a student is graded on;
resume and rejudge compare stored results by the check-set digest built from them. A change is
meant to be a reviewed diff of tests/judging/snapshots/test_catalogue_pinned.json, never a side
effect. The modules are run afresh (not re-imported from the module cache) so the code that
declares the checks and draws the hidden inputs from the course seed runs inside the test.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.util
import json
import pkgutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from snapshot_support import Snapshot

from grader.judging.checks import base, load_checks
from grader.judging.checks.base import Check, check_probes_digest, check_set_digest, probe_digest
from grader.judging.oracles import secret

PACKAGES = ("grader.judging.checks", "grader.judging.checks.hidden")
# Hidden checks whose inputs are not drawn from the course seed, and why that is sound.
SEED_FREE = {
    "save_restore.evaluates_given_data": "its relabelled test split is fixed data; what it catches is a number "
                                         "remembered from training, which no seed changes",
}


def run_afresh(module: str) -> dict[str, Any]:
    """The module's code executed into a new module object of the same name (pytest's import hook
    rules out runpy here). It stands in sys.modules only while it runs, as dataclasses need; its
    functions keep the module's name, so tools that key on it (mutmut's trampolines) still know them."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    path = Path(spec.origin)
    fresh = ModuleType(module)
    fresh.__file__, fresh.__package__ = str(path), spec.parent
    imported = sys.modules[module]
    sys.modules[module] = fresh
    try:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), vars(fresh))
    finally:
        sys.modules[module] = imported
    return vars(fresh)


def fresh_catalogue(monkeypatch: pytest.MonkeyPatch) -> list[Check]:
    """Every check module executed again into a new namespace, registering into an empty table."""
    load_checks()  # the real import first, so it cannot register into the empty table
    monkeypatch.setattr(base, "CHECKS", {})
    for package in PACKAGES:
        for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
            if info.name != "base" and not info.ispkg:
                run_afresh(f"{package}.{info.name}")
    return list(base.CHECKS.values())


def describe(c: Check) -> dict[str, Any]:
    return {
        "id": c.id, "exercise": c.exercise, "title": c.title, "points": c.points, "visibility": c.visibility,
        "hint": c.hint, "hint_for": list(c.hint_for), "tolerance": c.tolerance, "judge": c.judge.__name__,
        "probes": [{"id": p.id, "driver": p.driver, "group": p.group, "timeout": p.timeout, "needs": p.needs,
                    "exercise": p.exercise, "args": p.args, "digest": probe_digest(p)} for p in c.probes],
        "probes_digest": check_probes_digest(c),
    }


def test_a_fresh_import_declares_the_pinned_catalogue(monkeypatch: pytest.MonkeyPatch,
                                                        snapshot: Snapshot) -> None:
    assert secret.course_seed() == secret.DEVELOPMENT_SEED  # tests/conftest.py pins it
    loaded = {c.id: c for c in load_checks()}
    fresh = fresh_catalogue(monkeypatch)
    assert sorted(c.id for c in fresh) == sorted(loaded)
    # The fresh run draws the same hidden inputs as the import did: nothing depends on import order.
    assert [check_probes_digest(c) for c in fresh] == [check_probes_digest(loaded[c.id]) for c in fresh]
    snapshot.check({"checks": [describe(c) for c in fresh], "set_digest": check_set_digest(fresh)})


def test_another_seed_moves_every_hidden_check_and_no_public_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    def digests(c: Check, hidden: bool) -> list[str]:
        return [probe_digest(p) for p in c.probes if (p.group == base.HIDDEN_GROUP) == hidden]

    default = {c.id: c for c in fresh_catalogue(monkeypatch)}
    monkeypatch.setenv(secret.ENV, "another term")
    other = {c.id: c for c in fresh_catalogue(monkeypatch)}
    assert sorted(other) == sorted(default)
    for cid, c in default.items():
        assert digests(c, hidden=False) == digests(other[cid], hidden=False), cid
        if c.visibility == "hidden" and cid not in SEED_FREE:
            assert digests(c, hidden=True) != digests(other[cid], hidden=True), f"{cid} ignores the course seed"


def constant_digest(value: Any) -> str:
    """Arrays by dtype, shape and bytes; dataclasses (probes, options) field by field."""
    def default(o: Any) -> Any:
        if isinstance(o, np.ndarray):
            return [str(o.dtype), list(o.shape), hashlib.sha256(np.ascontiguousarray(o).tobytes()).hexdigest()]
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            return {f.name: getattr(o, f.name) for f in dataclasses.fields(o)}
        if callable(o):  # a family's function: its name (a repr holds an address)
            return getattr(o, "__qualname__", type(o).__name__)
        return repr(o)
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=default).encode()).hexdigest()


def test_oracle_constants_are_rebuilt_identically(snapshot: Snapshot) -> None:
    """Module-level inputs and tables of every oracle (the quiz reruns' hidden values, the MNIST
    forward inputs, the quiz options) are built again inside the test and must equal both the
    imported ones and the pinned digests."""
    package = importlib.import_module("grader.judging.oracles")
    pinned = {}
    for info in pkgutil.iter_modules(package.__path__):
        name = f"grader.judging.oracles.{info.name}"
        imported, fresh = vars(importlib.import_module(name)), run_afresh(name)
        for key, value in sorted(imported.items()):
            if key.isupper() and not callable(value) and not isinstance(value, ModuleType):
                assert constant_digest(fresh[key]) == constant_digest(value), f"{name}.{key}"
                pinned[f"{info.name}.{key}"] = constant_digest(value)
    assert "quiz_rerun.DROPOUT_RERUN" in pinned and "mlp_mnist.FORWARD_INPUTS" in pinned
    snapshot.check(pinned)


@pytest.mark.parametrize("seed", ["11", "987654321", "spring term"])
def test_other_seeds_declare_pinned_catalogues_too(seed: str, monkeypatch: pytest.MonkeyPatch,
                                                   snapshot: Snapshot) -> None:
    """One seed could hide a change in how inputs are drawn (a range bound, a retry); three rarely do."""
    monkeypatch.setenv(secret.ENV, seed)
    fresh = fresh_catalogue(monkeypatch)
    snapshot.check({c.id: check_probes_digest(c) for c in fresh})
