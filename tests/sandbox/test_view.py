"""A normal user's worker gets a file tree of its own (grader.sandbox.view, issue 18).

Fast: the plan (which folders come back, which are covered again) and the probe's test of
what a worker still sees, from paths alone. Slow: the real confinement as `nobody` with user
namespaces: a package on sys.path under /tmp and one under the home folder still import,
lazily too (a venv anywhere), while the home's mode-600 file, the rest of the home, the
course folder and the host's /tmp are gone, the tree is read-only, and the probe proves it.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.sandbox.mountplan import SYSTEM, leaks, plan_view
from process_support import AS_NOBODY

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534


def test_the_plan_binds_only_system_folders_and_what_the_worker_imports_from(tmp_path: Path) -> None:
    venv = tmp_path / "venv" / "site-packages"
    course = tmp_path / "course"
    package = course / "grader"
    secret_checks = package / "judging"
    for folder in (venv, secret_checks):
        folder.mkdir(parents=True)
    plan = plan_view(hidden=[str(course), str(secret_checks)],
                     exposed=[str(venv), str(venv / "inner"), str(package), str(course), "/", "/tmp",
                              "/usr/lib"])
    everything = plan.binds + plan.late_binds
    real = os.path.realpath
    assert real(str(venv)) in everything and real(str(package)) in everything
    # The course folder itself (also on sys.path), "/", /tmp and what the system folders hold never come back.
    assert real(str(course)) not in everything and "/" not in everything and "/tmp" not in everything
    assert "/usr/lib" not in everything and "/usr" in plan.binds
    # Under a scratch folder (replaced by a fresh tmpfs): bound after that tmpfs.
    if real(str(venv)).startswith("/tmp/"):
        assert real(str(venv)) in plan.late_binds
    # Hidden checks inside a bound package are covered again; the course around it is simply absent.
    assert plan.recover == (real(str(secret_checks)),)
    assert all(path in SYSTEM for path, _ in plan.links)


def test_what_the_probe_counts_as_seen(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".venv" / "lib").mkdir(parents=True)
    exposed = [str(home / ".venv" / "lib")]
    assert not leaks(str(tmp_path / "absent"), exposed)
    assert not leaks(str(home), exposed)              # only the way to a folder the worker imports from
    (home / "notes.txt").write_text("mine")
    assert leaks(str(home), exposed)                  # anything else in it
    assert leaks(str(home / "notes.txt"), exposed)
    empty = tmp_path / "covered"
    empty.mkdir()
    assert not leaks(str(empty), exposed)             # an empty tmpfs over a hidden folder
    (tmp_path / "blank").write_text("")
    assert not leaks(str(tmp_path / "blank"), exposed)  # /dev/null over a hidden file


PROGRAM = r"""
import json, os, sys
from grader.sandbox import proof
from grader.sandbox.confine import SandboxConfig, enter
import grader
tmp_pkg, home, course = sys.argv[1:4]
sys.path[:0] = [tmp_pkg, os.path.join(home, "venv")]
exposed = [p for p in sys.path if p and os.path.isabs(p)] + [os.path.dirname(grader.__file__)]
inner = os.path.join(tmp_pkg, "hidden")   # a hidden folder inside one the worker imports from
config = SandboxConfig(hidden=(course, inner), exposed=tuple(exposed))
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    targets = proof.targets(config.hidden)
    warnings = enter(config)
    report = {"warnings": warnings, "proved": proof.attempt(targets, config.exposed, warnings), "uid": os.getuid()}
    for name in ("in_tmp", "in_home"):
        try:
            report[name] = __import__(name + ".lazy", fromlist=["VALUE"]).VALUE   # imported only now
        except Exception as exc:
            report[name] = repr(exc)
    for label, path in (("secret", os.path.join(home, "secret.txt")), ("course", os.path.join(course, "answer.txt"))):
        try:
            report[label] = open(path).read()
        except OSError as exc:
            report[label] = type(exc).__name__
    report["home"] = sorted(os.listdir(home))
    report["root"] = sorted(os.listdir("/"))
    report["tmp"] = os.listdir("/tmp")
    for label, path in (("write_pkg", os.path.join(tmp_pkg, "in_tmp", "evil.py")), ("write_usr", "/usr/evil")):
        try:
            open(path, "w").write("x")
            report[label] = "written"
        except OSError as exc:
            report[label] = type(exc).__name__
    report["inner"] = os.listdir(inner)
    # The way out a user namespace offers: a nested one, whose root may unmount... but not
    # mounts it inherited as a unit (the kernel locks them), so the covers stay.
    from grader.sandbox import syscalls
    try:
        syscalls.unshare(syscalls.CLONE_NEWUSER | syscalls.CLONE_NEWNS)
        for target in (inner, "/usr"):
            try:
                syscalls.umount2(target, syscalls.MNT_DETACH)
                report["umount " + target] = "done"
            except OSError:
                report["umount " + target] = "refused"
        report["inner_after"] = os.listdir(inner)
    except OSError:
        report["inner_after"] = []   # no nested namespace: nothing to try
    os.write(w, json.dumps(report).encode())
    os._exit(0)
os.close(w)
data = b""
while chunk := os.read(r, 65536):
    data += chunk
os.waitpid(pid, 0)
print("REPORT", data.decode())
"""

def _package(folder: Path, name: str) -> None:
    (folder / name).mkdir(parents=True)
    (folder / name / "__init__.py").write_text("")
    (folder / name / "lazy.py").write_text(f"VALUE = {name!r}\n")


@pytest.mark.slow
def test_a_normal_users_worker_sees_its_venv_anywhere_and_nothing_of_the_instructor() -> None:
    if os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("unshare"):
        pytest.skip("becoming a normal user here takes root, setpriv and unshare")
    if subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                       "unshare", "--user", "--pid", "--fork", "true"], capture_output=True).returncode != 0:
        pytest.skip("this kernel refuses user namespaces to normal users")
    real = os.path.realpath(sys.executable)
    pyroot = Path(real).relative_to("/root").parts[0] if real.startswith("/root/") else ""
    base = Path(tempfile.mkdtemp(prefix="grader-view-", dir="/tmp"))  # pytest's own tmp is 0700
    try:
        base.chmod(0o755)
        tmp_pkg, home, course = base / "pkgs", base / "home", base / "course"
        _package(tmp_pkg, "in_tmp")
        _package(home / "venv", "in_home")
        (home / "secret.txt").write_text("SECRET")
        (home / "secret.txt").chmod(0o600)
        (tmp_pkg / "hidden").mkdir()
        (tmp_pkg / "hidden" / "answers.py").write_text("HIDDEN = 1\n")
        course.mkdir()
        (course / "answer.txt").write_text("ANSWER")
        for path in (base, *base.rglob("*")):
            os.chown(path, NOBODY, NOBODY)
            if path.is_dir():
                path.chmod(path.stat().st_mode | stat.S_IXOTH)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "PYROOT": pyroot,
               "PYTHONPATH": str(ROOT)}
        done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", AS_NOBODY, "sh",
                               sys.executable, "-c", PROGRAM, str(tmp_pkg), str(home), str(course)],
                              env=env, cwd="/", capture_output=True, text=True, timeout=120)
        lines = [x for x in done.stdout.splitlines() if x.startswith("REPORT ")]
        assert lines, done.stderr[-2000:]
        report = json.loads(lines[0][len("REPORT "):])
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert report["uid"] == NOBODY
    assert report["in_tmp"] == "in_tmp" and report["in_home"] == "in_home"   # a venv under /tmp or the home
    assert report["secret"] == "FileNotFoundError" and report["course"] == "FileNotFoundError"
    assert report["home"] == ["venv"]                       # only the way to what it imports from
    # Its own /tmp: only the ways to the package there, and to the grader and venv when they live
    # under /tmp too (a CI job's clean clone).
    ours = {Path(p).resolve().parts[2] for p in (ROOT, sys.prefix) if Path(p).resolve().parts[1:2] == ("tmp",)}
    assert sorted(report["tmp"]) == sorted({base.name} | ours)
    assert report["write_pkg"] == "OSError" and report["write_usr"] == "OSError"   # read-only (EROFS)
    assert not {"home", "run", "mnt", "srv", "opt", "media"} & set(report["root"]), report["root"]
    assert sorted(report["proved"]) == ["files", "network"], report["warnings"]
    assert report["inner"] == [] and report["inner_after"] == []
    assert all(v == "refused" for k, v in report.items() if k.startswith("umount ")), report
