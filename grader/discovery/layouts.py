"""How a class's submissions are laid out, and who each student is.

- folders: one entry per student (a folder, a .zip, a .ipynb or a .py); the id is its name.
- classroom: GitHub Classroom clones, `<assignment>-<username>/`, each a repository
  (grader.discovery.repo); the id is the username (the assignment prefix that every folder
  shares, or that the `<assignment>-submissions` folder names, is stripped).
- canvas: Canvas's "Download Submissions" zip (or that zip unpacked): flat files named
  `<sortablename>[_LATE]_<userid>_<fileid>_<filename>` (`anon_<id>` for anonymous grading,
  `..._<userid>_text.html` for text entries), as Canvas's ContentZipper writes them. The id is
  the Canvas user id, the name part is kept for the dashboard. A name Canvas made unique on
  resubmission (`relu_model-1.py`) is graded as the exercise it names.
- moodle: Moodle's "Download all submissions" zip (or unpacked): a folder per participant and
  plugin, `<Full Name>_<participantid>_assignsubmission_<plugin>_/`, or with "download as folders"
  off, flat files `<Full Name>_<participantid>_assignsubmission_<plugin>_<filename>`. The id is
  the participant id (what Moodle's grading worksheet matches on), the name kept for the dashboard.

`auto` picks the layout every entry fits (LMS layouts first), else folders. An entry that does
not fit the chosen layout is that student's problem, never the batch's. In LMS layouts a student's
uploaded zip is opened (one level), as that is how they hand in several files.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.catalog import EXERCISE_NAMES
from grader.discovery import repo
from grader.discovery.collect import _JUNK_DIRS, _Collector, read_entry, read_file_as, read_zip
from grader.discovery.ids import clean_id
from grader.errors import UsageError

LAYOUTS = ("auto", "folders", "classroom", "canvas", "moodle")
MAX_CLASS_ARCHIVE_ENTRIES = 200_000   # members listed in one LMS download (each student's budget still applies)

CANVAS = re.compile(r"^(?:(?P<name>\w*?)_)?(?P<late>LATE_)?(?P<uid>\d+|anon_[A-Za-z0-9]+)_"
                    r"(?:(?P<fid>\d+)_(?P<file>.+)|(?P<kind>text|link)\.html)$")
MOODLE = re.compile(r"^(?P<name>.*)_(?P<pid>\d+)_assignsubmission_(?P<plugin>[A-Za-z0-9]+)_(?P<rest>.*)$", re.S)
RESUBMITTED = re.compile(r"^(?P<stem>.+)-\d+$")


@dataclass(frozen=True)
class Entry:
    """One student of the class, not read yet."""

    key: str                                  # the listing name: tells apart ids that collide
    student_id: str
    label: str                                # names the entry in the student's problems
    fill: Callable[[_Collector], None] = field(compare=False)
    display_name: str = ""                    # the LMS's name for the student (the id stays the id)
    open_archives: bool = False               # LMS uploads: a zip the student handed in is opened


@dataclass(frozen=True)
class Found:
    layout: str
    entries: tuple[Entry, ...]
    summary: str                              # one line for the instructor: what was recognised


def _student_id(entry: Path) -> str:
    if entry.is_dir() and not entry.is_symlink():
        name = entry.name
    else:
        name = entry.stem if entry.suffix.lower() in (".zip", ".ipynb", ".py") else entry.name
    return clean_id(name)


def folder_entries(folder: Path) -> Iterator[Path]:
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.startswith(".") and entry.name not in _JUNK_DIRS:
            yield entry


def _graded_name(name: str) -> str:
    """Canvas renames a resubmitted file `x-1.py`: graded as x.py when x is an exercise."""
    path = PurePosixPath(name)
    m = RESUBMITTED.match(path.stem)
    return f"{m['stem']}{path.suffix}" if m and m["stem"] in EXERCISE_NAMES else name


def _reader(entry: Path) -> Callable[[_Collector], None]:
    def fill(into: _Collector) -> None:
        read_entry(entry, into)
    return fill


def _not_fitting(key: str, layout: str, fill_label: str) -> Entry:
    def fill(into: _Collector) -> None:
        into.problems.append(f"{fill_label}: its name does not follow the {layout} layout, so it is not "
                             "known whose it is; it was not graded")
    return Entry(key, clean_id(key), key, fill)


# -- an LMS download: files grouped by student ----------------------------------------

@dataclass
class _Group:
    student_id: str
    display_name: str
    parts: list[tuple[str, str]] = field(default_factory=list)  # (name in the listing, name graded)
    late: bool = False


def _canvas_parts(name: str) -> tuple[str, str, str, bool] | None:
    """(user id, display name, graded file name, late) for a Canvas file name, or None."""
    m = CANVAS.match(name)
    if m is None:
        return None
    graded = _graded_name(m["file"]) if m["file"] else f"{m['kind']}.html"
    return m["uid"], m["name"] or "", graded, bool(m["late"])


def _moodle_parts(top: str, inner: str) -> tuple[str, str, str, bool] | None:
    """(participant id, name, graded path, False) for a Moodle folder/file name, or None."""
    m = MOODLE.match(top)
    if m is None:
        return None
    graded = "/".join(p for p in (m["rest"], inner) if p)
    return m["pid"], m["name"].strip(), graded or top, False


def _group(names: list[tuple[str, str, str]], parse: Callable[[str, str], tuple[str, str, str, bool] | None],
           ) -> tuple[dict[str, _Group], list[str]]:
    """Files (listing name, top part, inner path) grouped by student; tops that fit no student."""
    groups: dict[str, _Group] = {}
    strays: list[str] = []
    for listed, top, inner in names:
        parsed = parse(top, inner)
        if parsed is None:
            if top not in strays:
                strays.append(top)
            continue
        sid, name, graded, late = parsed
        group = groups.setdefault(sid, _Group(sid, name))
        group.parts.append((listed, graded))
        group.late = group.late or late
    return groups, strays


def _lms_entries(path: Path, layout: str, parse: Callable[[str, str], tuple[str, str, str, bool] | None],
                 names: list[tuple[str, str, str]], in_zip: bool) -> list[Entry]:
    groups, strays = _group(names, parse)
    entries: list[Entry] = []
    for sid, group in sorted(groups.items()):
        label = f"the {layout.capitalize()} files of {sid}"
        entries.append(Entry(sid, sid, label, _lms_fill(path, group, in_zip), group.display_name, True))
    entries += [_not_fitting(s, layout, s) for s in strays]
    return entries


def _lms_fill(path: Path, group: _Group, in_zip: bool) -> Callable[[_Collector], None]:
    def fill(into: _Collector) -> None:
        if group.late:
            into.notes.append("the LMS marked this submission late")
        if in_zip:
            mapping = dict(group.parts)
            read_zip(path, into, path.name, rename=mapping.get)
            return
        for listed, graded in group.parts:
            read_file_as(path / listed, graded, into)
    return fill


def _zip_names(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UsageError(f"{path} cannot be read as a zip archive ({exc})") from exc
    if len(infos) > MAX_CLASS_ARCHIVE_ENTRIES:
        raise UsageError(f"{path} has {len(infos)} entries, more than {MAX_CLASS_ARCHIVE_ENTRIES}")
    return [i.filename for i in infos if not i.is_dir()]


def _split(name: str) -> tuple[str, str]:
    parts = [p for p in re.split(r"[\\/]+", name) if p]
    return (parts[0], "/".join(parts[1:])) if parts else ("", "")


def _visible(top: str) -> bool:
    return bool(top) and not top.startswith(".") and top not in _JUNK_DIRS


def _listing(path: Path) -> tuple[list[tuple[str, str, str]], bool]:
    """(listing name, top part, inner path) of every file of an LMS download, and whether it is a zip."""
    if path.is_file():
        return [(n, *_split(n)) for n in _zip_names(path) if _visible(_split(n)[0])], True
    return [(e.name, e.name, "") for e in folder_entries(path)], False


# -- classroom clones ---------------------------------------------------------------------

def _is_repository(folder: Path) -> bool:
    try:
        tops = [e.name for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return False
    return repo.repository_prefix(lambda rel: os.path.lexists(folder / rel), tops) is not None


def assignment_prefix(folder: Path, names: list[str]) -> str:
    """What every clone's name starts with: `<assignment>-` (GitHub Classroom names a student's
    repository `<assignment>-<username>`, and `gh classroom clone` puts them in `<assignment>-submissions/`)."""
    if folder.name.endswith("-submissions"):
        slug = folder.name[: -len("-submissions")] + "-"
        if all(n.startswith(slug) and len(n) > len(slug) for n in names):
            return slug
    if len(names) < 2:
        return ""
    common = os.path.commonprefix(names)
    common = common[: common.rfind("-") + 1]
    return common if all(len(n) > len(common) for n in names) else ""


def _classroom(folder: Path, entries: list[Path]) -> Found:
    prefix = assignment_prefix(folder, [e.name for e in entries])
    found = []
    for e in entries:
        sid = clean_id(e.name[len(prefix):])
        found.append(Entry(e.name, sid, e.name, _reader(e)))
    said = f"the assignment prefix {prefix!r} stripped" if prefix else "each folder's name"
    return Found("classroom", tuple(found), f"GitHub Classroom clones: {len(found)} repositories, ids are "
                                            f"the usernames ({said})")


# -- choosing the layout --------------------------------------------------------------------

def _fit_count(layout: str, listing: list[tuple[str, str, str]]) -> int:
    """How many of the download's top names fit the LMS's naming."""
    tops = {top: inner for _, top, inner in listing}
    if layout == "canvas":
        return sum(1 for top, inner in tops.items() if not inner and CANVAS.match(top))
    return sum(1 for top in tops if MOODLE.match(top))


def _recognised_lms(listing: list[tuple[str, str, str]], in_zip: bool) -> str:
    """The LMS whose naming the download follows ("" for none): in a zip, any name that fits
    decides (strays become their own problem entries); in a folder, most names must fit."""
    tops = len({top for _, top, _ in listing})
    counts = {lms: _fit_count(lms, listing) for lms in ("moodle", "canvas")}
    best = max(counts, key=lambda lms: counts[lms])
    enough = counts[best] > 0 if in_zip else counts[best] * 2 > tops
    return best if enough else ""


def _lms(path: Path, layout: str, listing: list[tuple[str, str, str]], in_zip: bool) -> Found:
    if layout == "canvas":
        parse: Callable[[str, str], tuple[str, str, str, bool] | None] = \
            lambda top, inner: None if inner else _canvas_parts(top)
        who = "Canvas user ids"
    else:
        parse, who = _moodle_parts, "Moodle participant ids"
    entries = _lms_entries(path, layout, parse, listing, in_zip)
    title = {"canvas": "Canvas \"Download Submissions\"", "moodle": "Moodle \"Download all submissions\""}[layout]
    return Found(layout, tuple(entries), f"{title}: {len(entries)} students, ids are {who} (names kept for the "
                                         "dashboard)")


def find_layout(path: Path, layout: str = "auto") -> Found:
    """The students at `path` (a folder, or an LMS's zip) in `layout`; "auto" recognises it."""
    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout {layout!r} (one of {', '.join(LAYOUTS)})")
    if path.is_file() and path.suffix.lower() == ".zip":
        if layout in ("folders", "classroom"):
            raise UsageError(f"{path} is a zip: the {layout} layout is a folder (unzip it first)")
    elif not path.is_dir():
        raise UsageError(f"{path} is not a folder of submissions")  # nor an LMS's zip
    listing, in_zip = _listing(path)
    if layout == "auto":
        layout = _recognised_lms(listing, in_zip)
        if not layout and in_zip:
            raise UsageError(f"{path} is a zip but not a Canvas or Moodle download: unzip it into a folder "
                             "with one entry per student, or name the layout with --layout")
        if not layout:
            entries = list(folder_entries(path))
            repos = sum(e.is_dir() and not e.is_symlink() and _is_repository(e) for e in entries)
            layout = "classroom" if entries and repos * 2 >= len(entries) and all(
                e.is_dir() for e in entries) else "folders"
    if layout in ("canvas", "moodle"):
        return _lms(path, layout, listing, in_zip)
    entries = list(folder_entries(path))
    if layout == "classroom":
        return _classroom(path, entries)
    return Found("folders", tuple(Entry(e.name, _student_id(e), e.name, _reader(e))
                                  for e in entries), f"one entry per student: {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}")
