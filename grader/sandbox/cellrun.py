"""A notebook's cells at run time, in the worker: which cells a missing name still needs,
and why a name is not usable when a cell failed ("Run All" with errors allowed).

grader.sandbox.student calls these from its lookups; they read the notebook's
cells (grader.sandbox.student._Source) and module namespace, and run nothing.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from grader.sandbox.cells import CellNames, needed_cells

MAX_REASON = 300  # characters of a failed cell's error quoted in a name's message


@dataclass(frozen=True)
class Cell:
    number: int      # position in the notebook, as Jupyter users count cells
    first_line: int  # line of the converted source where the cell's code starts
    text: str
    planned: bool = True  # False: the graded names do not need it (run only when one does)


class _Source(Protocol):
    """What these functions read of a notebook (grader.sandbox.student._Source)."""

    display: str
    cells: tuple[Cell, ...]
    ran: set[int]
    failed: dict[int, str]

    def cell_names(self, cell: Cell) -> CellNames: ...


def _definers(src: _Source, name: str) -> list[Cell]:
    return [c for c in src.cells if name in src.cell_names(c).defines]


def cells_to_run(src: _Source, name: str) -> list[Cell]:
    """The cells left out of the plan that `name` needs, in notebook order (none ran yet)."""
    left = [c for c in src.cells if not c.planned and c.number not in src.ran and c.number not in src.failed]
    if not any(name in src.cell_names(c).defines for c in left):
        return []
    need = needed_cells([src.cell_names(c) for c in src.cells], {name})
    return [c for c, n in zip(src.cells, need) if n and c in left]


def _absent(namespace: Mapping[str, Any], name: str) -> bool:
    return name not in namespace and not hasattr(builtins, name)


def _root(src: _Source, namespace: Mapping[str, Any], cell: Cell, seen: set[int]) -> Cell:
    """The first failed cell behind `cell`'s failure: a failed cell above it that should
    have defined a name `cell` reads and that is missing."""
    seen.add(cell.number)
    for name in src.cell_names(cell).uses | src.cell_names(cell).later:
        if not _absent(namespace, name):
            continue
        for other in _definers(src, name):
            if other.number in src.failed and other.number not in seen and other.first_line < cell.first_line:
                return _root(src, namespace, other, seen)
    return cell


def _because(src: _Source, namespace: Mapping[str, Any], cell: Cell) -> str:
    root = _root(src, namespace, cell, set())
    why = f"cell {cell.number} of {src.display} failed ({src.failed[cell.number][:MAX_REASON]})"
    if root is not cell:
        why += (f", because cell {root.number} failed before it "
                f"({src.failed[root.number][:MAX_REASON]})")
    return why


def missing_reason(src: _Source, namespace: Mapping[str, Any], name: str) -> str | None:
    """Why `name` is not in the notebook's namespace, when a failed cell should have defined it."""
    failed = [c for c in _definers(src, name) if c.number in src.failed]
    if not failed:
        return None
    return f"`{name}` is not defined: {_because(src, namespace, failed[-1])}."


def voided_reason(src: _Source, namespace: Mapping[str, Any], name: str) -> str | None:
    """Why `name`, though defined, cannot work: the cell defining it (its function body
    included) reads a name that only a failed cell would have defined."""
    if not src.failed:
        return None
    ran = [c for c in _definers(src, name) if c.number in src.ran]
    if not ran:
        return None
    names = src.cell_names(ran[-1])
    for used in sorted(names.uses | names.later):
        if not _absent(namespace, used):
            continue
        failed = [c for c in _definers(src, used) if c.number in src.failed]
        if failed:
            return f"`{name}` cannot be used: it needs `{used}`, which was never defined: {_because(src, namespace, failed[-1])}."
    return None
