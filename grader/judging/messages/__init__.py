"""Every sentence a student reads when a check names a mistake, keyed by mistake id.

Rewording a message is a one-line diff in messages/models.py or messages/small.py (split by exercise,
to stay under 400 lines each), and a reviewer sees all of an exercise's feedback in one place. A key is
the mistake id a check reports (`Fail(..., mistake=...)`), or `<id>.<where>` when one mistake is told
in more than one way (`<where>` is the function, or for a module-level table the module, of the oracle
or check that tells it), `<id>.student...` for the shorter text a hidden check shows in place of
the full one, and `<id>.hint...` for the hint that replaces the check's own when this mistake is seen. A mistake table (known wrong models and what to tell about each) keeps its rows where
they are computed; only their sentences live here.

A sentence is a `str.format` template with named fields ("{accuracy:.4f}"). `say(key, **fields)` fills
it and refuses a key that is not here or fields that are not exactly the template's, so a renamed field
fails loudly rather than printing "{accuracy}". tests/judging/test_messages.py keeps the catalogue and
its users in step: every mistake id raised with a literal message has its sentence here, every sentence
is used, and every use supplies exactly the template's fields.
"""

from __future__ import annotations

from functools import cache
from string import Formatter

from grader.judging.messages import models, small


class MessageError(KeyError):
    """A sentence asked for that is not in the catalogue, or with other fields than its template's."""


@cache
def fields(key: str) -> frozenset[str]:
    """The named fields of the sentence `key`."""
    if key not in SENTENCES:
        raise MessageError(f"no sentence {key!r} in grader/judging/messages/")
    return frozenset(name for _, name, _, _ in Formatter().parse(SENTENCES[key]) if name is not None)


def say(key: str, /, **values: object) -> str:
    """The sentence `key` with its fields filled in."""
    wanted = fields(key)
    if set(values) != wanted:
        missing, extra = sorted(wanted - set(values)), sorted(set(values) - wanted)
        raise MessageError(f"sentence {key!r}: missing fields {missing}, unexpected fields {extra}")
    return SENTENCES[key].format(**values)


def _merged(*parts: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in parts:
        twice = sorted(set(out) & set(part))
        if twice:
            raise MessageError(f"sentences defined twice: {twice}")
        out.update(part)
    return out


# One catalogue kept in two files (by exercise) so that neither grows past the 400-line limit.
SENTENCES: dict[str, str] = _merged(models.SENTENCES, small.SENTENCES)
