"""The import graph: no cycles, and every import runs down the layers of pyproject.toml.

The layers (``[tool.importlinter]`` in pyproject.toml, also checked by ``lint-imports``)
are the data flow of docs/architecture.md: foundations -> optimisers -> simulate | theory
-> models -> scaling -> ... -> cli. grimp reads every import, lazy ones inside functions
included, so a helper imported "just inside this one function" from a higher layer fails
here too.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

grimp = pytest.importorskip("grimp", reason="grimp (the test extra) reads the import graph")

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
PACKAGE = "scaling_dynamics"


def _contract() -> dict:
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return contract


def _layers(contract: dict) -> list:
    layers = []
    for line in contract["layers"]:
        names = [n.strip() for n in line.split("|")]
        layers.append(grimp.Layer(*names, independent=True))
    return layers


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(PACKAGE)


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    adj = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(adj):
        if root in index:
            continue
        work = [(root, iter(adj[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(adj[w])))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_no_import_cycles(graph):
    cycles = _cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_every_import_runs_down_the_layers(graph):
    contract = _contract()
    illegal = graph.find_illegal_dependencies_for_layers(
        layers=_layers(contract), containers=set(contract["containers"])
    )
    lines = []
    for dep in sorted(illegal, key=lambda d: (d.importer, d.imported)):
        for route in dep.routes:
            chain = " -> ".join([*route.heads, *route.middle, *route.tails][:6])
            lines.append(f"{dep.importer} -> {dep.imported}: {chain}")
    assert not illegal, "imports that run up the layers:\n" + "\n".join(lines[:40])


def test_every_package_module_is_in_a_layer(graph):
    layered = {n.strip() for line in _contract()["layers"] for n in line.split("|")}
    top = {m.split(".")[1] for m in graph.modules if m.count(".") >= 1}
    assert top <= layered, f"modules outside every layer: {sorted(top - layered)}"


def test_the_cycle_finder_finds_a_cycle():
    class Fake:
        modules = {"a", "b", "c"}

        @staticmethod
        def find_modules_directly_imported_by(m):
            return {"a": {"b"}, "b": {"a"}, "c": set()}[m]

    assert _cycles(Fake()) == [["a", "b"]]
