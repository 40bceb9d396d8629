"""The student's code as the worker sees it: their files as importable modules,
the lookups drivers make in them, and the errors that are the student's own.

Bound in the zygote before any student code runs.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class StudentIssue(Exception):
    """A problem with what the student wrote, reported as their error."""

    kind = "StudentIssue"


class MissingFunction(StudentIssue):
    kind = "MissingFunction"

    def __init__(self, name: str, what: str = "function") -> None:
        super().__init__(f"No {what} named `{name}` was found in your submission.")
        self.name = name


class WrongType(StudentIssue):
    """The student returned something of the wrong kind."""

    kind = "WrongType"


@dataclass
class _Source:
    name: str
    module_name: str
    code: str


class StudentCode(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """The student's files, importable by their stem (`import relu_model`).

    It sits last on `sys.meta_path`, so a student file can never shadow numpy,
    tensorflow or the grader itself; a clashing stem is loaded under a private
    name instead.
    """

    def __init__(self, files: dict[str, str]) -> None:
        self.sources: dict[str, _Source] = {}
        self.modules: dict[str, types.ModuleType] = {}
        for name in sorted(files):
            stem = Path(name).stem
            module_name = stem if stem.isidentifier() else f"_student_{len(self.sources)}"
            if module_name in sys.modules or module_name in self.sources:
                module_name = f"_student_{stem}_{len(self.sources)}"
            self.sources[module_name] = _Source(name, module_name, files[name])

    # -- import protocol -------------------------------------------------
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname in self.sources:
            return importlib.util.spec_from_loader(fullname, self, origin=self.sources[fullname].name)
        return None

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        src = self.sources[module.__name__]
        module.__file__ = src.name
        code = compile(src.code, src.name, "exec", dont_inherit=True)
        self.modules[module.__name__] = module
        exec(code, module.__dict__)

    # -- lookups for drivers ---------------------------------------------
    def file_names(self) -> list[str]:
        return [s.name for s in self.sources.values()]

    def module_for(self, file_name: str) -> str:
        for s in self.sources.values():
            if s.name == file_name:
                return s.module_name
        raise KeyError(file_name)

    def _namespaces(self, prefer: str | None) -> Iterator[types.ModuleType]:
        mods = list(self.modules.values())
        if prefer:
            mods.sort(key=lambda m: Path(self.sources[m.__name__].name).stem != prefer)
        yield from mods

    def lookup(self, name: str, prefer: str | None = None) -> Any:
        """A top-level name from whichever file defines it, preferring `prefer`.py."""
        for mod in self._namespaces(prefer):
            if name in mod.__dict__:
                return mod.__dict__[name]
        raise MissingFunction(name, "name")

    def function(self, name: str, prefer: str | None = None) -> Callable[..., Any]:
        for mod in self._namespaces(prefer):
            obj = mod.__dict__.get(name)
            if callable(obj):
                return obj
        raise MissingFunction(name)


class DriverContext:
    """What a driver may use: the student's code, a scratch folder, the data."""

    def __init__(self, code: StudentCode, workdir: Path, exercise: str | None) -> None:
        self.code = code
        self.workdir = workdir
        self.exercise = exercise

    def function(self, name: str) -> Callable[..., Any]:
        return self.code.function(name, prefer=self.exercise)

    def constant(self, name: str) -> Any:
        return self.code.lookup(name, prefer=self.exercise)
