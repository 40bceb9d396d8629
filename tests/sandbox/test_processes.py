"""Processes (issue 18): what a worker starts ends with it, and its signals reach nothing else.

Fast: the keeper (grader.sandbox.procs.keep) with and without a PID namespace, on plain
forked processes. Slow: hostile submissions under the sandbox as root and as a normal user
with user namespaces, and under the portable runner: `kill(-1)` at import, a `setsid` daemon,
and a hidden worker signalling hidden inputs to the public one through file locks.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.sandbox.confine import CLONE_NEWPID, prctl, unshare
from grader.sandbox.procs import keep
from process_support import AS_NOBODY, marked

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "submissions" / "hostile"


def gone(mark: str, wait: float = 3.0) -> bool:
    end = time.monotonic() + wait
    while marked(mark):
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def new_mark() -> str:
    """A `sleep` duration nobody else uses: the daemon's command line is `sleep <mark>`."""
    return f"600.{os.getpid()}{time.monotonic_ns() % 10**6:06d}"


def kept_job(pid_namespace: bool, mark: str, then: str) -> int:
    """Fork a keeper whose job leaves a setsid daemon and then ends by `then`; its wait status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            os.setsid()
            if pid_namespace:
                unshare(CLONE_NEWPID)
            keep(pid_namespace=pid_namespace, prctl=prctl)
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execv("/bin/sleep", ["sleep", mark])
                os._exit(0)
            time.sleep(0.3)  # the daemon is running
            if then == "kill-all":
                os.kill(-1, signal.SIGKILL)
                os._exit(9)
            if then == "segfault":  # a real fault: PID 1 ignores a SIGSEGV it sends itself
                import ctypes
                import faulthandler

                faulthandler.disable()
                ctypes.string_at(0)
            os._exit(7)
        except BaseException:  # noqa: BLE001
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    return status


def test_without_a_pid_namespace_the_keeper_kills_what_the_job_left_and_exits_as_it_did() -> None:
    mark = new_mark()
    status = kept_job(False, mark, "exit")
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 7
    assert gone(mark)
    status = kept_job(False, mark, "segfault")
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSEGV
    assert gone(mark)


def pid_namespaces() -> bool:
    return os.geteuid() == 0 and subprocess.run(["unshare", "--pid", "--fork", "true"],
                                                capture_output=True).returncode == 0


def test_in_a_pid_namespace_kill_minus_one_reaches_only_the_jobs_own_processes() -> None:
    if not pid_namespaces():
        pytest.skip("needs root and PID namespaces")
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        mark = new_mark()
        status = kept_job(True, mark, "kill-all")
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 9  # its kill(-1) spared itself (PID 1)
        assert gone(mark)  # ... but killed its daemon, and the namespace took the rest
        assert bystander.poll() is None
        status = kept_job(True, mark, "segfault")
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSEGV
        assert gone(mark)
    finally:
        bystander.kill()
        bystander.wait()


# -- slow: hostile submissions under each runner ------------------------------------------

def relu_files(case: str, **subs: str) -> dict[str, str]:
    text = (HOSTILE / case / "relu_model.py").read_text()
    for key, value in subs.items():
        text = text.replace(f"__{key}__", value)
    return {"relu_model.py": text}


def correct() -> dict[str, str]:
    return {"relu_model.py": (ROOT / "solutions" / "relu_model.py").read_text()}


def relu_probes() -> list:  # type: ignore[type-arg]
    from grader.judging.checks import load_checks
    from grader.pipeline import probes_for

    return list(probes_for(load_checks(("relu_model",))))


LIMITS_ARGS = {"check_timeout": 10, "load_timeout": 20, "student_timeout": 60}


@pytest.fixture(scope="module", params=["sandbox", "portable"])
def any_runner(request: pytest.FixtureRequest) -> Iterator[object]:
    from grader.runner.limits import Limits

    if request.param == "sandbox":
        if os.geteuid() != 0:
            pytest.skip("the sandbox as root (the non-root case is its own test)")
        from grader.runner.runner import Runner

        with Runner(Limits(**LIMITS_ARGS), jobs=2) as r:
            yield r
    else:
        from grader.runner.portable import PortableRunner

        with PortableRunner(Limits(**LIMITS_ARGS), jobs=2) as p:
            yield p


def all_ok(outcome: object) -> bool:
    observations = outcome.observations  # type: ignore[attr-defined]
    return bool(observations) and all(o.ok for o in observations.values())


@pytest.mark.slow
def test_a_setsid_daemon_is_gone_after_grading(any_runner: object) -> None:
    mark = new_mark()
    items = [("good", correct(), relu_probes()), ("case", relu_files("setsid_daemon", MARK=mark), relu_probes())]
    outcomes = dict(any_runner.run_many(items))  # type: ignore[attr-defined]
    assert all_ok(outcomes["good"])
    assert outcomes["case"].loads[0].output.strip() == "DAEMON exec"  # it did start
    assert gone(mark), f"left running: {marked(mark)}"


@pytest.mark.slow
def test_a_hidden_worker_cannot_signal_hidden_inputs_through_locks(any_runner: object) -> None:
    """The hidden worker takes flocks on stdlib files to spell a byte of a hidden input;
    the public worker, run at the same time, would read them. It runs only after."""
    outcome = any_runner.run(relu_files("lock_channel"), relu_probes())  # type: ignore[attr-defined]
    assert all_ok(outcome)
    said = [o.output for o in outcome.observations.values() if o.output.startswith(("SAW", "SENT"))]
    sent = next(s for s in said if s.startswith("SENT")).split()[1]
    saw = next(s for s in said if s.startswith("SAW")).split()[1]
    assert saw == "0" and sent != "0"


NOBODY_PROGRAM = r"""
import json, os, subprocess, sys, time
from pathlib import Path
from grader.runner.runner import Limits, Runner
from grader.judging.checks import load_checks
from grader.pipeline import probes_for
hostile = Path(sys.argv[1])
probes = probes_for(load_checks(("relu_model",)))
good = {"relu_model.py": Path(sys.argv[2]).read_text()}
kill = {"relu_model.py": (hostile / "kill_at_import" / "relu_model.py").read_text()}
daemon = {"relu_model.py": (hostile / "setsid_daemon" / "relu_model.py").read_text().replace("__MARK__", sys.argv[3])}
bystander = subprocess.Popen(["sleep", "60"])   # another process of the same user
report = {"uid": os.getuid()}
with Runner(Limits(check_timeout=10, load_timeout=20, student_timeout=60), jobs=2) as r:
    report["warnings"] = r.warnings
    items = [("before", good, probes), ("kill", kill, probes), ("daemon", daemon, probes), ("after", good, probes)]
    outcomes = dict(r.run_many(items))
report["ok"] = {k: sum(o.ok for o in v.observations.values()) for k, v in outcomes.items()}
report["total"] = len(probes)
report["daemon_said"] = outcomes["daemon"].loads[0].output
report["bystander"] = bystander.poll() is None
bystander.kill()
# Where user namespaces are refused (namespaces=False stands in): no PID namespace, so the
# job's keeper, a subreaper, kills what it left. (kill(-1) cannot be contained there.)
daemon2 = {"relu_model.py": daemon["relu_model.py"].replace(sys.argv[3], sys.argv[4])}
with Runner(Limits(check_timeout=10, load_timeout=20, student_timeout=60), jobs=1, namespaces=False) as r:
    report["keeper_warnings"] = r.warnings
    report["daemon2_said"] = r.run(daemon2, probes).loads[0].output
print("REPORT", json.dumps(report))
"""

@pytest.mark.slow
def test_kill_minus_one_at_import_as_a_normal_user_reaches_nothing_else() -> None:
    """As a normal user with user namespaces, one student's kill(-1) used to kill the batch
    and every process of the instructor. Each worker now has its own PID namespace. Then,
    without namespaces, a setsid daemon still ends with its worker."""
    if os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("unshare"):
        pytest.skip("becoming a normal user here takes root, setpriv and unshare")
    probe = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            "unshare", "--user", "--pid", "--fork", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("this kernel refuses user namespaces to normal users")
    real = os.path.realpath(sys.executable)
    pyroot = ""
    if real.startswith("/root/"):
        pyroot = Path(real).relative_to("/root").parts[0]  # e.g. .pyenv
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="grader-nobody-", dir="/tmp"))  # pytest's own tmp is 0700
    os.chown(home, 65534, 65534)
    try:
        run_as_nobody(home, pyroot)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run_as_nobody(home: Path, pyroot: str) -> None:
    mark, mark2 = new_mark(), new_mark() + "1"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "PYROOT": pyroot,
           "PYTHONPATH": str(ROOT), "GRADER_SECRET_SEED": os.environ.get("GRADER_SECRET_SEED", "")}
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", AS_NOBODY, "sh",
                           sys.executable, "-c", NOBODY_PROGRAM, str(HOSTILE), str(ROOT / "solutions" / "relu_model.py"),
                           mark, mark2], env=env, cwd=str(ROOT), capture_output=True, text=True, timeout=180)
    lines = [x for x in done.stdout.splitlines() if x.startswith("REPORT ")]
    assert lines, f"the batch died (status {done.returncode}): {done.stderr[-2000:]}"
    report = json.loads(lines[0][len("REPORT "):])
    assert report["uid"] == 65534
    assert report["ok"]["before"] == report["ok"]["after"] == report["total"]
    assert report["ok"]["kill"] < report["total"]
    assert report["bystander"], "the instructor's other process was killed"
    assert report["daemon_said"].strip() == "DAEMON exec"
    assert gone(mark)
    assert any("no PID namespace" in w for w in report["keeper_warnings"])
    assert report["daemon2_said"].strip() == "DAEMON exec"
    assert gone(mark2)
