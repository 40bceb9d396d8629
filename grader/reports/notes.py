"""Notes: what the grader decided about a submission (which file it graded, a notebook cell it
skipped), as opposed to problems (faults of the submission). One line per kind of note, and
kept apart from problems wherever both are shown.

A self-check of the released bundle used to print one note per exercise ("relu_model.py and
relu_model.ipynb are both the released stub; graded relu_model.py", eight times) on every
run and every watch cycle, burying the result. Notes that differ only in the exercise file
they name are one kind: they become one line that lists the exercises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NOTE_PREFIX = "Note: "
PLACEHOLDER = "<exercise>"
_FILE = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\.(?:py|ipynb)\b")


def split_notes(problems: Iterable[str]) -> tuple[list[str], list[str]]:
    """(problems, notes) from a result's `problems`, where notes carry the `Note: ` prefix."""
    faults: list[str] = []
    notes: list[str] = []
    for p in problems:
        if p.startswith(NOTE_PREFIX):
            notes.append(p[len(NOTE_PREFIX):])
        else:
            faults.append(p)
    return faults, notes


def note_kind(note: str) -> tuple[str, str | None]:
    """The note with its one exercise file's stem replaced by a placeholder, and that stem.

    A note naming no file, or files of several stems, is a kind of its own (stem None).
    """
    stems = {m.group(1) for m in _FILE.finditer(note)}
    if len(stems) != 1:
        return note, None
    stem = stems.pop()
    return re.sub(rf"(?<![\w.]){re.escape(stem)}(?=\.(?:py|ipynb)\b|:)", PLACEHOLDER, note), stem


def grouped_notes(notes: Iterable[str]) -> list[str]:
    """One line per kind of note, in the order kinds first appear; repeated notes once."""
    kinds: dict[str, list[tuple[str, str | None]]] = {}
    for note in dict.fromkeys(notes):
        kind, stem = note_kind(note)
        kinds.setdefault(kind, []).append((note, stem))
    lines: list[str] = []
    for kind, members in kinds.items():
        if len(members) == 1 or members[0][1] is None:
            lines.extend(note for note, _ in members)
            continue
        stems = [stem for _, stem in members if stem is not None]
        lines.append(f"{kind} (for {len(stems)} exercises, {PLACEHOLDER} = {', '.join(stems)})")
    return lines
