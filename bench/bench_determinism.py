"""Do honest training submissions get the same verdict whatever the random seed? (issue 20, item 6)

The grader trains each submission once, under one fixed graph seed (grader.sandbox.tfsupport.GRAPH_SEED).
A verdict that holds at that seed but not at others is a coin flip that happens to land the same way
here; one that TensorFlow's thread scheduling could flip is too. So this script grades every accepted
style of the training exercises (train_mnist, train_and_save/restore_and_evaluate) under graph seeds
0..N-1 and prints, per style, how many seeds gave each verdict (and the accuracy range).

A "style" is a file the catalogue accepts as right: the reference solution and every
tests/submissions/correct/ file of the exercise. CONTROLS adds wrong answers whose named mistake must
not flip either (Adam: `other_optimizer` whatever accuracy it reaches). Each check's probes run in this process through the
real drivers (no sandbox: the code is ours or honest, and the sandbox changes no arithmetic), the
probes with `needs` on the value they need, and the real judge decides. The reference observations
for hidden checks come from the reference solution at the same seed.

    nice -n 10 .venv/bin/python bench/bench_determinism.py [--seeds 10] [--exercise mlp_mnist]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("GRADER_SECRET_SEED", "bench-determinism")

from grader.judging.checks import Check, load_checks  # noqa: E402
from grader.judging.judge import judge  # noqa: E402
from grader.model import ErrorInfo, Observation, Probe  # noqa: E402
from grader.pipeline import probes_for  # noqa: E402
from grader.sandbox import tfsupport  # noqa: E402
from grader.sandbox.drivers import DRIVERS  # noqa: E402

CORRECT = ROOT / "tests" / "submissions" / "correct"
# Wrong answers whose verdict must not flip either: named every time, whatever accuracy the seed gives.
CONTROLS = {"mlp_mnist": (ROOT / "tests" / "submissions" / "wrong" / "mlp_mnist" / "adam_optimizer.json",)}
# The probes of these drivers train a model: only the checks that use one are measured.
TRAINING_DRIVERS = {"mlp_mnist": ("mlp_mnist.train",),
                    "save_restore": ("save_restore", "restore_given", "verify_checkpoint")}


class Ctx:
    """The part of the worker's DriverContext the drivers use, over one imported module."""

    def __init__(self, module: ModuleType, workdir: Path, exercise: str) -> None:
        self.module, self.workdir, self.exercise = module, workdir, exercise
        self.code = self

    def function(self, name: str) -> Any:
        fn = getattr(self.module, name, None)
        if not callable(fn):
            raise NameError(f"{self.module.__name__} has no function {name}")
        return fn

    def constant(self, name: str) -> Any:
        return getattr(self.module, name)

    def format_traceback(self, exc: BaseException) -> str:
        return "".join(traceback.format_exception(exc))


def load(path: Path) -> ModuleType:
    """The style's module; a catalogue .json (a base file and edits) is applied first."""
    if path.suffix == ".json":
        doc = json.loads(path.read_text(encoding="utf-8"))
        source = (ROOT / doc["base"]).read_text(encoding="utf-8")
        for edit in doc["edits"]:
            assert edit["old"] in source, (path, edit["old"])
            source = source.replace(edit["old"], edit["new"])
        module = ModuleType(f"style_{path.stem}")
        exec(compile(source, str(path), "exec"), module.__dict__)
        return module
    spec = importlib.util.spec_from_file_location(f"style_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def set_seed(seed: int) -> None:
    """Every fresh_graph() the drivers open is seeded with `seed` (the default argument is read per call)."""
    tfsupport.new_default_graph.__defaults__ = (seed,)
    tfsupport.fresh_graph.__wrapped__.__defaults__ = (seed,)  # type: ignore[attr-defined]


def observe(module: ModuleType, probes: list[Probe], exercise: str) -> dict[str, Observation]:
    out: dict[str, Observation] = {}
    for p in probes:  # probes_for keeps check order: a `needs` probe comes after the one it needs
        args = dict(p.args)
        if p.needs is not None:
            args["artifact"] = out[p.needs].value
        with tempfile.TemporaryDirectory() as tmp:
            cwd = os.getcwd()
            os.chdir(tmp)
            try:
                value = DRIVERS[p.driver](Ctx(module, Path(tmp), exercise), **args)
                out[p.id] = Observation(p.id, value=value)
            except Exception as exc:  # noqa: BLE001 - the judge names it
                out[p.id] = Observation(p.id, error=ErrorInfo(type(exc).__name__, str(exc)[:300]))
            finally:
                os.chdir(cwd)
    return out


def accuracy_of(obs: dict[str, Observation]) -> float | None:
    for o in obs.values():
        v = o.value if isinstance(o.value, dict) else {}
        for key in ("accuracy", "saved_accuracy"):
            if isinstance(v.get(key), float):
                return float(v[key])
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--exercise", action="append", choices=sorted(TRAINING_DRIVERS))
    args = parser.parse_args()
    tfsupport.tf1()
    rows = []
    for exercise in args.exercise or sorted(TRAINING_DRIVERS):
        checks: list[Check] = [c for c in load_checks((exercise,))
                               if any(p.driver in TRAINING_DRIVERS[exercise] for p in c.probes)]
        probes = probes_for(checks)
        styles = [ROOT / "solutions" / f"{exercise}.py", *sorted(CORRECT.glob(f"{exercise}_*.py")),
                  *CONTROLS.get(exercise, ())]
        modules = {s: load(s) for s in styles}
        tally: dict[Path, Counter[str]] = {s: Counter() for s in styles}
        accuracies: dict[Path, list[float]] = {s: [] for s in styles}
        for seed in range(args.seeds):
            set_seed(seed)
            reference = observe(modules[styles[0]], probes, exercise)
            for style in styles:
                start = time.monotonic()
                obs = reference if style == styles[0] else observe(modules[style], probes, exercise)
                results = [judge(c, obs, reference) for c in checks]
                verdict = " ".join(f"{r.check_id.split('.', 1)[1]}={r.status if r.status != 'failed' else r.mistake}"
                                   for r in results if r.status != "passed") or "all passed"
                score = sum(r.score for r in results)
                tally[style][f"{score:g}/{sum(c.points for c in checks):g} {verdict}"] += 1
                acc = accuracy_of({p.id: obs[p.id] for p in probes[:1]})
                if acc is not None:
                    accuracies[style].append(acc)
                print(f"  seed {seed} {style.name}: {score:g} ({verdict}) acc={acc} "
                      f"{time.monotonic() - start:.1f}s", flush=True)
        for style in styles:
            accs = accuracies[style]
            span = f"{min(accs):.3f}-{max(accs):.3f}" if accs else "-"
            rows.append((exercise, style.relative_to(ROOT).as_posix(), span, dict(tally[style])))
    print("\n| exercise | style | accuracy over seeds | verdicts (count of seeds) |\n|---|---|---|---|")
    for exercise, style, span, tally_ in rows:
        verdicts = "; ".join(f"{v}: {n}" for v, n in sorted(tally_.items(), key=lambda kv: -kv[1]))
        print(f"| {exercise} | {style} | {span} | {verdicts} |")
    flips = [r for r in rows if len(r[3]) > 1]
    print(f"\n{len(rows)} styles, {args.seeds} seeds each: {len(flips)} with more than one verdict")


if __name__ == "__main__":
    main()
