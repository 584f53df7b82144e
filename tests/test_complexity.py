"""ruff's C901 ceiling (pyproject's `max-complexity`) only goes down: it is the most complex
function's count, so a new function cannot be more branchy than the worst one, and a split that
makes the worst one simpler lowers the ceiling with it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from shapecheck.config import tomllib  # tomli on Python 3.10

ROOT = Path(__file__).resolve().parent.parent


def _ceiling() -> int:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["ruff"]["lint"]["mccabe"]["max-complexity"]


def _too_complex(limit: int) -> list[str]:
    ruff = pytest.importorskip("ruff.__main__")
    found = subprocess.run(
        [
            ruff.find_ruff_bin(),
            "check",
            "--select",
            "C901",
            "--config",
            f"lint.mccabe.max-complexity={limit}",
            "--output-format",
            "concise",
            "--no-cache",
            str(ROOT / "shapecheck"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in found.stdout.splitlines() if "C901" in line]


def test_the_complexity_ceiling_is_the_worst_function():
    ceiling = _ceiling()
    assert _too_complex(ceiling) == [], "a function is above the ceiling: split it along its cases"
    assert _too_complex(ceiling - 1), f"no function reaches {ceiling} any more: lower max-complexity"


def test_each_command_is_its_options_and_a_short_body():
    """A CLI command declares its options and hands the work on: at most 80 lines, decorator to end."""
    import ast

    tree = ast.parse((ROOT / "shapecheck" / "cli.py").read_text(encoding="utf-8"))
    commands = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any(isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "command" for d in node.decorator_list)
    ]
    assert commands
    long = {n.name: n.end_lineno - n.decorator_list[0].lineno + 1 for n in commands}
    assert max(long.values()) <= 80, long
