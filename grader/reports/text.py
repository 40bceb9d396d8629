"""Small formatting pieces shared by every view: clipped text, points, numbers, wrap points."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

TEXT_VALUE_LIMIT = 2000    # characters of a non-numeric expected/got value


@dataclass(frozen=True)
class TextBlock:
    """Text that may be cut for display; `note` says what was cut."""

    text: str
    note: str = ""
    lines: int = 0


def clip(text: str, limit: int, what: str) -> TextBlock:
    text = text.replace("\r\n", "\n")
    lines = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
    if len(text) <= limit:
        return TextBlock(text, "", lines)
    return TextBlock(text[:limit], f"Showing the first {limit:,} of {len(text):,} characters of {what}.", lines)


def clip_tail(text: str, limit: int, what: str) -> TextBlock:
    """Keep the end: the last frames of a traceback matter most."""
    text = text.replace("\r\n", "\n").strip("\n")
    lines = text.count("\n") + 1 if text else 0
    if len(text) <= limit:
        return TextBlock(text, "", lines)
    return TextBlock(text[-limit:], f"Showing the last {limit:,} of {len(text):,} characters of {what}.", lines)


def fmt_points(x: float) -> str:
    """3 -> "3", 2.5 -> "2.5": points read best without trailing zeros."""
    if not math.isfinite(x):
        return str(x)
    return f"{x:.2f}".rstrip("0").rstrip(".") or "0"


def fmt_number(x: float) -> str:
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    # Enough digits that two values the checks tell apart never print the same.
    return f"{x:.10g}"


def percent(score: float, max_score: float) -> float:
    return round(100.0 * score / max_score, 1) if max_score > 0 else 0.0


def value_text(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= TEXT_VALUE_LIMIT else text[:TEXT_VALUE_LIMIT] + " …"


_BREAK_AFTER = re.compile(r"(?<=[_.@/\\-])")


def wrap_parts(text: str) -> tuple[str, ...]:
    """`text` cut after separators (_ . @ / -), so a template can offer a line break there.

    Student ids like `jane.doe@uni.example` then wrap at a separator on a phone
    instead of mid-word; the text content is unchanged.
    """
    return tuple(p for p in _BREAK_AFTER.split(text) if p) or ("",)
