"""SC126 batch-lost.

What it does: finds a model whose output has no dim that follows the batch although its input
has one, measured by tracing at a second batch size (dim provenance), and names the row where
the batch went: a mean, sum or max over the batch dim, a view that folds it away, a layer that
reads it as time. A scalar output (a loss) is not flagged, nor one returned as `[1]`
(`loss.unsqueeze(0)`, for DataParallel to gather), nor a batch that is one set pooled by
attention: weights softmaxed over the samples that then average them (`softmax(a, dim=1)`,
`torch.mm(a, h)`: a bag of tiles in multiple-instance learning), nor samples added into a
table by an index of one entry per sample (`zeros(C, D).index_add_(0, y, z)`: class centroids,
a confusion matrix, a graph readout by a batch vector), nor a batch read as one sequence by
a recurrent or attention layer (a size-1 dim in its batch dim: a clip's frames, a bag's
instances) and reduced to one answer.

Why is this bad? Nothing fails. A classifier that returns [C] for a batch of B images, or
[T, C] for a batch of sequences, gives one answer for the whole batch: training on it mixes
the samples, and the shape only looks right at batch 1.

Example:
    return self.fc(x.mean(0))          # x is [B, T, F]: averaged over the batch, not time

Use instead:
    return self.fc(x.mean(1))          # over the time steps of each sample

Fix safety: safe. For a flatten of the batch, `flatten(1)`; for an integer index at the batch
dim (`x[0]`: one sample), the index dropped (first after a reduction: the `[0]` kept from
`max(...)[0]`, whose values come first) or moved to the next dim (`x[:, 0]`), each traced
again. Otherwise none: which dim was meant is the model's design; the finding names the row
and the dims it keeps.
"""

from __future__ import annotations

import ast

from ...trace.records import LayerRecord
from ..context import Context
from ..findings import WARNING, Finding, Fix, line_fix
from ..numbers import shape
from ..provenance import BATCH, ProvenanceMap, provenance
from ..registry import rule
from .common import flatten_batch_fix, flattens_the_batch, op_dim_fix, ref
from .sc120_softmax_dim import pooled_over, softmax_dim


@rule("SC126", WARNING)
def check(ctx: Context) -> list[Finding]:
    trace = ctx.trace
    lost = _batch_lost(ctx)
    if lost is None:
        return []
    pmap, culprit = lost
    root = trace.layers[0]
    row = culprit or root
    flatten = _batch_flattened(ctx, culprit)
    batch = next(c for c in pmap.changes if c.source == BATCH)
    if culprit is None and flatten is None and pmap.twin(batch, root) is None:
        return []  # it fails at the other batch size, and no row is seen to drop the batch before that
    why = _why(trace, pmap, culprit)
    if flatten is not None:
        why.append(f"{ref(flatten)} flattens the batch into one vector with each sample's values")
    dropped = f"{ref(culprit)} drops it" if culprit is not None else "one output for the whole batch"
    return [
        Finding(
            code="SC126",
            severity=WARNING,
            layer=row.name,
            message=f"the model's output {shape(root.outputs[0].shape)} does not follow the batch: {dropped}",
            location=row.location,
            row=row.index,
            why=why,
            notes=["a mean or sum over the batch belongs in the loss, after the model, not in forward"],
            fixes=_fixes(ctx, pmap, culprit, flatten),
        )
    ]


def _batch_flattened(ctx: Context, culprit: LayerRecord | None) -> LayerRecord | None:
    """The row that flattens the batch into one vector: the row that dropped it or one before
    it, or any row when none is seen to drop it."""
    trace = ctx.trace
    near = [culprit, *trace.upstream(culprit)] if culprit is not None else trace.layers
    return next((r for r in near if flattens_the_batch(ctx, r)), None)


def _fixes(ctx: Context, pmap: ProvenanceMap, culprit: LayerRecord | None, flatten: LayerRecord | None) -> list[Fix]:
    """`flatten(1)` for a flatten of the batch; else the index or the reduction moved off the batch."""
    if flatten is not None:
        return [flatten_batch_fix(flatten)]
    return _index_fixes(ctx, pmap, culprit) or _reduction_fixes(pmap, culprit)


def _batch_lost(ctx: Context) -> tuple[ProvenanceMap, LayerRecord | None] | None:
    """(the provenance, the row that dropped the batch or None) when the model's output follows
    no batch though the input has one; None when it does, when that cannot be told, or when the
    batch went where the model means it to (a loss, a set pooled, samples routed by an index, a
    batch read as one sequence with one answer)."""
    trace = ctx.trace
    pmap = _output_without_batch(ctx)
    if pmap is None:
        return None
    culprit = _where_lost(pmap, trace.layers[1:], trace)
    if culprit is None and trace.layers[0].outputs[0].numel == 1:
        return None  # the batch went into a scalar (a loss) returned as [1] (`loss.unsqueeze(0)` for DataParallel)
    if culprit is not None and _lost_by_design(ctx, pmap, culprit):
        return None
    return pmap, culprit


def _output_without_batch(ctx: Context) -> ProvenanceMap | None:
    """The provenance, when the input has a batch and no dim of the model's tensor output (not
    a scalar: a loss) follows it; None otherwise or when that cannot be told."""
    trace = ctx.trace
    if trace.error is not None or trace.batch is None or trace.image_list or len(trace.layers) < 2:
        return None
    root = trace.layers[0]
    if not root.outputs or root.outputs[0].rank == 0:
        return None  # a loss, or no tensor
    pmap = provenance(ctx)
    if pmap is None or BATCH not in pmap.sources:
        return None
    out = pmap.dims(root, "outputs")
    return None if out is None or _carries_batch(out) else pmap


def _lost_by_design(ctx: Context, pmap: ProvenanceMap, culprit: LayerRecord) -> bool:
    """The batch goes where the model means it to: a set pooled, samples routed by an index, a
    batch read as one sequence."""
    return _pools_a_set(ctx, pmap, culprit) or _routed_by_index(pmap, culprit) or _one_sequence(ctx, culprit)


def _carries_batch(dims) -> bool:
    """Some dim of these (each the set of what it follows) follows the batch."""
    return bool(dims) and any(BATCH in f for f in dims)


def _why(trace, pmap: ProvenanceMap, culprit: LayerRecord | None) -> list[str]:
    """The output's dims at two batch sizes, what they follow, and the row that dropped the batch."""
    root = trace.layers[0]
    why = [
        f"traced at batch {trace.batch} and {trace.batch + 2}, the model returns {shape(root.outputs[0].shape)} both "
        "times: no dim of the output changes with the batch"
    ]
    described = pmap.describe(root, "outputs")
    if described:
        why.append(f"its dims follow: {described}")
    if culprit is not None:
        before = pmap.describe(culprit, "inputs")
        why.append(
            f"the batch is last seen in the input of {ref(culprit)}"
            + (f" ({before})" if before else "")
            + f"; its output {shape(culprit.outputs[0].shape)} has no dim that follows it"
        )
    return why


def _where_lost(pmap: ProvenanceMap, rows: list[LayerRecord], trace) -> LayerRecord | None:
    """The first leaf row whose inputs carry the batch and whose output does not."""
    for row in rows:
        if row.kind == "module" and trace.children(row.index):
            continue
        if row.outputs and row.outputs[0].rank != 0 and _drops_batch(pmap, row):
            return row
    return None


# Ops that add (or write) each slice of a source into the slot its index names.
_ROUTES = frozenset(
    {"index_add", "index_add_", "scatter_add", "scatter_add_", "scatter_reduce", "scatter_reduce_", "index_put_"}
    | {"index_put", "index_copy", "index_copy_"}
)


def _drops_batch(pmap: ProvenanceMap, row: LayerRecord) -> bool:
    """An input of the row carries the batch and its output does not."""
    carried = any(_carries_batch(pmap.dims(row, "inputs", i)) for i in range(len(row.inputs)))
    out = pmap.dims(row, "outputs")
    return carried and out is not None and not _carries_batch(out)


def _routed_by_index(pmap: ProvenanceMap, culprit: LayerRecord) -> bool:
    """The row that drops the batch adds each sample into the slot an index of one entry per sample
    names (`zeros(C, D).index_add_(0, y, z)`: class centroids, a confusion matrix, a graph readout
    by a batch vector): a table of a size the code chose, filled by the samples on purpose."""
    if culprit.kind != "op" or culprit.type.rsplit(".", 1)[-1] not in _ROUTES:
        return False
    return any(
        _carries_batch(pmap.dims(culprit, "inputs", i))
        for i, t in enumerate(culprit.inputs)
        if i != 0 and "int" in t.dtype
    )


def _one_sequence(ctx: Context, culprit: LayerRecord) -> bool:
    """Before the row that drops the batch, a recurrent, attention or conv layer read the whole
    batch as one sequence: the batch in its time dim and a size-1 dim in its batch dim
    (`lstm(f.unsqueeze(0))` over a clip's frames given as the batch, a temporal Conv1d over
    `f.t().unsqueeze(0)`, a transformer over the instances of one bag). The
    batch is one sample there, and reducing that sequence (`out[:, -1]`, a class token) is the
    model's one answer for it."""
    return any(_batch_as_sequence(ctx, row) for row in ctx.trace.layers[1 : culprit.index])


def _batch_as_sequence(ctx: Context, row: LayerRecord) -> bool:
    """A recurrent, attention or conv layer with a size-1 dim where it reads the batch, and the
    batch found in another dim."""
    from ..roles import ATTENTION_TYPES, RNN_TYPES, batch_dim, expected_batch_dim

    if row.kind != "module" or not row.inputs or row.inputs[0].rank < 3:
        return False
    t = row.inputs[0]
    sequence = row.type in RNN_TYPES + ATTENTION_TYPES
    if not sequence and not row.type.startswith("Conv"):
        return False
    expected = expected_batch_dim(row, t.rank) if sequence else 0
    if expected is None or t.shape[expected] != 1:
        return False
    found = batch_dim(ctx, row)
    return found is not None and found != expected


def _pools_a_set(ctx: Context, pmap: ProvenanceMap, culprit: LayerRecord) -> bool:
    """The row that drops the batch averages the samples with weights softmaxed over them:
    attention pooling over the batch as one set (multiple-instance learning's bag), by design."""
    for row in ctx.trace.layers[: culprit.index]:
        dim = softmax_dim(row)
        follows = pmap.dims(row, "inputs") if dim is not None and not row.failed else None
        if dim is not None and follows is not None and BATCH in follows[dim] and pooled_over(ctx, row, dim) is culprit:
            return True
    return False


def _reduction_fixes(pmap: ProvenanceMap, culprit: LayerRecord | None) -> list[Fix]:
    """A reduction over the batch (`h.mean(dim=0)` of tokens [B, T, D]) written where a
    sequence or map was meant to be pooled: the same reduction over the dims after the batch,
    the tokens of [B, T, D] (dim 1) or a map's spatial dims ([B, C, H, W]: (2, 3)). Re-traced."""
    if culprit is None or not _reduces_the_batch(pmap, culprit):
        return []
    rank = culprit.inputs[0].rank
    over: int | tuple[int, ...] = 1 if rank == 3 else tuple(range(2, rank))
    what = "the positions" if rank == 3 else "the spatial dims"
    return [
        op_dim_fix(
            culprit,
            over,
            f"reduce over {what} (dim {over}) instead of dim 0, the batch: one result per sample",
        )
    ]


def _reduces_the_batch(pmap: ProvenanceMap, culprit: LayerRecord) -> bool:
    """A reduction without keepdim over dim 0 of one input of rank 3 or more, where the batch is."""
    if culprit.kind != "op" or culprit.attrs.get("category") != "reduce":
        return False
    if len(culprit.inputs) != 1 or culprit.attrs.get("keepdim"):
        return False
    x = culprit.inputs[0]
    dim = culprit.attrs.get("dim", culprit.dim_argument())
    dims = pmap.dims(culprit, "inputs", 0)
    if not isinstance(dim, int) or x.rank < 3 or not dims or BATCH not in dims[dim % x.rank]:
        return False
    return dim % x.rank == 0


def _index_fixes(ctx: Context, pmap: ProvenanceMap, culprit: LayerRecord | None) -> list[Fix]:
    """The batch dropped by an integer index at dim 0 (`x[0]`), written once on its line: the
    index dropped, or moved to the next dim (`x[:, 0]`). After a reduction the `[0]` is the
    habit of `max(...)[0]` (values, indices) applied to one that returns a tensor: dropped
    first. Each is re-traced as written."""
    k = _sample_index(pmap, culprit)
    if culprit is None or culprit.called_at is None or k is None:
        return []
    source = culprit.called_at.source
    text = source.strip()
    span = _index_span(text, k)
    if span is None:
        return []
    cut, end = span
    indent = source[: len(source) - len(source.lstrip())]
    dropped = indent + text[:cut] + text[end:]
    moved = indent + text[:cut] + f"[:, {k}]" + text[end:]
    taken = shape(culprit.inputs[0].shape)
    fixes = [
        line_fix(
            f"drop the index `[{k}]`: it keeps sample {k} of the batch {taken}",
            culprit.called_at,
            source,
            dropped,
            dropped,
        ),
        line_fix(
            f"or index the dim after the batch, `[:, {k}]`, so every sample keeps its own",
            culprit.called_at,
            source,
            moved,
            moved,
        ),
    ]
    made = ctx.trace.row(culprit.inputs[0].source) if culprit.inputs[0].source is not None else None
    if made is None or made.attrs.get("category") != "reduce":
        fixes.reverse()
        fixes[0].description = fixes[0].description.removeprefix("or ")
        fixes[1].description = "or " + fixes[1].description
    return fixes


def _sample_index(pmap: ProvenanceMap, culprit: LayerRecord | None) -> int | None:
    """`k` of an integer index `x[k]` at dim 0, where the batch is, on a known line."""
    if culprit is None or culprit.type != "Tensor.__getitem__" or culprit.called_at is None:
        return None
    args = culprit.attrs.get("args") or []
    if len(args) != 2 or type(args[1]) is not int:
        return None
    dims = pmap.dims(culprit, "inputs", 0)
    return args[1] if dims and BATCH in dims[0] else None


def _index_span(text: str, k: int) -> tuple[int, int] | None:
    """(where the indexed value ends, where `[k]` ends) of the line's one subscript `[k]`."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    subs = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant) and n.slice.value == k
    ]
    if len(subs) != 1 or subs[0].value.end_col_offset is None or subs[0].end_col_offset is None:
        return None
    return subs[0].value.end_col_offset, subs[0].end_col_offset
