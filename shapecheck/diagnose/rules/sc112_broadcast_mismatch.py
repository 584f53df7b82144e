"""SC112 broadcast-mismatch.

What it does: finds an elementwise op (`+`, `*`, `torch.where`, …) between tensors whose
shapes do not broadcast, shows both shapes, the rows that produced them, and the dim that
disagrees.

Why is this bad? `The size of tensor a (16) must match the size of tensor b (32) at
non-singleton dimension 3`. Typical causes: a residual connection across a stride-2 layer,
or a bias or mask built for another size.

Example:
    return self.conv(x) + x        # conv has stride 2

Use instead:
    return self.conv(x) + self.shortcut(x)   # nn.Conv2d(c, c, 1, stride=2)

Fix safety: display-only: the right change depends on what the operands mean.
"""

from __future__ import annotations

from ...trace.records import OP
from ..context import Context
from ..findings import DISPLAY_ONLY, ERROR, Finding, Fix, Label
from ..layers import broadcast_mismatch
from ..numbers import shape
from ..registry import rule
from .common import ref

_SYMBOLS = {
    "add": "+",
    "radd": "+",
    "iadd": "+=",
    "sub": "-",
    "rsub": "-",
    "isub": "-=",
    "mul": "*",
    "rmul": "*",
    "imul": "*=",
    "truediv": "/",
    "rtruediv": "/",
    "itruediv": "/=",
}
_NOT_ELEMENTWISE = {"join", "view", "flatten", "layout", "matmul", "layer", "reduce", "class_loss"}


@rule("SC112", ERROR)
def check(ctx: Context) -> list[Finding]:
    row = ctx.trace.failing
    if row is None or row.kind != OP or row.attrs.get("category") in _NOT_ELEMENTWISE:
        return []
    tensors = [t for t in row.inputs if t.rank > 0]
    if len(tensors) < 2:
        return []
    a, b = tensors[0], tensors[1]
    bad = broadcast_mismatch(a.shape, b.shape)
    if bad is None:
        return []
    dim, x, y = bad
    op = row.type.split(".")[-1].strip("_")
    symbol = _SYMBOLS.get(op)
    what = f"`{symbol}`" if symbol else ref(row)
    where = f" at line {row.called_at.line}" if row.called_at and symbol else ""
    labels = []
    for name, t in (("a", a), ("b", b)):
        src = ctx.trace.row(t.source)
        if src is not None:
            labels.append(Label(src.name, f"{name} = {shape(t.shape)} comes from {ref(src)}", src.location))
    why = [
        f"{what}{where} combines a = {shape(a.shape)} and b = {shape(b.shape)}: aligned from the right, "
        f"dim {dim} is {x} in a and {y} in b, and neither is 1"
    ]
    fixes = []
    if len(a.shape) == len(b.shape) >= 3 and a.shape[:2] == b.shape[:2]:
        big, small = (a, b) if x > y else (b, a)
        ratio = max(x, y) // min(x, y)
        if max(x, y) % min(x, y) == 0:
            fixes.append(
                Fix(
                    description=f"make the larger operand {shape(big.shape)} match {shape(small.shape)}: "
                    "for a residual "
                    f"across a stride-{ratio} layer, downsample the shortcut as ResNet does",
                    code=f"nn.Conv{len(a.shape) - 2}d({a.shape[1]}, {a.shape[1]}, 1, stride={ratio})",
                    safety=DISPLAY_ONLY,
                    location=row.called_at,
                )
            )
    return [
        Finding(
            code="SC112",
            severity=ERROR,
            layer=row.name,
            message=f"{what}{where} combines {shape(a.shape)} and {shape(b.shape)}, which do not broadcast",
            location=row.location,
            row=row.index,
            why=why,
            labels=labels,
            notes=[
                f"PyTorch reports: The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {dim}"
            ],
            fixes=fixes,
        )
    ]
