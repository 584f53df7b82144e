"""SC102 in-features-mismatch.

What it does: finds an `nn.Linear` whose `in_features` differs from the size of the last dim
that reaches it: after a flatten, or a 2-D input.

Why is this bad? The forward pass fails with `mat1 and mat2 shapes cannot be multiplied`. After
a conv stack it usually means the input size changed since the head was sized: a VGG16 head of
512·7·7 = 25088 features gets 512·9·9 = 41472 at 300×300.

Example:
    self.fc = nn.Linear(512 * 7 * 7, 100)
    ...
    x = torch.flatten(self.features(x), 1)   # 41472 features at 300×300

Use instead:
    self.pool = nn.AdaptiveAvgPool2d((7, 7))  # 512·7·7 = 25088 at any input size
    x = torch.flatten(self.pool(self.features(x)), 1)

Fix safety: adding adaptive pooling is safe (no parameters change); changing `in_features`
is unsafe: existing checkpoints no longer load, and it ties the model to one input size. When
the layer is built from the model's setting and the width that arrives was written as a number
in forward (`self.pos_encoding(t, 128)` for `time_dim=256`), that setting passed instead
(`self.time_dim`) is safe, and checked by tracing the line as written.
"""

from __future__ import annotations

import re

from ...trace.records import MODULE, LayerRecord
from ..boundaries import Boundary, in_features, is_flatten, is_linear, out_features
from ..context import Context, op_site
from ..findings import ERROR, SAFE, Finding, Fix, Label, line_fix
from ..numbers import call_arguments, dot, matmul_message, module_call_argument, pool_size, prod, shape, size_text
from ..owners import forward_literal_fixes, producer_argument_fixes
from ..registry import rule
from ..requests import Edit, Rerun
from .blocks import passed_down
from .common import (
    adaptive_pool_fix,
    first_argument_fix,
    fits_range,
    flatten_batch_fix,
    flattens_the_batch,
    from_unbatched,
    layer_name,
    op_dim_fix,
    producer_label,
    ref,
)

_VIEWS = ("Tensor.view", "Tensor.reshape", "torch.reshape")


@rule("SC102", ERROR)
def check(ctx: Context) -> list[Finding]:
    findings = []
    by_row = {b.linear.index: b for b in ctx.boundaries}
    for row in ctx.trace.layers:
        if not (row.failed and is_linear(row) and row.inputs):
            continue
        b = by_row.get(row.index)
        if b is not None and not b.flattened:
            continue  # SC101 explains it
        if from_unbatched(ctx, row) is not None:
            continue  # SC105: the batch dim is missing, in_features is not the problem
        n_in = in_features(row)
        if n_in is not None and row.inputs[0].shape[-1] != n_in:
            findings.append(_finding(ctx, row, b, n_in))
    return findings


def _finding(ctx: Context, row: LayerRecord, b: Boundary | None, n_in: int) -> Finding:
    """A Linear whose input's last dim is not its in_features: read from the flatten before it
    (`b`) or from the tensor it receives, then the rows a view merged and the layer resized."""
    t = row.inputs[0]
    got = t.shape[-1]
    n_out = out_features(row)
    if b is not None:
        why, labels, fixes = _after_flatten(ctx, b, n_in, got)
    else:
        why, labels, fixes = _received(ctx, t, n_in, got), [], []
        reduced = (
            _reduced_axis_fix(ctx, row, t, n_in)
            or _reduced_before_flatten(ctx, row, t, n_in)
            or _batch_join_fix(ctx, row, t, n_in)
            or _flatten_start_fix(ctx, row, t, n_in)
            or _flatten_end_fix(ctx, row, t, n_in)
            or _flatten_rest_fix(ctx, row, t, n_in)
        )
        if reduced is not None:
            why.append(reduced[0])
            fixes.append(reduced[1])
        else:
            moved = _features_in_another_dim(ctx, row, t, n_in)
            if moved is not None:
                why.append(moved[0])
                fixes.extend(moved[1])
        if _size_from_settings(row):
            fixes.extend(producer_argument_fixes(ctx.trace, row, t, n_in))
            fixes.extend(forward_literal_fixes(ctx.trace, row, t, n_in))
    notes = [f"PyTorch reports: {matmul_message(t.shape, n_in, n_out)}"] if n_out is not None else []
    flattened = ctx.trace.row(t.source)
    if t.rank == 1 and flattens_the_batch(ctx, flattened):
        why.append(f"{ref(flattened)} flattened the batch into the vector too: {got} = {got // n_in}·{n_in}")
        fixes.insert(0, flatten_batch_fix(flattened))
    rows_fix = _rows_of_features_fix(ctx, t, n_in)
    if rows_fix is not None:
        why.append(
            f"{got} = {got // n_in}·{n_in}: the view flattened {got // n_in} rows of {n_in} features into one vector"
        )
        fixes.append(rows_fix)
    if row.kind == MODULE and row.defined_at is not None:
        fixes.append(_in_features_fix(ctx, row, b, got, n_out))
    return Finding(
        code="SC102",
        severity=ERROR,
        layer=layer_name(row),
        message=f"{ref(row)} expects {n_in} input features but receives {got}",
        location=row.location,
        row=row.index,
        why=why,
        labels=labels,
        notes=notes,
        fixes=fixes,
    )


def _after_flatten(ctx: Context, b: Boundary, n_in: int, got: int) -> tuple[list[str], list[Label], list[Fix]]:
    """The flatten's map against the size the layer was built for, the input sizes it fits, and
    an adaptive pool to that size (why, labels, fixes)."""
    why: list[str] = []
    labels: list[Label] = []
    fixes: list[Fix] = []
    fmap = b.feature_shape
    verb = "averages" if b.flatten is not None and b.flatten.type in ("torch.mean", "Tensor.mean") else "flattens"
    flat_ref = ref(b.flatten) if b.flatten is not None else "the flatten"
    why.append(f"{flat_ref} {verb} {shape(fmap)} into {dot(fmap[1:])} = {got} features per sample")
    sized = pool_size(fmap[1], n_in, fmap[2:])
    if sized is not None and not b.adaptive:
        why.append(
            f"in_features {n_in} = {fmap[1]}·{dot(sized)}: the layer was sized for a "
            f"{size_text(sized)} map, the input now gives {size_text(fmap[2:])}"
        )
    fits = fits_range(ctx, b, n_in)
    if fits:
        why.append(f"in_features {n_in} fits inputs with {fits}")
    label = producer_label(ctx, b)
    if label:
        labels.append(label)
    # Pooling to a larger map than the input gives (7×7 up to 8×8) only repeats values:
    # then the layer's size is what changes.
    upsamples = sized is not None and any(w > h for w, h in zip(sized, fmap[2:], strict=False))
    if not b.adaptive and not upsamples:
        fix = adaptive_pool_fix(b, n_in, "at any input size, and the layer keeps its weights")
        if fix:
            fixes.append(fix)
    return why, labels, fixes


def _received(ctx: Context, t, n_in: int, got: int) -> list[str]:
    """No flatten before it: the tensor it receives and the row that made it."""
    src = ctx.trace.row(t.source)
    where = f" from {ref(src)}" if src is not None else ""
    return [f"it receives {shape(t.shape)}{where}: the last dim {got} ≠ in_features {n_in}"]


def _reduced_axis_fix(ctx: Context, row: LayerRecord, t, n_in: int) -> tuple[str, Fix] | None:
    """A reduction right before the Linear took away the axis of its features (`h.max(dim=-1)` of
    `[graphs, nodes, features]`, where a readout reduces over the nodes): (why, the reduction over
    the one other axis that leaves in_features last). Not the batch; None for any other case."""
    src = ctx.trace.row(t.source)
    if src is None or src.kind != "op" or src.attrs.get("category") != "reduce" or len(src.inputs) != 1:
        return None
    x, dim = src.inputs[0], src.attrs.get("dim", src.dim_argument())
    if not isinstance(dim, int) or x.rank < 2 or src.attrs.get("keepdim") or t.rank != x.rank - 1:
        return None
    dim %= x.rank
    if dim == 0 and ctx.trace.batch is not None and x.shape[0] == ctx.trace.batch and x.shape[0] != n_in:
        return _batch_reduced(row, src, x, n_in)
    first = 1 if ctx.trace.batch is not None or x.rank >= 3 else 0  # dim 0 of [B, N, F] is a batch
    others = [k for k in range(first, x.rank) if k != dim and (*x.shape[:k], *x.shape[k + 1 :])[-1] == n_in]
    if x.shape[dim] != n_in:
        return None
    if len(others) != 1:
        # A map's channels reduced away (`x.mean(dim=1)` of [B, C, H, W]): the features are the
        # channels, and every dim after them is what a global pool reduces, leaving [B, C].
        rest = tuple(k for k in range(1, x.rank) if k != dim)
        if dim != 1 or x.rank < 4 or ctx.trace.batch is None or x.shape[0] != ctx.trace.batch:
            return None
        return _reduce_over(row, src, x, dim, rest, n_in)
    k = others[0]
    return _reduce_over(row, src, x, dim, k, n_in)


def _reduced_before_flatten(ctx: Context, row: LayerRecord, t, n_in: int) -> tuple[str, Fix] | None:
    """A reduction took away the channels and a flatten then made features of what was left
    (`x.mean(dim=1)` of [B, 128, 8, 8], flattened to 64): the Linear is built for the 128
    channels, which stay when the other dims are reduced instead (`x.mean(dim=(2, 3))`; the
    flatten then keeps [B, 128])."""
    flat = ctx.trace.row(t.source)
    if flat is None or not is_flatten(flat) or ctx.trace.batch is None:
        return None
    src = ctx.trace.row(flat.inputs[0].source)
    if src is None or src.kind != "op" or src.attrs.get("category") != "reduce" or len(src.inputs) != 1:
        return None
    x, dim = src.inputs[0], src.attrs.get("dim", src.dim_argument())
    if not isinstance(dim, int) or x.rank < 3 or src.attrs.get("keepdim") or flat.inputs[0].rank != x.rank - 1:
        return None
    dim %= x.rank
    if dim == 0 or x.shape[dim] != n_in or x.shape[0] != t.shape[0]:
        return None
    others = tuple(k for k in range(1, x.rank) if k != dim)
    over = others[0] if len(others) == 1 else others
    why = (
        f"{ref(src)} reduced dim {dim} of {shape(x.shape)}, the {n_in} features `{layer_name(row)}` is built for, "
        f"and {ref(flat)} made features of the {dot(x.shape[k] for k in others)} values left"
    )
    return why, op_dim_fix(
        src, over, f"reduce over dims {others} instead of dim {dim}: {ref(src)} then leaves the {n_in} features"
    )


def _batch_join_fix(ctx: Context, row: LayerRecord, t, n_in: int) -> tuple[str, Fix] | None:
    """Features joined along another dim than theirs (`torch.cat([a(x), b(y)], dim=0)`): the
    items differ only in the joined dim, the rows (or tokens) grow, and the Linear is built for
    the features side by side, Σ F_i = in_features: (why, the join along the last dim)."""
    src = ctx.trace.row(t.source)
    if src is None or src.kind != "op" or src.attrs.get("category") != "join" or src.type.endswith("stack"):
        return None
    items = src.inputs
    rank = items[0].rank if items else 0
    if len(items) < 2 or rank < 2 or any(i.rank != rank for i in items):
        return None
    dim = src.dim_argument() % rank
    if dim == rank - 1 or sum(i.shape[-1] for i in items) != n_in:
        return None
    if any(i.shape[:dim] + i.shape[dim + 1 :] != items[0].shape[:dim] + items[0].shape[dim + 1 :] for i in items):
        return None
    widths = " + ".join(str(i.shape[-1]) for i in items)
    batch = ctx.trace.batch
    what = "the batch" if dim == 0 and batch is not None and items[0].shape[0] == batch else "not the features"
    new_dim = 1 if rank == 2 else -1
    grown = f"{len(items)}·{items[0].shape[dim]} {'rows' if dim == 0 else 'along it'}"
    why = (
        f"{ref(src)} joins {' and '.join(shape(i.shape) for i in items)} along dim {dim}, {what}: "
        f"{grown}; side by side they are the {widths} = {n_in} features `{layer_name(row)}` is built for"
    )
    where = "one row per sample" if what == "the batch" else "each row"
    return why, op_dim_fix(
        src, new_dim, f"join along dim {new_dim} instead of dim {dim}: {where} with its {n_in} features"
    )


def _flatten_start_fix(ctx: Context, row: LayerRecord, t, n_in: int) -> tuple[str, Fix] | None:
    """A flatten that starts one dim too early (`x.permute(0, 2, 3, 1, 4, 5).flatten(2)` of a
    [B, h, w, C, p, p] patch grid): the last dims from some j on hold exactly in_features values
    (C·p·p = 768), and the dims between the batch and j were merged into the features too. The
    features from dim j, the dims before them one token dim: `.flatten(j).flatten(1, j - 1)`,
    written on the flatten's line and checked as written."""
    src = ctx.trace.row(t.source)
    if src is None or src.kind != "op" or src.type not in ("Tensor.flatten", "torch.flatten") or not src.inputs:
        return None
    x = src.inputs[0].shape
    rank = len(x)
    start = _flatten_argument(src, 0, 0) % max(rank, 1)
    end = _flatten_argument(src, 1, -1) % max(rank, 1)
    if rank < 4 or end != rank - 1 or start < 1 or src.called_at is None:
        return None
    j = next((j for j in range(start + 1, rank) if prod(x[j:]) == n_in), None)
    if j is None:
        return None
    merged = " and ".join(f"dim {d} ({x[d]})" for d in range(start, j))
    tokens = f".flatten({j}).flatten(1, {j - 1})" if j - 1 > 1 else f".flatten({j})"
    after = _rewritten_flatten(src, start, tokens, j)
    if after is None:
        return None
    why = (
        f"{ref(src)} flattens dims {start}-{rank - 1} of {shape(x)} into {t.shape[-1]} features: "
        f"{t.shape[-1]} = {'·'.join(str(x[d]) for d in range(start, j))}·{n_in}, {merged} merged with the "
        f"{dot(x[j:])} = {n_in} values `{layer_name(row)}` is built for"
    )
    description = f"flatten from dim {j}: {n_in} features per token" + (
        f", dims 1-{j - 1} ({dot(x[1:j])}) one token dim" if j - 1 > 1 else ""
    )
    return why, line_fix(description, src.called_at, src.called_at.source, after, tokens)


def _flatten_end_fix(ctx: Context, row: LayerRecord, t, n_in: int) -> tuple[str, Fix] | None:
    """A flatten that stops one dim too early (`h.flatten(1, 2)` of [B, 8, 8, 4] into a Linear
    built for 8·8·4 = 256): the dims from its start to the last hold exactly in_features values,
    so the layer was written for all of them flattened; `.flatten(start)` on the flatten's line,
    checked as written. Resizing the layer to the last dim would keep a dim per sample."""
    src = ctx.trace.row(t.source)
    if src is None or src.kind != "op" or src.type not in ("Tensor.flatten", "torch.flatten") or not src.inputs:
        return None
    x = src.inputs[0].shape
    rank = len(x)
    start = _flatten_argument(src, 0, 0) % max(rank, 1)
    end = _flatten_argument(src, 1, -1) % max(rank, 1)
    if end >= rank - 1 or prod(x[start:]) != n_in or src.called_at is None:
        return None
    source = src.called_at.source
    pattern = r"\.flatten\(\s*([^,()]+?)\s*,\s*[^,()]+\)" if src.type == "Tensor.flatten" else None
    pattern = pattern or r"torch\.flatten\(\s*([^,()]+?\s*,\s*[^,()]+?)\s*,\s*[^,()]+\)"
    found = list(re.finditer(pattern, source))
    if len(found) != 1:
        return None
    head = ".flatten(" if src.type == "Tensor.flatten" else "torch.flatten("
    after = source[: found[0].start()] + f"{head}{found[0].group(1)})" + source[found[0].end() :]
    why = (
        f"{ref(src)} flattens dims {start}-{end} of {shape(x)} and keeps dim {rank - 1} ({x[-1]}): "
        f"`{layer_name(row)}` is built for {dot(x[start:])} = {n_in}, every dim from {start} on"
    )
    return why, line_fix(f"flatten every dim from {start} on: {n_in} features", src.called_at, source, after, after)


def _flatten_rest_fix(ctx: Context, row: LayerRecord, t, n_in: int) -> tuple[str, Fix] | None:
    """A Linear built for all the per-sample values of what reaches it, [B, T, H] into
    `nn.Linear(T * H, …)` (an LSTM's every step at once): the argument flattened from dim 1 on
    the line that calls the layer, checked as written. Only with a batch in dim 0."""
    x = t.shape
    if ctx.trace.batch is None or len(x) < 3 or prod(x[1:]) != n_in or row.called_at is None:
        return None
    source = row.called_at.source
    arg = module_call_argument(source, row.name)
    if arg is None or source.count(arg) != 1:
        return None
    wrapped = f"{arg}.flatten(1)" if re.fullmatch(r"[\w.]+(\(.*\))?", arg) else f"({arg}).flatten(1)"
    after = source.replace(arg, wrapped, 1)
    why = f"`{layer_name(row)}` is built for {dot(x[1:])} = {n_in}: every value of each sample of {shape(x)}"
    return why, line_fix(
        f"flatten each sample before `{layer_name(row)}`: {n_in} features", row.called_at, source, after, after
    )


def _flatten_argument(src: LayerRecord, position: int, default: int) -> int:
    """The flatten's start_dim (position 0) or end_dim (1), by keyword or by position after the tensor."""
    names = ("start_dim", "end_dim")
    value = src.attrs.get(names[position])
    args = src.attrs.get("args", [])
    if value is None and len(args) > position + 1 and isinstance(args[position + 1], int):
        value = args[position + 1]
    return default if value is None else value


def _rewritten_flatten(src: LayerRecord, start: int, tokens: str, j: int) -> str | None:
    """The flatten's line with `.flatten(start)` (or `torch.flatten(x, start)`) written as
    `tokens`; None unless exactly one such call is on the line."""
    source = src.called_at.source if src.called_at else ""
    method = list(re.finditer(rf"\.flatten\(\s*(?:start_dim\s*=\s*)?{start}\s*\)", source))
    if len(method) == 1 and src.type == "Tensor.flatten":
        found = method[0]
        return source[: found.start()] + tokens + source[found.end() :]
    function = list(re.finditer(rf"torch\.flatten\(([^(),]+),\s*(?:start_dim\s*=\s*)?{start}\s*\)", source))
    if len(function) == 1 and src.type == "torch.flatten":
        found = function[0]
        inner = f"torch.flatten({found.group(1)}, {j})"
        text = f"torch.flatten({inner}, 1, {j - 1})" if j - 1 > 1 else inner
        return source[: found.start()] + text + source[found.end() :]
    return None


def _batch_reduced(row: LayerRecord, src: LayerRecord, x, n_in: int) -> tuple[str, Fix] | None:
    """The reduction took dim 0, the batch (`x.mean(0)` of [B, C, H, W]): the features are the
    channels, and the map after them is what to reduce ([B, 64, 8, 8]: (2, 3)). Features-last
    tokens ([B, T, 64]) reduced over the batch still fit the Linear: SC126's, not this."""
    if x.rank < 3 or x.shape[1] != n_in or x.shape[-1] == n_in:
        return None
    over: int | tuple[int, ...] = tuple(range(2, x.rank)) if x.rank > 3 else 2
    return _reduce_over(row, src, x, 0, over, n_in)


def _reduce_over(row: LayerRecord, src: LayerRecord, x, dim: int, k, n_in: int) -> tuple[str, Fix]:
    over = f"dims {k}" if isinstance(k, tuple) else f"dim {k}"
    if dim == 0:
        why = (
            f"{ref(src)} reduced dim 0 of {shape(x.shape)}, the batch: one result for all the samples; "
            f"the {n_in} features `{layer_name(row)}` is built for stay when {over} "
            f"{'are' if isinstance(k, tuple) else 'is'} reduced"
        )
    elif isinstance(k, tuple):
        why = (
            f"{ref(src)} reduced dim {dim} of {shape(x.shape)}: the {n_in} channels `{layer_name(row)}` is built "
            f"for; dims {k} ({dot(x.shape[j] for j in k)}) are the map a global pool takes away"
        )
    else:
        why = (
            f"{ref(src)} reduced dim {dim} of {shape(x.shape)}: the {n_in} features `{layer_name(row)}` is built "
            f"for; dim {k} ({x.shape[k]}) is the other axis a reduction takes away"
        )
    return why, op_dim_fix(
        src, k, f"reduce over {over} instead of dim {dim}: {ref(src)} then leaves the {n_in} features"
    )


def _in_features_fix(ctx: Context, row: LayerRecord, b: Boundary | None, got: int, n_out: int | None) -> Fix:
    """`nn.Linear(got, n_out)`: the layer resized to what arrives (unsafe: its weights change, and
    after a fixed-size flatten it ties the model to this input size)."""
    tie = ""
    if b is not None and not b.adaptive:
        tie = f"; this ties the model to inputs of {size_text(ctx.sample_dims)}"
    rerun = (
        Rerun(edits=(Edit("replace", row.name, "Linear", (("in_features", got), ("out_features", n_out))),))
        if n_out
        else None
    )
    fix = first_argument_fix(
        row,
        got,
        f"set in_features={got} on {ref(row)}{tie}",
        f"{row.type}({got}, {n_out})",
        rerun,
        factors=tuple(b.feature_shape[1:]) if b is not None else None,
    )
    return passed_down(ctx.trace, row, fix, 0, got, "in_features")


def _features_in_another_dim(ctx: Context, row: LayerRecord, t, n_in: int) -> tuple[str, list[Fix]] | None:
    """The layer's in_features arrive in another dim of what it receives, and the last dim holds
    positions: [B, C, H·W] from `flatten(2)` of a feature map, a graph's [F, N] after a `.t()`.
    Resizing the layer would build it for the positions of one input size; the features go last
    (a transpose), or, for a flattened map whose positions follow two input dims, pooled over
    the positions first (an image tower's head reads one vector per sample). Each is a change of
    the call line, checked as written."""
    from ..numbers import module_call_argument
    from ..provenance import provenance
    from .common import rewrite_call

    first = 1 if ctx.trace.batch is not None else 0
    other = [d for d in range(first, t.rank - 1) if t.shape[d] == n_in]
    if len(other) != 1 or t.shape[-1] == n_in or row.kind != MODULE or row.called_at is None:
        return None
    prov = provenance(ctx)
    follows = prov.dims(row, "inputs", 0) if prov is not None else None
    if follows is None or len(follows) != t.rank or not follows[-1] or follows[other[0]] & follows[-1]:
        return None  # the last dim follows the input's sizes, the features other sources or none
    d = other[0]
    if any(re.fullmatch(rf"(input \d+ )?dim {d - first}", source) for source in follows[d]):
        return None  # the features are where the input has them: its own layout, not a swap
    source = row.called_at.source
    var = module_call_argument(source, row.name)
    if not var:
        return None
    name = row.name.rsplit(".", 1)[-1]
    fixes = []
    moved = tuple(t.shape[k] for k in (*range(d), t.rank - 1, *range(d + 1, t.rank - 1), d))
    transposed = rewrite_call(source, name, var, f"{var}.transpose({d}, {t.rank - 1})" if t.rank > 2 else f"{var}.t()")
    if transposed is not None:
        moving = f"move the {n_in} features last before {ref(row)}: {shape(t.shape)} → {shape(moved)}"
        fixes.append(line_fix(moving, row.called_at, source, transposed, transposed))
    pooled = rewrite_call(source, name, var, f"{var}.mean(-1)") if t.rank == 3 and d == 1 else None
    if pooled is not None:
        pooling = (
            f"pool the {t.shape[-1]} positions before {ref(row)}: one vector of {n_in} features per sample, for "
            "any input size"
        )
        pool = line_fix(pooling, row.called_at, source, pooled, pooled)
        fixes.insert(0 if len(follows[-1]) > 1 else len(fixes), pool)
    if not fixes:
        return None
    why = (
        f"{n_in}, the features `{row.name}` is built for, sits in dim {d} of {shape(t.shape)}, and the last dim "
        f"{t.shape[-1]} changes with the input size: positions, not features"
    )
    return why, fixes


def _rows_of_features_fix(ctx: Context, t, n_in: int) -> Fix | None:
    """`fc(x.view(-1))` where the vector holds k·in_features values: it flattened k rows (graphs,
    samples, nodes) into one, so the view keeps them apart (`x.view(-1, 384)`) and the layer
    stays as built, one output per row."""
    src = ctx.trace.row(t.source)
    if t.rank != 1 or src is None or src.type not in _VIEWS or src.called_at is None:
        return None
    if t.shape[0] % n_in or t.shape[0] == n_in:
        return None
    source = src.called_at.source
    call = src.type.rsplit(".", 1)[-1]
    found = call_arguments(source, call)
    after = None
    if found is not None and found[2] and src.type.startswith("Tensor."):
        begin, close = found[2][0][0], found[1]
        after = source[:begin] + f"-1, {n_in}" + source[close:]
    return Fix(
        description=f"keep the rows apart: view the vector as [{t.shape[0] // n_in}, {n_in}], rows of the "
        f"layer's {n_in} features",
        code=after or f"x = x.view(-1, {n_in})",
        safety=SAFE,
        location=src.called_at,
        before=source if after else None,
        after=after,
        rerun=Rerun(edits=(Edit("op_view_shape", op_site(src), params=(("shape", (-1, n_in)),)),)),
    )


def _size_from_settings(row) -> bool:
    """The layer's in_features is written as a name or an expression (`2 * block_out_channels[0]`,
    `in_channels`), not a number: the model's settings chose it."""
    source = row.defined_at.source if row.defined_at is not None else ""
    match = re.search(r"Linear\(\s*([^,()]+)", source or "")
    return match is not None and not match.group(1).strip().isdigit() and "in_features=" not in match.group(1)
