"""SC114 channels-last-layout.

What it does: finds a convolution or normalization layer that expects channels in dim 1 but
receives a tensor whose *last* dim holds exactly the channel count it was built for: a time
series `[B, L, C]` into `Conv1d(C, …)`, an image `[B, H, W, C]` into `Conv2d(C, …)`, a
`BatchNorm1d(C)` after a `Linear` that makes `[B, L, C]`.

Why is this bad? PyTorch's conv and norm layers read `[N, C, *]`. The run fails with a channel
count that is really a length or a width (`expected input[1, 100, 12] to have 12 channels, but
got 100`), and the tempting fix, `in_channels=100`, makes the model run on the wrong axis.

Example:
    x = self.conv(x)                    # x is [B, 100 steps, 12 sensors]

Use instead:
    x = self.conv(x.transpose(1, 2))    # [B, 12, 100]

Fix safety: safe: moving dims changes no parameter; every checkpoint still loads.
"""

from __future__ import annotations

from ...trace.records import MODULE
from ..context import Context
from ..findings import ERROR, SAFE, Finding, Fix, FixKind, Label
from ..numbers import module_call_argument, shape
from ..registry import rule
from ..requests import Edit, Rerun
from ..roles import channel_attr, channels_last, is_library_file
from .common import from_channels_first_layer, ref, rewrite_call, tensor_name


def permutation(rank: int) -> tuple[int, ...]:
    """Channels from the last dim to dim 1: (0, 2, 1) for [B, L, C], (0, 3, 1, 2) for [B, H, W, C]."""
    return (0, rank - 1, *range(1, rank - 1))


def inverse(perm: tuple[int, ...]) -> tuple[int, ...]:
    out = [0] * len(perm)
    for i, p in enumerate(perm):
        out[p] = i
    return tuple(out)


def permute_code(var: str, perm: tuple[int, ...]) -> str:
    if len(perm) == 3:
        return f"{var}.transpose(1, 2)"
    return f"{var}.permute({', '.join(map(str, perm))})"


@rule("SC114", ERROR, intent=True)
def check(ctx: Context) -> list[Finding]:
    findings = []
    for row in ctx.trace.layers:
        if row.kind != MODULE or not row.failed or not row.inputs:
            continue
        t = row.inputs[0]
        want = channels_last(row, t)
        if want is not None and not from_channels_first_layer(ctx, row):
            findings.append(_finding(ctx, row, t, want))
    return findings


def _finding(ctx: Context, row, t, want: int) -> Finding:
    attr = channel_attr(row)
    perm = permutation(t.rank)
    moved = tuple(t.shape[p] for p in perm)
    is_norm = attr != "in_channels"
    source = row.called_at.source if row.called_at else ""
    var = module_call_argument(source, row.name) or "x"
    name = row.name.rsplit(".", 1)[-1]
    from_input = ctx.trace.is_model_input(t)
    where = "the model input" if from_input else "the tensor that reaches it"
    why = [
        f"{ref(row)} was built with {attr}={want} and reads channels from dim 1; {where} is "
        f"{shape(t.shape)}: {t.shape[1]} sits in dim 1 and {want} in the last dim",
        f"{t.shape[1]} is a length or width, not a channel count: setting {attr}={t.shape[1]} would make "
        "the layer run across the wrong axis",
    ]
    labels = []
    if not from_input and t.source is not None:
        src = ctx.trace.row(t.source)
        if src is not None:
            labels.append(Label(src.name, f"{ref(src)} outputs {shape(t.shape)}, channels last", src.location))
    elif from_input:
        labels.append(Label("input", f"the model input is {shape(t.shape)}"))
    fixes = []
    back = inverse(perm) if is_norm else None
    moved_arg = permute_code(var, perm)
    suffix = "." + permute_code("", back).lstrip(".") if back else ""
    after = rewrite_call(source, name, var, moved_arg, suffix)
    if is_norm:
        description = (
            f"normalize over the channels in the last dim: move them to dim 1 {shape(moved)}, "
            "normalize, and move them back"
        )
    else:
        description = f"move the channels to dim 1 before {ref(row)}: {shape(t.shape)} → {shape(moved)}"
    permute = Rerun(edits=(Edit("permute", row.name, params=(("dims", perm), ("back", back))),))
    # A layer called from a library's own code (torchvision's vgg16 reading the model input):
    # the user's side of it is the input, never a line of the library or `self.0(...)`.
    library = row.called_at is None or is_library_file(row.called_at.file)
    images = tensor_name(row, ctx.trace) if ctx.trace.input_names else "images"
    if from_input and library:
        if ctx.trace.batch is not None:
            fixes.append(_input_fix(moved, "if the data is channels-first and only --input was written channels-last"))
        fixes.append(
            Fix(
                description=f"{'or, ' if fixes else ''}if your images are channels-last, move the channels to dim 1 "
                f"before calling the model: {shape(t.shape)} → {shape(moved)}",
                code=f"{images} = {images}.{permute_code('', perm).lstrip('.')}  # before model({images})",
                safety=SAFE,
                rerun=permute,
            )
        )
    else:
        call = f"self.{name}({moved_arg}){suffix}" if name.isidentifier() else None
        fixes.append(
            Fix(
                description=description,
                code=after or (f"{var} = {call}" if call else f"{var} = {moved_arg}"),
                safety=SAFE,
                location=row.called_at,
                before=source if after else None,
                after=after,
                rerun=permute,
            )
        )
        if from_input and ctx.trace.batch is not None:
            fixes.append(
                _input_fix(moved, "or, if the data is channels-first and only --input was written channels-last")
            )
    return Finding(
        code="SC114",
        severity=ERROR,
        layer=row.name,
        message=f"{ref(row)} expects {want} channels in dim 1 but they arrive in the last dim of {shape(t.shape)}",
        # a library's own line is no place for the user to look: where they built the model is
        location=row.defined_at
        if library and row.defined_at is not None and not is_library_file(row.defined_at.file)
        else row.called_at or row.location,
        row=row.index,
        why=why,
        labels=labels,
        notes=[f"{ref(row)} is defined at {row.defined_at}: {row.defined_at.source.strip()}"]
        if row.defined_at and row.defined_at.source
        else [],
        fixes=fixes,
    )


def _input_fix(moved: tuple[int, ...], why: str) -> Fix:
    dims = tuple(moved[1:])
    spec = "x".join(map(str, dims))
    return Fix(
        description=f"{why}, pass --input {spec}",
        code=f"--input {spec}",
        kind=FixKind.INPUT,
        safety=SAFE,
        rerun=Rerun(dims=dims),
    )
