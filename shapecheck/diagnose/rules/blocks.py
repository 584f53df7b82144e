"""A layer's size passed down by a block of the user's code: `self.lin = nn.Linear(in_channels,
out_channels)` inside `class GCNLayer`, built as `self.conv1 = GCNLayer(num_nodes, 12)`. Writing
the right number on the layer's own line puts it into every GCNLayer the model builds; the
argument that carried the wrong one is on the line that built this block, and that is where it
changes."""

from __future__ import annotations

import ast
import linecache
from dataclasses import replace

from ...trace.records import Location, Trace
from ..findings import Fix
from ..numbers import char_span, parsed_line
from ..roles import is_library_file


def passed_down(trace: Trace, row, fix: Fix, position: int, value: int, attr: str) -> Fix:
    """`fix` (which rewrites argument `position` on the layer's line) moved to the line that
    built the layer's block, when that argument is a name the block's `__init__` takes: there,
    the block's own argument of that name is set to `value`. The fix unchanged otherwise."""
    at = row.defined_at
    if at is None or not at.source or is_library_file(at.file):
        return fix
    name = _argument_name(at.source, row.type, position, attr, row.name.rpartition(".")[2])
    if name is None:
        return fix
    parent, index = None, None
    for holder in list(trace.ancestors(row))[1:]:  # the block whose __init__ takes the name (not a Sequential)
        if holder.parent is None or holder.defined_at is None or is_library_file(holder.defined_at.file):
            return fix  # the model itself: its own arguments are its constructor's (SC104 builds it again)
        index = _init_parameter(at.file, holder.type, name)
        if index is not None:
            parent = holder
            break
    if parent is None or index is None or parent.defined_at is None:
        return fix
    source = parent.defined_at.source
    after = _set_call_argument(source, parent.type, index, name, value, parent.name.rpartition(".")[2])
    if after is None or after == source:
        return fix
    return replace(
        fix,
        description=f"{fix.description} (it comes in as `{name}`, passed down when `{parent.name}` is built: "
        f"set there, the other {parent.type} blocks keep theirs)",
        code=after.strip(),
        location=Location(parent.defined_at.file, parent.defined_at.line, source),
        before=source,
        after=after,
    )


def _argument_name(source: str, cls: str, position: int, attr: str, last: str) -> str | None:
    """The identifier written as the layer's argument `position` (or keyword `attr`); for child
    `k` of an `nn.Sequential(...)` on one line, the k-th argument's."""
    parsed = parsed_line(source)
    if parsed is None:
        return None
    call = instance_call(parsed[2], cls, last)
    if call is None:
        return None
    arg = call.args[position] if position < len(call.args) else None
    if arg is None:
        arg = next((k.value for k in call.keywords if k.arg == attr), None)
    return arg.id if isinstance(arg, ast.Name) else None


def instance_call(tree: ast.AST, cls: str, last: str) -> ast.Call | None:
    """The call of `cls` on a parsed line that built the module whose name ends in `last`: the one
    call there is, or, for child `k` of a container written on the line (`nn.ModuleList([Block(64),
    Block(64), Block(48)])`, `nn.Sequential(...)`, a list), the container's k-th item. None when the
    line does not say which (several calls, no single container holding them by position, a
    comprehension)."""
    looped = {
        id(n) for c in ast.walk(tree) if isinstance(c, (ast.ListComp, ast.GeneratorExp)) for n in ast.walk(c)
    }  # one call in a comprehension builds every instance: no argument there is this one's alone
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _called(n) == cls]
    if any(id(c) in looped for c in calls):
        return None
    if len(calls) <= 1 or not last.isdigit():
        return calls[0] if len(calls) == 1 else None
    holders = [
        items
        for node in ast.walk(tree)
        for items in [_items(node)]
        if items is not None and any(item in calls for item in items)
    ]
    if len(holders) != 1 or any(isinstance(item, ast.Starred) for item in holders[0]):
        return None
    picked = holders[0][int(last)] if int(last) < len(holders[0]) else None
    return picked if isinstance(picked, ast.Call) and picked in calls else None


def instance_span(source: str, cls: str, name: str) -> tuple[int, int] | None:
    """(start, end) in the stripped line `source` of the call that built module `name`
    (`instance_call`); None when the line does not say which."""
    parsed = parsed_line(source)
    call = instance_call(parsed[2], cls, name.rpartition(".")[2]) if parsed is not None else None
    return char_span(parsed[1], call) if parsed is not None and call is not None else None


def _items(node: ast.AST) -> list[ast.expr] | None:
    """The positional items of a container literal: a list or tuple, or the arguments of an
    `nn.Sequential(...)` call."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return list(node.elts)
    if isinstance(node, ast.Call) and _called(node) == "Sequential":
        return list(node.args)
    return None


def _called(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _init_parameter(file: str, cls: str, name: str) -> int | None:
    """The position (self not counted) of parameter `name` of `cls.__init__` in `file`."""
    try:
        tree = ast.parse("".join(linecache.getlines(file)))
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef) or node.name != cls:
            continue
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                names = [a.arg for a in item.args.args[1:]]
                return names.index(name) if name in names else None
    return None


def _set_call_argument(source: str, cls: str, index: int, name: str, value: int, last: str = "") -> str | None:
    """The line with the block call's argument `index` (or keyword `name`) written as `value`, in
    the call that built the block named `…last` (`instance_call`); the keyword added when the
    call leaves it at its default."""
    parsed = parsed_line(source)
    if parsed is None:
        return None
    indent, text, tree = parsed
    call = instance_call(tree, cls, last)
    if call is None or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    named = next((k.value for k in call.keywords if k.arg == name), None)
    target = call.args[index] if index < len(call.args) else named
    if target is not None:
        span = char_span(text, target)
        if span is None:
            return None
        return indent + text[: span[0]] + str(value) + text[span[1] :]
    end = char_span(text, call)
    if end is None or any(k.arg is None for k in call.keywords):
        return None
    close = end[1] - 1
    sep = ", " if call.args or call.keywords else ""
    return indent + text[:close] + f"{sep}{name}={value}" + text[close:]
