"""Modules kept in plain Python containers (`self.blocks = [nn.Linear(...), ...]`).

`nn.Module.__setattr__` registers a module assigned to an attribute, and a `ModuleList` or
`ModuleDict`; a list, tuple or dict of modules it stores as any other value. Such modules run
when forward calls them, but the model does not hold them: the trace's hooks, `.to()`,
`parameters()` and `state_dict()` skip them. Found here from the model's attributes, with the
line that assigns each one.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import textwrap
import weakref

from torch import nn

from .records import HiddenModules, Location
from .sources import display_path

_CONTAINERS: dict[type, str] = {list: "list", tuple: "tuple", dict: "dict"}


def hidden_modules(model: nn.Module) -> list[HiddenModules]:
    """Each attribute of each module of the model that holds modules the model does not."""
    registered = {id(m) for m in model.modules()}
    found = []
    for owner_name, owner in model.named_modules():
        for attribute, value in vars(owner).items():
            kind = _CONTAINERS.get(type(value))
            if kind is None or attribute in ("_modules", "_parameters", "_buffers"):
                continue
            held = [m for m in _modules_in(value) if id(m) not in registered]
            if held:
                found.append(_hidden(owner_name, owner, attribute, kind, held))
    return found


def _hidden(owner_name: str, owner: nn.Module, attribute: str, kind: str, held: list[nn.Module]) -> HiddenModules:
    params = {id(p): p.numel() for m in held for p in m.parameters()}
    return HiddenModules(
        owner_name,
        attribute,
        kind,
        tuple(type(m).__name__ for m in held),
        sum(params.values()),
        _assignment(type(owner), attribute),
    )


def _modules_in(value, depth: int = 0) -> list[nn.Module]:
    """The modules in a container, and in containers inside it (two levels: a list of lists)."""
    items = value.values() if isinstance(value, dict) else value
    out: list[nn.Module] = []
    for item in items:
        if isinstance(item, nn.Module):
            out.append(item)
        elif depth < 1 and type(item) in _CONTAINERS:
            out += _modules_in(item, depth + 1)
    return out


# class → attribute → its line; every re-run of a diagnosis asks again (weak: classes come and go)
_SITES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _assignment(cls: type, attribute: str) -> Location | None:
    known = _SITES.setdefault(cls, {})
    if attribute not in known:
        known[attribute] = _find_assignment(cls, attribute)
    return known[attribute]


def _find_assignment(cls: type, attribute: str) -> Location | None:
    """The line of the class (or a base class) that assigns `self.<attribute> = ...`."""
    for klass in cls.__mro__:
        if klass.__module__.startswith("torch.nn"):
            break
        found = _assignment_in(klass, attribute)
        if found is not None:
            return found
    return None


def _assignment_in(klass: type, attribute: str) -> Location | None:
    source = _class_source(klass)
    if source is None:
        return None
    filename, tree, offset = source
    line = _assigning_line(tree, attribute)
    if line is None:
        return None
    return Location(display_path(filename), line + offset, linecache.getline(filename, line + offset).strip())


def _class_source(klass: type) -> tuple[str, ast.AST, int] | None:
    """(the class's file, its statement parsed, the lines before it); None when not readable."""
    try:
        filename = inspect.getsourcefile(klass)
        lines, start = inspect.getsourcelines(klass)
    except (OSError, TypeError):
        return None
    if filename is None:
        return None
    try:
        tree = ast.parse(textwrap.dedent("".join(lines)))  # a class nested in a function
    except SyntaxError:
        return None
    return filename, tree, start - 1


def _assigning_line(tree: ast.AST, attribute: str) -> int | None:
    """The line of the first `self.<attribute> = ...` in the tree."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_is_self_attribute(target, attribute) for target in targets):
                return node.lineno
    return None


def _is_self_attribute(target: ast.expr, attribute: str) -> bool:
    return (
        isinstance(target, ast.Attribute)
        and target.attr == attribute
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
    )
