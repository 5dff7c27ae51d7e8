"""The walls of the house plan, checked by parsing every module's imports with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

import annotator

PACKAGE = Path(annotator.__file__).parent
HEAVY = ("jieba", "datasets", "pyarrow", "opencc", "textual")


def _modules() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 10, "the walk found too few modules to be trusted"
    return files


def _imports(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    """Every imported module name, with its node: import statements and import_module("...")."""
    found: list[tuple[str, ast.AST]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.args[0].value, node))
    return found


def _is(module: str, top: str) -> bool:
    return module == top or module.startswith(top + ".")


def test_no_module_outside_the_tui_imports_textual() -> None:
    offenders = []
    for path in _modules():
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "tui":
            continue
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        offenders += [
            f"{rel}:{getattr(node, 'lineno', 0)} imports {name}"
            for name, node in _imports(tree)
            if _is(name, "textual")
        ]
    # The TUI shell is launched from the CLI by a lazy import inside a function; that is the
    # only place outside annotator/tui/ allowed to reach it, and it must not import textual itself.
    assert offenders == []


def _top_level_imports(path: Path) -> list[tuple[str, int]]:
    """Imports that run when the module loads: not inside functions, not under TYPE_CHECKING."""
    found: list[tuple[str, int]] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
                continue
            if isinstance(node, ast.Import):
                found.extend((alias.name, node.lineno) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((node.module, node.lineno))
                found.extend((f"{node.module}.{alias.name}", node.lineno) for alias in node.names)
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    visit(
                        [n for n in inner if isinstance(n, ast.stmt)]
                        or [s for h in inner if isinstance(h, ast.ExceptHandler) for s in h.body]
                    )

    visit(ast.parse(path.read_text("utf-8"), filename=str(path)).body)
    return found


def _module_file(name: str) -> Path | None:
    parts = name.split(".")[1:]
    base = PACKAGE.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def test_help_and_validate_load_no_heavy_library_at_import_time() -> None:
    """Follow module-level imports from the CLI app and validate: none reaches a heavy library."""
    todo = [
        "annotator.cli.app",
        "annotator.cli.validate_cmd",
        "annotator.validate",
        "annotator.stats",
    ]
    seen: set[str] = set()
    offenders = []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        if path is None:
            continue
        for module, line in _top_level_imports(path):
            if any(_is(module, heavy) for heavy in HEAVY):
                offenders.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
            elif _is(module, "annotator"):
                todo.append(module)
                # `from annotator import store` names a submodule, and so do parents.
                parts = module.split(".")
                todo.extend(".".join(parts[:n]) for n in range(1, len(parts)))
    assert "annotator.workspace" in seen and "annotator.store" in seen  # the walk really walked
    assert offenders == []


def test_the_ast_walk_sees_nested_and_aliased_imports() -> None:
    """The checker itself can fail: it finds imports hidden in functions and try blocks."""
    source = (
        "def f():\n    try:\n        import textual.app as t\n    except ImportError:\n       "
        " pass\n"
        "from textual import on\nimportlib.import_module('textual.widgets')\n"
    )
    names = [name for name, _ in _imports(ast.parse(source))]
    assert names == ["textual.app", "textual", "textual.widgets"] or sorted(names) == sorted(
        ["textual.app", "textual", "textual.widgets"]
    )
