"""Which block of worker uids a grader takes: distinct across PID namespaces, inside the mapped ids."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.errors import SandboxError
from grader.runner import uidblocks
from grader.runner.uidblocks import (
    BLOCK_SIZE, INIT_PID_NS, OTHER_NS_FIRST, claim, delegated, first_uid, id_map, search_order, usable)

DOCKER = id_map("         0          0 4294967295\n")
PODMAN = id_map("0 1000 1\n1 100000 65536\n")  # rootless: the user as root, then 65536 subordinate ids
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0 or not sys.platform.startswith("linux"),
                               reason="the uid blocks are root's")


def test_the_host_starts_at_block_zero_and_other_namespaces_elsewhere() -> None:
    blocks = usable(DOCKER, DOCKER)
    assert search_order(blocks, INIT_PID_NS)[0] == 0
    # New namespaces get neighbouring inodes from the kernel: they must not start together.
    starts = {search_order(blocks, 0xF0000000 + n)[0] for n in range(50)}
    assert len(starts) == 50
    assert min(starts) >= OTHER_NS_FIRST and first_uid(min(starts)) > 65535


def test_every_usable_block_is_tried_once_wrapping_around() -> None:
    blocks = usable(DOCKER, DOCKER)
    far = len([b for b in blocks if b >= OTHER_NS_FIRST])
    order = search_order(blocks, 0xF0000000 - 0xF0000000 % far + far - 2)  # the last far block but one
    assert order[:3] == blocks[-2:] + [0]
    assert sorted(order) == blocks and len(set(order)) == len(blocks)


def test_only_mapped_ids_are_used() -> None:
    blocks = usable(PODMAN, PODMAN)
    assert blocks == list(range(35))  # block 35 holds 65534 (nobody) and 65535, and 65536 is unmapped
    assert first_uid(blocks[-1]) + BLOCK_SIZE <= 65534
    # With none of the far blocks mapped, a container still spreads over the ones that are.
    assert {search_order(blocks, 0xF0000000 + n)[0] for n in range(35)} == set(blocks)
    # A uid map wider than the gid map: the gids decide.
    assert usable(DOCKER, id_map("0 0 61128")) == [0]
    assert usable(id_map("0 0 61000"), DOCKER) == []
    # Two adjacent lines of a map are one span.
    assert usable(id_map("0 0 61064\n61064 500000 64"), DOCKER) == [0]


def test_reserved_and_delegated_ids_and_the_subordinate_range_are_avoided() -> None:
    blocks = usable(DOCKER, DOCKER)
    assert 35 not in blocks and 34 in blocks and 36 in blocks
    assert first_uid(blocks[-1]) + BLOCK_SIZE <= 100_000
    taken = delegated("alice:70000:65536\n# comment\nbob:bad:1\n")
    assert taken == [(70000, 135536)]
    assert all(first_uid(b) + BLOCK_SIZE <= 70000 for b in usable(DOCKER, DOCKER, taken))


@ROOT_ONLY
def test_a_full_range_is_an_error_and_a_taken_block_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "locks"
    first, fds1 = claim(folder, None, order=[7, 8])
    second, fds2 = claim(folder, None, order=[7, 8])
    try:
        assert (first, second) == (7, 8)
        with pytest.raises(SandboxError, match="all 2 usable blocks are taken"):
            claim(folder, None, order=[7, 8])
    finally:
        for fd in fds1 + fds2:
            os.close(fd)


@ROOT_ONLY
def test_no_mapped_block_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    maps = {"/proc/self/uid_map": "0 1000 1\n1 100000 60000\n", "/proc/self/gid_map": "0 1000 65536\n"}
    monkeypatch.setattr(uidblocks, "_read", maps.get)
    with pytest.raises(SandboxError, match=r"no block of 128 sandbox uids fits.*only uids 0-60000 are mapped"):
        claim(tmp_path / "locks", None)


@ROOT_ONLY
@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux unshare")
def test_a_grader_in_another_pid_namespace_starts_elsewhere_than_the_host() -> None:
    code = ("from grader.runner import uidblocks as u; "
            "print(u.search_order(u.here()[0], u.pid_namespace())[0])")
    child = subprocess.run(["unshare", "--pid", "--fork", sys.executable, "-c", code],
                           capture_output=True, text=True, timeout=60, check=True)
    ours = uidblocks.search_order(uidblocks.here()[0], uidblocks.pid_namespace())[0]
    assert int(child.stdout) != ours
