"""`grader new-exercise NAME`: the files of a new exercise with public checks and the generic driver.

What an exercise declares, and where, after this command (CONTRIBUTING.md says the same):
- solutions/NAME.py            the reference solution with its answer marked (written here);
- exercises/NAME.py and .ipynb the student's stub and notebook, generated from it as `grader assign` does;
- grader/judging/checks/NAME.py the lesson's inputs, the right answer in numpy, the known mistakes with
                                their teaching words, and one public check: found by scanning the
                                package, its points are the exercise's points;
- grader/catalog.py            one line (name, title, order): the list workers and discovery read
                                without importing any check.
The generic driver (`call`) is the probes' default, so no driver is written. The scaffold is a
working exercise (a function that adds two arrays) for the author to rewrite, so the
course's tests pass from the first minute.

It writes into the course's source tree (`paths.root / "grader"`), not into the installed
package, so it runs in the course repository and refuses anywhere else.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from grader.authoring.assign import make_notebook, make_stub
from grader.catalog import EXERCISE_NAMES
from grader.errors import UsageError
from grader.paths import Paths

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# The last line of the EXERCISES tuple in grader/catalog.py: the new line goes right above it.
CATALOGUE_END = re.compile(r"^\)\s*$", re.MULTILINE)
DEFAULT_POINTS = 5


@dataclass(frozen=True)
class Scaffolded:
    """What `new_exercise` did: files created and files changed, relative to the course root."""

    created: tuple[Path, ...]
    changed: tuple[Path, ...]

    @property
    def touched(self) -> tuple[Path, ...]:
        return self.created + self.changed


def check_name(name: str, known: tuple[str, ...] = EXERCISE_NAMES) -> None:
    """NAME becomes a module name (exercises/NAME.py) and a check id prefix: refuse what cannot be one."""
    if not NAME.match(name) or keyword.iskeyword(name):
        raise UsageError(f"exercise name {name!r} must be a lower-case Python identifier, like demo_sum")
    if name in known:
        raise UsageError(f"exercise {name!r} already exists")


def solution_text(name: str, title: str, order: int) -> str:
    return f'''"""Exercise {order}: {title}.

Write `{name}(x, y)`: it returns x + y, element by element, as a tensor.
(Written by `grader new-exercise`: replace this text, the function and the marked answer.)

Check your work with `grader check {name}`.
"""

import tensorflow.compat.v1 as tf


def {name}(x, y):
    """Return x + y as a tensor.

    x, y: float tensors of the same shape.
    """
    # TODO: add x and y with TensorFlow.
    # BEGIN SOLUTION
    return tf.add(x, y)
    # END SOLUTION
'''


def checks_text(name: str, title: str, order: int, points: int) -> str:
    return f'''"""Public checks for exercise {order}, {name}: {title}.

Everything the exercise declares is here: the lesson's inputs, the right answer in numpy (the
student bundle has no solutions), the known mistakes with their messages and teaching words,
and the checks. Their points are the exercise's points. The probe uses the generic driver
(grader/sandbox/drivers/call.py): `{name}` is called on constant tensors made from `args`.
Written by `grader new-exercise {name}`; when hidden checks come, move the inputs, answer and
mistakes to grader/judging/oracles/{name}.py so both check modules share them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grader.judging.checks.base import Declare, Evidence, Fail

EXERCISE = "{name}"
LESSON_INPUTS = ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[0.5, -1.0, 2.0], [1.5, 0.0, -3.0]])  # x, y
TOL = 1e-5


def expected(x: object, y: object) -> np.ndarray:
    return np.add(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))


# Known mistakes: id -> (what the student reads, what the instructor's dashboard calls it, what it returns).
# Messages name the student's function; public checks may quote the lesson's inputs.
MISTAKES: dict[str, tuple[str, str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {{
    "subtracted": ("`{name}` returned x - y; it should add y to x.", "subtracted instead of added",
                   lambda x, y: x - y),
    "first_input_only": ("`{name}` returned x unchanged; add y to it.", "returned the first input unchanged",
                         lambda x, y: x),
}}
TEACHING_WORDS = {{mistake: words for mistake, (_, words, _) in MISTAKES.items()}}

ex = Declare(EXERCISE)
LESSON = ex.probe("lesson", function="{name}", args=list(LESSON_INPUTS))


@ex.check("lesson_inputs", "{name} on the lesson's inputs", points={points}, probes=[LESSON],
          hint="Add the two tensors element by element: tf.add(x, y), or x + y.", tolerance=(TOL, TOL))
def lesson_inputs(ev: Evidence) -> str:
    got = ev.array(LESSON)
    x, y = (np.asarray(v, dtype=np.float64) for v in LESSON_INPUTS)
    want = expected(x, y)
    tolerance = (TOL, TOL)
    if got.shape != want.shape:
        raise Fail(f"`{name}` returned shape {{list(got.shape)}}; x and y have shape {{list(want.shape)}}.",
                   mistake="wrong_shape", expected=want, got=got, tolerance=tolerance)
    if np.allclose(got, want, rtol=TOL, atol=TOL):
        return "x + y, element by element."
    for mistake, (message, _, family) in MISTAKES.items():
        if np.allclose(got, family(x, y), rtol=TOL, atol=TOL):
            raise Fail(message, mistake=mistake, expected=want, got=got, tolerance=tolerance)
    raise Fail("`{name}` does not return x + y on the lesson's inputs.", mistake="wrong_values",
               expected=want, got=got, tolerance=tolerance)
'''


def catalogue_with(text: str, name: str, title: str, order: int) -> str:
    """grader/catalog.py with the new exercise's line appended to EXERCISES."""
    start = text.find("EXERCISES: tuple")
    end = CATALOGUE_END.search(text, start) if start >= 0 else None
    if end is None:
        raise UsageError("grader/catalog.py has no `EXERCISES: tuple[...] = (` ... `)` block to add the exercise to")
    line = f"    Exercise({json.dumps(name)}, {json.dumps(title)}, {order}),\n"
    return text[:end.start()] + line + text[end.start():]


def new_exercise(paths: Paths, name: str, *, title: str | None = None, points: int = DEFAULT_POINTS) -> Scaffolded:
    """Write a new exercise's files into the course at `paths.root`; refuse to overwrite anything."""
    source = paths.root / "grader"
    catalogue = source / "catalog.py"
    if not catalogue.is_file() or not paths.solutions.is_dir():
        raise UsageError(f"{paths.root} is not the course repository (no grader/catalog.py or solutions/): "
                         "`grader new-exercise` writes the course's source files")
    check_name(name, _names_in(catalogue))  # the course's file: in a copy it may differ from the imported one
    if points <= 0:
        raise UsageError("--points must be positive")
    title = title or name.replace("_", " ").capitalize()
    order = _orders_in(catalogue) + 1
    stub_source = solution_text(name, title, order)
    stub = make_stub(stub_source, f"solutions/{name}.py")
    new_files = {
        paths.solutions / f"{name}.py": stub_source,
        paths.exercises / f"{name}.py": stub,
        paths.exercises / f"{name}.ipynb": make_notebook(stub, name),
        source / "judging" / "checks" / f"{name}.py": checks_text(name, title, order, points),
    }
    clash = [p for p in new_files if p.exists()]
    if clash:
        raise UsageError("would overwrite " + ", ".join(str(p.relative_to(paths.root)) for p in clash))
    updated = catalogue_with(catalogue.read_text(encoding="utf-8"), name, title, order)
    compile(updated, str(catalogue), "exec", dont_inherit=True)  # never leave a catalogue that cannot import
    paths.exercises.mkdir(parents=True, exist_ok=True)
    for path, text in new_files.items():
        path.write_text(text, encoding="utf-8")
    catalogue.write_text(updated, encoding="utf-8")
    rel = paths.root
    return Scaffolded(created=tuple(p.relative_to(rel) for p in new_files), changed=(catalogue.relative_to(rel),))


_CATALOGUE_LINE = re.compile(r'^\s*Exercise\("(?P<name>\w+)",\s*".*?",\s*(?P<order>\d+)\)', re.MULTILINE)


def _names_in(catalogue: Path) -> tuple[str, ...]:
    """The names in the course's catalogue file."""
    return tuple(m["name"] for m in _CATALOGUE_LINE.finditer(catalogue.read_text(encoding="utf-8")))


def _orders_in(catalogue: Path) -> int:
    return max((int(m["order"]) for m in _CATALOGUE_LINE.finditer(catalogue.read_text(encoding="utf-8"))), default=0)
