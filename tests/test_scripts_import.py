"""The benchmarks and scripts import names that exist: they run outside the test suite,
so a moved function would otherwise go unnoticed until someone measures."""

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted([*ROOT.glob("benchmarks/*.py"), *ROOT.glob("scripts/*.py")])


def _b12risk_imports(path: Path) -> list[tuple[str, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "b12risk":
            out += [(node.module, alias.name) for alias in node.names]
    # code run in subprocesses is kept in strings: read those too
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "from b12risk" in node.value:
            try:
                out += _imports_in(node.value)
            except SyntaxError:
                continue
    return out


def _imports_in(code: str) -> list[tuple[str, str]]:
    tree = ast.parse(code)
    return [
        (n.module, a.name)
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module and n.module.split(".")[0] == "b12risk"
        for a in n.names
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_b12risk_name_a_script_imports_exists(path):
    missing = []
    for module, name in _b12risk_imports(path):
        mod = importlib.import_module(module)
        if not hasattr(mod, name):
            try:
                importlib.import_module(f"{module}.{name}")
            except ImportError:
                missing.append(f"{module}.{name}")
    assert not missing, missing
