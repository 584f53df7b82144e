"""SC104 channel-mismatch.

What it does: finds a convolution (or BatchNorm) that receives a different number of channels
than it was built for, and says where the channels came from: the model input (a grayscale
image into an RGB stem) or the previous layer's `out_channels`.

Why is this bad? The forward pass fails: `Given groups=1, weight of size [64, 3, 7, 7], expected
input[1, 1, 224, 224] to have 3 channels, but got 1 channels instead`.

Example:
    self.conv1 = nn.Conv2d(3, 32, 3)
    self.conv2 = nn.Conv2d(64, 64, 3)   # conv1 makes 32 channels

Use instead:
    self.conv2 = nn.Conv2d(32, 64, 3)

Fix safety: repeating a grayscale channel is safe (the model is unchanged); changing
`in_channels` or `num_features` is unsafe: those weights no longer load from a checkpoint.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

from ...trace.records import MODULE, OP, Construction
from ..context import Context
from ..findings import DISPLAY_ONLY, ERROR, SAFE, UNSAFE, Finding, Fix, FixKind, Label
from ..layers import CONV_MODULE, NORM_MODULE, Window, spatial_rank, window
from ..numbers import shape
from ..provenance import provenance
from ..registry import rule
from ..requests import Edit, Rerun
from ..roles import channels_last, is_library_file
from .blocks import passed_down
from .callsite import reordered_call_fix
from .common import (
    argument_fix,
    conv_params,
    create_model_option,
    first_argument_fix,
    from_channels_first_layer,
    input_code,
    producer_size_fix,
    ref,
    tensor_name,
)
from .construction import divisor_above, divisor_below, refused, sized_fix


def _channels(n: int) -> str:
    return f"{n} channel" if n == 1 else f"{n} channels"


def conv_message(row, w, t) -> str:
    if "Transpose" in row.type:  # the weight is [in, out / groups, *kernel]
        weight = [w.in_channels, (w.out_channels or 0) // max(w.groups, 1), *w.kernel]
        given = "Given transposed=1"
    else:
        weight = [w.out_channels, (w.in_channels or 0) // max(w.groups, 1), *w.kernel]
        given = f"Given groups={w.groups}"
    return (
        f"{given}, weight of size {shape(weight)}, expected input{shape(t.shape)} "
        f"to have {w.in_channels} channels, but got {t.shape[1]} channels instead"
    )


def _channels_window(row, nd: int) -> Window | None:
    """The channels a conv module takes, transposed ones included (whose sliding window
    `window()` leaves out: their output sizes follow other arithmetic)."""
    if "Transpose" not in row.type:
        return window(row)
    a = row.attrs
    kernel = a.get("kernel_size")
    if not isinstance(a.get("in_channels"), int) or not isinstance(kernel, (list, tuple)):
        return None
    ones = (1,) * nd
    return Window(
        nd,
        tuple(kernel),
        ones,
        (0,) * nd,
        ones,
        in_channels=a.get("weight_in_channels", a["in_channels"]),
        out_channels=a.get("out_channels"),
        groups=a.get("groups", 1) or 1,
    )


@rule("SC104", ERROR)
def check(ctx: Context) -> list[Finding]:
    if ctx.trace.construction is not None:
        return _groups_refused(ctx.trace.construction, ctx.trace.error)
    findings = []
    for row in ctx.trace.layers:
        found = _row_finding(ctx, row) if row.failed else None
        if found is not None:
            findings.append(found)
    return findings


def _row_finding(ctx: Context, row) -> Finding | None:
    """A failed row's finding, by its kind: a functional conv, a GroupNorm or LayerNorm, or a
    conv or norm module of the channels-first layout."""
    if row.kind == OP and _FUNCTIONAL_CONV.fullmatch(row.type):
        return _functional_conv(row)
    if not row.inputs or row.kind != MODULE:
        return None
    if row.type == "GroupNorm":
        return _group_norm(ctx, row)
    if row.type == "LayerNorm":
        return _layer_norm(ctx, row)
    nd = spatial_rank(row)
    t = row.inputs[0]
    if nd is None or t.rank != nd + 2:
        return None  # unbatched or wrong rank: SC105
    if channels_last(row, t) is not None and not from_channels_first_layer(ctx, row):
        return None  # the channels are in the last dim: SC114
    if CONV_MODULE.match(row.type):
        return _conv_module(ctx, row, t, nd)
    if NORM_MODULE.match(row.type):
        return _norm_module(ctx, row, t)
    return None


def _conv_module(ctx: Context, row, t, nd: int) -> Finding | None:
    """A conv module given other channels than its weight takes."""
    got = t.shape[1]
    w = _channels_window(row, nd)
    if w is None or w.in_channels is None or got == w.in_channels:
        return None
    return _conv_finding(ctx, row, w, t, got)


def _norm_module(ctx: Context, row, t) -> Finding | None:
    """A batch or instance norm given other channels than its num_features."""
    got, want = t.shape[1], row.attrs.get("num_features")
    if not isinstance(want, int) or got == want:
        return None
    return _norm_finding(ctx, row, t, got, want)


def _origin(ctx: Context, t) -> tuple[str, Label | None]:
    from ..boundaries import producer

    if ctx.trace.is_model_input(t):
        return "the model input", Label("input", f"the model input is {shape(t.shape)}")
    src = producer(ctx.trace, t)
    if src is None:
        return "the previous layer", None
    made = src.attrs.get("out_channels") or src.attrs.get("num_features")
    what = f"makes {made} channels" if made else f"outputs {shape(t.shape)}"
    return ref(src), Label(src.name, f"{ref(src)} {what}", src.location)


def _conv_finding(ctx: Context, row, w, t, got: int) -> Finding:
    want = w.in_channels
    origin, label = _origin(ctx, t)
    why = [f"{ref(row)} was built with in_channels={want}; {origin} has {_channels(got)}: {shape(t.shape)}"]
    attribute = row.attrs.get("in_channels")
    if "weight_in_channels" in row.attrs and attribute != want:
        why.append(
            f"its in_channels attribute says {attribute}, but its weight takes {want}: setting the attribute "
            "after construction does not rebuild the weight; assign a new layer instead"
        )
    fixes = _rgb_input_fixes(ctx, row, t, got, want, why) + _swapped_fixes(ctx, row, t, got, want, why)
    rebuilt = Rerun(edits=(Edit("replace", row.name, row.type, conv_params(row, in_channels=got)),))
    timm = _timm_in_chans_fix(ctx, row, got, rebuilt) if ctx.trace.is_model_input(t) else None
    if timm is not None:
        fixes.append(timm)
        return _conv(ctx, row, want, got, t, w, why, label, fixes)
    built = _constructor_argument_fix(ctx, row, got, want)
    if built is not None:  # the model's own setting makes the layer's width: change it there
        fixes.append(built)
    layer_fix = first_argument_fix(
        row,
        got,
        f"set in_channels={got} on {ref(row)}"
        + (
            f" (a stem for {got}-channel input; weights trained on RGB no longer fit)"
            if ctx.trace.is_model_input(t) and want in (1, 3)
            else f" to match {origin}"
        ),
        f"{row.type}({got}, {w.out_channels}, …)",
        rebuilt,
    )
    fixes.append(passed_down(ctx.trace, row, layer_fix, 0, got, "in_channels"))
    return _conv(ctx, row, want, got, t, w, why, label, fixes)


def _rgb_input_fixes(ctx: Context, row, t, got: int, want: int, why: list[str]) -> list[Fix]:
    """A stem built for RGB given the model input as a gray image (its channel repeated) or as
    RGBA (the alpha dropped), with the reason added to `why`."""
    if not ctx.trace.is_model_input(t) or want != 3 or got not in (1, 4):
        return []
    dims = list(ctx.sample_dims)
    dims[0 if ctx.trace.batch is not None else 1] = 3
    var = tensor_name(row, ctx.trace)
    if got == 1:
        why.append("a grayscale image (1 channel) reaches a stem built for RGB (3 channels)")
        return [
            Fix(
                description="repeat the gray channel three times before the model (`expand` makes no copy)",
                code=f"{var} = {var}.expand({', '.join(['-1', '3'] + ['-1'] * (t.rank - 2))})  "
                f"# or {var}.repeat({', '.join(['1', '3'] + ['1'] * (t.rank - 2))})",
                safety=SAFE,
                rerun=Rerun(dims=tuple(dims)),
            )
        ]
    why.append(
        "4 channels where the stem takes 3 (RGB): perhaps an image with an alpha channel (RGBA, as PNGs often are)"
    )
    return [
        Fix(
            description="if it is an RGBA image, drop the alpha channel before the model (or load it with "
            "`Image.open(path).convert('RGB')`): the stem keeps its (pretrained) RGB weights",
            code=f"{var} = {var}[:, :3]",
            safety=SAFE,
            rerun=Rerun(dims=tuple(dims)),
        )
    ]


def _swapped_fixes(ctx: Context, row, t, got: int, want: int, why: list[str]) -> list[Fix]:
    """The channels found in another dim of the input: moved to dim 1 in the code that reads the
    data (where it can be), or by --input, with the reason added to `why`."""
    swapped = _swapped_input_fix(ctx, row, got, want)
    if swapped is None:
        return []
    why.append(swapped[0])
    a, b = swapped[2]
    perm = list(range(t.rank))
    perm[a], perm[b] = b, a
    in_code = reordered_call_fix(
        ctx.trace, row, t, tuple(perm), f"move the {want} channels to dim 1 where the data enters: dims {a} and {b}"
    )
    if in_code is None:
        return [swapped[1]]
    # the code that reads the data, before the --input that reorders it
    swapped[1].description = "or, " + swapped[1].description
    return [in_code, swapped[1]]


def _conv(ctx: Context, row, want: int, got: int, t, w, why, label, fixes) -> Finding:
    return Finding(
        code="SC104",
        severity=ERROR,
        layer=row.name,
        message=f"{ref(row)} expects {want} input channels but receives {got}",
        location=row.location,
        row=row.index,
        why=why,
        labels=[label] if label else [],
        notes=[f"PyTorch reports: {conv_message(row, w, t)}"],
        fixes=fixes,
    )


def _timm_in_chans_fix(ctx: Context, row, got: int, rerun: Rerun) -> Fix | None:
    """A timm model's stem, built on the user's `timm.create_model(...)` line: timm's own
    `in_chans` builds it for the data's channels (and adapts pretrained RGB weights to them,
    summed or repeated), a change the user can paste, unlike the stem's own line in timm."""
    found = create_model_option(ctx.trace, row, "in_chans", got)
    if found is None:
        return None
    at, source, after = found
    rerun = replace(rerun, library_option="in_chans")
    return Fix(
        description=f"or build the model for {_channels(got)} with timm's `in_chans={got}` (timm adapts "
        f"pretrained RGB weights to {got} channel{'s' if got != 1 else ''})",
        code=after,
        safety=UNSAFE,
        location=at,
        before=source,
        after=after,
        rerun=rerun,
    )


def _constructor_argument_fix(ctx: Context, row, got: int, want: int) -> Fix | None:
    """`UNet(c_in=3)` given 32-channel data: the stem's in_channels comes from the model's own
    constructor argument (`self.inc = DoubleConv(c_in, 32)` passes it down), so the model built
    with `c_in=32` takes the data as it is, and every layer sized from the setting follows; an
    edit of the conv line would write 32 into a block other layers share. Only an integer
    argument of the model whose value is the layer's in_channels and whose name is written on
    the line that built the layer or a block holding it, in the user's file; checked by building
    the model again with it."""

    if not ctx.trace.is_model_input(row.inputs[0]) or not ctx.trace.arguments:
        return None
    lines = []
    for holder in [row, *ctx.trace.ancestors(row)]:
        at = holder.defined_at
        if at is not None and at.source and not is_library_file(at.file):
            lines.append(at.source)
    for name, value in ctx.trace.arguments:
        if type(value) is not int or value != want:
            continue
        if not any(re.search(rf"(?<![\w.]){re.escape(name)}\b(?!\s*=[^=])", line) for line in lines):
            continue  # the setting does not reach this layer by name
        return Fix(
            description=f"the model is built for {name}={want} and the data has {got} channels: construct it with "
            f"`{name}={got}`, so the layers sized from `{name}` take the data as it is",
            code=f"--arg {name}={got}",
            kind=FixKind.OPTION,
            safety=UNSAFE,  # the stem's weight changes shape: a checkpoint for {want} channels no longer loads
            rerun=Rerun(args=((name, got),)),
            build_args=((name, got),),
        )
    return None


def _norm_finding(ctx: Context, row, t, got: int, want: int) -> Finding:
    origin, label = _origin(ctx, t)
    return Finding(
        code="SC104",
        severity=ERROR,
        layer=row.name,
        message=f"{ref(row)} normalizes {want} channels but receives {got}",
        location=row.location,
        row=row.index,
        why=[f"{ref(row)} was built with num_features={want}; {origin} has {_channels(got)}: {shape(t.shape)}"],
        labels=[label] if label else [],
        notes=[f"PyTorch reports: running_mean should contain {got} elements not {want}"],
        fixes=[
            first_argument_fix(
                row,
                got,
                f"set num_features={got} on {ref(row)}",
                f"{row.type}({got})",
                Rerun(edits=(Edit("replace", row.name, row.type, (("num_features", got),)),)),
            )
        ],
    )


def _group_norm(ctx: Context, row) -> Finding | None:
    """`nn.GroupNorm(8, 64)` after a conv that makes 32 channels: num_channels set to what
    arrives, with a group count that still divides it."""
    t = row.inputs[0]
    want, groups = row.attrs.get("num_channels"), row.attrs.get("num_groups")
    if t.rank < 2 or not isinstance(want, int) or not isinstance(groups, int) or t.shape[1] == want:
        return None
    got = t.shape[1]
    origin, label = _origin(ctx, t)
    fix = _num_channels_fix(row, got, groups)
    return ctx.finding(
        layer=row.name,
        message=f"{ref(row)} normalizes {want} channels but receives {got}",
        location=row.location,
        row=row.index,
        why=[f"{ref(row)} was built with num_channels={want}; {origin} has {_channels(got)}: {shape(t.shape)}"],
        labels=[label] if label else [],
        notes=[
            "PyTorch reports: Expected weight to be a vector of size equal to the number of channels in input, "
            f"but got weight of shape [{want}] and input of shape {shape(t.shape)}"
        ],
        fixes=[fix],
    )


def _num_channels_fix(row, got: int, groups: int) -> Fix:
    """num_channels set to what arrives, with the largest group count up to `groups` that
    divides it (written whole where the group count changes too)."""
    fit = groups if got % groups == 0 else max(g for g in range(1, got + 1) if got % g == 0 and g <= groups)
    params = (("num_groups", fit), ("num_channels", got))
    fix = argument_fix(
        row,
        "GroupNorm",
        1,
        "num_channels",
        got,
        f"set num_channels={got} on {ref(row)}"
        + (f", with num_groups={fit} (it must divide {got})" if fit != groups else ""),
        Edit("replace", row.name, "GroupNorm", params),
    )
    if fit != groups:
        fix.code = f"nn.GroupNorm({fit}, {got})"
        fix.after = fix.before = None
    return fix


def _layer_norm(ctx: Context, row) -> Finding | None:
    """`nn.LayerNorm(512)` after a layer that makes 256 features: the norm's size, or the
    producer's (when it is a Linear or an Embedding), each verified."""
    t = row.inputs[0]
    norm = row.attrs.get("normalized_shape")
    if not isinstance(norm, (list, tuple)) or not norm or t.rank < len(norm):
        return None
    want = tuple(norm)
    got = tuple(t.shape[-len(want) :])
    if got == want:
        return None
    origin, label = _origin(ctx, t)
    src = ctx.trace.row(t.source) if t.source is not None else None
    size = got[0] if len(got) == 1 else list(got)
    fixes = [
        argument_fix(
            row,
            "LayerNorm",
            0,
            "normalized_shape",
            size,
            f"set normalized_shape={size} on {ref(row)} to normalize what {origin} makes",
            Edit("replace", row.name, "LayerNorm", (("normalized_shape", size),)),
        )
    ]
    other = _producer_width_fix(src, got, want)
    if other is not None:
        fixes.append(other)
    return ctx.finding(
        layer=row.name,
        message=f"{ref(row)} normalizes the last dims as {shape(want)} but receives {shape(t.shape)}",
        location=row.location,
        row=row.index,
        why=[
            f"{ref(row)} was built with normalized_shape={list(want)}: the input's last {len(want)} dim"
            f"{'s' if len(want) > 1 else ''} must be {shape(want)}; {origin} gives {shape(got)}"
        ],
        labels=[label] if label else [],
        notes=[
            f"PyTorch reports: Given normalized_shape={list(want)}, expected input with shape "
            f"[*, {', '.join(map(str, want))}], but got input of size{shape(t.shape)}"
        ],
        fixes=fixes,
    )


def _producer_width_fix(src, got: tuple, want: tuple) -> Fix | None:
    """The layer that makes the features (a Linear or an Embedding) built for the width a
    one-dim LayerNorm normalizes."""
    if len(want) != 1:
        return None
    return producer_size_fix(
        src,
        got[0],
        want[0],
        f"or set {{attr}}={want[0]} on {ref(src) if src else ''}, if {want[0]} is the width meant",
    )


def _swapped_input_fix(ctx: Context, row, got: int, want: int) -> tuple[str, Fix, tuple[int, int]] | None:
    """The channels the layer reads are one dim of the model input (dim provenance), and the count
    it was built for is the size of another: the data's dims are in another order than the model
    reads them ([B, T, C, H, W] frames into a model that takes [B, C, T, H, W]). The data changes
    order, the layer keeps its channels."""
    if ctx.trace.image_list:
        return None
    found = _channels_source(ctx, row)
    if found is None:
        return None
    i, k = found
    t = ctx.trace.inputs[i]
    dims = list(t.shape[1:] if ctx.trace.batch is not None else t.shape)
    others = [j for j, size in enumerate(dims) if j != k and size == want]
    if len(others) != 1 or dims[k] != got:
        return None
    j = others[0]
    dims[k], dims[j] = dims[j], dims[k]
    spec = "x".join(map(str, dims))
    off = 1 if ctx.trace.batch is not None else 0  # dims of the batched input, as the user indexes it
    a, b = min(j, k) + off, max(j, k) + off
    which = "input" if len(ctx.trace.inputs) == 1 else f"input {i}"
    why = (
        f"the {got} channels it reads are the {which}'s dim {k + off}, and the {want} it was built for is its dim "
        f"{j + off}: the data's dims {a} and {b} are in the other order than the model reads"
    )
    fix = Fix(
        description=f"give the data in the order the model reads it, `x.transpose({a}, {b})`: "
        f"--input {spec}" + (f" (input {i})" if len(ctx.trace.inputs) > 1 else ""),
        code=input_code(ctx, tuple(dims), i),
        kind=FixKind.INPUT,
        safety=SAFE,
        rerun=Rerun(dims=tuple(dims)) if i == 0 else Rerun(other_dims=((i, tuple(dims)),)),
    )
    return why, fix, (a, b)


def _channels_source(ctx: Context, row) -> tuple[int, int] | None:
    """(input, per-sample dim) of the model input that the layer's channels are, exactly (dim
    provenance); None when they follow no one input dim."""
    prov = provenance(ctx)
    follows = prov.dims(row, "inputs") if prov is not None else None
    if prov is None or not follows or len(follows) < 2 or len(follows[1]) != 1:
        return None
    (source,) = follows[1]
    found = re.fullmatch(r"(?:input (\d+) )?dim (\d+)", source)
    if found is None or not prov.follows_exactly(row, 1, source, side="inputs"):
        return None
    return int(found.group(1) or 0), int(found.group(2))


def _groups_refused(built: Construction, error) -> list[Finding]:
    """A GroupNorm or a grouped conv that refused to be built: its groups do not divide its
    channels. Fixes: the nearest group counts that divide (the channels stay), or the nearest
    channel counts the groups divide, each written where the size was."""
    groups_arg = "num_groups" if built.layer == "GroupNorm" else "groups"
    g = built.argument(groups_arg)
    if g is None or g <= 0:
        return []
    channels, splits, channel_args = _split_channels(built, g)
    if splits <= 0 or not channel_args:
        return []
    fixes = _group_fixes(built, groups_arg, g, splits) + _channel_fixes(built, g, channel_args)
    built_as = ", ".join(f"{k}={v}" for k, v in built.arguments)
    message = f"`{built.layer}({built_as})` cannot be built: {channels} channels do not split into {g} groups"
    why = f"{channels} = {g}·{channels // g} + {channels % g}: each of the {g} groups needs the same number of channels"
    return [refused("SC104", built, error, message, why, fixes)]


def _split_channels(built: Construction, g: int) -> tuple[int, int, tuple[tuple[str, int, int], ...]]:
    """(the channels that do not split, the channels every group count must divide, the channel
    arguments g does not divide as (name, position, value)) of a GroupNorm or a grouped conv."""
    if built.layer == "GroupNorm":
        channels = built.argument("num_channels") or 0
        return channels, channels, (("num_channels", 1, channels),)
    cin, cout = built.argument("in_channels") or 0, built.argument("out_channels") or 0
    channel_args = tuple((n, i, c) for n, i, c in (("in_channels", 0, cin), ("out_channels", 1, cout)) if c % g)
    return (channel_args[0][2] if channel_args else cin), math.gcd(cin, cout), channel_args


def _group_fixes(built: Construction, arg: str, g: int, splits: int) -> list[Fix]:
    position = 0 if arg == "num_groups" else 6
    fixes = []
    for value in dict.fromkeys(v for v in (divisor_below(splits, g), divisor_above(splits, g)) if v):
        what = f"{arg}={value}: {splits} channels in {value} groups of {splits // value}"
        fix = sized_fix(built, arg, position, value, what)
        if fix is not None:
            fixes.append(fix)
    return fixes


def _channel_fixes(built: Construction, g: int, channel_args) -> list[Fix]:
    fixes = []
    for name, position, channels in channel_args:
        for value in dict.fromkeys(v for v in (channels - channels % g, channels - channels % g + g) if v > 0):
            fix = sized_fix(built, name, position, value, f"{name}={value}, which {g} groups divide", UNSAFE)
            if fix is not None:
                fixes.append(fix)
    return fixes


# A convolution called as a function: `F.conv2d(x, weight)`, `torch.conv2d(x, weight)`.
_FUNCTIONAL_CONV = re.compile(r"(F|torch|torch\.nn\.functional)\.conv([123])d")


def _conv_groups(row) -> int | None:
    """The groups of a functional conv (a keyword or its 7th argument, else 1); None when not a
    positive int."""
    args = row.attrs.get("args", [])
    groups = row.attrs.get("groups", args[6] if len(args) > 6 and isinstance(args[6], int) else 1)
    return groups if isinstance(groups, int) and groups >= 1 else None


def _functional_conv(row) -> Finding | None:
    """`F.conv2d(x, w)` where x's channels are not the weight's dim 1 times the groups: which of
    the two is wrong the shapes cannot tell, so both readings are given, with the sizes each needs."""
    match = _FUNCTIONAL_CONV.fullmatch(row.type)
    if match is None or len(row.inputs) < 2:
        return None
    nd = int(match.group(2))
    x, weight = row.inputs[0], row.inputs[1]
    groups = _conv_groups(row)
    if weight.rank != nd + 2 or x.rank not in (nd + 1, nd + 2) or groups is None:
        return None
    at = x.rank - nd - 1  # the channels' dim: 1, or 0 unbatched
    got, want = x.shape[at], weight.shape[1] * groups
    if got == want:
        return None
    readings = [f"or give it input with {_channels(want)}: {shape((*x.shape[:at], want, *x.shape[at + 1 :]))}"]
    if got % groups == 0:
        made = shape((weight.shape[0], got // groups, *weight.shape[2:]))
        readings.insert(0, f"make the weight {made} for {_channels(got)}")
    real = (
        f"Given groups={groups}, weight of size {shape(weight.shape)}, expected input{shape(x.shape)} "
        f"to have {want} channels, but got {got} channels instead"
    )
    return Finding(
        code="SC104",
        severity=ERROR,
        layer=row.name,
        message=f"{ref(row)} takes {_channels(want)} (its weight {shape(weight.shape)}, groups={groups}) "
        f"but receives {got}",
        location=row.location,
        row=row.index,
        why=[
            f"a weight [out, in / groups, *kernel] = {shape(weight.shape)} takes {weight.shape[1]}·{groups} = "
            f"{want} input channels; the input {shape(x.shape)} has {got} in dim {at}"
        ],
        notes=[f"PyTorch reports: {real}"],
        fixes=[Fix(description=text, safety=DISPLAY_ONLY) for text in readings],
    )
