"""The sentence catalogue (grader/judging/messages/) and the code that uses it stay in step.

Read from the source of every judging module, so that a sentence nobody raises any more, a mistake
raised with a sentence written inline, or a renamed field fails here and not in front of a student.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.judging import messages
from grader.judging.messages import SENTENCES, MessageError, fields, say

CATALOGUE = Path(messages.__file__).resolve().parent
JUDGING = CATALOGUE.parent
MODULES = sorted(p for p in JUDGING.rglob("*.py") if CATALOGUE not in p.parents)
FAILS = {"Fail", "_safe", "_fail"}
# Literal mistakes whose sentence lives elsewhere on purpose, with the reason.
ELSEWHERE = {
    # Also told when the function raises outside any check (judge.py); one sentence for both, in raised.py.
    "numpy_on_tensor": "grader/judging/raised.py numpy_on_tensor_message",
}


@dataclass(frozen=True)
class Site:
    where: str
    node: ast.Call
    function: ast.FunctionDef | None


def sites() -> list[Site]:
    out = []
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner: dict[int, ast.FunctionDef] = {}
        for fn in ast.walk(tree):  # outer functions first: an inner one overwrites its own nodes
            if isinstance(fn, ast.FunctionDef):
                for n in ast.walk(fn):
                    owner[id(n)] = fn
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                out.append(Site(f"{path.relative_to(JUDGING)}:{node.lineno}", node, owner.get(id(node))))
    return out


SITES = sites()


def _name(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else None


def says() -> list[Site]:
    return [s for s in SITES if _name(s.node) == "say"]


def key_of(call: ast.expr) -> str | None:
    if isinstance(call, ast.Call) and _name(call) == "say" and call.args and isinstance(call.args[0], ast.Constant):
        return str(call.args[0].value)
    return None


def test_every_use_names_a_sentence_by_literal_key_with_exactly_its_fields() -> None:
    wrong = []
    for s in says():
        key = key_of(s.node)
        if key is None or len(s.node.args) != 1 or any(k.arg is None for k in s.node.keywords):
            wrong.append(f"{s.where}: say() takes one literal key and named fields only")
        elif key not in SENTENCES:
            wrong.append(f"{s.where}: no sentence {key!r}")
        elif {k.arg for k in s.node.keywords} != fields(key):
            wrong.append(f"{s.where}: {key!r} wants {sorted(fields(key))}, "
                         f"given {sorted(str(k.arg) for k in s.node.keywords)}")
    assert not wrong, "\n".join(wrong)


def test_every_sentence_is_used() -> None:
    used = {key_of(s.node) for s in says()}
    assert not sorted(set(SENTENCES) - used)


def _literal(expr: ast.expr) -> bool:
    """Text written at the call: a string, an f-string, or a sum of them."""
    if isinstance(expr, ast.BinOp):
        return _literal(expr.left) or _literal(expr.right)
    return isinstance(expr, ast.JoinedStr) or (isinstance(expr, ast.Constant) and isinstance(expr.value, str))


def _parameter(expr: ast.expr, function: ast.FunctionDef | None) -> bool:
    """A message handed in by the caller (a helper that raises for others): its callers are checked."""
    return (function is not None and isinstance(expr, ast.Name)
            and expr.id in {a.arg for a in [*function.args.args, *function.args.kwonlyargs]})


def test_every_named_mistake_with_a_literal_id_takes_its_sentence_from_the_catalogue() -> None:
    wrong, seen = [], set()
    for s in SITES:
        if _name(s.node) not in FAILS or not s.node.args:
            continue
        kw = {k.arg: k.value for k in s.node.keywords}
        mistake = kw.get("mistake")
        if not (isinstance(mistake, ast.Constant) and isinstance(mistake.value, str)):
            continue  # a mistake id from a table: the table's rows are the sentences
        seen.add(mistake.value)
        if mistake.value in ELSEWHERE:
            continue
        for what, expr in (("message", s.node.args[0]), ("student_message", kw.get("student_message")),
                           ("hint", kw.get("hint"))):
            if expr is None or _parameter(expr, s.function):
                continue
            key = key_of(expr)
            if _literal(expr):
                wrong.append(f"{s.where}: the {what} of {mistake.value!r} is written inline")
            elif key is not None and key.split(".")[0] != mistake.value:
                wrong.append(f"{s.where}: {mistake.value!r} told with the sentence of {key!r}")
            elif key is None and what == "message":
                wrong.append(f"{s.where}: the message of {mistake.value!r} does not come from the catalogue")
    # The shared logits comparison raises wrong_shape / wrong_values with the sentences its callers hand it.
    for s in SITES:
        if _name(s.node) == "compare_logits_with_mistakes":
            for k in s.node.keywords:
                if k.arg in ("shape_message", "otherwise"):
                    mistake = "wrong_shape" if k.arg == "shape_message" else "wrong_values"
                    key = key_of(k.value)
                    seen.add(mistake)
                    if key is None or key.split(".")[0] != mistake:
                        wrong.append(f"{s.where}: {k.arg} is not a {mistake} sentence of the catalogue")
    assert not wrong, "\n".join(wrong)
    assert len(seen) >= 30   # the scan found the checks' mistakes (a parse that sees none passes vacuously)
    assert not sorted(m for m in seen - set(ELSEWHERE) if not any(k.split(".")[0] == m for k in SENTENCES))


def test_say_fills_the_template_and_refuses_other_fields() -> None:
    key = next(k for k in SENTENCES if len(fields(k)) >= 2)
    names = sorted(fields(key))
    filled = say(key, **{n: 0.5 for n in names})
    assert "{" not in filled.replace("{{", "") and filled != SENTENCES[key]
    with pytest.raises(MessageError, match="missing"):
        say(key, **{n: 0.5 for n in names[1:]})
    with pytest.raises(MessageError, match="unexpected"):
        say(key, **{n: 0.5 for n in names}, surplus=1)
    with pytest.raises(MessageError, match="no sentence"):
        say("no_such_mistake")


def test_keys_are_mistake_ids_then_where() -> None:
    assert not [k for k in SENTENCES if not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*", k)]


def test_no_key_is_defined_in_both_files() -> None:
    from grader.judging.messages import models, small

    assert not set(models.SENTENCES) & set(small.SENTENCES)
    assert len(SENTENCES) == len(models.SENTENCES) + len(small.SENTENCES) >= 150


def test_a_field_may_share_a_name_with_says_own_parameter() -> None:
    key = next(k for k in SENTENCES if "key" in fields(k))   # weights[{key!r}] ...: the key is positional-only
    assert "'out'" in say(key, **{n: "out" for n in fields(key)})
