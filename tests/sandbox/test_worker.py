"""The worker: loading student files, finding their functions, reporting what happened."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.runner.channel import read_frames
from grader.sandbox.worker import (
    CappedText, Channel, MissingFunction, StudentCode, WrongType, error_info, student_traceback,
)


def test_capped_text_keeps_the_start_and_counts_the_rest() -> None:
    sink = CappedText(cap=10)
    sink.write("hello ")
    sink.write("world, and more")
    assert sink.text() == "hello worl\n[... truncated: 21 characters in all]"


def load(files: dict[str, str]) -> StudentCode:
    """Execute files through StudentCode without leaving them importable afterwards."""
    code = StudentCode(files)
    sys.meta_path.append(code)
    try:
        for name in code.file_names():
            __import__(code.module_for(name))
    finally:
        sys.meta_path.remove(code)
        for module in code.sources:
            sys.modules.pop(module, None)
    return code


def test_student_files_cannot_shadow_libraries() -> None:
    code = load({"numpy.py": "X = 1\n", "relu_model.py": "import numpy\nIS_REAL = hasattr(numpy, 'ndarray')\n"})
    assert code.lookup("IS_REAL") is True
    assert code.module_for("numpy.py") != "numpy"
    assert sys.modules["numpy"] is np


def test_lookup_prefers_the_exercise_file() -> None:
    code = load({"a.py": "def f():\n    return 'a'\n", "relu_model.py": "def f():\n    return 'relu'\n"})
    assert code.function("f", prefer="relu_model")() == "relu"
    assert code.function("f", prefer="a")() == "a"


def test_a_missing_function_is_the_students_issue() -> None:
    code = load({"relu_model.py": "relu_model = 3\n"})  # not callable
    with pytest.raises(MissingFunction) as info:
        code.function("relu_model")
    assert error_info(info.value, ["relu_model.py"]) == {
        "type": "MissingFunction", "message": "No function named `relu_model` was found in your submission.",
        "traceback": "", "missing": "relu_model"}


def test_tracebacks_keep_only_student_frames() -> None:
    code = load({"relu_model.py": "def f():\n    return 1 / 0\n"})
    with pytest.raises(ZeroDivisionError) as info:
        code.function("f")()
    tb = student_traceback(info.value, ["relu_model.py"])
    assert 'File "relu_model.py", line 2, in f' in tb and "test_worker" not in tb
    assert tb.endswith("ZeroDivisionError: division by zero\n")


def test_syntax_errors_name_file_and_line() -> None:
    with pytest.raises(SyntaxError) as info:
        load({"relu_model.py": "def f(:\n"})
    err = error_info(info.value, ["relu_model.py"])
    assert err["type"] == "SyntaxError" and err["message"].endswith("(relu_model.py, line 1)")


def test_channel_frames_and_unsendable_values() -> None:
    r, w = os.pipe()
    try:
        ch = Channel(w)
        ch.send({"kind": "observation", "probe": "p", "value": np.arange(3.0)})
        ch.send({"kind": "observation", "probe": "q", "value": object()})  # refused by the wire
        data = os.read(r, 1 << 16)
    finally:
        os.close(r)
        os.close(w)
    first, second = read_frames(bytearray(data))
    assert np.array_equal(first["value"], [0.0, 1.0, 2.0])
    assert second["value"] is None and second["error"]["type"] == "WrongType"


def run_job_in_child(job: dict[str, Any], tmp_path: Path) -> list[Any]:
    """Run `run_job` in a forked child (it installs import hooks) and collect its frames."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(r)
        code = 0
        try:
            import grader.sandbox.drivers
            from grader.sandbox.worker import run_job

            def call(ctx: Any, name: str, args: list[Any]) -> Any:
                value = ctx.function(name)(*args)
                if isinstance(value, str):
                    raise WrongType(f"{name} returned a str")
                return value

            grader.sandbox.drivers.DRIVERS["test_call"] = call
            run_job(job, Channel(w), tmp_path)
        except BaseException:  # noqa: BLE001
            code = 1
        os._exit(code)
    os.close(w)
    data = bytearray()
    while chunk := os.read(r, 1 << 16):
        data += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    assert status == 0
    return read_frames(data)


@pytest.mark.slow
def test_run_job_reports_loads_observations_and_errors(tmp_path: Path) -> None:
    files = {
        "good.py": "print('loading good')\n\ndef add(a, b):\n    print('adding')\n    return a + b\n\n"
                   "def stub():\n    raise NotImplementedError\n\ndef quits():\n    raise SystemExit(3)\n\n"
                   "def word():\n    return 'no'\n",
        "bad.py": "import sys\nsys.exit(0)\n",
        "skipped.py": "raise RuntimeError('should never load')\n",
    }
    probes = [{"id": "add", "driver": "test_call", "args": {"name": "add", "args": [2, 3]}},
              {"id": "stub", "driver": "test_call", "args": {"name": "stub", "args": []}},
              {"id": "quits", "driver": "test_call", "args": {"name": "quits", "args": []}},
              {"id": "word", "driver": "test_call", "args": {"name": "word", "args": []}},
              {"id": "nodriver", "driver": "no_such_driver", "args": {}},
              {"id": "missing", "driver": "test_call", "args": {"name": "nope", "args": []}}]
    frames = run_job_in_child({"files": files, "probes": probes, "skip_files": ["skipped.py"]}, tmp_path)
    assert frames[-1] == {"kind": "done"}
    loads = {f["name"]: f for f in frames if f["kind"] == "load"}
    assert set(loads) == {"good.py", "bad.py"}
    assert loads["good.py"]["output"] == "loading good\n" and "error" not in loads["good.py"]
    assert loads["bad.py"]["error"]["type"] == "SystemExit"
    obs = {f["probe"]: f for f in frames if f["kind"] == "observation"}
    assert obs["add"]["value"] == 5 and obs["add"]["output"] == "adding\n"
    assert obs["stub"]["error"]["type"] == "NotImplementedError"
    assert obs["quits"]["error"] == {"type": "SystemExit", "message": "your code called sys.exit()", "traceback": ""}
    assert obs["word"]["error"]["type"] == "WrongType"
    assert "unknown driver" in obs["nodriver"]["error"]["message"]
    assert obs["missing"]["error"]["missing"] == "nope"
    starts = [f["probe"] for f in frames if f["kind"] == "start"]
    assert starts == ["load:bad.py", "load:good.py", *[p["id"] for p in probes]]


@pytest.mark.slow
def test_run_job_reseeds_before_every_probe(tmp_path: Path) -> None:
    files = {"r.py": "import numpy as np\n\ndef draw():\n    return float(np.random.rand())\n"}
    probes = [{"id": f"d{i}", "driver": "test_call", "args": {"name": "draw", "args": []}} for i in range(2)]
    frames = run_job_in_child({"files": files, "probes": probes}, tmp_path)
    values = [f["value"] for f in frames if f["kind"] == "observation"]
    assert len(values) == 2 and values[0] == values[1]
