"""Features of two towers at two widths: image features [B, 512] against text features [B, 768]
in a similarity `img @ txt.t()`, image tokens [B, N, 512] joined with text tokens [B, T, 768].
Each tower is right on its own; what is missing is a projection to a shared width (CLIP's
`visual_projection` and `text_projection`), a new Linear on one side. Resizing either tower, or
joining along another dim, does not make the two comparable.

Only for tensors that come from different model inputs (provenance through the trace): within
one stream a width that differs is a layer built for another size, which other fixes name.
"""

from __future__ import annotations

import ast

from ...trace.records import TensorInfo, Trace
from ..findings import UNSAFE, Fix
from ..requests import Edit, Rerun

_MAX_VISITS = 4000  # rows walked back from a tensor, at most


def input_roots(trace: Trace, tensor: TensorInfo) -> frozenset[int]:
    """The model inputs (their indices) that `tensor` is computed from, walking the trace back."""
    by_tid = {t.tid: i for i, t in enumerate(trace.inputs)}
    roots: set[int] = set()
    seen: set[int] = set()
    stack = [_traced(trace, tensor)]
    visits = 0
    while stack and visits < _MAX_VISITS:
        t = stack.pop()
        visits += 1
        if t.tid in by_tid:
            roots.add(by_tid[t.tid])
            continue
        if t.source is None or t.source in seen:
            continue
        seen.add(t.source)
        row = trace.row(t.source)
        if row is not None:
            stack.extend(row.inputs)
    return frozenset(roots)


def _traced(trace: Trace, tensor: TensorInfo) -> TensorInfo:
    """A tensor the trace has no record of making (a property such as `v.T` runs no traced op)
    read as the latest traced output of its shape, or of its shape with the last two dims
    swapped; the tensor itself otherwise."""
    if tensor.tid is not None or tensor.source is not None or tensor.rank < 2:
        return tensor
    shape = tuple(tensor.shape)
    turned = (*shape[:-2], shape[-1], shape[-2])
    for row in reversed(trace.layers):
        for out in row.outputs:
            if out.tid is not None and tuple(out.shape) in (shape, turned):
                return out
    return tensor


def separate_towers(trace: Trace, a: TensorInfo, b: TensorInfo, widths: tuple[int, int] | None = None) -> bool:
    """`a` and `b` come from different model inputs, and neither from the other's; with
    `widths`, the two sizes that differ are feature widths: both above 1 (a dim of 1 is a
    missing or extra dim, not a width), and neither tensor is a square matrix over its last two
    dims (an adjacency or attention matrix [N, N]: its sizes count items, not features)."""
    if widths is not None:
        square = any(t.rank >= 2 and t.shape[-1] == t.shape[-2] for t in (a, b))
        if min(widths) <= 1 or square:
            return False
    ra, rb = input_roots(trace, a), input_roots(trace, b)
    return bool(ra) and bool(rb) and not (ra & rb)


def layer_name(text: str) -> str:
    """`self.txt_proj` for an operand written from `txt` (`txt.t()`, `self.tok(txt)`); `self.proj`
    when no name shows."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return "self.proj"
    attribute = None
    while isinstance(node, (ast.Call, ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Attribute):
            attribute = node.attr
        node = node.func if isinstance(node, ast.Call) else node.value
    name = node.id if isinstance(node, ast.Name) and node.id != "self" else attribute
    return f"self.{name}_proj" if name and name.isidentifier() else "self.proj"


def projected(text: str, name: str, dim: int) -> str:
    """The operand through the new layer: `self.txt_proj(txt)`; for a transposed operand (the
    features in dim -2, `txt.t()`), the layer goes before the transpose: `self.txt_proj(txt).t()`."""
    for suffix in (".t()", ".T", ".transpose(-2, -1)", ".transpose(0, 1)", ".transpose(1, 0)", ".mT"):
        if dim == -2 and text.endswith(suffix):
            return f"{name}({text[: -len(suffix)]}){suffix}"
    if dim == -2:
        return f"{name}({text}.transpose(-2, -1)).transpose(-2, -1)"
    return f"{name}({text})"


def own_width_layer(trace: Trace, tensor: TensorInfo, width: int):
    """The Linear or Embedding of the model's own code (built in a file that is not a library's)
    that makes the `width` features `tensor` carries, reached back through rows that keep those
    features whole: the same shape (`F.normalize`, an activation), the dims reordered (`.t()`),
    or a reduction over other dims (`.mean(1)`, `[:, 0]`); None when another row makes them. A
    tower whose last layer is such a projection compares at another width by building that layer
    with the other width, not by a new layer after it."""
    row = trace.row(_traced(trace, tensor).source)
    for _ in range(64):
        if row is None or not row.outputs or width not in row.outputs[0].shape:
            return None
        if row.kind == "module" and row.type in ("Linear", "Embedding"):
            return row if _own_projection(row, width) else None
        if row.kind == "module" or not row.inputs or not _keeps_features(row, width):
            return None
        row = trace.row(row.inputs[0].source)
    return None


def _own_projection(row, width: int) -> bool:
    """A Linear or Embedding built in the model's own code that makes `width` features, last."""
    from ..roles import is_library_file

    made = row.attrs.get("out_features") if row.type == "Linear" else row.attrs.get("embedding_dim")
    own = row.defined_at is not None and not is_library_file(row.defined_at.file)
    return made == width and own and row.outputs[0].shape[-1] == width


def _keeps_features(row, width: int) -> bool:
    """An op that keeps its input's `width` features whole: the same shape, the dims reordered,
    the last dim kept at `width`, or size-1 dims added or dropped."""
    before, after = tuple(row.inputs[0].shape), tuple(row.outputs[0].shape)
    return (
        before == after
        or sorted(before) == sorted(after)
        or (before[-1:] == after[-1:] == (width,))
        or [d for d in before if d != 1] == [d for d in after if d != 1]
    )


def projection_fix(edit: Edit, text: str, dim: int, width: int, to: int, line: str | None, rewrite, what: str) -> Fix:
    """A new `nn.Linear(width, to)` on the operand written `text` (features in `dim`), built in
    `__init__`, applied where `line` uses it (`rewrite(text → projected)`); checked by `edit`, a
    projection of that operand on the copy."""
    name = layer_name(text)
    new = projected(text, name, dim)
    after = rewrite(new) if line is not None else None
    build = f"{name} = nn.Linear({width}, {to})  # in __init__"
    return Fix(
        description=f"project {what} from {width} to {to} features with a new layer, to a width both sides share "
        f"(as CLIP's projections do): `{build.split('  #')[0]}`",
        code=f"{build}\n{(after or new).strip()}",
        safety=UNSAFE,
        rerun=Rerun(edits=(edit,)),
    )
