"""Where a live module's layers were built, read from its classes' source.

`shapecheck file.py:Net` notes the line that assigns each layer while it builds the model. A
module handed over alive (`check(model)`, `summary()`, the pytest plugin, a notebook) was built
before shapecheck saw it, so the same lines are found in the source of each parent's class: the
statement `self.NAME = ...` (or `self.add_module("NAME", ...)`) in any of its methods, or in a
base class of the user's. Findings then point at `self.fc1 = nn.Linear(16 * 6 * 6, 120)` as
they do from the command line, and fixes edit that line.
"""

from __future__ import annotations

import ast
import linecache
import weakref
from collections.abc import Iterator
from functools import lru_cache


def _class_file(cls: type) -> str | None:
    """The file a class was defined in, from its functions' code: for a class of a script run
    as __main__, `inspect` would look in whatever module is __main__ now."""
    for value in vars(cls).values():
        code = getattr(value, "__code__", None)
        if code is not None:
            return code.co_filename
    return None


@lru_cache(maxsize=256)
def _class_assignments(cls: type) -> dict[str, tuple[str, int]]:
    """{attribute: (file, line)} for `self.attribute = ...` in the class's own methods."""
    filename = _class_file(cls)
    if filename is None:
        return {}
    first_lines = {v.__code__.co_firstlineno for v in vars(cls).values() if hasattr(v, "__code__")}
    from ..trace.sources import source_tree

    tree = source_tree(filename)
    if tree is None:
        return {}
    found: dict[str, tuple[str, int]] = {}
    for definition in ast.walk(tree):
        if isinstance(definition, ast.ClassDef) and _defines(definition, cls, first_lines):
            for name, line in _assigned_attributes(definition):
                found.setdefault(name, (filename, line))
    return found


def _defines(definition: ast.ClassDef, cls: type, first_lines: set[int]) -> bool:
    """Whether this class statement is the one that made `cls`: its name, and a method that
    starts (at its first decorator) where one of the class's functions does."""
    if definition.name != cls.__name__:
        return False
    methods = [n for n in definition.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return any(min([m.lineno] + [d.lineno for d in m.decorator_list]) in first_lines for m in methods)


def _assigned_attributes(definition: ast.ClassDef) -> Iterator[tuple[str, int]]:
    """(name, line) for each `self.name = ...` and `add_module("name", ...)` in the class."""
    for node in ast.walk(definition):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if _is_self_attribute(target):
                    yield target.attr, node.lineno  # type: ignore[attr-defined]
        elif isinstance(node, ast.Call):
            name = _added_module(node)
            if name is not None:
                yield name, node.lineno


def _added_module(call: ast.Call) -> str | None:
    """The name in `add_module("name", ...)` or `register_module("name", ...)`, when written out."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in ("add_module", "register_module"):
        return None
    first = call.args[0] if call.args else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def _is_self_attribute(target: ast.expr) -> bool:
    return isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"


def _is_user_class(cls: type) -> bool:
    from .program import is_user_file

    filename = _class_file(cls)
    return filename is not None and is_user_file(filename)


def assignment_sites(model) -> weakref.WeakKeyDictionary:
    """{submodule: Location} for the layers a user's class assigns, anywhere in `model`."""
    sites: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    files: dict[int, tuple[str, int]] = {}  # id(container) → (its file, the line its call starts on)
    for parent in model.modules():
        at = files.get(id(parent))
        if at is not None:  # a container's children: each argument's own line
            _argument_sites(parent, at, sites)
        try:
            classes = [_class_assignments(c) for c in type(parent).__mro__ if _is_user_class(c)]
        except Exception:  # a class whose source cannot be read (a metaclass, an odd loader): no line
            continue
        for name, child in parent.named_children():
            where = next((assigned[name] for assigned in classes if name in assigned), None)
            if where is not None and child not in sites:
                sites[child] = _location(*where)
                files[id(child)] = where
    return sites


def _argument_sites(container, at: tuple[str, int], sites: weakref.WeakKeyDictionary) -> None:
    """The line of each argument of a container's call (`nn.Sequential(` over several lines)."""
    from ..trace.sources import argument_line

    for name, child in container.named_children():
        line = argument_line(at[0], at[1], int(name), None) if name.isdigit() else None
        if line is not None and child not in sites:
            sites[child] = _location(at[0], line)


def _location(filename: str, line: int):
    from ..trace.records import Location
    from ..trace.sources import display_path

    return Location(display_path(filename), line, linecache.getline(filename, line).strip())
