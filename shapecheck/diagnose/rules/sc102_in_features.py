"""SC102 in-features-mismatch.

What it does: finds an `nn.Linear` whose `in_features` differs from the size of the last dim
that reaches it: after a flatten, or a 2-D input.

Why is this bad? The forward pass fails with `mat1 and mat2 shapes cannot be multiplied`. After
a conv stack it usually means the input size changed since the head was sized: a VGG16 head of
512·7·7 = 25088 features gets 512·9·9 = 41472 at 300×300.

Example:
    self.fc = nn.Linear(512 * 7 * 7, 100)
    ...
    x = torch.flatten(self.features(x), 1)   # 41472 features at 300×300

Use instead:
    self.pool = nn.AdaptiveAvgPool2d((7, 7))  # 512·7·7 = 25088 at any input size
    x = torch.flatten(self.pool(self.features(x)), 1)

Fix safety: adding adaptive pooling is safe (no parameters change); changing `in_features`
is unsafe: existing checkpoints no longer load, and it ties the model to one input size.
"""

from __future__ import annotations

from ...trace.records import MODULE
from ..boundaries import in_features, is_linear, out_features
from ..context import Context
from ..findings import ERROR, Finding
from ..numbers import dot, matmul_message, pool_size, shape, size_text
from ..registry import rule
from ..requests import Edit, Rerun
from .common import adaptive_pool_fix, first_argument_fix, fits_range, from_unbatched, layer_name, producer_label, ref


@rule("SC102", ERROR)
def check(ctx: Context) -> list[Finding]:
    findings = []
    by_row = {b.linear.index: b for b in ctx.boundaries}
    for row in ctx.trace.layers:
        if not (row.failed and is_linear(row) and row.inputs):
            continue
        b = by_row.get(row.index)
        if b is not None and not b.flattened:
            continue  # SC101 explains it
        if from_unbatched(ctx, row) is not None:
            continue  # SC105: the batch dim is missing, in_features is not the problem
        n_in = in_features(row)
        n_out = out_features(row)
        t = row.inputs[0]
        if n_in is None or t.shape[-1] == n_in:
            continue
        got = t.shape[-1]
        name = layer_name(row)
        why, labels, fixes, notes = [], [], [], []
        if b is not None:
            fmap = b.feature_shape
            verb = (
                "averages" if b.flatten is not None and b.flatten.type in ("torch.mean", "Tensor.mean") else "flattens"
            )
            flat_ref = ref(b.flatten) if b.flatten is not None else "the flatten"
            why.append(f"{flat_ref} {verb} {shape(fmap)} into {dot(fmap[1:])} = {got} features per sample")
            sized = pool_size(fmap[1], n_in, fmap[2:])
            if sized is not None and not b.adaptive:
                why.append(
                    f"in_features {n_in} = {fmap[1]}·{dot(sized)}: the layer was sized for a "
                    f"{size_text(sized)} map, the input now gives {size_text(fmap[2:])}"
                )
            fits = fits_range(ctx, b, n_in)
            if fits:
                why.append(f"in_features {n_in} fits inputs with {fits}")
            label = producer_label(ctx, b)
            if label:
                labels.append(label)
            # Pooling to a larger map than the input gives (7×7 up to 8×8) only repeats values:
            # then the layer's size is what changes.
            upsamples = sized is not None and any(w > h for w, h in zip(sized, fmap[2:], strict=False))
            if not b.adaptive and not upsamples:
                fix = adaptive_pool_fix(b, n_in, "at any input size, and the layer keeps its weights")
                if fix:
                    fixes.append(fix)
        else:
            src = ctx.trace.row(t.source)
            where = f" from {ref(src)}" if src is not None else ""
            why.append(f"it receives {shape(t.shape)}{where}: the last dim {got} ≠ in_features {n_in}")
        if n_out is not None:
            notes.append(f"PyTorch reports: {matmul_message(t.shape, n_in, n_out)}")
        if row.kind == MODULE and row.defined_at is not None:
            tie = ""
            if b is not None and not b.adaptive:
                tie = f"; this ties the model to inputs of {size_text(ctx.sample_dims)}"
            rerun = (
                Rerun(edits=(Edit("replace", row.name, "Linear", (("in_features", got), ("out_features", n_out))),))
                if n_out
                else None
            )
            fixes.append(
                first_argument_fix(
                    row,
                    got,
                    f"set in_features={got} on {ref(row)}{tie}",
                    f"{row.type}({got}, {n_out})",
                    rerun,
                    factors=tuple(b.feature_shape[1:]) if b is not None else None,
                )
            )
        findings.append(
            Finding(
                code="SC102",
                severity=ERROR,
                layer=name,
                message=f"{ref(row)} expects {n_in} input features but receives {got}",
                location=row.location,
                row=row.index,
                why=why,
                labels=labels,
                notes=notes,
                fixes=fixes,
            )
        )
    return findings
