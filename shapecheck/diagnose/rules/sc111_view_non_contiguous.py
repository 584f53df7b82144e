"""SC111 view-non-contiguous.

What it does: finds a `.view(...)` on a tensor whose memory layout was changed by `permute`,
`transpose` or `.t()`, where the new shape cannot share storage with it. The meta engine does
not check strides, so shapecheck checks them itself: the finding appears even when the trace
ran.

Why is this bad? A real run fails: `view size is not compatible with input tensor's size and
stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...)
instead.`

Example:
    x = x.permute(0, 2, 3, 1).view(n, -1, c)

Use instead:
    x = x.permute(0, 2, 3, 1).reshape(n, -1, c)   # or .contiguous().view(...)

Fix safety: safe: the values and shapes are the same; `reshape` copies only when it must.
"""

from __future__ import annotations

from ..context import Context, op_site
from ..findings import ERROR, SAFE, Finding, Fix, Label
from ..layers import view_compatible, view_fits, view_shape
from ..numbers import shape
from ..registry import rule
from ..requests import Edit, Rerun
from .common import ref

_LAYOUT = {"permute", "transpose", "t", "swapaxes", "movedim", "expand", "mT"}


@rule("SC111", ERROR)
def check(ctx: Context) -> list[Finding]:
    findings = []
    for row in ctx.trace.layers:
        if row.kind != "op" or row.type != "Tensor.view" or not row.inputs:
            continue
        t = row.inputs[0]
        asked = view_shape(row)
        if t.contiguous or t.stride is None or asked is None or view_compatible(t.shape, t.stride, asked):
            continue
        if not view_fits(t.shape, asked):
            continue  # PyTorch checks the size first: SC113's, whatever the layout
        origin = None
        current = ctx.trace.row(t.source)
        if current is not None and current.type.split(".")[-1] in _LAYOUT:
            origin = current
        why = [
            f"{ref(row)} asks for {shape(asked)} from {shape(t.shape)} with strides {shape(t.stride)}: "
            "the new dims would span memory that is not laid out contiguously"
        ]
        labels = []
        if origin is not None:
            labels.append(Label(origin.name, f"{ref(origin)} reorders dims without moving memory", origin.location))
        if not row.failed:
            why.append("the meta engine does not check strides; a real run fails here")
        source = row.called_at.source if row.called_at else ""
        after = source.replace(".view(", ".reshape(", 1) if ".view(" in source else None
        edit = Rerun(edits=(Edit("op_method", op_site(row), params=(("method", "reshape"),)),))
        fixes = [
            Fix(
                description="use `.reshape(...)`, which copies only when the layout needs it",
                code=after or "x.reshape(...)",
                safety=SAFE,
                location=row.called_at,
                before=source if after else None,
                after=after,
                rerun=edit,
            )
        ]
        if ".view(" in source:
            fixes.append(
                Fix(
                    description="or make the tensor contiguous first",
                    code=source.replace(".view(", ".contiguous().view(", 1),
                    safety=SAFE,
                    location=row.called_at,
                    rerun=edit,
                )
            )
        findings.append(
            Finding(
                code="SC111",
                severity=ERROR,
                layer=row.name,
                message=f"{ref(row)} needs a contiguous tensor, but {shape(t.shape)} is a reordered view",
                location=row.location,
                row=row.index,
                why=why,
                labels=labels,
                notes=[
                    "PyTorch reports: view size is not compatible with input tensor's size and stride (at "
                    "least one dimension spans across two contiguous subspaces). Use .reshape(...) instead."
                ],
                fixes=fixes,
            )
        )
    return findings
