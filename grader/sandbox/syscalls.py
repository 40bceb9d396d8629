"""The kernel calls the sandbox makes, through ctypes (Python 3.11 has no `os.unshare` or `mount`).

Kept apart from grader.sandbox.confine (what a worker's confinement does) and
grader.sandbox.view (the worker's own file tree), which both use them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MS_STRICTATIME = 1 << 24
_OPTION_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
                 "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME, "strictatime": MS_STRICTATIME}

PR_SET_NO_NEW_PRIVS = 38

_libc: Any = None


def libc() -> Any:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


class SandboxSetupError(OSError):
    pass


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise SandboxSetupError(err, f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    _check(libc().unshare(ctypes.c_int(flags)), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    def b(s: str | None) -> bytes | None:
        return None if s is None else os.fsencode(s)

    _check(libc().mount(b(source), b(target), b(fstype), ctypes.c_ulong(flags), b(data)), f"mount {target}")


def prctl(option: int, arg: int) -> None:
    _check(libc().prctl(ctypes.c_int(option), ctypes.c_ulong(arg), ctypes.c_ulong(0),
                        ctypes.c_ulong(0), ctypes.c_ulong(0)), "prctl")


def drop_capabilities() -> None:
    """Clear every capability (used inside a user namespace, where we keep our uid)."""
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    header = Header(0x20080522, 0)
    data = (Data * 2)()
    _check(libc().capset(ctypes.byref(header), ctypes.byref(data)), "capset")


MNT_DETACH = 2
# pivot_root(2) has no C library wrapper: its number per architecture (others: no file view).
_PIVOT_ROOT = {"x86_64": 155, "amd64": 155, "aarch64": 41, "arm64": 41, "riscv64": 41, "ppc64le": 203,
               "s390x": 217}


def pivot_root(new_root: str, put_old: str) -> None:
    number = _PIVOT_ROOT.get(platform.machine().lower())
    if number is None:
        raise SandboxSetupError(0, f"pivot_root: unknown system call number on {platform.machine()}")
    _check(libc().syscall(ctypes.c_long(number), os.fsencode(new_root), os.fsencode(put_old)), "pivot_root")


def umount2(target: str, flags: int) -> None:
    _check(libc().umount2(os.fsencode(target), ctypes.c_int(flags)), f"umount {target}")


def _unescape(field_: str) -> str:
    """Mount points in mountinfo escape space, tab, newline and backslash as octal."""
    out, i = [], 0
    while i < len(field_):
        if field_[i] == "\\" and i + 3 < len(field_) + 0 and field_[i + 1:i + 4].isdigit():
            out.append(chr(int(field_[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field_[i])
            i += 1
    return "".join(out)


def mount_points() -> list[tuple[str, int]]:
    """(mount point, per-mount flags to keep) for every mount we can see."""
    out = []
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            flags = 0
            for opt in parts[5].split(","):
                flags |= _OPTION_FLAGS.get(opt, 0)
            out.append((_unescape(parts[4]), flags))
    return out
