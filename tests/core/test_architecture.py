"""The pipeline runs one way (docs/architecture.md): load → spec → model → targets → write, with
the CLI, the library API and the review tools on top. A module imports only from its own stage or
an earlier one, and no set of modules imports itself in a circle. Imports are read from the source
(every `import`, also those inside functions), not by running it."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "slogen"

# Stage of each top-level module or package of slogen: a module may import stages <= its own.
STAGES = {
    # 0: leaves shared by every stage (names, numbers, PromQL text, YAML text, the output-file type)
    "diagnostics": 0, "durations": 0, "conventions": 0, "promql": 0, "prose": 0, "series": 0, "yamlout": 0,
    "files": 0, "numbers": 0, "groups": 0, "live": 0,
    "load": 1,                                                  # files → data with positions
    "spec": 2, "formats": 2, "sli": 2, "thresholds": 2,        # data → typed specs (one module per kind)
    "model": 3, "checks": 3,                                    # specs → the frozen model, checked
    "targets": 4,                                               # model → File documents
    "write": 5,                                                 # File → bytes in out/, the build record
    "parallel": 6, "api": 6, "progress": 6, "cli": 6, "review": 6, "status": 6, "__main__": 6, "__init__": 0,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (PACKAGE.parent / rel).with_suffix(".py").is_file() or (PACKAGE.parent / rel / "__init__.py").is_file()


def imports_of(path: Path) -> set[str]:
    """slogen modules imported anywhere in the file (`from a import b` is a.b when b is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                found.add(sub if is_module(sub) else node.module)
    return {m for m in found if m == "slogen" or m.startswith("slogen.")}


GRAPH = {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def stage(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    assert top in STAGES, f"slogen/{top}: give it a stage in STAGES and a row in docs/architecture.md"
    return STAGES[top]


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_follow_the_pipeline(module):
    backwards = sorted(m for m in GRAPH[module] if stage(m) > stage(module))
    assert not backwards, f"{module} (stage {stage(module)}) imports a later stage: {backwards}"


def test_no_import_cycles():
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in GRAPH.get(v, ()):
                cycles.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    assert not cycles, f"modules that import each other: {cycles}"


def test_every_stage_is_documented():
    doc = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = sorted(top for top in STAGES if top not in ("__init__", "__main__") and f"`{top}" not in doc)
    assert not missing, f"docs/architecture.md does not mention {missing}"
