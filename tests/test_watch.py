"""`grader check --watch`: which saves trigger which re-checks, and a re-check after a save."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from grader.commands.watch import changed_exercises, watch_loop
from grader.paths import Paths

ROOT = Path(__file__).resolve().parents[1]


def test_changed_exercises() -> None:
    chosen = ("relu_model", "quiz")
    assert changed_exercises([(2, "/c/exercises/relu_model.py")], chosen) == ("relu_model",)
    assert changed_exercises([(2, "/c/exercises/quiz.ipynb"), (1, "/c/exercises/relu_model.py")], chosen) == chosen
    assert changed_exercises([(2, "/c/exercises/dropout.py")], chosen) == ()        # not watched
    assert changed_exercises([(2, "/c/exercises/helpers.py")], chosen) == ()        # a helper: nothing named
    assert changed_exercises([(2, "/c/exercises/.relu_model.py.swp")], chosen) == ()
    assert changed_exercises([(2, "/c/exercises/notes.txt")], chosen) == ()


@pytest.mark.slow
def test_a_save_triggers_a_recheck(tmp_path: Path) -> None:
    (tmp_path / "exercises").mkdir()
    target = tmp_path / "exercises" / "relu_model.py"
    target.write_text("def relu_model(features, weights, biases):\n    return 0\n")
    lines: list[str] = []
    checked = threading.Event()
    done = threading.Event()

    def printer(line: str) -> None:
        lines.append(line)
        if line.startswith("[checked"):
            checked.set()

    thread = threading.Thread(target=watch_loop, args=(Paths(tmp_path), ("relu_model",)),
                              kwargs={"report": False, "stop": done.is_set, "printer": printer}, daemon=True)
    thread.start()
    assert checked.wait(300)
    assert "0 of 1 passed" in "\n".join(lines)
    checked.clear()
    lines.clear()
    time.sleep(0.5)
    shutil.copy(ROOT / "solutions" / "relu_model.py", target)
    assert checked.wait(120)
    done.set()
    thread.join(10)
    assert "1 of 1 passed" in "\n".join(lines)
