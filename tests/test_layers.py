"""The import directions the README's Layout section gives: each layer imports only the layers below it,
nothing imports in a circle, and only the Excel add-in (and its two entry points) imports xlwings."""
import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGES = ("churn_logic", "addin", "workbook_templates")
# what each layer may import (besides itself, the standard library and third-party packages)
ALLOWED = {
    "churn_logic": set(),
    "workbook_templates": set(),
    "addin.errors": set(),
    "addin.ooxml": set(),
    "addin.content": {"churn_logic", "addin.ooxml"},
    "addin.sources": {"churn_logic", "addin.errors", "addin.content", "addin.ooxml"},
    "addin.workbooks": {"churn_logic", "addin.errors", "addin.ooxml", "addin.content", "addin.sources"},
    "addin.tasks": {"churn_logic", "addin.errors", "addin.ooxml", "addin.content", "addin.sources", "addin.workbooks"},
    "addin.report": {"churn_logic", "addin.errors", "addin.ooxml", "addin.content", "addin.sources",
                     "addin.workbooks", "addin.tasks", "workbook_templates"},
    "addin.excel": {"churn_logic", "addin.errors", "addin.content", "addin.sources", "addin.workbooks",
                    "addin.tasks", "addin.report", "addin.ooxml"},
    "addin.cli": {"churn_logic", "addin.errors", "addin.ooxml", "addin.content", "addin.sources", "addin.workbooks",
                  "addin.tasks", "addin.report", "addin.excel", "workbook_templates"},
    "addin.ribbon": {"addin.excel"},
    "addin.udfs": {"addin.excel"},
}
XLWINGS_ALLOWED = ("addin.excel", "addin.ribbon", "addin.udfs")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """{module: the modules of churnkit's packages (and xlwings) it imports}."""
    found = defaultdict(set)
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            module = _module_name(path)
            package_of = module if path.name == "__init__.py" else module.rpartition(".")[0]
            tree = ast.parse(path.read_text(encoding="utf-8"))
            typing_only = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.If)
                           and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
                           for child in node.body for inner in ast.walk(child)}     # not imported when run
            for node in ast.walk(tree):
                if id(node) in typing_only:
                    continue
                if isinstance(node, ast.ImportFrom):
                    base = node.module or ""
                    if node.level:
                        anchor = package_of.split(".")[:len(package_of.split(".")) - node.level + 1]
                        base = ".".join(anchor + ([base] if base else []))
                    names = [f"{base}.{alias.name}" for alias in node.names]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                found[module] |= {n for n in names if n.split(".")[0] in (*PACKAGES, "xlwings")}
    return found


def _layer(module: str) -> str:
    return max((layer for layer in ALLOWED if module == layer or module.startswith(layer + ".")), key=len,
               default=module)


def test_every_module_belongs_to_a_layer():
    unplaced = sorted(m for m in _imports() if _layer(m) not in ALLOWED)
    assert unplaced == [], f"modules outside the layers of the README: {unplaced}"


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for module, imported in _imports().items():
        layer = _layer(module)
        for name in imported:
            target = _layer(name)
            if target in ALLOWED and target != layer and target not in ALLOWED[layer]:
                wrong.append(f"{module} imports {name}")
    assert wrong == []


def test_only_the_excel_add_in_imports_xlwings():
    importers = sorted(m for m, imported in _imports().items() if any(n.split(".")[0] == "xlwings" for n in imported))
    assert all(m.startswith(XLWINGS_ALLOWED) for m in importers), importers


def test_no_module_imports_in_a_circle():
    graph = {module: {_owner(name) for name in names} - {module, None} for module, names in _imports().items()}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(module: str, path: list[str]) -> bool:
        state[module] = 1
        for nxt in graph.get(module, ()):
            if state.get(nxt) == 1:
                cycle.extend(path[path.index(nxt):] + [nxt] if nxt in path else [module, nxt])
                return True
            if state.get(nxt) is None and visit(nxt, path + [nxt]):
                return True
        state[module] = 2
        return False

    for module in graph:
        if state.get(module) is None and visit(module, [module]):
            break
    assert cycle == [], " -> ".join(cycle)


def _owner(name: str) -> str | None:
    """The module a dotted import name lives in (``addin.ooxml.package.WorkbookPackage`` -> its module)."""
    modules = set(_modules())
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _modules() -> list[str]:
    return [_module_name(path) for package in PACKAGES for path in (ROOT / package).rglob("*.py")]


def test_the_rest_imports_the_engine_only_through_its_package():
    reaching = []
    for package in ("addin", "workbook_templates"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                    [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
                reaching += [f"{_module_name(path)} imports {name}" for name in names
                             if name.startswith("churn_logic.")]
    assert reaching == []
