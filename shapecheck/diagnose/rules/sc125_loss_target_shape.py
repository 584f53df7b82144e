"""SC125 loss-target-shape.

What it does: finds an elementwise loss (`F.mse_loss`, `l1_loss`, `smooth_l1_loss`,
`huber_loss`, `binary_cross_entropy[_with_logits]`) whose input and target differ in shape, says
what the broadcast makes of them (`[B, 1]` with `[B]` is `[B, B]`: every prediction against
every target), and, when the two differ by a size-1 dim, squeezes it away and traces again.

Why is this bad? PyTorch only warns (`Using a target size … that is different to the input
size`) and the loss is a number of the right kind, averaged over pairs of unrelated samples.

Example:
    return F.mse_loss(self.net(x), u0)        # [B, 1] and [B]

Use instead:
    return F.mse_loss(self.net(x).squeeze(-1), u0)

Fix safety: safe (no parameter changes).
"""

from __future__ import annotations

import re

from ...trace.records import LayerRecord
from ..context import Context, op_site
from ..findings import WARNING, Finding, Fix, line_fix
from ..layers import broadcast_shape
from ..numbers import prod, shape
from ..provenance import provenance
from ..registry import rule
from ..requests import Edit, Rerun
from .common import ref


@rule("SC125", WARNING)
def check(ctx: Context) -> list[Finding]:
    findings = []
    for row in ctx.trace.layers:
        if row.kind != "op" or (not row.type.endswith("_loss") and "binary_cross_entropy" not in row.type):
            continue
        if len(row.inputs) < 2 or row.inputs[0].shape == row.inputs[1].shape:
            continue
        a, b = row.inputs[0].shape, row.inputs[1].shape
        joined = broadcast_shape(a, b)
        why = [f"{ref(row)} compares input {shape(a)} with target {shape(b)} element by element"]
        if joined is None:
            continue  # it fails instead: SC112 and SC100 explain that
        why.append(f"they broadcast to {shape(joined)}: {_pairs(a, b, joined)}")
        where = _batch_note(ctx, row)
        if where:
            why.append(where)
        fixes = _squeeze_fixes(ctx, row, a, b)
        findings.append(
            Finding(
                code="SC125",
                severity=WARNING,
                layer=row.name,
                message=f"{ref(row)} gets input {shape(a)} and target {shape(b)}: the loss is taken over "
                f"{shape(joined)} pairs, not element by element",
                location=row.location,
                row=row.index,
                why=why,
                notes=[
                    f"PyTorch warns: Using a target size (torch.Size({list(b)})) that is different to the "
                    f"input size (torch.Size({list(a)}))"
                ],
                fixes=fixes,
            )
        )
    return findings


def _pairs(a, b, joined) -> str:
    return f"{prod(joined)} terms where input and target have {prod(a)} and {prod(b)} values"


def _batch_note(ctx: Context, row: LayerRecord) -> str | None:
    """Which input dim the input's first dim follows, when it is not the batch."""
    pmap = provenance(ctx)
    if pmap is None or ctx.trace.batch is None:
        return None
    dims = pmap.dims(row, "inputs", 0)
    if not dims or not dims[0] or "batch" in dims[0]:
        return None
    return f"the input's dim 0 follows {' × '.join(sorted(dims[0]))}, not the batch"


def _squeeze_fixes(ctx: Context, row: LayerRecord, a, b) -> list[Fix]:
    """When one side is the other with a size-1 dim more: squeeze it."""
    fixes = []
    for index, (longer, other) in enumerate(((a, b), (b, a))):
        if len(longer) != len(other) + 1:
            continue
        for dim in range(len(longer)):
            if longer[dim] == 1 and longer[:dim] + longer[dim + 1 :] == tuple(other):
                fixes.append(_fix(row, index, dim - len(longer)))
                break
    return fixes


def _fix(row: LayerRecord, index: int, dim: int) -> Fix:
    source = row.called_at.source if row.called_at else ""
    after = None
    match = re.search(r"\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*[,)]", source)
    if match is not None:
        arg = match.group(index + 1)
        start, end = match.span(index + 1)
        after = source[:start] + f"{arg}.squeeze({dim})" + source[end:]
    which = "input" if index == 0 else "target"
    return line_fix(
        f"squeeze the {which}'s size-1 dim {dim} so input and target have the same shape",
        row.called_at,
        source,
        after,
        f"{which}.squeeze({dim})",
        Rerun(edits=(Edit("op_squeeze_arg", op_site(row), params=(("index", index), ("dim", dim))),)),
    )
