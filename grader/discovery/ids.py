"""Student ids and the folder names they get in OUT: safe on every file system, never equal to a
class file (grades.csv, summary.json, index.html, ...), never two alike (case-insensitively, as the
batch checks)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
# OUT holds class files beside the student folders: a student may not be named like one. OUT's
# own folders (`_instructor`, the instructor-only data; `.rejudge-*`, staging) start with a
# character no safe id starts with, so no student can be named like them either.
_CLASS_FILE_SUFFIXES = (".csv", ".json", ".html", ".htm", ".js", ".css", ".txt", ".md", ".tmp", ".zip", ".log")


def clean_id(name: str) -> str:
    """A student id as text: bytes of a non-UTF-8 name (surrogate escapes) become `\\xNN`."""
    for errors in ("strict", "surrogateescape"):
        try:
            return name.encode("utf-8", errors).decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            continue
    return name.encode("utf-8", "surrogatepass").decode("utf-8", "backslashreplace")


def safe_id(student_id: str) -> str:
    """A folder name for `student_id`: itself if already safe, else a cleaned name plus a hash."""
    low = student_id.lower()
    reserved = low in _WINDOWS_RESERVED or low.endswith(_CLASS_FILE_SUFFIXES)
    if _SAFE_ID.match(student_id) and not reserved and ".." not in student_id:
        return student_id
    ascii_name = unicodedata.normalize("NFKD", student_id).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("._-")[:40] or "student"
    digest = hashlib.sha256(student_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{cleaned}-{digest}"


def distinct_safe_ids(entries: list[tuple[str, str]]) -> list[str]:
    """Safe ids for (listing name, student id) pairs in listing order, distinct case-insensitively.

    A collision (alice/ and alice.zip, or Alice and alice on a case-blind disk) gets a suffix from
    the listing name, so ids depend only on the listing, never on the machine or on a shard.
    """
    taken: set[str] = set()
    out = []
    for key, sid in entries:
        safe = safe_id(sid)
        if safe.lower() in taken:
            digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            safe = f"{safe[:50]}-{digest}"
            n = 2
            while safe.lower() in taken:
                safe = f"{safe}-{n}"
                n += 1
        taken.add(safe.lower())
        out.append(safe)
    return out
