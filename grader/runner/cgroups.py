"""A cgroup v2 per worker slot with memory.max, where the kernel offers one.

The kernel then counts every page a worker's processes are charged for (private,
shared, memfd, kernel memory) and kills the whole slot (memory.oom.group) the
moment it goes over, with no polling gap. Used only as root, on a cgroup2
hierarchy whose memory controller we may enable for a child of our own cgroup;
otherwise the runner relies on its poll (grader.runner.memory) alone.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def _cgroup2_mount() -> Path | None:
    try:
        with open("/proc/self/mountinfo", encoding="utf-8") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                if right.split()[:1] == ["cgroup2"]:
                    return Path(left.split()[4])
    except OSError:
        pass
    return None


def our_cgroup() -> Path | None:
    """The cgroup2 folder this process is in, if there is a cgroup2 hierarchy with a memory controller."""
    mount = _cgroup2_mount()
    if mount is None:
        return None
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as f:
            rel = next((line.strip()[3:] for line in f if line.startswith("0::")), None)
    except OSError:
        return None
    if rel is None:
        return None
    folder = mount / rel.lstrip("/")
    try:
        controllers = (folder / "cgroup.controllers").read_text().split()
    except OSError:
        return None
    return folder if "memory" in controllers and os.access(folder, os.W_OK) else None


class SlotCgroups:
    """grader-<pid>/slot<n> under our own cgroup, one per slot, each with memory.max."""

    def __init__(self, jobs: int, memory_mb: int) -> None:
        self.jobs = jobs
        self.memory_mb = memory_mb
        self.parent: Path | None = None

    def create(self) -> str | None:
        """Set the slots up; returns why not when they cannot be (nothing is left behind)."""
        base = our_cgroup()
        if base is None:
            return "no cgroup v2 memory controller"
        parent = base / f"grader-{os.getpid()}"
        try:
            if "memory" not in (base / "cgroup.subtree_control").read_text().split():
                (base / "cgroup.subtree_control").write_text("+memory")
            parent.mkdir()
            self.parent = parent
            (parent / "cgroup.subtree_control").write_text("+memory")
            for slot in range(self.jobs):
                folder = self.folder(slot)
                folder.mkdir()
                (folder / "memory.max").write_text(str(self.memory_mb << 20))
                (folder / "memory.oom.group").write_text("1")
                if (folder / "memory.swap.max").exists():
                    (folder / "memory.swap.max").write_text("0")
        except OSError as exc:
            self.remove()
            return f"no cgroup memory limit ({exc})"
        return None

    def folder(self, slot: int) -> Path:
        assert self.parent is not None
        return self.parent / f"slot{slot}"

    def procs(self, slot: int) -> str | None:
        """The file a worker writes its pid to, to join its slot."""
        return str(self.folder(slot) / "cgroup.procs") if self.parent is not None else None

    def oom_kills(self, slot: int) -> int:
        """How many times the kernel has killed for memory in this slot (memory.events)."""
        if self.parent is None:
            return 0
        try:
            for line in (self.folder(slot) / "memory.events").read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def remove(self) -> None:
        """Remove the slots (called once their processes are gone)."""
        if self.parent is None:
            return
        for folder in [*(self.folder(s) for s in range(self.jobs)), self.parent]:
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)  # the last killed process is still leaving
        self.parent = None
