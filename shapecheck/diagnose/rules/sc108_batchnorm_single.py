"""SC108 batchnorm-single-value.

What it does: finds a BatchNorm that, in training mode, sees one value per channel: batch 1
after global pooling, or batch 1 into BatchNorm1d.

Why is this bad? There is no variance to compute: `Expected more than 1 value per channel when
training, got input size [1, 512, 1, 1]`. Eval mode runs, so the bug shows only in training.

Example:
    x = self.norm(self.pool(x))   # [1, C, 1, 1] at batch 1

Use instead: train with batch ≥ 2, or use `nn.GroupNorm` / `nn.LayerNorm` in that branch.

Fix safety: a larger batch and eval mode are safe; swapping the norm layer is unsafe
(different parameters and buffers).
"""

from __future__ import annotations

from ...trace.records import MODULE
from ..context import Context
from ..findings import ERROR, SAFE, UNSAFE, Finding, Fix, FixKind
from ..layers import NORM_MODULE
from ..numbers import dot, prod, shape
from ..registry import rule
from ..requests import Edit, Rerun
from .common import ref


def _groups(channels: int) -> int:
    for g in (32, 16, 8, 4, 2):
        if channels % g == 0 and channels // g >= 2:
            return g
    return 1


@rule("SC108", ERROR)
def check(ctx: Context) -> list[Finding]:
    row = ctx.trace.failing
    if row is None or row.kind != MODULE or not NORM_MODULE.match(row.type) or not ctx.trace.training:
        return []
    t = row.inputs[0] if row.inputs else None
    if t is None or t.rank < 2 or prod(t.shape) // t.shape[1] != 1:
        return []
    c = t.shape[1]
    over = [t.shape[0], *t.shape[2:]]
    count = f"{dot(over)} = 1 value" if len(over) > 1 else "1 value"
    why = [
        f"BatchNorm normalizes each channel over the batch and positions: {count} per channel in "
        f"{shape(t.shape)}, so there is no variance"
    ]
    src = ctx.trace.row(t.source)
    if src is not None and t.rank > 2:
        why.append(f"{ref(src)} reduced the map to {'×'.join(map(str, t.shape[2:]))}")
    fixes = []
    if ctx.trace.batch is not None:
        fixes.append(
            Fix(
                description="check (and train) with a batch of at least 2",
                code="--batch 2",
                kind=FixKind.OPTION,
                safety=SAFE,
                rerun=Rerun(batch=2),
            )
        )
    fixes.append(
        Fix(
            description="check in eval mode (drop --train): BatchNorm then uses its running statistics",
            code="model.eval()",
            safety=SAFE,
            rerun=Rerun(train=False),
        )
    )
    g = _groups(c)
    fixes.append(
        Fix(
            description=f"normalize per sample instead: `nn.GroupNorm({g}, {c})` in place of {ref(row)}",
            code=f"nn.GroupNorm({g}, {c})",
            safety=UNSAFE,
            location=row.defined_at,
            rerun=Rerun(edits=(Edit("replace", row.name, "GroupNorm", (("num_groups", g), ("num_channels", c))),)),
        )
    )
    size = ", ".join(map(str, t.shape))
    return [
        Finding(
            code="SC108",
            severity=ERROR,
            layer=row.name,
            message=f"{ref(row)} sees one value per channel in training mode: {shape(t.shape)}",
            location=row.location,
            row=row.index,
            why=why,
            notes=[
                f"PyTorch reports: Expected more than 1 value per channel when training, got input size "
                f"torch.Size([{size}])"
            ],
            fixes=fixes,
        )
    ]
