"""Each surviving mutant, its one-line change, and why it lives: equivalent (same behaviour), or a gap.

    python tests/mutation/explain.py --out tests/mutation/survivors.md   # after report.py, reads ./mutants

Reviewed survivors (equivalent.txt) are matched by module, function and the normalised change, never
by mutmut's running number; an entry that matches no survivor is reported stale.

The change is read from ./mutants (mutmut keeps every mutant beside `<function>__mutmut_orig`), so
no mutant is run again. Reasons come from RULES, written for changes that cannot alter behaviour
on the inputs this grader accepts; every rule says why. A survivor no rule covers is listed as a
gap: a test should kill it.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import functools
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
Rule = tuple[str, Callable[[str, str], bool]]


def _only(pattern_old: str, pattern_new: str) -> Callable[[str, str], bool]:
    return lambda old, new: bool(re.search(pattern_old, old)) and bool(re.search(pattern_new, new))


def _same_but(old: str, new: str, a: str, b: str) -> bool:
    """`new` is `old` with some occurrences of `a` written `b`."""
    return old != new and old.replace(a, b) == new.replace(a, b)


def _codec_case(old: str, new: str) -> bool:
    return old != new and old.lower() == new.lower() and bool(
        re.search(r"(utf-8|ascii|backslashreplace|surrogatepass)", old, re.I))


_F64 = re.compile(r"dtype=np\.float64|dtype=None|astype\(np\.float64\)|astype\(None\)")


def _float64_default(old: str, new: str) -> bool:
    def bare(t: str) -> str:
        return re.sub(r",\s*\)", ")", _F64.sub("", t).replace("astype()", "")).replace(", ,", ",")
    return bool(_F64.search(old)) and old != new and bare(old) == bare(new)


# Names of continuous measures: a comparison with them is equal at the limit only when a measured
# float (an accuracy, a distance, a random draw) lands on it to the last bit.
_MEASURES = re.compile(r"accuracy|restored|reported|actual|shuffled|TOLERANCE|MARGIN|RTOL|ATOL|SIGMAS|"
                       r"1e-\d|0\.\d|np\.abs|hidden >|mean\(axis|x > 0")


def _boundary(old: str, new: str) -> bool:
    if "len(" in old or not _MEASURES.search(old):
        return False
    return any(_same_but(old, new, a, b) for a, b in (("<=", "<"), (">=", ">")))


def _json_guard(old: str, new: str) -> bool:
    """allow_nan=False where every float was already made finite or tagged (to_jsonable, _number)."""
    fed = ("to_jsonable(", "json.dumps(plain", "_capped(", "to_gradescope(")
    return "allow_nan=False" in old and "allow_nan=False" not in new and any(f in old for f in fed)


def _false_to_none(old: str, new: str) -> bool:
    """A keyword passed False now passed None, to a callee that only tests its truth."""
    keys = r"(ensure_ascii|allow_nan|sort_keys|follow_symlinks|replace)"
    return any(_same_but(old, new, f"{k}=False", f"{k}=None") for k in re.findall(keys + "=False", old))


RULES: list[Rule] = [
    ("None is as false as False for json.dumps, DirEntry.is_dir and Generator.choice", _false_to_none),
    ("codec names are case-blind in Python's codec registry", _codec_case),
    ("einsum labels are letters: upper case names the same contraction",
     lambda old, new: "einsum" in old and old.lower() == new.lower()),
    ("numpy gives float64 for these inputs by default (`dtype=None`, `astype(None)`)", _float64_default),
    ("softmax is unchanged by a shift of each row (exp(a - max) / sum)",
     lambda old, new: "exp(" in old and ".max(" in old and "max(" in new),
    ("a retry bound the draws never reach (the first draws succeed for every seed tried)",
     _only(r"for _ in range\((200|1000)\)", r"for _ in range\((201|1001)\)")),
    ("rounding a sum of values already rounded to 4 places", _only(r"round\(sum\(", r"round\(sum\(.*, 5\)")),
    ("a guard json never trips: every float was made finite (_number) or tagged (to_jsonable) first", _json_guard),
    ("the last key of the loop: `break` and `continue` both end it", _only(r"^\s*continue$", r"^\s*break$")),
    ("gap (boundary): not strictly equivalent; differs only when a measured float (an accuracy, a "
     "distance, a random draw) lands exactly on the limit", _boundary),
]


def _functions(path: Path) -> dict[str, str]:
    """Function (and method) name -> source, for one mutated module."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    out = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
            body = lines[node.lineno - 1:node.end_lineno]
            out[node.name] = "\n".join(body).replace(node.name, "<f>")  # the def line names the mutant
    return out


_cache: dict[Path, dict[str, str]] = {}


def change(mutant: str) -> tuple[str, str]:
    """(removed lines, added lines) of a mutant, each joined with " / "."""
    module, _, func = mutant.rpartition(".")
    while func and "__mutmut_" not in func:
        module, _, rest = module.rpartition(".")
        func = f"{rest}.{func}"
    path = ROOT / "mutants" / (module.replace(".", "/") + ".py")
    if not path.is_file():
        path = ROOT / "mutants" / module.replace(".", "/") / "__init__.py"
    if path not in _cache:
        _cache[path] = _functions(path)
    funcs = _cache[path]
    name = func.rsplit(".", 1)[-1]
    orig = funcs.get(re.sub(r"__mutmut_\d+$", "__mutmut_orig", name), "")
    mutated = funcs.get(name, "")
    diff = list(difflib.ndiff(orig.splitlines(), mutated.splitlines()))
    old = " / ".join(d[2:].strip() for d in diff if d.startswith("- "))
    new = " / ".join(d[2:].strip() for d in diff if d.startswith("+ "))
    return old, new


REVIEWED = Path(__file__).with_name("equivalent.txt")


def where(mutant: str) -> tuple[str, str]:
    """(module, function) of a mutant name, whatever its running number:
    `grader.sandbox.wire.x_decode__mutmut_3` -> ("grader.sandbox.wire", "decode");
    `grader.judging.checks.base.xǁFailǁ__init____mutmut_1` -> ("grader.judging.checks.base", "Fail.__init__")."""
    module, _, func = re.sub(r"__mutmut_\d+$", "", mutant).rpartition(".")
    if func.startswith("xǁ"):
        return module, func.removeprefix("xǁ").replace("ǁ", ".")
    return module, func.removeprefix("x_")


def normal(text: str) -> str:
    """A changed line as the key holds it: runs of whitespace as one space."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Entry:
    """One reviewed survivor, keyed by meaning: the module, the function and the change itself (the
    line(s) removed and added, whitespace-normalised), so an edit elsewhere renumbers nothing and an
    edit of the line itself leaves the entry matching nothing (reported stale), never another mutant."""

    module: str
    function: str
    was: str
    became: str
    why: str

    def matches(self, name: str, old: str, new: str) -> bool:
        return (self.module, self.function) == where(name) and (self.was, self.became) == (normal(old), normal(new))


def parse(text: str) -> list[Entry]:
    """equivalent.txt: `module <TAB> function <TAB> was <TAB> became <TAB> why` per line, # comments."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 5 or not all(c.strip() for c in (cells[0], cells[1], cells[4])):
            raise ValueError(f"equivalent.txt line {number}: want module, function, was, became, why "
                             f"(tab-separated), got {line[:120]!r}")
        module, function, was, became, why = (c.strip() for c in cells)
        out.append(Entry(module, function, normal(was), normal(became), why))
    return out


@functools.cache
def reviewed() -> list[Entry]:
    """The entries of equivalent.txt: survivors checked by hand, one by one."""
    return parse(REVIEWED.read_text(encoding="utf-8"))


def reviewed_reason(name: str, old: str, new: str) -> tuple[Entry | None, str | None]:
    found = next((e for e in reviewed() if e.matches(name, old, new)), None)
    if found is None:
        return None, None
    return found, found.why if found.why.startswith("gap") else f"reviewed: {found.why}"


def reason(old: str, new: str, name: str = "") -> str | None:
    """Why a mutant lives: a rule on its change, else a reviewed entry with its key ("gap: ..." entries
    explain a gap without calling it equivalent); None: a gap nobody has explained."""
    why = next((why for why, applies in RULES if applies(old, new)), None)
    if why is None and name:
        why = reviewed_reason(name, old, new)[1]
    return why


def stale(used: set[Entry], modules: set[str] | None = None) -> list[Entry]:
    """Entries that excused no survivor of this run: the line changed, the mutant is now killed, or a
    rule covers it. `modules`: the modules the run mutated (None: all), so a partial run does not
    call the entries of the modules it left out stale."""
    return [e for e in reviewed() if e not in used and (modules is None or e.module in modules)]


def survivors() -> list[tuple[str, str]]:
    out = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and status in ("survived", "no tests", "suspicious"):
            found.append((name, status))
    return found


def table(found: list[tuple[str, str]], modules: set[str] | None = None) -> tuple[str, int, int, list[Entry]]:
    """The markdown table of `found` (name, status); how many are equivalent and how many gaps; and the
    entries of equivalent.txt, among `modules`' (None: all), that matched no survivor (stale)."""
    rows, reasons, used = [], Counter[str](), set[Entry]()
    for name, status in sorted(found):
        old, new = change(name)
        why = next((why for why, applies in RULES if applies(old, new)), None)
        if why is None:
            entry, why = reviewed_reason(name, old, new)
            if entry is not None:
                used.add(entry)
        why = why or f"gap ({status}): no test tells this change apart"
        reasons[why] += 1
        cells = [c[:110].replace("|", "\\|") for c in (old, new)]
        rows.append(f"| `{name.removeprefix('grader.')}` | `{cells[0]}` | `{cells[1]}` | {why} |")
    unused = stale(used, modules)
    lines = ["# Surviving mutants and why", "", "| count | reason |", "|---:|---|",
             *(f"| {n} | {why} |" for why, n in reasons.most_common()), "",
             "| mutant | was | became | why it lives |", "|---|---|---|---|", *rows, ""]
    if unused:
        lines += ["## Stale entries of equivalent.txt (they match no survivor: remove or re-review them)", "",
                  *(f"- `{e.module}` `{e.function}`: `{e.was[:80]}` -> `{e.became[:80]}`" for e in unused), ""]
    gaps = sum(n for why, n in reasons.items() if why.startswith("gap"))  # explained gaps count as gaps
    return "\n".join(lines), len(found) - gaps, gaps, unused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="write the table here (markdown); default: print it")
    args = parser.parse_args(argv)
    text, equivalent, gaps, unused = table(survivors())
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text)
    print(f"{equivalent + gaps} survivors: {equivalent} explained as equivalent, {gaps} gaps; "
          f"{len(unused)} stale entries in equivalent.txt", file=sys.stderr)
    return 1 if unused else 0


if __name__ == "__main__":
    sys.exit(main())
