"""Turning reference solutions into what students get: stubs and notebooks.

Markers in a solution file:
- a block between `# BEGIN SOLUTION` and `# END SOLUTION` becomes a TODO that
  raises NotImplementedError (at the block's indentation);
- a line ending in `# SOLUTION` that assigns a value (`ANSWER = 7850  # SOLUTION`)
  becomes `ANSWER = None  # TODO: your answer`.

`assign()` regenerates exercises/<name>.py and exercises/<name>.ipynb for every
solutions/<name>.py that exists (other helpers add solutions as they go), and
in check mode only reports what is out of date.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import ExitCode, GraderError, OutOfDateError
from grader.paths import Paths
from grader.judging.oracles.secret import ensure_seed

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
INLINE = re.compile(r"^(?P<head>\s*[A-Za-z_][A-Za-z0-9_]*\s*(?::[^=]+)?=)\s*.*#\s*SOLUTION\s*$")
STRAY = re.compile(r"#\s*(BEGIN|END)?\s*SOLUTION\b")

NOTEBOOK_KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


class MarkerError(GraderError, ValueError):
    """A solution file's markers are unbalanced, or the stub they give is not valid Python."""

    exit_code = ExitCode.BAD_SOLUTIONS


def make_stub(source: str, name: str = "<solution>") -> str:
    """The student's version of a solution file: every marked part replaced by a TODO."""
    out: list[str] = []
    inside = False
    begun = 0
    for number, line in enumerate(source.splitlines(), start=1):
        begin = BEGIN.match(line)
        if begin:
            if inside:
                raise MarkerError(f"{name}:{number}: nested BEGIN SOLUTION")
            inside, begun = True, number
            indent = begin["indent"]
            out.append(f"{indent}# TODO: write your code here.")
            out.append(f'{indent}raise NotImplementedError("not written yet")')
            continue
        if END.match(line):
            if not inside:
                raise MarkerError(f"{name}:{number}: END SOLUTION without BEGIN")
            inside = False
            continue
        if inside:
            continue
        inline = INLINE.match(line)
        if inline:
            out.append(f"{inline['head']} None  # TODO: your answer")
            continue
        if STRAY.search(line):
            # A marker we do not understand must not ship its answer by accident.
            raise MarkerError(f"{name}:{number}: a SOLUTION marker that is neither a BEGIN/END line "
                              "nor at the end of an assignment")
        out.append(line)
    if inside:
        raise MarkerError(f"{name}:{begun}: BEGIN SOLUTION is never closed")
    stub = "\n".join(out) + "\n"
    try:
        compile(stub, name, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise MarkerError(f"{name}: the stub is not valid Python ({exc.msg}, stub line {exc.lineno}); "
                          "check where the markers sit") from exc
    return stub


def solution_blocks(source: str) -> list[str]:
    """The answer text a stub must never contain: marked blocks and inline answers."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in source.splitlines():
        if BEGIN.match(line):
            current = []
        elif END.match(line):
            if current is not None:
                blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
        elif INLINE.match(line):
            blocks.append(line.split("#")[0].strip())
    return blocks


# -- notebooks -----------------------------------------------------------------

def _docstring_markdown(doc: str, name: str) -> str:
    """The module docstring as markdown: its first line becomes the title."""
    lines = doc.strip("\n").splitlines()
    title = lines[0].strip() if lines else name
    body = "\n".join(lines[1:]).strip("\n")
    text = f"# {title}\n"
    if body:
        text += "\n" + body + "\n"
    text += (f"\nWrite your code in the cells below, then submit this notebook as `{name}.ipynb`. "
             "When grading, a line that starts with `%` or `!` is skipped and the rest of its cell still runs "
             "(a `%%time` cell runs its code; a `%%bash` or other non-Python `%%` cell is skipped whole). Only the cells "
             "your functions need are run (imports, definitions, the names they use), so exploring and "
             "training cells cost nothing, and a cell that fails costs only what needs it.\n")
    # In a notebook the command-line check would read exercises/<name>.py, not this notebook.
    return CLI_CHECK.sub(lambda m: f'`grader.check("{m[1]}")` (the last cell)', text)


CLI_CHECK = re.compile(r"`grader check (\w+)`")


def check_cells(name: str) -> tuple[str, str]:
    """The markdown and code cells that end every generated notebook."""
    return ("## Check your work\n\nRun the cell below. It checks the cells you have run in this notebook "
            "(saved or not) with the public checks and shows the result here. Hidden checks with other "
            "inputs run when your work is graded; this cell is skipped then.",
            f'import grader\ngrader.check("{name}")')


def _code_cells(stub: str) -> list[str]:
    """The stub without its docstring, cut before each top-level def/class (with its comments)."""
    tree = ast.parse(stub)
    lines = stub.splitlines()
    body = list(tree.body)
    skip_to = 0
    first_node = body[0] if body else None
    if isinstance(first_node, ast.Expr) and isinstance(first_node.value, ast.Constant) \
            and isinstance(first_node.value.value, str):
        skip_to = first_node.end_lineno or 0
        body = body[1:]
    starts: list[int] = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            # Keep the comment lines right above a definition with it.
            while first - 2 >= skip_to and lines[first - 2].lstrip().startswith("#"):
                first -= 1
            starts.append(first)
    cuts = sorted({skip_to + 1, *starts})
    cells = []
    for i, start in enumerate(cuts):
        end = cuts[i + 1] - 1 if i + 1 < len(cuts) else len(lines)
        text = "\n".join(lines[start - 1:end]).strip("\n")
        if text.strip():
            cells.append(text)
    return cells


def make_notebook(stub: str, name: str) -> str:
    """An nbformat 4 notebook (as JSON text) for a stub: markdown from the docstring, then code.

    Cell ids are fixed so regenerating gives identical bytes (assign --check compares them).
    """
    import nbformat
    from nbformat import v4

    doc = ast.get_docstring(ast.parse(stub), clean=True) or f"Exercise {name}"
    cells: list[Any] = [v4.new_markdown_cell(_docstring_markdown(doc, name), id=f"{name}-intro")]
    for i, code in enumerate(_code_cells(stub), start=1):
        cells.append(v4.new_code_cell(code, id=f"{name}-{i}"))
    note, call = check_cells(name)
    cells.append(v4.new_markdown_cell(note, id=f"{name}-check-note"))
    cells.append(v4.new_code_cell(call, id=f"{name}-check"))
    nb = v4.new_notebook(cells=cells, metadata={"kernelspec": NOTEBOOK_KERNEL,
                                                "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return str(nbformat.writes(nb, version=4)) + "\n"


# -- assign --------------------------------------------------------------------

@dataclass(frozen=True)
class Generated:
    path: Path
    text: str


def solution_files(paths: Paths) -> list[Path]:
    """solutions/<name>.py files, whatever exists right now."""
    if not paths.solutions.is_dir():
        raise GraderError(f"no solutions folder at {paths.solutions}: `grader assign` runs in the course "
                          "repository, not in a student bundle")
    return sorted(p for p in paths.solutions.glob("*.py") if not p.name.startswith("_"))


def generate(paths: Paths) -> list[Generated]:
    """Every file `grader assign` writes, with its content."""
    out: list[Generated] = []
    for solution in solution_files(paths):
        name = solution.stem
        stub = make_stub(solution.read_text(encoding="utf-8"), str(solution))
        out.append(Generated(paths.exercises / f"{name}.py", stub))
        out.append(Generated(paths.exercises / f"{name}.ipynb", make_notebook(stub, name)))
    return out


def out_of_date(paths: Paths) -> list[Path]:
    """Generated files whose content on disk differs from what assign would write."""
    stale = []
    for g in generate(paths):
        try:
            current = g.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if current != g.text:
            stale.append(g.path)
    return stale


def assign(paths: Paths, *, check: bool = False) -> list[Path]:
    """Regenerate exercises/ from solutions/; return the files changed.

    With check=True nothing is written: OutOfDateError lists what would change.
    """
    if check:
        stale = out_of_date(paths)
        if stale:
            shown = ", ".join(str(p.relative_to(paths.root)) for p in stale)
            raise OutOfDateError(f"exercises/ is out of date with solutions/ ({shown}); run `grader assign`")
        return []
    changed = []
    ensure_seed(paths)  # the course's secret seed for hidden inputs, kept beside the solutions, never released
    paths.exercises.mkdir(parents=True, exist_ok=True)
    for g in generate(paths):
        if not g.path.exists() or g.path.read_text(encoding="utf-8") != g.text:
            g.path.write_text(g.text, encoding="utf-8")
            changed.append(g.path)
    return changed
