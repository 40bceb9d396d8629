"""Stub digests are the same on every Python from 3.10 to 3.13: a bundle's stub index written on the
instructor's Python is read on the student's (an untouched notebook must stay "the released stub")."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from grader.discovery import stubdigest
from grader.discovery.notebook import notebook_to_source

ROOT = Path(__file__).resolve().parents[2]
PYENV = Path("/root/.pyenv/versions")
VERSIONS = ("3.10", "3.11", "3.12", "3.13")

# Code whose ast.dump differs by version: decorators and defaults (empty lists left out by 3.13), type
# parameters' field (3.12), kinds of constants, f-strings, a docstring, an integer past the digit limit.
TRICKY = [
    "@staticmethod\ndef f(x: int = 1, *a, k=None, **kw) -> 'list[int]':\n    '''Doc.'''\n    return [x, *a]\n",
    "class C(object):\n    x: int\n    def g(self):\n        return f'{self.x!r:>{3}} {u\"u\"}' + b'b'.decode()\n",
    "import numpy as np\nfrom . import x as y\nlambda: (yield)\nwith open('f') as f, g: pass\n",
    "try:\n    pass\nexcept (ValueError, TypeError) as e:\n    raise\nelse:\n    del a[1:2, ...]\n",
    "x = 1j + 2.5e-3 + 0x1F + True + None\nassert x, 'm'\nglobal q\n",
    f"N = {'9' * 5000}\n",
    "def f(:\n  # broken\n  return 1\n",
]


def _interpreters() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for version in VERSIONS:
        candidates = sorted(PYENV.glob(f"{version}.*/bin/python"))
        if candidates:
            found[version] = candidates[-1]
    return found


def _texts() -> list[str]:
    """Every released stub as graded: the .py files, and the notebooks converted to code."""
    texts = []
    for path in sorted((ROOT / "exercises").iterdir()):
        if path.suffix == ".py":
            texts.append(path.read_text(encoding="utf-8"))
        elif path.suffix == ".ipynb":
            texts.append(notebook_to_source(path.read_bytes(), path.name).source)
    return texts + TRICKY


_CHILD = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("stubdigest", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps([module.digest(t) for t in json.load(sys.stdin)]))
"""


def test_digests_are_the_same_on_every_python() -> None:
    interpreters = _interpreters()
    if len(interpreters) < 2:
        pytest.skip("needs at least two of Python 3.10-3.13 under /root/.pyenv/versions")
    texts = _texts()
    here = [stubdigest.digest(t) for t in texts]
    pairs = len(list((ROOT / "exercises").glob("*.ipynb")))  # one per exercise: not a number to keep in step
    assert len(set(here)) == len(here) - pairs  # each stub's .py and notebook agree; all else differs
    for version, python in interpreters.items():
        done = subprocess.run([str(python), "-I", "-c", _CHILD, stubdigest.__file__], input=json.dumps(texts),
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == here, f"Python {version} digests differently"


def test_digest_ignores_what_does_not_change_the_code() -> None:
    assert stubdigest.digest("def f():\n    '''Doc.'''\n    return 1  # one\n") == \
        stubdigest.digest("def f():\n\n    return (1)\n")
    assert stubdigest.digest("x = 1\n") != stubdigest.digest("x = 2\n")
    assert stubdigest.digest("x = 'a'\n") != stubdigest.digest("x = b'a'\n")
    assert stubdigest.digest("x = 1\n") != stubdigest.digest("x = True\n")
    assert stubdigest.fingerprint("x = 1\n") == \
        "Module(body=[Assign(targets=[Name(id=str:'x',ctx=Store())],value=Constant(value=int:1))])"
