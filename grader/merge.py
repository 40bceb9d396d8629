"""`grader merge OUT_1 ... OUT_N --out OUT`: one class from the outputs of sharded runs.

Each shard is an output folder of `grader grade --shard K/N`: OUT_k/<safe_id>/ (the student's
copy of results.json and report.html) and OUT_k/_instructor/<safe_id>/ (the full results and
observations.json), plus grades.csv, summary.json and index.html for its part. Merging copies
both folders of every student and rebuilds the class files (grades.csv, summary.json,
index.html) from the full results, through `grader.outputs.write_class_outputs`, exactly as one
unsharded run writes them.
It also keeps what `grader rejudge` needs: the reference's observations (reference.json),
which every shard computed for the same probes, so a merged class rejudges like an
unsharded one.

Shards must agree, or the merge is refused:
- the same checks (ids and points) and grader version in every results.json;
- the same run metadata in summary.json (written by `grader grade`: top-level "grader_version",
  "checks", "checks_digest" and "shard": {"index": K, "count": N}; a "run" block with
  "shard": "K/N" is read too), except the shard itself;
- no student in two shards; shard specs with one N, each K once, and all N present
  (unless `partial`);
- the shards' reference.json files (where kept) were made for the same probes.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import ExitCode, GraderError, UsageError
from grader.model import StudentResult
from grader.outputs import write_class_outputs
from grader.storage import results as stored
from grader.storage.layout import instructor_dir, read_summary, student_dir
from grader.storage.observations import REFERENCE_NAME, ObservationsError, load_reference

RUN_KEY = "run"
AGREED = ("grader_version", "checks", "checks_digest", "secret_digest")


class MergeError(GraderError):
    """The shards disagree: merging them would mix two different gradings."""

    exit_code = ExitCode.SHARDS_DISAGREE


@dataclass
class Shard:
    folder: Path
    results: dict[str, StudentResult]
    run: dict[str, Any] = field(default_factory=dict)
    isolation: Any = None   # summary.json's record of the level student code ran at

    @property
    def spec(self) -> tuple[int, int] | None:
        raw = self.run.get("shard")
        if not isinstance(raw, str) or "/" not in raw:
            return None
        k, _, n = raw.partition("/")
        return (int(k), int(n)) if k.isdigit() and n.isdigit() else None


def read_shard(folder: Path) -> Shard:
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    summary = read_summary(folder) or {}
    return Shard(folder, class_results(folder), run_metadata(summary), summary.get("isolation"))


def class_results(folder: Path) -> dict[str, StudentResult]:
    """Every full results.json of a class folder. A results.json that cannot be read refuses the
    merge: the merged class would silently lose that student."""
    try:
        loaded = stored.load_outputs(folder)
    except stored.ResultsFileError as exc:
        raise MergeError(str(exc)) from exc
    if loaded.errors:
        raise MergeError(f"{folder}: unreadable results: " + "; ".join(f"{k}: {v}" for k, v in
                                                                         list(loaded.errors.items())[:3]))
    return dict(loaded.results)


def run_metadata(summary: dict[str, Any]) -> dict[str, Any]:
    """The run's metadata from summary.json, with the shard as "K/N" (or None)."""
    block = summary.get(RUN_KEY)
    run = dict(block) if isinstance(block, dict) else {k: summary[k] for k in AGREED if k in summary}
    shard = block.get("shard") if isinstance(block, dict) else summary.get("shard")
    if isinstance(shard, dict) and isinstance(shard.get("index"), int) and isinstance(shard.get("count"), int):
        shard = f"{shard['index']}/{shard['count']}"
    run["shard"] = shard if isinstance(shard, str) else None
    return run


def _signature(r: StudentResult) -> tuple[Any, ...]:
    return (r.grader_version, tuple(sorted((c.check_id, c.max_score) for c in r.checks)))


def disagreements(shards: Sequence[Shard], partial: bool = False) -> list[str]:
    """Every reason these shards cannot be one class (empty when they can)."""
    problems: list[str] = []
    signatures: dict[tuple[Any, ...], str] = {}
    for s in shards:
        for safe, r in s.results.items():
            signatures.setdefault(_signature(r), f"{s.folder.name}/{safe}")
    if len(signatures) > 1:
        problems.append("students were graded with different checks or grader versions: "
                        + " vs ".join(list(signatures.values())[:3]))
    for key in AGREED:
        values = {json.dumps(s.run[key], sort_keys=True): s.folder.name for s in shards if key in s.run}
        if len(values) > 1:
            problems.append(f"the shards disagree on {key} (" + ", ".join(f"{f}: {v[:16]}" for v, f in values.items()) + ")")
    owner: dict[str, str] = {}
    for s in shards:
        for safe in s.results:
            if safe in owner:
                problems.append(f"student {safe} is in both {owner[safe]} and {s.folder}")
            owner.setdefault(safe, str(s.folder))
    specs = [s.spec for s in shards]
    known = [x for x in specs if x is not None]
    if known:
        counts = {n for _, n in known}
        if len(counts) > 1 or len(known) != len(specs):
            problems.append("the shards come from different splits: " + ", ".join(
                f"{s.folder.name}={s.run.get('shard', 'unsharded')}" for s in shards))
        else:
            n = counts.pop()
            ks = [k for k, _ in known]
            twice = sorted({k for k in ks if ks.count(k) > 1})
            if twice:
                problems.append(f"shard(s) {', '.join(f'{k}/{n}' for k in twice)} given more than once")
            missing = sorted(set(range(1, n + 1)) - set(ks))
            if missing and not partial:
                problems.append(f"shard(s) {', '.join(f'{k}/{n}' for k in missing)} missing "
                                "(pass --partial to merge what is there)")
    return problems


def merge(folders: Sequence[Path], out: Path, *, partial: bool = False, force: bool = False) -> dict[str, StudentResult]:
    """Merge shard folders into `out`; returns the class's results by safe id."""
    out = out.resolve()
    folders = [f.resolve() for f in folders]
    if not folders:
        raise UsageError("give at least one shard folder")
    if len(set(folders)) != len(folders):
        raise UsageError("a shard folder is given twice")
    for f in folders:
        if out == f or out in f.parents or f in out.parents:
            raise UsageError(f"the output folder {out} must not overlap the shard {f}")
    if out.exists() and any(out.iterdir()) and not force:
        raise UsageError(f"{out} exists and is not empty; pass --force to merge into it anyway")
    shards = [read_shard(f) for f in folders]
    problems = disagreements(shards, partial)
    reference, reference_problem = kept_reference(folders)
    if reference_problem:
        problems.append(reference_problem)
    if problems:
        raise MergeError("refusing to merge: " + "; ".join(problems[:10]))
    out.mkdir(parents=True, exist_ok=True)
    for s in shards:
        for safe in s.results:
            shutil.copytree(student_dir(s.folder, safe), student_dir(out, safe), dirs_exist_ok=True)
            shutil.copytree(instructor_dir(s.folder, safe), instructor_dir(out, safe), dirs_exist_ok=True)
    if reference is not None:
        shutil.copyfile(reference, out / REFERENCE_NAME)
    results = class_results(out)
    write_class_outputs(out, results, merged_meta(shards))
    return results


def kept_reference(folders: Sequence[Path]) -> tuple[Path | None, str]:
    """The reference.json to keep for `grader rejudge`, and why the shards' cannot be one.

    Every shard ran the same reference solutions through the same probes; their files must
    agree on those probes (a digest per check). The first readable one is kept. None when no
    shard kept a readable one: the merge still works, and rejudge then refuses, saying why.
    """
    kept: Path | None = None
    digests: dict[str, str] | None = None
    for folder in folders:
        path = folder / REFERENCE_NAME
        if not path.exists():
            continue
        try:
            stored = load_reference(folder)
        except ObservationsError:
            continue  # not kept (too large, damaged): another shard's serves, or rejudge says why not
        if digests is None:
            kept, digests = path, stored.digests
        elif stored.digests != digests:
            return None, f"the shards' reference observations were made for different probes ({kept} vs {path})"
    return kept, ""


def merged_meta(shards: Sequence[Shard]) -> dict[str, Any]:
    """The merged summary.json says it is whole: no shard, the agreed metadata, and its sources."""
    levels = {json.dumps(s.isolation, sort_keys=True): s.isolation for s in shards}
    return {**{k: v for s in shards for k, v in s.run.items() if k in AGREED},
            # One level when every shard ran at it; otherwise each shard's, so a weaker one is never hidden.
            "isolation": next(iter(levels.values())) if len(levels) == 1 else [s.isolation for s in shards],
            "shard": None, "merged_from": [s.run.get("shard") or s.folder.name for s in shards]}
