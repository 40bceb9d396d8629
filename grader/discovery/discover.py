"""Finding submissions: one entry of the submissions folder per student.

An entry is a folder of the student's files, a `.zip` of them, a single
`.ipynb` notebook or a single `.py` file. Only `.py` sources and notebooks
(converted to `<stem>.py`) are kept; the worker finds functions by name in
whichever file defines them, so layouts do not matter and nested folders are
flattened to file names. A student's whole repository (the released bundle plus
their edits and build leftovers) counts only its exercise files
(grader.discovery.repo); the readers live in grader.discovery.collect.

Submissions are hostile input. Nothing here follows a symlink, trusts a zip
header's sizes, writes to disk, or lets one student's entry stop the batch: bad
content is a line in that student's `problems`, a failure of ours one in their
`grader_errors`. Safe ids never name a class file nor collide, case-insensitively.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.discovery.collect import (  # noqa: F401 - re-exported: the readers' limits and helpers
    _JUNK_DIRS, CHUNK, MAX_DEPTH, MAX_ENTRIES, MAX_NOTEBOOK_BYTES, MAX_SOURCE_BYTES, MAX_TOTAL_BYTES, _Collector,
    _limit_for, _read_regular, _TooBig, _unsafe_member, content_fault, read_folder, read_zip)
from grader.discovery.ids import clean_id, safe_id  # noqa: F401 - re-exported
from grader.errors import UsageError, grader_error_text


@dataclass(frozen=True)
class Submission:
    """One student's files as text, plus what we noticed reading them."""

    student_id: str
    safe_id: str
    files: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()      # harmless: skipped clutter, notebook magics
    problems: tuple[str, ...] = ()   # the student should fix these
    # The grader failed reading this entry (instructor only): the student is not graded this time.
    grader_errors: tuple[str, ...] = ()
    # X.py and X.ipynb both changed: files holds one, this the other (grader.discovery.choose).
    alternates: dict[str, Any] = field(default_factory=dict, compare=False)
    origins: dict[str, str] = field(default_factory=dict, compare=False)  # file name -> as submitted

    @property
    def empty(self) -> bool:
        return not self.files

    @property
    def digest(self) -> str:
        """Changes whenever the submitted files (or what was wrong with them) change."""
        h = hashlib.sha256()
        for name in sorted(self.files):
            for part in (name, self.files[name]):
                data = part.encode("utf-8", "surrogatepass")
                h.update(len(data).to_bytes(8, "big") + data)
        for name in sorted(self.alternates):
            data = (name + "\0" + self.alternates[name].code).encode("utf-8", "surrogatepass")
            h.update(b"alternate" + len(data).to_bytes(8, "big") + data)
        for problem in self.problems:
            h.update(problem.encode("utf-8", "surrogatepass") + b"\0")
        return h.hexdigest()


# -- entry points --------------------------------------------------------------

def _student_id(entry: Path) -> str:
    if entry.is_dir() and not entry.is_symlink():
        name = entry.name
    else:
        name = entry.stem if entry.suffix.lower() in (".zip", ".ipynb", ".py") else entry.name
    return clean_id(name)


def _read_into(entry: Path, into: _Collector) -> None:
    if entry.is_symlink():
        into.problems.append(f"{entry.name}: the submission is a symbolic link; it was not followed")
    elif entry.is_dir():
        read_folder(entry, into)
    elif not entry.exists():
        into.problems.append(f"{entry.name}: does not exist")
    elif entry.suffix.lower() == ".zip":
        read_zip(entry, into, entry.name)
    elif entry.suffix.lower() in (".py", ".ipynb"):
        data = _read_regular(entry, entry.name, _limit_for(entry.name), into)
        if data is not None:
            into.add(entry.name, data)
    else:
        into.problems.append(f"{entry.name}: unsupported submission type "
                             "(submit a folder, a .zip, a .ipynb notebook or a .py file)")


def read_submission(entry: Path, student_id: str | None = None, safe: str | None = None) -> Submission:
    """Read one student's entry (folder, .zip, .ipynb or .py). Never raises: bad content is a
    problem for the student, a failure of ours is a grader error for the instructor."""
    sid = clean_id(student_id) if student_id is not None else _student_id(entry)
    into = _Collector()
    try:
        _read_into(entry, into)
    except _TooBig as exc:
        into.files.clear()
        into.origins.clear()
        into.problems.append(f"{entry.name}: {exc}; nothing was graded")
    except RecursionError:
        into.files.clear()
        into.problems.append(f"{entry.name}: folders nested too deeply; nothing was graded")
    except Exception as exc:  # noqa: BLE001 - one student's entry never stops the class
        fault = content_fault(exc)
        if fault is None:
            into.grader_errors.append(grader_error_text("reading the submission", exc))
        else:  # the content's doing: no rerun would change it
            into.files.clear()
            into.problems.append(f"{entry.name}: cannot be read: {fault}; nothing was graded")
    if into.grader_errors:
        into.files.clear()  # graded from part of the files, a verdict could blame the student for our failure
    elif not into.files and not into.problems:
        into.problems.append("the submission is empty: no .py files or .ipynb notebooks were found")
    elif not into.files:
        into.problems.append("no gradable files were found in the submission")
    return Submission(sid, safe if safe is not None else safe_id(sid), dict(sorted(into.files.items())),
                      tuple(into.notes), tuple(into.problems), tuple(into.grader_errors),
                      {n: c[0] for n, c in into.alternates.items() if n in into.files and c}, dict(into.origins))


def _entries(folder: Path) -> Iterator[Path]:
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.startswith(".") and entry.name not in _JUNK_DIRS:
            yield entry


def list_entries(folder: Path) -> list[tuple[Path, str, str]]:
    """(entry, student id, safe id) for every student in `folder`, without reading any files.

    Safe ids are distinct case-insensitively (collisions get a suffix from the entry's
    name); they depend only on the folder's listing, never on the machine or on a shard.
    """
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder of submissions")
    taken: set[str] = set()
    out = []
    for entry in _entries(folder):
        sid = _student_id(entry)
        safe = safe_id(sid)
        if safe.lower() in taken:  # alice/ and alice.zip, or Alice and alice on a case-blind disk
            digest = hashlib.sha256(entry.name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            safe = f"{safe[:50]}-{digest}"
            n = 2
            while safe.lower() in taken:
                safe = f"{safe}-{n}"
                n += 1
        taken.add(safe.lower())
        out.append((entry, sid, safe))
    return out


def discover(folder: Path, keep: Callable[[str], bool] | None = None) -> list[Submission]:
    """Every student in `folder` whose safe id `keep` accepts (all by default), read."""
    return [read_submission(entry, sid, safe) for entry, sid, safe in list_entries(folder)
            if keep is None or keep(safe)]
