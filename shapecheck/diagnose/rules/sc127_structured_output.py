"""SC127 structured-output.

What it does: finds a module whose output is a structure — a tuple (`nn.LSTM` returns
`(output, (h_n, c_n))`), a namedtuple (torchvision's `InceptionOutputs` in train mode), a dict
or a `ModelOutput` (transformers) — that the code then uses as one tensor: passes it to a layer
or a loss, slices it like a tensor or calls a tensor method on it. The failing line raises a
`TypeError` or `AttributeError`; the rule names the module, what its output holds (each part's
shape) and the line that kept the whole structure. The inverse, a tensor unpacked into k names
(`row, col = edge_index`) whose dim 0 is not k but one other dim is (an edge list `[E, 2]`),
fails with `too many values to unpack`: the tensor is transposed (or unbound along that dim).

Why is this bad? The forward pass fails with `linear(): argument 'input' (position 1) must be
Tensor, not tuple` or `tuple indices must be integers or slices, not tuple`, a line away from
the call that returned the tuple.

Example:
    h = self.lstm(x)                   # (output, (h_n, c_n))
    return self.fc(h[:, -1])

Use instead:
    h, _ = self.lstm(x)
    return self.fc(h[:, -1])

Fix safety: safe: no layer changes; the fix takes the part the code means (the first element of
a tuple, `logits` of a named output, else its first field), verified by tracing again.
"""

from __future__ import annotations

import ast
import re

from ...trace.records import MODULE, LayerRecord, Location, TensorInfo
from ..context import Context
from ..findings import ERROR, SAFE, Finding, Fix, line_fix
from ..numbers import call_arguments, shape
from ..registry import rule
from ..requests import Edit, Rerun
from .common import ref

_FIRST = re.compile(r"^(\[\d+\]|\.\w+|\['[^']*'\])")
# Tensor methods and attributes a structure does not have: `out.view(...)` on a tuple.
_PREFERRED = ("logits", "last_hidden_state", "out", "output", "prediction_logits")


@rule("SC127", ERROR)
def check(ctx: Context) -> list[Finding]:
    err = ctx.trace.error
    if err is None or not err.user_frames:
        return []
    if err.type == "ValueError":
        unpacked = _tensor_unpacked(ctx)
        return [unpacked] if unpacked is not None else []
    if err.type not in ("TypeError", "AttributeError"):
        return []
    found = _passed_whole(ctx) or _passed_inline(ctx) or _used_as_tensor(ctx, err.user_frames[-1])
    return [found] if found is not None else []


_UNPACK = re.compile(r"(?:too many|not enough) values to unpack \(expected (\d+)")


def _used_as_tensor(ctx: Context, at: Location) -> Finding | None:
    """A structure assigned to one name that the failing line uses as one tensor."""
    found = _structure_used_whole(ctx.trace, at)
    if found is None:
        return None
    row, name, parts = found
    return _finding(ctx, row, name, parts, at)


def _tensor_unpacked(ctx: Context) -> Finding | None:
    """The inverse case: a tensor unpacked into k names (`row, col = edge_index`) where its dim
    0 is not k but exactly one other dim is: unpacking iterates dim 0, and the k parts are
    in that other dim (an edge list [E, 2] where [2, E] is meant). The tensor is one the failing
    call received, the only one with such a dim."""
    err, failing = ctx.trace.error, ctx.trace.failing
    found = _UNPACK.search(err.message) if err is not None else None
    if found is None or failing is None or err is None:
        return None
    k, at = int(found.group(1)), err.user_frames[-1]
    text = at.source.strip()
    value = _unpacked_value(text, k)
    written = ast.get_source_segment(text, value) if value is not None else None
    candidates = [(t, dims) for t, dims in _parts_along(failing, k) if len(dims) == 1]
    if value is None or written is None or len(candidates) != 1 or value.end_col_offset is None:
        return None
    t, (d,) = candidates[0]
    after = _unbound(at.source, value, written, ".t()" if t.rank == 2 else f".unbind({d})")
    return ctx.finding(
        layer=failing.name,
        message=f"`{written}` {shape(t.shape)} is unpacked into {k} names at line {at.line}: unpacking takes "
        f"its dim 0 ({t.shape[0]} parts), and the {k} parts are in dim {d}",
        location=at,
        row=failing.index,
        why=[
            f"`a, b = t` iterates t's dim 0: {shape(t.shape)} gives {t.shape[0]} tensors, not {k}",
            f"its dim {d} has {k}: the {k} parts are along it",
        ],
        notes=[f"Python reports: {err.message}"],
        fixes=[
            Fix(
                description=f"unpack along dim {d}: {'transpose it' if t.rank == 2 else 'unbind that dim'} first",
                code=after,
                safety=SAFE,
                location=at,
                before=at.source,
                after=after,
            )
        ],
    )


def _unbound(source: str, value: ast.expr, written: str, method: str) -> str:
    """The line with `method` (`.t()`, `.unbind(1)`) called on the unpacked value."""
    text = source.strip()
    receiver = written if isinstance(value, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)) else f"({written})"
    indent = source[: len(source) - len(source.lstrip())]
    return indent + text[: value.col_offset] + receiver + method + text[value.end_col_offset :]


def _unpacked_value(text: str, k: int) -> ast.expr | None:
    """The value of `a, b = value` on the line, when it is unpacked into `k` names."""
    try:
        node = ast.parse(text).body[0]
    except (SyntaxError, IndexError):
        return None
    if not isinstance(node, ast.Assign) or not isinstance(node.targets[0], ast.Tuple) or len(node.targets[0].elts) != k:
        return None
    return node.value


def _parts_along(failing: LayerRecord, k: int) -> list[tuple[TensorInfo, list[int]]]:
    """Each input of rank 2 or more whose dim 0 is not `k`, with its other dims that are."""
    return [
        (t, [d for d in range(1, t.rank) if t.shape[d] == k]) for t in failing.inputs if t.rank >= 2 and t.shape[0] != k
    ]


def _structure_used_whole(trace, at: Location) -> tuple[LayerRecord, str, dict] | None:
    """The last module call before the failing line, in its file, whose structured output is
    assigned to one name that the failing line uses whole: (the row, the name, its parts)."""
    for row in reversed(trace.layers):
        parts = _parts(row)
        if row.kind != MODULE or row.status != "ok" or len(parts) < 2 or not _called_before(row, at):
            continue
        name = _assigned_name(row.called_at.source)
        if name is not None and _used_whole(at.source, name, parts):
            return row, name, parts
    return None


def _called_before(row: LayerRecord, at: Location) -> bool:
    """The row was called from the failing line's file, at that line or before it."""
    return row.called_at is not None and row.called_at.file == at.file and row.called_at.line <= at.line


def _parts(row: LayerRecord) -> dict[str, list]:
    """The top-level parts of a row's output, by their access (`[0]`, `.logits`, `['logits']`),
    each with the tensors under it, in order."""
    parts: dict[str, list] = {}
    for t in row.outputs:
        m = _FIRST.match(t.key or "")
        if m is None:
            return {}
        parts.setdefault(m.group(1), []).append(t)
    return parts


def _assigned_name(source: str) -> str | None:
    """`h = self.lstm(x)` → `h`; None for an unpacking (`h, _ = ...`) or no assignment."""
    try:
        tree = ast.parse(source.strip())
    except SyntaxError:
        return None
    stmt = tree.body[0] if tree.body else None
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            return targets[0].id
    return None


def _used_whole(source: str, name: str, parts: dict) -> bool:
    """Whether the failing line uses `name` as one tensor: passed on, sliced with a tuple or a
    slice, or asked for an attribute the structure does not have. `out[0]`, `out.logits` and
    `out['logits']` take a part and are fine."""
    try:
        tree = ast.parse(source.strip())
    except SyntaxError:
        return False
    fields = _field_names(parts)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    return any(
        not _takes_a_part(node, parents.get(node), fields)
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
    )


def _field_names(parts: dict) -> set[str]:
    """The names a structure's parts go by: `logits` of `.logits` and of `['logits']`."""
    return {k[1:] for k in parts if k.startswith(".")} | {k[2:-2] for k in parts if k.startswith("['")}


def _takes_a_part(node: ast.Name, parent: ast.AST | None, fields: set[str]) -> bool:
    """`out.logits` (a field the structure has), `out[0]` or `out['logits']`: one part, not the whole."""
    if isinstance(parent, ast.Attribute) and parent.attr in fields:
        return True
    if isinstance(parent, ast.Subscript) and parent.value is node:
        index = parent.slice
        return isinstance(index, ast.Constant) and isinstance(index.value, (int, str))
    return False


def _chosen(parts: dict) -> str:
    """The part the code most likely means: `logits` (and its kin) by name, else the first."""
    for want in _PREFERRED:
        for key in (f".{want}", f"['{want}']"):
            if key in parts:
                return key
    return next(iter(parts))


def _describe(key: str, tensors: list) -> str:
    if len(tensors) == 1:
        return f"{key} {shape(tensors[0].shape)}"
    return f"{key} ({len(tensors)} tensors: {', '.join(shape(t.shape) for t in tensors)})"


def _finding(ctx: Context, row: LayerRecord, name: str, parts: dict, at: Location) -> Finding:
    key = _chosen(parts)
    what = _kind(key) or "named output"
    held = "; ".join(_describe(k, v) for k, v in parts.items())
    source = row.called_at.source if row.called_at else ""  # check() keeps rows with a call line only
    call = source.split("=", 1)[1].strip()
    lead = source[: len(source) - len(source.lstrip())]
    unpack = key == "[0]" and len(parts) == 2  # `h, _ = self.lstm(x)`
    after = f"{lead}{name}, _ = {call}" if unpack else f"{lead}{name} = {call}{key}"
    edit = _item_edit(row, key)
    chosen = parts[key][0]
    why = [
        f"{ref(row)} ({row.type}) returns a {what}, not a tensor: {held}",
        f"line {at.line} uses `{name}`, the whole {what}, where a tensor is needed: {at.source.strip()}",
    ]
    if len(parts) > 1 and key != "[0]":
        why.append(f"`{key}` is the part a classifier's loss reads; the others are for other uses")
    return ctx.finding(
        layer=row.name,
        message=f"`{name}` holds the {what} {ref(row)} returns, and line {at.line} uses it as a tensor",
        location=row.called_at,
        row=ctx.trace.failing.index if ctx.trace.failing is not None else row.index,  # it explains the failure
        why=why,
        fixes=[
            Fix(
                description=f"take the tensor you mean from the {what}: `{key}` {shape(chosen.shape)}",
                code=after.strip(),
                safety=SAFE,
                location=row.called_at,
                before=source,
                after=after,
                rerun=Rerun(edits=(edit,)),
            )
        ],
    )


def _is_index(key: str) -> bool:
    """`[0]`: a part of a tuple, not `['out']` of a dict or `.logits` of a named output."""
    return key.startswith("[") and not key.startswith("['")


def _kind(key: str) -> str:
    """`tuple` or `dict` for the access to a part; "" for a named output's field."""
    if _is_index(key):
        return "tuple"
    return "dict" if key.startswith("['") else ""


def _passed_whole(ctx: Context) -> Finding | None:
    """An `nn.Sequential` whose child returns a structure (an LSTM's `(output, (h_n, c_n))`)
    hands it whole to the next child, which takes a tensor: the failing child's input is the
    previous child's output, part for part."""
    found = _sequential_pair(ctx.trace)
    if found is None:
        return None
    parent, before, failing = found
    parts = _parts(before)
    if len(parts) < 2 or not _same_shapes(failing.inputs, before.outputs):
        return None
    key = _chosen(parts)
    held = "; ".join(_describe(k, v) for k, v in parts.items())
    what = "tuple" if _is_index(key) else "structure"
    part = f"x{key}"
    edit = _item_edit(before, key)
    code = (
        "class FirstOutput(nn.Module):  # keeps the output, drops the rest\n"
        "    def forward(self, x):\n"
        f"        return {part}\n"
        f"\n# in the nn.Sequential, right after the {before.type}:\n"
        f"nn.{before.type}(...), FirstOutput(), nn.{failing.type}(...)"
    )
    return ctx.finding(
        layer=before.name,
        message=f"`{parent.name}` hands the {what} {ref(before)} returns, whole, to {ref(failing)}, "
        "which takes a tensor",
        location=parent.defined_at or before.location,
        row=failing.index,
        why=[
            f"{ref(before)} ({before.type}) returns a {what}, not a tensor: {held}",
            "nn.Sequential passes each child's whole output to the next: "
            f"{ref(failing)} ({failing.type}) gets the {what}",
        ],
        fixes=[
            Fix(
                description=f"take `{key}` {shape(parts[key][0].shape)} between them, with a small module in the "
                f"Sequential (or call the {before.type} outside it and unpack: `out, _ = …`)",
                code=code,
                safety=SAFE,
                location=parent.defined_at or before.location,
                rerun=Rerun(edits=(edit,)),
            )
        ],
    )


def _same_shapes(inputs: list[TensorInfo], outputs: list[TensorInfo]) -> bool:
    """The failing call's inputs are the structure's parts, one for one."""
    return [tuple(i.shape) for i in inputs] == [tuple(o.shape) for o in outputs]


def _passed_inline(ctx: Context) -> Finding | None:
    """A call whose structured output goes straight into the failing call on the same line,
    `self.fc(torch.max(h, 2))` or `self.head(self.backbone(x))` with a train-mode namedtuple: the
    failing call's inputs are the structure's parts, one for one. The fix takes the part at the
    inner call, checked as written."""
    failing = ctx.trace.failing
    if failing is None or failing.called_at is None:
        return None
    where = failing.called_at
    for row in reversed(ctx.trace.layers[: failing.index]):
        parts = _parts(row)
        if row.status != "ok" or len(parts) < 2 or row.called_at is None:
            continue
        on_the_line = (row.called_at.file, row.called_at.line) == (where.file, where.line)
        if on_the_line and _same_shapes(failing.inputs, row.outputs):
            return _inline_finding(ctx, row, failing, parts)
    return None


def _inline_finding(ctx: Context, row: LayerRecord, failing: LayerRecord, parts: dict) -> Finding:
    key = _chosen(parts)
    what = "tuple" if _is_index(key) else "structure"
    source = row.called_at.source if row.called_at else ""
    name = row.name.rsplit(".", 1)[-1] if row.kind == MODULE else row.type.rsplit(".", 1)[-1]
    found = call_arguments(source, name)
    after = source[: found[1] + 1] + key + source[found[1] + 1 :] if found is not None else None
    return ctx.finding(
        layer=row.name,
        message=f"{ref(failing)} gets the whole {what} {ref(row)} returns, where it takes a tensor",
        location=failing.called_at,
        row=failing.index,
        why=[
            f"{ref(row)} returns a {what}, not a tensor: {'; '.join(_describe(k, v) for k, v in parts.items())}",
            f"it is passed straight to {ref(failing)} on the same line, which takes one tensor",
        ],
        fixes=[
            line_fix(
                f"take the tensor you mean from the {what}: `{key}` {shape(parts[key][0].shape)}",
                failing.called_at,
                source,
                after,
                f"{name}(…){key}",
            )
        ],
    )


def _sequential_pair(trace) -> tuple[LayerRecord, LayerRecord, LayerRecord] | None:
    """(the nn.Sequential, the child before the failing one, the failing child), when the failing
    row is a module inside a Sequential with a child before it."""
    failing = trace.failing
    if failing is None or failing.kind != MODULE or failing.parent is None:
        return None
    parent = trace.row(failing.parent)
    if parent is None or parent.type != "Sequential":
        return None
    siblings = [r for r in trace.layers if r.parent == parent.index and r.index < failing.index]
    if not siblings:
        return None
    return parent, siblings[-1], failing


def _item_edit(before: LayerRecord, key: str) -> Edit:
    """The edit that keeps one part of a child's output: `[0]` of a tuple, `.logits` of a named
    output, `['out']` of a dict."""
    if _is_index(key):
        return Edit("output_item", before.name, params=(("index", int(key[1:-1])),))
    if key.startswith("."):
        return Edit("output_item", before.name, params=(("field", key[1:]),))
    return Edit("output_item", before.name, params=(("key", key[2:-2]),))
