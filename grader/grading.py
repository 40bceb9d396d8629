"""The grading service: the one way a submission becomes a StudentResult.

Every entry point grades through here: the batch (`grader grade`, `grade --student`) streams
many submissions with `grade_many`; run_autograder, the self-check and `grader.check()` in a
notebook grade one with `grade_one`; the pytest plugin runs one with `observe` and judges
per item. The service is given a runner, the checks and a ReferenceProvider
(grader.reference), and handles the student who changed both X.py and X.ipynb: both file sets
run, and each exercise keeps the better result (grader.discovery.choose).

A run's role is its key's type (`Reference`, or `Run` with `which` main or alternate),
never a string a student's folder name could collide with.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal, Protocol, Union

from grader.discovery.choose import label_sources, merge_best
from grader.discovery.discover import Submission
from grader.errors import ReferenceSolutionError, SandboxError, grader_error_text
from grader.judging.checks import Check
from grader.judging.personal import oracle_disagreements, personal_reference, personalize
from grader.model import Observation, Probe, RunOutcome, StudentResult
from grader.pipeline import error_result, grade_outcome, probes_for
from grader.reference import ReferenceProvider


@dataclass(frozen=True)
class Reference:
    """Run key of the reference solutions' run."""


@dataclass(frozen=True)
class Run:
    """Run key of one student's files: `main` as chosen, `alternate` with the other changed files."""

    student: str   # the submission's safe id
    which: Literal["main", "alternate"] = "main"
    runs: int = field(default=1, compare=False, repr=False)   # how many runs this student has (2 with an alternate)

    @property
    def cohort(self) -> tuple[str, int] | None:
        """The runner holds a student's hidden work until all their runs' public work is sealed
        (grader.runner.groups.cohort_clear): each run's public results reach the student."""
        return (self.student, self.runs) if self.runs > 1 else None


RunKey = Union[Reference, Run]
Item = tuple[RunKey, dict[str, str], Sequence[Probe]]


class OneRunner(Protocol):
    """A runner for one submission: `run` for one set of files, `run_many` for a student's runs together."""

    def run(self, files: dict[str, str], probes: Sequence[Probe]) -> RunOutcome: ...

    def run_many(self, items: Iterable[Item]) -> Iterator[tuple[RunKey, RunOutcome]]: ...


class ManyRunner(Protocol):
    def run_many(self, items: Iterable[Item]) -> Iterator[tuple[RunKey, RunOutcome]]: ...


@dataclass(frozen=True)
class Graded:
    """One finished submission, as handed to the batch to write."""

    submission: Submission
    result: StudentResult
    outcome: RunOutcome | None   # the main run's (kept for rejudging); None: the runs were not collected
    judge_seconds: float = 0.0
    # The checks as this submission ran them (hidden inputs drawn for it): its observations are stored
    # against these. Empty: the catalogue's.
    checks: tuple[Check, ...] = ()


class Sink(Protocol):
    """Where `grade_many` delivers (the batch writes): called from one writer thread, in finish order."""

    def reference_ready(self, observations: dict[str, Observation] | None, seconds: float) -> None: ...

    def graded(self, item: Graded) -> None: ...


@dataclass(frozen=True)
class Observed:
    """One run of a submission with the reference it is judged against (the pytest plugin judges per item)."""

    outcome: RunOutcome
    reference: dict[str, Observation] | None
    checks: tuple[Check, ...] = ()   # as they ran, when a submission drew its own hidden inputs


def alternate_files(sub: Submission) -> dict[str, str]:
    """The submission with each doubly-changed file replaced by its other version."""
    return {**sub.files, **{name: c.code for name, c in sub.alternates.items()}}


def submission_checks(sub: Submission, checks: Sequence[Check]) -> list[Check]:
    """`checks` with the hidden inputs drawn for this submission (its id and files): what its runs
    observe and what it is judged with (grader.judging.personal)."""
    return personalize(checks, sub.student_id, sub.digest)


def judge_submission(sub: Submission, main: RunOutcome, alternate: RunOutcome | None, checks: Sequence[Check],
                     reference: dict[str, Observation] | None, *, self_check: bool = False) -> StudentResult:
    """Judge and score a submission's run(s); never raises for the student's data.

    `checks` are those the runs observed (`submission_checks`); `reference` is the batch's, whose
    observations of drawn hidden inputs are replaced by the oracles' on this submission's inputs.
    `self_check`: the student's own check, whose notes are printed apart; files that could not
    load are not listed as problems and no submission digest is kept.
    """
    reference = personal_reference(reference, checks)

    def one(files: dict[str, str], outcome: RunOutcome) -> StudentResult:
        if self_check:
            return grade_outcome(sub.student_id, files, outcome, checks, reference, list_loads=False)
        return grade_outcome(sub.student_id, files, outcome, checks, reference, problems=sub.problems,
                             notes=sub.notes, digest=sub.digest)

    result = one(sub.files, main)
    if not sub.alternates or alternate is None:
        return label_sources(result, sub.origins)
    other = one(alternate_files(sub), alternate)
    return merge_best(result, other, sub.origins, {n: c.submitted for n, c in sub.alternates.items()})


def checked_reference(reference: dict[str, Observation] | None,
                      checks: Sequence[Check]) -> dict[str, Observation] | None:
    """The batch's reference, once its observations of the catalogue's hidden inputs are seen to agree
    with the oracles that compute each submission's hidden expected values (ReferenceSolutionError:
    a formula drifted from the reference solution, so no submission is judged with it)."""
    if reference is not None and (wrong := oracle_disagreements(reference, checks)):
        raise ReferenceSolutionError(f"the reference solution and the grader's formulas disagree on {', '.join(wrong)}: "
                                     "fix the formula in grader/judging/checks/hidden/draws.py or the solution")
    return reference


def observe(runner: OneRunner, files: dict[str, str], checks: Sequence[Check],
            reference: ReferenceProvider, submission: Submission | None = None) -> Observed:
    """The reference (obtained first: a broken one stops before student code runs), then one run of `files`.

    With the `submission` they come from, the run draws its own hidden inputs: judge each check as
    `Observed.checks` holds it, against `Observed.reference`.
    """
    known = checked_reference(reference.obtain(runner, checks), checks)
    if submission is None:
        return Observed(runner.run(files, probes_for(checks)), known)
    mine = submission_checks(submission, checks)
    return Observed(runner.run(files, probes_for(mine)), personal_reference(known, mine), tuple(mine))


def grade_one(runner: OneRunner, sub: Submission, checks: Sequence[Check], reference: ReferenceProvider, *,
              self_check: bool = False, run_empty: bool = True) -> StudentResult:
    """Grade one submission: its files, and again with the alternates when it has any.

    `run_empty=False` judges a submission without files without starting a worker.
    """
    known = checked_reference(reference.obtain(runner, checks), checks)
    checks = submission_checks(sub, checks)
    probes = probes_for(checks)

    if not sub.alternates:
        main = runner.run(sub.files, probes) if sub.files or run_empty else RunOutcome({})
        return judge_submission(sub, main, None, checks, known, self_check=self_check)
    # Both runs in one call, as in a batch: the runner holds the hidden work until both public runs are sealed.
    outcomes = dict(runner.run_many(student_runs(sub, probes)))
    return judge_submission(sub, outcomes[Run(sub.safe_id)], outcomes[Run(sub.safe_id, "alternate")], checks,
                            known, self_check=self_check)


def student_runs(sub: Submission, probes: Sequence[Probe]) -> list[Item]:
    """The runs of one student, in order: their files, then the alternates when they have any. Two
    runs form one cohort (`Run.cohort`): the runner holds the student's hidden work until both
    public runs are sealed, since both runs' public results reach the student."""
    if not sub.alternates:
        return [(Run(sub.safe_id), sub.files, probes)]
    return [(Run(sub.safe_id, "main", 2), sub.files, probes),
            (Run(sub.safe_id, "alternate", 2), alternate_files(sub), probes)]


def grade_many(runner: ManyRunner, subs: Sequence[Submission], checks: Sequence[Check],
               reference: ReferenceProvider, sink: Sink) -> None:
    """Run every submission (the reference first, alongside them, unless it is known) and hand each
    result to `sink` as it finishes.

    Judging happens in one writer thread, so the runner refills a worker slot as soon as a
    student finishes instead of after their files are written. A failure of the sink (or an
    interrupt) stops the stream as if the run was killed there; a collecting failure after the
    reference is known becomes a grader error for every student not yet delivered.
    """
    _Stream(runner, subs, checks, reference, sink).run()


class _Stream:
    """The state of one `grade_many`: outcomes waiting for the reference or for their other half."""

    def __init__(self, runner: ManyRunner, subs: Sequence[Submission], checks: Sequence[Check],
                 reference: ReferenceProvider, sink: Sink) -> None:
        self.runner, self.subs, self.checks, self.provider, self.sink = runner, subs, checks, reference, sink
        self.by_safe = {s.safe_id: s for s in subs}
        self.reference: dict[str, Observation] | None = None
        self.ready = False
        self.waiting: list[tuple[Run, RunOutcome]] = []           # arrived before the reference
        self.halves: dict[str, dict[str, RunOutcome]] = {}        # safe id -> which -> outcome
        self.delivered: set[str] = set()
        self.failed: list[BaseException] = []

    def _items(self) -> Iterator[Item]:
        first: list[Item] = []
        if self.provider.wanted:
            known = self.provider.known(self.checks)
            if known is not None:
                self._reference_ready(known, 0.0)
            else:
                first = [(Reference(), *self.provider.run_item(self.checks))]
        else:
            self._reference_ready(None, 0.0)
        return itertools.chain(first, self._runs())

    def _runs(self) -> Iterator[Item]:
        """Each student's runs, one after the other: their hidden work waits for all of them.
        Each submission runs its own hidden inputs, drawn as its item is taken (not all up front)."""
        for s in self.subs:
            yield from student_runs(s, self._probes(s))

    def _probes(self, sub: Submission) -> list[Probe]:
        return probes_for(submission_checks(sub, self.checks))

    def _reference_ready(self, observations: dict[str, Observation] | None, seconds: float) -> None:
        self.reference, self.ready = checked_reference(observations, self.checks), True
        self.sink.reference_ready(observations, seconds)

    def run(self) -> None:
        started = time.monotonic()
        items = self._items()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="grader-writer") as writer:
            try:
                for key, outcome in self.runner.run_many(items):
                    if isinstance(key, Reference):
                        self._reference_ready(self.provider.accept(outcome, self.checks),
                                              time.monotonic() - started)
                        for run, earlier in self.waiting:
                            writer.submit(self._finish, run, earlier)
                        self.waiting.clear()
                    elif not self.ready:
                        self.waiting.append((key, outcome))
                    else:
                        writer.submit(self._finish, key, outcome)
                    if self.failed:
                        break
            except (ReferenceSolutionError, SandboxError):
                raise
            except Exception as exc:  # noqa: BLE001 - collecting failed mid-run: the rest are retried later
                if not self.ready:  # nobody can be judged: the grader's failure, not a student's
                    raise SandboxError(f"the workers failed before the reference finished: "
                                       f"{type(exc).__name__}: {exc}") from exc
                why = grader_error_text("running the workers (collecting results)", exc)
                writer.shutdown(wait=True)
                for sub in self.subs:
                    if sub.safe_id not in self.delivered and not self.failed:
                        self._deliver(Graded(sub, error_result(sub.student_id, self.checks, [why],
                                                               problems=sub.problems, digest=sub.digest), None))
        if self.failed:
            raise self.failed[0]

    def _deliver(self, item: Graded) -> None:
        self.sink.graded(item)
        self.delivered.add(item.submission.safe_id)

    def _finish(self, run: Run, outcome: RunOutcome) -> None:
        """Judge one student once all their runs are in, and deliver them (in the writer thread)."""
        if self.failed:
            return  # an earlier student failed: stop as if the run was killed there
        try:
            started = time.monotonic()
            sub = self.by_safe[run.student]
            runs = self.halves.setdefault(run.student, {})
            runs[run.which] = outcome
            if sub.alternates and len(runs) < 2:
                return  # the other run of this student is still going
            del self.halves[run.student]
            checks = submission_checks(sub, self.checks)
            result = judge_submission(sub, runs["main"], runs.get("alternate"), checks, self.reference)
            self._deliver(Graded(sub, result, runs["main"], time.monotonic() - started, tuple(checks)))
        except BaseException as exc:  # interrupts, a broken reference: stop the batch
            self.failed.append(exc)
            raise
