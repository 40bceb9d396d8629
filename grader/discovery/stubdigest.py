"""What a piece of code does, as text that is the same on every Python from 3.10 to 3.13.

The released stubs' digests are written once (by `grader release`, on the instructor's Python)
and compared later on the student's, so the text they hash must not depend on the version.
`ast.dump` does: 3.13 leaves out empty lists and None fields (`decorator_list=[]`), 3.12 added
`type_params`, and 3.12 ends some f-string format specs with an empty string part. This module writes its own form of the tree instead: every field that holds
something, in the order the grammar gives, with each constant written the same way everywhere
(integers in hexadecimal, which has no digit limit). Comments, blank lines and layout never
count, nor do docstrings (a notebook stub carries the module's docstring as a markdown cell).

Standard library only, so that a test can load this file alone under each Python.
"""

from __future__ import annotations

import ast
import hashlib

# Fields that never change what the code does, and appear only on some versions.
_IGNORED_FIELDS = frozenset({"type_comment", "type_ignores", "kind"})
_DOCSTRING_HOLDERS = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _constant(value: object) -> str:
    if isinstance(value, bool) or value is None or value is Ellipsis:
        return repr(value)
    if isinstance(value, int):
        return f"int:{value:x}"  # repr() of a 5,000-digit int raises on 3.11+; hex never does
    if isinstance(value, tuple | frozenset):
        return type(value).__name__ + "(" + ",".join(_constant(v) for v in value) + ")"
    return f"{type(value).__name__}:{value!r}"


def _form(node: object) -> str:
    if isinstance(node, ast.AST):
        parts = []
        for name in node._fields:
            value = getattr(node, name, None)
            if name in _IGNORED_FIELDS or value is None or value == []:
                continue
            if isinstance(node, ast.JoinedStr) and name == "values":  # 3.12 ends some format specs with ''
                value = [v for v in value if not (isinstance(v, ast.Constant) and v.value == "")]
            text = _constant(value) if isinstance(node, ast.Constant) and name == "value" else _form(value)
            parts.append(f"{name}={text}")
        return f"{type(node).__name__}({','.join(parts)})"
    if isinstance(node, list):
        return "[" + ",".join(_form(item) for item in node) + "]"
    return _constant(node)


def _without_docstrings(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, _DOCSTRING_HOLDERS) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]


def fingerprint(code: str) -> str:
    """What the code does, ignoring comments, blank lines, layout and docstrings; for code that does
    not parse, its lines without comments or blank lines."""
    try:
        tree = ast.parse(code)
        _without_docstrings(tree)
        return _form(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    lines = (line.split("#", 1)[0].strip() for line in code.splitlines())
    return "\n".join(line for line in lines if line)


def digest(code: str) -> str:
    return hashlib.sha256(fingerprint(code).encode("utf-8", "surrogatepass")).hexdigest()
