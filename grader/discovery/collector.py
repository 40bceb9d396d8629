"""What one student's files become while they are read: the conversion of each file, and which
file is graded when one exercise comes twice (the readers and their budgets: grader.discovery.collect).

Every file read becomes a `Candidate` carrying its own notes (a notebook's cells not run, magics
skipped). The notes said for the submission are the reading notes plus those of the candidates
that are graded (as the main or the other file): a notebook that lost to its .py twin adds none.
This is the one place that rule lives; the batch, `grader check` and the plugin all read here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from grader.discovery import choose as choosing
from grader.discovery.choose import Candidate, choose, decode_source
from grader.discovery.faults import content_fault
from grader.errors import SubmissionError, grader_error_text


@dataclass
class _Collector:
    """Accumulates one submission's files (the readers in grader.discovery.collect keep the budgets)."""

    graded: dict[str, Candidate] = field(default_factory=dict)      # graded name (`x.py`) -> the file chosen
    alternates: dict[str, Candidate] = field(default_factory=dict)  # graded name -> the other changed file
    # In reading order: a reading note, or a file whose own notes are said only if it is graded.
    notes: list[str | Candidate] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    grader_errors: list[str] = field(default_factory=list)
    total: int = 0     # bytes read so far, unpacked
    entries: int = 0   # files and folders counted so far
    # An LMS download holds each student's own upload, often a zip of their work: open it (one level).
    open_archives: bool = False
    # A repository's own stub index (exercises/.released-stubs.json): which of X.py and X.ipynb is the
    # released stub where the course's exercises/ is not at hand (a Gradescope autograder).
    repo_stubs: dict[str, str] = field(default_factory=dict)
    # The released stubs when the caller knows them (`grader check`: the index in the student's own
    # folder); None: the course's exercises/ when at hand, else the repository's index.
    stubs: Mapping[str, str] | None = None

    @property
    def files(self) -> dict[str, str]:
        """Graded name -> Python source (a notebook already converted)."""
        return {name: c.code for name, c in self.graded.items()}

    @property
    def origins(self) -> dict[str, str]:
        """Graded name -> the file as submitted."""
        return {name: c.submitted for name, c in self.graded.items()}

    def drop_files(self) -> None:
        """Nothing is graded (the submission was too big, or we failed reading part of it)."""
        self.graded.clear()
        self.alternates.clear()

    def said_notes(self) -> list[str]:
        """The notes in order, a file's own notes only when that file is graded."""
        kept = {id(c) for c in (*self.graded.values(), *self.alternates.values())}
        out: list[str] = []
        for item in self.notes:
            if isinstance(item, str):
                out.append(item)
            elif id(item) in kept:
                out.extend(item.notes)
        return out

    def add_python(self, rel: str, data: bytes) -> None:
        """Keep a .py file (its text as Python reads it), or note why it is skipped."""
        text = _text(rel, data, self)
        if text is not None:
            self._put(PurePosixPath(rel).name, Candidate(rel, text))

    def add_notebook(self, rel: str, data: bytes) -> None:
        """Convert a notebook to Python source (its own notes kept with it), or note the problem."""
        from grader.discovery.notebook import notebook_to_source

        name = PurePosixPath(rel).name

        try:
            nb = notebook_to_source(data, name)
        except SubmissionError as exc:
            self.problems.append(f"{rel}: {exc}")
            return
        except Exception as exc:  # noqa: BLE001 - ours, unless the content caused it
            fault = content_fault(exc)
            if fault is not None:
                self.problems.append(f"{rel}: the notebook cannot be read: {fault}")
            else:
                self.grader_errors.append(grader_error_text(f"reading the notebook {rel}", exc))
            return
        self._put(PurePosixPath(name).stem + ".py", Candidate(rel, nb.source, tuple(f"{rel}: {n}" for n in nb.notes)))

    def _put(self, name: str, new: Candidate) -> None:
        self.notes.append(new)
        kept = self.graded.get(name)
        if kept is None:
            self.graded[name] = new
            return
        # X.py beside X.ipynb: the changed one is graded, whatever the archive order.
        stubs = self.stubs if self.stubs is not None else (choosing.default_stubs() or self.repo_stubs)
        other = self.alternates.pop(name, None)
        chosen = choose(name, [kept, *([other] if other is not None else []), new], stubs)
        self.graded[name] = chosen.graded
        if chosen.alternate is not None:
            self.alternates[name] = chosen.alternate
        self.notes.append(chosen.note)


def _text(rel: str, data: bytes, into: _Collector) -> str | None:
    """UTF-8 text, or None with a note for binary or undecodable files."""
    if b"\x00" in data:
        into.notes.append(f"{rel}: skipped, it is a binary file, not Python source")
        return None
    text = decode_source(data)  # as Python reads it: UTF-8 unless a PEP 263 coding line says otherwise
    if text is None:
        into.notes.append(f"{rel}: skipped, it is not UTF-8 text and declares no other encoding (save it as UTF-8)")
    return text

