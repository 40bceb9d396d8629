"""The runner: decoding worker messages, limits and reruns, the zygote, speed."""

from __future__ import annotations

import os
import signal
import statistics
import time
from collections.abc import Iterator

import numpy as np
import pytest

from grader.sandbox import wire
from grader.errors import SandboxError
from grader.model import Probe
from grader.runner import Collector, Limits, Runner
from grader.runner.channel import read_frames, read_output, where
from grader.runner.limits import describe_status
from grader.sandbox.worker import FRAME_HEADER

SOLUTION_RELU = """
import tensorflow.compat.v1 as tf


def relu_model(features, weights, biases):
    hidden = tf.nn.relu(tf.add(tf.matmul(features, weights[0]), biases[0]))
    return tf.add(tf.matmul(hidden, weights[1]), biases[1])
"""

# Loops forever on 3-row inputs only, so one probe hangs and the others pass.
PICKY_RELU = SOLUTION_RELU + """

_real = relu_model


def relu_model(features, weights, biases):
    while int(features.shape[0]) == 3:
        pass
    return _real(features, weights, biases)
"""


def relu_probe(pid: str, rows: int, timeout: float = 30.0) -> Probe:
    rng = np.random.default_rng(rows)
    args = {"features": rng.normal(size=(rows, 4)),
            "weights": [rng.normal(size=(4, 3)), rng.normal(size=(3, 2))],
            "biases": [rng.normal(size=3), rng.normal(size=2)]}
    return Probe(pid, "relu_model", args, timeout=timeout, exercise="relu_model")


def frame(message: object) -> bytes:
    body = wire.encode(message)
    return FRAME_HEADER.pack(len(body)) + body


# -- fast: decoding and bookkeeping ------------------------------------------------

def test_collector_keeps_the_first_observation_of_wanted_probes_only() -> None:
    c = Collector([Probe("a", "d"), Probe("b", "d")])
    c.feed({"kind": "observation", "probe": "a", "value": 1})
    c.feed({"kind": "observation", "probe": "a", "value": 2})       # forged duplicate
    c.feed({"kind": "observation", "probe": "zzz", "value": 3})     # never asked for
    c.feed(["not", "a", "dict"])
    c.feed({"kind": "observation", "probe": "b", "error": {"type": 5, "message": ["x"]}})
    assert set(c.observations) == {"a", "b"}
    assert c.observations["a"].value == 1
    err = c.observations["b"].error
    assert err is not None and err.type == "Error" and err.message == ""


def test_collector_blames_the_running_probe_or_file() -> None:
    c = Collector([Probe("a", "d"), Probe("b", "d")])
    c.feed({"kind": "start", "probe": "load:x.py"})
    assert c.stopped("timeout", "timed out after 5 s in loading x.py") == "x.py"
    assert c.loads[0].error is not None and c.loads[0].error.killed == "timeout"
    c.feed({"kind": "start", "probe": "b"})
    assert c.stopped("memory", "exceeded the 2048 MiB memory limit in b") is None
    err = c.observations["b"].error
    assert err is not None and err.killed == "memory" and err.message.endswith("in b")
    assert c.problems == ["timed out after 5 s in loading x.py", "exceeded the 2048 MiB memory limit in b"]


def test_a_memory_error_in_student_code_reads_like_a_memory_kill() -> None:
    c = Collector([Probe("relu_model.lesson", "d")], memory_mb=2048)
    c.feed({"kind": "observation", "probe": "relu_model.lesson",
            "error": {"type": "MemoryError", "message": "", "traceback": "tb"}})
    err = c.observations["relu_model.lesson"].error
    assert err is not None and err.killed == "memory"
    assert err.message == "exceeded the 2048 MiB memory limit in relu_model.lesson"


def test_a_rerun_does_not_duplicate_file_loads() -> None:
    c = Collector([])
    for _ in range(2):
        c.feed({"kind": "load", "name": "a.py", "output": "hi"})
    assert [load.name for load in c.loads] == ["a.py"]


def test_forged_load_reports_for_files_never_submitted_are_dropped() -> None:
    c = Collector([], files=["relu_model.py"])
    for i in range(1000):
        c.feed({"kind": "load", "name": f"forged{i}.py"})
    c.feed({"kind": "load", "name": "relu_model.py"})
    assert [load.name for load in c.loads] == ["relu_model.py"]


def test_read_frames_handles_partial_and_rejects_bad_frames() -> None:
    data = frame({"kind": "start", "probe": "a"}) + frame({"kind": "done"})
    buffer = bytearray(data[:-3])
    assert read_frames(buffer) == [{"kind": "start", "probe": "a"}]
    buffer += data[-3:]
    assert read_frames(buffer) == [{"kind": "done"}] and buffer == bytearray()
    with pytest.raises(wire.WireError):
        read_frames(bytearray(FRAME_HEADER.pack(1 << 30)))
    with pytest.raises(wire.WireError):
        read_frames(bytearray(FRAME_HEADER.pack(3) + b"{{{"))


def test_describe_status_names_the_signal() -> None:
    assert describe_status(signal.SIGSEGV) == ("crash", "crashed (segmentation fault, SIGSEGV)")
    assert describe_status(signal.SIGXCPU)[0] == "timeout"
    assert describe_status(0 << 8) == ("crash", "exited early with status 0 (sys.exit or os._exit?)")
    assert describe_status(70 << 8) == ("crash", "could not be started by the sandbox")


def test_read_output_caps_and_says_so() -> None:
    fd = os.memfd_create("t")
    try:
        os.write(fd, b"x" * 1000)
        assert read_output(fd, 100) == ("x" * 100 + "\n[... truncated: 1000 bytes in all]", 1000)
        assert read_output(fd, 5000) == ("x" * 1000, 1000)
        os.write(fd, b"y" * 300)   # a worker that goes on: the next task reads from where the last one ended
        assert read_output(fd, 5000, 1000) == ("y" * 300, 1300)
        assert read_output(fd, 100, 1000) == ("y" * 100 + "\n[... truncated: 300 bytes in all]", 1300)
        assert read_output(fd, 100, 1300) == ("", 1300)
    finally:
        os.close(fd)


def test_where_names_phases() -> None:
    assert where("load:relu_model.py") == "loading relu_model.py"
    assert where("relu_model.lesson") == "relu_model.lesson"
    assert where(None) == "the worker"


def test_limits_reach_the_sandbox_config() -> None:
    """What a worker is confined with follows the Limits (the old test only read constants back)."""
    runner = Runner(Limits(memory_mb=300, student_timeout=50, file_mb=7, tmp_mb=9, nproc=77))
    runner.data_kb = 2048 * 1024  # the zygote's data segment, as its "ready" message reports it
    cfg = runner.config(3)
    cores = os.cpu_count() or 1
    assert (cfg.file_mb, cfg.tmp_mb, cfg.nproc) == (7, 9, 77)
    assert cfg.data_mb == 2048 + 300 + 512  # RLIMIT_DATA: the zygote's data, the limit, and a margin
    assert cfg.cpu_seconds == int(50 * min(cores, 8)) + 10
    assert cfg.uid == (runner.uid_base + 3 if runner.as_root else None)
    assert cfg.hidden == tuple(runner.hidden) and cfg.namespaces
    default = Runner()
    default.data_kb = 0
    assert default.config(0).data_mb == Limits().memory_mb + 512 and default.config(0).nproc == 128 + 8 * cores


def test_the_runner_reads_frames_as_checked_messages() -> None:
    """A list where a probe id belongs would break the Collector (unhashable); it must be a WireError."""
    with pytest.raises(wire.WireError):
        read_frames(bytearray(frame({"kind": "observation", "probe": ["a"], "value": 1})))


def test_runner_must_be_entered() -> None:
    with pytest.raises(SandboxError):
        Runner().run({}, [])


# -- slow: real workers ------------------------------------------------------------

@pytest.fixture(scope="module")
def quick() -> Iterator[Runner]:
    with Runner(Limits(check_timeout=2, load_timeout=2, student_timeout=30), jobs=2) as r:
        yield r


@pytest.mark.slow
def test_the_zygote_holds_no_checks_or_solutions(runner: Runner) -> None:
    code = ("import sys\nprint('MODS', sorted(m for m in sys.modules if m.startswith(('grader.judging.checks', 'solutions'))))\n"
            "print('TF', 'tensorflow' in sys.modules)\n")
    out = runner.run({"peek.py": code}, []).loads[0].output
    assert "MODS ['grader.judging.checks', 'grader.judging.checks.base']" in out or "MODS []" in out
    assert "TF True" in out  # TensorFlow came with the fork, not imported per student


@pytest.mark.slow
def test_per_student_overhead_is_small(runner: Runner) -> None:
    """Fork + sandbox setup + teardown + decode, with nothing to compute.

    A generous bound that a busy 2-core machine still meets (about 0.05 s idle);
    it fails if a worker imports TensorFlow itself (seconds). The real number is
    measured in bench/.
    """
    times = []
    for _ in range(5):
        started = time.perf_counter()
        out = runner.run({"a.py": "import tensorflow.compat.v1 as tf\nx = 1\n"}, [])
        times.append(time.perf_counter() - started)
        assert out.loads[0].error is None
    assert statistics.median(times) < 2.0, times


@pytest.mark.slow
def test_probe_overhead_beyond_compute_is_small(runner: Runner) -> None:
    probes = [relu_probe(f"p{i}", rows=2 + i) for i in range(3)]
    started = time.perf_counter()
    out = runner.run({"relu_model.py": SOLUTION_RELU}, probes)
    total = time.perf_counter() - started
    assert all(o.ok for o in out.observations.values())
    compute = sum(o.duration for o in out.observations.values())
    assert total - compute < 3.0 + compute, (total, compute)  # generous: see bench/ for the real number


@pytest.mark.slow
def test_run_many_yields_every_key_and_uses_all_workers(quick: Runner) -> None:
    """Two workers at a time: the students' own clocks show their runs overlapping
    (no wall-clock bound on the whole, which a busy machine would break)."""
    code = "import time\nprint('FROM', time.time())\ntime.sleep(1.0)\nprint('TO', time.time())\n"
    spans = {}
    for k, out in quick.run_many((k, {"s.py": code}, []) for k in "abcd"):
        words = out.loads[0].output.split()
        spans[k] = (float(words[1]), float(words[3]))
    assert sorted(spans) == ["a", "b", "c", "d"]
    overlapping = [(x, y) for x in spans for y in spans if x < y
                   and spans[x][0] < spans[y][1] and spans[y][0] < spans[x][1]]
    assert overlapping, spans
    for t in sorted(s for span in spans.values() for s in span):  # never more than two at once
        assert sum(1 for a, b in spans.values() if a < t < b) <= 2


@pytest.mark.slow
def test_one_hanging_probe_does_not_zero_the_others(quick: Runner) -> None:
    probes = [relu_probe("first", 2), relu_probe("hangs", 3), relu_probe("last", 4)]
    out = quick.run({"relu_model.py": PICKY_RELU}, probes)
    assert out.observations["first"].ok and out.observations["last"].ok
    err = out.observations["hangs"].error
    assert err is not None and err.killed == "timeout" and err.message == "timed out after 2 s in hangs"
    assert out.problems == ("timed out after 2 s in hangs",)


@pytest.mark.slow
def test_a_file_that_hangs_while_loading_is_skipped(quick: Runner) -> None:
    files = {"a_helper.py": "while True:\n    pass\n", "relu_model.py": SOLUTION_RELU}
    out = quick.run(files, [relu_probe("p", 2)])
    assert out.observations["p"].ok
    hung = [load for load in out.loads if load.name == "a_helper.py"]
    assert hung and hung[0].error is not None and hung[0].error.message == "timed out after 2 s in loading a_helper.py"


@pytest.mark.slow
def test_the_probe_timeout_applies_without_a_global_override() -> None:
    with Runner(Limits(student_timeout=30, load_timeout=5), jobs=1) as r:
        out = r.run({"relu_model.py": PICKY_RELU}, [relu_probe("hangs", 3, timeout=1.5)])
    err = out.observations["hangs"].error
    assert err is not None and err.message == "timed out after 1.5 s in hangs"


@pytest.mark.slow
def test_the_student_timeout_bounds_the_whole_submission() -> None:
    probes = [relu_probe(f"h{i}", 3, timeout=2) for i in range(8)]  # 16 s without the cap
    with Runner(Limits(student_timeout=3, load_timeout=5), jobs=1) as r:
        started = time.monotonic()
        out = r.run({"relu_model.py": PICKY_RELU}, probes)
    # About 3 s; 8 probes hanging 2 s each would take 16 s without the cap.
    assert time.monotonic() - started < 14
    assert set(out.observations) == {p.id for p in probes}
    messages = [o.error.message for o in out.observations.values() if o.error]
    assert "timed out after 3 s in h1 (the whole submission's time limit)" in messages
    assert any(m.startswith("not run: the submission used up its 3 s") for m in messages)


@pytest.mark.slow
def test_stopping_run_many_early_leaves_no_worker_behind(quick: Runner) -> None:
    from grader.sandbox.confine import processes

    items = [(k, {"s.py": "import time\ntime.sleep(30)\n" if k else "x = 1\n"}, []) for k in range(3)]
    gen = quick.run_many(items)
    assert next(gen)[0] == 0  # the quick one; the sleepers are still running
    gen.close()
    uids = set(range(quick.uid_base, quick.uid_base + quick.jobs))
    assert [p for p in processes(uids) if not p.zombie] == []
    # The sandbox uids are only used as root: also check what holds either way,
    # that the zygote (every worker's parent and subreaper) has nothing left.
    assert quick.zygote is not None
    assert zygote_descendants(quick.zygote.pid) == []


def zygote_descendants(zygote: int, wait: float = 5.0) -> list[int]:
    """Live (non-zombie) processes below the zygote; killed ones get `wait` s to go."""
    end = time.monotonic() + wait
    while True:
        parents = {}
        for name in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    state, ppid = f.read().rsplit(b")", 1)[1].split()[:2]
            except (OSError, ValueError):
                continue
            if state != b"Z":
                parents[int(name)] = int(ppid)
        found = []
        for pid in parents:
            up, hops = parents[pid], 0
            while up != zygote and up in parents and hops < 1000:
                up, hops = parents[up], hops + 1
            if up == zygote:
                found.append(pid)
        if not found or time.monotonic() > end:
            return found
        time.sleep(0.05)
