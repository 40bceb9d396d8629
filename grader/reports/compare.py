"""Expected vs got for a failed check: two grids with the cells outside the check's tolerance marked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.reports.text import fmt_number, value_text

TABLE_ROWS = 12            # rows and columns of an expected-vs-got table
TABLE_COLS = 10


@dataclass(frozen=True)
class Cell:
    text: str
    differs: bool = False


@dataclass(frozen=True)
class Grid:
    """One side of a comparison: rows of cells, plus what was left out."""

    label: str
    shape: str
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Comparison:
    """Expected vs got, as two grids with differing cells marked, or as text."""

    grids: tuple[Grid, ...] = ()
    shapes_differ: bool = False
    summary: str = ""
    # Used when the values are not numeric arrays.
    expected_text: str | None = None
    got_text: str | None = None


def _numeric(value: Any) -> tuple[np.ndarray, str] | None:
    """An array and a shape label, or None when the value is not numbers.

    Values come from `grader.judging.judge.displayable`: lists, scalars, non-finite
    floats spelled as strings, or {"shape", "truncated", "head"} for big arrays.
    """
    shape_note = ""
    if isinstance(value, dict) and value.get("truncated") and "head" in value:
        shape_note = " (first values only)"
        full_shape = value.get("shape")
        value = value["head"]
        label = "×".join(str(n) for n in full_shape) if isinstance(full_shape, list) else "?"
    else:
        label = ""
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        return None
    try:
        arr = np.asarray(_nonfinite(value), dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if arr.dtype == object:
        return None
    if not label:
        label = "scalar" if arr.ndim == 0 else "×".join(str(n) for n in arr.shape)
    return arr, label + shape_note


def _nonfinite(value: Any) -> Any:
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    if isinstance(value, list):
        return [_nonfinite(v) for v in value]
    return value


def as_2d(arr: np.ndarray) -> np.ndarray:
    if arr.size == 0:
        return np.zeros((0, 0))  # e.g. [[]]: no row to reshape by, nothing to show
    if arr.ndim == 0:
        return arr.reshape(1, 1)
    if arr.ndim == 1:
        return arr.reshape(1, -1)
    return arr.reshape(-1, arr.shape[-1])


def _grid(label: str, shape: str, arr: np.ndarray, differs: np.ndarray | None) -> Grid:
    two = as_2d(arr)
    rows = []
    for i in range(min(two.shape[0], TABLE_ROWS)):
        rows.append(tuple(
            Cell(fmt_number(float(two[i, j])), bool(differs[i, j]) if differs is not None else False)
            for j in range(min(two.shape[1], TABLE_COLS))
        ))
    cut = []
    if two.shape[0] > TABLE_ROWS:
        cut.append(f"{two.shape[0] - TABLE_ROWS} more rows")
    if two.shape[1] > TABLE_COLS:
        cut.append(f"{two.shape[1] - TABLE_COLS} more columns")
    return Grid(label, shape, tuple(rows), ("Not shown: " + ", ".join(cut) + ".") if cut else "")


def differing(got: np.ndarray, want: np.ndarray, tolerance: tuple[float, float] | None) -> np.ndarray:
    """Cells the check itself would call different: outside (rtol, atol), or unequal when it had none."""
    rtol, atol = tolerance if tolerance is not None else (0.0, 0.0)
    with np.errstate(invalid="ignore"):
        return ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)


def compare(expected: Any, got: Any, tolerance: tuple[float, float] | None = None) -> Comparison | None:
    """The expected-vs-got display for a failed check, or None when there is nothing to show.

    `tolerance` is the (rtol, atol) the check compared with (CheckResult.tolerance);
    None means the check compared exactly, so any difference is marked.
    """
    if expected is None and got is None:
        return None
    want, have = _numeric(expected), _numeric(got)
    if want is None or have is None:
        # A side the judge left out (e.g. a quiz answer it must not reveal) is not shown.
        return Comparison(expected_text=None if expected is None else value_text(expected),
                          got_text=None if got is None else value_text(got))
    (w, wshape), (g, gshape) = want, have
    if w.shape == g.shape:
        bad = differing(g, w, tolerance)
        n = int(bad.sum())
        summary = (f"{n} of {bad.size} values differ (marked)." if n else "All shown values agree.")
        return Comparison((_grid("Expected", wshape, w, None), _grid("Got", gshape, g, as_2d(bad))),
                          shapes_differ=False, summary=summary)
    return Comparison((_grid("Expected", wshape, w, None), _grid("Got", gshape, g, None)),
                      shapes_differ=True, summary=f"The shapes differ: expected {wshape}, got {gshape}.")
