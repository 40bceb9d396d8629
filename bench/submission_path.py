"""The path of one submission from `grader grade` to its report.html: which grader modules run, and
how often the path climbs back up the layers.

    python bench/submission_path.py [--student mistakes] [--root CHECKOUT] [--list]

Builds the example class (grader.authoring.examples), keeps one student, and runs
`grader grade CLASS --out OUT --jobs 1` in this process with a profiler hook on every thread
(the batch judges and writes in its own thread). Only functions of `grader.*` count; module
bodies (imports), the standard library and third-party code do not, and neither does the worker
side, which runs in other processes. `--root` measures another checkout (e.g. /work/main) with
the same script.

Printed:
- modules run: distinct grader modules whose functions ran, by room (top-level package); this
  includes building the command line and the checks;
- modules on the submission's path: those whose functions were handed, or returned, the
  submission or what became of it (the Submission, its run key, its StudentResult,
  ExerciseResults or CheckResults, the batch's Graded);
- climbs: in the order modules are first visited, the steps that go to a module of a higher
  layer than the one before (the layers of the `stages-are-layered` contract in pyproject.toml,
  top first): each is the path returning to an upper room to go down again elsewhere;
- upward calls: distinct caller -> callee module pairs where the callee sits in a higher layer
  (a callback, such as the grading service handing a result to the batch's sink; a generator
  pulled by a lower module is not counted).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from inspect import CO_ASYNC_GENERATOR, CO_COROUTINE, CO_GENERATOR
from types import FrameType
from typing import Any

GENERATOR_FLAGS = CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--student", default="mistakes", help="which example student (default: %(default)s)")
parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1],
                    help="the checkout whose grader is measured (default: this one)")
parser.add_argument("--list", action="store_true", help="print every module visited, in order")


def layers_of(root: Path) -> list[list[str]]:
    """The `stages-are-layered` contract's layers, top first, each a list of module names."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        raise SystemExit("bench/submission_path.py needs Python 3.11 or later (tomllib)") from None
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    for contract in config["tool"]["importlinter"]["contracts"]:
        if contract.get("id") == "stages-are-layered":
            return [[m.strip() for m in layer.split("|")] for layer in contract["layers"]]
    raise SystemExit("no stages-are-layered contract in pyproject.toml")


def layer_index(module: str, layers: list[list[str]]) -> int | None:
    """0 for the top layer; None for a module no layer names (e.g. grader.progress)."""
    best: tuple[int, int] | None = None   # (prefix length, layer)
    for i, layer in enumerate(layers):
        for name in layer:
            if module == name or module.startswith(name + "."):
                if best is None or len(name) > best[0]:
                    best = (len(name), i)
    return None if best is None else best[1]


class Tracer:
    """Records the grader modules whose functions run, and the caller -> callee module pairs."""

    def __init__(self, tracked: tuple[type, ...]) -> None:
        self.tracked = tracked
        self.path: list[str] = []   # first visits of modules handed the submission or its results
        self.order: list[str] = []
        self.seen: set[str] = set()
        self.edges: set[tuple[str, str]] = set()
        self.lock = threading.Lock()

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event not in ("call", "return") or frame.f_code.co_name == "<module>":
            return
        module = frame.f_globals.get("__name__", "")
        if not (module == "grader" or module.startswith("grader.")):
            return
        if event == "return":
            if isinstance(arg, self.tracked) and module not in self.path:
                with self.lock:
                    self.path.append(module)
            return
        caller = frame.f_back
        while caller is not None and not str(caller.f_globals.get("__name__", "")).startswith("grader"):
            caller = caller.f_back
        with self.lock:
            if module not in self.seen:
                self.seen.add(module)
                self.order.append(module)
            if module not in self.path and self._handles(frame):
                self.path.append(module)
            # A generator's body runs when its consumer pulls: that is no call from the consumer.
            if caller is not None and not frame.f_code.co_flags & GENERATOR_FLAGS:
                source = str(caller.f_globals.get("__name__"))
                if source != module:
                    self.edges.add((source, module))


    def _handles(self, frame: FrameType) -> bool:
        """Whether an argument (or an item of a tuple argument) is the submission or one of its results."""
        for value in frame.f_locals.values():
            if isinstance(value, self.tracked):
                return True
            if isinstance(value, tuple) and any(isinstance(v, self.tracked) for v in value[:3]):
                return True
        return False


def climbs(order: list[str], layers: list[list[str]]) -> int:
    """Steps of `order` that go to a higher layer than the module before (unlayered modules skipped)."""
    ranked = [r for r in (layer_index(m, layers) for m in order) if r is not None]
    return sum(b < a for a, b in zip(ranked, ranked[1:]))


def main() -> int:
    args = parser.parse_args()
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["GRADER_ROOT"] = str(root)

    from grader.authoring.examples import build_example_class
    from grader.cli import main as grader_main
    from grader.discovery.discover import Submission
    from grader.model import CheckResult, ExerciseResult, StudentResult
    from grader.paths import Paths

    import grader
    if Path(grader.__file__).resolve().parents[1] != root:
        raise SystemExit(f"imported grader from {grader.__file__}, not from {root}")
    layers = layers_of(root)
    with tempfile.TemporaryDirectory(prefix="grader-path-") as tmp:
        folder = Path(tmp) / "class"
        made = build_example_class(Paths.discover(root), folder)
        entry = next((e for e in made if Path(e).stem == args.student), None)
        if entry is None:
            raise SystemExit(f"no example student {args.student!r}; choose from: {', '.join(made)}")
        for other in folder.iterdir():
            if other.name != entry:
                shutil.rmtree(other) if other.is_dir() else other.unlink()
        out = Path(tmp) / "out"
        tracked: list[type] = [Submission, StudentResult, ExerciseResult, CheckResult]
        try:  # the grading service's run key and delivery (since issue 17)
            from grader.grading import Graded, Run
            tracked += [Graded, Run]
        except ImportError:
            pass
        tracer = Tracer(tuple(tracked))
        threading.setprofile(tracer)
        sys.setprofile(tracer)
        try:
            code = grader_main(["grade", str(folder), "--out", str(out), "--jobs", "1", "--quiet",
                                "--dev-seed", "--allow-weak-isolation"])
        finally:
            sys.setprofile(None)
            threading.setprofile(None)  # type: ignore[arg-type]
        reports = sorted(out.rglob("report.html"))
        if code != 0 or not reports:
            raise SystemExit(f"grade exited {code} and wrote {len(reports)} report(s)")

    rank = {m: layer_index(m, layers) for m in tracer.order}
    upward = sorted((a, b) for a, b in tracer.edges
                    if layer_index(a, layers) is not None and layer_index(b, layers) is not None
                    and layer_index(b, layers) < layer_index(a, layers))  # type: ignore[operator]
    print(f"checkout: {root}")
    print(f"student: {entry}; reports written: {len(reports)}")
    for label, modules in (("modules run", tracer.order), ("modules on the submission's path", tracer.path)):
        rooms: dict[str, int] = {}
        for m in modules:
            room = ".".join(m.split(".")[:2])
            rooms[room] = rooms.get(room, 0) + 1
        print(f"{label}: {len(modules)}, climbing back up the layers {climbs(modules, layers)} times")
        print("  by room: " + ", ".join(f"{r} {n}" for r, n in sorted(rooms.items(), key=lambda kv: (-kv[1], kv[0]))))
    print(f"upward calls (callee in a higher layer than its caller): {len(upward)}")
    for a, b in upward:
        print(f"  {a} -> {b}")
    if args.list:
        print("the submission's path, in the order first visited (layer, 0 = top):")
        for m in tracer.path:
            print(f"  {rank[m] if rank[m] is not None else '-':>2}  {m}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
