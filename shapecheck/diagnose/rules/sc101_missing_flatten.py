"""SC101 missing-flatten.

What it does: finds an `nn.Linear` (or `F.linear`) that receives a conv or pooling feature map
`(N, C, H, W)` that was never flattened.

Why is this bad? `nn.Linear` multiplies only the last dim. A `[1, 512, 7, 7]` map is read as
3584 = 1·512·7 rows of 7 features, so PyTorch fails with `mat1 and mat2 shapes cannot be
multiplied (3584x7 and 25088x100)`. Worse, when the last dim happens to equal `in_features`,
the layer runs on the width dim alone and the spatial dims leak into the output.

Example:
    x = self.features(x)   # [N, 512, 7, 7]
    x = self.fc(x)         # nn.Linear(512 * 7 * 7, 100)

Use instead:
    x = self.features(x)
    x = torch.flatten(x, 1)   # [N, 25088]
    x = self.fc(x)

Fix safety: inserting `torch.flatten` is safe (no parameter changes); wrapping the layer in an
`nn.Sequential` with `nn.Flatten(1)` renames state-dict keys, so it is unsafe for checkpoints.
"""

from __future__ import annotations

from ..context import Context
from ..findings import ERROR, SAFE, UNSAFE, Finding, Fix
from ..numbers import call_argument, dot, matmul_message, module_call_argument, prod, shape
from ..registry import rule
from ..requests import Edit, Rerun
from .common import layer_name, producer_label, ref

_MAP_LAYERS = ("Conv", "BatchNorm", "InstanceNorm", "GroupNorm", "MaxPool", "AvgPool", "AdaptiveAvgPool")


def _mixes_an_axis(ctx: Context, linear) -> bool:
    """A Linear(W, W) over the last dim of a map whose output goes on as a map into a conv or norm
    (through joins and transposes): an axis mixed on purpose (sMLP, MLP-Mixer on maps), not a
    flatten left out."""
    if linear.attrs.get("in_features") != linear.attrs.get("out_features") or not linear.outputs:
        return False
    frontier, seen = {linear.index}, set()
    for _ in range(4):
        later = [r for r in ctx.trace.layers if r.index not in seen and _fed_by(r, frontier)]
        if any(_a_map_layer(r) for r in later):
            return True
        seen |= frontier
        frontier = {r.index for r in later if _passes_the_map_on(r)}
        if not frontier:
            return False
    return False


def _fed_by(row, rows: set[int]) -> bool:
    return any(t.source in rows for t in row.inputs)


def _passes_the_map_on(row) -> bool:
    """An op (a join, a transpose), a dropout or an identity: what it gets goes on as it is."""
    return row.kind != "module" or row.type.startswith(("Dropout", "Identity"))


def _a_map_layer(row) -> bool:
    """A conv, norm or pool module: a layer that takes a map."""
    return row.kind == "module" and row.type.startswith(_MAP_LAYERS)


@rule("SC101", ERROR)
def check(ctx: Context) -> list[Finding]:
    findings = []
    for b in ctx.boundaries:
        if not _left_unflattened(ctx, b):
            continue
        row = b.linear
        n_out = (row.attrs.get("out_features") if row.kind == "module" else None) or "out"
        message, why, notes = _reading(b, n_out)
        label = producer_label(ctx, b)
        findings.append(
            Finding(
                code="SC101",
                severity=ERROR,
                layer=layer_name(row),
                message=message,
                location=row.location,
                row=row.index,
                why=why,
                labels=[label] if label else [],
                notes=notes,
                fixes=_fixes(ctx, b, n_out),
            )
        )
    return findings


def _left_unflattened(ctx: Context, b) -> bool:
    """A map that reaches a Linear unflattened, where that is the suspect: the Linear fails, or a
    failure further on does after it ran on a feature map (a model that runs with the input's
    last dim as the layer's features is tokens on a grid, channels last). Not an axis mixed on
    purpose."""
    if b.flattened or (not b.linear.failed and _mixes_an_axis(ctx, b.linear)):
        return False
    return b.feature is not None or b.linear.failed or ctx.trace.error is not None


def _reading(b, n_out) -> tuple[str, list[str], list[str]]:
    """(message, why, notes): what the Linear makes of the map it gets, failing or running."""
    row, t, n_in = b.linear, b.tensor, b.in_features
    flat = prod(t.shape[1:])
    kind = "feature map" if b.feature is not None else "image-shaped input"
    why, notes = [], []
    if row.failed:
        message = f"{ref(row)} receives a {t.rank}-D {kind} {shape(t.shape)} that was never flattened"
        why.append(
            f"nn.Linear multiplies only the last dim: {shape(t.shape)} is read as "
            f"{prod(t.shape[:-1])} = {dot(t.shape[:-1])} rows of {t.shape[-1]} features"
        )
        why.append(f"the last dim {t.shape[-1]} ≠ in_features {n_in}")
        if isinstance(n_out, int):
            notes.append(f"PyTorch reports: {matmul_message(t.shape, n_in, n_out)}")
    else:
        out = row.outputs[0].shape if row.outputs else None
        message = (
            f"{ref(row)} is applied to the last dim of the {t.rank}-D {kind} "
            f"{shape(t.shape)} instead of its flattened features"
        )
        why.append(
            f"the last dim {t.shape[-1]} happens to equal in_features {n_in}, so it runs "
            f"and returns {shape(out) if out else '?'}: the spatial dims leak into the output"
        )
    if flat == n_in:
        why.append(
            f"after flattening, {ref(row)} receives {dot(t.shape[1:])} = {flat} features, which matches in_features"
        )
    else:
        why.append(
            f"after flattening, {ref(row)} receives {dot(t.shape[1:])} = {flat} features but "
            f"in_features is {n_in}: in_features must change too (SC102)"
        )
    return message, why, notes


def _fixes(ctx: Context, b, n_out) -> list[Fix]:
    """The flatten before the call's line, and in the nn.Sequential (or around the layer)."""
    row, t, n_in = b.linear, b.tensor, b.in_features
    flat = prod(t.shape[1:])
    flatten_first, resize = _flatten_first(row, flat, n_in, n_out) if row.kind == "module" else (None, "")
    fixes = [_call_site_fix(row, resize, flatten_first)] if row.called_at is not None else []
    if row.kind == "module":
        fixes.extend(_module_fixes(ctx, row, n_in, n_out, resize, flatten_first))
    return fixes


def _flatten_first(row, flat: int, n_in, n_out) -> tuple[Rerun, str]:
    """The re-run that puts a Flatten before the Linear module, resizing it when flattening alone
    leaves an in_features mismatch (both, in that order); and how that resize is said."""
    edits: tuple[Edit, ...] = (Edit("insert_before", row.name, "Flatten", (("start_dim", 1),)),)
    if flat == n_in or not isinstance(n_out, int):
        return Rerun(edits=edits), ""
    edits = (Edit("replace", row.name, "Linear", (("in_features", flat), ("out_features", n_out))), *edits)
    return Rerun(edits=edits), f", and set in_features={flat} on {ref(row)}"


def _call_site_fix(row, resize: str, flatten_first: Rerun | None) -> Fix:
    """The flatten written at the line that calls the layer: around the argument when it is a
    call (`fc(features(x))`), else on a line before it."""
    source = row.called_at.source
    given = module_call_argument(source, row.name) if row.kind == "module" else None
    safety = UNSAFE if resize else SAFE
    if given and not given.isidentifier() and source.count(given) == 1:
        # `fc(features(x))`: the argument is a call, not a name to flatten on a line before
        after = source.replace(given, f"torch.flatten({given}, 1)")
        return Fix(
            description=f"flatten what line {row.called_at.line} passes, all but the batch dim{resize}",
            code=after,
            safety=safety,
            location=row.called_at,
            before=source,
            after=after,
            rerun=flatten_first,
        )
    var = call_argument(source)
    return Fix(
        description=f"flatten everything but the batch dim before line {row.called_at.line}{resize}",
        code=f"{var} = torch.flatten({var}, 1)\n{source}",
        safety=safety,
        location=row.called_at,
        rerun=flatten_first,
    )


def _module_fixes(ctx: Context, row, n_in, n_out, resize: str, flatten_first) -> list[Fix]:
    parent = ctx.trace.row(row.parent)
    if parent is not None and parent.type == "Sequential":
        return [_sequential_fix(row, parent, resize, flatten_first)]
    if row.called_at is None and row.defined_at is not None:
        return _wrap_fix(row, n_in, n_out, resize, flatten_first)
    return []


def _sequential_fix(row, parent, resize: str, flatten_first) -> Fix:
    """`nn.Flatten(1)` inserted before the layer in its nn.Sequential."""
    own = row.defined_at is not None and row.defined_at.source.strip().startswith("nn.")
    in_line = own and parent.defined_at is not None and row.defined_at != parent.defined_at
    return Fix(
        description=f"insert `nn.Flatten(1)` before {ref(row)} in the nn.Sequential `{parent.name}`"
        f" (shifts the indices of later layers in the state dict){resize}",
        # on its own line before the layer's, where the layer is written in the call
        code=f"nn.Flatten(1),\n{row.defined_at.source}" if in_line else "nn.Flatten(1),",
        safety=UNSAFE,
        location=row.defined_at if in_line else parent.defined_at,
        rerun=flatten_first,
    )


def _wrap_fix(row, n_in, n_out, resize: str, flatten_first) -> list[Fix]:
    """The layer's construction line wrapped as `nn.Sequential(nn.Flatten(1), …)`; none when the
    line is not where the layer is built (a call of it): nothing to wrap there."""
    built = _wrapped_in_line(row.defined_at.source, row.type)
    if built is None and f"{row.type}(" not in row.defined_at.source:
        return []
    return [
        Fix(
            description=f"put `nn.Flatten(1)` in front of {ref(row)}",
            code=built or f"nn.Sequential(nn.Flatten(1), {row.type}({n_in}, {n_out}))",
            before=row.defined_at.source if built else None,
            after=built,
            safety=UNSAFE,
            location=row.defined_at,
            rerun=flatten_first,
        )
    ]


def _wrapped_in_line(source: str, layer: str) -> str | None:
    """The line that builds the layer with its one call wrapped: `head = nn.Linear(2048, 10)` →
    `head = nn.Sequential(nn.Flatten(1), nn.Linear(2048, 10))`; None when the line holds no
    single call of it."""
    import ast

    text = source.strip()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and layer in (getattr(n.func, "attr", None), getattr(n.func, "id", None))
    ]
    if len(calls) != 1 or calls[0].lineno != calls[0].end_lineno or calls[0].end_col_offset is None:
        return None
    raw = text.encode()  # the offsets count bytes
    start, end = calls[0].col_offset, calls[0].end_col_offset
    call = raw[start:end].decode()
    return f"{raw[:start].decode()}nn.Sequential(nn.Flatten(1), {call}){raw[end:].decode()}"
