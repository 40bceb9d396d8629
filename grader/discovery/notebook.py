"""Turning a submitted Jupyter notebook (nbformat 4) into one Python source.

Only code cells count, in order; stored outputs are ignored. IPython-only
syntax (line magics `%...`, cell magics `%%...`, shell escapes `!...`,
`x = !cmd`, `obj?` help) is never run: each such line becomes a comment, so
every other line keeps a stable number, and a note says what was skipped.
Cells are numbered by position in the notebook (markdown cells count too),
since execution counts change on every run. Each code cell starts with an
`# In[n]` marker line, so a traceback's line number
can be mapped back to "cell n, line m" with `NotebookSource.where()`.
The first line names the notebook (`# grader notebook: x.ipynb`): the worker
then runs the code cell by cell, each with its own time limit, and points
errors at "x.ipynb, cell n, line m" (grader.sandbox.student reads both markers).
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass
from typing import Any

from grader.errors import SubmissionError
from grader.sandbox.cells import GRADED_NAMES, cell_names, needed_cells, not_run_note

# `import grader; grader.check("relu_model")`: the last cell of every generated notebook.
SELF_CHECK_CELL = re.compile(r"\s*import grader\s*[;\n]\s*grader\.check\(\s*(['\"])\w+\1[^()\n]*\)\s*;?\s*")

NOTEBOOK_HEADER = "# grader notebook: "  # the same marker as grader.sandbox.student.NOTEBOOK_HEADER
NOT_RUN = " not run"  # `# In[7]: not run`: a cell the graded names do not need (grader.sandbox.student reads it)
CELL_MARK = re.compile(r"^# In\[\d+\]:")  # a student's line that looks like our marker is shifted off it

MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024   # a notebook with big stored plots is still fine
MAX_CODE_CHARS = 1024 * 1024             # the code itself: far beyond any honest answer
MAX_NOTES = 20

# Cell magics whose body is ordinary Python: drop the magic line, keep the body.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})

LINE_MAGIC = re.compile(r"^\s*(?P<sigil>%|!)")
ASSIGNED_MAGIC = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*(\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*\s*=\s*(?P<sigil>%|!)")
HELP = re.compile(r"^\s*(\?\??[A-Za-z_][\w.]*|[A-Za-z_][\w.]*\?\??)\s*$")
CELL_MAGIC = re.compile(r"^\s*%%(?P<name>[A-Za-z_]\w*)")


@dataclass(frozen=True)
class NotebookSource:
    source: str
    notes: tuple[str, ...]
    # (cell number as shown in the note/marker, first line of that cell in `source`)
    cells: tuple[tuple[int, int], ...] = ()

    def where(self, line: int) -> str:
        """`"cell 3, line 2"` for a line number of `source` (1-based)."""
        found: tuple[int, int] | None = None
        for cell, first in self.cells:
            if first <= line:
                found = (cell, first)
        if found is None:
            return f"line {line}"
        return f"cell {found[0]}, line {line - found[1] + 1}"


def _cell_text(cell: dict[str, Any], number: int) -> str:
    source = cell.get("source", "")
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    raise SubmissionError(f"notebook cell {number}: its source is not text "
                          "(expected a string or a list of strings).")


def _compiles(text: str) -> bool:
    try:
        compile(text, "<cell>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def _skipped(line: str, why: str) -> str:
    """A comment that stands in for a skipped line (indented like it, so blocks stay valid)."""
    indent = line[: len(line) - len(line.lstrip())]
    return f"{indent}pass  # [skipped {why}] {line.strip()}" if indent else f"# [skipped {why}] {line.strip()}"


_UNTOKENIZABLE = re.compile("[\x00\ud800-\udfff]")


def _ipython_kind(line: str) -> str | None:
    """What IPython syntax `line` is ("magic", "shell command", "help"), or None for Python."""
    if m := ASSIGNED_MAGIC.match(line) or LINE_MAGIC.match(line):
        return "shell command" if m["sigil"] == "!" else "magic"
    return "help" if HELP.match(line) else None


def _string_lines(lines: list[str]) -> set[int]:
    """Indexes of the lines that begin inside a multi-line string: text, never a magic.

    The cell is tokenized with a `#` in front of every line that looks like IPython syntax: outside
    a string that makes it a comment, inside one it only adds a character to the text (a closing
    quote on the line still closes it). If even that does not tokenize, no line is known to be text.
    """
    probe = "\n".join("#" + ln if _ipython_kind(ln) else ln for ln in lines) + "\n"
    # Lone surrogates and NUL are only ever text here; some tokenizers (3.12+) refuse them outright.
    probe = _UNTOKENIZABLE.sub("x", probe)
    inside: set[int] = set()
    opened: list[int] = []  # start rows of the f-strings open (Python 3.12+ tokenizes their parts)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(probe).readline):
            name = tokenize.tok_name[tok.type]
            if name == "FSTRING_START":
                opened.append(tok.start[0])
            elif name in ("STRING", "FSTRING_END"):
                start = opened.pop() if name == "FSTRING_END" and opened else tok.start[0]
                inside.update(range(start, tok.end[0]))  # rows start..end-1 are indexes start+1..end
    except Exception:  # noqa: BLE001 - a probe only: any tokenizer failure (3.13.0 raises SystemError) means "unknown"
        return set()
    return inside


def _clean_cell(text: str, number: int, notes: list[str]) -> list[str]:
    lines = text.split("\n")
    first = next((ln for ln in lines if ln.strip()), "")
    cell_magic = CELL_MAGIC.match(first)
    if cell_magic:
        name = cell_magic["name"]
        if name not in PYTHON_BODY_CELL_MAGICS:
            notes.append(f"cell {number}: skipped the whole cell (cell magic %%{name} is not Python)")
            return [f"# [skipped %%{name} cell] {ln}" if ln.strip() else "" for ln in lines]
        notes.append(f"cell {number}: skipped the line %%{name}; the rest of the cell is Python, graded like any cell")
        at = lines.index(first)
        lines[at] = _skipped(first, "cell magic")
    # Plain Python (even with `%` or `!` inside strings) is left exactly as written.
    rest = "\n".join(lines)
    if _compiles(rest):
        return lines
    out: list[str] = []
    continuing = False
    text_lines = _string_lines(lines)
    for index, line in enumerate(lines):
        if index in text_lines and not continuing:
            out.append(line)  # inside a string literal: text, whatever it looks like
            continue
        kind = "magic" if continuing else _ipython_kind(line)
        if kind is None:
            out.append(line)
            continue
        if continuing:
            # A continuation line may be indented any way: a bare comment never breaks a block.
            out.append(f"# [skipped {kind}] {line.strip()}")
        else:
            notes.append(f"cell {number}: skipped IPython {kind} `{line.strip()[:60]}` (never run)")
            out.append(_skipped(line, kind))
        continuing = line.rstrip().endswith("\\")
    return out


def notebook_to_source(data: bytes, name: str, wanted: frozenset[str] | None = GRADED_NAMES) -> NotebookSource:
    """The code cells of notebook `name` as one Python source, plus notes on what was skipped.

    Only the cells the names in `wanted` need are marked to run (grader.sandbox.cells); the
    others stay in the source, marked `not run`, so the worker can still run one a graded
    function turns out to need. A notebook that defines none of `wanted` runs every cell,
    and so does any notebook when `wanted` is None.

    Raises SubmissionError (with a message for the student) when the file is
    not an nbformat 4 notebook with at least one non-empty code cell.
    """
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(f"{name}: the notebook is {len(data) // (1024 * 1024)} MB; the limit is "
                              f"{MAX_NOTEBOOK_BYTES // (1024 * 1024)} MB (clear large outputs before submitting).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubmissionError(f"{name}: the notebook is not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"{name}: the notebook is not valid JSON (line {exc.lineno}: {exc.msg}); "
                              "was it saved completely?") from exc
    if not isinstance(nb, dict):
        raise SubmissionError(f"{name}: not a Jupyter notebook (the JSON is not an object).")
    version = nb.get("nbformat")
    if version != 4:
        shown = "missing" if version is None else repr(version)
        raise SubmissionError(f"{name}: notebook format version {shown} is not supported; "
                              "save it from Jupyter 4 or later (nbformat 4).")
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise SubmissionError(f"{name}: the notebook has no list of cells.")

    notes: list[str] = []
    shown = "".join(ch if ch.isprintable() else "_" for ch in name)[:200]
    out: list[str] = [f"{NOTEBOOK_HEADER}{shown}"]
    starts: list[tuple[int, int]] = []
    code: list[tuple[int, list[str]]] = []
    for index, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise SubmissionError(f"{name}: notebook cell {index} is not an object.")
        if cell.get("cell_type") != "code":
            continue
        body = _cell_text(cell, index)
        if not body.strip() or SELF_CHECK_CELL.fullmatch(body):
            continue  # the self-check cell `grader assign` ends each notebook with is ours, not graded code
        lines = [" " + ln if CELL_MARK.match(ln) else ln for ln in _clean_cell(body, index, notes)]
        code.append((index, lines))
    if not code:
        raise SubmissionError(f"{name}: the notebook has no code cells with code in them.")
    run = _plan([lines for _, lines in code], wanted)
    for (index, lines), runs in zip(code, run):
        out.append(f"# In[{index}]:" + ("" if runs else NOT_RUN))
        starts.append((index, len(out) + 1))
        out.extend(lines)
        out.append("")
    if not all(run):
        notes.insert(0, not_run_note([index for (index, _), runs in zip(code, run) if not runs]))
    source = "\n".join(out) + "\n"
    if len(source) > MAX_CODE_CHARS:
        raise SubmissionError(f"{name}: the notebook's code is {len(source)} characters; "
                              f"the limit is {MAX_CODE_CHARS}.")
    _schema_note(nb, notes)
    if len(notes) > MAX_NOTES:
        notes[MAX_NOTES:] = [f"... and {len(notes) - MAX_NOTES} more skipped lines"]
    return NotebookSource(source, tuple(notes), tuple(starts))


def _plan(cells: list[list[str]], wanted: frozenset[str] | None) -> tuple[bool, ...]:
    """Which cells run: those the wanted names need, or all when the notebook defines none of them."""
    if wanted is None:
        return tuple(True for _ in cells)
    names = [cell_names("\n".join(lines)) for lines in cells]
    if not any(n.defines & wanted for n in names):
        return tuple(True for _ in cells)
    return needed_cells(names, wanted)


def _schema_note(nb: dict[str, Any], notes: list[str]) -> None:
    """Schema problems that did not stop us are worth a note, not a rejection."""
    import warnings

    import nbformat

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "cell is missing an id": harmless for grading
            nbformat.validate(nbformat.from_dict(nb), version=4)
    except nbformat.ValidationError as exc:
        notes.append(f"the notebook does not fully follow the nbformat 4 schema ({exc.message[:120]}); "
                     "its code was read anyway")
    except Exception:  # noqa: BLE001 - the validator itself must never sink a submission
        pass
