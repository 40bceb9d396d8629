"""The grader's own code inside a worker, bound before student code runs, and checked.

Student code shares the worker's interpreter with the drivers that observe it,
and runs first. Anything reachable by name (the driver table, a driver's
helpers, the wire encoder, the channel, numpy) could be swapped so that a
driver reports whatever the student likes. So `bind()` is called at worker
start, before the first student file loads, and:

- copies the driver table and clones every grader function with a private copy
  of its module's globals, so dispatch and the helpers a driver calls by name
  go through objects the submission cannot reach by import;
- snapshots every name in the grader's modules and classes, each function's
  `__code__`, `__defaults__`, `__kwdefaults__` and closure cells, the stdlib
  and numpy functions the wire and drivers use, and the channel.

`changes()` compares the live state with that snapshot (the worker calls it
before each probe and before each message it sends); `restore()` puts every
changed name and code object back. A worker that finds a change reports its
probes as failed ("the grader's code was changed by the submission"), never
their values.

Limits: this stops replacing names; code that walks frames or runs a thread
racing the checks can still forge results, as can raw writes to the channel's
file descriptor. Judges therefore still decide everything outside the worker,
and evidence that must be independent is verified in a separate fresh worker.
"""

from __future__ import annotations

import builtins
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

MESSAGE = "the grader's code was changed by the submission"
ERROR_TYPE = "GraderTampered"
# Outside the grader: only names that exist now are checked (libraries add names lazily).
LIBRARIES = ("numpy", "numpy.random", "json", "json.encoder", "json.decoder", "base64", "binascii", "math",
             "struct", "os", "io", "time", "random", "traceback", "contextlib", "types", "functools")
BUILTINS = ("isinstance", "issubclass", "type", "int", "float", "bool", "str", "bytes", "list", "dict", "tuple",
            "set", "frozenset", "len", "getattr", "setattr", "hasattr", "callable", "sorted", "min", "max", "abs",
            "range", "zip", "enumerate", "iter", "next", "repr", "round", "sum", "any", "all", "memoryview",
            "bytearray", "id", "object", "super", "map", "filter", "vars", "__import__")
_NOTHING = object()


def _is_dunder(name: object) -> bool:
    return isinstance(name, str) and name.startswith("__") and name.endswith("__")


def _functions_of(obj: Any) -> list[types.FunctionType]:
    """Python functions behind a namespace entry (plain, static, class method, property)."""
    if isinstance(obj, types.FunctionType):
        return [obj]
    if isinstance(obj, (staticmethod, classmethod)):
        return _functions_of(obj.__func__)
    if isinstance(obj, property):
        return [f for part in (obj.fget, obj.fset, obj.fdel) for f in _functions_of(part)]
    return []


class Snapshot:
    """What the grader's code looked like before any student code ran."""

    def __init__(self) -> None:
        # (label, namespace, saved entries, new names count as changes, owning class or None)
        self.spaces: list[tuple[str, Mapping[Any, Any], dict[Any, Any], bool, type | None]] = []
        # (label, function, code, defaults, kwdefaults, closure cell contents)
        self.functions: list[tuple[str, types.FunctionType, Any, Any, Any, tuple[Any, ...]]] = []
        self.objects: list[tuple[str, Any, dict[str, Any]]] = []  # instances whose attributes matter
        self.drivers: dict[str, Callable[..., Any]] = {}
        self._seen_functions: set[int] = set()
        self._seen_spaces: set[int] = set()

    # -- building (before student code) -----------------------------------------
    def add_namespace(self, label: str, space: Mapping[Any, Any], strict: bool,
                      names: Iterable[str] | None = None, owner: type | None = None) -> None:
        if id(space) in self._seen_spaces:
            return
        self._seen_spaces.add(id(space))
        saved = dict(space) if names is None else {n: space.get(n, _NOTHING) for n in names}
        self.spaces.append((label, space, saved, strict, owner))
        for name, value in saved.items():
            for fn in _functions_of(value):
                self.add_function(f"{fn.__module__}.{fn.__qualname__}", fn)

    def add_function(self, label: str, fn: types.FunctionType) -> None:
        if id(fn) in self._seen_functions:
            return
        self._seen_functions.add(id(fn))
        cells = tuple(_cell(c) for c in fn.__closure__ or ())
        self.functions.append((label, fn, fn.__code__, fn.__defaults__, fn.__kwdefaults__, cells))

    def add_module(self, module: types.ModuleType, strict: bool) -> None:
        self.add_namespace(module.__name__, module.__dict__, strict)
        if not strict:
            return
        for name, value in list(module.__dict__.items()):
            if isinstance(value, type) and value.__module__ == module.__name__:
                self.add_namespace(f"{module.__name__}.{name}", value.__dict__, True, owner=value)

    def add_object(self, label: str, obj: Any) -> None:
        self.objects.append((label, obj, dict(vars(obj))))

    # -- checking (before each probe and each message) ----------------------------
    def changes(self, _len: Any = len, _any: Any = any, _zip: Any = zip,
                _isinstance: Any = isinstance) -> list[str]:
        """What differs from the snapshot, as dotted names; [] when nothing does.

        Builtins are bound as defaults when this module is imported, so a
        submission redefining `len` or `isinstance` does not blind the check.
        """
        found: list[str] = []
        for label, space, saved, strict, _ in self.spaces:
            for name, value in saved.items():
                now = space.get(name, _NOTHING)
                if now is not value and not (value is None and _isinstance(name, str) and name.startswith("_")):
                    found.append(f"{label}.{name}")  # a cache filled lazily (None before) is not a change
            if strict and _len(space) != _len(saved):
                found += [f"{label}.{name}" for name in space if name not in saved and not _is_dunder(name)]
        for label, fn, code, defaults, kwdefaults, cells in self.functions:
            if fn.__code__ is not code or fn.__defaults__ is not defaults or fn.__kwdefaults__ is not kwdefaults:
                found.append(f"{label} (its code)")
            elif cells and _any(_cell(c) is not v for c, v in _zip(fn.__closure__ or (), cells)):
                found.append(f"{label} (its closure)")
        for label, obj, attrs in self.objects:
            now_attrs = obj.__dict__
            if _any(now_attrs.get(k, _NOTHING) is not v for k, v in attrs.items()) or _len(now_attrs) != _len(attrs):
                found.append(label)
        return found

    def restore(self) -> None:
        """Put back every name, code object and attribute the snapshot holds."""
        for _, space, saved, strict, owner in self.spaces:
            for name, value in saved.items():
                if space.get(name, _NOTHING) is value:
                    continue
                if owner is not None:  # a class's namespace is read-only: go through the class
                    if value is _NOTHING:
                        delattr(owner, name)
                    else:
                        setattr(owner, name, value)
                elif value is _NOTHING:
                    space.pop(name, None)  # type: ignore[attr-defined]
                else:
                    space[name] = value  # type: ignore[index]
            if strict:
                for name in [n for n in space if n not in saved and not _is_dunder(n)]:
                    if owner is not None:
                        delattr(owner, name)
                    else:
                        del space[name]  # type: ignore[attr-defined]
        for _, fn, code, defaults, kwdefaults, cells in self.functions:
            fn.__code__, fn.__defaults__, fn.__kwdefaults__ = code, defaults, kwdefaults
            for cell, value in zip(fn.__closure__ or (), cells):
                if value is not _NOTHING:
                    cell.cell_contents = value
        for _, obj, attrs in self.objects:
            obj.__dict__.clear()
            obj.__dict__.update(attrs)


def _cell(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # an empty cell
        return _NOTHING


def private_functions(modules: Iterable[types.ModuleType]) -> dict[int, types.FunctionType]:
    """Clones of each module's own functions over a private copy of its globals.

    Returns {id(original): clone}. Inside the clones, helpers named as globals
    resolve to other clones, so replacing `module.helper` has no effect on them.
    """
    mods = list(modules)
    clones: dict[int, types.FunctionType] = {}
    privates: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for mod in mods:
        private = dict(mod.__dict__)
        privates.append((mod.__dict__, private))
        for value in mod.__dict__.values():
            if isinstance(value, types.FunctionType) and value.__globals__ is mod.__dict__ and id(value) not in clones:
                clone = types.FunctionType(value.__code__, private, value.__name__, value.__defaults__,
                                           value.__closure__)
                clone.__kwdefaults__ = value.__kwdefaults__
                clone.__qualname__, clone.__module__ = value.__qualname__, value.__module__
                clone.__dict__.update(value.__dict__)
                clones[id(value)] = clone
    for _, private in privates:
        for name, value in list(private.items()):
            if id(value) in clones and isinstance(value, types.FunctionType):
                private[name] = clones[id(value)]
    return clones


def bind(drivers: Mapping[str, Callable[..., Any]], channel: Any = None) -> Snapshot:
    """Snapshot the grader as it is now (call before any student code runs)."""
    snap = Snapshot()
    grader_modules = [m for name, m in sorted(sys.modules.items())
                      if isinstance(m, types.ModuleType) and (name == "grader" or name.startswith("grader."))]
    clones = private_functions(grader_modules)
    snap.drivers = {name: clones.get(id(fn), fn) for name, fn in drivers.items()}
    snap.add_namespace("grader.sandbox.drivers.DRIVERS", drivers, True)
    for mod in grader_modules:
        snap.add_module(mod, strict=True)
    for clone in clones.values():
        snap.add_function(f"{clone.__module__}.{clone.__qualname__}", clone)
    for name in LIBRARIES:
        lib = sys.modules.get(name)
        if isinstance(lib, types.ModuleType):
            snap.add_namespace(name, lib.__dict__, strict=False)
    snap.add_namespace("builtins", builtins.__dict__, strict=False, names=BUILTINS)
    if channel is not None:
        snap.add_object("the result channel", channel)
    return snap


def tamper_error(changes: list[str]) -> dict[str, str]:
    """The error a probe reports instead of its value once the grader was changed."""
    named = ", ".join(changes[:5]) + (f" and {len(changes) - 5} more" if len(changes) > 5 else "")
    return {"type": ERROR_TYPE, "message": f"{MESSAGE} ({named}); this check cannot be trusted",
            "traceback": ""}


class Guard:
    """The worker's checked way out: verify before each probe and each message.

    Once a change is found, the grader is restored and every observation from
    then on (this one included) reports the tampering instead of a value.
    """

    def __init__(self, snapshot: Snapshot, send: Callable[[dict[str, Any]], None]) -> None:
        self.snapshot = snapshot
        self._send = send
        self.changed: list[str] = []

    def check(self) -> dict[str, str] | None:
        """None while the grader is intact; else the error a probe reports instead of its value."""
        found = self.snapshot.changes()
        if found:
            self.snapshot.restore()
            if not self.changed:
                self.changed = found
        return tamper_error(self.changed) if self.changed else None

    def send(self, message: dict[str, Any]) -> None:
        error = self.check()
        if error is not None and message.get("kind") == "observation":
            message = {"kind": "observation", "probe": message.get("probe"), "output": message.get("output", ""),
                       "duration": message.get("duration", 0.0), "error": error}
        self._send(message)


# The guard's functions with their code as imported (in the zygote, before any
# student code): the worker reads this into locals at start and compares
# inline, so the guard cannot be rewritten into a no-op through its own code.
TRUSTED: tuple[tuple[Any, Any], ...] = tuple(
    (fn, fn.__code__) for fn in (Guard.check, Guard.send, Snapshot.changes, Snapshot.restore, tamper_error))
