"""Isolation levels: detection from the probe's warnings, admission per command, the refusal's words,
and the shared places (lock folder, PYTHONPATH) that must not lower the level."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.cli import build_parser
from grader.commands import grade_cmd
from grader.errors import ExitCode, IsolationRefused, SandboxError
from grader.runner import choice, isolation, uidblocks
from grader.runner.isolation import GRADESCOPE, TRUSTED, UNTRUSTED, Level, admit, detect

NO_NAMESPACES = "no private network or file-system view ([Errno 1] unshare: Operation not permitted)"


@pytest.fixture
def private(tmp_path: Path) -> Path:
    """A folder only root can search (pytest's own base is 0700 anyway): hidden by permissions."""
    folder = tmp_path / "course"
    (folder / "solutions").mkdir(parents=True)
    tmp_path.chmod(0o700)
    return folder


@pytest.fixture
def public() -> Any:
    base = Path(os.path.realpath("/var/tmp")) / f"grader-iso-{os.getpid()}"
    (base / "solutions").mkdir(parents=True, mode=0o755)
    base.chmod(0o755)
    (base / "solutions").chmod(0o755)
    yield base
    import shutil

    shutil.rmtree(base)


BOTH = frozenset({"files", "network"})
NO_FILTER = "no socket filter: libseccomp not found (libseccomp.so.2: cannot open shared object file); install libseccomp2"


def test_root_with_namespaces_is_full_only_when_the_probe_proved_both(public: Path) -> None:
    level = detect(True, ["System V shared memory not capped: x"], [], proved=BOTH)
    assert level.name == "full" and level.files and level.network and level.processes and level.scratch
    assert admit(level, UNTRUSTED) == level and "REACH" not in level.line()
    # The probe saw a hidden folder and an interface: not `full`; the refusal names both.
    seen = ["still visible to a worker: /course/solutions", "network interfaces visible to a worker: eth0, lo",
            "a worker could open an AF_INET socket (loopback: refused, so reached)"]
    level = detect(True, seen, [str(public / "solutions")], proved=frozenset())
    assert level.name == "container" and not level.files and not level.network and level.processes
    with pytest.raises(IsolationRefused) as caught:
        admit(level, UNTRUSTED)
    text = str(caught.value)
    assert f"readable by other users, so by the workers: {public / 'solutions'}" in text
    assert "still visible to a worker: /course/solutions" in text and "eth0" in text and "AF_INET" in text
    # Files proved by the worker's own tree count even where permissions are open.
    assert detect(True, [], [str(public / "solutions")], proved=frozenset({"files"})).files


def test_a_container_whose_probe_proved_the_socket_filter_closes_the_network(private: Path, public: Path) -> None:
    level = detect(True, [NO_NAMESPACES], [str(private / "solutions")], proved=frozenset({"network"}))
    assert level.name == "container" and level.files and level.network and level.processes
    assert "REACH" not in level.line() and "seccomp" in level.line()
    # Gradescope's one submission per container is admitted; a class is refused for what remains
    # (its students share the host's world-writable folders), and only that is named.
    assert admit(level, GRADESCOPE) == level
    with pytest.raises(IsolationRefused) as caught:
        admit(level, UNTRUSTED)
    text = str(caught.value)
    assert "the shared folders: workers can write into the host's world-writable folders" in text
    assert "the network" not in text and "instructor's files" not in text
    exposed = detect(True, [NO_NAMESPACES], [str(public / "solutions")], proved=frozenset({"network"}))
    with pytest.raises(IsolationRefused) as caught:
        admit(exposed, GRADESCOPE)
    assert str(public / "solutions") in str(caught.value) and "the network" not in str(caught.value)
    # Without libseccomp: the network is named, with what to install.
    bare = detect(True, [NO_NAMESPACES, NO_FILTER], [str(private / "solutions")])
    assert not bare.network and "seccomp" not in bare.line() and "CAN REACH THE NETWORK" in bare.line()
    with pytest.raises(IsolationRefused, match="the network: .*install libseccomp2"):
        admit(bare, UNTRUSTED)
    assert admit(bare, GRADESCOPE) == bare


def test_root_without_namespaces_is_container_and_refused_for_a_class(private: Path) -> None:
    level = detect(True, [NO_NAMESPACES], [str(private / "solutions")])
    assert level.name == "container" and level.files and level.processes and not level.network
    assert "CAN REACH THE NETWORK" in level.line()
    with pytest.raises(IsolationRefused) as caught:
        admit(level, UNTRUSTED)
    text = str(caught.value)
    assert "'container'" in text and "the network" in text and "instructor's files" not in text
    assert "--allow-weak-isolation" in text and "root" in text and "No student code was run" in text
    assert caught.value.exit_code == ExitCode.ISOLATION_REFUSED
    # Gradescope's container has a network by design: said, not refused.
    assert admit(level, GRADESCOPE) == level


def test_container_names_instructor_files_other_users_can_read(public: Path) -> None:
    level = detect(True, [NO_NAMESPACES], [str(public / "solutions")])
    assert not level.files
    with pytest.raises(IsolationRefused, match=f"readable by other users.*{public / 'solutions'}.*chmod o-rwx"):
        admit(level, GRADESCOPE)
    (public / "solutions").chmod(0o750)
    assert detect(True, [NO_NAMESPACES], [str(public / "solutions")]).files


def test_readable_by_others_follows_every_folder_on_the_way(public: Path) -> None:
    secret = public / "solutions" / "answer.py"
    secret.write_text("x")
    secret.chmod(0o600)
    assert isolation.readable_by_others([str(secret)]) == []
    secret.chmod(0o644)
    assert isolation.readable_by_others([str(secret)]) == [str(secret)]
    (public / "solutions").chmod(0o700)  # a closed folder on the way hides it again
    assert isolation.readable_by_others([str(secret)]) == []
    # The grader package's own checkout is needed by workers: never counted.
    assert isolation.readable_by_others([str(Path(isolation.__file__).parents[2])]) == []


def test_normal_user_levels() -> None:
    # Nothing proved by the probe (say, it never ran): nothing claimed but the namespaces' name.
    user = detect(False, [], [])
    assert user.name == "user" and not (user.network or user.files or user.processes)
    with pytest.raises(IsolationRefused, match="your own user"):
        admit(user, UNTRUSTED)
    none = detect(False, [NO_NAMESPACES], [])
    assert none.name == "none" and not (none.files or none.network or none.processes)
    assert admit(none, TRUSTED) == none  # a self-check runs the student's own code


def test_allowed_weak_isolation_is_recorded_as_such() -> None:
    level = admit(isolation.none_level("portable"), isolation.Need("untrusted", True, True, True, allow_weak=True))
    assert level.allowed_weak and level.label() == "none (weak isolation allowed)"
    assert "allowed by --allow-weak-isolation" in level.line() and level.record()["allowed_weak"] is True


def test_allowed_by_env_reads_only_a_yes() -> None:
    assert isolation.allowed_by_env({"GRADER_ALLOW_WEAK_ISOLATION": "1"})
    assert not isolation.allowed_by_env({"GRADER_ALLOW_WEAK_ISOLATION": "0"})
    assert not isolation.allowed_by_env({})


# -- the selector: refusal before any student code, never a silent fallback ------------------------

class Recorder:
    entered: list[str] = []

    def __init__(self, *args: Any, **kw: Any) -> None:
        pass

    def __enter__(self) -> "Recorder":
        Recorder.entered.append(type(self).__name__)
        return self

    def __exit__(self, *exc: object) -> None:
        Recorder.entered.append("exit " + type(self).__name__)


class Broken(Recorder):
    def __enter__(self) -> "Broken":
        raise SandboxError("sandbox setup failed: ModuleNotFoundError: No module named 'wave'")


class Container(Recorder):
    level = Level("container", "sandbox", files=True, network=False, processes=True, missing=(
        "the network: workers can reach it",))


@pytest.fixture
def linux(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(choice.sys, "platform", "linux")
    monkeypatch.setattr(choice, "PortableRunner", Recorder)
    monkeypatch.delenv("GRADER_RUNNER", raising=False)
    Recorder.entered = []
    return Recorder.entered


def test_untrusted_code_never_falls_back_to_the_portable_runner(monkeypatch: pytest.MonkeyPatch,
                                                                linux: list[str]) -> None:
    monkeypatch.setattr(choice, "Runner", Broken)
    with pytest.raises(IsolationRefused, match="'none'.*sandbox cannot start here.*wave"):
        choice.make_runner(note=lambda _: None, need=UNTRUSTED).__enter__()
    assert linux == []  # the portable runner never started


def test_allowed_weak_falls_back_and_says_so(monkeypatch: pytest.MonkeyPatch, linux: list[str]) -> None:
    monkeypatch.setattr(choice, "Runner", Broken)
    notes: list[str] = []
    chosen = choice.make_runner(note=notes.append, need=isolation.Need("u", True, True, True, allow_weak=True))
    with chosen:
        pass
    assert chosen.kind == "portable" and chosen.level is not None and chosen.level.allowed_weak
    assert notes[-1].startswith("isolation: none") and "allowed" in notes[-1]


def test_container_level_is_refused_for_grading_and_the_runner_stopped(monkeypatch: pytest.MonkeyPatch,
                                                                      linux: list[str]) -> None:
    monkeypatch.setattr(choice, "Runner", Container)
    notes: list[str] = []
    with pytest.raises(IsolationRefused, match="the network"):
        choice.make_runner(note=notes.append, need=UNTRUSTED).__enter__()
    assert linux == ["Container", "exit Container"]
    assert len(notes) == 1 and notes[0].startswith("isolation: container")


def test_forced_portable_is_refused_for_untrusted_code(monkeypatch: pytest.MonkeyPatch, linux: list[str]) -> None:
    monkeypatch.setenv("GRADER_RUNNER", "portable")
    with pytest.raises(IsolationRefused, match="'none'"):
        choice.make_runner(note=lambda _: None, need=UNTRUSTED).__enter__()
    assert linux == ["Recorder", "exit Recorder"]


def test_grade_needs_untrusted_except_the_example() -> None:
    parse = build_parser().parse_args
    assert grade_cmd._need(parse(["grade", "--example", "--out", "o"])) == TRUSTED
    need = grade_cmd._need(parse(["grade", "subs", "--out", "o"]))
    assert need.untrusted and need.files and need.network and need.processes and not need.allow_weak
    assert grade_cmd._need(parse(["grade", "subs", "--out", "o", "--allow-weak-isolation"])).allow_weak


# -- shared places ----------------------------------------------------------------------------------

@pytest.mark.skipif(os.geteuid() != 0, reason="the uid blocks are root's")
def test_a_planted_file_or_foreign_folder_is_refused_loudly(tmp_path: Path) -> None:
    planted = tmp_path / "grader-uid-blocks"
    planted.write_text("")
    with pytest.raises(SandboxError, match="is not a folder.*someone else made it"):
        uidblocks.claim(planted, legacy=None)
    planted.unlink()
    planted.mkdir()
    os.chown(planted, 65534, 65534)
    with pytest.raises(SandboxError, match="belongs to uid 65534"):
        uidblocks.claim(planted, legacy=None)
    os.chown(planted, 0, 0)
    planted.chmod(0o777)
    with pytest.raises(SandboxError, match="mode 777"):
        uidblocks.claim(planted, legacy=None)


@pytest.mark.skipif(os.geteuid() != 0, reason="the uid blocks are root's")
def test_claims_are_distinct_and_a_planted_legacy_file_changes_nothing(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy"
    legacy.write_text("planted by anyone")  # what /tmp/grader-uid-blocks could be
    folder = tmp_path / "locks"
    first, fds1 = uidblocks.claim(folder, legacy)
    second, fds2 = uidblocks.claim(folder, legacy)
    try:
        assert first != second and len(fds1) == len(fds2) == 1
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
    finally:
        for fd in fds1 + fds2:
            os.close(fd)
    sound = tmp_path / "sound"
    sound.mkdir(mode=0o700)
    block, fds = uidblocks.claim(folder, sound)
    assert len(fds) == 2 and (sound / f"{block}.lock").exists()
    for fd in fds:
        os.close(fd)


def test_the_default_lock_folder_is_not_in_the_shared_temp_folder() -> None:
    import tempfile

    assert not str(uidblocks.LOCKS).startswith(tempfile.gettempdir())


def test_pythonpath_entries_others_can_write_are_dropped(tmp_path: Path) -> None:
    mine = Path(os.path.realpath("/var/tmp")) / f"grader-path-{os.getpid()}"
    mine.mkdir(mode=0o755)
    shared = mine / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    try:
        kept, dropped = isolation.trusted_path_entries(os.pathsep.join(["/tmp", str(mine), str(shared)]))
        assert kept == [str(mine)] and dropped == ["/tmp", str(shared)]
        if os.geteuid() == 0:
            os.chown(mine, 65534, 65534)  # someone else's folder
            assert isolation.trusted_path_entries(str(mine)) == ([], [str(mine)])
    finally:
        shared.rmdir()
        mine.rmdir()


def test_the_zygote_gets_no_shared_folder_a_student_could_have_planted() -> None:
    from grader.runner.runner import zygote_env

    mine = Path(os.path.realpath("/var/tmp")) / f"grader-env-{os.getpid()}"
    mine.mkdir(mode=0o755)
    try:
        env, dropped = zygote_env({"PYTHONPATH": f"/tmp:{mine}", "GRADER_CACHE": "/tmp", "XDG_CACHE_HOME": str(mine),
                                   "GRADER_RUNNER": "portable", "AWS_SECRET_ACCESS_KEY": "x", "PATH": "/usr/bin"}, 2)
    finally:
        mine.rmdir()
    assert env["PYTHONPATH"] == str(mine) and env["XDG_CACHE_HOME"] == str(mine) and "GRADER_CACHE" not in env
    assert sorted(dropped) == ["/tmp", "/tmp"]
    assert "GRADER_RUNNER" not in env and "AWS_SECRET_ACCESS_KEY" not in env and env["PATH"] == "/usr/bin"


def test_a_pid_namespace_protects_the_users_processes_but_not_their_files() -> None:
    own = detect(False, [], [], pid_namespaces=True, proved=frozenset({"network"}))
    assert own.processes and own.network and not own.files
    with pytest.raises(IsolationRefused) as caught:
        admit(own, UNTRUSTED)
    assert "your own user and could read" in str(caught.value) and "kill(-1)" not in str(caught.value)
    assert "could not prove them hidden" in str(caught.value)
    failed = detect(False, ["no PID namespace: a worker's processes are found and killed by the zygote"], [],
                    pid_namespaces=True)
    assert not failed.processes


def test_a_normal_user_is_admitted_only_with_what_the_probe_proved() -> None:
    """The `user` level protects files and network only when the confined probe tried to read
    the hidden paths and the home folder, and to find a network interface, and could not."""
    both = frozenset({"files", "network"})
    proved = detect(False, [], [], pid_namespaces=True, proved=both)
    assert proved.name == "user" and proved.files and proved.network and proved.processes and proved.scratch
    assert admit(proved, UNTRUSTED) == proved and not proved.missing
    seen = detect(False, ["still visible to a worker: /home/me"], [], pid_namespaces=True,
                  proved=frozenset({"network"}))
    with pytest.raises(IsolationRefused, match="still visible to a worker: /home/me"):
        admit(seen, UNTRUSTED)
    open_net = detect(False, ["network interfaces visible to a worker: eth0, lo"], [], pid_namespaces=True,
                      proved=frozenset({"files"}))
    with pytest.raises(IsolationRefused, match="eth0"):
        admit(open_net, UNTRUSTED)
    # A proof counts for nothing once the namespaces themselves failed.
    assert detect(False, [NO_NAMESPACES], [], pid_namespaces=True, proved=both).name == "none"


@pytest.mark.skipif(os.geteuid() != 0 or not sys.platform.startswith("linux"), reason="the uid blocks are root's")
def test_a_planted_lock_file_makes_grading_refuse_not_fall_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    planted = tmp_path / "grader-uid-blocks"
    planted.write_text("")
    monkeypatch.setattr(uidblocks, "LOCKS", planted)
    monkeypatch.delenv("GRADER_RUNNER", raising=False)
    monkeypatch.setattr(choice, "PortableRunner", Recorder)
    Recorder.entered = []
    with pytest.raises(IsolationRefused, match=f"sandbox cannot start here.*{planted} is not a folder"):
        choice.make_runner(note=lambda _: None, need=UNTRUSTED).__enter__()
    assert Recorder.entered == []
