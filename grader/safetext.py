"""Text that is safe to write anywhere, whatever a student supplied.

Files: every file the grader writes goes through `atomic_write_text`, which is
atomic (a temp file and os.replace) and always writes valid UTF-8. Terminals:
`terminal_text` drops control and escape characters from a line.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from pathlib import Path


def utf8_text(text: str) -> str:
    """`text` with anything UTF-8 cannot encode (lone surrogates from student output or
    non-UTF-8 file names) replaced by U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        # Through UTF-16: a surrogate pair becomes its character, each lone surrogate one U+FFFD.
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def terminal_text(text: str, limit: int = 2000) -> str:
    """`text` without control, format or escape characters, for a terminal line: a student id
    or message could carry ESC sequences that rewrite the instructor's screen."""
    return "".join("?" if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch for ch in text[:limit])


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder and os.replace: readers never see half a file.

    The file is always valid UTF-8 (see `utf8_text`), whatever the text holds.
    """
    data = utf8_text(text).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; reports and grades are for reading
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
