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

from .arguments import module_attrs
from .records import MODULE, HiddenModules, LayerRecord, Location, UncalledModule, UnusedParameter
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
            if any(_self_attribute(target) == attribute for target in targets):
                return node.lineno
    return None


def _self_attribute(node: ast.AST) -> str | None:
    """`name` for the node `self.name`; None for any other node."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return node.attr
    return None


def uncalled_modules(model: nn.Module, rows: list[LayerRecord], def_sites) -> list[UncalledModule]:
    """Layers with parameters that the pass (`rows`, a complete one) never called, made by the
    user's code and held by a module of an installed library whose classes never name them: the
    library's forward cannot reach them. A module of the user's own class left unused is not one
    (a spare head, a layer kept for later): the user's forward may use it at another setting."""
    called = {row.name for row in rows if row.kind == MODULE}
    found = []
    for name, module in model.named_modules():
        if name and name not in called:
            unreachable = _unreachable(model, name, module, called, def_sites)
            if unreachable is not None:
                found.append(unreachable)
    return found


def _unreachable(model: nn.Module, name: str, module: nn.Module, called: set[str], def_sites) -> UncalledModule | None:
    """The layer `name`, which the pass did not call, when its owner ran and is a library's
    module whose code never names it; None otherwise."""
    owner_name, _, attribute = name.rpartition(".")
    if not attribute or attribute.isdigit():
        return None
    if owner_name and owner_name not in called:
        return None  # its owner never ran: the owner is the one to name, not each of its layers
    owner = model.get_submodule(owner_name) if owner_name else model
    site = def_sites.get(module) if def_sites else None
    if not _users_layer_in_library(site, owner):
        return None
    params = sum(p.numel() for p in module.parameters())
    if params == 0 or _named_by(type(owner), attribute):
        return None
    return UncalledModule(
        name, type(module).__name__, params, owner_name, type(owner).__name__, module_attrs(module), site
    )


def _users_layer_in_library(site, owner: nn.Module) -> bool:
    """A layer made by the user's code (`site`, where it was built) and held by `owner`, a
    module of an installed library."""
    return site is not None and not _library_file(site.file) and _from_library(type(owner))


def _library_file(path: str) -> bool:
    normal = path.replace("\\", "/")
    return "site-packages/" in normal or "dist-packages/" in normal or "/torch/" in normal


def _from_library(cls: type) -> bool:
    """A class of an installed package (torchvision, timm, transformers), by its file."""
    try:
        filename = inspect.getsourcefile(cls) or ""
    except (OSError, TypeError):
        return False
    return _library_file(filename) and not cls.__module__.startswith("torch.nn")


def _named_by(cls: type, attribute: str) -> bool:
    """Whether the code of `cls` or a base class below nn.Module names `attribute` (`self.fc`,
    `getattr(self, "fc")`): then some path of its forward may call it. True when that code
    cannot be read."""
    import re

    pattern = re.compile(rf"\.{re.escape(attribute)}\b|[\"']{re.escape(attribute)}[\"']")
    for klass in cls.__mro__:
        if klass.__module__.startswith("torch.nn") or klass is object:
            break
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            return True
        if pattern.search(source):
            return True
    return False


def unused_parameters(model: nn.Module) -> list[UnusedParameter]:
    """Parameters set directly on modules of the user's own classes whose code (the class and
    its bases below nn.Module) never reads them: every `self.<name>` in it assigns."""
    found = []
    for owner_name, owner in model.named_modules():
        cls = type(owner)
        if cls.__module__.startswith("torch.") or _from_library(cls) or not owner._parameters:
            continue
        for name, parameter in owner._parameters.items():
            if parameter is None or _reads(cls, name):
                continue
            found.append(UnusedParameter(owner_name, name, tuple(parameter.shape), _assignment(cls, name)))
    return found


# class → attribute → whether its code reads it (weak: classes come and go; re-runs ask again)
_READS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _reads(cls: type, attribute: str) -> bool:
    """Whether the code of `cls` (or a base below nn.Module) reads `self.<attribute>`; True when
    it cannot be read."""
    known = _READS.setdefault(cls, {})
    if attribute not in known:
        known[attribute] = _read_in_code(cls, attribute)
    return known[attribute]


def _read_in_code(cls: type, attribute: str) -> bool:
    for klass in cls.__mro__:
        if klass.__module__.startswith("torch.") or klass is object:
            break
        source = _class_source(klass)
        if source is None or _read_in_class(source[1], attribute):
            return True
    return False


def _read_in_class(tree: ast.AST, attribute: str) -> bool:
    """Whether what a forward pass runs of the class's code reads `self.<attribute>` (not only
    assigns it) or names it in a string (`getattr(self, "name")`)."""
    assigned = {
        id(target)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
    }
    return any(
        (_self_attribute(node) == attribute and id(node) not in assigned)
        or (isinstance(node, ast.Constant) and node.value == attribute)
        for node in _reached_from_forward(tree)
    )


def _methods(tree: ast.AST) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """The methods the tree's first class defines, by name."""
    first = next((n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)), None)
    body = first.body if first is not None else []
    return {f.name: f for f in body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _reached_from_forward(tree: ast.AST):
    """The nodes of the class's `forward` and of the methods it calls on `self`, transitively
    (`encode_text` when forward calls it; not `encode_image` when it does not): what a forward
    pass can read. The whole class when it defines no forward of its own."""
    methods = _methods(tree)
    if "forward" not in methods:
        yield from ast.walk(tree)
        return
    seen: set[str] = set()
    todo = ["forward"]
    while todo:
        name = todo.pop()
        if name in seen or name not in methods:
            continue
        seen.add(name)
        for node in ast.walk(methods[name]):
            yield node
            called = _self_attribute(node)
            if called is not None:
                todo.append(called)
