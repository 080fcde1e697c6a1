"""The house rules of the application code, read from the source with ``ast`` (nothing of the app is imported).

- no application file over 600 lines (migrations aside);
- no function-level import outside ``tasks.py`` modules and ``AppConfig.ready``;
- no import cycle between the modules of one app (module-level imports, relative ones resolved);
- every module starts with a docstring.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = (
    "motcua",
    "thutuc",
    "hoso",
    "baocao",
    "tructuyen",
    "congdan",
    "devidp",
    "lienthong",
    "vanhanh",
    "thanhtoan",
    "phananh",
    "kyso",
)
MAX_LINES = 600


def application_files() -> list[Path]:
    files = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                files.append(path)
    return files


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _lengths() -> dict[str, int]:
    return {rel(path): len(path.read_text(encoding="utf-8").splitlines()) for path in application_files()}


def test_no_application_file_is_over_600_lines():
    long = [f"{name}: {n} lines" for name, n in _lengths().items() if n > MAX_LINES]
    assert not long, "Files over 600 lines (split them by responsibility):\n" + "\n".join(long)


def _is_app_config(node: ast.ClassDef) -> bool:
    return any(
        (isinstance(base, ast.Name) and base.id == "AppConfig")
        or (isinstance(base, ast.Attribute) and base.attr == "AppConfig")
        for base in node.bases
    )


def _function_level_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, enclosing function) of every import inside a function, except in ``AppConfig.ready``."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, function: str | None, allowed: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                if function is not None and not allowed:
                    found.append((child.lineno, function))
            elif isinstance(child, ast.ClassDef):
                visit(child, function, allowed or (function is None and _is_app_config(child)))
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                in_ready = allowed and function is None and child.name == "ready" and isinstance(node, ast.ClassDef)
                visit(child, function or child.name, in_ready or (allowed and function is not None))
            else:
                visit(child, function, allowed)

    visit(tree, None, False)
    return found


def _lazy_imports() -> list[tuple[str, int, str]]:
    return [
        (rel(path), line, function)
        for path in application_files()
        if path.name != "tasks.py"
        for line, function in _function_level_imports(parse(path))
    ]


def test_no_function_level_import_outside_task_modules():
    offenders = [f"{name}:{line} in {function}()" for name, line, function in _lazy_imports()]
    assert not offenders, "Function-level imports (only tasks.py and AppConfig.ready may):\n" + "\n".join(offenders)


def _module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports run when the module loads: top level and inside top-level if/try (not under TYPE_CHECKING)."""
    imports: list[ast.Import | ast.ImportFrom] = []

    def visit(body: list[ast.stmt]) -> None:
        for statement in body:
            if isinstance(statement, ast.Import | ast.ImportFrom):
                imports.append(statement)
            elif isinstance(statement, ast.If):
                test = statement.test
                if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                    isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
                ):
                    visit(statement.orelse)
                    continue
                visit(statement.body)
                visit(statement.orelse)
            elif isinstance(statement, ast.Try):
                visit(statement.body)
                for handler in statement.handlers:
                    visit(handler.body)
                visit(statement.orelse)
                visit(statement.finalbody)

    visit(tree.body)
    return imports


def import_graph(app: str) -> dict[str, set[str]]:
    """Module → the modules of the same app it imports at load time."""
    paths = {module_name(p): p for p in application_files() if module_name(p).split(".")[0] == app}
    modules = set(paths)

    def resolve(name: str) -> str | None:
        # The longest module of the app that ``name`` names (``hoso.models.Dossier`` → ``hoso.models``).
        while name:
            if name in modules:
                return name
            name = name.rpartition(".")[0]
        return None

    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in paths.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in _module_level_imports(parse(path)):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # ``from pkg import mod`` imports the submodule; ``from mod import name`` the module.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
                ]
            for target in targets:
                found = resolve(target)
                if found and found != module:
                    graph[module].add(found)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                connect(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return components


def test_no_import_cycle_inside_an_app():
    found = [" ↔ ".join(component) for app in APPS for component in cycles(import_graph(app))]
    assert not found, "Import cycles between modules of one app:\n" + "\n".join(found)


def test_every_module_starts_with_a_docstring():
    missing = [
        rel(path)
        for path in application_files()
        if path.read_text(encoding="utf-8").strip() and ast.get_docstring(parse(path)) is None
    ]
    assert not missing, "Modules without a first-line docstring:\n" + "\n".join(missing)
