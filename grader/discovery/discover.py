"""Finding submissions: one entry of the submissions folder per student.

An entry is a folder of the student's files, a `.zip` of them, a single
`.ipynb` notebook or a single `.py` file. Only `.py` sources and notebooks
(converted to `<stem>.py`) are kept; the worker finds functions by name in
whichever file defines them, so layouts do not matter and nested folders are
flattened to file names.

Submissions are hostile input. Nothing here follows a symlink, trusts a zip
header's sizes, writes to disk, or lets one student's entry stop the batch: bad
content is a line in that student's `problems`, a failure of ours one in their
`grader_errors`. Safe ids never name a class file nor collide, case-insensitively.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from grader.discovery.ids import clean_id, safe_id  # noqa: F401 - re-exported
from grader.errors import SubmissionError, UsageError, grader_error_text

MAX_SOURCE_BYTES = 1024 * 1024          # one .py file: far beyond any honest answer
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024   # notebooks may carry big stored plots
MAX_TOTAL_BYTES = 64 * 1024 * 1024      # everything one student submits, unpacked
MAX_ENTRIES = 1000                      # files and folders in one submission
MAX_DEPTH = 8                           # folder nesting we look into
CHUNK = 64 * 1024

# Editor and OS clutter: ignored silently.
_JUNK_DIRS = {"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git", ".idea", ".vscode"}


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


class _TooBig(Exception):
    pass


@dataclass
class _Collector:
    """Accumulates one submission's files while enforcing the size budget."""

    files: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    alternates: dict[str, list[Any]] = field(default_factory=dict)  # name -> [choose.Candidate]
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    grader_errors: list[str] = field(default_factory=list)
    total: int = 0
    entries: int = 0

    def count_entry(self) -> None:
        self.entries += 1
        if self.entries > MAX_ENTRIES:
            raise _TooBig(f"the submission has more than {MAX_ENTRIES} files and folders")

    def charge(self, n: int) -> None:
        self.total += n
        if self.total > MAX_TOTAL_BYTES:
            raise _TooBig(f"the submission is larger than {MAX_TOTAL_BYTES // (1024 * 1024)} MiB unpacked")

    def add(self, rel: str, data: bytes) -> None:
        """Keep a .py file or convert a notebook; anything else is noted and skipped."""
        name = PurePosixPath(rel).name
        suffix = PurePosixPath(name).suffix.lower()
        if suffix == ".ipynb":
            self._add_notebook(rel, name, data)
        elif suffix == ".py":
            text = _text(rel, data, self)
            if text is not None:
                self._put(name, text, rel)
        elif suffix == ".zip":
            self.notes.append(f"{rel}: archives inside the submission are not opened")
        else:
            self.notes.append(f"{rel}: ignored (only .py files and .ipynb notebooks are graded)")

    def _add_notebook(self, rel: str, name: str, data: bytes) -> None:
        from grader.discovery.notebook import notebook_to_source

        try:
            nb = notebook_to_source(data, name)
        except SubmissionError as exc:
            self.problems.append(f"{rel}: {exc}")
            return
        except Exception as exc:  # noqa: BLE001 - e.g. a metadata integer of 10,000 digits: our failure
            self.grader_errors.append(grader_error_text(f"reading the notebook {rel}", exc))
            return
        self.notes.extend(f"{rel}: {n}" for n in nb.notes)
        self._put(PurePosixPath(name).stem + ".py", nb.source, rel)

    def _put(self, name: str, text: str, rel: str) -> None:
        if name in self.files:
            # X.py beside X.ipynb: the changed one is graded, whatever the archive order.
            from grader.discovery.choose import Candidate, choose, default_stubs

            kept = Candidate(self.origins[name], self.files[name])
            chosen = choose(name, [kept, *self.alternates.pop(name, ()), Candidate(rel, text)], default_stubs())
            self.files[name], self.origins[name] = chosen.graded.code, chosen.graded.submitted
            if chosen.alternate is not None:
                self.alternates[name] = [chosen.alternate]
            self.notes.append(chosen.note)
            return
        self.files[name] = text
        self.origins[name] = rel


def _text(rel: str, data: bytes, into: _Collector) -> str | None:
    """UTF-8 text, or None with a note for binary or undecodable files."""
    if b"\x00" in data:
        into.notes.append(f"{rel}: skipped, it is a binary file, not Python source")
        return None
    from grader.discovery.choose import decode_source

    text = decode_source(data)  # as Python reads it: UTF-8 unless a PEP 263 coding line says otherwise
    if text is None:
        into.notes.append(f"{rel}: skipped, it is not UTF-8 text and declares no other encoding (save it as UTF-8)")
    return text


def _limit_for(name: str) -> int:
    return MAX_NOTEBOOK_BYTES if name.lower().endswith(".ipynb") else MAX_SOURCE_BYTES


def _wanted(name: str) -> bool:
    return name.lower().endswith((".py", ".ipynb"))


# -- readers -------------------------------------------------------------------

def _read_regular(path: Path, rel: str, limit: int, into: _Collector) -> bytes | None:
    """Read at most `limit` bytes of a regular file opened without following symlinks."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        into.problems.append(f"{rel}: cannot be read ({exc.strerror})")
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            into.notes.append(f"{rel}: skipped, not a regular file")
            return None
        data = f.read(limit + 1)
    if len(data) > limit:
        into.problems.append(f"{rel}: skipped, larger than {limit // 1024} KiB")
        return None
    into.charge(len(data))
    return data


def _symlink(rel: str, link: Path, root: Path, into: _Collector) -> None:
    """Never followed; whether it pointed outside decides note vs problem."""
    try:
        target = os.path.realpath(link)
        inside = os.path.commonpath([target, os.path.realpath(root)]) == os.path.realpath(root)
    except (OSError, ValueError):
        inside = False
    if inside:
        into.notes.append(f"{rel}: skipped, symbolic links are not followed")
    else:
        into.problems.append(f"{rel}: skipped, it is a symbolic link pointing outside the submission")


def _walk(folder: Path, root: Path, into: _Collector, depth: int = 0) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        into.problems.append(f"{folder.name}: cannot be listed ({exc.strerror})")
        return
    for entry in entries:
        into.count_entry()
        rel = str(Path(entry.path).relative_to(root))
        if entry.name.startswith(".") or entry.name in _JUNK_DIRS:
            continue
        if entry.is_symlink():
            _symlink(rel, Path(entry.path), root, into)
        elif entry.is_dir(follow_symlinks=False):
            if depth >= MAX_DEPTH:
                into.notes.append(f"{rel}: not searched, folders nested too deeply")
            else:
                _walk(Path(entry.path), root, into, depth + 1)
        elif not _wanted(entry.name):
            into.add(rel, b"")  # notes that it is ignored, reads nothing
        else:
            data = _read_regular(Path(entry.path), rel, _limit_for(entry.name), into)
            if data is not None:
                into.add(rel, data)


def _unsafe_member(name: str) -> str | None:
    """Why a zip member name must not be used, or None."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "has an absolute path"
    parts = re.split(r"[\\/]+", name)
    if ".." in parts:
        return "climbs out of the archive with '..'"
    if "\x00" in name:
        return "has a NUL byte in its name"
    return None


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, into: _Collector) -> bytes | None:
    """Decompress a member counting the bytes actually produced, never the header's claim."""
    chunks: list[bytes] = []
    size = 0
    with zf.open(info) as f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            into.charge(len(chunk))
            if size > limit:
                into.problems.append(f"{info.filename}: skipped, larger than {limit // 1024} KiB unpacked")
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def _unzip(path: Path, into: _Collector) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                raise _TooBig(f"the archive has {len(infos)} entries (at most {MAX_ENTRIES})")
            for info in infos:
                into.count_entry()
                name = info.filename
                why = _unsafe_member(name)
                if why:
                    into.problems.append(f"{name}: skipped, it {why}")
                    continue
                parts = [p for p in re.split(r"[\\/]+", name) if p]
                if not parts or info.is_dir():
                    continue
                if any(p.startswith(".") or p in _JUNK_DIRS for p in parts):
                    continue
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    into.problems.append(f"{name}: skipped, symbolic links inside archives are not followed")
                    continue
                rel = "/".join(parts)
                if not _wanted(rel):
                    into.add(rel, b"")
                    continue
                data = _read_member(zf, info, _limit_for(rel), into)
                if data is not None:
                    into.add(rel, data)
    except _TooBig:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        into.problems.append(f"{path.name}: the zip archive is corrupt ({exc})")
    except NotImplementedError as exc:
        into.problems.append(f"{path.name}: the zip archive uses an unsupported compression ({exc})")
    except RuntimeError as exc:  # encrypted members
        into.problems.append(f"{path.name}: the zip archive cannot be opened ({exc})")


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
        _walk(entry, entry, into)
    elif not entry.exists():
        into.problems.append(f"{entry.name}: does not exist")
    elif entry.suffix.lower() == ".zip":
        _unzip(entry, into)
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
        into.problems.append(f"{entry.name}: {exc}; nothing was graded")
    except RecursionError:
        into.files.clear()
        into.problems.append(f"{entry.name}: folders nested too deeply; nothing was graded")
    except Exception as exc:  # noqa: BLE001 - one student's entry never stops the class
        into.grader_errors.append(grader_error_text("reading the submission", exc))
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
