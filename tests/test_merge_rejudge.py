"""A merged class keeps what `grader rejudge` needs: sharded, merged and rejudged equals unsharded and rejudged.

Fast: test_rejudge's fake runner stands in for the sandbox, so grading takes its real path
(judging, the observation store, every class file) and is byte-for-byte deterministic.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader import batch
from grader.batch import BatchOptions, grade_submissions, shard_of
from grader.discovery.discover import Submission
from grader.merge import MergeError, merge
from grader.paths import Paths
from grader.rejudge import RejudgeRefused, rejudge
from grader.storage.observations import REFERENCE_NAME
from class_output_support import class_output
from test_rejudge import CLASS, FakeRunner, make_checks

SHARDS = 3


@pytest.fixture(autouse=True)
def fake_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "make_runner", FakeRunner)


def grade(out: Path, shard: tuple[int, int] | None = None) -> Path:
    subs = [Submission(sid, sid, {"parameter_count.py": mode + "\n"}) for sid, mode in CLASS.items()
            if shard is None or shard_of(sid, shard[1]) == shard[0]]
    grade_submissions(subs, Paths.discover(), BatchOptions(out, progress="quiet", shard=shard), make_checks())
    return out


def summary_without_provenance(out: Path) -> dict[str, object]:
    doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    doc.pop("merged_from", None)
    return doc


@pytest.fixture()
def sharded(tmp_path: Path) -> list[Path]:
    folders = [grade(tmp_path / f"shard{k}", (k, SHARDS)) for k in range(1, SHARDS + 1)]
    assert all(json.loads((f / "summary.json").read_text())["count"] for f in folders)  # no empty shard
    return folders


def test_a_merged_class_rejudges_like_an_unsharded_one(sharded: list[Path], tmp_path: Path) -> None:
    merged = tmp_path / "merged"
    merge(sharded, merged)
    assert (merged / REFERENCE_NAME).read_bytes() == (sharded[0] / REFERENCE_NAME).read_bytes()
    whole = grade(tmp_path / "whole")
    report_merged = rejudge(merged, make_checks(lenient=True))
    report_whole = rejudge(whole, make_checks(lenient=True))
    assert sorted(report_merged.changed) == sorted(report_whole.changed) != []  # ben and cat gain points
    # summary.json differs by its provenance (merged_from) alone: compared below without it
    assert class_output(merged, CLASS, without={"summary.json"}) == class_output(whole, CLASS, without={"summary.json"})
    assert summary_without_provenance(merged) == summary_without_provenance(whole)


def test_shards_whose_references_saw_other_probes_are_refused(sharded: list[Path], tmp_path: Path) -> None:
    other = json.loads((sharded[1] / REFERENCE_NAME).read_text(encoding="utf-8"))
    other["probes"] = {check: "0" * 64 for check in other["probes"]}
    (sharded[1] / REFERENCE_NAME).write_text(json.dumps(other), encoding="utf-8")
    with pytest.raises(MergeError, match="reference observations were made for different probes"):
        merge(sharded, tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


def test_without_any_kept_reference_the_merge_works_and_rejudge_says_why(sharded: list[Path], tmp_path: Path) -> None:
    for folder in sharded:
        (folder / REFERENCE_NAME).unlink()
    merged = tmp_path / "merged"
    merge(sharded, merged)
    with pytest.raises(RejudgeRefused, match="without the stored reference"):
        rejudge(merged, make_checks())


def test_one_damaged_reference_is_passed_over_for_another_shards(sharded: list[Path], tmp_path: Path) -> None:
    good = (sharded[1] / REFERENCE_NAME).read_bytes()
    (sharded[0] / REFERENCE_NAME).write_text("{not json", encoding="utf-8")
    merged = tmp_path / "merged"
    merge(sharded, merged)
    assert (merged / REFERENCE_NAME).read_bytes() == good
    shutil.rmtree(merged / "ann", ignore_errors=True)  # a student lost after merging does not stop the rejudge
    shutil.rmtree(merged / "_instructor" / "ann", ignore_errors=True)
    assert rejudge(merged, make_checks()).students == len(CLASS) - 1
