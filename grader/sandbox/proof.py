"""What the zygote's probe child tries once it is confined, to prove the level it claims.

A normal user's workers run as the instructor's own uid, so nothing but the worker's own file
tree (grader.sandbox.view) and network namespace stand between a student and the instructor's
files and local services. The level `user` claims files and network only if a confined
probe, doing what a hostile worker would, finds nothing: every hidden path and the home folder
absent or empty, nothing at the root but what the tree was built from, and no network
interface but the (down) loopback of its own namespace.
"""

from __future__ import annotations

import os
import pwd
import socket
from collections.abc import Iterable, Sequence

from grader.sandbox.mountplan import DEVICES, SCRATCH, SYSTEM, leaks

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
    try:
        interfaces = sorted(name for _, name in socket.if_nameindex())
    except OSError as exc:
        interfaces = [f"(unknown: {exc})"]
    if interfaces == ["lo"] or not interfaces:
        proved.append(NETWORK)
    else:
        warnings.append("network interfaces visible to a worker: " + ", ".join(interfaces[:6]))
    return proved


def _top(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return parts[0] if parts else ""

