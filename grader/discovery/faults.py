"""Which failures while reading a submission are the submission's doing.

Those are the student's problems, with a message they can act on; anything else is the grader's
own error (the instructor sees it, and a rerun retries it). A rerun never fixes a fault of the
content, so reporting one as ours would promise a retry that cannot help.
"""

from __future__ import annotations


def content_fault(exc: BaseException) -> str | None:
    """Why reading failed because of what the file holds (the student's to fix), or None when the
    failure is ours. Python 3.11+ refuses to read integers of more than 4300 digits
    (sys.get_int_max_str_digits); a deeply nested JSON or expression exhausts the recursion limit."""
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return ("it holds an integer with thousands of digits, more than Python reads "
                "(write big numbers as expressions such as 10**5000, or remove them)")
    if isinstance(exc, RecursionError):
        return "it is nested too deeply to be read (lists, brackets or expressions inside each other)"
    if isinstance(exc, UnicodeError):
        return "it holds text that is not valid Unicode"
    return None
