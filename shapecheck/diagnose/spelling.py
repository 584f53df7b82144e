"""Fix code in the names the user's file imports.

Rules write torch names one way (`nn.Flatten(1)`, `F.interpolate(...)`, `torch.flatten(...)`).
Before a fix is shown, each of those names is spelled the way the file that the fix goes into
can reach it: `Flatten(1)` after `from torch.nn import Flatten`, `torch.nn.Flatten(1)` when
only `import torch` is there. When the file cannot reach it at all, the import line to add
comes with the fix.
"""

from __future__ import annotations

import ast
import functools
import os
import re

from .findings import FixKind

# A torch name as rules write it: its prefix, then the attribute path.
_NAME = re.compile(r"(?<![\w.])(torch\.nn\.functional|torch\.nn|nn\.functional|torch|nn|F)\.([A-Za-z_]\w*)")
_QUALIFIED = {
    "torch.nn.functional": "torch.nn.functional",
    "torch.nn": "torch.nn",
    "torch": "torch",
    "nn.functional": "torch.nn.functional",
    "nn": "torch.nn",
    "F": "torch.nn.functional",
}
# When the file reaches none of it: the usual alias and its import line, longest module first.
_DEFAULT = (
    ("torch.nn.functional", "F", "import torch.nn.functional as F"),
    ("torch.nn", "nn", "import torch.nn as nn"),
    ("torch", "torch", "import torch"),
)


@functools.lru_cache(maxsize=64)
def _imports(path: str, mtime: float) -> tuple[dict[str, str], frozenset[str], frozenset[str]] | None:
    """(qualified name → the local name bound to it, every name bound at the top of the file,
    the modules the file imports names from)."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None
    bound: dict[str, str] = {}
    names: set[str] = set()
    sources: set[str] = set()
    for node in _module_scope(tree.body):
        if isinstance(node, ast.Import):
            pairs = [(a.name, a.asname) if a.asname else (a.name.split(".")[0],) * 2 for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            sources.add(node.module)
            pairs = [_from_import(node.module, alias) for alias in node.names]
        else:
            continue
        for qualified, local in pairs:
            bound.setdefault(qualified, local)
            if local:
                names.add(local)
    return bound, frozenset(names | _defined(tree.body)), frozenset(sources)


def _defined(body: list[ast.stmt]) -> set[str]:
    """The functions, classes and plainly assigned names of the file's top level."""
    names: set[str] = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _from_import(module: str, alias: ast.alias) -> tuple[str, str]:
    """(`module.name`, the local name) for `from module import name [as local]`; a star import
    binds `module.*` to no name."""
    if alias.name == "*":
        return f"{module}.*", ""
    return f"{module}.{alias.name}", alias.asname or alias.name


def _module_scope(body: list[ast.stmt]):
    """The statements that run when the file is imported, at module scope: into `if`, `try`
    and `with` blocks, but not into functions and classes (their imports are local) nor a
    `if __name__ == "__main__":` block (it does not run on import)."""
    for node in body:
        yield node
        if isinstance(node, ast.If) and _is_main_guard(node.test):
            yield from _module_scope(node.orelse)
            continue
        if isinstance(node, (ast.If, ast.Try, ast.With, ast.ExceptHandler)):
            for name in ("body", "handlers", "orelse", "finalbody"):
                yield from _module_scope(getattr(node, name, []))


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def file_imports(path: str | None):
    if not path or not os.path.isfile(path):
        return None
    try:
        return _imports(path, os.path.getmtime(path))
    except OSError:
        return None


def spell(qualified: str, imports) -> tuple[str, str | None]:
    """How a file with these imports names `qualified` (`torch.nn.Flatten`), and the import line
    it needs first (None when it already reaches the name). A file that imports names from the
    same module (`from torch.nn import Conv2d, Linear`) gets the bare name and one more of those."""
    bound, names, sources = imports
    if qualified in bound:
        return bound[qualified], None
    parts = qualified.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module, rest = ".".join(parts[:cut]), ".".join(parts[cut:])
        if module in bound:
            return f"{bound[module]}.{rest}", None
        if f"{module}.*" in bound and cut == len(parts) - 1:
            return rest, None
    module, _, last = qualified.rpartition(".")
    if module in sources and last not in names:
        return last, f"from {module} import {last}"
    for module, alias, line in _DEFAULT:
        if qualified.startswith(module + ".") and (alias not in names or alias == "torch"):
            return f"{alias}.{qualified[len(module) + 1 :]}", line
    return qualified, "import torch"


def respell(code: str, imports, keep: str = "") -> tuple[str, list[str]]:
    """`code` with each torch name spelled for the file, and the import lines it needs. Names
    that also appear in `keep` (the user's own line) are left as the user wrote them."""
    kept = {m.group(0) for m in _NAME.finditer(keep)}
    needed: list[str] = []

    def replace(match: re.Match) -> str:
        if match.group(0) in kept:
            return match.group(0)
        name, line = spell(f"{_QUALIFIED[match.group(1)]}.{match.group(2)}", imports)
        if line and line not in needed:
            needed.append(line)
        return name

    return _NAME.sub(replace, code), needed


def apply(fix, file: str | None) -> None:
    """Spell a fix's code, its edited line and its description for the file it goes into."""
    imports = file_imports(file)
    if imports is None:
        return
    keep = fix.before or (fix.location.source if fix.location and fix.location.source else "")
    needed: list[str] = []
    if fix.code and fix.kind == FixKind.EDIT:
        fix.code, lines = respell(fix.code, imports, keep)
        needed += lines
    if fix.after:
        fix.after, lines = respell(fix.after, imports, keep)
        needed += lines
    fix.description = re.sub(r"`([^`]*)`", lambda m: "`" + respell(m.group(1), imports, keep)[0] + "`", fix.description)
    fix.imports = list(dict.fromkeys(fix.imports + needed))
