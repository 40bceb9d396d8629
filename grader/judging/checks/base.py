"""How checks are declared: probes to run in the worker, and a judge to run here.

A check is pytest-like: its judge is a plain function that reads the
student's observations (and the reference solution's, from the same probes)
and raises `Fail` with feedback written for the student. It runs in the
trusted process only, on decoded plain data. Inputs, right answers and
mistake families live in grader/judging/oracles/<exercise>.py.

    ex = Declare(EXERCISE)
    LESSON = ex.probe("lesson", "relu_model", **LESSON_INPUTS)        # id "relu_model.lesson"

    @ex.check("lesson_inputs", "ReLU network on the quiz's inputs", points=3, probes=[LESSON],
              hint="Apply tf.nn.relu to the hidden layer only.", tolerance=(1e-4, 1e-4))
    def lesson_inputs(ev: Evidence) -> None:
        got, want = ev.array(LESSON), relu_logits(LESSON_INPUTS)
        if not np.allclose(got, want, rtol=1e-4, atol=1e-4):
            raise Fail("...", mistake="relu_missing", expected=want, got=got)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from grader.catalog import EXERCISE_NAMES, EXERCISES, Exercise  # noqa: F401 - re-exported
from grader.errors import ReferenceSolutionError
from grader.model import Observation, Probe, Visibility
from grader.judging.messages import say

Tolerance = tuple[float, float]  # (rtol, atol)


class Fail(Exception):
    """The student's answer is wrong; `message` tells them why.

    `student_message` is the text a student may read when the check is hidden:
    it names the mistake but never the inputs or expected values (judge.py
    falls back to a generic sentence naming the mistake). `hint` replaces the
    check's hint when the mistake seen needs another one. `tolerance` is the
    (rtol, atol) the judge compared with, for reports.
    """

    def __init__(self, message: str, *, mistake: str | None = None, expected: Any = None, got: Any = None,
                 student_message: str | None = None, hint: str | None = None,
                 tolerance: Tolerance | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.mistake = mistake
        self.expected = expected
        self.got = got
        self.student_message = student_message
        self.hint = hint
        self.tolerance = tolerance


class NotAttempted(Exception):
    """The student left this part as the stub gave it."""


class ProbeFailed(Exception):
    """The student's code raised (or the worker was stopped) during a probe."""

    def __init__(self, observation: Observation) -> None:
        super().__init__(observation.error.message if observation.error else "failed")
        self.observation = observation


GENERIC_DRIVER = "call"  # grader/sandbox/drivers/call.py: `function` called on `args`, its result evaluated


def probe(id: str, driver: str, *, exercise: str, timeout: float = 30.0, group: str = "main",
          **args: Any) -> Probe:
    """A probe whose driver looks up functions in `exercise`.py first (checks declare probes
    through `Declare.probe`, where the generic driver is the default)."""
    return Probe(id=id, driver=driver, args=dict(args), timeout=timeout, exercise=exercise, group=group)


Judge = Callable[["Evidence"], "str | None"]


@dataclass(frozen=True)
class Check:
    id: str                    # "<exercise>.<name>", stable: reports and grades key on it
    exercise: str
    title: str
    points: float
    visibility: Visibility
    probes: tuple[Probe, ...]
    judge: Judge
    hint: str = ""
    # (rtol, atol) of the judge's numeric comparison, for reports; None when it compares exactly.
    tolerance: Tolerance | None = None
    # The mistakes the hint is about; empty: the hint fits any failure. Another mistake gets
    # its own Fail(hint=...) or none (its message already says what to change).
    hint_for: tuple[str, ...] = ()

    def hint_on(self, mistake: str | None) -> str:
        return self.hint if not self.hint_for or mistake in self.hint_for else ""


class Evidence:
    """What a judge may look at: observations of the student and the reference."""

    def __init__(self, check: Check, student: dict[str, Observation],
                 reference: dict[str, Observation] | None) -> None:
        self.check = check
        self._student = student
        self._reference = reference or {}

    def observation(self, p: Probe | str) -> Observation:
        pid = p if isinstance(p, str) else p.id
        obs = self._student.get(pid)
        if obs is None:
            raise KeyError(pid)
        return obs

    def value(self, p: Probe | str) -> Any:
        obs = self.observation(p)
        if obs.error is not None:
            raise ProbeFailed(obs)
        return obs.value

    def array(self, p: Probe | str, key: str | None = None) -> np.ndarray:
        value = self.value(p)
        if key is not None:
            value = value[key] if isinstance(value, dict) and key in value else None
        return _as_array(value)

    def reference(self, p: Probe | str) -> Any:
        pid = p if isinstance(p, str) else p.id
        obs = self._reference.get(pid)
        if obs is None or obs.error is not None:
            why = obs.error.message if obs is not None and obs.error else "missing"
            raise ReferenceSolutionError(f"reference solution has no result for probe {pid}: {why}")
        return obs.value

    def reference_array(self, p: Probe | str, key: str | None = None) -> np.ndarray:
        value = self.reference(p)
        if key is not None:
            value = value[key]
        return _as_array(value)


def _as_array(value: Any) -> np.ndarray:
    """Observations were type-checked by drivers; still refuse anything odd here."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value.astype(np.float64)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return np.asarray(float(value))
    if isinstance(value, list):
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            pass
        else:
            return arr
    raise Fail(say("wrong_type"), mistake="wrong_type")


def compare_logits_with_mistakes(got: np.ndarray, want: np.ndarray,
                                 mistakes: dict[str, tuple[str, np.ndarray]], *,
                                 shape_message: str, otherwise: str, tol: float = 1e-4,
                                 hints: dict[str, str] | None = None) -> None:
    """Return if `got` matches `want`; else raise Fail naming the first known
    mistake (message, logits it gives) that `got` matches, or `otherwise`.

    Mistake messages and `otherwise` must not quote inputs or values: they are
    also what a hidden check shows the student. `hints` replace the check's hint for the mistakes
    they name, where the check's hint would not fit what the student did.
    """
    tolerance = (tol, tol)
    if got.shape != want.shape:
        raise Fail(shape_message, mistake="wrong_shape", expected=want, got=got, tolerance=tolerance,
                   student_message=say("wrong_shape.student"))
    if not np.all(np.isfinite(got)):
        raise Fail(say("not_finite"), mistake="not_finite", expected=want, got=got,
                   tolerance=tolerance, student_message=say("not_finite.student"))
    if np.allclose(got, want, rtol=tol, atol=tol):
        return
    for mistake, (message, candidate) in mistakes.items():
        if candidate.shape == got.shape and np.allclose(got, candidate, rtol=tol, atol=tol):
            raise Fail(message, mistake=mistake, expected=want, got=got, tolerance=tolerance,
                       student_message=message, hint=(hints or {}).get(mistake))
    raise Fail(otherwise, mistake="wrong_values", expected=want, got=got, tolerance=tolerance,
               student_message=otherwise)


CHECKS: dict[str, Check] = {}
HIDDEN_GROUP = "hidden"


def check(exercise: str, name: str, title: str, *, points: float, probes: Sequence[Probe],
          visibility: Visibility = "public", hint: str = "", tolerance: Tolerance | None = None,
          hint_for: Sequence[str] = ()) -> Callable[[Judge], Judge]:
    """Register a check; the decorated function is its judge.

    A hidden check's probes run in the hidden worker group, so hidden inputs
    never share a worker with anything a student reads.
    """

    def register(fn: Judge) -> Judge:
        cid = f"{exercise}.{name}"
        if cid in CHECKS:
            raise ValueError(f"check {cid} registered twice")
        ps = tuple(replace(p, group=HIDDEN_GROUP) if visibility == "hidden" and p.group == "main" else p
                   for p in probes)
        CHECKS[cid] = Check(cid, exercise, title, float(points), visibility, ps, fn, hint, tolerance, tuple(hint_for))
        return fn

    return register


@dataclass(frozen=True)
class Declare:
    """Probes and checks of one exercise, so its name is written once per module:

        ex = Declare("relu_model")
        LESSON = ex.probe("lesson", "relu_model", features=...)      # id "relu_model.lesson"
        SUM = ex.probe("sum", function="demo_sum", args=[x, y])      # the generic driver
        @ex.check("lesson_inputs", "...", points=4, probes=[LESSON])

    An exercise's points are the sum of its checks' points (`exercise_points`): nothing else declares them.
    """

    exercise: str

    def probe(self, name: str, driver: str = GENERIC_DRIVER, /, *, timeout: float = 30.0, group: str = "main",
              **args: Any) -> Probe:
        return probe(f"{self.exercise}.{name}", driver, exercise=self.exercise, timeout=timeout, group=group,
                     **args)

    def check(self, name: str, title: str, *, points: float, probes: Sequence[Probe],
              visibility: Visibility = "public", hint: str = "", tolerance: Tolerance | None = None,
              hint_for: Sequence[str] = ()) -> Callable[[Judge], Judge]:
        return check(self.exercise, name, title, points=points, probes=probes, visibility=visibility,
                     hint=hint, tolerance=tolerance, hint_for=hint_for)


def exercise_points(checks: Sequence[Check]) -> dict[str, float]:
    """exercise -> its points, the sum of its checks' points, in the order the checks come."""
    out: dict[str, float] = {}
    for c in checks:
        out[c.exercise] = out.get(c.exercise, 0.0) + c.points
    return out


# -- digests: one definition of "the same probes", for resume, rejudge, shards and shipped references --

def _digestable(value: object) -> str:
    """Arrays by their bytes (their repr elides the middle), anything else by repr."""
    tobytes = getattr(value, "tobytes", None)
    if callable(tobytes):
        return f"{getattr(value, 'dtype', '')}{getattr(value, 'shape', '')}" + hashlib.sha256(tobytes()).hexdigest()
    return repr(value)


def _sha(spec: object) -> str:
    text = json.dumps(spec, sort_keys=True, default=_digestable)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def probe_digest(p: Probe) -> str:
    """Everything about a probe that shapes what it observes (its inputs, hidden ones included)."""
    return _sha([p.id, p.driver, p.args, p.timeout, p.exercise, p.group, p.needs])


def check_probes_digest(c: Check) -> str:
    """A check's probes: when it changes, stored observations cannot judge the check."""
    return _sha([probe_digest(p) for p in c.probes])


def check_set_digest(checks: Sequence[Check]) -> str:
    """Changes whenever a check, its points or its probes (inputs included) change."""
    return _sha([[c.id, c.exercise, c.visibility, c.points, check_probes_digest(c)] for c in checks])
