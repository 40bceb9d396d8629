"""Blocks of sandbox uids, one per running grader, claimed with a lock file.

Concurrent graders (or test runs) on one machine must never share worker uids:
each sweeps its slots' uids, and would kill the other's workers. The locks live
in a folder only root can write (`/run/grader-uid-blocks`, created 0700): in the
shared temporary folder any local user, or student code run earlier without the
sandbox, could plant a file or a folder of their own there and stop the sandbox
from starting. A folder that is not what we created (a symlink, another owner,
writable by others) is refused loudly, never used and never silently replaced.

A lock only protects graders that share a /run. A grader in a container has a /run
of its own, yet Docker maps its uids 1:1 onto the host's, and the host's PID
namespace sees the container's processes: a host grader sweeping uid 61000
(`kill(-1)` as that uid) kills a container grader's uid-61000 worker. So the search
for a free block starts where graders elsewhere are unlikely to be: a host grader
(the initial PID namespace) at block 0, as every grader before did; a grader in any
other PID namespace at a block derived from that namespace's identity, above the
blocks hosts fill first. Only ids this user namespace maps are ever chosen
(rootless Podman maps 65536), and none that the machine has given to someone else.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

from grader.errors import SandboxError
from grader.sandbox.confine import UID_BASE

LOCKS = Path("/run/grader-uid-blocks")
# Where graders before this one locked their blocks: held too while it is sound, so an
# older grader on the same machine (another checkout) never gets the same uids.
LEGACY = Path(tempfile.gettempdir()) / "grader-uid-blocks"
BLOCK_SIZE = 128
# Block b is uids (and gids) UID_BASE + 128 b ..., the same numbering older graders lock,
# so a lock means the same ids to every version. The ids stop below 100000, where useradd
# starts giving users subordinate ids for their rootless containers (SUB_UID_MIN): a
# sweep as such a uid would kill a user's container. Uids above 60000 and below that
# are free by convention (login.defs UID_MAX, systemd's "unused" span above 65535).
ID_END = 100_000
BLOCKS = (ID_END - UID_BASE) // BLOCK_SIZE
# nobody/nogroup (daemons run as it: a sweep as nobody would kill them), and (uint16)-1,
# which some system calls read as "no change".
RESERVED = (65534, 65535)
# The first block wholly above the 16-bit ids: where graders in other PID namespaces
# start, far from the host's blocks 0, 1, 2... and from systemd's dynamic users (61184-65519).
OTHER_NS_FIRST = -(-(65536 - UID_BASE) // BLOCK_SIZE)
INIT_PID_NS = 0xEFFFFFFC  # the inode of the initial PID namespace, fixed by the kernel (PROC_PID_INIT_INO)
ALL_IDS = [(0, 1 << 32)]  # what a machine without user namespaces maps

Ranges = Sequence[tuple[int, int]]  # [first, end) spans of ids


def first_uid(block: int) -> int:
    return UID_BASE + block * BLOCK_SIZE


def id_map(text: str) -> list[tuple[int, int]]:
    """The ids a /proc/<pid>/uid_map or gid_map makes usable here, as merged [first, end) spans
    (only the first column counts: ids as this user namespace sees them)."""
    spans = []
    for line in text.splitlines():
        cells = line.split()
        if len(cells) == 3 and all(c.isdigit() for c in cells):
            spans.append((int(cells[0]), int(cells[0]) + int(cells[2])))
    merged: list[tuple[int, int]] = []
    for first, end in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((first, end))
    return merged


def delegated(text: str) -> list[tuple[int, int]]:
    """The [first, end) spans an /etc/subuid or /etc/subgid gives users (owner:first:count lines)."""
    spans = []
    for line in text.splitlines():
        cells = line.strip().split(":")
        if len(cells) == 3 and cells[1].isdigit() and cells[2].isdigit():
            spans.append((int(cells[1]), int(cells[1]) + int(cells[2])))
    return spans


def usable(uids: Ranges, gids: Ranges, taken: Ranges = ()) -> list[int]:
    """The blocks whose ids are all mapped as uids and as gids, none reserved or in `taken`."""
    def inside(first: int, end: int, spans: Ranges) -> bool:
        return any(lo <= first and end <= hi for lo, hi in spans)

    def clear(first: int, end: int) -> bool:
        return (not any(first <= r < end for r in RESERVED)
                and not any(first < hi and lo < end for lo, hi in taken))

    return [b for b in range(BLOCKS)
            for first, end in [(first_uid(b), first_uid(b) + BLOCK_SIZE)]
            if inside(first, end, uids) and inside(first, end, gids) and clear(first, end)]


def search_order(blocks: Sequence[int], pid_ns: int) -> list[int]:
    """`blocks`, rotated to start where a grader in PID namespace `pid_ns` should look first.

    The host starts at the lowest block, as graders always did, so hosts fill blocks 0, 1,
    2...; a grader in another PID namespace starts among the blocks above 65535, at one
    its namespace's inode picks (inodes of new namespaces differ from each other), so it
    rarely meets the host's blocks or another container's. The search wraps around, so
    every usable block is still tried before giving up.
    """
    if not blocks:
        return []
    start = 0
    if pid_ns != INIT_PID_NS:
        far = [i for i, b in enumerate(blocks) if b >= OTHER_NS_FIRST] or list(range(len(blocks)))
        start = far[pid_ns % len(far)]
    return [*blocks[start:], *blocks[:start]]


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def pid_namespace() -> int:
    """This process's PID namespace inode (the initial one's where /proc cannot tell)."""
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return INIT_PID_NS


def here() -> tuple[list[int], str]:
    """The usable blocks on this machine, and the uid map they came from (for messages)."""
    uid_text, gid_text = _read("/proc/self/uid_map"), _read("/proc/self/gid_map")
    uids = ALL_IDS if uid_text is None else id_map(uid_text)
    gids = ALL_IDS if gid_text is None else id_map(gid_text)
    taken = [*delegated(_read("/etc/subuid") or ""), *delegated(_read("/etc/subgid") or "")]
    shown = ", ".join(f"{lo}-{hi - 1}" for lo, hi in uids) or "none"
    return usable(uids, gids, taken), shown


def private_folder(folder: Path) -> Path:
    """`folder`, created 0700 if missing; a SandboxError if it exists but is not root's own and private."""
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise SandboxError(f"cannot create the sandbox's lock folder {folder}: {exc}") from exc
    st = os.lstat(folder)
    problem = ("is not a folder" if not stat.S_ISDIR(st.st_mode)
               else f"belongs to uid {st.st_uid}, not root" if st.st_uid != 0
               else f"has mode {stat.S_IMODE(st.st_mode):o}, not 700" if st.st_mode & 0o077 else "")
    if problem:
        raise SandboxError(f"the sandbox's lock folder {folder} {problem}: someone else made it, so it is "
                           f"not used; remove it (rm -r {folder}) after checking what it is")
    return folder


def _sound(folder: Path) -> bool:
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == 0 and not st.st_mode & 0o077


def _lock(folder: Path, block: int) -> int | None:
    import fcntl  # POSIX only: imported here so that the portable runner imports on Windows

    fd = os.open(folder / f"{block}.lock", os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def claim(folder: Path | None = None, legacy: Path | None = LEGACY,
          order: Sequence[int] | None = None) -> tuple[int, list[int]]:
    """(block number, lock fds to close when done) for a free block of uids, locked in `folder`
    (default LOCKS) and, while it is sound, in `legacy` too. `order`: the blocks to try, in
    turn (default: this machine's usable blocks, in this PID namespace's search order)."""
    folder = private_folder(folder or LOCKS)
    if order is None:
        blocks, shown = here()
        if not blocks:
            raise SandboxError(
                f"no block of {BLOCK_SIZE} sandbox uids fits in this user namespace: workers run as "
                f"uids and gids from {UID_BASE} to {ID_END - 1} (never {RESERVED[0]}-{RESERVED[1]} or ids "
                f"in /etc/subuid or /etc/subgid), but only uids {shown} are mapped here (/proc/self/uid_map, "
                f"and gid_map): map at least ids 0-{first_uid(1) - 1} "
                f"(rootless Podman maps 0-65535, which is enough) or run the grader as real root")
        order = search_order(blocks, pid_namespace())
    old = legacy if legacy is not None and legacy != folder and _sound(legacy) else None
    for block in order:
        fd = _lock(folder, block)
        if fd is None:
            continue
        if old is not None:
            other = _lock(old, block)
            if other is None:
                os.close(fd)
                continue
            return block, [fd, other]
        return block, [fd]
    raise SandboxError(f"no free block of sandbox uids (all {len(order)} usable blocks are taken: "
                       f"that many graders running?)")
