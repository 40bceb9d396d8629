"""Hidden inputs drawn per submission, and the reference observations for them.

The catalogue's hidden probes carry inputs drawn from the course seed. At level `container` a worker
keeps the network, so a student could send those inputs home and hard-code the answers in a
resubmission, or hand them to a classmate. Grading therefore redraws them for each submission from
`secret.submission_seed(course seed, student id, digest of the submission's files)`
(grader.judging.checks.hidden.draws says how): a resubmission with other bytes or another student
gets other inputs, while the same files of the same student always get the same ones, which is what
a regrade, a resumed batch and `grader rejudge` rely on.

The reference for those inputs is computed here with numpy (the oracles of `draws`) instead of in a
worker per submission. Public probes, and hidden probes without drawn inputs (save_restore), keep
the shipped, cached or once-computed reference.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from grader.judging.checks.base import Check
from grader.judging.oracles.secret import course_seed, submission_seed
from grader.model import Observation

Args = dict[str, Any]


@dataclass(frozen=True)
class _Table:
    draw: Callable[[int, frozenset[str] | None], dict[str, Args]]
    oracles: dict[str, Callable[[Args], Any]]
    agrees: dict[str, Callable[[Args, Any], bool]]


@functools.cache
def _table() -> _Table:
    """The draws and oracles; none where the hidden package is absent (the student bundle)."""
    try:
        from grader.judging.checks.hidden import draws
    except ModuleNotFoundError:
        return _Table(lambda seed, exercises: {}, {}, {})
    return _Table(draws.draw_all, draws.ORACLES, draws.AGREES)


@functools.lru_cache(maxsize=64)
def _drawn(seed: int, exercises: frozenset[str] | None = None) -> dict[str, Args]:
    """Cached: a submission's two runs (main and alternate), its judging and its storing share one draw."""
    return _table().draw(seed, exercises)


def seed_for(student_id: str, digest: str) -> int:
    return submission_seed(course_seed(), student_id, digest)


def drawn_ids() -> frozenset[str]:
    """The probes whose inputs are drawn per submission."""
    return frozenset(_drawn(course_seed()))


def personalize(checks: Sequence[Check], student_id: str, digest: str) -> list[Check]:
    """`checks` with every drawn hidden probe's inputs drawn for this submission (other probes as they are)."""
    drawn = _drawn(seed_for(student_id, digest), frozenset(c.exercise for c in checks if c.visibility == "hidden"))
    if not drawn:
        return list(checks)
    out = []
    for c in checks:
        if not any(p.id in drawn for p in c.probes):
            out.append(c)
            continue
        probes = tuple(replace(p, args={**p.args, **drawn[p.id]}) if p.id in drawn else p for p in c.probes)
        out.append(replace(c, probes=probes))
    return out


def oracle_observations(checks: Sequence[Check]) -> dict[str, Observation]:
    """The reference observation of every drawn probe of `checks` that has an oracle, from its own inputs."""
    oracles = _table().oracles
    out = {}
    for c in checks:
        for p in c.probes:
            if p.id in oracles and p.id not in out:
                out[p.id] = Observation(p.id, value=oracles[p.id](p.args))
    return out


def personal_reference(reference: dict[str, Observation] | None,
                       checks: Sequence[Check]) -> dict[str, Observation] | None:
    """The reference to judge personalized `checks` with: the batch's, less its observations of the
    course-seed inputs of drawn probes (they would judge other inputs), plus the oracles' on these inputs.

    A judge that reads the reference of a drawn probe without an oracle then fails loudly
    (ReferenceSolutionError: missing) rather than compare with another submission's inputs.
    """
    if reference is None:
        return None
    drawn = drawn_ids()
    kept = {pid: obs for pid, obs in reference.items() if pid not in drawn}
    return {**kept, **oracle_observations(checks)}


def _agree(a: Any, b: Any) -> bool:
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(_agree(a[k], b[k]) for k in a))
    try:
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return bool(a == b)
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=1e-4, atol=1e-4))


def oracle_disagreements(reference: dict[str, Observation], checks: Sequence[Check]) -> list[str]:
    """The drawn probes of the catalogue's (course-seed) `checks` where the reference solution's
    observation differs from the oracle's: a formula here drifted from the reference solution."""
    agrees = _table().agrees
    args = {p.id: p.args for c in checks for p in c.probes}
    wrong = []
    for pid, obs in oracle_observations(checks).items():
        ref = reference.get(pid)
        if ref is None or ref.error is not None:
            continue  # a judge reading it reports the broken reference itself
        same = agrees[pid](args[pid], ref.value) if pid in agrees else _agree(obs.value, ref.value)
        if not same:
            wrong.append(pid)
    return sorted(wrong)
