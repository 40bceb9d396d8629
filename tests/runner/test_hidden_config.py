"""The sandbox configuration (with every hidden path) is visible to no worker (issue 9, part 3)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.runner import Limits, Runner

# Every process the worker can see: its command line and environment, searched for the marks.
SNOOP = '''
import os

MARKS = __MARKS__
seen, hits = 0, []
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    for part in ("cmdline", "environ"):
        try:
            with open(f"/proc/{pid}/{part}", "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        seen += 1
        hits += [f"{pid}/{part}" for m in MARKS if m in text]
print("SEEN", seen, "PARENT", os.getppid(), "HITS", hits)
'''


@pytest.fixture()
def hidden(tmp_path: Path) -> Iterator[list[str]]:
    folders = [tmp_path / "submissions-hush-1", tmp_path / "out-hush-2"]
    for f in folders:
        f.mkdir()
    yield [str(f) for f in folders]


@pytest.mark.slow
def test_no_process_a_worker_can_see_names_a_hidden_path(hidden: list[str]) -> None:
    # A process like `grader grade <submissions> --out <out>`, holding the paths in its argv.
    grader_like = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", *hidden])
    try:
        with Runner(Limits(load_timeout=20), jobs=1, hidden_paths=hidden) as r:
            assert r.zygote is not None
            zygote_cmdline = Path(f"/proc/{r.zygote.pid}/cmdline").read_bytes().decode()
            marks = [*hidden, str(Path(__file__).resolve().parents[2] / "grader" / "judging")]
            out = r.run({"snoop.py": SNOOP.replace("__MARKS__", repr(marks))}, [])
    finally:
        grader_like.kill()
        grader_like.wait()
    assert not any(m in zygote_cmdline for m in marks)
    report = out.loads[0].output
    assert "HITS []" in report, report
    assert "SEEN 0" not in report  # it did look: at least its own process is there
    if os.geteuid() == 0:  # as root the worker's /proc shows only its own uid's processes
        words = report.split()
        assert int(words[words.index("SEEN") + 1]) <= 4, report
