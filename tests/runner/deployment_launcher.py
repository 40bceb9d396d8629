"""Run a command as a simulated deployment: `python deployment_launcher.py [--no-unshare] [--drop-sys-admin] -- CMD...`.

--no-unshare      a seccomp filter (libseccomp, through ctypes) makes unshare(2), setns(2) and
                  clone(2) with any namespace flag fail with EPERM, and clone3(2) with ENOSYS so
                  that the C library falls back to clone: what Docker's default profile does.
--drop-sys-admin  CAP_SYS_ADMIN leaves the bounding set, so root keeps every capability but
                  that one after exec (a default container's root).

The filter is loaded first, while we still hold CAP_SYS_ADMIN (no no_new_privs needed), and
both survive the exec. Used by tests/test_deployment_matrix.py; needs libseccomp.so.2.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys

CAP_SYS_ADMIN = 21
PR_CAPBSET_DROP = 24
SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_CMP_MASKED_EQ = 7
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000,
                   0x00000080)  # NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME


def errno_action(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


class ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


def forbid_namespaces() -> None:
    lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(ArgCmp)]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(SCMP_ACT_ALLOW)
    if not ctx:
        raise OSError("seccomp_init failed")

    def rule(action: int, name: str, *cmps: ArgCmp) -> None:
        nr = lib.seccomp_syscall_resolve_name(name.encode())
        array = (ArgCmp * max(1, len(cmps)))(*cmps)
        rc = lib.seccomp_rule_add_array(ctx, action, nr, len(cmps), array)
        if rc != 0:
            raise OSError(-rc, f"seccomp_rule_add {name}: {os.strerror(-rc)}")

    rule(errno_action(errno.EPERM), "unshare")
    rule(errno_action(errno.EPERM), "setns")
    rule(errno_action(errno.ENOSYS), "clone3")
    for flag in NAMESPACE_FLAGS:
        rule(errno_action(errno.EPERM), "clone", ArgCmp(0, SCMP_CMP_MASKED_EQ, flag, flag))
    rc = lib.seccomp_load(ctx)
    if rc != 0:
        raise OSError(-rc, f"seccomp_load: {os.strerror(-rc)}")


def main(argv: list[str]) -> None:
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    if "--no-unshare" in options:
        forbid_namespaces()
    if "--drop-sys-admin" in options:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "PR_CAPBSET_DROP")
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
