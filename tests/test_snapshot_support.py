"""The snapshot files cannot rot: an entry no test owns, or a test that stopped pinning, is reported."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import snapshot_support as snaps


def _tree(tmp_path: Path, entries: dict[str, list[object]], module: bool = True) -> Path:
    folder = tmp_path / "tests" / "area"
    (folder / "snapshots").mkdir(parents=True)
    if module:
        (folder / "test_area.py").write_text("def test_kept(): pass\n", encoding="utf-8")
    (folder / "snapshots" / "test_area.json").write_text(json.dumps(entries), encoding="utf-8")
    return tmp_path / "tests"


def test_an_entry_whose_test_is_gone_is_stale(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"test_kept": ["a"], "test_renamed[1]": ["b"]})
    snaps.collected([SimpleNamespace(path=root / "area" / "test_area.py", name="test_kept")])  # type: ignore[list-item]
    assert snaps.stale_entries(root) == ["area/snapshots/test_area.json: 'test_renamed[1]' is no collected test"]


def test_a_module_not_collected_in_this_session_is_not_judged(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"test_renamed": ["b"]})
    assert snaps.stale_entries(root) == []


def test_a_snapshot_file_without_its_test_module_is_stale(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"test_x": ["b"]}, module=False)
    assert snaps.stale_entries(root) == ["area/snapshots/test_area.json: no test module test_area.py"]


def test_a_test_that_stopped_pinning_fails_and_one_that_pins_the_same_passes(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"test_kept": [{"Fail": {"message": "m"}}]})
    path = root / "area" / "snapshots" / "test_area.json"
    same = snaps.Snapshot(path, "test_kept", recorded=True)
    same.check({"Fail": {"message": "m"}})
    same.compare()
    with pytest.raises(pytest.fail.Exception, match="differs from its snapshot"):
        snaps.Snapshot(path, "test_kept", recorded=True).compare()


def test_only_what_is_pinned_is_recorded(snapshot: snaps.Snapshot) -> None:
    assert snapshot.records == [] and snapshot.recorded
    snaps.pin(1.23456789)
    assert snapshot.records == ["1.23457"]
    snapshot.records.clear()  # this test's own entry stays empty
