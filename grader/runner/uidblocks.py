"""Blocks of sandbox uids, one per running grader, claimed with a lock file.

Concurrent graders (or test runs) on one machine must never share worker uids:
each sweeps its slots' uids, and would kill the other's workers. The locks live
in a folder only root can write (`/run/grader-uid-blocks`, created 0700): in the
shared temporary folder any local user, or student code run earlier without the
sandbox, could plant a file or a folder of their own there and stop the sandbox
from starting. A folder that is not what we created (a symlink, another owner,
writable by others) is refused loudly, never used and never silently replaced.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from grader.errors import SandboxError

LOCKS = Path("/run/grader-uid-blocks")
# Where graders before this one locked their blocks: held too while it is sound, so an
# older grader on the same machine (another checkout) never gets the same uids.
LEGACY = Path(tempfile.gettempdir()) / "grader-uid-blocks"
BLOCKS = 400
BLOCK_SIZE = 128


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


def claim(folder: Path | None = None, legacy: Path | None = LEGACY) -> tuple[int, list[int]]:
    """(block number, lock fds to close when done) for a free block of uids, locked in `folder`
    (default LOCKS) and, while it is sound, in `legacy` too."""
    folder = private_folder(folder or LOCKS)
    old = legacy if legacy is not None and legacy != folder and _sound(legacy) else None
    for block in range(BLOCKS):
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
    raise SandboxError(f"no free block of sandbox uids ({BLOCKS} graders running?)")
