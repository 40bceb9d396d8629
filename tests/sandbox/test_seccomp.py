"""The workers' socket filter (grader.sandbox.seccomp), loaded in a forked child: what it refuses,
what it lets through, and the compiled program's answer to system calls of another ABI."""

from __future__ import annotations

import ctypes.util
import errno
import json
import os
import platform
import socket
import struct
import sys

import pytest

from grader.sandbox import seccomp

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or ctypes.util.find_library("seccomp") is None,
                                reason="needs Linux and libseccomp")


def _in_filtered_child() -> dict[str, object]:
    """Fork; in the child set no_new_privs, load the prepared program, try each way out."""
    from grader.sandbox.syscalls import PR_SET_NO_NEW_PRIVS, libc, prctl

    seccomp.prepare()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        seen: dict[str, object] = {}
        try:
            prctl(PR_SET_NO_NEW_PRIVS, 1)
            seccomp.install()
            for name in ("AF_INET", "AF_INET6", "AF_UNIX", "AF_NETLINK"):
                try:
                    socket.socket(getattr(socket, name), socket.SOCK_DGRAM).close()
                    seen[name] = "opened"
                except OSError as exc:
                    seen[name] = exc.errno
            a, b = socket.socketpair()
            a.sendall(b"x")
            seen["socketpair"] = b.recv(1).decode()
            try:
                socket.socketpair(socket.AF_TIPC, socket.SOCK_SEQPACKET)
                seen["tipc pair"] = "opened"
            except OSError as exc:
                seen["tipc pair"] = exc.errno
            params = ctypes.create_string_buffer(120)
            fd = libc().syscall(ctypes.c_long(425), ctypes.c_uint(1), params)
            seen["io_uring_setup"] = "opened" if fd >= 0 else ctypes.get_errno()
        except BaseException as exc:  # noqa: BLE001
            seen["crash"] = repr(exc)
        os.write(w, json.dumps(seen).encode())
        os._exit(0)
    os.close(w)
    data = os.read(r, 65536)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status), status
    return dict(json.loads(data))


def test_sockets_and_io_uring_are_refused_and_a_unix_socketpair_works() -> None:
    seen = _in_filtered_child()
    assert seen == {"AF_INET": errno.EACCES, "AF_INET6": errno.EACCES, "AF_UNIX": errno.EACCES,
                    "AF_NETLINK": errno.EACCES, "socketpair": "x", "tipc pair": errno.EACCES,
                    "io_uring_setup": errno.EPERM}


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the x32 and i386 ABIs are x86_64's")
def test_calls_of_another_abi_kill_the_process() -> None:
    """Read from the compiled BPF: a foreign audit arch (i386, int 0x80) and an x32 number
    (bit 30 set) both reach the bad-arch return, which is KILL_PROCESS, not libseccomp's default."""
    program = seccomp.worker_filter().program()
    code = [struct.unpack("=HBBI", program[i:i + 8]) for i in range(0, len(program), 8)]
    returns = {k for op, _, _, k in code if op == 0x06}   # BPF_RET|BPF_K
    assert seccomp.KILL_PROCESS in returns and seccomp.ALLOW in returns
    assert code[1][0] == 0x15 and code[1][3] == 0xC000003E   # jeq AUDIT_ARCH_X86_64, else ...
    arch_fail = 1 + 1 + code[1][2]
    assert code[arch_fail] == (0x06, 0, 0, seccomp.KILL_PROCESS)
    assert any(op == 0x35 and k == 0x40000000 for op, _, _, k in code)   # jge __X32_SYSCALL_BIT


def test_a_filter_that_cannot_load_is_a_warning_until_the_probe_proved_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.sandbox.confine import NO_SOCKET_FILTER, SandboxSetupError, load_socket_filter

    # What a zygote without libseccomp remembers: install() raises before loading anything.
    monkeypatch.setattr(seccomp, "_PROGRAM", [])
    monkeypatch.setattr(seccomp, "_FAILED", ["libseccomp not found; install libseccomp2"])
    monkeypatch.setattr(seccomp, "_REQUIRED", [])
    warnings: list[str] = []
    load_socket_filter(warnings)
    assert warnings == [f"{NO_SOCKET_FILTER}: libseccomp not found; install libseccomp2"]
    seccomp.require()
    with pytest.raises(SandboxSetupError, match=NO_SOCKET_FILTER):
        load_socket_filter([])
