"""SC129 plain-container-submodule.

What it does: finds modules a model keeps in a plain Python list, tuple or dict
(`self.blocks = [nn.Linear(64, 64) for _ in range(4)]`, `self.heads = {"cls": nn.Linear(...)}`).
PyTorch registers a module assigned to an attribute, and the modules of an `nn.ModuleList` or
`nn.ModuleDict`; the modules of a plain container it does not.

Why is this bad? forward still calls them, so the model runs, but the model does not hold
them: `model.parameters()` leaves them out (the optimizer never updates them: they stay at
their initial weights), `model.to("cuda")` leaves them on the CPU (a device error at their
first call), `state_dict()` does not save them, and `model.eval()` does not reach their
Dropout and BatchNorm. No error says so.

Parameter-free torch activations, pools and reshapes (`{"relu": nn.ReLU(), "gelu": nn.GELU()}`)
miss nothing there and are not flagged; Dropout is, `.eval()` must reach it.

Example:
    self.blocks = [nn.Linear(64, 64) for _ in range(4)]

Use instead:
    self.blocks = nn.ModuleList([nn.Linear(64, 64) for _ in range(4)])

Fix safety: unsafe: the modules' parameters join the model's, so `state_dict()` gains keys and a
checkpoint saved before no longer loads with `strict=True`. Verified by tracing a copy whose
attribute holds the `nn.ModuleList` / `nn.ModuleDict`.
"""

from __future__ import annotations

import re

from ...trace.records import HiddenModules
from ...trace.requests import EditAction
from ..context import Context
from ..findings import UNSAFE, WARNING, Finding, Fix
from ..registry import rule
from ..requests import Edit, Rerun

_WRAPPER = {"list": "nn.ModuleList", "tuple": "nn.ModuleList", "dict": "nn.ModuleDict"}

# torch.nn modules with no parameters, no buffers and the same forward in train and eval: held in
# a plain container (`self.acts = {"relu": nn.ReLU(), "gelu": nn.GELU()}`) they miss nothing.
# Dropout and RReLU are not here: `.eval()` must reach them.
_STATELESS = frozenset(
    (
        "ReLU", "ReLU6", "LeakyReLU", "GELU", "SiLU", "Mish", "ELU", "SELU", "CELU", "Tanh", "Sigmoid", "Hardtanh",
        "Hardswish", "Hardsigmoid", "Hardshrink", "Softshrink", "Tanhshrink", "Softplus", "Softsign", "LogSigmoid",
        "Threshold", "GLU", "Softmax", "Softmin", "LogSoftmax", "Softmax2d", "Identity", "Flatten", "Unflatten",
        "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d",
        "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
        "LPPool1d", "LPPool2d", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle",
        "PixelUnshuffle", "ChannelShuffle", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
        "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
        "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d",
    )
)  # fmt: skip


@rule("SC129", WARNING)
def check(ctx: Context) -> list[Finding]:
    trace = ctx.trace
    root = trace.layers[0] if trace.layers else None
    return [_finding(ctx, held, root, trace.total_params) for held in trace.hidden_modules if not _harmless(held)]


def _harmless(held: HiddenModules) -> bool:
    """Only parameter-free, buffer-free activations, pools and reshapes that act the same in
    train and eval: registering them changes nothing."""
    return held.params == 0 and all(name in _STATELESS for name in held.types)


def _finding(ctx: Context, held: HiddenModules, root, total: int) -> Finding:
    owner = held.owner or (root.name if root is not None else "the model")
    attribute = f"self.{held.attribute}"
    what = _counted(held.types)
    row = root.index if root is not None and not held.owner else None
    return Finding(
        code="SC129",
        severity=WARNING,
        layer=held.owner or (root.name if root is not None else ""),
        message=f"`{attribute}` holds {what} in a plain {held.container}: they are not submodules of `{owner}`",
        location=held.location,
        row=row,
        why=[
            f"PyTorch registers modules assigned to attributes and those in nn.ModuleList or nn.ModuleDict, "
            f"not those in a {held.container}",
            f"`parameters()` and `state_dict()` leave out their {held.params:,} parameters "
            f"(the model counts {total:,}): an optimizer never updates them",
            "`.to(device)` does not move them and `.eval()` does not reach them; this table has no rows for them",
        ],
        fixes=[_verified(ctx, held, _fix(held, attribute))],
    )


def _counted(types: tuple[str, ...]) -> str:
    """`3 Linear`, `2 Linear and 1 ReLU`."""
    counts: dict[str, int] = {}
    for name in types:
        counts[name] = counts.get(name, 0) + 1
    parts = [f"{n} `{name}`" for name, n in counts.items()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _fix(held: HiddenModules, attribute: str) -> Fix:
    wrapper = _WRAPPER[held.container]
    description = f"hold them in {wrapper}, which registers each one"
    source = held.location.source if held.location is not None else ""
    after = _wrapped(source, attribute, wrapper)
    return Fix(
        description=description,
        code=after or f"{attribute} = {wrapper}(...)",
        safety=UNSAFE,
        location=held.location,
        before=source if after else None,
        after=after,
    )


def _verified(ctx: Context, held: HiddenModules, fix: Fix) -> Fix:
    """Trace a copy whose attribute holds an nn.ModuleList / nn.ModuleDict: verified when it runs
    and the model holds every module it calls."""
    edit = Edit(EditAction.REGISTER, held.owner, params=(("attribute", held.attribute),))
    try:
        trace = ctx.rerun(Rerun(edits=(edit,)))
    except (LookupError, TimeoutError) as err:
        fix.check_note = f"not traced again: {err}"
        return fix
    still = any((h.owner, h.attribute) == (held.owner, held.attribute) for h in trace.hidden_modules)
    fix.verified = trace.error is None and not still
    if fix.verified and trace.layers and trace.layers[0].outputs:
        fix.result_shape = trace.layers[0].outputs[0].shape
        fix.check_note = f"the model then holds {trace.total_params:,} parameters"
    elif trace.error is not None:
        fix.check_note = f"with the fix the forward pass raises {trace.error.type}: {trace.error.message}"
    return fix


def _wrapped(source: str, attribute: str, wrapper: str) -> str | None:
    """`self.blocks = [a, b]` → `self.blocks = nn.ModuleList([a, b])`, when the whole value is on
    the line (an opening bracket closed at its end)."""
    m = re.fullmatch(rf"{re.escape(attribute)}(\s*:\s*[^=]+)?\s*=\s*(.+?)\s*(#.*)?", source)
    if m is None:
        return None
    value = m.group(2)
    if not _balanced(value):
        return None
    comment = f"  {m.group(3)}" if m.group(3) else ""
    return f"{attribute} = {wrapper}({value}){comment}"


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        if depth < 0:
            return False
    return depth == 0
