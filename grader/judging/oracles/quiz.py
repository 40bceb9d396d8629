"""Exercise 8, the lesson's quizzes: right answers as digests, feedback per wrong option, and the
normaliser that reads an option in any form a student writes it.

The right answers are stored as digests so the shipped self-check does not
print them in plain text; like the lesson's own quizzes, trying the options
one by one will of course find them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from grader.judging.checks.base import Fail
from grader.judging.messages import say

EXERCISE = "quiz"
DIGESTS = {
    "LOGISTIC_PARAMETERS": "dd4311b0b6fa55ec",
    "L2_DERIVATIVE": "09a1a9be2f8713e6",
    "DROPOUT_EVALUATION": "9d8d861b93b8b9bd",
}


def is_right(name: str, normalized: str) -> bool:
    return hashlib.sha256(f"quiz:{normalized}".encode()).hexdigest()[:16] == DIGESTS[name]


def as_whole_number(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise Fail(say("wrong_type.bool", name=name, value=value), mistake="wrong_type", got=value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d[\d,_ ]*\s*", value):
        return int(re.sub(r"[,_ ]", "", value))
    raise Fail(say("wrong_type.as_whole_number", name=name, value=quoted(value)), mistake="wrong_type", got=value)


PARAMETER_FEEDBACK = {
    7840: ("biases_forgotten", say("biases_forgotten.quiz")),
    794: ("sizes_added", say("sizes_added.quiz")),
    784: ("inputs_only", say("inputs_only")),
    10: ("outputs_only", say("outputs_only")),
    8634: ("input_layer_biases", say("input_layer_biases.quiz")),
    8624: ("biases_per_input", say("biases_per_input.quiz")),
}


@dataclass(frozen=True)
class Options:
    """A multiple-choice question: option keys in order ("a", "b", ... or "1", "2", ...) and their texts."""

    name: str
    keys: tuple[str, ...]
    texts: dict[str, tuple[str, ...]]  # key -> the option's text and other spellings of it

    def by_marker(self, marker: str) -> str | None:
        """The option a letter or a number names: "c", "3" and "C" all name the third option."""
        if marker.isdigit():
            i = int(marker) - 1
        elif len(marker) == 1 and marker.isalpha():
            i = ord(marker) - ord("a")
        else:
            return None
        return self.keys[i] if 0 <= i < len(self.keys) else None

    def by_text(self, text: str) -> str | None:
        """The option whose text this is, whole or cut short (a copied sentence often loses its end).

        A cut text counts when it is long enough to be deliberate (PREFIX_MIN characters, spaces and
        quotes aside) and starts only one option's text; shorter texts must match whole.
        """
        c = compact(text)
        if not c:
            return None
        whole = next((k for k, ts in self.texts.items() if any(compact(t) == c for t in ts)), None)
        if whole is not None:
            return whole
        starts = {k for k, ts in self.texts.items()
                  if any(compact(t).startswith(c) and len(c) >= min(PREFIX_MIN, len(compact(t))) for t in ts)}
        return starts.pop() if len(starts) == 1 else None

    def several(self, text: str) -> list[str]:
        """The options an answer like "4 or 3", "4, 3", "4/3" or "c and b" names (two or more), else []."""
        body = _LEAD.sub("", re.sub(r"\s+", " ", text.lower()).strip())
        if not _SEVERAL.fullmatch(body):
            return []
        keys = [self.by_marker(m) for m in re.findall(r"[a-z0-9]+", body) if m not in ("or", "and")]
        named = list(dict.fromkeys(keys))
        return [k for k in named if k is not None] if len(named) > 1 and None not in named else []


PREFIX_MIN = 12  # characters (compacted) a cut option text needs to be accepted

L2 = Options("L2_DERIVATIVE", ("a", "b", "c"), {
    "a": ("1/3 ||w||^3", "1/3 ||w||**3"),
    "b": ("w^T w", "wtw", "w^t*w", "w.tw", "w.t w", "||w||^2", "||w||**2"),
    "c": ("w",),
})
# Each option's text as the stub prints it, then the lesson's shorter wording (QUIZZES.md) and other spellings.
DROPOUT = Options("DROPOUT_EVALUATION", ("1", "2", "3", "4"), {
    "1": ("Dropout doesn't work with batching.", "dropout does not work with batching"),
    "2": ("The keep_prob value of 0.5 is too low.", "0.5 is too low", "keep_prob 0.5 is too low"),
    "3": ("There shouldn't be a value passed to keep_prob when testing for accuracy.",
          "There should not be a value passed to keep_prob when testing for accuracy.",
          "no value should be passed to keep_prob when testing"),
    "4": ("keep_prob should be set to 1.0 when evaluating validation accuracy.",
          "keep_prob should be 1.0 when evaluating", "keep_prob should be 1 when evaluating",
          "keep_prob should be set to 1 when evaluating validation accuracy."),
})


def compact(text: str) -> str:
    """Case, spacing, quotes and a final full stop do not matter."""
    return re.sub(r"[\s'\"`\u2019]+", "", text.lower()).rstrip(".")


_LEAD = re.compile(r"^(?:the\s+)?(?:option|answer|choice)\s*(?:is\s*)?[:=#\-]?\s*")
_ITEM = r"\(?\s*(?:[a-z]|\d+)\s*\)?"
_SEVERAL = re.compile(rf"{_ITEM}(?:\s*(?:,|/|;|&|\+|\bor\b|\band\b|\s)\s*{_ITEM})+")
_MARKER = re.compile(r"^\(?\s*([a-z]|\d+)(?![a-z0-9])\s*\)?\s*[.):\-]?\s*(.*)$", re.DOTALL)


def read_option(value: Any, options: Options) -> str | None:
    """The option key a student's answer names, or None.

    Accepted: the number or letter alone ("4", 4, "d", "(4)", "4)", "option 4"), the option's text
    alone, or both ("4) keep_prob should be 1.0 when evaluating", "c) w"), in any case and spacing.
    A marker followed by another option's text is ambiguous and names nothing.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return options.by_marker(str(int(value))) if float(value).is_integer() else None
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", " ", value.lower()).strip()
    whole = options.by_text(text)
    if whole is not None:
        return whole
    text = _LEAD.sub("", text)
    m = _MARKER.match(text)
    if not m:
        return options.by_text(text)
    key, rest = options.by_marker(m.group(1)), m.group(2)
    if key is None:
        return options.by_text(text)
    named = options.by_text(rest) if compact(rest) else None
    return key if named in (None, key) else None


L2_OPTIONS = {
    "a": ("integrated", say("integrated")),
    "b": ("squared_norm", say("squared_norm")),
}

DROPOUT_OPTIONS = {
    1: ("batching", say("batching")),
    2: ("too_low", say("too_low")),
    3: ("no_value", say("no_value")),
}


def quoted(value: Any, limit: int = 60) -> str:
    """The student's answer as Python would print it, cut at a word boundary when long."""
    text = repr(value)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def _one_option(value: Any, options: Options, how: str) -> None:
    """Raise Fail when the answer names two or more options: a hedge is not an answer."""
    named = options.several(value) if isinstance(value, str) else []
    if named:
        listed = " and ".join(named)
        raise Fail(say("several_options", name=options.name, listed=listed, how=how), mistake="several_options", got=value)


def letter(value: Any) -> str:
    _one_option(value, L2, "one letter")
    key = read_option(value, L2)
    if key is not None:
        return key
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise Fail(say("wrong_type.letter", value=quoted(value)),
                   mistake="wrong_type", got=value)
    raise Fail(say("not_an_option", value=quoted(value)), mistake="not_an_option", got=value)


def option_number(value: Any) -> int:
    if isinstance(value, bool):
        raise Fail(say("wrong_type.option_number"), mistake="wrong_type", got=value)
    _one_option(value, DROPOUT, "one number")
    key = read_option(value, DROPOUT)
    if key is not None:
        return int(key)
    raise Fail(say("not_an_option.option_number", value=quoted(value)), mistake="not_an_option", got=value)
