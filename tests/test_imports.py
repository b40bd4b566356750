"""The package's modules import each other one way: no cycle, not even through a function-local import.

Every ``import`` of a b12risk module counts, at module level or inside a function; only
imports under ``if TYPE_CHECKING:`` (never run) are left out. The root package's
``__init__`` re-exports the public API from below, so it is a source only.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "b12risk"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    return skip


def imports_of(name: str) -> set[str]:
    tree = ast.parse(MODULES[name].read_text())
    skip = _type_checking_nodes(tree)
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.add(full if full in MODULES else base)
    return {m for m in out if m in MODULES and m != name and m != "b12risk"}


GRAPH = {name: imports_of(name) for name in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_graph_sees_function_local_imports():
    # predict imports the recalibration inside _log_odds(): the walk must see it, or it could miss a cycle
    assert "b12risk.modelling.calibration" in GRAPH["b12risk.serving.predict"]
    assert "b12risk.serving.runtime" in GRAPH["b12risk.serving.explain"]


def test_no_module_imports_one_that_imports_it_back():
    cycle = find_cycle(GRAPH)
    assert cycle is None, " -> ".join(cycle)


@pytest.mark.parametrize(
    ("upstream", "downstream"),
    [
        ("b12risk.knowledge", "b12risk.simulation.cohort"),
        ("b12risk.simulation.cohort", "b12risk.modelling.training"),
        ("b12risk.simulation.cohort", "b12risk.nhanes.validation"),
        ("b12risk.serving.predict", "b12risk.modelling.training"),
        ("b12risk.serving.predict", "b12risk.simulation.cohort"),
        ("b12risk.modelling.training", "b12risk.nhanes.validation"),
        ("b12risk.nhanes.adapter", "b12risk.modelling.training"),
    ],
)
def test_data_flows_one_way(upstream, downstream):
    seen, todo = set(), [upstream]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(GRAPH[node])
    assert downstream not in seen, f"{upstream} reaches {downstream}"


#: The stages in import order: a module may import its own stage and those before it,
#: never one after. (The registry stores what training produces, so training imports it;
#: nhanes validates a trained model through serving; reporting shows all of it; fhir reads
#: records into predict() input, and cds serves predictions of them.)
STAGES = (
    "knowledge",
    "validation",
    "simulation",
    "registry",
    "modelling",
    "serving",
    "fhir",
    "cds",
    "nhanes",
    "reporting",
    "scale",
    "cli",
)


def _stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


def test_every_stage_imports_only_the_stages_before_it():
    wrong = []
    for name, targets in GRAPH.items():
        here = _stage(name)
        if here is None:
            continue
        wrong += [f"{name} -> {t}" for t in sorted(targets) if (_stage(t) or 0) > here]
    assert not wrong, "\n".join(wrong)


def test_shared_modules_outside_the_stages_import_no_stage():
    # errors, logodds, paths, words, _version: the ground every stage stands on
    for name, targets in GRAPH.items():
        if name.count(".") == 1 and _stage(name) is None and name != "b12risk.calibration":
            assert not [t for t in targets if _stage(t) is not None], name


#: Libraries of the optional extras (fhir, serve): loaded only by the code that uses them.
OPTIONAL = ("fhir", "ucumvert", "pint", "lark", "fastapi", "starlette", "uvicorn", "jwt", "httpx", "cryptography")


@pytest.mark.parametrize("module", ["b12risk", "b12risk.cli", "b12risk.fhir", "b12risk.cds", "b12risk.cli.serve"])
def test_importing_loads_no_optional_library(module):
    import subprocess
    import sys

    code = f"import sys, {module}; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({OPTIONAL!r})))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]", f"import {module} loads {res.stdout.strip()}"


def test_the_fhir_and_cds_stages_sit_between_serving_and_nhanes():
    assert "b12risk.fhir.convert" in GRAPH and "b12risk.cds.hooks" in GRAPH
    assert "b12risk.fhir" not in {t.rpartition(".")[0] for t in GRAPH["b12risk.serving.predict"]}
    assert "b12risk.fhir.convert" in GRAPH["b12risk.cds.hooks"] or "b12risk.fhir" in GRAPH["b12risk.cds.hooks"]
