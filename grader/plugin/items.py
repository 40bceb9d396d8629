"""The plugin's collection tree and the one worker run its items share."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from grader.judging.checks import EXERCISES, Check, load_checks
from grader.model import CheckResult, Observation

if TYPE_CHECKING:
    from grader.reference import ReferenceProvider

RUN_KEY = pytest.StashKey["SessionRun"]()


class CheckFailed(Exception):
    """A check's verdict was failed or error; the message is the feedback."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.message)
        self.result = result


class SessionRun:
    """Runs the probes of every selected check once, on first use, then judges per item."""

    def __init__(self, config: pytest.Config, source: Path, course: bool) -> None:
        self.config, self.source, self.course = config, source, course
        self.files: dict[str, str] = {}
        self.notes: list[str] = []
        self.outcome: Any = None
        self.reference: dict[str, Observation] | None = None
        self.sub: Any = None
        self.ran: dict[str, Check] = {}   # checks as the run drew their hidden inputs (grader.grading.observe)

    def _read(self) -> None:
        from grader.discovery.discover import read_submission
        from grader.selfcheck import said_notes, student_files

        # Where both X.py and X.ipynb changed, the plugin judges the one `grader check` tries first.
        sub = read_submission(self.source) if self.course else student_files(self.source)
        self.files, self.notes = dict(sub.files), said_notes(sub)
        if self.course:  # an untrusted submission: its hidden inputs are drawn for it (grader.grading.observe)
            self.sub = sub

    def start(self, checks: list[Check]) -> None:
        from grader.errors import IsolationRefused
        from grader.grading import observe
        from grader.reference import NO_REFERENCE
        from grader.runner import isolation
        from grader.runner.choice import make_runner

        self._read()
        # --grader-submission runs someone else's code: the same refusal as `grader grade`.
        need = (replace(isolation.UNTRUSTED, allow_weak=isolation.allowed_by_env()) if self.course
                else isolation.TRUSTED)
        try:
            with make_runner(None, 1, need=need) as runner:
                observed = observe(runner, self.files, checks, course_reference() if self.course else NO_REFERENCE,
                                   self.sub)
                self.reference, self.outcome = observed.reference, observed.outcome
                self.ran = {c.id: c for c in observed.checks}
        except IsolationRefused as exc:  # raised on entering, before any student code ran
            pytest.exit(f"grader: {exc}", returncode=exc.exit_code)

    def verdict(self, check: Check) -> CheckResult:
        from grader.judging.judge import judge

        return judge(self.ran.get(check.id, check), self.outcome.observations, self.reference, self.outcome.loads)


def course_reference() -> ReferenceProvider:
    """The reference solutions' observations: cached in .grader-cache/ while solutions and probes stay
    the same; a computed one covers every check, so the cache serves any later selection."""
    from grader.paths import Paths
    from grader.reference import ReferenceProvider

    paths = Paths.discover()
    return ReferenceProvider(solutions=paths.solutions, cache_root=paths.root, compute_for=tuple(load_checks()))


class GraderFile(pytest.File):
    """The bundle's marker file, or the submission given with --grader-submission."""

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        course = self.config.getoption("--grader-submission", None) is not None
        checks = load_checks(include_hidden=course)
        if RUN_KEY not in self.config.stash:
            source = self.path if course else self.path.parent / "exercises"
            self.config.stash[RUN_KEY] = SessionRun(self.config, source, course)
        for ex in EXERCISES:
            mine = [c for c in checks if c.exercise == ex.name]
            if mine:
                yield ExerciseNode.from_parent(self, name=ex.name, checks=mine)


class ExerciseNode(pytest.Collector):
    def __init__(self, *, checks: list[Check], **kw: Any) -> None:
        super().__init__(**kw)
        self.checks = checks

    def collect(self) -> Iterator[pytest.Item]:
        for c in self.checks:
            yield CheckItem.from_parent(self, name=c.id.split(".", 1)[-1], check=c)


class CheckItem(pytest.Item):
    def __init__(self, *, check: Check, **kw: Any) -> None:
        super().__init__(**kw)
        self.check = check
        self.add_marker(check.visibility)
        self.user_properties += [("points", check.points), ("visibility", check.visibility),
                                 ("exercise", check.exercise), ("check_id", check.id)]

    def runtest(self) -> None:
        run = self.config.stash[RUN_KEY]
        if run.outcome is None:
            selected = [i.check for i in self.session.items if isinstance(i, CheckItem)]
            run.start(selected)
        result = run.verdict(self.check)
        self.user_properties.append(("score", result.score))
        if result.status == "passed":
            return
        # "Not attempted" fails too: a skipped item leaves pytest's exit status 0, so the bundle's
        # workflow (and a Classroom test running pytest) would be green before any work was done.
        if run.course and result.status == "error" and "could not judge" in result.message:
            self._judge_directly(run)  # under --pdb, stop where the judge crashed
        raise CheckFailed(result)

    def _judge_directly(self, run: SessionRun) -> None:
        from grader.judging.checks.base import Evidence

        self.check.judge(Evidence(self.check, run.outcome.observations, run.reference))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            from grader.selfcheck import format_check

            # The run's notes are shown once, in the terminal summary (pytest_terminal_summary),
            # not under every failed item.
            return format_check(excinfo.value.result)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.check.id}: {self.check.title}"


def flatten(node: pytest.Collector) -> list[pytest.Item]:
    out: list[pytest.Item] = []
    for child in node.collect():
        if isinstance(child, pytest.Item):
            out.append(child)
        else:
            out.extend(flatten(child))
    return out
