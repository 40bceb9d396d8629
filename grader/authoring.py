"""Turning reference solutions into student stubs.

Markers in a solution file:
- a block between `# BEGIN SOLUTION` and `# END SOLUTION` becomes a TODO that
  raises NotImplementedError (at the block's indentation);
- a line ending in `# SOLUTION` that assigns a value (`ANSWER = 7850  # SOLUTION`)
  becomes `ANSWER = None  # TODO: your answer`.
"""

from __future__ import annotations

import re

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
INLINE = re.compile(r"^(?P<head>\s*[A-Za-z_][A-Za-z0-9_]*\s*(?::[^=]+)?=)\s*.*#\s*SOLUTION\s*$")


class MarkerError(ValueError):
    pass


def make_stub(source: str, name: str = "<solution>") -> str:
    out: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        begin = BEGIN.match(line)
        if begin:
            if inside:
                raise MarkerError(f"{name}:{number}: nested BEGIN SOLUTION")
            inside = True
            indent = begin["indent"]
            out.append(f"{indent}# TODO: write your code here.")
            out.append(f'{indent}raise NotImplementedError("not written yet")')
            continue
        if END.match(line):
            if not inside:
                raise MarkerError(f"{name}:{number}: END SOLUTION without BEGIN")
            inside = False
            continue
        if inside:
            continue
        inline = INLINE.match(line)
        if inline:
            out.append(f"{inline['head']} None  # TODO: your answer")
            continue
        out.append(line)
    if inside:
        raise MarkerError(f"{name}: BEGIN SOLUTION is never closed")
    return "\n".join(out) + "\n"
