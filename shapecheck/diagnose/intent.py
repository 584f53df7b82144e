"""Intent invariants: what a fix must keep besides making the model run.

A fix that makes a model run can still be wrong: `in_features` set to the size a `view(-1, 400)`
produces when it folds the samples of a batch together, a sequence length passed as a channel
count. The first of these is checked on every verified fix: **the batch survives** — when the
model keeps the batch in dim 0 up to where it failed, the fixed model's output has a dim that
is the batch at two batch sizes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..trace.records import Trace
from .context import Context
from .requests import Rerun


def batch_led(trace: Trace) -> bool:
    """The model's first module rows keep the batch in dim 0 (so its output should carry it)."""
    batch = trace.batch
    if batch is None:
        return False
    rows = [r for r in trace.layers if r.kind == "module" and r.index > 0 and r.outputs and r.status == "ok"]
    return bool(rows) and all(r.outputs[0].shape[:1] == (batch,) for r in rows[:3])


def output_shape(trace: Trace) -> tuple[int, ...] | None:
    """The model's (first) output shape in a trace; None without one."""
    root = trace.layers[0] if trace.layers else None
    return root.outputs[0].shape if root is not None and root.outputs else None


def batch_survives(ctx: Context, request: Rerun, after: Trace, rerun: Callable[[Rerun], Trace]) -> bool:
    """True unless the fixed model (`after`, traced with `request`) loses the batch: its output
    has no dim that is the batch here and the batch + 2 in a second trace. A scalar output (a
    loss), a model that does not keep the batch in dim 0 itself, or a second trace that cannot
    run say nothing against the fix."""
    from .requests import SAME

    if ctx.trace.batch is None or not batch_led(ctx.trace):
        return True
    batch = ctx.trace.batch if request.batch == SAME else request.batch  # a fix may set the batch
    out = output_shape(after)
    if not isinstance(batch, int) or out is None or len(out) < 2:
        return True
    other = rerun(replace(request, batch=batch + 2))
    out2 = output_shape(other)
    if other.error is not None or out2 is None or len(out2) != len(out):
        return True
    return any(a == batch and b == batch + 2 for a, b in zip(out, out2, strict=True))
