"""Finding submissions: one entry of the submissions folder per student.

An entry is a folder of the student's files, a `.zip` of them, a single
`.ipynb` notebook or a single `.py` file. Only `.py` sources and notebooks
(converted to `<stem>.py`) are kept; the worker finds functions by name in
whichever file defines them, so layouts do not matter and nested folders are
flattened to file names. A student's whole repository (the released bundle plus
their edits and build leftovers) counts only its exercise files
(grader.discovery.repo); the readers live in grader.discovery.collect, what the files
become in grader.discovery.collector. `grader check` reads the student's own exercises/
here too (`read_own`), so a self-check and a graded submission are read alike.

Submissions are hostile input. Nothing here follows a symlink, trusts a zip
header's sizes, writes to disk, or lets one student's entry stop the batch: bad
content is a line in that student's `problems`, a failure of ours one in their
`grader_errors`. Safe ids never name a class file nor collide, case-insensitively.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader.discovery.collect import (  # noqa: F401 - re-exported: the readers' limits and helpers
    _JUNK_DIRS, CHUNK, MAX_DEPTH, MAX_ENTRIES, MAX_NOTEBOOK_BYTES, MAX_SOURCE_BYTES, MAX_TOTAL_BYTES, _Collector,
    _limit_for, _read_regular, _TooBig, _unsafe_member, read_entry, read_top_level)
from grader.discovery.choose import Candidate, load_stubs
from grader.discovery.faults import content_fault
from grader.discovery.ids import clean_id, distinct_safe_ids, safe_id  # noqa: F401 - re-exported
from grader.discovery.layouts import _student_id, find_layout, folder_entries  # noqa: F401
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
    alternates: dict[str, Candidate] = field(default_factory=dict, compare=False)
    origins: dict[str, str] = field(default_factory=dict, compare=False)  # file name -> as submitted
    # The LMS's name for the student (Canvas, Moodle), for the dashboard; the id stays the LMS's id.
    display_name: str = field(default="", compare=False)

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

_read_into = read_entry  # the readers live in grader.discovery.collect


def read_submission(entry: Path, student_id: str | None = None, safe: str | None = None) -> Submission:
    """Read one student's entry (folder, .zip, .ipynb or .py). Never raises: bad content is a
    problem for the student, a failure of ours is a grader error for the instructor."""
    sid = clean_id(student_id) if student_id is not None else _student_id(entry)
    return read_with(entry.name, sid, safe if safe is not None else safe_id(sid), lambda into: read_entry(entry, into))


def read_own(folder: Path, student_id: str) -> Submission:
    """The student's own exercises/ as `grader check` sees it: the .py files and notebooks directly
    in it, read and chosen between exactly as a graded submission's are. The released stubs are
    the ones recorded in the folder's index (the student edits the stubs in place)."""
    return read_with(folder.name, student_id, student_id, lambda into: read_top_level(folder, into),
                     stubs=load_stubs(folder, edited_here=True))


def read_with(label: str, sid: str, safe: str, fill: Callable[[_Collector], None], *,
              open_archives: bool = False, display_name: str = "",
              stubs: Mapping[str, str] | None = None) -> Submission:
    """One student's Submission from `fill`, which reads their files into a collector (`label` names
    the entry in problems; `open_archives`: a zip among the files is opened; `stubs`: the released
    stubs, when not the course's). Never raises."""
    into = _Collector(open_archives=open_archives, stubs=stubs)
    try:
        fill(into)
    except _TooBig as exc:
        into.drop_files()
        into.problems.append(f"{label}: {exc}; nothing was graded")
    except RecursionError:
        into.drop_files()
        into.problems.append(f"{label}: folders nested too deeply; nothing was graded")
    except Exception as exc:  # noqa: BLE001 - one student's entry never stops the class
        fault = content_fault(exc)
        if fault is None:
            into.grader_errors.append(grader_error_text("reading the submission", exc))
        else:  # the content's doing: no rerun would change it
            into.drop_files()
            into.problems.append(f"{label}: cannot be read: {fault}; nothing was graded")
    if into.grader_errors:
        into.drop_files()  # graded from part of the files, a verdict could blame the student for our failure
    elif not into.files and not into.problems:
        into.problems.append("the submission is empty: no .py files or .ipynb notebooks were found")
    elif not into.files:
        into.problems.append("no gradable files were found in the submission")
    return Submission(sid, safe, dict(sorted(into.files.items())),
                      tuple(into.said_notes()), tuple(into.problems), tuple(into.grader_errors),
                      dict(into.alternates), into.origins, display_name)


def list_entries(folder: Path) -> list[tuple[Path, str, str]]:
    """(entry, student id, safe id) for every student in `folder`, without reading any files.

    Safe ids are distinct case-insensitively (collisions get a suffix from the entry's
    name); they depend only on the folder's listing, never on the machine or on a shard.
    """
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder of submissions")
    entries = list(folder_entries(folder))
    ids = [_student_id(e) for e in entries]
    return list(zip(entries, ids, distinct_safe_ids([(e.name, sid) for e, sid in zip(entries, ids)])))


def discover(folder: Path, keep: Callable[[str], bool] | None = None, layout: str = "auto") -> list[Submission]:
    """Every student in `folder` (or in an LMS's zip) whose safe id `keep` accepts (all by default), read.
    `layout` is one of grader.discovery.layouts.LAYOUTS ("auto" recognises it)."""
    found = find_layout(folder, layout)
    safes = distinct_safe_ids([(e.key, e.student_id) for e in found.entries])
    return [read_with(e.label, e.student_id, safe, e.fill, open_archives=e.open_archives,
                      display_name=clean_id(e.display_name))
            for e, safe in zip(found.entries, safes) if keep is None or keep(safe)]
