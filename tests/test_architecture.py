"""The import graph of `grader` has no cycles, lazy imports (inside functions) included: grimp reads them all."""

from __future__ import annotations

import grimp


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
