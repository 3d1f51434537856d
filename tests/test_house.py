"""The house rules of the package (issue 22): short modules and functions, and no global state on import.

A function longer than :data:`MOST_CODE_LINES` lines of code (docstring and blank lines not counted) carries
its reason in a comment right above it that says "Kept long".
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "c5map"
MOST_MODULE_LINES = 600
MOST_CODE_LINES = 80
MODULES = sorted(SRC.rglob("*.py"))


def _code_lines(node: ast.AST, lines: list[str]) -> int:
    body = lines[node.lineno - 1 : node.end_lineno]
    doc = ast.get_docstring(node, clean=False)
    return sum(1 for line in body if line.strip()) - (len(doc.splitlines()) if doc else 0)


def _reason_above(node: ast.AST, lines: list[str]) -> bool:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    above = []
    for line in reversed(lines[: first - 1]):
        if not line.strip().startswith("#"):
            break
        above.append(line)
    return any("Kept long" in line for line in above)


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_modules_and_functions_are_short(module):
    text = module.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) <= MOST_MODULE_LINES, f"{module.name}: {len(lines)} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            n = _code_lines(node, lines)
            assert n <= MOST_CODE_LINES or _reason_above(node, lines), f"{module.name}:{node.lineno} {node.name}: {n}"


def test_the_rule_is_not_vacuous():
    assert len(MODULES) > 50
    long = "def f():\n" + "    x = 1\n" * (MOST_CODE_LINES + 1)
    node = ast.parse(long).body[0]
    assert _code_lines(node, long.splitlines()) > MOST_CODE_LINES
    assert not _reason_above(node, long.splitlines())
    kept = "# Kept long: one table\n" + long
    assert _reason_above(ast.parse(kept).body[0], kept.splitlines())
