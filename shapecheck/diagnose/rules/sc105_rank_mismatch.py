"""SC105 rank-mismatch.

What it does: finds a missing batch or channel dim. Since PyTorch 1.11 a 3-D tensor given to
`nn.Conv2d` is read as one unbatched `(C, H, W)` image, so the error surfaces later: a
BatchNorm2d raises `expected 4D input (got 3D input)`, a Flatten merges the channels into the
features (`mat1 and mat2 shapes cannot be multiplied (10x49 and 490x10)`), or an `[N, H, W]`
grayscale batch is read as N channels. The rule names the first layer where the rank went
wrong and where the dim was lost.

Why is this bad? Either the model fails far from the cause, or it runs and returns one row per
channel instead of one per sample.

Example:
    x = self.stem(x).squeeze()   # at batch 1 this drops the batch dim too

Use instead:
    x = self.stem(x).squeeze(-1)  # name the dim, or keep the batch with x.unsqueeze(0)

Fix safety: adding the missing dim is safe; nothing in the model changes.
"""

from __future__ import annotations

from ...trace.records import MODULE, LayerRecord
from ..context import Context, op_site
from ..findings import DISPLAY_ONLY, ERROR, SAFE, Finding, Fix, FixKind, Label, line_fix
from ..layers import NORM_MODULE, spatial_rank, window
from ..numbers import shape
from ..registry import rule
from ..requests import SAME, Edit, Rerun
from .callsite import unsqueezed_call_fix, user_call
from .common import from_unbatched, ref, rewrite_call, spatial_module, tensor_name, unbatched_rows

_NORM_RANKS = {1: (2, 3), 2: (4,), 3: (5,)}


def _where_lost(ctx: Context, first: LayerRecord) -> tuple[str, LayerRecord | None]:
    """Where the dim went missing: the model input, or the op that dropped it."""
    t = first.inputs[0]
    if t.source is None:
        return f"the model input {shape(t.shape)} has no batch dim", None
    for src in ctx.trace.upstream(first):
        if not src.inputs:
            break
        if src.outputs and src.inputs[0].rank == src.outputs[0].rank + 1:
            return (
                f"{ref(src)} turns {shape(src.inputs[0].shape)} into {shape(src.outputs[0].shape)}: "
                "the batch dim is gone",
                src,
            )
    return f"{ref(first)} receives {shape(t.shape)}", None


def _fixes(ctx: Context, lost: LayerRecord | None, channel_missing: bool, first: LayerRecord) -> list[Fix]:
    dims = ctx.sample_dims
    var = tensor_name(first, ctx.trace)
    if lost is not None and lost.kind == "op" and lost.called_at is not None:
        source = lost.called_at.source
        after = source.replace(".squeeze()", "") if ".squeeze()" in source else None
        return [
            Fix(
                description=f"keep the batch dim at line {lost.called_at.line}: drop the {ref(lost)} "
                "or name the dim it should remove (at batch 1 it removes the batch too)",
                code=after or source,
                safety=SAFE,
                location=lost.called_at,
                before=source if after else None,
                after=after,
                rerun=Rerun(edits=(Edit("op_identity", op_site(lost)),)),
            )
        ]
    if channel_missing and ctx.trace.batch is None:
        return [
            Fix(
                description="add the channel dim: a grayscale batch is [N, 1, H, W]",
                code=f"{var} = {var}.unsqueeze(1)",
                safety=SAFE,
                rerun=Rerun(dims=(dims[0], 1, *dims[1:])),
            )
        ]
    if ctx.trace.batch is None:
        return [
            Fix(
                description="add the batch dim: one image is [1, C, H, W]",
                code=f"{var} = {var}.unsqueeze(0)",
                safety=SAFE,
                rerun=Rerun(batch=1),
            )
        ]
    return []


def _input_dim_fixes(ctx: Context, t, nd: int, channels: int) -> list[Fix]:
    """The model input itself lacks a dim the layer needs (`--input 3x224` for an image model):
    the --input that gives it, a square size when the channels are there, else the channels."""
    if not ctx.trace.is_model_input(t) or ctx.trace.batch is None or len(ctx.sample_dims) != nd:
        return []
    dims = tuple(ctx.sample_dims)
    if dims and dims[0] == channels and nd == 3:
        # Conv3d reads C, T, H, W: a clip (or volume) without its frames has C, H, W, and the
        # missing dim goes after the channels, not at the end.
        frames = 16
        wanted = (dims[0], frames, *dims[1:])
        given = "x".join(map(str, dims))
        why = (
            f"--input {given} has {len(dims)} per-sample dims; the layer reads {nd + 1} (C, T, H, W): "
            f"the frames (or depth) dim after the channels is missing, here {frames} frames"
        )
    elif dims and dims[0] == channels:
        wanted = (*dims, dims[-1])
        given = "x".join(map(str, dims))
        why = f"--input {given} has {len(dims)} per-sample dims; the layer reads {nd + 1} (C, then {nd} spatial)"
    else:
        wanted = (channels, *dims)
        why = f"--input {'x'.join(map(str, dims))} has no channel dim; the layer reads {channels} channels first"
    spec = "x".join(map(str, wanted))
    return [
        Fix(
            description=f"{why}: pass --input {spec}",
            code=f"--input {spec}",
            kind=FixKind.INPUT,
            safety=SAFE,
            rerun=Rerun(dims=wanted),
        )
    ]


def _sibling_norm(ctx: Context, failing: LayerRecord, t) -> list[Fix]:
    """`nn.BatchNorm2d(32)` after a Conv1d: the norm of the rank that arrives (BatchNorm1d), when
    a layer of the model made that rank (not the model input, where a dim may be missing)."""
    want = t.rank - 2
    if ctx.trace.is_model_input(t) or want not in (1, 2, 3) or failing.type[-2:] not in ("1d", "2d", "3d"):
        return []
    producer = ctx.trace.row(t.source) if t.source is not None else None
    if producer is None or spatial_rank(producer) != want:
        return []
    sibling = f"{failing.type[:-2]}{want}d"
    channels = failing.attrs.get("num_features")
    if not isinstance(channels, int):
        return []
    source = failing.defined_at.source if failing.defined_at else ""
    after = source.replace(failing.type, sibling) if failing.type in source else None
    return [
        line_fix(
            f"use `nn.{sibling}({channels})`: {ref(producer)} makes a {t.rank}-D map "
            f"[N, C, L], which {failing.type} does not take",
            failing.defined_at,
            source,
            after,
            f"nn.{sibling}({channels})",
            Rerun(edits=(Edit("replace", failing.name, sibling, (("num_features", channels),)),)),
        )
    ]


@rule("SC105", ERROR)
def check(ctx: Context) -> list[Finding]:
    failing = ctx.trace.failing
    if failing is not None and failing.inputs:
        found = _at_failing(ctx, failing)
        if found is not None:
            return [found]
    if ctx.trace.error is None and unbatched_rows(ctx):
        merged = _flatten_merging(ctx)
        if merged is not None:
            return [merged]
    return []


def _at_failing(ctx: Context, failing: LayerRecord) -> Finding | None:
    """The failing layer's rank read as a dim too many or too few: a batch inside --input, a norm
    of another rank, a conv reading an unbatched image or only its spatial dims, a Linear given an
    unbatched image's channels as its rows."""
    t = failing.inputs[0]
    nd = spatial_rank(failing)
    extra = _batch_in_input(ctx, failing, nd)
    if extra is not None:
        return extra
    if nd is not None and _norm_of_another_rank(failing, t, nd):
        return _norm_rank(ctx, failing, t, nd)
    conv = _conv_rank(ctx, failing, nd) if nd is not None else None
    if conv is not None:
        return conv
    if failing.type in ("Linear", "F.linear"):
        origin = from_unbatched(ctx, failing)
        if origin is not None:
            return _merged(ctx, failing, origin, failed=True)
    return None


def _conv_rank(ctx: Context, failing: LayerRecord, nd: int) -> Finding | None:
    """A conv module given an unbatched image whose channels do not match, or only its spatial dims."""
    t = failing.inputs[0]
    w = window(failing) if failing.kind == MODULE else None
    if w is None or w.is_pool or w.in_channels is None:
        return None
    if t.rank == nd + 1 and t.shape[0] != w.in_channels:
        return _unbatched_channels(ctx, failing, t, nd, w)
    if t.rank == nd:
        return _spatial_only(ctx, failing, t, nd, w.in_channels)
    return None


def _norm_of_another_rank(failing: LayerRecord, t, nd: int) -> bool:
    """A norm module (BatchNorm has no unbatched form) given a rank it does not take."""
    if failing.kind != MODULE or not NORM_MODULE.match(failing.type) or nd not in _NORM_RANKS:
        return False
    return t.rank not in _NORM_RANKS[nd]


def _norm_rank(ctx: Context, failing: LayerRecord, t, nd: int) -> Finding:
    """A BatchNorm given another rank than its own (`expected 4D input (got 3D input)`): where the
    rank went wrong, and the norm of the rank that arrives."""
    unbatched = unbatched_rows(ctx)
    want = "/".join(f"{r}-D" for r in _NORM_RANKS[nd])
    first = unbatched[0] if unbatched else failing
    text, lost = _where_lost(ctx, first)
    why = [text]
    if unbatched:
        why.append(
            f"{ref(first)} reads {shape(first.inputs[0].shape)} as one unbatched image, "
            "so the layers after it see one rank less"
        )
    return Finding(
        code="SC105",
        severity=ERROR,
        layer=failing.name,
        message=f"{ref(failing)} expects {want} input but receives {t.rank}-D {shape(t.shape)}",
        location=failing.location,
        row=failing.index,
        why=why,
        labels=[Label(first.name, f"the rank goes wrong at {ref(first)}", first.location)],
        notes=[f"PyTorch reports: expected {_NORM_RANKS[nd][-1]}D input (got {t.rank}D input)"],
        fixes=_sibling_norm(ctx, failing, t) + _fixes(ctx, lost, False, first),
    )


def _unbatched_channels(ctx: Context, failing: LayerRecord, t, nd: int, w) -> Finding:
    """A conv given one rank less than a batch, whose first dim is not its channels: it reads an
    unbatched image with the wrong channel count (a batch or channel dim is missing)."""
    channel_missing = w.in_channels == 1
    text, lost = _where_lost(ctx, failing)
    from_input = _input_dim_fixes(ctx, t, nd, w.in_channels)
    if from_input:  # the input has its batch dim: it is one of the others that is missing
        text = (
            f"the model input {shape(t.shape)} has {t.rank - 1} per-sample dims, and {ref(failing)} "
            f"reads {nd + 1} (channels, then {nd} spatial)"
        )
    if channel_missing:
        missing = "here the channel dim of a grayscale batch"
    else:
        missing = "a spatial or channel dim" if from_input else "the batch or channel dim"
    return Finding(
        code="SC105",
        severity=ERROR,
        layer=failing.name,
        message=(
            f"{ref(failing)} reads {shape(t.shape)} as one unbatched image with {t.shape[0]} "
            f"channels; it expects {w.in_channels}"
        ),
        location=failing.location,
        row=failing.index,
        why=[text, f"a {nd + 2}-D input [N, C, …] is missing a dim: {missing}"],
        notes=[
            f"PyTorch reports: Given groups={w.groups}, weight of size "
            f"{shape([w.out_channels or 0, w.in_channels // max(w.groups, 1), *w.kernel])}, expected "
            f"input{shape((1, *t.shape))} to have {w.in_channels} channels, but got {t.shape[0]} "
            "channels instead"
        ],
        fixes=_channel_at_call(ctx, failing, t, from_input) + from_input + _fixes(ctx, lost, channel_missing, failing),
    )


def _channel_at_call(ctx: Context, failing: LayerRecord, t, from_input: list[Fix]) -> list[Fix]:
    """A batch of single-channel maps ([B, F, T], a spectrogram) into a layer built for 1 channel:
    the channel dim added where the user's code hands the data over (`spec.unsqueeze(1)`), before
    the --input that has one; the --input fix then reads as the other way."""
    w = window(failing)
    if w is None or w.in_channels != 1 or ctx.trace.batch is None:
        return []
    fix = unsqueezed_call_fix(
        ctx.trace,
        failing,
        t,
        1,
        f"add the channel dim where the data enters: {shape(t.shape)} → {shape((t.shape[0], 1, *t.shape[1:]))}",
    )
    if fix is None:
        return []
    for other in from_input:
        other.description = "or, if the data has its channel dim and only --input lacks it: " + other.description
    return [fix]


_FLATTEN = ("torch.flatten", "Tensor.flatten", "Flatten")


def _flatten_start(row: LayerRecord) -> int | None:
    """The dim a flatten starts at: its `start_dim`, its second argument, or the default (1 for
    `nn.Flatten`, 0 for `torch.flatten`)."""
    start = row.attrs.get("start_dim")
    args = row.attrs.get("args", [])
    if start is None and row.kind == "op" and len(args) > 1:
        start = args[1]
    if start is None:
        start = 1 if row.kind == MODULE else 0
    return start


def _flatten_merging(ctx: Context) -> Finding | None:
    """A model that runs, but flattens from dim 1 after an unbatched conv: its channels become rows."""
    for row in ctx.trace.layers:
        if row.type not in _FLATTEN or _flatten_start(row) != 1:
            continue
        origin = from_unbatched(ctx, row)
        if origin is not None:
            return _merged(ctx, row, origin, failed=False)
    return None


def _batch_in_input(ctx: Context, failing: LayerRecord, nd: int | None) -> Finding | None:
    """`--input 1x3x224x224` for a Conv2d: the per-sample dims already hold a batch, so the layer
    gets [1, 1, 3, 224, 224]. Only when the model input reaches the layer unchanged."""
    dims = ctx.sample_dims
    t = failing.inputs[0]
    if nd is None or not _input_reaches_with_a_batch(ctx, failing, nd):
        return None
    per_sample, given = tuple(dims[1:]), dims[0]
    batch = ctx.trace.batch
    text = "x".join(map(str, per_sample))
    flag = f"--input {text}" + (f" --batch {given}" if given != 1 else "")
    if batch != 1 and given != 1:  # a batch was given: each sample holds `given` images (a clip's frames)
        return _frames(ctx, failing, t, nd, flag)
    return Finding(
        code="SC105",
        severity=ERROR,
        layer=failing.name,
        message=f"`--input {'x'.join(map(str, dims))}` includes the batch: {ref(failing)} receives "
        f"{shape(t.shape)}, one dim more than [N, C, …]",
        location=failing.location,
        row=failing.index,
        why=[
            f"--input gives the dims of one sample; shapecheck adds the batch dim ({batch}) in front, "
            f"so {given} is read as a dim of each sample",
            f"{ref(failing)} takes {nd + 1}-D (one sample) or {nd + 2}-D (a batch) input",
        ],
        fixes=[
            Fix(
                description=f"give the per-sample dims only: {flag}",
                code=flag,
                kind=FixKind.INPUT,
                safety=SAFE,
                rerun=Rerun(dims=per_sample, batch=given if given != 1 else SAME),
            )
        ],
    )


def _input_reaches_with_a_batch(ctx: Context, failing: LayerRecord, nd: int) -> bool:
    """The model input reaches the spatial module unchanged, with one dim more than a batch of
    samples takes, and the channels of --input's second dim (or channels not known)."""
    dims = ctx.sample_dims
    t = failing.inputs[0]
    if failing.kind != MODULE or not spatial_module(failing) or ctx.trace.batch is None:
        return False
    if len(dims) != nd + 2 or t.rank != nd + 3 or t.source is not None or tuple(t.shape[1:]) != tuple(dims):
        return False
    w = window(failing)
    return w is None or w.in_channels is None or dims[1] == w.in_channels  # else not only a batch too many


def _merged(ctx: Context, row: LayerRecord, first: LayerRecord, failed: bool) -> Finding:
    text, lost = _where_lost(ctx, first)
    c = first.outputs[0].shape[0] if first.outputs else "C"
    why = [
        text,
        f"{ref(first)} reads {shape(first.inputs[0].shape)} as one unbatched image and returns "
        f"{shape(first.outputs[0].shape) if first.outputs else '?'}",
        f"flattening from dim 1 then keeps its {c} channels as {c} rows: the channels become the batch",
    ]
    notes = []
    if failed and row.inputs:
        t = row.inputs[0]
        n_in = row.attrs.get("in_features")
        n_out = row.attrs.get("out_features")
        if n_in and n_out:
            notes.append(
                f"PyTorch reports: mat1 and mat2 shapes cannot be multiplied "
                f"({t.shape[0]}x{t.shape[-1]} and {n_in}x{n_out})"
            )
    message = (
        (
            f"{ref(row)} receives {shape(row.inputs[0].shape)}: the channels of an unbatched image "
            "took the place of the batch"
        )
        if failed
        else (
            f"{ref(row)} merges the channels of an unbatched image into rows: {shape(row.inputs[0].shape)} → "
            f"{shape(row.outputs[0].shape)}"
        )
    )
    return Finding(
        code="SC105",
        severity=ERROR,
        layer=row.name,
        message=message,
        location=row.location,
        row=row.index,
        why=why,
        labels=[Label(first.name, f"the rank goes wrong at {ref(first)}", first.location)],
        notes=notes,
        fixes=_fixes(ctx, lost, False, first),
    )


def _spatial_only(ctx: Context, failing: LayerRecord, t, nd: int, channels: int) -> Finding:
    """A conv given a tensor of its spatial rank (`[28, 28]` into `Conv2d(1, …)`): either one
    image without its batch and channel dims, or a batch of flattened images (`[32, 784]`,
    784 = 28·28). The reading the numbers allow is offered; both when both do, each verified."""
    var = tensor_name(failing, ctx.trace)
    dims = tuple(t.shape)
    direct = ctx.trace.is_model_input(t)
    why = [f"{ref(failing)} takes {nd + 1}-D (one sample) or {nd + 2}-D (a batch) input"]
    image = _one_image_fix(var, dims, channels, direct)
    flat = _flattened_fix(var, dims, nd, channels, direct)
    if flat is not None:
        side = flat.rerun.dims[-1] if flat.rerun and flat.rerun.dims else None
        why.append(
            f"either a batch of {dims[0]} flattened images ({dims[-1]} = "
            + (f"{channels}·" if channels > 1 else "")
            + f"{side}·{side}), or one image of {shape(dims)} without its batch and channel dims"
        )
        fixes = [flat, image] if dims[0] != dims[-1] else [image, flat]
    else:
        why.append(f"{shape(dims)} has neither a batch nor a channel dim: one image")
        fixes = [image]
    layout = "H, W" if nd == 2 else ", ".join(f"D{i + 1}" for i in range(nd))
    return ctx.finding(
        layer=failing.name,
        message=f"{ref(failing)} receives {shape(dims)}, {nd} dims: it reads [C, {layout}] (one sample) or "
        f"[N, C, {layout}], with C = {channels}",
        location=failing.location,
        row=failing.index,
        why=why,
        notes=[
            f"PyTorch reports: Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
            f"{failing.type.lower()}, but got input of size: {shape(dims)}"
        ],
        fixes=fixes,
    )


def _one_image_fix(var: str, dims: tuple, channels: int, direct: bool) -> Fix:
    """One image gets its batch dim, and its channel dim (repeated for an RGB layer: a grayscale
    image into a pretrained stem keeps the layer)."""
    if channels == 1:
        return Fix(
            description=f"if it is one grayscale image: add the batch and channel dims, {shape((1, 1, *dims))}",
            code=f"{var} = {var}.unsqueeze(0).unsqueeze(0)",
            safety=SAFE,
            rerun=Rerun(dims=(1, *dims), batch=1) if direct else None,
        )
    return Fix(
        description=f"if it is one grayscale image: repeat its channel {channels} times and add the batch dim, "
        f"{shape((1, channels, *dims))} (the layer keeps its {channels} channels)",
        code=f"{var} = {var}.expand({channels}, *{var}.shape).unsqueeze(0)",
        safety=SAFE,
        rerun=Rerun(dims=(channels, *dims), batch=1) if direct else None,
    )


def _flattened_fix(var: str, dims: tuple, nd: int, channels: int, direct: bool) -> Fix | None:
    """`[32, 784]` into `Conv2d(1, …)`: rows of C·side·side values, viewed back as images."""
    import math

    if nd != 2 or len(dims) != 2 or dims[-1] % channels:
        return None
    side = math.isqrt(dims[-1] // channels)
    if side < 2 or side * side * channels != dims[-1]:
        return None
    return Fix(
        description=f"if each row is a flattened image: view it as [N, {channels}, {side}, {side}]",
        code=f"{var} = {var}.view(-1, {channels}, {side}, {side})",
        safety=SAFE,
        rerun=Rerun(dims=(channels, side, side)) if direct else None,
    )


def _frames(ctx: Context, failing: LayerRecord, t, nd: int, flag: str) -> Finding:
    """Each sample of a given batch holds several images ([B, T, C, H, W], a clip's frames) and
    reaches a layer that reads one image per row. The frames go through it folded into the batch
    and come back per sample, averaged over the frames (late fusion), at the user's call; the
    --input that reads the frames as the batch is the other way, and keeps no row per sample."""
    frames = t.shape[1]
    fixes: list[Fix] = []
    found = user_call(ctx.trace, failing, t)
    if found is not None:
        call, var = found
        where = call.called_at
        source = where.source if where is not None and where.source else ""
        name = call.name.rsplit(".", 1)[-1]
        after = rewrite_call(source, name, var, f"{var}.flatten(0, 1)", f".unflatten(0, ({var}.size(0), -1)).mean(1)")
        if after is not None:
            folded = line_fix(
                f"run {ref(call)} on each of the {frames} frames (folded into the batch), then average its "
                "outputs over the frames: one row per sample",
                where,
                source,
                after,
                after.strip(),
                safety=DISPLAY_ONLY,
            )
            # a batch written into the per-sample input (torchsummary's (8, 3, H, W)) runs as well:
            # which of the two a sample is, the data says, not a re-run
            folded.check_note = f"not checked: whether the {frames} are each sample's frames or the batch is the data's"
            fixes.append(folded)
    fixes.append(
        Fix(
            description=f"{'or, ' if fixes else ''}if the {frames} are samples and not a dim of each: {flag}",
            code=flag,
            kind=FixKind.INPUT,
            safety=SAFE,
            rerun=Rerun(dims=tuple(t.shape[2:]), batch=frames),
        )
    )
    return Finding(
        code="SC105",
        severity=ERROR,
        layer=failing.name,
        message=f"{ref(failing)} receives {shape(t.shape)}: {frames} images per sample, where it reads one per row",
        location=failing.location,
        row=failing.index,
        why=[
            f"each sample of the batch ({t.shape[0]}) is {frames} images of {shape(t.shape[2:])} "
            "(a clip's frames, or a stack)",
            f"{ref(failing)} takes {nd + 1}-D (one image) or {nd + 2}-D (a batch of images) input",
        ],
        fixes=fixes,
    )
