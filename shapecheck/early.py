"""Answers the command line gives before importing torch: a model file that is not there, a
model class named without `--input`. Importing torch and starting a worker takes 5-12 s; these
mistakes are a newcomer's first commands, and the answer is the same without them.

Only what is certain from the file system and the file's text is answered here; anything else is
left to the loader, which says the same words when it meets it.
"""

from __future__ import annotations

import ast
import os

from .errors import LoadError, SpecError

# Files the loader reads as saved models or programs rather than as Python.
SAVED = (".pt", ".pth", ".pt2", ".bin", ".ckpt", ".safetensors", ".ts", ".jit", ".torchscript")
NEEDS_INPUT_HINT = "pass --input with the per-sample dims, e.g. --input 3x224x224"


def check_target(target: str | None, inputs) -> None:
    """LoadError for a model file that does not exist; SpecError for `file.py:Name` given no
    --input (a model named in a file has no default input). Silent when it cannot be sure."""
    if not target:
        return
    path, _, name = target.partition(":")
    if (path in ("timm", "hf") and name) or not _names_a_file(path):
        return  # a hub model, a torchvision name, or package.module:Name
    if not os.path.exists(path):
        raise LoadError(f"no such file: {path}")
    if inputs is None and name and path.endswith(".py") and _defines(path, name):
        raise SpecError(f"{target} needs an input size", hint=NEEDS_INPUT_HINT)


def _names_a_file(path: str) -> bool:
    return path.endswith(".py") or path.lower().endswith(SAVED) or os.sep in path or "/" in path


def _defines(path: str, name: str) -> bool:
    """Whether the file defines `name` at its top level (a class, a function or an assignment)."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return False
    return any(name in _top_level_names(node) for node in tree.body)


def _top_level_names(node: ast.stmt) -> list[str]:
    """The names a top-level statement defines: a class's, a function's, or an assignment's."""
    if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    return []
