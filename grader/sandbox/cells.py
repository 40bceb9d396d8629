"""Static analysis of notebook cells: which top-level names each cell defines and uses,
and which cells the graded names need.

Pure functions over source text (`ast` only, nothing is run), so both sides may use
them: discovery plans which cells a graded notebook runs (grader.discovery.notebook),
and the worker explains which names a failed cell took with it (grader.sandbox.student).

The analysis errs towards keeping a cell: a cell whose effect cannot be known
(`exec`, `globals()`, star-imports, `%run`, code that does not parse, ...) is always
kept, and every cell that (re)binds or mutates a needed name is kept, wherever it is.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from grader.catalog import EXERCISE_NAMES

# The top-level names the checks look up: functions the drivers call (ctx.function), the
# quiz's answer constants (ctx.constant) and the quiz-format scripts' `output`
# (tests/sandbox/test_notebook_cells.py keeps this list in step with the drivers and checks).
# Plus every exercise's own name: the function a new exercise's generic-driver probe calls
# (`grader new-exercise` names it after the exercise), so adding one edits no list here.
GRADED_NAMES = frozenset({
    "count_parameters", "count_variables", "relu_model", "make_parameters", "multilayer_perceptron",
    "train_mnist", "train_and_save", "restore_and_evaluate", "make_variables", "l2_regularized_loss",
    "dropout_model", "build_model", "LOGISTIC_PARAMETERS", "L2_DERIVATIVE", "DROPOUT_EVALUATION", "output",
}) | frozenset(EXERCISE_NAMES)

# Calls whose effect on the notebook's names cannot be known statically.
_OPAQUE_CALLS = frozenset({"exec", "eval", "globals", "locals", "vars", "__import__", "setattr", "delattr",
                           "get_ipython", "execfile", "runpy"})
_OPAQUE_ATTRS = frozenset({"modules", "__dict__", "run_path", "run_module", "import_module"})
# Skipped IPython lines that would have defined names in Jupyter (grader.discovery.notebook
# turns every IPython line into a `# [skipped ...]` comment).
# A whole cell skipped as a cell magic (`%%bash`) stays in too: it runs nothing either way.
_OPAQUE_MAGIC = re.compile(r"^\s*(pass\s*)?# \[skipped (((magic|cell magic)\]\s*%*(run|load|store|recall|macro)\b)"
                           r"|%%\w+ cell\])", re.M)


@dataclass(frozen=True)
class CellNames:
    defines: frozenset[str]  # top-level names the cell binds or mutates (imports, defs, assignments, x.append(...))
    uses: frozenset[str]     # global names it reads while it runs: their values come from cells above it
    later: frozenset[str]    # global names its functions and classes read when called: from any cell
    opaque: bool             # its effect cannot be known statically: always run
    imports: bool = False    # nothing but imports: cheap, and always run (students expect their imports to)
    # Names the cell binds by an import only, with the module: importing it again changes nothing.
    imported: frozenset[tuple[str, str]] = frozenset()


def _targets(node: ast.AST) -> set[str]:
    """Names bound or mutated by an assignment target (`a`, `a, b`, `a[0]`, `a.x`, `*a`)."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, (ast.Tuple, ast.List)):
        return {n for elt in node.elts for n in _targets(elt)}
    if isinstance(node, ast.Starred):
        return _targets(node.value)
    if isinstance(node, (ast.Subscript, ast.Attribute)):
        return _targets(node.value)  # `config["lr"] = 0.1` changes `config`
    return set()


class _Scan(ast.NodeVisitor):
    """One pass over a cell: bindings at module level, global reads everywhere."""

    def __init__(self) -> None:
        self.defines: set[str] = set()
        self.uses: set[str] = set()
        self.later: set[str] = set()
        self.imported: dict[str, set[str]] = {}  # top-level name -> the modules imports bind it to
        self.mutated: set[str] = set()
        self.opaque = False
        self.depth = 0             # > 0 inside a function or class body
        self.local: list[set[str]] = []

    # -- scopes ------------------------------------------------------------------
    def _bind(self, names: Iterable[str]) -> None:
        (self.local[-1] if self.depth else self.defines).update(names)

    def _scope(self, node: ast.AST, params: Iterable[str], body: Sequence[ast.AST]) -> None:
        local = set(params)
        declared: set[str] = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Global):
                declared.update(sub.names)
            elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                local.add(sub.id)
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and sub is not node:
                local.add(sub.name)
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                local.update((a.asname or a.name).split(".")[0] for a in sub.names)
        self.defines.update(declared)  # `global x` in a function: calling it rebinds x
        self.depth += 1
        self.local.append(local - declared)
        for stmt in body:
            self.visit(stmt)
        self.local.pop()
        self.depth -= 1

    def _read(self, name: str) -> None:
        if not any(name in scope for scope in self.local):
            (self.later if self.depth else self.uses).add(name)

    # -- definitions -------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for deco in node.decorator_list:
            self.visit(deco)
        args = node.args
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                self.visit(default)
        params = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
        params += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
        self._bind([node.name])
        self._scope(node, params, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr)
        self._bind([node.name])
        self._scope(node, (), node.body)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        args = node.args
        params = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
        self._scope(node, params, [node.body])

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self._import(a.asname or a.name.split(".")[0], a.name if a.asname else a.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if any(a.name == "*" for a in node.names):
            self.opaque = True
        for a in node.names:
            if a.name != "*":
                self._import(a.asname or a.name, f"{'.' * node.level}{node.module or ''}:{a.name}")

    def _import(self, name: str, module: str) -> None:
        if self.depth:
            self._bind([name])
        else:
            self.imported.setdefault(name, set()).add(module)

    # -- bindings and reads ------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._read(node.id)
        else:
            self._bind([node.id])

    def _store(self, targets: Iterable[ast.AST]) -> None:
        for target in targets:
            if not isinstance(target, ast.Name):
                self._bind(_targets(target))
            self.visit(target)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        self._store(node.targets)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        self._bind(_targets(node.target))
        if isinstance(node.target, ast.Name):
            self._read(node.target.id)
        else:
            self.visit(node.target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self._store([node.target])

    def visit_Delete(self, node: ast.Delete) -> None:
        self._bind(n for t in node.targets for n in _targets(t))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in _OPAQUE_CALLS:
            self.opaque = True
        if isinstance(func, ast.Attribute) and func.attr in _OPAQUE_ATTRS:
            self.opaque = True
        # `weights.append(w)` at top level changes `weights` (a module such as `tf` is not "changed").
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and not self.depth:
            self.mutated.add(func.value.id)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in _OPAQUE_ATTRS:
            self.opaque = True
        self.generic_visit(node)


def cell_names(text: str) -> CellNames:
    """What a (converted) cell defines and uses; opaque when it does not parse or hides its effect."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return CellNames(frozenset(), frozenset(), frozenset(), True)
    scan = _Scan()
    try:
        scan.visit(tree)
    except RecursionError:
        return CellNames(frozenset(), frozenset(), frozenset(), True)
    defines = scan.defines | (scan.mutated - set(scan.imported) - _MODULE_LIKE)
    imports = bool(tree.body) and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in tree.body)
    only = frozenset((n, next(iter(m))) for n, m in scan.imported.items() if len(m) == 1 and n not in defines)
    return CellNames(frozenset(defines | set(scan.imported)), frozenset(scan.uses), frozenset(scan.later),
                     scan.opaque or bool(_OPAQUE_MAGIC.search(text)), imports, only)


# Names almost always bound to modules: a call on them (`tf.reset_default_graph()`) changes no student name.
_MODULE_LIKE = frozenset({"tf", "np", "plt", "pd", "os", "sys", "math", "random", "time", "keras", "tensorflow",
                          "numpy", "json"})


def needed_cells(cells: Sequence[CellNames], wanted: Iterable[str]) -> tuple[bool, ...]:
    """Which cells to run so that every name in `wanted` ends as "Run All" would leave it.

    A cell is needed when it is opaque, holds only imports, or defines (or changes) a wanted name, or a name a
    needed cell reads, transitively. A name read while a cell runs needs the cells above
    it that define it; a name read inside a function needs every cell that defines it,
    wherever it stands, since the function reads it when it is called. Of cells that bind a
    name only by importing the same module, the first is enough.
    """
    need = [False] * len(cells)
    done: dict[str, int] = {}  # name -> the cells before this index that define it are needed
    demands = [(name, len(cells)) for name in wanted]

    def take(i: int) -> None:
        need[i] = True
        demands.extend((name, i) for name in cells[i].uses)
        demands.extend((name, len(cells)) for name in cells[i].later)

    for i, c in enumerate(cells):
        if c.opaque or c.imports:
            take(i)
    while demands:
        name, limit = demands.pop()
        if done.get(name, 0) >= limit:
            continue
        start, done[name] = done.get(name, 0), limit
        first_import: dict[str, int] = {}  # module -> the first cell importing `name` from it
        for i in range(limit):
            module = next((m for n, m in cells[i].imported if n == name), None)
            if module is not None:
                first_import.setdefault(module, i)
        same = len(first_import) == 1  # every import of `name` binds the same module: one of them is enough
        for i in range(start, limit):
            if need[i] or name not in cells[i].defines:
                continue
            module = next((m for n, m in cells[i].imported if n == name), None)
            if module is None or not same or first_import[module] == i:
                take(i)
    return tuple(need)


def not_run_note(numbers: Sequence[int]) -> str:
    """The note that says which cells were left out, in the student's cell numbers."""
    shown = ", ".join(str(n) for n in numbers)
    word = "cell" if len(numbers) == 1 else "cells"
    it = "it defines" if len(numbers) == 1 else "they define"
    return f"{word} {shown} not run: {it} nothing the graded functions use"
