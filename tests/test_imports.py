"""The import rules, checked from the source with `ast` so they hold from now on.

- Every first-party package has a place in `LAYERS`, and imports only from
  its own package or from the layers below it: arrows point down only, so the
  apps form no cycle (docs/architecture.md, "Layers").
- No cycle between the modules of one app either, counting the package
  `__init__` modules an import runs on the way.
- No first-party import inside a function (they hide cycles), except in an
  `AppConfig.ready()`, Django's place for importing signal and check modules.
- `aac/` and `aacsim/` import no Django and none of the portal's apps.
- Production code never imports `aacsim/`.

Tests and benchmarks may import anything from anywhere (and inside functions:
the benchmarks configure Django per process before importing it).
"""

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_FOLDERS = {
    ".venv",
    "var",
    "static",
    "staticfiles",
    "build",
    "node_modules",
    "mutants",
}

# From the top down; a package imports only its own modules and those of the
# layers below its own. Names in a layer are beside each other: they never
# import each other: `api` beside `pages`, `actions` and `attention` between
# `pages` and `schedules`, `activity` near the bottom.
LAYERS = (
    ("manage", "demo"),  # entry points
    ("aacportal",),  # settings, URLs, the Celery app
    ("pages", "accounts", "health", "api"),  # what people see, by audience
    ("actions", "attention"),  # acting on AAC; rules and findings, digest, metrics
    ("schedules",),
    ("workspaces",),
    ("aacsim",),  # the simulator speaks through the client's types
    ("activity",),  # the activity log: anything may record into it
    ("aac", "lib"),
)
# Free to import anything: they test or measure the rest.
TOOLS = ("tests", "bench", "mutation")
DJANGO_FREE = ("aac", "aacsim")


@dataclass(frozen=True)
class Import:
    importer: str  # module name
    target: str  # module name, first-party
    line: int
    in_function: bool
    in_ready: bool

    @property
    def where(self) -> str:
        return f"{self.importer}:{self.line} imports {self.target}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> dict[str, Path]:
    files = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).parts
        if relative[0] in SKIPPED_FOLDERS or relative[0].startswith("."):
            continue
        files[module_name(path)] = path
    return files


MODULES = source_files()
PACKAGES = {name for name, path in MODULES.items() if path.name == "__init__.py"}
FIRST_PARTY = {name.split(".")[0] for name in MODULES}


def app_of(module: str) -> str:
    return module.split(".")[0]


def is_production(module: str) -> bool:
    return app_of(module) not in TOOLS


class _Visitor(ast.NodeVisitor):
    """Every import of a module, with whether it sits inside a function."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.functions: list[str] = []
        self.found: list[tuple[str, int, bool, bool]] = []
        self.package = module if module in PACKAGES else module.rpartition(".")[0]

    def visit_FunctionDef(self, node):
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Import(self, node):
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node):
        base = node.module or ""
        if node.level:
            anchor = self.package.split(".")[
                : len(self.package.split(".")) - (node.level - 1)
            ]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            self._add(submodule if submodule in MODULES else base, node.lineno)

    def _add(self, target: str, line: int) -> None:
        in_ready = bool(self.functions) and self.functions[-1] == "ready"
        self.found.append((target, line, bool(self.functions), in_ready))


def imports_of(module: str) -> list[Import]:
    tree = ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))
    visitor = _Visitor(module)
    visitor.visit(tree)
    return [
        Import(module, target, line, in_function, in_ready)
        for target, line, in_function, in_ready in visitor.found
    ]


ALL_IMPORTS = [found for module in sorted(MODULES) for found in imports_of(module)]
FIRST_PARTY_IMPORTS = [i for i in ALL_IMPORTS if app_of(i.target) in FIRST_PARTY]


def rank(app: str) -> int:
    return next(n for n, layer in enumerate(LAYERS) if app in layer)


def module_graph() -> dict[str, set[str]]:
    """Production modules -> the modules importing them runs, top-level imports only.

    Importing `a.b.c` also runs the packages `a` and `a.b`; a package the
    importer itself lives in is already being run, so it adds no edge.
    """
    graph = defaultdict(set)
    for found in FIRST_PARTY_IMPORTS:
        if found.in_function or not is_production(found.importer):
            continue
        parts = found.target.split(".")
        for depth in range(1, len(parts) + 1):
            target = ".".join(parts[:depth])
            inside = found.importer == target or found.importer.startswith(f"{target}.")
            if target in MODULES and not inside:
                graph[found.importer].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_first_party_package_has_a_place_in_the_layers():
    placed = {app for layer in LAYERS for app in layer} | set(TOOLS)
    assert FIRST_PARTY - placed == set()


def test_apps_import_only_from_the_layers_below_them():
    upward = [
        found.where
        for found in FIRST_PARTY_IMPORTS
        if is_production(found.importer)
        and app_of(found.importer) != app_of(found.target)
        and rank(app_of(found.importer)) >= rank(app_of(found.target))
    ]
    assert upward == []


def test_there_is_no_import_cycle_between_apps():
    apps = defaultdict(set)
    for importer, targets in module_graph().items():
        apps[app_of(importer)] |= {app_of(t) for t in targets} - {app_of(importer)}
    assert cycles(apps) == []


def test_there_is_no_import_cycle_between_the_modules_of_an_app():
    assert cycles(module_graph()) == []


def test_no_first_party_import_hides_inside_a_function():
    hidden = [
        found.where
        for found in FIRST_PARTY_IMPORTS
        if found.in_function and not found.in_ready and is_production(found.importer)
    ]
    assert hidden == []


@pytest.mark.parametrize("package", DJANGO_FREE)
def test_the_client_and_the_simulator_import_no_django(package):
    portal = FIRST_PARTY - {*DJANGO_FREE, *TOOLS}
    forbidden = [
        found.where
        for found in ALL_IMPORTS
        if app_of(found.importer) == package
        and app_of(found.target) in {"django", "celery", *portal}
    ]
    assert forbidden == []


def test_production_code_never_imports_the_simulator():
    imports = [
        found.where
        for found in FIRST_PARTY_IMPORTS
        if app_of(found.target) == "aacsim"
        and app_of(found.importer) not in {"aacsim", *TOOLS}
    ]
    assert imports == []


def test_the_checks_see_the_imports_they_judge():
    """A rule that finds nothing because nothing was read would pass vacuously."""
    assert {"aac", "aacportal", "pages", "schedules", "workspaces"} <= FIRST_PARTY
    assert "pages.views.sync" in module_graph()
    assert "workspaces.access" in module_graph()["pages.views.sync"]
    upward = Import("workspaces.models", "pages.views.sync", 1, False, False)
    assert rank(app_of(upward.importer)) > rank(app_of(upward.target))
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c"]]
