"""The tamper checks on the grader's own code inside a worker (grader.sandbox.integrity)."""

from __future__ import annotations

import builtins
import types
from collections.abc import Iterator
from typing import Any

import pytest

from grader.sandbox import integrity
from grader.sandbox.integrity import Guard, Snapshot, private_functions

SOURCE = '''
LIMIT = 3
_cache = None


def helper(x):
    return x + 1


def driver(ctx, x, scale=2, *, bias=0):
    return helper(x) * scale + bias


def counter():
    n = [0]

    def step():
        n[0] += 1
        return n[0]
    return step


class Context:
    def function(self, name):
        return name
'''


@pytest.fixture()
def fake() -> Iterator[types.ModuleType]:
    mod = types.ModuleType("grader_fake_driver_module")
    exec(compile(SOURCE, "<fake>", "exec"), mod.__dict__)
    yield mod


def snapshot_of(mod: types.ModuleType) -> Snapshot:
    snap = Snapshot()
    snap.add_module(mod, strict=True)
    return snap


def test_an_untouched_module_has_no_changes(fake: types.ModuleType) -> None:
    snap = snapshot_of(fake)
    fake.driver(None, 1)
    fake.__warningregistry__ = {}  # type: ignore[attr-defined]  # dunders appear on their own
    fake._cache = [1]  # a private cache filled lazily (None before) is not a change
    assert snap.changes() == []


@pytest.mark.parametrize("attack, named", [
    (lambda m: setattr(m, "helper", lambda x: 99), "grader_fake_driver_module.helper"),
    (lambda m: setattr(m.driver, "__code__", (lambda ctx, x, scale=2, *, bias=0: 99).__code__),
     "grader_fake_driver_module.driver (its code)"),
    (lambda m: setattr(m.driver, "__defaults__", (100,)), "grader_fake_driver_module.driver (its code)"),
    (lambda m: setattr(m.driver, "__kwdefaults__", {"bias": 5}), "grader_fake_driver_module.driver (its code)"),
    (lambda m: setattr(m, "LIMIT", 4), "grader_fake_driver_module.LIMIT"),
    (lambda m: delattr(m, "helper"), "grader_fake_driver_module.helper"),
    (lambda m: setattr(m, "float", lambda v: 0.99), "grader_fake_driver_module.float"),  # shadows a builtin
    (lambda m: setattr(m.Context, "function", lambda self, n: "fake"),
     "grader_fake_driver_module.Context.function"),
])
def test_each_kind_of_change_is_named_and_restored(fake: types.ModuleType, attack: Any, named: str) -> None:
    snap = snapshot_of(fake)
    attack(fake)
    assert named in snap.changes()
    snap.restore()
    assert snap.changes() == []
    assert fake.driver(None, 1) == 4 and fake.Context().function("f") == "f"
    assert not hasattr(fake, "float")


def test_closure_cells_are_checked(fake: types.ModuleType) -> None:
    step = fake.counter()
    snap = Snapshot()
    snap.add_function("step", step)
    step.__closure__[0].cell_contents = [41]
    assert snap.changes() == ["step (its closure)"]
    snap.restore()
    assert step() == 1


def test_libraries_are_checked_only_for_names_they_had(fake: types.ModuleType) -> None:
    snap = Snapshot()
    snap.add_namespace("lib", fake.__dict__, strict=False)
    fake.new_lazy_name = 1  # type: ignore[attr-defined]
    assert snap.changes() == []
    fake.helper = print  # type: ignore[attr-defined]
    assert snap.changes() == ["lib.helper"]


def test_redefining_builtins_does_not_blind_the_check(fake: types.ModuleType) -> None:
    snap = snapshot_of(fake)
    fake.helper = lambda x: 99  # type: ignore[attr-defined]
    fake.extra = 1  # type: ignore[attr-defined]
    real = builtins.len, builtins.any, builtins.zip
    try:  # patched only around the call: pytest itself needs the real ones
        builtins.len, builtins.any, builtins.zip = (lambda x: 0), (lambda x: False), (lambda *a: iter(()))
        found = snap.changes()
    finally:
        builtins.len, builtins.any, builtins.zip = real
    assert found == ["grader_fake_driver_module.helper", "grader_fake_driver_module.extra"]


def test_private_clones_ignore_a_patched_module(fake: types.ModuleType) -> None:
    clones = private_functions([fake])
    driver = clones[id(fake.driver)]
    fake.helper = lambda x: 1000  # type: ignore[attr-defined]
    assert fake.driver(None, 1) == 2000  # the module's own function follows the patch ...
    assert driver(None, 1) == 4          # ... the clone does not
    assert driver.__name__ == "driver" and driver.__kwdefaults__ == {"bias": 0}


def test_the_guard_reports_tampering_instead_of_values(fake: types.ModuleType) -> None:
    sent: list[dict[str, Any]] = []
    guard = Guard(snapshot_of(fake), sent.append)
    guard.send({"kind": "observation", "probe": "a", "value": 1, "duration": 0.5})
    fake.helper = lambda x: 99  # type: ignore[attr-defined]
    guard.send({"kind": "start", "probe": "b"})
    guard.send({"kind": "observation", "probe": "b", "value": 2, "output": "hi"})
    guard.send({"kind": "observation", "probe": "c", "value": 3})  # restored, but still not trusted
    assert sent[0]["value"] == 1 and sent[1] == {"kind": "start", "probe": "b"}
    for msg in sent[2:]:
        assert "value" not in msg and msg["error"]["type"] == integrity.ERROR_TYPE
        assert msg["error"]["message"].startswith(
            "the grader's code was changed by the submission (grader_fake_driver_module.helper)")
    assert sent[2]["output"] == "hi" and fake.helper(1) == 2  # the module was put back


def test_bind_covers_the_grader_wire_and_channel() -> None:
    from grader.sandbox import wire
    from grader.sandbox.worker import Channel

    channel = Channel(99)
    drivers = {"d": wire.decode}
    snap = integrity.bind(drivers, channel)
    assert snap.changes() == []
    real = wire.encode
    try:
        wire.encode = lambda value: b"{}"  # type: ignore[assignment]
        channel.fd = 1
        drivers["d"] = print  # type: ignore[assignment]
        found = snap.changes()
    finally:
        snap.restore()
    assert {"grader.sandbox.wire.encode", "the result channel", "grader.sandbox.drivers.DRIVERS.d"} <= set(found)
    assert wire.encode is real and channel.fd == 99 and drivers["d"] is wire.decode
    assert snap.drivers["d"] is not wire.decode and snap.drivers["d"].__code__ is wire.decode.__code__  # a clone
