"""SC113 invalid-view.

What it does: finds a `view`/`reshape` whose requested shape does not fit the tensor's number
of values, decodes the hard-coded size (400 = 16·5·5, what the model gets at 32×32) against
the size at this input (16·2·2 = 64), and says which input size makes the constant right.

Why is this bad? `shape '[-1, 400]' is invalid for input of size 64`: a flatten written with
a constant only works at the input size it was written for.

Example:
    x = x.view(-1, 16 * 5 * 5)

Use instead:
    x = torch.flatten(x, 1)       # and in_features from the actual map, or
    x = torch.flatten(self.pool(x), 1)   # self.pool = nn.AdaptiveAvgPool2d((5, 5))

Fix safety: adaptive pooling is safe; changing in_features is unsafe (checkpoints).
"""

from __future__ import annotations

from ..context import Context, op_site
from ..findings import ERROR, SAFE, UNSAFE, Finding, Fix
from ..layers import view_shape
from ..numbers import call_argument, dot, per_sample_range, pool_size, prod, shape
from ..registry import rule
from ..requests import Edit, Rerun
from .common import flatten_in_place, prepool_view_fix, producer_size_fix, ref, spatial_map
from .sizes import sizes_finding

_VIEWS = ("Tensor.view", "Tensor.reshape", "torch.reshape")


@rule("SC113", ERROR)
def check(ctx: Context) -> list[Finding]:
    row = ctx.trace.failing
    if row is not None and row.type not in _VIEWS:
        sized = sizes_finding(ctx, row)  # unflatten, split, expand: sizes written into the call
        return [sized] if sized is not None else []
    if row is None or row.kind != "op" or row.type not in _VIEWS or not row.inputs:
        return []
    asked = view_shape(row)
    if asked is None or _fits(asked, prod(row.inputs[0].shape)):
        return []
    return [_finding(ctx, row, asked)]


def _fits(asked: list[int], total: int) -> bool:
    """The view's sizes hold `total` values: exactly, or a multiple of the known sizes with a -1."""
    known = prod(d for d in asked if d != -1)
    return (total % known == 0) if -1 in asked and known else known == total


def _finding(ctx: Context, row, asked: list[int]) -> Finding:
    """The rows the view asks for against the values one sample has, and the fixes: the producer
    split for heads, then for a map a pool to the constant's size and a flatten."""
    t = row.inputs[0]
    total = prod(t.shape)
    known = prod(d for d in asked if d != -1)
    per = prod(t.shape[1:]) if t.rank >= 2 else total
    const = known if -1 in asked else prod(asked[1:]) if len(asked) > 1 else known
    why = [f"{ref(row)} asks for {shape(asked)}: rows of {const} values"]
    if t.rank >= 2:
        why.append(
            f"at input {'×'.join(map(str, ctx.sample_dims))} one sample has {dot(t.shape[1:])} = {per} "
            f"values, and {total} is not a multiple of {known}"
        )
    fixes = []
    split = _producer_split_fix(ctx, t, asked)
    if split is not None:
        fixes.append(split)
    if t.rank >= 3:
        map_why, map_fixes = _map_reading(ctx, row, asked, const, per)
        why += map_why
        fixes += map_fixes
    return Finding(
        code="SC113",
        severity=ERROR,
        layer=row.name,
        message=f"{ref(row)} asks for shape {shape(asked)}, which does not fit {shape(t.shape)} ({total} values)",
        location=row.location,
        row=row.index,
        why=why,
        notes=[f"PyTorch reports: shape '{shape(asked)}' is invalid for input of size {total}"],
        fixes=fixes,
    )


def _map_reading(ctx: Context, row, asked: list[int], const: int, per: int) -> tuple[list[str], list[Fix]]:
    """A [N, C, …] map viewed into rows of `const`: the map size the constant was written for
    and the inputs it fits (why), a pool to that size when it is no larger, a flatten (fixes)."""
    t = row.inputs[0]
    why: list[str] = []
    fixes: list[Fix] = []
    size = pool_size(t.shape[1], const, t.shape[2:])
    if size is not None:
        why.append(
            f"{const} = {t.shape[1]}·{dot(size)}: the constant fits a {'×'.join(map(str, size))} map, "
            f"the input now gives {'×'.join(map(str, t.shape[2:]))}"
        )
    fits = per_sample_range(ctx, row, const, square_only=True)
    if fits:
        why.append(f"the constant is right for inputs with {fits}")
    var = call_argument(row.called_at.source) if row.called_at else "x"
    # Only a map with spatial dims is pooled: features or tokens pooled to fewer change meaning.
    if size is not None and row.called_at is not None and spatial_map(ctx, row):
        if all(want <= have for want, have in zip(size, t.shape[2:], strict=False)):
            pooled = prepool_view_fix(row, size, const)
            fixes.extend([pooled] if pooled is not None else [])
        else:  # pooling up to a larger map invents values: the input size is the fix
            why.append(
                f"pooling to {'×'.join(map(str, size))} would enlarge the {'×'.join(map(str, t.shape[2:]))} "
                "map, so it is not offered"
            )
    if row.called_at is not None and len(asked) <= 2:  # a flattening view, not a split into heads
        fixes.append(_flatten_fix(ctx, row, var, per))
    return why, fixes


def _flatten_fix(ctx: Context, row, var: str, per: int) -> Fix:
    """torch.flatten(x, 1), plus in_features of the Linear that then fails, found by re-running."""
    flatten = Edit("op_flatten", op_site(row))
    edits: tuple[Edit, ...] = (flatten,)
    extra = ""
    try:
        after = ctx.rerun(Rerun(edits=edits))
        failing = after.failing
        if failing is not None and failing.type == "Linear" and failing.attrs.get("out_features"):
            edits = (
                Edit(
                    "replace",
                    failing.name,
                    "Linear",
                    (("in_features", per), ("out_features", failing.attrs["out_features"])),
                ),
                flatten,
            )
            extra = f", and set in_features={per} on `{failing.name}` (this input size only)"
    except (LookupError, TimeoutError):
        pass
    source = row.called_at.source if row.called_at else ""
    line = flatten_in_place(source, row.type.rpartition(".")[2])
    return Fix(
        description=f"flatten everything but the batch dim{extra}",
        code=line or f"{var} = torch.flatten({var}, 1)",
        safety=UNSAFE if extra else SAFE,
        location=row.called_at,
        before=source if line else None,
        after=line,
        rerun=Rerun(edits=edits),
    )


def _producer_split_fix(ctx: Context, t, asked: list[int]):
    """A view that keeps the leading dims and splits the last one (`[B, L, E]` → `[B, L, H, D]`)
    into sizes that do not multiply to it, right after the Linear or Embedding that made E: the
    layer is built for other heads (`feature_dim * num_heads` where the split is by the key/value
    heads), so its size is what changes, to the split's H·D."""
    lead = list(t.shape[:-1])
    if t.rank < 2 or len(asked) <= len(lead) + 1:
        return None
    head, rest = asked[: len(lead)], asked[len(lead) :]
    if -1 in rest or any(a not in (-1, d) for a, d in zip(head, lead, strict=True)) or head.count(-1) > 1:
        return None
    want = prod(rest)
    if want == t.shape[-1]:
        return None
    return producer_size_fix(
        ctx.trace.row(t.source),
        t.shape[-1],
        want,
        f"make the layer before the view produce {want} = {dot(rest)} features, the split it is viewed as: "
        "set its {attr}",
    )
