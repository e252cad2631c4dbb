"""The package's import graph: every module imports on its own, and no two modules import each other.

A cycle hidden by an import inside a function (crowds.service <-> dbt_runner, once) still ties the modules'
fates together, so the graph here counts imports wherever they are written, except under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import facetlake

PACKAGE_DIR = Path(facetlake.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(name: str, path: Path) -> set[str]:
    """The facetlake modules `name` imports (at any depth of its code, TYPE_CHECKING blocks left out)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            # `from facetlake import paths` imports the module facetlake.paths
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text()))
    return {module for module in found if module in MODULES and module != name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk (each reported once, from where the walk closed it)."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)
    return cycles


def _package_edges(name: str) -> set[str]:
    """Importing a.b.c runs a/__init__ and a/b/__init__ first: those edges are Python's, not cycles."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def test_the_graph_sees_the_package() -> None:
    assert {"facetlake.build", "facetlake.cli", "facetlake.orchestration.definitions"} <= set(MODULES)
    assert "facetlake.build" in _imported("facetlake.crowds.service", MODULES["facetlake.crowds.service"])


def test_no_import_cycles() -> None:
    graph = {name: _imported(name, path) - _package_edges(name) for name, path in MODULES.items()}
    # A package's __init__ importing its own submodule is the package's business.
    graph = {name: {m for m in deps if not m.startswith(name + ".")} for name, deps in graph.items()}
    assert _cycles(graph) == []


def test_a_planted_cycle_is_found() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


# The entry points, each in a fresh interpreter: what the CLI, the crowd commands and Dagster load first.
ENTRY_POINTS = (
    "facetlake.cli",
    "facetlake.build",
    "facetlake.crowds.service",
    "facetlake.crowds.cli",
    "facetlake.trino.catalogs",
    "facetlake.orchestration.definitions",
)


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_entry_point_imports_alone(module: str) -> None:
    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
