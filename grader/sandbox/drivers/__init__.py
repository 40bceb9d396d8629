"""Drivers: worker-side code that exercises one student function on plain inputs.

A driver receives a `DriverContext` and the probe's plain-data arguments,
calls the student's code, and returns plain data (numbers, strings, numpy
arrays, lists and dicts of those). It never knows the expected answer.
Register drivers with `@driver("name")`; modules are imported below so that
the zygote has them all before it forks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DRIVERS: dict[str, Callable[..., Any]] = {}


def driver(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in DRIVERS:
            raise ValueError(f"driver {name!r} registered twice")
        DRIVERS[name] = fn
        return fn

    return register


def _load_all() -> None:
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


_load_all()
