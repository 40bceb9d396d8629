"""`grader release`: the student bundle.

The bundle holds the stubs and notebooks (generated fresh from solutions/),
the public checks, and the part of the grader that `grader check` and
`grader list` need, plus a pyproject so `pip install` works. It never holds
solutions/, grader/checks/hidden/, or batch-only modules.

Which grader modules ship is computed, not listed: starting from the
self-check entry points, follow every `import grader...` (including
imports inside functions) and ship that closure. Modules reached only by name
at run time (drivers and public checks, found with pkgutil; the zygote,
started as `python -m grader.sandbox.zygote`) are entry points themselves, and a
string naming a grader module (`__import__("grader.sandbox.tf1shim")`) counts as an
import. A module
on the never-ship list is left out even when something imports it; the
release notes say who did, so a lazy import can be fixed or guarded.

Before returning, the bundle is scanned for solution text and hidden check
ids; a hit aborts the release.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as a dependency (see pyproject)
    import tomli as tomllib  # type: ignore[no-redef]
from dataclasses import dataclass, field
from pathlib import Path

from grader.discovery.choose import write_stub_index
from grader.authoring.assign import generate, solution_blocks, solution_files
from grader.authoring.bundle_texts import README, WORKFLOW
from grader.errors import ExitCode, GraderError, UsageError
from grader.paths import PACKAGE_DIR, Paths

# Reached by name at run time, or needed by `grader check` / `grader list`.
ENTRY_MODULES = (
    "grader", "grader.__main__", "grader.cli", "grader.commands", "grader.commands.check_cmd",
    "grader.commands.list_cmd", "grader.judging.checks", "grader.sandbox.drivers", "grader.sandbox.zygote", "grader.data",
    "grader.plugin", "grader.plugin.items", "grader.notebook_check", "grader.runner.choice",
)
ENTRY_PACKAGES = ("grader.judging.checks", "grader.sandbox.drivers")  # every module in them (public checks, drivers)
NEVER_SHIP = (
    "grader.judging.checks.hidden", "grader.commands.grade_cmd", "grader.commands.report_cmd",
    "grader.commands.assign_cmd", "grader.commands.release_cmd", "grader.authoring",
    "grader.batch",
)
DATA_DIRS = {"reports/templates": "grader.reports.render"}  # package data -> the module that reads it


class ReleaseError(GraderError):
    """The bundle would leak something, or cannot be built."""

    exit_code = ExitCode.RELEASE_REFUSED


@dataclass
class Bundle:
    root: Path
    files: list[Path] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _never(module: str) -> bool:
    return any(module == n or module.startswith(n + ".") for n in NEVER_SHIP)


def _module_file(module: str, package_dir: Path) -> Path | None:
    parts = module.split(".")[1:]
    base = package_dir.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_name(path: Path, package_dir: Path) -> str:
    rel = path.relative_to(package_dir).with_suffix("")
    parts = ["grader", *rel.parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str, package_dir: Path) -> tuple[set[str], set[str]]:
    """grader modules that `path` imports anywhere (top level or inside functions).

    Returns (imported by an import statement, named in a string such as
    `__import__("grader.sandbox.tf1shim")`); the latter are dynamic imports, which their
    callers guard, so leaving one out is worth no note.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    by_name: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and re.fullmatch(r"grader(\.\w+)+", node.value) and _module_file(node.value, package_dir):
            by_name.add(node.value)
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        for name in names:
            if name == "grader" or name.startswith("grader."):
                # `from grader.x import y`: y may be a module or just a name in x.
                while name and _module_file(name, package_dir) is None:
                    name = name.rpartition(".")[0]
                if name:
                    found.add(name)
    return found, by_name - found


def module_closure(package_dir: Path = PACKAGE_DIR) -> tuple[list[str], list[str]]:
    """(modules to ship, notes about never-ship modules that shipped ones import)."""
    todo = [m for m in ENTRY_MODULES if _module_file(m, package_dir) is not None]
    for pkg in ENTRY_PACKAGES:
        folder = package_dir.joinpath(*pkg.split(".")[1:])
        todo += [f"{pkg}.{p.stem}" for p in sorted(folder.glob("*.py")) if p.stem != "__init__"]
    seen: set[str] = set()
    notes: list[str] = []
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        if _never(module):
            continue
        seen.add(module)
        # A module needs its parent packages' __init__ too.
        parent = module.rpartition(".")[0]
        if parent:
            todo.append(parent)
        path = _module_file(module, package_dir)
        if path is None:
            continue
        imported, named = _imports(path, module, package_dir)
        for dep in imported:
            if _never(dep):
                notes.append(f"{module} imports {dep}, which the bundle leaves out")
            else:
                todo.append(dep)
        todo += [dep for dep in named if not _never(dep)]
    return sorted(seen), sorted(set(notes))


def _bundle_pyproject(paths: Paths) -> str:
    with open(paths.root / "pyproject.toml", "rb") as f:
        project = tomllib.load(f).get("project", {})
    deps = project.get("dependencies", [])
    lines = [
        "[build-system]",
        'requires = ["setuptools>=69"]',
        'build-backend = "setuptools.build_meta"',
        "",
        "[project]",
        f'name = {json.dumps(project.get("name", "grader"))}',
        f'version = {json.dumps(project.get("version", "0.0.0"))}',
        'description = "Self-check for the deep-neural-networks lesson exercises (student bundle)"',
        f'requires-python = {json.dumps(project.get("requires-python", ">=3.11"))}',
        "dependencies = [" + ", ".join(json.dumps(d) for d in [*deps, *BUNDLE_DEPS] if d) + "]",
        "",
        "[project.scripts]",
        'grader = "grader.cli:main"',
        "",
        "[project.entry-points.pytest11]",
        '"grader.plugin" = "grader.plugin"',
        "",
        "[tool.setuptools.packages.find]",
        'include = ["grader*"]',
        "",
        "[tool.setuptools.package-data]",
        'grader = ["py.typed", "points.json", "reports/templates/*"]',
        "",
    ]
    return "\n".join(lines)


# The bundle's pytest runs the public checks; watching needs watchfiles.
BUNDLE_DEPS = ("pytest>=8", "watchfiles>=0.21")
MARKER = "grader.toml"
MARKER_TEXT = """# Marks a student bundle: `pytest` here runs the grader's public checks on exercises/.
[bundle]
exercises = "exercises"
"""

def points_table() -> dict[str, dict[str, float]]:
    """Per exercise: all its points, and how many points and checks are hidden (numbers only)."""
    from grader.judging.checks import load_checks

    out: dict[str, dict[str, float]] = {}
    for c in load_checks(include_hidden=True):
        row = out.setdefault(c.exercise, {"points": 0.0, "hidden_points": 0.0, "hidden_checks": 0})
        row["points"] += c.points
        if c.visibility == "hidden":
            row["hidden_points"] += c.points
            row["hidden_checks"] += 1
    return out


def build(paths: Paths, out: Path, *, force: bool = False) -> Bundle:
    """Write the student bundle to `out`, then scan it for leaks."""
    out = out.resolve()
    root = paths.root.resolve()
    owned = [root / name for name in ("grader", "exercises", "solutions")]
    if out == root or out in root.parents or any(out == o or o in out.parents for o in owned):
        raise UsageError(f"refusing to write the bundle over the course itself ({out})")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise UsageError(f"{out} exists and is not empty; pass --force to replace it")
        # Only ever delete what looks like an earlier bundle.
        if not (out / "README.md").is_file() or (out / "README.md").read_text(encoding="utf-8") != README:
            raise UsageError(f"{out} is not an earlier bundle; refusing to replace it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    bundle = Bundle(out)

    def write(rel: str, text: str) -> None:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        bundle.files.append(target)

    for g in generate(paths):
        write(f"exercises/{g.path.name}", g.text)
    # The stubs' digests, so `grader check` in the bundle knows which of X.py and X.ipynb was changed.
    bundle.files.append(write_stub_index(out / "exercises"))
    modules, notes = module_closure(paths.package)
    bundle.modules, bundle.notes = modules, notes
    sources = {}
    for module in modules:
        src = _module_file(module, paths.package)
        if src is not None:
            rel = src.relative_to(paths.package)
            sources[rel] = src.read_text(encoding="utf-8")
            write(f"grader/{rel.as_posix()}", sources[rel])
    (out / "grader" / "py.typed").write_text("", encoding="utf-8")
    for data, reader in DATA_DIRS.items():
        folder = paths.package / data
        if folder.is_dir() and reader in modules:
            for f in sorted(folder.rglob("*")):
                if f.is_file() and "__pycache__" not in f.parts:
                    target = out / "grader" / data / f.relative_to(folder)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(f, target)
                    bundle.files.append(target)
    write("pyproject.toml", _bundle_pyproject(paths))
    write("README.md", README)
    write(MARKER, MARKER_TEXT)
    write(".github/workflows/grader.yml", WORKFLOW)
    write("grader/points.json", json.dumps(points_table(), indent=1, sort_keys=True) + "\n")
    leaks = find_leaks(paths, out)
    if leaks:
        raise ReleaseError("the bundle would leak: " + "; ".join(leaks[:10]))
    return bundle


def bundle_text(out: Path) -> dict[Path, str]:
    """Every text file of a bundle (what a student can read)."""
    texts = {}
    for f in sorted(out.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            try:
                texts[f] = f.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                texts[f] = f.read_bytes().decode("latin-1")
            if f.suffix == ".ipynb":
                # Cell sources are JSON strings: search them as the code they are, too.
                try:
                    cells = json.loads(texts[f]).get("cells", [])
                    texts[f] += "\n" + "\n".join(
                        c["source"] if isinstance(c["source"], str) else "".join(c["source"]) for c in cells)
                except (ValueError, KeyError, TypeError, AttributeError):
                    pass
    return texts


def normalized(text: str) -> str:
    """Code lines stripped of indentation, blank lines and comments: how a copied body is found."""
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("#"))


def secrets(paths: Paths) -> dict[str, str]:
    """Text that must not appear in the bundle (normalized) -> why.

    Every solution body (a marked block, or an inline answer's `NAME = value`),
    and the ids and titles of hidden checks. Single lines of a body are not
    searched alone: `with tf.Session() as sess:` is in every driver too.
    """
    out: dict[str, str] = {}
    for solution in solution_files(paths):
        for block in solution_blocks(solution.read_text(encoding="utf-8")):
            body = normalized(block)
            if body:
                out[body] = f"a solution body of {solution.name}"
    from grader.judging.checks import load_checks

    for c in load_checks(include_hidden=True):
        if c.visibility == "hidden":
            out[c.id] = "a hidden check id"
            out[c.title] = f"the title of hidden check {c.id}"
    return out


def find_leaks(paths: Paths, out: Path) -> list[str]:
    found = []
    texts = {f: normalized(t) for f, t in bundle_text(out).items()}
    for secret, why in secrets(paths).items():
        for f, text in texts.items():
            if secret in text:
                found.append(f"{why} ({secret[:60]!r}) in {f.relative_to(out)}")
    for f in texts:
        rel = f.relative_to(out).as_posix()
        if rel.startswith(("solutions/", "grader/checks/hidden/")):
            found.append(f"{rel} is in the bundle")
    return found
