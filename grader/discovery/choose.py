"""Which file is graded when an exercise comes as both `X.py` and `X.ipynb`.

The student bundle ships both, so most students hand in one file they changed
and one untouched stub. Rule: compare each with the released stub
(exercises/, made by grader.authoring.assign from solutions/); grade the
changed one; if both changed, grade both and keep the better result per
exercise, saying which file earned it. The choice never depends on archive
order or timestamps (Jupyter's autosave touches notebooks nobody edited).

Callers:
- discovery (grader.discovery.collector, the one reader of a student's files for the
  batch, `grader check` and the plugin): `choose(name, candidates, stubs)` for each clash,
  keeping `Choice.graded` in the submission's files and `Choice.alternate` aside. A
  candidate carries its own notes, so only a file that is graded has its notes said;
- grading (grader.grading): runs the files, and again with the alternates swapped
  in, and keeps the better result per exercise with `merge_best` (`label_sources`
  when there is no alternate).
"""

from __future__ import annotations

import functools
import json
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass, replace
from io import BytesIO
from pathlib import Path, PurePosixPath

from grader.discovery.stubdigest import digest, fingerprint  # noqa: F401 - re-exported
from grader.errors import SubmissionError
from grader.model import ExerciseResult, StudentResult


def decode_source(data: bytes) -> str | None:
    """A .py file's text as Python reads it (PEP 263: a BOM, or a `coding:` comment in its
    first two lines, else UTF-8); None when it cannot be decoded that way."""
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeError, ValueError):  # e.g. `coding: punycode` on ASCII text
        return None
    return text[1:] if text.startswith("\ufeff") else text


# Written beside the stubs in the student bundle (whose exercises/ the student edits), so that
# `grader check` there still knows what the released stubs were.
STUB_INDEX = ".released-stubs.json"


def stub_digests(folder: Path) -> dict[str, str]:
    """Digests of the stubs in `folder` (the released exercises/), keyed by file name."""
    from grader.discovery.notebook import notebook_to_source

    out: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        try:
            if path.suffix == ".py":
                text = decode_source(path.read_bytes())
                if text is not None:
                    out[path.name] = digest(text)
            elif path.suffix == ".ipynb":
                out[path.name] = digest(notebook_to_source(path.read_bytes(), path.name).source)
        except (OSError, SubmissionError):
            continue
    return out


def write_stub_index(folder: Path) -> Path:
    """Record the released stubs' digests in `folder` (call when building the student bundle)."""
    path = folder / STUB_INDEX
    path.write_text(json.dumps(stub_digests(folder), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def load_stubs(folder: Path | None, *, edited_here: bool = False) -> dict[str, str]:
    """Digests of the released stubs, keyed by file name (`relu_model.py`, `relu_model.ipynb`).

    `edited_here`: the folder is where the student works (`grader check`), so only
    its recorded index can tell the stubs; without one, every file counts as changed.
    """
    if folder is None or not folder.is_dir():
        return {}
    index = folder / STUB_INDEX
    if index.is_file():
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
            return {str(k): v for k, v in data.items()}
    return {} if edited_here else stub_digests(folder)


@functools.lru_cache(maxsize=1)
def default_stubs() -> Mapping[str, str]:
    """The course's exercises/ folder, when there is one (the instructor's repository)."""
    try:
        from grader.paths import Paths

        return load_stubs(Paths.discover().exercises)
    except Exception:  # noqa: BLE001 - no course folder: every file counts as changed
        return {}


@dataclass(frozen=True)
class Candidate:
    submitted: str   # as handed in, e.g. "hw/relu_model.ipynb"
    code: str        # Python source (a notebook already converted)
    notes: tuple[str, ...] = ()   # this file's own (cells not run, magics skipped): said only if it is graded


@dataclass(frozen=True)
class Choice:
    graded: Candidate
    alternate: Candidate | None   # also changed: grade it too, keep the better result
    note: str


def changed(c: Candidate, stubs: Mapping[str, str]) -> bool:
    """Differs from the released stub of the same file name (no stub known: changed)."""
    stub = stubs.get(PurePosixPath(c.submitted).name)
    return stub is None or digest(c.code) != stub


def choose(name: str, candidates: list[Candidate], stubs: Mapping[str, str]) -> Choice:
    """Pick the file graded as `name` among files of one stem (.py first, then notebooks)."""
    ordered = sorted(candidates, key=lambda c: (not c.submitted.lower().endswith(".py"), c.submitted))
    edited = [c for c in ordered if changed(c, stubs)]
    names = " and ".join(PurePosixPath(c.submitted).name for c in ordered)
    if not edited:
        return Choice(ordered[0], None, f"{names} are both the released stub; graded {ordered[0].submitted}")
    graded = edited[0]
    if len(edited) == 1:
        others = ", ".join(c.submitted for c in ordered if c is not graded)
        return Choice(graded, None, f"graded {graded.submitted}, the file you changed "
                                    f"({others} is the released stub)")
    if all(fingerprint(c.code) == fingerprint(graded.code) for c in edited[1:]):
        return Choice(graded, None, f"{names} hold the same code; graded {graded.submitted}")
    return Choice(graded, edited[1], f"{names} were both changed: both were graded, and each exercise "
                                     "keeps the better result")


def merge_best(primary: StudentResult, alternate: StudentResult, origins: Mapping[str, str],
               swapped: Mapping[str, str]) -> StudentResult:
    """Per exercise, the better of two gradings (ties keep `primary`), naming the file that earned it.

    `origins` maps graded file name -> submitted file in the primary run,
    `swapped` the same for the files the alternate run used instead.
    """
    alt = {e.name: e for e in alternate.exercises}
    stems = {PurePosixPath(n).stem for n in swapped}
    exercises: list[ExerciseResult] = []
    notes: list[str] = []
    for ex in primary.exercises:
        other = alt.get(ex.name)
        if other is not None and ex.name in stems and other.score > ex.score:
            earned = swapped.get(other.source_name, other.source_name)
            lost = origins.get(ex.source_name, ex.source_name)
            notes.append(f"{ex.name}: {earned} earned {other.score:g}/{other.max_score:g} "
                         f"({lost} earned {ex.score:g}); the better result was kept")
            exercises.append(replace(other, source_name=earned))
        else:
            if ex.name in stems:
                notes.append(f"{ex.name}: {origins.get(ex.source_name, ex.source_name)} earned "
                             f"{ex.score:g}/{ex.max_score:g}, at least as much as the other file")
            exercises.append(replace(ex, source_name=origins.get(ex.source_name, ex.source_name)))
    return replace(primary, exercises=tuple(exercises),
                   score=round(sum(e.score for e in exercises), 4),
                   problems=tuple(primary.problems) + tuple(f"Note: {n}" for n in notes))


def label_sources(result: StudentResult, origins: Mapping[str, str]) -> StudentResult:
    """Name each exercise's source by the file the student handed in (x.ipynb, not x.py)."""
    return replace(result, exercises=tuple(replace(e, source_name=origins.get(e.source_name, e.source_name))
                                           for e in result.exercises))
