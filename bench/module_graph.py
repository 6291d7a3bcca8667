"""The package's own import graph, and any import cycles in it (stdlib ``ast`` only; nothing is imported).

    python bench/module_graph.py            # every module, what it imports from the package, then the cycles
    python bench/module_graph.py --cycles   # the cycles alone (exit status 1 when there is one)

Every ``import`` counts, at module level or inside a function: a function-level import that closes a
loop is a cycle the code only hides from the interpreter. ``if TYPE_CHECKING:`` imports do not count
(they never run). Importing ``a.b.c`` imports the packages ``a`` and ``a.b`` too, so it counts as an
import of their ``__init__`` as well (but a module's own packages, which are loaded before it, do not
count, unless the import names the package itself, as ``from . import __version__`` does). A
package whose ``__init__`` imports modules by name (``importlib.import_module``, ``pkgutil.iter_modules``)
counts as importing each of its own modules whose name does not start with ``_``.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "checker"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[tuple[str | None, list[str], int]]:
    """(module, names, level) of every import that runs, TYPE_CHECKING blocks skipped."""
    out: list[tuple[str | None, list[str], int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                out.extend((a.name, [], 0) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                out.append((child.module, [a.name for a in child.names], child.level))
            visit(child)

    visit(tree)
    return out


def _imports_by_name(tree: ast.AST) -> bool:
    names = ("import_module", "iter_modules")
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", "")) in names
               for n in ast.walk(tree))


def _ancestors(mod: str) -> list[str]:
    parts = mod.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    """module -> the package modules it imports."""
    files = {module_name(p, root): p for p in sorted((root / package).rglob("*.py"))}
    edges: dict[str, set[str]] = {m: set() for m in files}
    for mod, path in files.items():
        is_pkg = path.name == "__init__.py"
        here = mod.split(".") if is_pkg else mod.split(".")[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if is_pkg and _imports_by_name(tree):
            edges[mod].update(m for m in files if m.rpartition(".")[0] == mod and not m.rpartition(".")[2].startswith("_"))
        for target, names, level in _imports(tree):
            if level:
                base = here[: len(here) - (level - 1)]
                full = ".".join(base + ([target] if target else []))
            else:
                full = target or ""
            if full != package and not full.startswith(package + "."):
                continue
            hits = [f"{full}.{n}" for n in names if f"{full}.{n}" in files]  # `from . import x` names a module
            if not hits or len(hits) < len(names):
                while full and full not in files:
                    full = full.rpartition(".")[0]
                if full:
                    hits.append(full)
            own = set(_ancestors(mod))
            for hit in hits:
                implied = [m for m in _ancestors(hit) if m not in own]
                edges[mod].update(m for m in [*implied, hit] if m in files and m != mod)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted; every import cycle lies in one."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def strong(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            strong(v)
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", action="store_true", help="print only the cycles")
    args = ap.parse_args(argv)
    edges = graph()
    if not args.cycles:
        for mod in sorted(edges):
            inside = sorted(edges[mod])
            print(f"{mod} -> {', '.join(inside) if inside else '(nothing from the package)'}")
        print()
    found = cycles(edges)
    print(f"{len(edges)} modules, {sum(len(v) for v in edges.values())} imports, {len(found)} cycle(s)")
    for group in found:
        inner = {m: sorted(edges[m] & set(group)) for m in group}
        print("  cycle: " + "; ".join(f"{m} -> {', '.join(t)}" for m, t in inner.items()))
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
