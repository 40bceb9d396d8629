"""The student's code as the worker sees it: their files as importable modules,
the lookups drivers make in them, and the errors that are the student's own.

Bound in the zygote before any student code runs.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import re
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.sandbox import cellrun
from grader.sandbox.cellrun import Cell
from grader.sandbox.cells import CellNames, cell_names


class StudentIssue(Exception):
    """A problem with what the student wrote, reported as their error."""

    kind = "StudentIssue"


class MissingFunction(StudentIssue):
    kind = "MissingFunction"

    def __init__(self, name: str, what: str = "function") -> None:
        super().__init__(f"No {what} named `{name}` was found in your submission.")
        self.name = name


class CellFailed(MissingFunction):
    """A name a failed notebook cell should have defined (or that needs such a name); the
    message already says which cell and why, so the judge reports it as it is."""

    kind = "CellFailed"

    def __init__(self, name: str, message: str) -> None:
        StudentIssue.__init__(self, message)
        self.name = name


class NotDefined(MissingFunction):
    """A name no cell of a notebook that ran (some cells failing) defines: plainly missing,
    not the fault of the failed cells."""

    kind = "NotDefined"


class WrongType(StudentIssue):
    """The student returned something of the wrong kind."""

    kind = "WrongType"


# A converted notebook (grader.discovery.notebook) opens with this line, and each code
# cell with an `# In[n]:` line: the worker runs such a file cell by cell.
NOTEBOOK_HEADER = "# grader notebook: "
# `# In[7]: not run` marks a cell the graded names do not need: run only if one turns out to.
_CELL_MARK = re.compile(r"^# In\[(\d+)\]:( not run)?\s*$")
# Lines of a TensorFlow error message that are its own bookkeeping: stack headers, frames
# (grader and library files), node markers. The telling lines around them are kept.
_NOISE = re.compile(r"^\s*(Original stack trace for|Traceback \(most recent call last\)|Graph execution error|"
                    r"Detected at node .*defined at|During handling of the above exception|Node: '|"
                    r"\[\[.*\]\]\s*$|Errors may have originated from an input operation)")
_FRAME = re.compile(r'^\s*File "')
_PATH = re.compile(r"(?<![\w.])/(?:[\w.+-]+/)+([\w.+-]+)")
MAX_MESSAGE_LINES = 12


@dataclass
class _Source:
    name: str
    module_name: str
    code: str
    display: str = ""                   # what the student submitted: x.ipynb for a notebook
    cells: tuple[Cell, ...] = ()        # set for converted notebooks only
    full: str = ""                                        # a notebook's whole code, `code` what ran of it
    ran: set[int] = field(default_factory=set)            # cells run so far
    failed: dict[int, str] = field(default_factory=dict)  # cell -> "ValueError: ... (cell 3, line 2)"
    names: dict[int, CellNames] = field(default_factory=dict)

    def cell_names(self, cell: Cell) -> CellNames:
        if cell.number not in self.names:
            self.names[cell.number] = cell_names(cell.text)
        return self.names[cell.number]

    def mark_ran(self, number: int | None = None, error: str | None = None) -> None:
        """Record how cell `number` ran; `code` becomes the notebook's code with only the cells
        that ran without error (line numbers kept): what a driver that reruns the script
        (quiz_rerun) or reads it (quiz_kind) should see."""
        if number is not None and error is not None:
            self.failed[number] = error
        elif number is not None:
            self.ran.add(number)
        if not self.full:
            self.full = self.code
        lines = self.full.split("\n")
        for cell in self.cells:
            if cell.number not in self.ran:
                end = cell.first_line - 1 + cell.text.count("\n")
                lines[cell.first_line - 1:end] = [""] * (end - cell.first_line + 1)
        self.code = "\n".join(lines)


def notebook_cells(code: str) -> tuple[str, tuple[Cell, ...]]:
    """(notebook name, its code cells) for a converted notebook; ("", ()) for a plain script."""
    lines = code.split("\n")
    if not lines or not lines[0].startswith(NOTEBOOK_HEADER):
        return "", ()
    name = lines[0][len(NOTEBOOK_HEADER):].strip()
    marks = [(i, int(m[1]), not m[2]) for i, line in enumerate(lines) if (m := _CELL_MARK.match(line))]
    cells = []
    for k, (at, number, planned) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else len(lines)
        cells.append(Cell(number, at + 2, "\n".join(lines[at + 1:end]) + "\n", planned))
    return name, tuple(cells)


def clean_message(text: str) -> str:
    """An error message without TensorFlow's stacks of grader and library frames, without
    machine paths, and at most a dozen lines."""
    kept: list[str] = []
    in_frame = False
    for line in text.splitlines():
        if _FRAME.match(line):
            in_frame = True  # the frame's code line follows, indented deeper
            continue
        if in_frame and line[:1].isspace() and line.strip():
            in_frame = False
            continue
        in_frame = False
        if _NOISE.match(line) or (not line.strip() and (not kept or not kept[-1].strip())):
            continue
        kept.append(_PATH.sub(r"\1", line.rstrip()))
    while kept and not kept[-1].strip():
        kept.pop()
    if len(kept) > MAX_MESSAGE_LINES:
        kept = kept[:MAX_MESSAGE_LINES] + ["[...]"]
    return "\n".join(kept)


class StudentCode(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """The student's files, importable by their stem (`import relu_model`).

    It sits last on `sys.meta_path`, so a student file can never shadow numpy,
    tensorflow or the grader itself; a clashing stem is loaded under a private
    name instead.
    """

    def __init__(self, files: dict[str, str]) -> None:
        self.sources: dict[str, _Source] = {}
        self.modules: dict[str, types.ModuleType] = {}
        self.broken: set[str] = set()  # plain files that raised while loading
        for name in sorted(files):
            stem = Path(name).stem
            module_name = stem if stem.isidentifier() else f"_student_{len(self.sources)}"
            if module_name in sys.modules or module_name in self.sources:
                module_name = f"_student_{stem}_{len(self.sources)}"
            display, cells = notebook_cells(files[name])
            self.sources[module_name] = _Source(name, module_name, files[name], display or name, cells)

    # -- import protocol -------------------------------------------------
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname in self.sources:
            return importlib.util.spec_from_loader(fullname, self, origin=self.sources[fullname].name)
        return None

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        src = self.sources[module.__name__]
        module.__file__ = src.name
        self.modules[module.__name__] = module
        self.broken.add(module.__name__)  # until it has loaded: a missing name may be its fault
        code = compile(src.code, src.name, "exec", dont_inherit=True)
        exec(code, module.__dict__)
        self.broken.discard(module.__name__)

    # -- notebooks, cell by cell -----------------------------------------
    def source(self, file_name: str) -> _Source:
        return self.sources[self.module_for(file_name)]

    def new_module(self, file_name: str) -> types.ModuleType:
        """An empty module for `file_name`, registered as if imported (its cells run into it)."""
        src = self.source(file_name)
        module = types.ModuleType(src.module_name)
        module.__file__ = src.name
        module.__loader__ = self
        sys.modules[src.module_name] = module
        self.modules[src.module_name] = module
        src.mark_ran()
        return module

    def run_cell(self, module: types.ModuleType, cell: Cell) -> None:
        """Run one notebook cell; compiled at its own line numbers so tracebacks map back."""
        code = compile("\n" * (cell.first_line - 1) + cell.text, module.__file__ or "", "exec", dont_inherit=True)
        exec(code, module.__dict__)

    def cell_error(self, src: _Source, cell: Cell, exc: BaseException) -> str:
        """How a failed cell is quoted where a name it should have defined is looked up."""
        if isinstance(exc, SyntaxError):
            return f"SyntaxError: {exc.msg} ({self.where(src.name, exc.lineno)})"
        lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == src.name]
        at = f" ({self.where(src.name, lines[-1])})" if lines else ""
        text = clean_message(str(exc)).split("\n", 1)[0]
        return f"{type(exc).__name__}: {text[:200]}{at}" if text else f"{type(exc).__name__}{at}"

    def _run_left_out(self, name: str) -> bool:
        """Run the cells the plan left out that `name` turns out to need; True when any ran."""
        ran = False
        for src in self.sources.values():
            module = self.modules.get(src.module_name)
            if not src.cells or module is None:
                continue
            for cell in cellrun.cells_to_run(src, name):
                ran = True
                try:
                    self.run_cell(module, cell)
                except Exception as exc:  # noqa: BLE001 - student code may raise anything
                    src.mark_ran(cell.number, self.cell_error(src, cell, exc))
                else:
                    src.mark_ran(cell.number)
        return ran

    def _explained(self, name: str, what: str) -> MissingFunction:
        """The error for a name no file defines: a failed notebook cell's fault, or plainly missing."""
        notebooks = [s for s in self.sources.values() if s.cells and s.module_name in self.modules]
        for src in notebooks:
            reason = cellrun.missing_reason(src, self.modules[src.module_name].__dict__, name)
            if reason:
                return CellFailed(name, reason)
        if any(s.failed for s in notebooks) and not self.broken:
            return NotDefined(name, what)  # the failed cells do not define it: not their fault
        return MissingFunction(name, what)

    def _check_usable(self, module: types.ModuleType, name: str) -> None:
        src = self.sources.get(module.__name__)
        if src is not None and src.cells and src.failed:
            reason = cellrun.voided_reason(src, module.__dict__, name)
            if reason:
                raise CellFailed(name, reason)

    def where(self, file_name: str, line: int | None) -> str:
        """`relu.ipynb, cell 3, line 2` or `relu.py, line 2`: the student's own coordinates."""
        src = next((s for s in self.sources.values() if s.name == file_name), None)
        if src is None:
            return f"{file_name}, line {line}"
        if src.cells and line is not None:
            cell = next((c for c in reversed(src.cells) if c.first_line <= line), None)
            if cell is not None:
                return f"{src.display}, cell {cell.number}, line {line - cell.first_line + 1}"
        return f"{src.display}, line {line}"

    def format_traceback(self, exc: BaseException) -> str:
        """The traceback cut down to frames in the student's files, in their coordinates."""
        names = set(self.file_names())
        tb = traceback.TracebackException.from_exception(exc)
        lines = []
        for frame in tb.stack:
            if frame.filename in names:
                name, _, at = self.where(frame.filename, frame.lineno).partition(", ")
                lines.append(f'  File "{name}", {at}, in {frame.name}\n')
                if frame.line:
                    lines.append(f"    {frame.line.strip()}\n")
        head = "Traceback (most recent call last):\n" if lines else ""
        last = f"{type(exc).__name__}: {clean_message(str(exc))}\n" if str(exc) else f"{type(exc).__name__}\n"
        return head + "".join(lines) + last

    # -- lookups for drivers ---------------------------------------------
    def file_names(self) -> list[str]:
        return [s.name for s in self.sources.values()]

    def module_for(self, file_name: str) -> str:
        for s in self.sources.values():
            if s.name == file_name:
                return s.module_name
        raise KeyError(file_name)

    def _namespaces(self, prefer: str | None) -> Iterator[types.ModuleType]:
        mods = list(self.modules.values())
        if prefer:
            mods.sort(key=lambda m: Path(self.sources[m.__name__].name).stem != prefer)
        yield from mods

    def lookup(self, name: str, prefer: str | None = None) -> Any:
        """A top-level name from whichever file defines it, preferring `prefer`.py.

        A notebook cell left out of the plan runs now if it defines the name; a name a
        failed cell took with it is reported as such (CellFailed)."""
        for attempt in range(2):
            for mod in self._namespaces(prefer):
                if name in mod.__dict__:
                    self._check_usable(mod, name)
                    return mod.__dict__[name]
            if attempt or not self._run_left_out(name):
                break
        raise self._explained(name, "name")

    def function(self, name: str, prefer: str | None = None) -> Callable[..., Any]:
        for attempt in range(2):
            for mod in self._namespaces(prefer):
                obj = mod.__dict__.get(name)
                if callable(obj):
                    self._check_usable(mod, name)
                    return obj
            if attempt or not self._run_left_out(name):
                break
        raise self._explained(name, "function")


class DriverContext:
    """What a driver may use: the student's code, a scratch folder, the data."""

    def __init__(self, code: StudentCode, workdir: Path, exercise: str | None) -> None:
        self.code = code
        self.workdir = workdir
        self.exercise = exercise

    def function(self, name: str) -> Callable[..., Any]:
        return self.code.function(name, prefer=self.exercise)

    def constant(self, name: str) -> Any:
        return self.code.lookup(name, prefer=self.exercise)
