"""The fork server: pays for TensorFlow's import once, then forks a worker per job.

Started by `Runner.__enter__` as `python -m grader.sandbox.zygote <fd>` (PYTHONSAFEPATH=1), where fd
is a SOCK_SEQPACKET control socket to the runner. The first message on it is
`{"op": "config", "probe": {...}}`, a sandbox config to try once (its warnings are
reported in the `ready` message); hidden paths never appear in argv or the
environment, which any process can read in /proc. It imports numpy,
TensorFlow (TF1 mode), the worker and every driver (and the MNIST arrays when
`grader.data` exists), builds one throw-away graph but creates no session, and then serves requests:

    runner -> zygote   {"op": "spawn", "token": n, "config": {...}}  + fds [job, channel, output, next]
    zygote -> runner   {"op": "spawned", "token": n, "pid": p}
                       {"op": "exited", "pid": p, "status": s}

Processes: as root each worker is forked as PID 1 of a fresh PID namespace (see
`fresh_pid_namespace`); otherwise the worker makes one itself under a keeper process
(grader.sandbox.procs.keep). The zygote is the subreaper of everything below it: when a
worker ends it kills whatever of it escaped (a daemon whose keeper was killed) before it
reports the exit, and when the runner goes away it kills everything left.

It never imports check definitions (`grader.judging.checks.<exercise>`, the hidden
ones) or `solutions`, and never sees expected values: those stay in the
runner, which is why workers are not forked there.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FD_JOB, FD_CHANNEL, FD_OUTPUT, FD_NEXT = 3, 4, 5, 6  # where a worker finds its descriptors
WORKER_FDS = (FD_JOB, FD_CHANNEL, FD_OUTPUT, FD_NEXT)
# Folders a worker must still import from: this process's own sys.path (not the
# runner's, which pytest extends with tests/) and the grader package.
EXPOSED: list[str] = []
TRUSTED = ("grader.judging", "grader.runner", "grader.reports", "grader.discovery", "grader.authoring",
           "grader.batch", "grader.pipeline", "grader.commands")


def preload() -> None:
    import numpy  # noqa: F401

    import grader.sandbox.drivers  # noqa: F401 - registers every driver, imports TF
    import grader.sandbox.worker  # noqa: F401
    from grader.sandbox.tfsupport import tf1, warm_graph_building

    tf1()
    warm_graph_building()  # no session: forking stays safe (see there)
    for optional in ("grader.sandbox.tf1shim", "grader.data"):
        try:
            __import__(optional)
        except ModuleNotFoundError as exc:
            if exc.name != optional:
                raise
    data = sys.modules.get("grader.data")
    # Parse MNIST now so every worker shares the arrays copy-on-write.
    for name in ("split_arrays", "mnist_arrays"):
        fn = getattr(data, name, None)
        if callable(fn):
            fn()
            break


def quietly(fn: Callable[[], None]) -> None:
    """Run `fn` with fd 2 in a scratch file: TensorFlow's C++ start-up chatter
    (absl and oneDNN notices) would otherwise land on the user's terminal.
    The file is shown only if `fn` fails."""
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        sys.stderr.flush()
        os.dup2(log.fileno(), 2)
        try:
            fn()
        except BaseException:
            sys.stderr.flush()
            os.dup2(saved, 2)
            log.seek(0)
            sys.stderr.write(log.read().decode("utf-8", "replace")[-8000:])
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _status() -> dict[str, int]:
    out = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("RssAnon", "VmData", "RssShmem"):
                out[key] = int(rest.split()[0])
    return out


def worker_main(config_raw: dict[str, Any]) -> None:
    """In the forked child: confine, read the job, run it, exit. Never returns."""
    code = 0
    workdir = "/tmp"
    try:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(FD_OUTPUT, 1)
        os.dup2(FD_OUTPUT, 2)
        import resource

        os.closerange(FD_NEXT + 1, max(1 << 16, resource.getrlimit(resource.RLIMIT_NOFILE)[0]))
        from grader.sandbox.confine import SandboxConfig, enter

        warnings = enter(SandboxConfig.from_dict(config_raw))
        if warnings and any("file-system view" in w for w in warnings):
            import tempfile  # reduced isolation: at least a folder of our own

            workdir = tempfile.mkdtemp(prefix="grader-worker-")
        os.chdir(workdir)
        from grader.sandbox import wire
        from grader.sandbox.worker import Channel, next_probes, run_job

        with os.fdopen(FD_JOB, "rb") as f:
            job = wire.decode(f.read())
    except BaseException as exc:  # noqa: BLE001 - report on the output file and die
        _say(f"worker setup failed: {type(exc).__name__}: {exc}")
        os._exit(70)
    try:
        run_job(job, Channel(FD_CHANNEL), Path(workdir), more=lambda: next_probes(FD_NEXT))
    except BaseException as exc:  # noqa: BLE001 - e.g. student code raising KeyboardInterrupt
        _say(f"the worker stopped on {type(exc).__name__}")
        code = 71
    finally:
        if workdir != "/tmp":
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    os._exit(code)


def _say(text: str) -> None:
    try:
        os.write(2, (text + "\n").encode())
    except OSError:
        pass


def probe_isolation(config_raw: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Fork a throw-away child that confines itself as a worker would: (what failed, what it proved).

    Then it tries what a hostile worker would (grader.sandbox.proof): read the hidden paths and
    the home folder, find a network interface, open sockets; "files" and "network" are proved
    only when those attempts came to nothing. As root it also imports a module lazily, as the
    worker's uid, which fails where the interpreter is unreadable to other users."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        proved: list[str] = []
        try:
            from grader.sandbox import proof
            from grader.sandbox.confine import SandboxConfig, enter

            config_raw = dict(config_raw, exposed=list(config_raw.get("exposed", ())) + EXPOSED)
            config = SandboxConfig.from_dict(config_raw)
            targets = proof.targets(config.hidden)
            warnings = enter(config)
            if config.uid is not None:
                import importlib
                importlib.import_module("wave")  # lazy stdlib import as the unprivileged uid
            proved = proof.attempt(targets, config.exposed, warnings)
        except BaseException as exc:  # noqa: BLE001
            warnings = [f"sandbox setup failed: {type(exc).__name__}: {exc}"]
        os.write(w, json.dumps({"warnings": warnings, "proved": proved}).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    try:
        result = json.loads(data)
    except ValueError:
        return ["the sandbox probe died"], []
    if not isinstance(result, dict):
        return ["the sandbox probe died"], []
    return [str(x) for x in result.get("warnings", [])], [str(x) for x in result.get("proved", [])]


_OWN_PID_NS: list[int] = []   # a descriptor of our own PID namespace, once we know we may make new ones


def fresh_pid_namespace() -> None:
    """As root: make our next child PID 1 of a new PID namespace, so the worker needs no
    keeper process (grader.sandbox.procs.keep) and its fork is the only one. Going back to
    our own namespace first is what lets unshare make another one for each child. Where
    this fails, the worker makes its namespace itself, under a keeper."""
    if os.getuid() != 0:
        return
    from grader.sandbox.confine import CLONE_NEWPID, libc, unshare

    try:
        if not _OWN_PID_NS:
            _OWN_PID_NS.append(os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC))
        if libc().setns(_OWN_PID_NS[0], CLONE_NEWPID) != 0:
            return
        unshare(CLONE_NEWPID)
    except OSError:
        return


def serve(control: socket.socket) -> None:
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    os.set_blocking(wake_r, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    import select

    from grader.sandbox.procs import children, kill_trees

    workers: set[int] = set()
    ended: list[tuple[int, int]] = []

    def send(msg: dict[str, Any]) -> None:
        try:
            control.send(json.dumps(msg).encode())
        except (BrokenPipeError, ConnectionResetError):
            kill_trees(lambda: children(os.getpid()))  # as main() does when serve returns
            os._exit(0)  # the runner has closed: nobody is left to tell, and nothing to say on stderr

    while True:
        ready, _, _ = select.select([control.fileno(), wake_r], [], [], 1.0)
        if wake_r in ready:
            try:
                os.read(wake_r, 4096)
            except BlockingIOError:
                pass
        # Reap workers and anything they left behind (we are their subreaper).
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if pid in workers:  # orphans of a fork bomb are reaped silently
                workers.discard(pid)
                ended.append((pid, status))
        if ended:
            # A worker's keeper is gone (killed by the runner): whatever its job left that
            # outside a PID namespace escaped the process group came to us. Kill it all
            # before saying the worker exited: the runner then knows nothing of it runs.
            # (The loop above reaps them; reaping here could swallow a worker's status.)
            kill_trees(lambda: [c for c in children(os.getpid()) if c not in workers], reap=False)
            for pid, status in ended:
                send({"op": "exited", "pid": pid, "status": status})
            ended.clear()
        if control.fileno() not in ready:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(control, 1 << 20, 8)
        except OSError:
            return
        if not data:
            return  # the runner went away
        msg = json.loads(data)
        if msg.get("op") != "spawn" or len(fds) != len(WORKER_FDS):
            for fd in fds:
                os.close(fd)
            continue
        fresh_pid_namespace()
        pid = os.fork()
        if pid == 0:
            # Drop the zygote's own descriptors (the control socket above all: it
            # spawns workers as root), then put ours at fixed numbers.
            for fd in (wake_r, wake_w, control.detach()):
                os.close(fd)
            for target, fd in zip(WORKER_FDS, fds):
                os.dup2(fd, target + 1000)  # out of the way first: fds may overlap targets
            for fd in fds:
                os.close(fd)
            for target in WORKER_FDS:
                os.dup2(target + 1000, target)
                os.close(target + 1000)
            config = dict(msg["config"])
            config["exposed"] = list(config.get("exposed", ())) + EXPOSED
            worker_main(config)
        for fd in fds:
            os.close(fd)
        workers.add(pid)
        send({"op": "spawned", "token": msg.get("token"), "pid": pid})


def read_config(control: socket.socket) -> dict[str, Any] | None:
    """The probe config the runner sends first (None when it sends something else)."""
    try:
        msg = json.loads(control.recv(1 << 20))
    except (OSError, ValueError):
        return None
    probe = msg.get("probe") if isinstance(msg, dict) and msg.get("op") == "config" else None
    return probe if isinstance(probe, dict) else None


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11) and sys.path and sys.path[0] == os.getcwd():
        # PYTHONSAFEPATH is new in 3.11: on 3.10 `-m` still puts the working folder ("/")
        # first on sys.path, and workers would import from there (and expose it all).
        del sys.path[0]
    control = socket.socket(fileno=int(argv[1]))
    # Python 3.12+ warns on every fork of a process with threads (TensorFlow's import starts
    # some). Forking after the import is this process's whole point, and what makes it safe is
    # done deliberately: the lazy one-time set-up a first graph needs happens here, before any
    # fork (tfsupport.warm_graph_building), and each child makes its own session and thread
    # pools (the test suite forks thousands of workers so). The warning would reach the
    # instructor's terminal twice a run, so it is silenced here only.
    import warnings as python_warnings

    python_warnings.filterwarnings("ignore", r"This process \(pid=\d+\) is multi-threaded", DeprecationWarning)
    from grader.sandbox.confine import PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG, prctl

    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    probe_config = read_config(control)  # after PDEATHSIG: a runner that dies first takes us along
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    started = time.monotonic()
    quietly(preload)
    from grader.sandbox import seccomp

    seccomp.prepare()  # compiled once here; each worker only loads it (its failure: a warning there)
    import grader

    EXPOSED[:] = [p for p in sys.path if p and os.path.isabs(p)] + [os.path.dirname(grader.__file__)]
    # Nothing trusted (checks with hidden inputs, judges, reference observations) and
    # no solution may be in this process: workers inherit its memory.
    leaked = [m for m in sys.modules if m.split(".")[0] == "solutions"
              or any(m == t or m.startswith(t + ".") for t in TRUSTED)]
    if leaked:
        raise SystemExit(f"grader.sandbox.zygote: refusing to serve, imported {leaked}")
    warnings, proved = probe_isolation(probe_config) if probe_config is not None else ([], [])
    from grader.sandbox.confine import NO_SOCKET_FILTER

    if probe_config is not None and not any(w.startswith(NO_SOCKET_FILTER) for w in warnings):
        seccomp.require()  # proved to load: no worker runs student code without it
    status = _status()
    control.send(json.dumps({"op": "ready", "pid": os.getpid(), "warnings": warnings, "proved": proved,
                             "anon_kb": status.get("RssAnon", 0), "data_kb": status.get("VmData", 0),
                             "shmem_kb": status.get("RssShmem", 0),
                             "preload_s": time.monotonic() - started}).encode())
    try:
        serve(control)
    finally:
        # The runner is done (or gone): nothing a worker started may outlive us. Without PID
        # namespaces an escaped daemon would otherwise pass on to init when we exit.
        from grader.sandbox.procs import children, kill_trees

        kill_trees(lambda: children(os.getpid()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
