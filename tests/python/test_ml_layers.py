"""The ML package's modules import each other one way: no cycle, even through a function-level
import (a cycle there works until someone moves an import to the top and the package breaks)."""

from __future__ import annotations

import ast
from pathlib import Path

import leadscore.ml

PACKAGE = Path(leadscore.ml.__file__).parent


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out |= {n.split(".")[2] for n in names if n.startswith("leadscore.ml.")}
    return out - {path.stem}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_between_ml_modules() -> None:
    graph = {
        p.stem: _imports(p) & {q.stem for q in PACKAGE.glob("*.py")}
        for p in PACKAGE.glob("*.py")
        if p.stem != "__init__"
    }
    assert "scoring" in graph and "rules" in graph
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycle({"rules": {"scoring"}, "scoring": {"rules"}}) == ["rules", "scoring", "rules"]
    assert _cycle({"rules": {"output"}, "scoring": {"rules", "output"}}) is None
