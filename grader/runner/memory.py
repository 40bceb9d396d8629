"""Watching the memory and process count of each worker slot.

A slot's memory is what its processes hold beyond what every worker shares
with the zygote, of every kind:

- private anonymous memory: RssAnon beyond the zygote's (copy-on-write pages);
- shared memory mapped by the slot (shm, memfd and MAP_SHARED mappings): the
  proportional share (Pss_Shmem in smaps_rollup), read only for processes whose
  RssShmem shows any, because walking page tables costs more than reading status;
- memfd files held open but not mapped, which no process's RSS shows: their
  allocated size, once per file.

A memfd both mapped and open counts twice, which errs on the safe side. Shared
memory in files is bounded elsewhere (the worker's /tmp and /dev/shm are small
tmpfs, System V segments are capped in its IPC namespace).
"""

from __future__ import annotations

import os

from grader.sandbox.procs import processes


def pss_shmem_kb(pid: int) -> int:
    """The process's proportional share of the shared memory it maps, in KiB."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss_Shmem:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def memfd_files(pid: int) -> dict[tuple[int, int], int]:
    """{(device, inode): KiB allocated} for every memfd the process holds open."""
    out: dict[tuple[int, int], int] = {}
    folder = f"/proc/{pid}/fd"
    try:
        names = os.listdir(folder)
    except OSError:
        return out
    for name in names:
        try:
            if not os.readlink(f"{folder}/{name}").startswith("/memfd:"):
                continue
            st = os.stat(f"{folder}/{name}")
        except OSError:
            continue
        out[(st.st_dev, st.st_ino)] = st.st_blocks // 2
    return out


class SlotWatch:
    """Per-slot memory (KiB) and live processes.

    Also records the peaks (memory, processes+threads) seen in one slot,
    which is how the default limits were sized.
    """

    def __init__(self) -> None:
        self.baseline_kb = 0
        self.baseline_shmem_kb = 0
        self.peak_kb = 0
        self.peak_threads = 0

    def poll(self, uids: dict[int, int]) -> tuple[dict[int, int], dict[int, int]]:
        """`uids` maps a slot's uid to the slot; returns (KiB used, live processes) per slot."""
        usage = dict.fromkeys(uids.values(), 0)
        counts = dict.fromkeys(uids.values(), 0)
        if not uids:
            return usage, counts
        threads = dict.fromkeys(uids.values(), 0)
        memfds: dict[int, dict[tuple[int, int], int]] = {slot: {} for slot in usage}
        for p in processes(set(uids)):
            if p.zombie:
                continue
            slot = uids[p.uid]
            usage[slot] += max(0, p.anon_kb - self.baseline_kb)
            if p.shmem_kb > self.baseline_shmem_kb:
                usage[slot] += max(0, pss_shmem_kb(p.pid) - self.baseline_shmem_kb)
            memfds[slot].update(memfd_files(p.pid))
            threads[slot] += p.threads
            counts[slot] += 1
        for slot, files in memfds.items():
            usage[slot] += sum(files.values())
        self.peak_kb = max([self.peak_kb, *usage.values()])
        self.peak_threads = max([self.peak_threads, *threads.values()])
        return usage, counts
