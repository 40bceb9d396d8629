"""Seccomp filters through libseccomp (libseccomp.so.2, through ctypes), and the one every worker gets.

The worker's filter (`worker_program`) leaves a worker no way to open a socket: socket(2) fails
with EACCES, the errno the manual gives for a refused socket, so the C library's fallbacks
(nscd lookups, getaddrinfo) fail the way they do on a locked-down host instead of crashing;
socketpair(2) stays allowed for AF_UNIX only (a pair of connected ends reaches nothing outside,
and multiprocessing's pipes use it), and io_uring_setup(2) fails with EPERM, what a kernel
with io_uring disabled answers, since a ring can open sockets without socket(2). Everything
else is allowed. That is what stands between a worker and the network where it cannot have
a network namespace of its own (root in a default container); elsewhere it backs the namespace.

System calls of another ABI than the native one (int 0x80 and x32 on x86_64) are not
matched by rules written for the native one: the filter kills the process that makes one,
rather than trusting libseccomp's default for them.

The zygote compiles the program once (`prepare`); each worker only hands those bytes to the
kernel (`install`), one prctl, as the last step of its confinement. Where libseccomp is
missing the worker goes without, its confinement says so, and the zygote's probe, which
tries to open sockets, proves nothing about the network.

No PyPI binding is used: the maintained one (libseccomp's own) is not on PyPI, and pyseccomp
has had no release since 2021; the dozen calls needed here fit in this module.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import socket
from typing import Any

from grader.sandbox.syscalls import SandboxSetupError, libc

ALLOW = 0x7FFF0000
KILL_PROCESS = 0x80000000
_ATTR_BADARCH = 2          # SCMP_FLTATR_ACT_BADARCH
CMP_NE, CMP_MASKED_EQ = 1, 7
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2


def errno_action(code: int) -> int:
    """The action that makes a system call fail with `code` (SCMP_ACT_ERRNO)."""
    return 0x00050000 | (code & 0xFFFF)


class SeccompUnavailable(SandboxSetupError):
    """libseccomp is missing, or refused to build or load a filter."""

    def __str__(self) -> str:  # the words alone: they end up in the level's refusal
        return str(self.strerror or super().__str__())


class ArgCmp(ctypes.Structure):
    """struct scmp_arg_cmp: compare argument `arg` of a system call with `datum_a` (and `datum_b`)."""

    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


_lib: list[Any] = []


def _libseccomp() -> Any:
    if not _lib:
        name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
        try:
            lib = ctypes.CDLL(name, use_errno=True)
        except OSError as exc:
            raise SeccompUnavailable(errno.ENOENT, f"libseccomp not found ({exc}); install libseccomp2") from None
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
        lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                               ctypes.POINTER(ArgCmp)]
        for fn in (lib.seccomp_load, lib.seccomp_release):
            fn.argtypes = [ctypes.c_void_p]
        lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
        _lib.append(lib)
    return _lib[0]


class Filter:
    """A filter being built: `default` for every call no rule matches, `bad_arch` for calls of another ABI."""

    def __init__(self, default: int = ALLOW, bad_arch: int = KILL_PROCESS) -> None:
        self._lib = _libseccomp()
        self._ctx = self._lib.seccomp_init(default)
        if not self._ctx:
            raise SeccompUnavailable(0, "seccomp_init failed")
        self._check(self._lib.seccomp_attr_set(self._ctx, _ATTR_BADARCH, bad_arch), "the bad-arch action")

    def __del__(self) -> None:
        if getattr(self, "_ctx", None):
            self._lib.seccomp_release(self._ctx)

    def _check(self, rc: int, what: str) -> None:
        if rc != 0:
            raise SeccompUnavailable(-rc, f"seccomp: {what}: {os.strerror(-rc)}")

    def add(self, action: int, name: str, *cmps: ArgCmp) -> None:
        """`action` for system call `name` (when every comparison holds)."""
        nr = self._lib.seccomp_syscall_resolve_name(name.encode())
        if nr == -1:  # __NR_SCMP_ERROR: a name this libseccomp does not know
            raise SeccompUnavailable(errno.ENOSYS, f"seccomp: unknown system call {name}")
        array = (ArgCmp * max(1, len(cmps)))(*cmps)
        self._check(self._lib.seccomp_rule_add_array(self._ctx, action, nr, len(cmps), array), f"rule for {name}")

    def load(self) -> None:
        """Apply the filter to this thread (and what it starts) now."""
        self._check(self._lib.seccomp_load(self._ctx), "load")

    def program(self) -> bytes:
        """The compiled BPF program (struct sock_filter[]), for `install`."""
        r, w = os.pipe()
        try:
            self._check(self._lib.seccomp_export_bpf(self._ctx, w), "export")
            os.close(w)
            w = -1
            chunks = []
            while chunk := os.read(r, 65536):
                chunks.append(chunk)
        finally:
            os.close(r)
            if w != -1:
                os.close(w)
        return b"".join(chunks)


def worker_filter() -> Filter:
    """The rules every worker gets (see the module docstring for why each)."""
    f = Filter()
    f.add(errno_action(errno.EACCES), "socket")
    f.add(errno_action(errno.EACCES), "socketpair", ArgCmp(0, CMP_NE, socket.AF_UNIX, 0))
    f.add(errno_action(errno.EPERM), "io_uring_setup")
    return f


_PROGRAM: list[bytes] = []
_FAILED: list[str] = []
_REQUIRED: list[bool] = []


def require() -> None:
    """In the zygote, once its probe loaded the filter: the level may rest on it, so from now on a
    worker that cannot load it must not run student code (`install` raises, `confine.enter` passes it on)."""
    _REQUIRED[:] = [True]


def required() -> bool:
    return bool(_REQUIRED)


def prepare() -> None:
    """In the zygote, before any fork: compile the worker's program once (or remember why not)."""
    if _PROGRAM or _FAILED:
        return
    try:
        _PROGRAM.append(worker_filter().program())
    except SeccompUnavailable as exc:
        _FAILED.append(str(exc))


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def install() -> None:
    """In a worker, once no_new_privs is set (or as root): load the prepared program.

    Raises SeccompUnavailable when there is none or the kernel refuses it."""
    prepare()
    if _FAILED:
        raise SeccompUnavailable(0, _FAILED[0])
    program = _PROGRAM[0]
    fprog = _SockFprog(len(program) // 8, program)  # struct sock_filter is 8 bytes
    if libc().prctl(ctypes.c_int(_PR_SET_SECCOMP), ctypes.c_ulong(_SECCOMP_MODE_FILTER),
                    ctypes.c_void_p(ctypes.addressof(fprog)), ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
        err = ctypes.get_errno()
        raise SeccompUnavailable(err, f"seccomp filter not loaded: {os.strerror(err)}")
