"""`grader.check("relu_model")`: the self-check from inside a notebook, shown inline.

What is checked: **the code cells you have run in this kernel, in the order you ran
them** (IPython's input history), as if they were one file `relu_model.py`. So
the check sees the functions as they are defined right now, saved or not; a cell
edited but not re-run still counts in its old form, as it does in the kernel.
Cells that call `grader.check(...)`, magics (`%...`) and shell escapes (`!...`)
are left out, exactly as when a notebook is graded.

Outside a kernel (plain Python, or `source="saved"`), the saved file is checked:
`<exercise>.ipynb` (else `.py`) in the current folder or in `exercises/`.

In Jupyter the result shows as the same HTML page as `reports/self-check.html`
(inside an isolated frame); elsewhere as the text `grader check` prints. A
runner is kept warm for the kernel's life, so the second check skips the
TensorFlow import. Student code still runs only in a worker, never in the kernel.
"""

from __future__ import annotations

import atexit
import html
import json
import re
from pathlib import Path
from typing import Any

from grader.errors import UsageError
from grader.model import StudentResult

CALL = re.compile(r"\bgrader\s*\.\s*check\s*\(")
_runner: list[Any] = []   # [context, runner] while a kernel keeps one warm


class CheckReport:
    """What `grader.check` returns: rich HTML in Jupyter, text in a terminal."""

    def __init__(self, result: StudentResult, notes: list[str], origin: str) -> None:
        self.result, self.notes, self.origin = result, notes, origin

    @property
    def passed(self) -> bool:
        return bool(self.result.checks) and all(c.status == "passed" for c in self.result.checks)

    def __str__(self) -> str:
        from grader.selfcheck import summary

        lines = [f"Checked {self.origin}."] + [f"Note: {n}" for n in self.notes] + [summary(self.result)]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from grader.reports.render import render_student

        page = render_student(self.result, view="student")
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        head = f"<p>Checked {html.escape(self.origin)}.</p>" + (f"<ul>{notes}</ul>" if notes else "")
        # srcdoc keeps the report's own stylesheet from restyling the notebook.
        return (f'{head}<iframe srcdoc="{html.escape(page, quote=True)}" '
                'style="width:100%;height:640px;border:1px solid #ccc"></iframe>')


def kernel_cells() -> list[str] | None:
    """The raw code of every cell run in this IPython kernel, in order (None outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None:
        return None
    history = getattr(shell, "history_manager", None)
    raw = list(getattr(history, "input_hist_raw", []) or [])
    return [cell for cell in raw[1:] if cell.strip() and not CALL.search(cell)]


def _as_source(cells: list[str], name: str) -> tuple[str, list[str]]:
    """Cells through the same conversion graded notebooks go through (magics skipped)."""
    from grader.discovery.notebook import notebook_to_source

    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [], "execution_count": None}
                    for c in cells]}
    converted = notebook_to_source(json.dumps(nb).encode(), name)
    return converted.source, list(converted.notes)


def saved_source(exercise: str, folder: Path | None = None) -> tuple[str, str, list[str]]:
    """(source, where from, notes) of the saved notebook or .py file, read as a graded file is
    (grader.discovery: size limits, encodings, notebook conversion)."""
    from grader.discovery.discover import read_submission
    from grader.errors import SubmissionError
    from grader.paths import Paths
    from grader.selfcheck import SELF_CHECK_ID, said_notes

    here = folder or Path.cwd()
    for base in (here, Paths.discover(here).exercises):
        # The notebook first: whoever calls grader.check() from a notebook works in one.
        path = next((p for p in (base / f"{exercise}.ipynb", base / f"{exercise}.py") if p.is_file()), None)
        if path is None:
            continue
        sub = read_submission(path, SELF_CHECK_ID)
        code = sub.files.get(f"{exercise}.py")
        if code is None:
            raise SubmissionError("; ".join(said_notes(sub)) or f"{path} could not be read")
        return code, str(path), list(sub.notes)
    raise UsageError(f"no {exercise}.ipynb or {exercise}.py here ({here}) or in exercises/")


def _warm_runner() -> Any:
    if not _runner:
        from grader.runner.choice import make_runner

        context = make_runner(None, 1)
        _runner[:] = [context, context.__enter__()]
        atexit.register(close)
    return _runner[1]


def close() -> None:
    """Stop the kept runner (also done when the kernel exits)."""
    if _runner:
        context = _runner[0]
        _runner.clear()
        context.__exit__(None, None, None)


def check(exercise: str, *, source: str = "auto") -> CheckReport:
    """Check one exercise with the public checks; `source` is "auto", "kernel" or "saved"."""
    from grader.catalog import EXERCISE_NAMES
    from grader.discovery.discover import Submission
    from grader.grading import grade_one
    from grader.judging.checks import load_checks
    from grader.reference import NO_REFERENCE
    from grader.selfcheck import SELF_CHECK_ID

    if exercise not in EXERCISE_NAMES:
        raise UsageError(f"unknown exercise {exercise!r}; choose from: {', '.join(EXERCISE_NAMES)}")
    if source not in ("auto", "kernel", "saved"):
        raise UsageError('source must be "auto", "kernel" or "saved"')
    cells = kernel_cells() if source != "saved" else None
    if source == "kernel" and cells is None:
        raise UsageError('source="kernel" works only inside Jupyter/IPython')
    if cells is not None:
        code, notes = _as_source(cells, f"{exercise}.ipynb")
        origin = f"the {len(cells)} cell(s) run in this notebook"
    else:
        code, origin, notes = saved_source(exercise)
    checks = load_checks((exercise,), include_hidden=False)
    try:
        sub = Submission(SELF_CHECK_ID, SELF_CHECK_ID, {f"{exercise}.py": code})
        result = grade_one(_warm_runner(), sub, checks, NO_REFERENCE, self_check=True)
    except Exception:
        close()  # a runner that failed once is not reused
        raise
    return CheckReport(result, notes, origin)
