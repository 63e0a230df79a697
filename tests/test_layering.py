"""The layers import one way (docs: README "What is where"): the payment flow never touches textbook RSA."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "paycore"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules_under(*parts: str) -> list[Path]:
    root = PACKAGE.joinpath(*parts)
    return sorted(root.rglob("*.py")) if root.is_dir() else [root]


@pytest.mark.parametrize(
    "path",
    modules_under("payment")
    + modules_under("secure")
    + modules_under("tours", "payment_tour.py")
    + modules_under("tools", "serve.py"),
    ids=lambda path: str(path.relative_to(PACKAGE)),
)
def test_production_code_never_imports_teaching_code(path):
    forbidden = {
        name
        for name in imported_modules(path)
        if name.startswith(("paycore.textbook", "paycore.pkcs1", "paycore.attacks"))
    }
    assert not forbidden, f"{path.name} imports {forbidden}"


@pytest.mark.parametrize("path", modules_under("textbook"), ids=lambda path: path.name)
def test_textbook_depends_on_nothing_above_it(path):
    above = {
        name
        for name in imported_modules(path)
        if name.startswith("paycore.") and not name.startswith(("paycore.textbook", "paycore.errors"))
    }
    assert not above, f"{path.name} imports {above}"


@pytest.mark.parametrize("path", modules_under("pkcs1"), ids=lambda path: path.name)
def test_pkcs1_builds_only_on_textbook(path):
    above = {
        name
        for name in imported_modules(path)
        if name.startswith("paycore.")
        and not name.startswith(("paycore.textbook", "paycore.errors", "paycore.pkcs1"))
    }
    assert not above, f"{path.name} imports {above}"


def test_every_textbook_and_pkcs1_module_warns_in_its_docstring():
    for path in modules_under("textbook") + modules_under("pkcs1"):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        assert "HAZARDOUS" in docstring.upper() or "TEACHING CODE" in docstring.upper(), path.name
