"""Approval snapshots, taken where a test meets its reader: what a student or instructor reads is pinned.

A test asserts the part of a result that matters to it (a mistake id, a phrase, a count). The rest
of what a reader sees, the full message, the student-safe text of a hidden check, the hint, a
report's rows, would otherwise be free to change unnoticed. A test pins it explicitly:

    def test_x(snapshot: Snapshot) -> None:
        result = run(...)
        snapshot.check(reader_view(result))

and the assertion helpers that stand at a test's boundary (tests/judging/judge_support.py `failed`,
`passed`, `fails`) pin the verdict they look at with `pin(...)`. Nothing else is recorded: an
internal object a test happens to build (an intermediate Fail, a view model, a Choice) is not, so a
change that alters nothing a reader sees fails no snapshot. What a test pins is compared with its
entry in `<test folder>/snapshots/<test module>.json`. A change is then a reviewed diff:

    GRADER_UPDATE_SNAPSHOTS=1 python -m pytest -m "not slow"

rewrites the entries of the tests that ran and drops the entries of tests that no longer pin
anything. An entry no collected test owns (a renamed test, a removed parameter) fails the session
(`stale_entries`), so the files cannot rot. Slow tests (TensorFlow's floats differ by machine) and
hypothesis tests (their inputs differ by run) are not recorded. Timings and tracebacks (line numbers
of our code and numpy's) are left out; floats keep 6 significant digits and long arrays are
summarised, so snapshots hold across numpy versions and checkouts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
from collections.abc import Iterable, Iterator
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
_ran: dict[Path, set[str]] = {}  # snapshot file -> the tests of its module that were collected
_active: Snapshot | None = None  # the running test's, for `pin` in shared assertion helpers


def plain(value: Any) -> Any:
    """A canonical, JSON-able, machine-independent form of a pinned value."""
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
        return plain(value.item())
    if isinstance(value, Path):
        return plain(value.as_posix())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {type(value).__name__: {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                                       if f.name not in SKIPPED_FIELDS
                                       and not (f.name in OMITTED_WHEN_EMPTY and getattr(value, f.name) == "")}}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError):
            arr = None
        if arr is not None and arr.dtype.kind in "biuf" and arr.size > 8:
            finite = arr[np.isfinite(arr)] if arr.dtype.kind == "f" else arr
            stats = [plain(s(finite)) if finite.size else None for s in (np.min, np.max, np.sum)]
            return {"shape": list(arr.shape), "min": stats[0], "max": stats[1], "sum": stats[2],
                    "nonfinite": int(arr.size - finite.size)}
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=repr)
    if isinstance(value, BaseException):
        fields = {k: plain(v) for k, v in sorted(vars(value).items()) if k not in SKIPPED_FIELDS}
        return {type(value).__name__: fields or plain(str(value))}
    return f"<{type(value).__name__}>"  # reprs may hold memory addresses


def _recorded(request: pytest.FixtureRequest) -> bool:
    fn = getattr(request, "function", None)
    return not (request.node.get_closest_marker("slow") or getattr(fn, "is_hypothesis_test", False))


def _load(path: Path) -> dict[str, Any]:
    if path not in _pending:
        _pending[path] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return _pending[path]


def snapshot_file(test_path: Path) -> Path:
    """Where a test module's snapshots live: `<its folder>/snapshots/<its stem>.json`."""
    return test_path.parent / "snapshots" / f"{test_path.stem}.json"


class Snapshot:
    """What one test pinned, in plain form, compared with its stored entry when the test ends."""

    def __init__(self, path: Path, name: str, recorded: bool) -> None:
        self.path, self.name, self.recorded = path, name, recorded
        self.records: list[Any] = []

    def check(self, value: Any) -> None:
        """Pin `value`: what a reader of this test's result reads (a message, a hint, a page's rows)."""
        if self.recorded:
            self.records.append(plain(value))

    append = check  # the name tests written before `check` use (branches merged later)

    def compare(self) -> None:
        if self.recorded:
            _compare(self.path, self.name, self.records)


def pin(value: Any) -> None:
    """`Snapshot.check` on the running test's snapshot, for assertion helpers shared by many tests."""
    if _active is not None:
        _active.check(value)


@pytest.fixture(autouse=True)
def _test_snapshot(request: pytest.FixtureRequest) -> Iterator[Snapshot]:
    """The running test's Snapshot (compared when it ends): a test takes it as `snapshot`."""
    global _active
    snap = Snapshot(snapshot_file(Path(str(request.node.path))), request.node.name, _recorded(request))
    _active = snap
    try:
        yield snap
    finally:
        _active = None
    snap.compare()


@pytest.fixture
def snapshot(_test_snapshot: Snapshot) -> Snapshot:
    """`snapshot.check(value)` pins what a test's reader reads (see the module docstring)."""
    return _test_snapshot


def collected(items: Iterable[pytest.Item]) -> None:
    """Note every collected test (before -k/-m deselection), so an entry no test owns is found."""
    for item in items:
        _ran.setdefault(snapshot_file(Path(str(item.path))), set()).add(item.name)


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
        pytest.fail(f"what this test pins differs from its snapshot in {path} (record {first} of "
                    f"{len(records)} here, {len(want)} stored):\n  now:    "
                    f"{json.dumps(records[first:first + 1])[:1500]}\n  stored: {json.dumps(want[first:first + 1])[:1500]}"
                    "\nIf the change is meant, rerun with GRADER_UPDATE_SNAPSHOTS=1 and review the diff.", pytrace=False)


def stale_entries(root: Path) -> list[str]:
    """Stored entries no collected test owns: of a test module that was collected, the entries whose
    test is gone (renamed, a parameter removed); and every snapshot file whose test module is gone."""
    out = []
    for path in sorted(root.rglob("snapshots/*.json")):
        module = path.parent.parent / f"{path.stem}.py"
        if not module.is_file():
            out.append(f"{path.relative_to(root)}: no test module {module.name}")
            continue
        if path not in _ran:
            continue
        stored = _load(path)
        out += [f"{path.relative_to(root)}: {name!r} is no collected test" for name in sorted(stored)
                if name not in _ran[path]]
    return out


def write_pending(root: Path) -> list[str]:
    """At the end of a session. Updating: drop stale entries and write one sorted file per test
    module. Checking: the stale entries, to be reported as a failure."""
    stale = stale_entries(root)
    if not UPDATE:
        return stale
    for path, owners in _ran.items():
        if path.is_file():
            entries = _load(path)
            for name in [n for n in entries if n not in owners]:
                del entries[name]
    for path in sorted(root.rglob("snapshots/*.json")):
        if not (path.parent.parent / f"{path.stem}.py").is_file():
            path.unlink()
    for path, entries in _pending.items():
        if not entries:
            path.unlink(missing_ok=True)
            continue
        # One record per line: small files, and a diff shows which record of which test changed.
        tests = (f" {json.dumps(name)}: [\n  " + ",\n  ".join(json.dumps(r, sort_keys=False) for r in records)
                 + "\n ]" for name, records in sorted(entries.items()))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{\n" + ",\n".join(tests) + "\n}\n", encoding="utf-8")
    return []
