"""equivalent.txt cannot rot: each reviewed survivor names a function that exists and a line it still has.

The entries are keyed by meaning (module, function, the changed line before and after), so an edit
elsewhere in the module leaves them valid. An edit of the line itself makes the entry stale: this
test finds that without running mutmut (report.py also lists entries no survivor matched).
"""

from __future__ import annotations

import ast
from pathlib import Path

import explain  # tests/mutation/explain.py, beside this file
import pytest

ROOT = Path(__file__).resolve().parents[2]


def functions(module: str) -> dict[str, list[str]]:
    """Qualified name (`f`, `Class.method`) -> whitespace-normalised source lines, for a module."""
    path = ROOT / (module.replace(".", "/") + ".py")
    if not path.is_file():
        path = ROOT / module.replace(".", "/") / "__init__.py"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    out: dict[str, list[str]] = {}

    def add(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.end_lineno is not None:
                out[prefix + child.name] = [explain.normal(x) for x in lines[child.lineno - 1:child.end_lineno]]
            elif isinstance(child, ast.ClassDef):
                add(child, f"{prefix}{child.name}.")

    add(ast.parse(text), "")
    return out


ENTRIES = explain.reviewed()


def test_entries_parse_and_are_many() -> None:
    assert len(ENTRIES) > 50
    assert len(set(ENTRIES)) == len(ENTRIES), "an entry is listed twice"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.module.removeprefix('grader.')}.{e.function}")
def test_each_entry_names_a_function_that_still_has_the_changed_line(entry: explain.Entry) -> None:
    found = functions(entry.module).get(entry.function)
    assert found is not None, f"stale: {entry.module} has no function {entry.function}"
    name = entry.function.rsplit(".", 1)[-1]
    body = " / ".join(found)  # as explain.change() joins the removed lines (code may hold " / " too)
    assert entry.was.replace("<f>", name) in body, f"stale: {entry.function} no longer has {entry.was!r}"
    assert entry.was != entry.became


@pytest.mark.parametrize(("name", "where"), [
    ("grader.sandbox.wire.x_decode__mutmut_3", ("grader.sandbox.wire", "decode")),
    ("grader.judging.checks.base.x__sha__mutmut_16", ("grader.judging.checks.base", "_sha")),
    ("grader.judging.checks.base.xǁFailǁ__init____mutmut_1", ("grader.judging.checks.base", "Fail.__init__")),
])
def test_a_mutant_is_located_by_module_and_function_not_by_number(name: str, where: tuple[str, str]) -> None:
    assert explain.where(name) == where


def test_an_entry_matches_its_change_only() -> None:
    [entry] = explain.parse("grader.m\tf\treturn  a <= b\treturn a < b\tbecause\n")
    assert entry.matches("grader.m.x_f__mutmut_7", "return a <= b", "return a   < b")
    assert entry.matches("grader.m.x_f__mutmut_99", "return a <= b", "return a < b")  # renumbered: same entry
    assert not entry.matches("grader.m.x_f__mutmut_7", "return a <= b", "return a > b")
    assert not entry.matches("grader.m.x_g__mutmut_7", "return a <= b", "return a < b")
    assert explain.stale(set(ENTRIES), None) == []
    assert explain.stale(set(), {"grader.no_such_module"}) == []  # a partial run judges only its modules
    assert len(explain.stale(set(), None)) == len(ENTRIES)
    with pytest.raises(ValueError, match="line 1"):
        explain.parse("grader.m.x_f__mutmut_7\tbecause\n")
