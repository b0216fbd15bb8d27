"""The shape of the code (CONTRIBUTING.md): no function in ``src/`` over 80 code lines, every module
under 700 lines, and the import layers of ``pyproject.toml`` kept (import-linter).

Code lines are counted as the project's pre-stop hook counts them: lines holding a token that is
not a comment, a string (docstrings) or a line break. A function that is a transcribed numerical
table (a published tableau or coefficient list) may be longer: name it in ``TABLES``.
"""

from __future__ import annotations

import ast
import io
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "rendezvous"
MAX_FUNCTION_CODE_LINES = 80
MAX_MODULE_LINES = 700
"""A module must stay under this many lines (700 is already too many)."""
TABLES: set[str] = set()
"""``path:function`` of functions that are transcribed tables, exempt from the function size."""

_NOT_CODE = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.STRING,
    tokenize.ENDMARKER,
}


def code_lines(source: str) -> set[int]:
    """Line numbers that hold code (not only comments, strings or blanks)."""
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in _NOT_CODE:
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return lines


def oversized(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    rel = path.relative_to(ROOT).as_posix()
    found = []
    n = len(source.splitlines())
    if n >= MAX_MODULE_LINES:
        found.append(f"{rel}: {n} lines (under {MAX_MODULE_LINES}; split along its seams)")
    code = code_lines(source)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            end = node.end_lineno or node.lineno
            k = sum(1 for line in range(node.lineno, end + 1) if line in code)
            if k > MAX_FUNCTION_CODE_LINES and f"{rel}:{node.name}" not in TABLES:
                found.append(f"{rel}:{node.lineno} {node.name}: {k} code lines")
    return found


def test_code_line_count_skips_docstrings_comments_and_blanks():
    source = "\n".join(
        [
            "def f(x):",
            '    """Doc.',
            "",
            "    More doc.",
            '    """',
            "    # why",
            "",
            "    return (x +",
            "        1)",
        ]
    )
    assert sorted(code_lines(source)) == [1, 8, 9]


@pytest.mark.parametrize(
    "path", sorted(SRC.rglob("*.py")), ids=lambda p: p.relative_to(SRC).as_posix()
)
def test_module_and_function_sizes(path):
    assert oversized(path) == []


def test_layers_are_kept():
    """``lint-imports`` (import-linter) with the contracts of pyproject.toml: physics below the
    flight phases, below the mission, below window and dispersions, below presentation, below the
    command line; the core never imports matplotlib."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed (pip install '.[test]')")
    res = subprocess.run(
        [exe, "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": str(Path(sys.executable).parent)},
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
