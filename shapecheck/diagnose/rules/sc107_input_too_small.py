"""SC107 input-too-small.

What it does: finds the conv or pooling layer (module or functional call) where the feature
map became smaller than the kernel, computes the smallest input that works, and says by how
many halvings the map got there. Works for 1-D, 2-D and 3-D maps (a video clip with too few
frames gets the number of frames it needs).

Why is this bad? `Given input size: (1024x4x4). Calculated output size: (1024x0x0). Output size
is too small`, or `Kernel size can't be greater than actual input size`.

Example:
    self.avgpool = nn.AvgPool2d(7)   # the 7×7 map exists only at 224×224

Use instead:
    self.avgpool = nn.AdaptiveAvgPool2d(1)

Fix safety: a larger input and an adaptive pool are safe (no parameters change); a smaller
stride is display-only: it changes every later shape.
"""

from __future__ import annotations

import re

from ...domain.records import dim_names
from ...trace.records import MODULE, LayerRecord
from ..context import Context, op_site
from ..findings import DISPLAY_ONLY, ERROR, SAFE, Finding, Fix, FixKind
from ..layers import Window, spatial_rank, window
from ..probes import grow, smallest_where, with_size
from ..registry import rule
from ..requests import Edit, Rerun
from .common import accepted_dims, ref


def _x(values) -> str:
    return "x".join(str(v) for v in values)


def real_message(row: LayerRecord, w, spatial, channels) -> str:
    if w.is_pool:
        outs = [w.pool_output_size(s, i) for i, s in enumerate(spatial)]
        if w.nd == 1:  # 1-d pools run as 2-d ones on an [N, C, 1, L] view, and print it so
            spatial, outs = (1, *spatial), [1, *outs]
        return (
            f"Given input size: ({channels}x{_x(spatial)}). Calculated output size: "
            f"({channels}x{_x(outs)}). Output size is too small"
        )
    padded = " x ".join(str(w.padded(s, i)) for i, s in enumerate(spatial))
    kernel = " x ".join(str(w.effective_kernel(i)) for i in range(w.nd))
    return (
        f"Calculated padded input size per channel: ({padded}). Kernel size: ({kernel}). "
        "Kernel size can't be greater than actual input size"
    )


def too_small(row: LayerRecord | None) -> bool:
    """Whether this (failing) row's map is smaller than its kernel."""
    fit = _window_fit(row)
    return fit is not None and bool(fit[2])


def _window_fit(row: LayerRecord | None) -> tuple[Window, int, list[int]] | None:
    """A windowed row's window, its spatial rank and the indices of the spatial dims smaller than
    the (dilated) kernel after padding; None for a row without a window or of another rank."""
    if row is None or not row.inputs:
        return None
    w = window(row)
    nd = spatial_rank(row)
    if w is None or nd is None or row.inputs[0].rank not in (nd + 1, nd + 2):
        return None
    spatial = row.inputs[0].shape[-nd:]
    return w, nd, [i for i, s in enumerate(spatial) if w.effective_kernel(i) > w.padded(s, i)]


def _runs_alone(ctx: Context, rerun: Rerun) -> bool:
    """The model runs to the end with this one edit (no later failure)."""
    try:
        return ctx.rerun(rerun).error is None
    except (LookupError, TimeoutError):
        return False
    except Exception:  # model code failing on the edited copy: not a fix
        return False


def _smallest(ctx: Context, row: LayerRecord, axes: tuple[int, ...]) -> int | None:
    """The smallest size for `axes` (others as traced) at which no layer is too small."""
    base = ctx.sample_dims

    def ok(size: int) -> bool:
        # Every window, not just a failing one: some meta kernels return an empty map instead
        # of raising when the kernel does not fit (seen with Conv3d on torch 2.11).
        return not any(too_small(r) for r in ctx.rerun(Rerun(dims=with_size(base, axes, size))).layers)

    try:
        hi, found = grow(ok, 2 * max(base[a] for a in axes))
        return smallest_where(ok, hi // 2 + 1, hi) if found else None
    except (LookupError, TimeoutError):
        return None


def _downsampling(ctx: Context, row: LayerRecord) -> tuple[int, LayerRecord | None]:
    """The product of strides before `row` along its input's lineage, and the first strided row."""
    total, first = 1, None
    for current in ctx.trace.upstream(row):
        w = window(current)
        if w is not None and max(w.stride) > 1:
            total *= max(w.stride)
            first = current
    return total, first


@rule("SC107", ERROR)
def check(ctx: Context) -> list[Finding]:
    found = _too_small(ctx)
    if found is None:
        return []
    row, w, nd, small = found
    t = row.inputs[0]
    spatial = t.shape[-nd:]
    dims = ctx.sample_dims
    axes, groups = _input_axes(dims, nd, small)
    why = [
        f"{ref(row)} needs {_x(w.effective_kernel(i) for i in range(nd))} "
        f"(kernel{' with padding ' + _x(w.padding) if any(w.padding) else ''}) but the map is "
        f"{_x(spatial)} at input {'×'.join(map(str, dims))}"
    ]
    factor, first_strided = _downsampling(ctx, row)
    if factor > 1:
        why.append(f"the layers before it divide the size by {factor}")
    new_dims, mins = _minimums(ctx, row, nd, groups, why)
    fixes = []
    message_tail = ""
    if mins:
        if nd == 3 and small == [0]:  # a clip's frames
            message_tail = f"; it needs at least {new_dims[axes[0]]} frames"
            why.append(f"a clip of {dims[axes[0]]} frames is too short: at least {new_dims[axes[0]]} are needed")
        fixes.append(_larger_input_fix(mins, new_dims))
    if w.is_pool:
        fixes = _with_adaptive(ctx, row, nd, fixes)
    if first_strided is not None:
        fixes.append(_less_stride_fix(first_strided))
    return [
        ctx.finding(
            layer=row.name,
            message=f"the input is too small for {ref(row)}: its {_x(spatial)} map is smaller than the "
            f"{_x(w.effective_kernel(i) for i in range(nd))} kernel{message_tail}",
            location=row.location,
            row=row.index,
            why=why,
            notes=[f"PyTorch reports: {real_message(row, w, spatial, t.shape[-nd - 1])}"],
            fixes=fixes,
        )
    ]


def _input_axes(dims, nd: int, small: list[int]) -> tuple[tuple[int, ...], list[tuple[int, ...]]]:
    """The layer's small dims as dims of the model input (when the input has the same rank), and
    those dims in groups that grow together: all of them when they are one size, else each alone."""
    axes = tuple(1 + i for i in small) if len(dims) == nd + 1 else ()
    if axes and len({dims[a] for a in axes}) == 1:
        return axes, [axes]
    return axes, [(a,) for a in axes]


def _larger_input_fix(mins: list[str], new_dims: list[int]) -> Fix:
    """`--input 3x32x32`: the smallest input at which every window fits."""
    return Fix(
        description=f"use a larger input: {' and '.join(mins)} (here {'x'.join(map(str, new_dims))})",
        code=f"--input {'x'.join(map(str, new_dims))}",
        kind=FixKind.INPUT,
        safety=SAFE,
        rerun=Rerun(dims=tuple(new_dims)),
    )


def _with_adaptive(ctx: Context, row: LayerRecord, nd: int, fixes: list[Fix]) -> list[Fix]:
    """The fixes with the pool made adaptive: first when the model then runs, last and unchecked
    when nothing can be re-run.

    A pool with a fixed window at the head (AvgPool2d(7) before the classifier) means "pool the
    whole map": adaptive pooling keeps that at any size, so it goes first. A pool inside the
    backbone is not made adaptive: the model runs only if every later pool is too, and the layers
    after it then see a 1x1 map where they were written for more."""
    adaptive = _adaptive_fix(row, nd)
    if adaptive is None or adaptive.rerun is None:
        return fixes
    if ctx.runner is None:
        return [*fixes, adaptive]  # no re-runs: offered after the others, unchecked
    if _runs_alone(ctx, adaptive.rerun):
        return [adaptive, *fixes]
    return fixes


def _less_stride_fix(first_strided: LayerRecord) -> Fix:
    """A smaller stride early on: shown, not applied (every later shape changes)."""
    return Fix(
        description=f"or halve less: a smaller stride in an early layer such as {ref(first_strided)} "
        "keeps the map larger (every later shape changes)",
        code="stride=1",
        safety=DISPLAY_ONLY,
        location=first_strided.location,
    )


def _too_small(ctx: Context):
    """(the row whose window does not fit, its window, its spatial rank, the indices of the
    spatial dims too small), or None. A real run fails at the first window that does not fit,
    even where a meta kernel returned an empty map instead of raising."""
    row = ctx.trace.failing
    if not too_small(row):
        row = next((r for r in ctx.trace.layers if too_small(r)), None)
    fit = _window_fit(row)
    if row is None or fit is None or not fit[2]:
        return None
    return (row, *fit)


def _minimums(ctx: Context, row: LayerRecord, nd: int, groups: list[tuple[int, ...]], why: list[str]):
    """The smallest input that fits, dims of one size moved together: from --symbolic when it
    ran (a `why` line says so), else by probes. (the new input dims, `H ≥ 32` texts)."""
    names = dim_names(nd + 1, batched=False)  # C, then L / H, W / T, H, W
    new_dims, mins = list(ctx.sample_dims), []
    for group in groups:
        smallest = _group_minimum(ctx, row, group, names, why)
        if smallest is None:
            continue
        for a in group:
            new_dims[a] = smallest
        mins.append(f"{' = '.join(names[a] for a in group)} ≥ {smallest}")
    return new_dims, mins


def _group_minimum(ctx: Context, row: LayerRecord, group: tuple[int, ...], names, why: list[str]) -> int | None:
    """The smallest size of the input dims `group` that fits: the symbolic trace's exact minimum
    (a `why` line says so), else by probes where a runner can trace again."""
    accepted = accepted_dims(ctx, group)
    if accepted is None:
        return _smallest(ctx, row, group) if ctx.runner is not None else None
    smallest = max(d.min for d in accepted)
    setter = next((d.min_by for d in accepted if d.min_by), None)
    why.append(
        f"the symbolic trace gives the exact minimum: {' = '.join(names[a] for a in group)} ≥ "
        f"{smallest}" + (f", set by {setter}" if setter else "")
    )
    return smallest


def _adaptive_fix(row: LayerRecord, nd: int) -> Fix | None:
    """The pool made adaptive, to a 1×…×1 map: its constructor line for a module, its call for
    `F.max_pool2d`-style ops."""
    one = "×".join(["1"] * nd) if nd > 1 else "length-1"
    mode = "max" if "max" in row.type.lower() else "avg"
    if row.kind == MODULE:
        site = row.defined_at
        source = site.source if site else ""
        after = re.sub(
            r"\b(Max|Avg)Pool([123])d\([^)]*\)", lambda m: f"Adaptive{m.group(1)}Pool{m.group(2)}d(1)", source
        )
        shown = f"nn.Adaptive{mode.capitalize()}Pool{nd}d(1)"
        description = f"pool adaptively: `{shown}` gives a {one} map at any input size"
        edit = Edit("replace", row.name, f"Adaptive{mode.capitalize()}Pool{nd}d", (("output_size", 1),))
    elif row.called_at is not None:
        site = row.called_at
        source = site.source
        after = re.sub(
            r"\b(max|avg)_pool([123])d\(([^,]+),[^)]*\)",
            lambda m: f"adaptive_{m.group(1)}_pool{m.group(2)}d({m.group(3)}, 1)",
            source,
        )
        shown = f"F.adaptive_{mode}_pool{nd}d(x, 1)"
        description = f"pool adaptively: `{shown}` gives a {one} map at any input size"
        edit = Edit("op_adaptive", op_site(row), params=(("output_size", 1), ("mode", mode)))
    else:
        return None
    changed = after != source
    return Fix(
        description=description,
        code=after if changed else shown,
        safety=SAFE,
        location=site,
        before=source if changed else None,
        after=after if changed else None,
        rerun=Rerun(edits=(edit,)),
    )
