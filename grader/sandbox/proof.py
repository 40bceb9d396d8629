"""What the zygote's probe child tries once it is confined, to prove the level it claims.

A normal user's workers run as the instructor's own uid, so nothing but the worker's own file
tree (grader.sandbox.view) and network namespace stand between a student and the instructor's
files and local services; root's workers in a default container have no namespaces at all,
only their own uid and the socket filter (grader.sandbox.seccomp). So no level claims files or
network unproved: a confined probe does what a hostile worker would and must find nothing.
Files: every hidden path and the home folder absent or empty, nothing at the root but what
the tree was built from. Network: no interface but the (down) loopback of its own namespace,
or no way to get a socket at all (socket(2) refused for AF_INET, AF_INET6 and AF_UNIX, and
io_uring refused).
"""

from __future__ import annotations

import ctypes
import errno
import os
import pwd
import socket
from collections.abc import Iterable, Sequence

from grader.sandbox.mountplan import DEVICES, SCRATCH, SYSTEM, leaks
from grader.sandbox.syscalls import libc

FILES, NETWORK = "files", "network"


def targets(hidden: Iterable[str]) -> list[str]:
    """The paths to try, chosen before confinement: the hidden ones and the home folder
    (both the one $HOME names and the account's), as real paths."""
    found = [os.path.realpath(h) for h in hidden]
    homes = [os.environ.get("HOME", "")]
    try:
        homes.append(pwd.getpwuid(os.getuid()).pw_dir)
    except KeyError:
        pass
    for home in filter(None, homes):
        real = os.path.realpath(home)
        if real != "/" and real not in found:
            found.append(real)
    return found


def attempt(paths: Sequence[str], exposed: Iterable[str], warnings: list[str]) -> list[str]:
    """Inside the confinement: what it proved ("files", "network"); each failure becomes a warning."""
    proved = []
    kept = [os.path.realpath(e) for e in exposed]
    seen = [p for p in paths if leaks(p, kept)]
    allowed = {_top(p) for p in (*SYSTEM, *DEVICES, *SCRATCH, "/proc", *kept)}
    try:
        extra = sorted(set(os.listdir("/")) - allowed)
    except OSError as exc:
        extra = [f"(unlistable: {exc})"]
    if seen:
        warnings.append("still visible to a worker: " + ", ".join(seen[:4]) + (" ..." if len(seen) > 4 else ""))
    if extra:
        warnings.append("a worker's root still shows: " + ", ".join("/" + x for x in extra[:8]))
    if not seen and not extra and not any("file tree" in w or "file-system view" in w for w in warnings):
        proved.append(FILES)
    interfaces = _interfaces()
    opened = _sockets()
    if interfaces == ["lo"] or not interfaces or not opened:
        proved.append(NETWORK)  # a network namespace of its own, or no way to open a socket
    else:
        warnings.append("network interfaces visible to a worker: " + ", ".join(interfaces[:6]))
        warnings.append("a worker could open " + "; ".join(opened))
    return proved


def _interfaces() -> list[str]:
    """The interfaces of the worker's network namespace. if_nameindex needs a (netlink) socket,
    which the socket filter refuses: /proc/self/net/dev lists the same without one."""
    try:
        return sorted(name for _, name in socket.if_nameindex())
    except OSError:
        pass
    try:
        with open("/proc/self/net/dev", encoding="ascii") as f:
            return sorted(line.split(":")[0].strip() for line in f if ":" in line)
    except OSError as exc:
        return [f"(unknown: {exc})"]


# A loopback port nothing listens on: a refusal from it still proves the loopback reachable.
_LOOPBACK = ((socket.AF_INET, "AF_INET", ("127.0.0.1", 9)), (socket.AF_INET6, "AF_INET6", ("::1", 9)),
             (socket.AF_UNIX, "AF_UNIX", None))
IO_URING_SETUP = 425  # the same number on every architecture Linux numbers alike (all but alpha)


def _sockets() -> list[str]:
    """What a worker could open, in words (empty: everything refused). A socket that the kernel
    hands out is tried on the loopback; io_uring counts because its rings open sockets too."""
    opened = []
    for family, name, address in _LOOPBACK:
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except PermissionError:
            continue
        except OSError as exc:  # the family itself is missing (no IPv6): nothing reached, but not refused
            opened.append(f"no {name} socket ({exc.strerror}), though not refused")
            continue
        with sock:
            if address is None:
                opened.append(f"an {name} socket")
                continue
            sock.settimeout(1)
            try:
                sock.connect(address)
                reached = "connected"
            except OSError as exc:
                reached = "refused, so reached" if exc.errno == errno.ECONNREFUSED else str(exc.strerror)
            opened.append(f"an {name} socket (loopback: {reached})")
    params = ctypes.create_string_buffer(120)  # struct io_uring_params, zeroed
    fd = libc().syscall(ctypes.c_long(IO_URING_SETUP), ctypes.c_uint(1), params)
    if fd >= 0:
        os.close(fd)
        opened.append("an io_uring")
    elif ctypes.get_errno() not in (errno.EPERM, errno.EACCES, errno.ENOSYS):
        opened.append(f"io_uring_setup: {os.strerror(ctypes.get_errno())}, so not refused")
    return opened


def _top(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return parts[0] if parts else ""

