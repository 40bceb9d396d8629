"""The deployment matrix: `grader grade` on a tiny hostile class, in every deployment we can simulate here.

Each row runs the real CLI in a subprocess shaped like one deployment (this CI machine is
root on a permissive Linux host):

    full           root with every namespace (as is)
    container      root without CAP_SYS_ADMIN, unshare/clone-with-namespaces refused by seccomp
                   (a default Docker container; tests/runner/deployment_launcher.py), the course
                   files, the class and OUT closed to other users: the probe proves the workers'
                   socket filter and the permissions hide the files, but the workers share the
                   host's world-writable folders (a marker lands there), so a class is refused
    container-open the same with the course files readable by others: refused, naming them
    user           a normal user (nobody, through setpriv) who may create user namespaces: contained,
                   since each worker gets a file tree of its own (grader.sandbox.view) that the
                   zygote's probe proved hides the home and the course folder
    user-no-userns the same user with user namespaces refused by the same seccomp filter
    portable       GRADER_RUNNER=portable
    allowed        the closed container row again with --allow-weak-isolation: graded, recorded as
                   allowed; everything hostile fails but the marker files
    gradescope     run_autograder in the simulated container: Gradescope's own shape (one submission
                   per container, so no shared folders), admitted at `container` once permissions
                   close the autograder's secrets, the network closed by the socket filter

The class: ada and bob (right, two ways), eve (reads solutions/, tests/submissions/hostile/
read_solution), mallory (connects to a loopback port this test listens on, hostile/network),
trudy (reads a mode-600 file in the instructor's home), kim (kill(-1) at import,
hostile/kill_at_import) and dan (leaves a setsid daemon, hostile/setsid_daemon). Every hostile
student also tries to write a marker file into a world-writable folder when imported.
Every row must end *contained* (exit 0, ada and bob full marks, the hostile ones 0, no marker,
no connection, the secret in no output, no daemon left, the instructor's other processes
alive) or *refused* (exit 14, the level and what is missing named, no marker, no connection,
no results): never a silent success. `allowed` grades and records the level as allowed,
which is the point of the flag.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from grader.errors import ExitCode
from process_support import marked

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = ROOT / "tests" / "submissions"
LAUNCHER = ROOT / "tests" / "runner" / "deployment_launcher.py"
GRADER = Path(sys.executable).parent / "grader"
NOBODY = 65534
RIGHT = ("ada", "bob")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0,
                       reason="simulating deployments needs root on Linux"),
    pytest.mark.skipif(not (shutil.which("setpriv") and shutil.which("unshare")),
                       reason="needs setpriv and unshare (util-linux)"),
    pytest.mark.skipif(ctypes.util.find_library("seccomp") is None, reason="needs libseccomp"),
]


SECRET = "instructor-secret-7f3c"  # the content of a mode-600 file in the instructor's home


@dataclass
class World:
    folder: Path
    submissions: Path
    marks: Path
    home: Path
    connections: list[bytes]
    port: int
    daemon_mark: str

    @property
    def secret(self) -> Path:
        return self.home / "secret.txt"


TRUDY = """import os
try:
    with open({path!r}) as f:
        SEEN = f.read()
except OSError as exc:
    SEEN = type(exc).__name__


def relu_model(features, weights, biases):
    raise RuntimeError("home file: " + SEEN)
"""


def _listen() -> tuple[socket.socket, list[bytes]]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    got: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            got.append(b"connected")
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return server, got


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    # Under /tmp, searchable by everyone: the `nobody` rows must reach the class.
    folder = Path(tempfile.mkdtemp(prefix="grader-matrix-", dir="/tmp"))
    folder.chmod(0o755)
    server, got = _listen()
    port = server.getsockname()[1]
    marks = folder / "marks"
    marks.mkdir(mode=0o1777)
    marks.chmod(0o1777)
    home = folder / "home"
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)
    secret = home / "secret.txt"
    secret.write_text(SECRET)
    secret.chmod(0o600)
    os.chown(secret, NOBODY, NOBODY)  # the instructor's in the `user` rows; no worker uid's as root
    subs = folder / "class"
    daemon_mark = f"600.{os.getpid()}{time.monotonic_ns() % 10**6:06d}"  # `sleep <mark>`: found in /proc
    hostile = SUBMISSIONS / "hostile"
    entries = {
        "ada": (SUBMISSIONS / "correct" / "relu_model_bias_add.py").read_text(),
        "bob": (SUBMISSIONS / "correct" / "relu_model_tf_maximum.py").read_text(),
        "eve": (hostile / "read_solution" / "relu_model.py").read_text().replace("__REPO__", str(ROOT)),
        "mallory": (hostile / "network" / "relu_model.py").read_text().replace("__PORT__", str(port)),
        "trudy": TRUDY.format(path=str(secret)),
        "kim": (hostile / "kill_at_import" / "relu_model.py").read_text(),
        "dan": (hostile / "setsid_daemon" / "relu_model.py").read_text().replace("__MARK__", daemon_mark),
    }
    for name, code in entries.items():
        if name not in RIGHT:  # a sign of life the moment the file is imported, anywhere the worker can write
            code = (f"try:\n    open({str(marks / name)!r}, 'w').write('ran')\nexcept OSError:\n    pass\n"
                    + code)
        (subs / name).mkdir(parents=True)
        (subs / name / "relu_model.py").write_text(code)
    for p in [subs, *subs.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    try:
        yield World(folder, subs, marks, home, got, port, daemon_mark)
    finally:
        server.close()
        shutil.rmtree(folder, ignore_errors=True)


def _readable_python() -> list[str]:
    """A private mount namespace in which the interpreter is reachable by other uids: pyenv
    under /root (0700) is not, so /root becomes a tmpfs (0711) holding only that folder.
    Workers dropped to their own uid, and `nobody`, import the standard library from it."""
    base = Path(sys.base_prefix).resolve()
    closed = next((p for p in reversed(base.parents) if not os.stat(p).st_mode & stat.S_IXOTH), None)
    if closed is None:
        return []
    keep = closed / base.relative_to(closed).parts[0]
    stash = "/run/grader-matrix-keep"
    script = (f"mkdir -p {stash} && mount --bind {keep} {stash} && mount -t tmpfs -o mode=0711 tmpfs {closed} "
              f"&& mkdir -p {keep} && mount --move {stash} {keep} && exec \"$@\"")
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "matrix"]


def _grade(world: World, row: str, out: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k in ("PATH", "LANG", "LC_ALL", "GRADER_SECRET_SEED", "GRADER_CACHE")}
    env.update(HOME=str(world.home) if row.startswith("user") else os.environ.get("HOME", "/root"),
               TF_CPP_MIN_LOG_LEVEL="3")
    grade = [str(GRADER), "grade", str(world.submissions), "--out", str(out), "--jobs", "2", "--timeout", "60"]
    launch: list[str] = []
    if row.startswith("container") or row == "allowed":
        launch = [*_readable_python(), sys.executable, str(LAUNCHER), "--no-unshare", "--drop-sys-admin", "--"]
    elif row == "user":
        launch = [*_readable_python(), "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    elif row == "user-no-userns":
        launch = [*_readable_python(), "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                  sys.executable, str(LAUNCHER), "--no-unshare", "--"]
    elif row == "portable":
        env["GRADER_RUNNER"] = "portable"
    if row == "allowed":
        grade.append("--allow-weak-isolation")
    if row.startswith("user"):
        out.parent.mkdir(parents=True, exist_ok=True)
        os.chown(out.parent, NOBODY, NOBODY)
    return subprocess.run([*launch, *grade], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)


def _scores(out: Path) -> dict[str, float]:
    summary = json.loads((out / "summary.json").read_text())
    return {name: s["exercises"].get("relu_model", 0.0) for name, s in summary["students"].items()}


def _bystander(row: str, mark: str) -> subprocess.Popen[bytes]:
    """Another process of the instructor's own user, which no student's kill(-1) may reach."""
    become = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if row.startswith("user") else []
    return subprocess.Popen([*become, "sleep", mark])


def _leaked(out: Path) -> list[str]:
    return [str(p) for p in out.rglob("*") if p.is_file() and SECRET in p.read_text(errors="replace")]


# What `grade` hides from workers that a default container protects only by permissions: the
# checkout's secrets (grader.runner.runner.default_hidden), the class and the output folder.
@functools.cache
def _judging() -> Path:
    """The hidden checks of the package the `grader` command imports: this checkout's in a
    development venv, a copy in site-packages where tox installed one."""
    code = "import grader, os; print(os.path.dirname(grader.__file__))"
    found = subprocess.run([sys.executable, "-I", "-c", code], cwd="/", capture_output=True, text=True).stdout.strip()
    return Path(found or ROOT / "grader") / "judging"


def _course() -> list[Path]:
    """What workers must not read (grader.runner.runner.default_hidden), as far as it exists when
    a row runs: reports/ appears once a test has written a report there."""
    return [_judging(), ROOT / "solutions", ROOT / "tests", ROOT / ".git", ROOT / "reports"]


@contextlib.contextmanager
def _closed(paths: list[Path]) -> Iterator[None]:
    """Other users lose every permission on `paths` (as an instructor would chmod o-rwx them)
    until the row ends: the `user` rows run the grader itself as another user, so it is put back."""
    modes = {p: p.stat().st_mode & 0o7777 for p in paths if p.exists()}
    try:
        for p, mode in modes.items():
            p.chmod(mode & ~0o007)
        yield
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


@pytest.mark.parametrize("row, level, outcome", [
    ("full", "full", "contained"),
    ("container", "container", "refused"),
    ("container-open", "container", "refused"),
    ("user", "user", "contained"),
    ("user-no-userns", "none", "refused"),
    ("portable", "none", "refused"),
    ("allowed", "container", "allowed"),
])
def test_deployment_is_contained_or_refused(world: World, row: str, level: str, outcome: str) -> None:
    for mark in world.marks.iterdir():
        mark.unlink()
    world.connections.clear()
    out = world.folder / "out" / row / "out"
    bystander_mark = world.daemon_mark + "9"
    out.parent.mkdir(parents=True, exist_ok=True)
    closed = [*_course(), world.submissions, out.parent] if row in ("container", "allowed") else []
    bystander = _bystander(row, bystander_mark)
    try:
        with _closed(closed):
            result = _grade(world, row, out)
        survived = bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()
    said = result.stderr
    assert f"isolation: {level} (" in said, said[-3000:]
    assert said.count("isolation: ") == 1, said[-3000:]   # one line, once
    assert survived, "a student's kill(-1) reached another process of the instructor"
    end = time.monotonic() + 5
    while marked(world.daemon_mark) and time.monotonic() < end:
        time.sleep(0.1)
    assert not marked(world.daemon_mark), "a student's setsid daemon outlived the grader"
    if outcome == "refused":
        assert result.returncode == ExitCode.ISOLATION_REFUSED, said[-3000:]
        assert f"refusing to run untrusted student code at isolation level '{level}'" in said
        assert "does not protect" in said and "--allow-weak-isolation" in said and "No student code" in said
        assert not list(world.marks.iterdir()) and not world.connections
        assert not list(out.glob("*/results.json"))
        # The socket filter is proved (the network is never named); course files closed by
        # permissions are not named either: what is left is the folders students share.
        if row.startswith("container"):
            assert "the network" not in said and "the shared folders: workers can write" in said
        if row == "container-open":
            assert f"readable by other users, so by the workers: {_judging()}" in said
            assert str(ROOT / "solutions") in said
        elif row == "container":
            assert "instructor's files" not in said
        return
    assert result.returncode == 0, said[-3000:]
    scores = _scores(out)
    summary = json.loads((out / "summary.json").read_text())
    eve = json.loads((out / "eve" / "results.json").read_text())
    assert not _leaked(out), _leaked(out)
    assert all(scores[name] == 15 for name in RIGHT), scores
    if outcome == "contained":
        assert all(scores[name] == 0 for name in scores if name not in RIGHT), scores
        assert not list(world.marks.iterdir()) and not world.connections
        assert summary["isolation"]["level"] == level and not summary["isolation"]["allowed_weak"]
        assert summary["isolation"]["files"] and summary["isolation"]["network"] and summary["isolation"]["processes"]
        assert eve["extra_data"]["isolation"] == level
    else:  # graded at a level below what `grade` needs, because the instructor said so: recorded as such
        assert "allowed by --allow-weak-isolation" in said and "CAN REACH THE NETWORK" not in said
        assert summary["isolation"] == {**summary["isolation"], "level": level, "allowed_weak": True,
                                        "files": True, "network": True, "scratch": False}
        # A default container with closed permissions holds all but the shared folders: no
        # connection (the socket filter), no hostile marks; the files the students wrote are why.
        assert all(scores[name] == 0 for name in scores if name not in RIGHT), scores
        assert not world.connections and {p.name for p in world.marks.iterdir()} == set(scores) - set(RIGHT)
        assert eve["extra_data"]["isolation"] == f"{level} (weak isolation allowed)"


def test_run_autograder_in_a_default_container(world: World) -> None:
    """Gradescope's container: no namespaces, a uid per worker, secrets closed by permissions."""
    import zipfile

    from grader.gradescope.build import build
    from grader.paths import Paths

    layout = world.folder / "gradescope"
    (layout / "source").mkdir(parents=True)
    layout.chmod(0o755)
    zip_path = world.folder / "autograder.zip"
    build(Paths(ROOT), zip_path)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(layout / "source")
    (layout / "submission").mkdir()
    hostile = ("import os\n"
               "def relu_model(features, weights, biases):\n"
               "    seen = []\n"
               f"    for path in ({str(layout / 'source/reference/observations.json')!r},\n"
               f"                 {str(layout / 'source/grader/judging/checks/hidden/relu_model.py')!r}):\n"
               "        try:\n"
               "            open(path).read(10)\n"
               "            seen.append('L' 'EAKED ' + path)\n"
               "        except OSError:\n"
               "            seen.append('blocked')\n"
               "    raise RuntimeError(' '.join(seen))\n")
    (layout / "submission" / "relu_model.py").write_text(hostile)
    (layout / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "eve@example.org"}]}))
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "GRADER_SECRET_SEED")}
    env.update(GRADER_GRADESCOPE_ROOT=str(layout), GRADER_PYTHON=sys.executable, HOME="/root")
    launch = [*_readable_python(), sys.executable, str(LAUNCHER), "--no-unshare", "--drop-sys-admin", "--"]
    proc = subprocess.run([*launch, "bash", str(layout / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=300)
    doc = json.loads((layout / "results" / "results.json").read_text())
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "isolation: container (" in proc.stderr and "refused by a seccomp filter" in proc.stderr
    assert "CAN REACH THE NETWORK" not in proc.stderr
    assert doc["extra_data"]["isolation"] == "container"
    text = json.dumps(doc)
    assert "LEAKED" not in text and "blocked blocked" in text
    tests = [t for t in doc["tests"] if t["extra_data"]["exercise"] == "relu_model"]
    assert tests and sum(t["score"] for t in tests) == 0
