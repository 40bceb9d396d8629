"""Watching the memory and process count of each worker slot."""

from __future__ import annotations

from grader.sandbox.confine import processes


class SlotWatch:
    """Per-slot memory (KiB beyond what every worker shares with the zygote) and live processes.

    Also records the peaks (memory, processes+threads) seen in one slot,
    which is how the default limits were sized.
    """

    def __init__(self) -> None:
        self.baseline_kb = 0
        self.peak_kb = 0
        self.peak_threads = 0

    def poll(self, uids: dict[int, int]) -> tuple[dict[int, int], dict[int, int]]:
        """`uids` maps a slot's uid to the slot; returns (KiB used, live processes) per slot."""
        usage = dict.fromkeys(uids.values(), 0)
        counts = dict.fromkeys(uids.values(), 0)
        if not uids:
            return usage, counts
        threads = dict.fromkeys(uids.values(), 0)
        for p in processes(set(uids)):
            if not p.zombie:
                slot = uids[p.uid]
                usage[slot] += max(0, p.anon_kb - self.baseline_kb)
                threads[slot] += p.threads
                counts[slot] += 1
        self.peak_kb = max([self.peak_kb, *usage.values()])
        self.peak_threads = max([self.peak_threads, *threads.values()])
        return usage, counts
