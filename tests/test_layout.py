"""The shape of the package: no import cycles, leaf modules that stay leaves, layers that import downwards only,
and every module importable on its own in a fresh interpreter.

The graph comes from ``bench/module_graph.py`` (the source's own imports, read with ``ast``), which also
prints it for people.
"""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import module_graph

GRAPH = module_graph.graph()

#: modules that import nothing from the package, or only what is named
LEAVES: dict[str, set[str]] = {
    "checker._version": set(),
    "checker.errors": set(),
    "checker.text": set(),
    "checker.codes": set(),
    "checker.langid": set(),
    "checker.values": {"checker.text"},
    "checker.io.files": {"checker.errors"},
    "checker.config": {"checker.errors", "checker.values"},
}
#: the faces: nothing in the library imports them
FACES = {"checker.cli", "checker.__main__"}
#: what a check may not reach into: the machinery that runs checks, reads files and writes reports
ABOVE_THE_CHECKS = ("checker.pipeline", "checker.selection", "checker.api", "checker.cli", "checker.corpus",
                    "checker.io", "checker.render", "checker.reference")


def test_no_import_cycles():
    assert module_graph.cycles(GRAPH) == []


@pytest.mark.parametrize("module", sorted(LEAVES))
def test_leaf_modules_stay_leaves(module):
    assert GRAPH[module] == LEAVES[module]


def test_the_library_never_imports_a_face():
    for module, imports in GRAPH.items():
        if module not in FACES:
            assert not imports & FACES, module


def test_checks_import_downwards_only():
    for module, imports in GRAPH.items():
        if module.startswith("checker.checks."):
            above = {m for m in imports if m.startswith(ABOVE_THE_CHECKS)}
            assert not above, (module, above)


def _dependency_order() -> list[str]:
    """Every module (but ``__main__``, which runs the command line), each after everything it imports."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(module: str) -> None:
        if module in seen:
            return
        seen.add(module)
        for dep in sorted(GRAPH[module]):
            visit(dep)
        order.append(module)

    for module in sorted(GRAPH):
        visit(module)
    return [m for m in order if m != "checker.__main__"]


def _third_party() -> list[str]:
    """The packages the modules import at their top, loaded once before the children fork."""
    names: set[str] = set()
    for path in (ROOT / "checker").rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    return sorted(n for n in names if n.split(".")[0] not in ("checker", "__future__"))


_CHILD = """
import importlib, os, sys
for name in sys.argv[2:]:
    try:
        importlib.import_module(name)
    except ImportError:
        pass
failed = []
for module in sys.argv[1].split(","):
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(module)
        except BaseException as exc:
            print(f"{module}: {type(exc).__name__}: {exc}", file=sys.stderr)
            os._exit(1)
        os._exit(0)
    if os.waitpid(pid, 0)[1]:
        failed.append(module)
print(",".join(failed))
"""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    """Each module is imported in a process that has loaded no module of the package (forked from one that has
    loaded only the third-party packages, to keep it quick), leaves first. (Importing any module runs
    ``checker/__init__.py`` first, so this also proves the package loads from every entry point.)"""
    order = _dependency_order()
    r = subprocess.run([sys.executable, "-c", _CHILD, ",".join(order), *_third_party()], capture_output=True,
                       text=True, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "", r.stderr[-2000:]


def test_the_version_has_one_home():
    import checker
    from checker import _version

    assert checker.__version__ == _version.__version__
    assert 'attr = "checker._version.__version__"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    importlib.import_module("checker.pipeline")


def test_module_graph_script_runs(tmp_path):
    r = subprocess.run([sys.executable, str(Path(ROOT) / "bench" / "module_graph.py"), "--cycles"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert r.returncode == 0 and "0 cycle(s)" in r.stdout
