"""Run a command as a simulated deployment: `python deployment_launcher.py [--no-unshare] [--drop-sys-admin] -- CMD...`.

--no-unshare      a seccomp filter (libseccomp, through grader.sandbox.seccomp) makes unshare(2), setns(2) and
                  clone(2) with any namespace flag fail with EPERM, and clone3(2) with ENOSYS so
                  that the C library falls back to clone: what Docker's default profile does.
--drop-sys-admin  CAP_SYS_ADMIN leaves the bounding set, so root keeps every capability but
                  that one after exec (a default container's root).

The filter is loaded first, while we may still hold CAP_SYS_ADMIN; libseccomp sets no_new_privs
before loading it (what a caller without that capability needs). Both survive the exec. Used by tests/test_deployment_matrix.py; needs libseccomp.so.2 and the
grader package importable (the test's own interpreter).
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys

from grader.sandbox.seccomp import CMP_MASKED_EQ, ArgCmp, Filter, errno_action

CAP_SYS_ADMIN = 21
PR_CAPBSET_DROP = 24
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000,
                   0x00000080)  # NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME


def forbid_namespaces() -> None:
    f = Filter()
    f.add(errno_action(errno.EPERM), "unshare")
    f.add(errno_action(errno.EPERM), "setns")
    f.add(errno_action(errno.ENOSYS), "clone3")
    for flag in NAMESPACE_FLAGS:
        f.add(errno_action(errno.EPERM), "clone", ArgCmp(0, CMP_MASKED_EQ, flag, flag))
    f.load()


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
