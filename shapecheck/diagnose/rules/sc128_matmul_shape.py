"""SC128 matmul-shape.

What it does: explains a failing matrix product between two tensors (`@`, `matmul`, `mm`,
`bmm`) that is not a layer: attention scores `q @ k`, a graph's `adj @ x`, a similarity
`img @ txt`. `[…, n, k] @ […, k, m]` contracts the first operand's last dim with the second's
second-to-last; the dims before them (batch, heads) broadcast. The rule says which of the two
failed, with the numbers, and the fix the numbers show: the second operand transposed when its
last dim is the one that fits (`q @ k` for `q @ k.transpose(-2, -1)`); key and value heads
repeated for the query heads when one count divides the other (grouped-query attention).

Why is this bad? `Expected size for first two dimensions of batch2 tensor to be: [8, 8] but
got: [8, 10]` names neither operand nor the dim that is wrong.

Example:
    scores = q @ k                      # q, k: [B, H, T, D]

Use instead:
    scores = q @ k.transpose(-2, -1)    # [B, H, T, T]

Fix safety: safe: no parameter changes. Each fix is verified by tracing again; a grouped-query
fix repeats the heads at every product that needs it, as the written fix does.
"""

from __future__ import annotations

import math
import re

from ...trace.records import OP, LayerRecord, TensorInfo, Trace
from ..context import Context, op_site
from ..findings import ERROR, SAFE, Finding, Fix, line_fix
from ..layers import broadcast_mismatch
from ..numbers import parsed_line, shape
from ..registry import rule
from ..requests import Edit, Rerun
from .common import operand_labels, producer_size_fix, ref
from .operands import operand_spans, rewrite_operands, this_call
from .widths import own_width_layer, projection_fix, separate_towers

_PRODUCTS = ("Tensor.matmul", "torch.matmul", "Tensor.mm", "torch.mm", "Tensor.bmm", "torch.bmm")
_PRODUCT_NAMES = frozenset(p.removeprefix("torch.") for p in _PRODUCTS)
_MAX_SITES = 4  # products a grouped-query fix repeats the heads at, at most


@rule("SC128", ERROR)
def check(ctx: Context) -> list[Finding]:
    row = ctx.trace.failing
    operands = _matrices(row) if row is not None else None
    if row is None or operands is None:
        return []
    a, b = operands
    if _mm_of_ranks(row, a, b):
        return _mm_batched(ctx, row, a, b)
    texts = _texts(row)
    if a.shape[-1] != b.shape[-2]:
        return [_inner(ctx, row, a, b, texts)]
    if _bmm_with_one_shared(row, a, b):
        return [_bmm_shared(ctx, row, a, b)]
    bad = broadcast_mismatch(a.shape[:-2], b.shape[:-2])
    return [_batch(ctx, row, a, b, bad, texts)] if bad is not None else []


def _mm_of_ranks(row: LayerRecord, a: TensorInfo, b: TensorInfo) -> bool:
    """`mm` or `bmm` (not `matmul`) given operands of two ranks."""
    return row.type.endswith(("mm", "bmm")) and not row.type.endswith("matmul") and a.rank != b.rank


def _bmm_with_one_shared(row: LayerRecord, a: TensorInfo, b: TensorInfo) -> bool:
    """`bmm` whose batches differ, one of them 1: a matrix meant for every item of the batch."""
    return row.type.endswith("bmm") and a.shape[0] != b.shape[0] and 1 in (a.shape[0], b.shape[0])


def _matrices(row: LayerRecord) -> tuple[TensorInfo, TensorInfo] | None:
    """The two operands of a matrix product op, when both have two dims or more."""
    if row.kind != OP or row.type.removeprefix("torch.") not in _PRODUCT_NAMES:
        return None
    tensors = [t for t in row.inputs if t.rank > 0][:2]
    if len(tensors) < 2 or tensors[0].rank < 2 or tensors[1].rank < 2:
        return None
    return tensors[0], tensors[1]


def _texts(row) -> list[str] | None:
    if row.called_at is None:
        return None
    parsed = parsed_line(row.called_at.source)
    spans = None if parsed is None else this_call(row, operand_spans(row, parsed[1], parsed[2]))
    return None if spans is None or parsed is None else [parsed[1][s:e] for s, e in spans]


def _what(row) -> str:
    """`@` at line 18 when the line multiplies with the operator, else the op's name."""
    source = row.called_at.source if row.called_at else ""
    if row.type.endswith("matmul") and "@" in source and ".matmul(" not in source:
        return f"`@` at line {row.called_at.line}"
    return ref(row)


def _root(text: str) -> str:
    """The variable an operand is made from: `k.transpose(-2, -1)` → `k` (a repeat over the heads
    commutes with the transpose); the text itself when it is not such a chain."""
    import ast

    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return text
    while isinstance(node, (ast.Call, ast.Attribute, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else text


def _quote(a, b) -> str:
    """What a real CPU run prints for the product (mm for 2-D, bmm over the broadcast batch)."""
    if a.rank == b.rank == 2:
        return f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and {b.shape[0]}x{b.shape[1]})"
    batch = math.prod(max(x, y) for x, y in zip(_pad(a.shape[:-2], b), _pad(b.shape[:-2], a), strict=True))
    return (
        f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, {a.shape[-1]}] but got: "
        f"[{batch}, {b.shape[-2]}]."
    )


def _pad(dims: tuple, other) -> tuple:
    width = max(len(dims), other.rank - 2)
    return (1,) * (width - len(dims)) + tuple(dims)


def _inner(ctx: Context, row, a, b, texts) -> Finding:
    what = _what(row)
    why = [
        f"a matrix product contracts a's last dim with b's second-to-last: [… n, k] @ [… k, m] → [… n, m]; "
        f"here k is {a.shape[-1]} in a = {shape(a.shape)} and {b.shape[-2]} in b = {shape(b.shape)}"
    ]
    fixes = []
    if b.shape[-1] == a.shape[-1]:
        why.append(f"b's last dim is {b.shape[-1]}, a's k: b is the wrong way round")
        fixes.append(_transpose_fix(row, 1, b, texts))
    elif a.shape[-2] == b.shape[-2]:
        why.append(f"a's dim -2 is {a.shape[-2]}, b's k: a is the wrong way round")
        fixes.append(_transpose_fix(row, 0, a, texts))
    elif separate_towers(ctx.trace, a, b, (a.shape[-1], b.shape[-2])):
        why.append(
            f"a and b come from different inputs: features of two towers, {a.shape[-1]} and {b.shape[-2]} wide, "
            "compared without a projection to one width"
        )
        unused = _unused_projection(ctx.trace, a.shape[-1], b.shape[-2])
        fixes += (
            [unused] if unused is not None else _own_projection_fixes(ctx, a, b) + _projection_fixes(row, a, b, texts)
        )
    return ctx.finding(
        layer=row.name,
        message=f"{what} multiplies {shape(a.shape)} by {shape(b.shape)}: a's last dim "
        f"{a.shape[-1]} must equal b's dim -2, which is {b.shape[-2]}",
        location=row.location,
        row=row.index,
        why=why,
        labels=operand_labels(ctx, a, b),
        notes=[f"PyTorch reports: {_quote(a, b)}"],
        fixes=fixes,
    )


def _unused_projection(trace, width_a: int, width_b: int) -> Fix | None:
    """The model's own projection, held and never used (`self.image_projection` [1024, 512] set in
    `__init__`, no `self.image_projection` in its code): that one, not a new layer. Not checked:
    which operand it maps, and where, is the code's."""
    for p in trace.unused_params:
        if tuple(p.shape) in ((width_a, width_b), (width_b, width_a)):
            name = f"self.{p.name}" if not p.owner else f"self.{p.owner}.{p.name}"
            return Fix(
                description=f"use the model's own projection `{name}` {shape(p.shape)}: it is set in `__init__` "
                f"and forward never reaches it; it maps {p.shape[0]} features to {p.shape[1]}",
                code=f"features @ {name}",
                safety=SAFE,
                location=p.location,
                check_note="not checked: which operand it maps, and where, is the code's",
            )
    return None


def _own_projection_fixes(ctx: Context, a, b) -> list[Fix]:
    """Two towers that each end in the model's own Linear (`self.img_proj = nn.Linear(512, 64)`,
    `self.txt_proj = nn.Linear(768, 32)`): those are the projections to the shared space, built
    to two widths, and one more layer after either would stack a second projection on the
    first: one of them is built to the other's width, the wider side first. A tower that ends
    in anything else (an embedding, a library encoder) gets the new projection instead."""
    fixes: list[Fix] = []
    sides = [(a, a.shape[-1], b.shape[-2]), (b, b.shape[-2], a.shape[-1])]
    sides.sort(key=lambda side: -side[1])
    made = [own_width_layer(ctx.trace, t, width) for t, width, _ in sides]
    if any(src is None or src.type != "Linear" for src in made):
        return fixes
    for (_t, width, to), src in zip(sides, made, strict=True):
        fix = producer_size_fix(
            src,
            width,
            to,
            f"build {ref(src)} with {{attr}}={to}: it projects its tower to the {to} features the other has",
        )
        if fix is not None:
            fixes.append(fix)
    for fix in fixes[1:]:
        fix.description = "or " + fix.description
    return fixes


def _projection_fixes(row, a, b, texts) -> list[Fix]:
    """A new Linear on one side to the other's width: the wider one projected down first (a
    shared embedding is usually the narrower), the other way second; a re-trace orders them."""
    if not texts:
        return []
    parsed = parsed_line(row.called_at.source) if row.called_at else None
    fixes = []
    sides = [(1, b, -2, b.shape[-2], a.shape[-1]), (0, a, -1, a.shape[-1], b.shape[-2])]
    sides.sort(key=lambda side: -side[3])
    for index, _t, dim, width, to in sides:
        edit = Edit("arg_method", op_site(row), params=(("index", index), ("method", "project"), ("args", (to, dim))))

        def rewrite(new: str, index: int = index) -> str | None:
            return rewrite_operands(parsed, row, index, lambda _text, _other: new) if parsed else None

        what = "the second operand" if index else "the first operand"
        fixes.append(
            projection_fix(edit, texts[index], dim, width, to, row.called_at.source if parsed else None, rewrite, what)
        )
    fixes[1].description = "or " + fixes[1].description
    return fixes


def _transpose_fix(row, index: int, t, texts) -> Fix:
    swap = ".T" if t.rank == 2 else ".transpose(-2, -1)"
    parsed = parsed_line(row.called_at.source) if row.called_at else None

    def turn(text: str, _other: str) -> str:
        simple = text.replace(".", "").replace("_", "").isalnum()
        return f"{text if simple else f'({text})'}{swap}"

    after = rewrite_operands(parsed, row, index, turn) if parsed else None
    name = texts[index] if texts else ("b" if index else "a")
    edit = Edit("arg_method", op_site(row), params=(("index", index), ("method", "transpose"), ("args", (-2, -1))))
    return line_fix(
        f"transpose {'the second' if index else 'the first'} operand's last two dims: "
        f"{shape(t.shape)} → {shape((*t.shape[:-2], t.shape[-1], t.shape[-2]))}",
        row.called_at,
        row.called_at.source if row.called_at else "",
        after,
        f"{name}{swap}",
        Rerun(edits=(edit,)),
    )


def _batch(ctx: Context, row, a, b, bad, texts) -> Finding:
    dim, x, y = bad
    rank = max(a.rank, b.rank) - 2
    why = [
        f"a matrix product broadcasts the dims before the last two, as `+` does: {shape(a.shape[:-2])} and "
        f"{shape(b.shape[:-2])}; aligned from the right, dim {dim} is {x} in a and {y} in b, and neither is 1"
    ]
    fixes = []
    if a.rank == b.rank == 4 and dim == 1 and rank == 2 and max(x, y) % min(x, y) == 0:
        few = 1 if x > y else 0  # the operand with fewer heads
        groups = max(x, y) // min(x, y)
        why.append(
            f"{max(x, y)} query heads against {min(x, y)} key/value heads: grouped-query attention shares each "
            f"key/value head among {groups} query heads, so they are repeated before the product"
        )
        fix = _repeat_heads(ctx, row, few, groups, min(x, y), texts)
        if fix is not None:
            fixes.append(fix)
    return ctx.finding(
        layer=row.name,
        message=f"{_what(row)} multiplies {shape(a.shape)} by {shape(b.shape)}: the dims before the matrices "
        f"do not broadcast (dim {dim}: {x} vs {y})",
        location=row.location,
        row=row.index,
        why=why,
        labels=operand_labels(ctx, a, b),
        notes=[
            f"PyTorch reports: The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton "
            f"dimension {dim}"
        ],
        fixes=fixes,
    )


def _bmm_shared(ctx: Context, row, a, b) -> Finding:
    """`bmm` of one matrix stack for the whole batch ([1, n, k], a learned query) with the
    batch's ([B, k, m]): bmm takes equal batches and broadcasts nothing; `matmul` broadcasts the 1."""
    one = 0 if a.shape[0] == 1 else 1
    source = row.called_at.source if row.called_at else ""
    after = re.sub(r"\b(torch\.bmm|\.bmm)\(", lambda m: m.group(1).replace("bmm", "matmul") + "(", source, count=1)
    fix = line_fix(
        f"multiply with `matmul`, which broadcasts the one {shape((a, b)[one].shape)} over the batch "
        "(the same product for every sample, no copy)",
        row.called_at,
        source,
        after if after != source else None,
        "torch.matmul(a, b)",
        Rerun(edits=(Edit("op_method", op_site(row), params=(("method", "matmul"),)),)),
    )
    return ctx.finding(
        layer=row.name,
        message=f"{_what(row)} multiplies {shape(a.shape)} by {shape(b.shape)}: `bmm` needs the same batch "
        f"in both, {a.shape[0]} vs {b.shape[0]}",
        location=row.location,
        row=row.index,
        why=[
            f"`bmm` multiplies matrix i of one stack by matrix i of the other: both need dim 0 equal, and it "
            f"broadcasts nothing; {'a' if one == 0 else 'b'} is one stack of {(a, b)[one].shape[1]}×"
            f"{(a, b)[one].shape[2]} for the whole batch",
        ],
        labels=operand_labels(ctx, a, b),
        notes=[
            "PyTorch reports: Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        ],
        fixes=[fix],
    )


def _repeat_heads(ctx: Context, row, index: int, groups: int, heads: int, texts) -> Fix | None:
    """`k.repeat_interleave(g, dim=1)` at this product and at each later one that the repeat makes
    fail the same way (`att @ v`), found by tracing again; the names come from each line."""
    edits = [_repeat_edit(row, index, groups)]
    names = [_root(texts[index]) if texts else "k"]
    for _ in range(_MAX_SITES - 1):
        try:
            trace = ctx.rerun(Rerun(edits=tuple(edits)))
        except (LookupError, TimeoutError):
            return None
        site = _fails_on_the_heads(trace, heads, groups)
        if site is None:
            break
        nxt, at = site
        edits.append(_repeat_edit(nxt, at, groups))
        more = _texts(nxt)
        names.append(_root(more[at]) if more else "v")
    if len(names) == 1:
        # keys and values share their heads: the values' product comes later, past what was traced
        names.append(_companion(names[0]))
    code = "\n".join(f"{n} = {n}.repeat_interleave({groups}, dim=1)" for n in dict.fromkeys(names))
    return Fix(
        description=f"repeat each key/value head {groups} times to match the query heads "
        f"({heads} → {heads * groups}), before the products",
        code=code,
        safety=SAFE,
        location=row.called_at,
        rerun=Rerun(edits=tuple(edits)),
    )


def _fails_on_the_heads(trace: Trace, heads: int, groups: int) -> tuple[LayerRecord, int] | None:
    """(the failing product, which operand has `heads` heads) when the re-traced model fails at
    another product of 4-D operands whose heads are `heads` and `heads · groups`."""
    nxt = trace.failing
    if trace.error is None or nxt is None:
        return None
    tensors = [t for t in nxt.inputs if t.rank > 0][:2]
    if nxt.kind != OP or len(tensors) < 2 or any(t.rank != 4 for t in tensors):
        return None
    sizes = (tensors[0].shape[1], tensors[1].shape[1])
    if heads not in sizes or max(sizes) != heads * groups:
        return None
    return nxt, sizes.index(heads)


def _companion(name: str) -> str:
    """The values' name beside the keys' (`k` → `v`, `key_states` → `value_states`)."""
    for key, value in (("keys", "values"), ("key", "value"), ("k", "v")):
        if name == key or name.startswith(key + "_") or name.endswith("_" + key):
            return name.replace(key, value, 1) if name.startswith(key) else name[: -len(key)] + value
    if name.startswith("xk"):
        return "xv" + name[2:]
    return "v"


def _repeat_edit(row, index: int, groups: int) -> Edit:
    return Edit(
        "arg_method", op_site(row), params=(("index", index), ("method", "repeat_interleave"), ("args", (groups, 1)))
    )


def _mm_batched(ctx: Context, row, a, b) -> list[Finding]:
    """`torch.mm(h, W)` with `h` a batch of matrices [B, N, F]: `mm` takes 2-D matrices only
    (pyGAT's layer given batched graphs). `matmul` multiplies the last two dims and broadcasts
    the batch."""
    from ..repair import _mm_to_matmul_fix

    fix = _mm_to_matmul_fix(row)
    if fix is None or not row.type.endswith("mm") or row.type.endswith("bmm"):
        return []
    return [
        ctx.finding(
            layer=row.name,
            message=f"{ref(row)} multiplies 2-D matrices only, and gets {a.rank}-D {shape(a.shape)} and "
            f"{b.rank}-D {shape(b.shape)}",
            location=row.location,
            row=row.index,
            why=[
                "`mm` takes two matrices, [n, k] and [k, m]; a leading batch dim (graphs, sequences) is not broadcast",
                f"the dims before the last two, {shape(a.shape[:-2] or b.shape[:-2])}, are a batch of matrices",
            ],
            fixes=[fix],
        )
    ]
