"""SC126 batch-lost.

What it does: finds a model whose output has no dim that follows the batch although its input
has one, measured by tracing at a second batch size (dim provenance), and names the row where
the batch went: a mean, sum or max over the batch dim, a view that folds it away, a layer that
reads it as time. A scalar output (a loss) is not flagged, nor one returned as `[1]`
(`loss.unsqueeze(0)`, for DataParallel to gather), nor a batch that is one set pooled by
attention: weights softmaxed over the samples that then average them (`softmax(a, dim=1)`,
`torch.mm(a, h)`: a bag of tiles in multiple-instance learning).

Why is this bad? Nothing fails. A classifier that returns [C] for a batch of B images, or
[T, C] for a batch of sequences, gives one answer for the whole batch: training on it mixes
the samples, and the shape only looks right at batch 1.

Example:
    return self.fc(x.mean(0))          # x is [B, T, F]: averaged over the batch, not time

Use instead:
    return self.fc(x.mean(1))          # over the time steps of each sample

Fix safety: no fix is offered: which dim was meant is the model's design; the finding names
the row and the dims it keeps.
"""

from __future__ import annotations

from ...trace.records import LayerRecord
from ..context import Context
from ..findings import WARNING, Finding
from ..numbers import shape
from ..provenance import BATCH, ProvenanceMap, provenance
from ..registry import rule
from .common import flatten_batch_fix, flattens_the_batch, ref
from .sc120_softmax_dim import pooled_over, softmax_dim


@rule("SC126", WARNING)
def check(ctx: Context) -> list[Finding]:
    trace = ctx.trace
    if trace.error is not None or trace.batch is None or trace.image_list or len(trace.layers) < 2:
        return []
    root = trace.layers[0]
    if not root.outputs or root.outputs[0].rank == 0:
        return []  # a loss, or no tensor
    pmap = provenance(ctx)
    if pmap is None or BATCH not in pmap.sources:
        return []
    out = pmap.dims(root, "outputs")
    if out is None or any(BATCH in f for f in out):
        return []
    culprit = _where_lost(pmap, trace.layers[1:], trace)
    if culprit is None and root.outputs[0].numel == 1:
        return []  # the batch went into a scalar (a loss) returned as [1] (`loss.unsqueeze(0)` for DataParallel)
    if culprit is not None and _pools_a_set(ctx, pmap, culprit):
        return []
    output = root.outputs[0].shape
    why = [
        f"traced at batch {trace.batch} and {trace.batch + 2}, the model returns {shape(output)} both times: "
        "no dim of the output changes with the batch"
    ]
    described = pmap.describe(root, "outputs")
    if described:
        why.append(f"its dims follow: {described}")
    row = culprit or root
    if culprit is not None:
        before = pmap.describe(culprit, "inputs")
        why.append(
            f"the batch is last seen in the input of {ref(culprit)}"
            + (f" ({before})" if before else "")
            + f"; its output {shape(culprit.outputs[0].shape)} has no dim that follows it"
        )
    near = [row, *trace.upstream(row)] if culprit is not None else trace.layers
    flatten = next((r for r in near if flattens_the_batch(ctx, r)), None)
    fixes = [flatten_batch_fix(flatten)] if flatten is not None else []
    if flatten is not None:
        why.append(f"{ref(flatten)} flattens the batch into one vector with each sample's values")
    return [
        Finding(
            code="SC126",
            severity=WARNING,
            layer=row.name,
            message=f"the model's output {shape(output)} does not follow the batch: "
            + (f"{ref(culprit)} drops it" if culprit is not None else "one output for the whole batch"),
            location=row.location,
            row=row.index,
            why=why,
            notes=["a mean or sum over the batch belongs in the loss, after the model, not in forward"],
            fixes=fixes,
        )
    ]


def _where_lost(pmap: ProvenanceMap, rows: list[LayerRecord], trace) -> LayerRecord | None:
    """The first leaf row whose inputs carry the batch and whose output does not."""
    for row in rows:
        if row.kind == "module" and trace.children(row.index):
            continue
        if not row.outputs or row.outputs[0].rank == 0:
            continue
        carried = False
        for i in range(len(row.inputs)):
            dims = pmap.dims(row, "inputs", i)
            if dims and any(BATCH in f for f in dims):
                carried = True
                break
        out = pmap.dims(row, "outputs")
        if carried and out is not None and not any(BATCH in f for f in out):
            return row
    return None


def _pools_a_set(ctx: Context, pmap: ProvenanceMap, culprit: LayerRecord) -> bool:
    """The row that drops the batch averages the samples with weights softmaxed over them:
    attention pooling over the batch as one set (multiple-instance learning's bag), by design."""
    for row in ctx.trace.layers[: culprit.index]:
        dim = softmax_dim(row)
        follows = pmap.dims(row, "inputs") if dim is not None and not row.failed else None
        if dim is not None and follows is not None and BATCH in follows[dim] and pooled_over(ctx, row, dim) is culprit:
            return True
    return False
