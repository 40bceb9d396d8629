"""Text that is safe to write anywhere, whatever a student supplied.

Files: `utf8_text` makes any text encodable (`grader.storage.atomic` writes every file through
it). Terminals: `terminal_text` drops control and escape characters from a line. Long text:
`truncate` is the one way anything is cut, with the one marker a reader learns to recognise.
"""

from __future__ import annotations

import unicodedata


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


def truncation_marker(total: int, unit: str = "characters") -> str:
    """The one marker of cut text, saying how long it was in all. `unit` is "bytes" only where
    output is read as bytes from a file and its length in characters is unknown."""
    return f"[... truncated: {total} {unit} in all]"


def truncate(text: str, cap: int, keep_end: bool = False) -> str:
    """At most about `cap` characters of `text`, marked when something was cut.

    `keep_end` keeps the last characters (tracebacks and printed output end with what matters).
    """
    if len(text) <= cap:
        return text
    note = truncation_marker(len(text))
    return note + "\n" + text[len(text) - cap:] if keep_end else text[:cap] + "\n" + note
