"""SC100 unclassified-error.

What it does: reports a forward pass that failed in a way no other rule explains, with the
failing layer, the shapes that reached it and PyTorch's own message.

Why is this bad? The model does not run at this input. The table shows every shape up to the
failing row, which is usually enough to see the cause.

Example: any exception raised inside `forward` that is not a known shape error.

Use instead: read the failing row's inputs in the table; the user's own frames are listed.

Fix safety: no fix is offered.
"""

from __future__ import annotations

from ..context import Context
from ..findings import ERROR, Finding
from ..numbers import shape
from ..registry import rule
from .common import ref


def _provenance_lines(ctx: Context, row) -> list[str]:
    """What each dim of each input follows (the batch, an input dim, or nothing: a size set in
    the code), and the row that produced it: where to look for the size that does not fit."""
    from ..provenance import provenance

    prov = provenance(ctx)
    if prov is None:
        return []
    lines = []
    for index, tensor in enumerate(row.inputs[:3]):
        described = prov.describe(row, "inputs", index)
        if described is None:
            continue
        producer = ctx.trace.row(tensor.source)
        origin = f", made by {ref(producer)}" if producer is not None and producer.index != row.index else ""
        lines.append(f"input {index} {described}{origin}")
    if lines:
        lines.append("(batch) and (dim N) follow that input size; (fixed) is a size set in the code")
    return lines


@rule("SC100", ERROR)
def check(ctx: Context, explained: set[int] | None = None) -> list[Finding]:
    error = ctx.trace.error
    if error is None or error.engine_limit:
        return []
    row = ctx.trace.failing
    if row is not None and explained and row.index in explained:
        return []
    first = (error.message.splitlines()[0] if error.message else error.type).rstrip(".")
    why = []
    if row is not None:
        ins = ", ".join(shape(i.shape) for i in row.inputs) or "no tensors"
        kind = f" ({row.type})" if row.kind == "module" else ""
        why.append(f"{ref(row)}{kind} received {ins}")
        why.extend(_provenance_lines(ctx, row))
    location = error.user_frames[-1] if error.user_frames else (row.location if row else None)
    for loc in error.user_frames[-3:]:
        if loc != location:
            why.append(f"called from {loc}: {loc.source}")
    where = f"{ref(row)}" if row is not None else "the forward pass"
    meta = ctx.trace.engine == "meta"
    return [
        Finding(
            code="SC100",
            severity=ERROR,
            layer=row.name if row is not None else "",
            message=f"{where} raised {error.type}: {first}",
            location=location,
            row=row.index if row is not None else None,
            why=why,
            notes=["no rule explains this error; the table shows the shapes up to the failing row"]
            + (["the message is the meta device's (shapes only); a real run words it differently"] if meta else []),
        )
    ]
