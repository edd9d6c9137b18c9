"""No biometrics module imports back a module that imports it (services <-> tasks, the search
base <-> its back-ends were such cycles), and the tasks do not import the Celery wiring (bmis):
tasks import services, services send tasks by name. The same check as grimp's, on the source."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _graph() -> dict[str, set[str]]:
    files = [p for p in APP.rglob("*.py") if "migrations" not in p.parts and "tests" not in p.parts]
    modules = {_module_name(p): p for p in files}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            edges |= {t for t in targets if t.split(".")[0] in ("biometrics", "bmis")}
        graph[name] = edges - {name}
    return graph


def _reaches(graph, start: str, goal: str) -> list[str] | None:
    seen, stack = {start}, [(start, [start])]
    while stack:
        node, chain = stack.pop()
        for nxt in graph.get(node, ()):
            if nxt == goal:
                return [*chain, nxt]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*chain, nxt]))
    return None


def test_no_module_imports_back():
    graph = _graph()
    assert "biometrics.services.face.capture" in graph and "biometrics.search.factory" in graph
    cycles = []
    for module, imported in sorted((m, i) for m, edges in graph.items() for i in edges if i.startswith("biometrics")):
        back = _reaches(graph, imported, module)
        if back:
            cycles.append(" -> ".join([module, *back]))
    assert not cycles, cycles


def test_tasks_do_not_import_the_wiring_and_services_do_not_import_tasks():
    graph = _graph()
    for name, edges in graph.items():
        if name.startswith("biometrics.tasks"):
            assert not any(e.startswith("bmis") for e in edges), name
        if name.startswith("biometrics.services"):
            assert not any(e.startswith("biometrics.tasks") for e in edges), name
