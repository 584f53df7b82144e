"""Shared by the rules that read a model that could not be built (`Trace.construction`): where a
size the layer refused was written, and the fix that writes another one there.

A size reaches a layer's constructor as a literal on its own line (`nn.GroupNorm(32, 100)`) or
through the user's frames (`Block(96, 100)` → `cout` → `nn.GroupNorm(32, cout)`): the fix
changes the literal where it was written, on the innermost line that holds exactly one literal
of that value, so every other use of the variable stays as it is. Each fix is checked by
building the model again with the line changed (`source_line`) and tracing it.
"""

from __future__ import annotations

import ast

from ...trace.records import Construction, Location
from ..findings import ERROR, SAFE, UNSAFE, Finding, Fix, Safety
from ..numbers import set_argument
from ..requests import Edit, Rerun


def sized_fix(
    built: Construction, name: str, position: int, value: int, description: str, safety: Safety = SAFE
) -> Fix | None:
    """The fix that builds the refused layer with `value` for its argument `name` (at `position`
    among the positional ones): the literal changed where the old size was written, or the
    argument set on the layer's own line. None when no line of the user's can be edited. Unsafe
    where the new size changes a parameter's shape (a checkpoint no longer loads)."""
    old = built.argument(name)
    call = built.call
    if old is None or call is None or not call.source:
        return None
    found = _literal_site(built, old, call) or _default_site(built, old)
    if found is not None:
        where, after = found[0], found[1](value)
    else:
        where, after = call, _set_on_call(call.source, built.layer, position, name, value)
        if len(built.frames) > 1:  # a line in a block's __init__: every instance gets the value
            description += f" (written here, every layer this line builds gets {name}={value})"
            safety = UNSAFE
    if after is None or after == where.source:
        return None
    params = (("file", where.file), ("line", where.line), ("before", where.source), ("after", after))
    return Fix(
        description=description,
        code=after,
        safety=safety,
        location=where,
        before=where.source,
        after=after,
        rerun=Rerun(edits=(Edit("source_line", params=params),)),
    )


# Layers that build the refused one inside them, by its argument: (the wrapper, the position and
# name it takes that argument by). `nn.TransformerEncoderLayer(d_model, nhead)` builds a
# MultiheadAttention(embed_dim=d_model, num_heads=nhead).
_WRAPPERS = {
    "num_heads": [(w, 1, "nhead") for w in ("TransformerEncoderLayer", "TransformerDecoderLayer", "Transformer")],
    "embed_dim": [(w, 0, "d_model") for w in ("TransformerEncoderLayer", "TransformerDecoderLayer", "Transformer")],
}


def _set_on_call(source: str, layer: str, position: int, name: str, value: int) -> str | None:
    """The argument set on the line's call of the layer, or of the library layer that builds it."""
    after = set_argument(source, layer, position, name, value)
    for wrapper, at, keyword in _WRAPPERS.get(name, []) if after is None else []:
        after = set_argument(source, wrapper, at, keyword, value)
        if after is not None:
            break
    return after


def _literal_site(built: Construction, old: int, call: Location):
    """(the line, a function of the new value giving the line rewritten) for the innermost user
    frame, from the layer's own line outwards, whose line holds exactly one integer literal equal
    to `old`; None when none does."""
    for frame in reversed(built.frames or (call,)):
        spans = _int_literals(frame.source, old)
        if len(spans) == 1:
            begin, end = spans[0]
            return frame, lambda value, f=frame, b=begin, e=end: f.source[:b] + str(value) + f.source[e:]
        if spans:
            return None  # two of them: which one is the size cannot be told
    return None


def _int_literals(source: str, value: int) -> list[tuple[int, int]]:
    """(start, end) columns of each integer literal `value` on a one-line statement."""
    try:
        tree = ast.parse(source.strip())
    except SyntaxError:
        return []
    offset = len(source) - len(source.lstrip())
    return [
        (offset + node.col_offset, offset + (node.end_col_offset or node.col_offset))
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and type(node.value) is int and node.value == value
    ]


def refused(code: str, built: Construction, error, message: str, why: str, fixes: list[Fix]) -> Finding:
    """The finding for a layer that refused its sizes: at the user's line that builds it, the
    frames that led there, and what PyTorch raises."""
    real = f"{error.type}: {error.message}" if error is not None else ""
    return Finding(
        code=code,
        severity=ERROR,
        layer=built.name,
        message=message,
        location=built.call,
        why=[why, *(f"called from {loc}: {loc.source}" for loc in built.frames[:-1][-3:])],
        notes=[f"PyTorch raises {real}"] if real else [],
        fixes=fixes,
    )


def divisor_below(n: int, limit: int) -> int:
    """The largest divisor of `n` that is at most `limit`."""
    return max(d for d in range(1, min(n, limit) + 1) if n % d == 0)


def divisor_above(n: int, limit: int) -> int | None:
    """The smallest divisor of `n` above `limit`, None when `limit` ≥ n."""
    return next((d for d in range(limit + 1, n + 1) if n % d == 0), None)


def _default_site(built: Construction, old: int):
    """(the line, a function of the new value giving the line rewritten) for a size that no line
    writes as a literal but a setting's default does: `def __init__(self, norm_num_groups=32)`
    passed on as `Block(c, norm_num_groups)` → `nn.GroupNorm(groups, c)`. The outermost frame
    whose line passes a parameter of its own function whose default is `old`: the setting the
    value came down from, so the fix changes it once for every layer built from it."""
    for frame in built.frames or ():
        found = _default_in(frame, old)
        if found is not None:
            return found
    return None


def _default_in(frame: Location, old: int):
    import re

    function = _enclosing_function(frame)
    if function is None:
        return None
    arguments = function.args
    positional = arguments.posonlyargs + arguments.args
    pairs = list(zip(positional[len(positional) - len(arguments.defaults) :], arguments.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d is not None]
    hits = [
        default
        for arg, default in pairs
        if isinstance(default, ast.Constant)
        and type(default.value) is int
        and default.value == old
        and re.search(rf"(?<![\w.]){re.escape(arg.arg)}(?!\w)", frame.source)
    ]
    if len(hits) != 1 or hits[0].lineno != hits[0].end_lineno:
        return None
    default = hits[0]
    text = _file_lines(frame.file)[default.lineno - 1].rstrip("\n")
    where = Location(frame.file, default.lineno, text.strip())  # a fix's lines are written unindented
    begin, end = default.col_offset, default.end_col_offset or default.col_offset
    return where, lambda value, t=text, b=begin, e=end: (t[:b] + str(value) + t[e:]).strip()


def _file_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.readlines()
    except OSError:
        return []


def _enclosing_function(frame: Location) -> ast.FunctionDef | None:
    """The innermost function of `frame.file` whose body holds `frame.line`."""
    try:
        tree = ast.parse("".join(_file_lines(frame.file)))
    except (SyntaxError, ValueError):
        return None
    best: ast.FunctionDef | None = None
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.body]
    for node in functions:
        inside = node.body[0].lineno <= frame.line <= (node.end_lineno or node.lineno)
        if inside and (best is None or node.lineno > best.lineno):
            best = node
    return best
