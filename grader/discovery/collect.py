"""Reading one student's files within budgets: folders, zips, single files (see grader.discovery.discover).

What each file becomes and the choice between X.py and X.ipynb are the collector's
(grader.discovery.collector); here is how files are found and read, and the budgets kept.

Nothing here follows a symlink, trusts a zip header's sizes or writes to disk.
Bad content is a line in the student's `problems`; only a failure of ours is a
grader error. A student repository (grader.discovery.repo) is read as its
exercise files alone.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO

from grader.discovery import repo
from grader.discovery.collector import _Collector

MAX_SOURCE_BYTES = 1024 * 1024          # one .py file: far beyond any honest answer
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024   # notebooks may carry big stored plots
MAX_TOTAL_BYTES = 64 * 1024 * 1024      # everything one student submits, unpacked
MAX_ENTRIES = 1000                      # files and folders in one submission
MAX_ARCHIVE_ENTRIES = 20000             # listed in one zip (a zipped repository with its leftovers)
MAX_DEPTH = 8                           # folder nesting we look into
CHUNK = 64 * 1024

# Editor and OS clutter: ignored silently.
_JUNK_DIRS = {"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git", ".idea", ".vscode"}


class _TooBig(Exception):
    pass


def _count_entry(into: _Collector) -> None:
    into.entries += 1
    if into.entries > MAX_ENTRIES:
        raise _TooBig(f"the submission has more than {MAX_ENTRIES} files and folders")


def _charge(into: _Collector, n: int) -> None:
    into.total += n
    if into.total > MAX_TOTAL_BYTES:
        raise _TooBig(f"the submission is larger than {MAX_TOTAL_BYTES // (1024 * 1024)} MiB unpacked")


def _limit_for(name: str) -> int:
    return MAX_NOTEBOOK_BYTES if name.lower().endswith((".ipynb", ".zip")) else MAX_SOURCE_BYTES


def _wanted(name: str, into: _Collector | None = None) -> bool:
    """Worth reading: source, notebooks, and zips where archives are opened."""
    return name.lower().endswith((".py", ".ipynb")) or (
        into is not None and into.open_archives and name.lower().endswith(".zip"))


def _add(into: _Collector, rel: str, data: bytes) -> None:
    """Keep a .py file or convert a notebook (grader.discovery.collector); anything else is noted and skipped."""
    suffix = PurePosixPath(rel).suffix.lower()
    if suffix == ".ipynb":
        into.add_notebook(rel, data)
    elif suffix == ".py":
        into.add_python(rel, data)
    elif suffix == ".zip" and into.open_archives and data:
        into.open_archives = False  # a zip inside that zip stays closed
        try:
            read_zip(io.BytesIO(data), into, rel)
        finally:
            into.open_archives = True
    elif suffix == ".zip":
        into.notes.append(f"{rel}: archives inside the submission are not opened")
    else:
        into.notes.append(f"{rel}: ignored (only .py files and .ipynb notebooks are graded)")


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
    _charge(into, len(data))
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


def _listing(folder: Path, into: _Collector) -> list[os.DirEntry[str]] | None:
    """The folder's entries by name; None, with a problem said, when it cannot be listed."""
    try:
        return sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        into.problems.append(f"{folder.name}: cannot be listed ({exc.strerror})")
        return None


def _walk(folder: Path, root: Path, into: _Collector, depth: int = 0) -> None:
    entries = _listing(folder, into)
    if entries is None:
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name in _JUNK_DIRS:
            continue
        is_dir = entry.is_dir(follow_symlinks=False)
        if is_dir and repo.is_tool_dir(entry.name) or not is_dir and entry.name in repo.TOOL_FILES:
            continue  # what pip, pytest or an editor wrote: never counted, never read
        _count_entry(into)
        rel = str(Path(entry.path).relative_to(root))
        if entry.is_symlink():
            _symlink(rel, Path(entry.path), root, into)
        elif is_dir:
            if os.path.isfile(os.path.join(entry.path, "__init__.py")) and entry.name == "grader":
                into.notes.append(repo.GRADER_PACKAGE_NOTE.format(rel=rel))
            elif depth >= MAX_DEPTH:
                into.notes.append(f"{rel}: not searched, folders nested too deeply")
            else:
                _walk(Path(entry.path), root, into, depth + 1)
        elif not _wanted(entry.name, into):
            _add(into, rel, b"")  # notes that it is ignored, reads nothing
        else:
            _add_file(Path(entry.path), rel, into)


def _add_file(path: Path, rel: str, into: _Collector) -> None:
    data = _read_regular(path, rel, _limit_for(rel), into)
    if data is not None:
        _add(into, rel, data)


def read_folder(root: Path, into: _Collector) -> None:
    """A folder of the student's files; a repository (grader.discovery.repo) is read as its exercise files."""
    try:
        tops = [e.name for e in os.scandir(root) if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")]
    except OSError:
        tops = []
    prefix = repo.repository_prefix(lambda rel: os.path.lexists(root / rel), tops)
    if prefix is None:
        _walk(root, root, into)
        return
    into.notes.append(repo.REPOSITORY_NOTE)
    index = root / prefix / repo.STUB_INDEX
    into.repo_stubs = repo.stub_index(_read_regular(index, repo.STUB_INDEX, MAX_SOURCE_BYTES, into)
                                      if os.path.isfile(index) else None)
    for rel in repo.exercise_files(prefix):
        path = root / rel
        try:
            mode = os.lstat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:  # e.g. a folder the student left unreadable: theirs to fix
            into.problems.append(f"{rel}: cannot be read ({exc.strerror})")
            continue
        _count_entry(into)
        if stat.S_ISLNK(mode):
            _symlink(rel, path, root, into)
        elif stat.S_ISREG(mode):
            _add_file(path, rel, into)
        else:
            into.notes.append(f"{rel}: skipped, not a regular file")


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
            _charge(into, len(chunk))
            if size > limit:
                into.problems.append(f"{info.filename}: skipped, larger than {limit // 1024} KiB unpacked")
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def _member_parts(info: zipfile.ZipInfo, into: _Collector) -> list[str] | None:
    """The path parts of a member worth reading, or None (unsafe, a folder, clutter, a link)."""
    name = info.filename
    why = _unsafe_member(name)
    if why:
        into.problems.append(f"{name}: skipped, it {why}")
        return None
    parts = [p for p in re.split(r"[\\/]+", name) if p]
    if not parts or info.is_dir() or any(p.startswith(".") or p in _JUNK_DIRS for p in parts):
        return None
    if stat.S_ISLNK(info.external_attr >> 16):
        into.problems.append(f"{name}: skipped, symbolic links inside archives are not followed")
        return None
    return parts


def _archive_prefix(infos: list[zipfile.ZipInfo]) -> str | None:
    names = {"/".join(p for p in re.split(r"[\\/]+", i.filename) if p) for i in infos}
    folders = {n.rsplit("/", k)[0] for n in names for k in range(1, n.count("/") + 1)}
    tops = {n.split("/", 1)[0] for n in names if "/" in n}
    return repo.repository_prefix(lambda rel: rel in names or rel in folders, tops)


def _grader_packages(infos: list[zipfile.ZipInfo]) -> set[str]:
    """Folders `.../grader/` that hold `__init__.py`: a copy of the grader package, never student code."""
    names = ("/".join(p for p in re.split(r"[\\/]+", i.filename) if p) for i in infos)
    return {n[: -len("__init__.py")] for n in names if n == "grader/__init__.py" or n.endswith("/grader/__init__.py")}


def read_zip(source: Path | IO[bytes], into: _Collector, label: str,
             rename: Callable[[str], str | None] | None = None) -> None:
    """The members of a zip (a path, or bytes already read) as the student's files.

    `rename` maps a member's name to the student's relative name, or None to skip it (an LMS zip
    holds every student). A repository inside (grader.discovery.repo) is read as its exercise files.
    """
    try:
        with zipfile.ZipFile(source) as zf:
            infos = zf.infolist()
            if rename is not None:  # this student's part of a class download
                infos = [i for i in infos if rename(i.filename) is not None]
            if len(infos) > MAX_ARCHIVE_ENTRIES:
                raise _TooBig(f"the archive has {len(infos)} entries (at most {MAX_ARCHIVE_ENTRIES})")
            prefix = _archive_prefix(infos) if rename is None else None
            wanted = set(repo.exercise_files(prefix)) if prefix is not None else None
            if wanted is not None:
                into.notes.append(repo.REPOSITORY_NOTE)
                index = next((i for i in infos if i.filename == f"{prefix}{repo.STUB_INDEX}"), None)
                into.repo_stubs = repo.stub_index(_read_member(zf, index, MAX_SOURCE_BYTES, into) if index else None)
            packages = _grader_packages(infos)
            for info in infos:
                name = info.filename if rename is None else rename(info.filename) or ""
                parts = _member_parts(info, into)
                if parts is None:
                    continue
                rel = "/".join(parts) if rename is None else name
                if wanted is not None and rel not in wanted:
                    continue
                if wanted is None and (any(repo.is_tool_dir(p) for p in parts[:-1]) or parts[-1] in repo.TOOL_FILES
                                       or any("/".join(parts).startswith(pkg) for pkg in packages)):
                    continue  # build leftovers and the grader package: not counted, not read
                _count_entry(into)
                if not _wanted(rel, into):
                    _add(into, rel, b"")
                    continue
                data = _read_member(zf, info, _limit_for(rel), into)
                if data is not None:
                    _add(into, rel, data)
    except _TooBig:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        into.problems.append(f"{label}: the zip archive is corrupt ({exc})")
    except NotImplementedError as exc:
        into.problems.append(f"{label}: the zip archive uses an unsupported compression ({exc})")
    except RuntimeError as exc:  # encrypted members
        into.problems.append(f"{label}: the zip archive cannot be opened ({exc})")


def read_entry(entry: Path, into: _Collector) -> None:
    """One student's entry of a submissions folder: a folder, a .zip, a .ipynb or a .py file."""
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
            _add(into, entry.name, data)
    else:
        into.problems.append(f"{entry.name}: unsupported submission type "
                             "(submit a folder, a .zip, a .ipynb notebook or a .py file)")


def read_file_as(path: Path, rel: str, into: _Collector) -> None:
    """One file of a student's upload (an LMS download), graded under the name `rel`."""
    if path.is_symlink():
        into.problems.append(f"{rel}: skipped, symbolic links are not followed")
    elif path.is_dir():
        read_folder(path, into)
    else:
        _count_entry(into)
        if _wanted(rel, into):
            _add_file(path, rel, into)
        else:
            _add(into, rel, b"")


def read_top_level(folder: Path, into: _Collector) -> None:
    """The .py files and notebooks directly in `folder` (the student's own exercises/, where
    `grader check` runs): other files there (checkpoints, data) are the student's business, not noted."""
    entries = _listing(folder, into)
    if entries is None:
        return
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.lower().endswith((".py", ".ipynb")):
            continue
        if entry.is_dir(follow_symlinks=False):
            continue
        _count_entry(into)
        if entry.is_symlink():
            _symlink(entry.name, Path(entry.path), folder, into)
        else:
            _add_file(Path(entry.path), entry.name, into)
