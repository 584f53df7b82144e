"""SC106 batch-mixing.

What it does: traces the model at two batch sizes (cheap on meta tensors) and finds the op
where a dim that should follow the batch stops following it: `torch.cat(branches, 0)`
multiplies the batch, `x.view(-1, 400)` folds spatial positions into it. An error when the
model's output batch differs from the input's, or when a later op fails because a view before
it folded part of each sample into the batch (`x.view(-1, C, 32 * 32)` of a 64-pixel map: the
fix reads that size from the tensor); a warning for `view(-1, n)` that keeps the batch only at
the traced input size, and for one statistic of the whole batch (`x.mean()`, `x.abs().max()`
with no dim) put back into every sample of a model that answers per sample (`(x - x.mean()) /
x.std()` meant per image), unless the model reduces over the batch dim on purpose elsewhere (a
batch norm written by hand, Sinkhorn-Knopp).

Why is this bad? Samples are mixed silently: the loss compares the wrong rows, or fails much
later with `Expected input batch_size (64) to match target batch_size (16)`.

Example:
    x = x.view(-1, 16 * 5 * 5)   # 4 rows per sample at 52×52

Use instead:
    x = torch.flatten(x, 1)      # always one row per sample

Fix safety: safe: no parameters change (the next Linear may need another in_features).
"""

from __future__ import annotations

import ast
import re
from fractions import Fraction

from ...trace.records import LayerRecord, Trace
from ..context import Context, op_site
from ..findings import ERROR, SAFE, WARNING, Finding, Fix
from ..layers import groups_whole_samples, view_shape
from ..numbers import call_argument, char_span, dot, parsed_line, per_sample_range, pool_size, prod, shape
from ..provenance import BATCH, provenance, regrouped
from ..registry import rule
from ..requests import Edit, Rerun
from .common import batch_role, flatten_in_place, follow_up_linear, prepool_view_fix, ref, spatial_map

_JOIN = ("torch.cat", "torch.concat", "torch.concatenate")
_VIEWS = ("Tensor.view", "Tensor.reshape", "torch.reshape")


def _factor(a: tuple[int, ...], b: tuple[int, ...], b1: int, b2: int) -> Fraction | None:
    """k when dim 0 is k·batch in both traces (2: each sample became two rows; 1/2: two
    samples became one row), 0 when dim 0 does not change, else None."""
    if not a or not b:
        return None
    if a[0] == b[0]:
        return Fraction(0)
    k = Fraction(b[0] - a[0], b2 - b1)
    return k if k > 0 and a[0] == k * b1 else None


def _mixes(k: Fraction | None) -> bool:
    return k is not None and k not in (0, 1)


def _culprit(ctx: Context, other, b1: int, b2: int) -> tuple[LayerRecord, Fraction] | None:
    for row, twin in zip(ctx.trace.layers, other.layers, strict=False):
        if (row.name, row.type) != (twin.name, twin.type):
            return None
        if row.kind == "module" and ctx.trace.children(row.index):
            continue  # a container: the op inside it is the one to name
        if not row.outputs or not twin.outputs or not row.inputs or not twin.inputs:
            continue
        ins = {_factor(i.shape, j.shape, b1, b2) for i, j in zip(row.inputs, twin.inputs, strict=False)}
        out = _factor(row.outputs[0].shape, twin.outputs[0].shape, b1, b2)
        if 1 in ins and _mixes(out):
            assert out is not None
            return row, out
    return None


def _folded_before_failure(ctx: Context, other, b1: int, b2: int) -> tuple[LayerRecord, Fraction] | None:
    """A view before the failing row that folds part of each sample into the batch: dim 0 is
    k·batch where k is no product of the sample's leading dims (`[B, T, F]` → `[B·T, F]` is a
    deliberate fold; `[B, 32, 64, 64]` → `[4·B, 32, 1024]` is a size written for smaller maps).
    The failure downstream is where the extra rows meet a tensor that kept the batch."""
    found = _culprit(ctx, other, b1, b2)
    failing = ctx.trace.failing
    if found is None or failing is None or found[0].index >= failing.index or found[0].type not in _VIEWS:
        return None
    return None if _deliberate_fold(*found) else found


def _deliberate_fold(row: LayerRecord, k: Fraction) -> bool:
    """Dim 0 became the batch times whole leading dims of each sample (`[B, T, F]` → `[B·T, F]`,
    `[B, H, W, C]` → `[B·H·W, C]`): one row per token or pixel, as a per-token layer or loss
    wants; not part of a sample folded in by a size written for another input."""
    per_sample = row.inputs[0].shape[1:]
    leading = [prod(per_sample[:j]) for j in range(1, len(per_sample) + 1)]
    return k.denominator == 1 and int(k) in leading


def _size_names_channels(row: LayerRecord) -> bool:
    """The row size written in the view is a product with the input's channel count as a factor
    (`x.view(-1, 16 * 8 * 8)` of a [B, 16, 32, 32] map): each row was meant to hold every
    channel, so the B·16 rows it gives are not one row per channel by design."""
    found = parsed_line(row.called_at.source) if row.called_at is not None else None
    if found is None or not row.inputs or row.inputs[0].rank < 3 or not row.outputs:
        return False
    channels, size = row.inputs[0].shape[1], row.outputs[0].shape[-1]
    for node in ast.walk(found[2]):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr in ("view", "reshape"):
            args = node.args[0].elts if len(node.args) == 1 and isinstance(node.args[0], ast.Tuple) else node.args
            factors = _factors(args[-1]) if args else None
            return factors is not None and len(factors) > 1 and channels in factors and prod(factors) == size
    return False


def _factors(node: ast.expr) -> list[int] | None:
    """`16 * 8 * 8` → [16, 8, 8]; None for anything but a product of integer constants."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return [node.value]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        left, right = _factors(node.left), _factors(node.right)
        return left + right if left is not None and right is not None else None
    return None


@rule("SC106", ERROR)
def check(ctx: Context) -> list[Finding]:
    trace = ctx.trace
    if trace.batch is None or trace.image_list or ctx.runner is None or not trace.layers:
        return []
    b1 = trace.batch
    at = _at_another_batch(ctx, b1)
    if at is None:
        return []
    other, b2 = at
    findings = []
    mixed = _mixed(ctx, other, b1, b2)
    if mixed is not None:
        findings.append(_mixing(ctx, mixed[0], mixed[1], b1, trace.layers[0]))
    for row in trace.layers:
        if mixed is not None and row is mixed[0]:
            continue
        constant = _constant_batch(ctx, row, other, b2)
        if constant is not None:
            findings.append(constant)
            continue
        latent = _latent_view(ctx, row)
        if latent is not None:
            findings.append(latent)
    whole = _whole_batch_statistic(ctx)
    if whole is not None:
        findings.append(whole)
    return findings


_WHOLE: tuple[str, ...] = (
    "Tensor.mean",
    "torch.mean",
    "Tensor.sum",
    "torch.sum",
    "Tensor.max",
    "torch.max",
    "Tensor.min",
)
_WHOLE += ("torch.min", "Tensor.amax", "torch.amax", "Tensor.amin", "torch.amin")
_PER_SAMPLE = {"max": "amax", "min": "amin"}  # max and min reduce one dim only


def _whole_batch_statistic(ctx: Context) -> Finding | None:
    """One number computed from the whole batch (`x.mean()`, `x.abs().max()` without a dim, of
    data that carries the batch: measured by dim provenance) put back into every sample by an
    elementwise op, in a model that returns one row per sample: `(x - x.mean()) / x.std()` meant
    per image standardises each image by the whole batch, so a sample's output depends on the
    others and changes with the batch size. Not flagged where the model reduces over the batch
    dim on purpose elsewhere (a batch norm written by hand, Sinkhorn-Knopp balancing)."""
    trace = ctx.trace
    pmap = provenance(ctx)
    root = trace.layers[0]
    if pmap is None or BATCH not in pmap.sources or not root.outputs:
        return None
    out = pmap.dims(root, "outputs")
    if out is None or not any(BATCH in f for f in out):
        return None  # a loss or one answer for the batch: a statistic over the batch is its business
    found = None
    for row in trace.layers:
        if row.kind != "op" or row.attrs.get("category") != "reduce" or not row.inputs or not row.outputs:
            continue
        dims = pmap.dims(row, "inputs")
        if not dims or not any(BATCH in f for f in dims):
            continue
        if _reduced_dims(row) is None:
            if found is None and row.type in _WHOLE and _whole(row, dims) and row.inputs[0].from_input:
                found = row
        elif any(BATCH in dims[d] for d in _reduced_dims(row) or () if d < len(dims)):
            return None  # the model reduces over the batch dim on purpose (a batch norm, Sinkhorn)
    if found is None:
        return None
    user = _put_back(ctx, pmap, found)
    if user is None or (found.name in ("max", "amax") and user.name in ("sub", "__sub__")):
        return None  # `exp(x - x.max())`: a shift for numerical stability, cancelled by the normalisation
    x = found.inputs[0]
    why = [
        f"{ref(found)} reduces all of {shape(x.shape)} to one number, and dim 0 follows the batch (it changes "
        "when the batch does): the number is a statistic of the whole batch",
        f"{ref(user)} combines it with {shape(user.outputs[0].shape)}, one row per sample: each sample is "
        "scaled or shifted by the others, so its output changes with what else is in the batch and with the "
        "batch size",
    ]
    per = ", ".join(str(d) for d in range(1, x.rank))
    fix = Fix(
        description="reduce over each sample's own dims, keeping them for broadcasting",
        code=f".{_PER_SAMPLE.get(found.name, found.name)}(dim=({per}{',' if x.rank == 2 else ''}), keepdim=True)",
        safety=SAFE,
        check_note="not checked: which dims make a sample is the model's design",
    )
    return Finding(
        code="SC106",
        severity=WARNING,
        layer=found.name,
        message=f"{ref(found)} takes one statistic over the whole batch, which {ref(user)} puts back into every sample",
        location=found.called_at,
        row=found.index,
        why=why,
        fixes=[fix],
    )


def _reduced_dims(row: LayerRecord) -> tuple[int, ...] | None:
    """The dims a reduction row reduces (counted from 0), or None for all of them (no dim given)."""
    args = row.attrs.get("args", [])
    dim = row.attrs.get("dim", args[1] if len(args) > 1 else None)
    rank = row.inputs[0].rank
    if dim is None:
        return None
    dims = dim if isinstance(dim, (list, tuple)) else (dim,)
    if not all(isinstance(d, int) and not isinstance(d, bool) and -rank <= d < max(rank, 1) for d in dims):
        return ()
    return tuple(d % max(rank, 1) for d in dims)


def _whole(row: LayerRecord, dims) -> bool:
    """A reduction to one number of a tensor that holds samples (the batch and dims of their own)."""
    x, y = row.inputs[0], row.outputs[0]
    return y.rank == 0 and x.rank >= 2 and any(f for f in dims if BATCH not in f)


def _put_back(ctx: Context, pmap, found: LayerRecord) -> LayerRecord | None:
    """The elementwise row that combines the statistic with a tensor that follows the batch."""
    tid = found.outputs[0].tid
    for later in ctx.trace.layers[found.index + 1 :]:
        if later.attrs.get("category") != "elementwise" or not later.outputs:
            continue
        if not any(t.tid == tid for t in later.inputs):
            continue
        dims = pmap.dims(later, "outputs")
        if dims and any(BATCH in f for f in dims):
            return later
    return None


def _at_another_batch(ctx: Context, b1: int) -> tuple[Trace, int] | None:
    """The trace at batch b1 + 2, and that batch; at twice the batch when only that runs."""
    b2 = b1 + 2
    try:
        other = ctx.rerun(Rerun(batch=b2))
        if ctx.trace.error is None and other.error is not None and b1 > 1:
            # A view with the batch written into its row size (`view(-1, 8 * 14400)`) fails at
            # any batch that is not a multiple of that batch: twice the batch still runs.
            b2 = 2 * b1
            other = ctx.rerun(Rerun(batch=b2))
    except (LookupError, TimeoutError):
        return None
    return other, b2


def _mixed(ctx: Context, other: Trace, b1: int, b2: int) -> tuple[LayerRecord, Fraction] | None:
    """The row that mixes samples: in a model that runs and returns k·batch rows, the row where
    dim 0 stops following the batch (not a deliberate fold into tokens); in a model that fails,
    a view before the failure that folded part of each sample into the batch."""
    trace = ctx.trace
    root, twin = trace.layers[0], other.layers[0] if other.layers else None
    if twin is None:
        return None
    if trace.error is None and other.error is None and root.outputs and twin.outputs:
        if not _mixes(_factor(root.outputs[0].shape, twin.outputs[0].shape, b1, b2)):
            return None
        mixed = _culprit(ctx, other, b1, b2)
        if (
            mixed is not None
            and mixed[0].type in _VIEWS
            and _deliberate_fold(mixed[0], mixed[1])
            and not _size_names_channels(mixed[0])
        ):
            return None  # [B·T, V] logits for a per-token loss: the fold is the design
        if mixed is not None and mixed[0].type in _VIEWS and groups_whole_samples(mixed[0]):
            return None  # whole samples in groups (a few-shot class's k shots): the grouping is the design
        if mixed is not None and mixed[0].type in _JOIN and _stacks_inputs(ctx, mixed[0]):
            return None  # two views of each sample, one pass through the encoder (SimCLR): the design
        if mixed is not None and _slices_whole_samples(mixed[0]):
            return None  # `z[:half]`: the support half of a batch that holds support and queries
        return mixed
    if trace.error is not None and trace.failing is not None:
        return _folded_before_failure(ctx, other, b1, b2)
    return None


def _slices_whole_samples(row: LayerRecord) -> bool:
    """A basic slice of dim 0 (`z[:half]`, `z[half:]`): the rows it keeps are whole samples, each
    unchanged, so nothing is mixed; fewer rows are the design (the support half of a few-shot
    batch, the chosen half of a DPO pair). An index, a mask or a reshape is not this."""
    if row.type != "Tensor.__getitem__" or not row.inputs or not row.outputs:
        return False
    args = row.attrs.get("args")
    if not isinstance(args, list) or len(args) < 2 or not isinstance(args[1], str):
        return False
    index = args[1].removeprefix("(")
    a, b = row.inputs[0].shape, row.outputs[0].shape
    return index.startswith("slice(") and len(a) == len(b) and tuple(a[1:]) == tuple(b[1:])


def _stacks_inputs(ctx: Context, row: LayerRecord) -> bool:
    """A join along dim 0 of the model's own inputs, as given (two augmented views of each sample
    into one encoder pass, SimCLR): every row stays one sample's, stacked, not mixed. Features of
    different inputs joined along dim 0 (an image's and a text's) are still mixing."""
    tids = {t.tid for t in row.inputs if ctx.trace.is_model_input(t)}
    return len(tids) == len(row.inputs) >= 2


def _mixing(ctx: Context, row: LayerRecord, k: Fraction, b1: int, root: LayerRecord) -> Finding:
    out = row.outputs[0].shape
    if k.denominator == 1:
        became = f"dim 0 is {k}·{b1} = {out[0]}, so each sample became {k} rows"
    else:
        became = f"dim 0 is {b1}/{k.denominator} = {out[0]}, so every {k.denominator} samples became one row"
    why = [f"with batch {b1} {ref(row)} returns {shape(out)}: {became}"]
    failing = ctx.trace.failing
    if root.outputs:
        why.append(f"the model returns {shape(root.outputs[0].shape)} for a batch of {b1}")
    elif failing is not None:
        why.append(f"{ref(failing)} fails where those {out[0]} rows meet a tensor that kept the batch of {b1}")
    fixes = []
    if row.type in _JOIN:
        fixes.append(_feature_join_fix(ctx, row))
        why.insert(0, f"{ref(row)} joins {len(row.inputs)} tensors of batch {b1} along dim 0")
    role = batch_role(row.outputs[0])
    if role is not None:
        why.append(f"symbolically, {role}")
    if row.type in _VIEWS:
        size_fix = _per_sample_size_fix(row)
        if size_fix is not None:
            fixes.append(size_fix)
        fixes.extend(_flatten_fixes(ctx, row))
        asked = view_shape(row)
        if asked:
            per = prod(row.inputs[0].shape[1:])
            why.insert(
                0,
                f"{ref(row)} asks for rows of {prod(d for d in asked if d != -1)} values, "
                f"but one sample has {dot(row.inputs[0].shape[1:])} = {per}",
            )
    return Finding(
        code="SC106",
        severity=ERROR,
        layer=row.name,
        message=f"{ref(row)} mixes samples: the batch of {b1} becomes {out[0]} rows",
        location=row.location,
        row=row.index,
        why=why,
        fixes=fixes,
    )


def _feature_join_fix(ctx: Context, row: LayerRecord) -> Fix:
    """`torch.cat(branches, dim=1)`: the branches joined along the features, not the batch."""
    source = row.called_at.source if row.called_at else ""
    after = re.sub(r",\s*(dim\s*=\s*)?0\s*\)(\s*)$", r", dim=1)\2", source)
    return follow_up_linear(
        ctx,
        Fix(
            description="join the branches along the feature dim, not the batch dim",
            code=after if after != source else "torch.cat(tensors, dim=1)",
            safety=SAFE,
            location=row.called_at,
            before=source if after != source else None,
            after=after if after != source else None,
            rerun=Rerun(edits=(Edit("op_args", op_site(row), params=(("dim", 1),)),)),
        ),
    )


def _flatten_fixes(ctx: Context, row: LayerRecord) -> list[Fix]:
    fixes: list[Fix] = []
    if row.called_at is None:
        return fixes
    var = call_argument(row.called_at.source)
    after = flatten_in_place(row.called_at.source, row.type.rpartition(".")[2])
    fixes.append(
        follow_up_linear(
            ctx,
            Fix(
                description="keep one row per sample: flatten everything but the batch dim",
                code=after or f"{var} = torch.flatten({var}, 1)",
                safety=SAFE,
                location=row.called_at,
                before=row.called_at.source if after else None,
                after=after,
                rerun=Rerun(edits=(Edit("op_flatten", op_site(row)),)),
            ),
        )
    )
    asked = view_shape(row)
    fmap = row.inputs[0].shape
    if asked and len(fmap) >= 3 and spatial_map(ctx, row):
        const = prod(d for d in asked if d != -1)
        size = pool_size(fmap[1], const, fmap[2:])
        # not up to a larger map: that only repeats values
        if size is not None and all(w <= h for w, h in zip(size, fmap[2:], strict=False)):
            pooled = prepool_view_fix(row, size, const)
            fixes.extend([pooled] if pooled is not None else [])
    return fixes


def _short_size(asked: list[int], per_sample: tuple[int, ...]) -> tuple[int, list[int]] | None:
    """(position in `asked`, input dims) when `view(-1, *sizes)` keeps every per-sample dim whole
    but one size, which stands for a run of them and is written smaller: `view(-1, 32, 1024)` of
    [B, 32, 64, 64] is (2, [2, 3]), the 1024 that should be 64·64."""
    if not asked or asked[0] != -1 or -1 in asked[1:] or len(asked) < 3:
        return None  # `view(-1, n)` flattens: its fixes are a flatten or a pool
    sizes = asked[1:]
    for j in range(len(sizes)):
        left, right = sizes[:j], sizes[j + 1 :]
        if tuple(left) != per_sample[: len(left)]:
            continue
        if right and tuple(right) != per_sample[len(per_sample) - len(right) :]:
            continue
        run = list(range(len(left) + 1, len(per_sample) - len(right) + 1))
        if run and sizes[j] < prod(per_sample[d - 1] for d in run):
            return j + 1, run
    return None


def _per_sample_size_fix(row: LayerRecord) -> Fix | None:
    """The size written for another input (`self.size * self.size`) read from the tensor:
    `x.view(-1, self.channels, x.shape[2] * x.shape[3])`."""
    import ast

    asked = view_shape(row)
    short = _short_size(asked or [], tuple(row.inputs[0].shape[1:]))
    parsed = parsed_line(row.called_at.source) if row.called_at else None
    if short is None or parsed is None:
        return None
    index, run = short
    indent, text, tree = parsed
    for method, tensor, sizes in _view_calls(tree):
        name = ast.get_source_segment(text, tensor)
        if not method or len(sizes) != len(asked or []) or name is None or index >= len(sizes):
            continue
        span = char_span(text, sizes[index])
        if span is None:
            return None
        if not isinstance(tensor, (ast.Name, ast.Attribute)):
            name = f"({name})"
        read = " * ".join(f"{name}.shape[{d}]" for d in run)
        after = indent + text[: span[0]] + read + text[span[1] :]
        size = "·".join(str(row.inputs[0].shape[d]) for d in run)
        return Fix(
            description=f"read size {index} of the view from the tensor ({size} here): the number written "
            f"there ({asked[index] if asked else '?'}) is for another input size",
            code=after,
            safety=SAFE,
            location=row.called_at,
            before=row.called_at.source if row.called_at else None,
            after=after,
            rerun=Rerun(edits=(Edit("op_view_size", op_site(row), params=(("index", index), ("dims", tuple(run)))),)),
        )
    return None


def _constant_batch(ctx: Context, row: LayerRecord, other, b2: int) -> Finding | None:
    """`x.view(64, -1)` given a batch of 36 (a loader's last batch): the batch written as a
    number. Its rows are not the samples; `x.size(0)` keeps them. A size computed from the
    batch (`x.view(b * t, ...)`) changes in the trace at another batch size (`other`): not it."""
    batch = ctx.trace.batch
    written = _written_batch(row, batch)
    if batch is None or written is None or not _constant_at(other, row, written, b2):
        return None
    twin = other.row(row.index)
    if _keeps_samples(row, twin) or groups_whole_samples(row) or _unit_dims_only(row, twin):
        return None
    t = row.inputs[0]
    per = prod(t.shape[1:])
    why = [
        f"{ref(row)} asks for {written} rows, but the batch has {batch} samples of {dot(t.shape[1:])} = {per} values",
        f"{batch}·{per} = {batch * per} values in {written} rows are {shape(row.outputs[0].shape)}: "
        "each row holds parts of several samples",
        "the batch size is written as a number: a batch of another size, such as a loader's last one, breaks it",
    ]
    return Finding(
        code="SC106",
        severity=ERROR,
        layer=row.name,
        message=f"{ref(row)} writes the batch as {written}, but this batch has {batch} samples",
        location=row.location,
        row=row.index,
        why=why,
        fixes=[_batch_size_fix(row)],
    )


def _written_batch(row: LayerRecord, batch: int | None) -> int | None:
    """The first size of a view when it is a number of rows other than the batch of the tensor it
    views (from the model input), and the view returns that many rows."""
    if row.kind != "op" or row.type not in _VIEWS or not row.outputs or not row.inputs or batch is None:
        return None
    asked = view_shape(row)
    t = row.inputs[0]
    if not asked or asked[0] in (-1, batch) or asked[0] <= 0 or t.from_input is False:
        return None
    if not t.shape or t.shape[0] != batch or row.outputs[0].shape[0] != asked[0]:
        return None
    return asked[0]


def _constant_at(other, row: LayerRecord, written: int, b2: int) -> bool:
    """At batch `b2` the same view still asks for `written` rows (or fails there): a number
    written in the code, not a size computed from the batch."""
    twin = other.row(row.index) if other is not None else None
    if twin is None or (twin.name, twin.type) != (row.name, row.type):
        return False
    if not twin.inputs or twin.inputs[0].shape[:1] != (b2,):
        return False  # the viewed tensor's dim 0 is not the batch (a mask made once per size)
    return twin.failed or (view_shape(twin) or (None,))[0] == written  # else it follows the batch


def _keeps_samples(row: LayerRecord, twin: LayerRecord | None) -> bool:
    """The view only merges whole dims or splits one, and does so at both batches: the number
    in front is a new unit dim, and the batch is merged whole with the dims after it
    (`x.view(1, B * C, H, W)` for a conv grouped by sample, StyleGAN's modulated conv). Each
    sample stays one block, and the view runs at any batch. Not a flat [1, B·F] (`x.view(1, -1)`
    before a Linear): one row of every sample's features, the batch folded into the width."""
    if twin is None or twin.failed or not twin.inputs or not twin.outputs:
        return False
    return all(
        regrouped(r.inputs[0].shape, r.outputs[0].shape) is None
        and r.outputs[0].shape[:1] == (1,)
        and r.outputs[0].rank > 2
        for r in (row, twin)
    )


def _unit_dims_only(row: LayerRecord, twin: LayerRecord | None) -> bool:
    """The view only adds or drops dims of size 1, at both batches: `times.view(1, -1)` of one
    value per sample [B] is the row [1, B] (a survival model's risk set compares it with
    `times.view(-1, 1)`). Every sample is still one value of its own; a flat [1, B·F] of
    [B, F] (`x.view(1, -1)` before a Linear) merges dims and is not this."""
    if twin is None or twin.failed or not twin.outputs:
        return False
    return all(
        [d for d in r.inputs[0].shape if d != 1] == [d for d in r.outputs[0].shape if d != 1] for r in (row, twin)
    )


def _batch_size_fix(row: LayerRecord) -> Fix:
    """The view's first size from the tensor itself: `images.view(images.size(0), -1)`."""
    source = row.called_at.source if row.called_at else ""
    after = _size_of_first(source)
    return Fix(
        description="take the batch size from the tensor, so every batch keeps one row per sample",
        code=after or "x.view(x.size(0), -1)",
        safety=SAFE,
        location=row.called_at,
        before=source if after else None,
        after=after,
        rerun=Rerun(edits=(Edit("op_view_batch", op_site(row)),)),
    )


def _size_of_first(source: str) -> str | None:
    """The line with the first size of its view/reshape taken from the tensor."""
    import ast

    parsed = parsed_line(source)
    if parsed is None:
        return None
    indent, text, tree = parsed
    for _method, tensor, sizes in _view_calls(tree):
        name = ast.get_source_segment(text, tensor)
        span = char_span(text, sizes[0]) if sizes else None
        if name is None or span is None:
            return None
        size = f"{name}.size(0)" if isinstance(tensor, (ast.Name, ast.Attribute)) else f"({name}).size(0)"
        return indent + text[: span[0]] + size + text[span[1] :]
    return None


def _view_calls(tree):
    """(written as a method, the tensor's node, the size nodes) of each `x.view(...)`,
    `x.reshape(...)` and `torch.reshape(x, ...)` in a parsed line; sizes given as one tuple or
    list are its items."""
    import ast

    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)) or not node.args:
            continue
        if node.func.attr not in ("view", "reshape"):
            continue
        on_torch = isinstance(node.func.value, ast.Name) and node.func.value.id == "torch"
        tensor = node.args[0] if on_torch else node.func.value
        sizes = list(node.args[1:] if on_torch else node.args)
        if len(sizes) == 1 and isinstance(sizes[0], (ast.Tuple, ast.List)):
            sizes = list(sizes[0].elts)
        yield not on_torch, tensor, sizes


def _latent_view(ctx: Context, row: LayerRecord) -> Finding | None:
    if row.kind != "op" or row.type not in _VIEWS or row.failed or not row.outputs:
        return None
    asked = view_shape(row)
    t = row.inputs[0]
    if not asked or asked[0] != -1 or len(asked) != 2 or asked[1] <= 0 or t.rank < 3:
        return None
    const = asked[1]
    if prod(t.shape[1:]) != const or row.outputs[0].shape[0] != t.shape[0]:
        return None
    if t.from_input is False:
        return None  # built from constants (Swin's window mask): its dim 0 is no batch
    if _sample_size_fixed(ctx, row, const):
        return None  # pooled to a fixed size first (a global pool, a max over points): no coincidence
    if const == t.shape[-1] and _rows_regrouped(ctx, row):
        return None  # `x.view(-1, x.size(-1))`: a row per token, the batch restored after
    why = [
        f"`view(-1, {const})` makes rows of {const} values; at input {'×'.join(map(str, ctx.sample_dims))} "
        f"one sample has {dot(t.shape[1:])} = {const}, so the batch survives by coincidence",
        "at other input sizes the rows stop matching samples: more rows than samples, or an error",
    ]
    fits = per_sample_range(ctx, row, const, square_only=True)
    if fits:
        why.append(f"one row per sample holds only for inputs with {fits}")
    role = batch_role(row.outputs[0])
    if role is not None:
        why.append(f"symbolically, {role}")
    return Finding(
        code="SC106",
        severity=WARNING,
        layer=row.name,
        message=f"{ref(row)} keeps the batch only while one sample has exactly {const} values",
        location=row.location,
        row=row.index,
        why=why,
        fixes=_flatten_fixes(ctx, row)[:1],
    )


def _rows_regrouped(ctx: Context, row: LayerRecord) -> bool:
    """The view makes a row of each position (`x.view(-1, x.size(-1))` on [B, 1, D], GPT-2's
    Conv1D or a MoE router at a decode step of one token) and the model gives the batch back:
    in each trace where one input dim alone was doubled and the view got more positions of
    the same width per sample, the model ran to the end and its output still has the batch in
    dim 0. A head that keeps the rows ([B·T, classes] against [B] labels) is the latent bug."""
    prov = provenance(ctx)
    layers = ctx.trace.layers
    if prov is None or not layers or not layers[0].outputs or ctx.trace.batch is None:
        return False
    last = layers[0].outputs[0].shape[:1]  # the model's own row: what it returns
    if last != (ctx.trace.batch,):
        return False
    grew = False
    for change, twin in prov.sample_twins(row):
        if not twin.inputs or prod(twin.inputs[0].shape[1:]) == prod(row.inputs[0].shape[1:]):
            continue
        if twin.inputs[0].shape[-1:] != row.inputs[0].shape[-1:]:
            continue  # the width itself changed: nothing about the rows
        other = change.trace.layers
        if change.trace.error is not None or any(r.failed for r in other) or not other[0].outputs:
            return False
        if other[0].outputs[0].shape[:1] != last:
            return False
        grew = True
    return grew


def _sample_size_fixed(ctx: Context, row: LayerRecord, const: int) -> bool:
    """One sample reaching the view has `const` values at every input size that reaches it: in
    each trace where one input dim alone was doubled (dim provenance), the view ran on the same
    per-sample size. A global pool or a max over points (`[B, C, 1]`) makes that size a channel
    count. A doubled dim that fails before the view says nothing about it; one that changes the
    size there, or fails at the view itself, shows the size follows the input. When every
    per-sample dim, doubled, fails before the view (field ids added to a table of offsets, as in
    a factorization machine), the model takes no other size there: the size is its own."""
    prov = provenance(ctx)
    if prov is None:
        return False
    reached = False
    stopped = 0
    for change in prov.changes:
        if change.source == BATCH:
            continue
        if row.index >= len(change.trace.layers):
            stopped += any(r.failed for r in change.trace.layers)
            continue
        twin = change.trace.layers[row.index]
        if (twin.name, twin.type, twin.call, twin.kind) != (row.name, row.type, row.call, row.kind):
            continue
        if twin.failed or not twin.inputs or prod(twin.inputs[0].shape[1:]) != const:
            return False
        reached = True
    dims = sum(1 for t in ctx.trace.inputs for d in (t.shape[1:] if ctx.trace.batch is not None else t.shape) if d >= 1)
    return reached or (stopped > 0 and stopped == dims)
