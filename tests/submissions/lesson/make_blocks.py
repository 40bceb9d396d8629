"""Regenerate blocks/ and lesson.ipynb from the lesson's markdown (code copied unchanged).

    python tests/submissions/lesson/make_blocks.py /path/to/lesson-09-deep-neural-networks.md

blocks/ holds the lesson's walkthroughs as the separate scripts a student would save
(consecutive code blocks of one section joined); lesson.ipynb holds every code block,
in order, one cell each, the way a student would paste them into a notebook.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
# script name -> indices of the lesson's code blocks it joins
SCRIPTS = {
    "mlp_walkthrough.py": range(1, 9),           # section 12: the 2-layer MNIST network
    "save_restore_walkthrough.py": range(9, 14),  # section 14: save, load, train, restore
    "finetune_error.py": range(14, 15),          # section 15: unnamed variables fail to restore
    "finetune_named.py": range(15, 16),          # section 15: named variables restore
}


def blocks(markdown: str) -> list[str]:
    return [b for _, b in re.findall(r"^```(\w*)\n(.*?)^```", markdown, re.S | re.M)]


def main(lesson: Path) -> None:
    found = blocks(lesson.read_text(encoding="utf-8"))
    for name, which in SCRIPTS.items():
        (HERE / "blocks" / name).write_text("\n".join(found[i] for i in which), encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(b.rstrip("\n")) for b in found]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"block-{i}"
    (HERE / "lesson.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
