"""The shape of `grader`: no import cycles (lazy imports inside functions included: grimp reads them
all), the import contracts of pyproject.toml kept, and no module over 400 lines."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400   # a longer module is split by concern (CONTRIBUTING.md)


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm, iterative: every group of modules that import each other round a loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            for j in range(i, len(edges[node])):
                nxt = edges[node][j]
                if nxt not in index:
                    work.append((node, j + 1))
                    work.append((nxt, 0))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in edges[node]:
                        groups.append(sorted(group))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
    return groups


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("grader")
    cycles = []
    for group in strongly_connected(graph):
        chain = graph.find_shortest_chain(group[1], group[0]) if len(group) > 1 else None
        back = graph.find_shortest_chain(group[0], group[1]) if len(group) > 1 else None
        cycles.append(" -> ".join([*(back or group), *(chain[1:] if chain else [])]))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_cycle_finder_finds_a_planted_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("p.a", "p.b", "p.c", "p.d"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    graph.add_import(importer="p.c", imported="p.d")
    assert strongly_connected(graph) == [["p.a", "p.b", "p.c"]]


def test_checks_import_oracles_never_each_other() -> None:
    graph = grimp.build_graph("grader")
    checks = [m for m in graph.modules if m.startswith("grader.judging.checks.") and m != "grader.judging.checks.base"
              and not m.endswith(".hidden")]
    bad = [(a, b) for a in checks for b in graph.find_modules_directly_imported_by(a) if b in checks]
    assert not bad
    oracles = [m for m in graph.modules if m.startswith("grader.judging.oracles.")]
    assert not [(a, b) for a in oracles for b in graph.find_modules_directly_imported_by(a)
                if b.startswith("grader.judging.checks.") and b != "grader.judging.checks.base"]


def test_no_module_is_over_400_lines() -> None:
    sizes = {path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
             for path in sorted((ROOT / "grader").rglob("*.py"))}
    assert len(sizes) > 100   # the whole package was read
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


@pytest.mark.parametrize("contract", ["storage-below-reports", "grading-service-below-entry-points",
                                      "stages-are-layered", "sandbox-imports-nothing-trusted"])
def test_import_contract_is_declared_and_kept(contract: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `lint-imports` checks in CI, by id: a contract deleted from pyproject.toml fails here too."""
    from importlinter import configuration
    from importlinter.application.use_cases import lint_imports

    configuration.configure()
    monkeypatch.chdir(ROOT)   # the contracts name modules of the checkout under test
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), limit_to_contracts=(contract,),
                        no_logo=True, cache_dir=None)
