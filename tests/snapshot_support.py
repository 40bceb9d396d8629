"""Approval snapshots: what a fast test makes users read is pinned, not only what it asserts.

A test asserts the part of a result that matters to it (a mistake id, a phrase, a count).
The rest of what a student or instructor reads, the full message, the student-safe text of a
hidden check, the hint, the tolerance, a report's rows and labels, would otherwise be free to
change unnoticed. A test folder's conftest.py makes a `snapshot` fixture with
`snapshot_fixture(folder, (SomeResult, ...))`: it records every object of those types the test
builds, in a canonical plain form, and compares the list with the test's entry in
`<folder>/snapshots/<test module>.json`. A change is then a reviewed diff:

    GRADER_UPDATE_SNAPSHOTS=1 python -m pytest tests/judging -m "not slow"

rewrites the entries of the tests that ran. Slow tests (TensorFlow's floats differ by machine)
and hypothesis tests (their inputs differ by run) are not recorded. Timings and tracebacks
(line numbers of our code and numpy's) are left out; floats keep 6 significant digits and
long arrays are summarised, so snapshots hold across numpy versions and checkouts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

UPDATE = os.environ.get("GRADER_UPDATE_SNAPSHOTS") == "1"
ROOT = str(Path(__file__).resolve().parents[1])
TMP = re.compile(r"[^\s'\"]*pytest-of-[^/\\]+[/\\]pytest-\d+[/\\][^/\\\s'\"]+")  # tmp_path: numbered by order
# Texts that Python itself words differently from version to version, kept out of snapshots.
VOLATILE = [
    (re.compile(r"Exceeds the limit \(4300(?: digits)?\) for integer string conversion[^)]*"),
     "<Python's int-size limit message>"),
]
LONG = 240  # longer texts (sources, pages) are kept as their start and a digest
SKIPPED_FIELDS = frozenset({"duration", "traceback", "elapsed", "started", "finished"})
# Fields added after most snapshots were taken, left out while empty (an LMS student's name).
OMITTED_WHEN_EMPTY = frozenset({"display_name"})
_pending: dict[Path, dict[str, Any]] = {}


def plain(value: Any, seen: dict[int, int] | None = None) -> Any:
    """A canonical, JSON-able, machine-independent form of a recorded value. An object already
    recorded (by id in `seen`) is written as a reference to its record: "#<index>"."""
    if seen and id(value) in seen and not isinstance(value, (str, int, float, type(None))):
        return f"#{seen[id(value)]}"
    if isinstance(value, str):
        text = TMP.sub("<tmp>", value.replace(ROOT, "<root>"))
        for pattern, stand_in in VOLATILE:
            text = pattern.sub(stand_in, text)
        if len(text) <= LONG:
            return text
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        return f"{text[:LONG // 2]}... [{len(text)} characters, sha256 {digest}]"
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f"{f:.6g}" if math.isfinite(f) else repr(f)
    if isinstance(value, np.generic) or isinstance(value, np.ndarray) and value.ndim == 0:
        return plain(value.item(), seen)
    if isinstance(value, Path):
        return plain(value.as_posix(), seen)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {type(value).__name__: {f.name: plain(getattr(value, f.name), seen) for f in dataclasses.fields(value)
                                       if f.name not in SKIPPED_FIELDS
                                       and not (f.name in OMITTED_WHEN_EMPTY and getattr(value, f.name) == "")}}
    if isinstance(value, dict):
        return {str(k): plain(v, seen) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError):
            arr = None
        if arr is not None and arr.dtype.kind in "biuf" and arr.size > 8:
            finite = arr[np.isfinite(arr)] if arr.dtype.kind == "f" else arr
            stats = [plain(s(finite), seen) if finite.size else None for s in (np.min, np.max, np.sum)]
            return {"shape": list(arr.shape), "min": stats[0], "max": stats[1], "sum": stats[2],
                    "nonfinite": int(arr.size - finite.size)}
        return [plain(v, seen) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v, seen) for v in value), key=repr)
    if isinstance(value, BaseException):
        fields = {k: plain(v, seen) for k, v in sorted(vars(value).items()) if k not in SKIPPED_FIELDS}
        return {type(value).__name__: fields or plain(str(value), seen)}
    return f"<{type(value).__name__}>"  # reprs may hold memory addresses


def _recorded(request: pytest.FixtureRequest) -> bool:
    fn = getattr(request, "function", None)
    return not (request.node.get_closest_marker("slow") or getattr(fn, "is_hypothesis_test", False))


def _load(path: Path) -> dict[str, Any]:
    if path not in _pending:
        _pending[path] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return _pending[path]


class _Records(list):  # type: ignore[type-arg]
    """What a test pinned, already in plain form: `append` is how a test pins data by hand."""

    def append(self, value: Any) -> None:
        super().append(plain(value))


def snapshot_fixture(folder: Path, types: tuple[type, ...],
                     caches: tuple[Any, ...] = ()) -> Callable[..., Iterator[list[Any]]]:
    """An autouse `snapshot` fixture recording every instance of `types` a test builds.
    A test that asks for `snapshot` by name may also pin other plain data: `snapshot.append(...)`.
    `caches`: memoised functions that build recorded objects; each test starts with them empty, so
    what it records does not depend on which tests ran before it."""

    @pytest.fixture(autouse=True)
    def snapshot(request: pytest.FixtureRequest) -> Iterator[list[Any]]:
        records = _Records()
        built: list[Any] = []  # keeps recorded objects alive, so their ids stay theirs
        seen: dict[int, int] = {}
        if not _recorded(request):
            yield records
            return
        for cached in caches:
            cached.cache_clear()
        originals = {t: t.__init__ for t in types}

        def recording(original: Callable[..., None]) -> Callable[..., None]:
            def init(self: Any, *args: Any, **kwargs: Any) -> None:
                original(self, *args, **kwargs)
                if type(self) in originals:  # the listed types only: a subclass chain would record twice
                    list.append(records, plain(self, seen))
                    built.append(self)
                    seen[id(self)] = len(records) - 1
            return init

        for t, original in originals.items():
            t.__init__ = recording(original)  # type: ignore[misc]
        try:
            yield records
        finally:
            for t, original in originals.items():
                t.__init__ = original  # type: ignore[misc]
        _compare(folder / "snapshots" / f"{Path(str(request.node.path)).stem}.json", request.node.name,
                 list(records))

    return snapshot


def _compare(path: Path, name: str, records: list[Any]) -> None:
    stored = _load(path)
    if UPDATE:
        if records:
            stored[name] = records
        else:
            stored.pop(name, None)
        return
    if records and name not in stored:
        pytest.fail(f"no snapshot of this test in {path.name}: run with GRADER_UPDATE_SNAPSHOTS=1 and review "
                    "the diff", pytrace=False)
    want = stored.get(name, [])
    if records != want:
        first = next((i for i, (a, b) in enumerate(zip(records, want)) if a != b), min(len(records), len(want)))
        pytest.fail(f"what this test builds differs from its snapshot in {path} (record {first} of "
                    f"{len(records)} here, {len(want)} stored):\n  now:    "
                    f"{json.dumps(records[first:first + 1])[:1500]}\n  stored: {json.dumps(want[first:first + 1])[:1500]}"
                    "\nIf the change is meant, rerun with GRADER_UPDATE_SNAPSHOTS=1 and review the diff.", pytrace=False)


def write_pending() -> None:
    """At the end of an updating session: one sorted file per test module."""
    if not UPDATE:
        return
    for path, entries in _pending.items():
        if not entries:
            path.unlink(missing_ok=True)
            continue
        # One record per line: small files, and a diff shows which record of which test changed.
        tests = (f" {json.dumps(name)}: [\n  " + ",\n  ".join(json.dumps(r, sort_keys=False) for r in records)
                 + "\n ]" for name, records in sorted(entries.items()))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{\n" + ",\n".join(tests) + "\n}\n", encoding="utf-8")
