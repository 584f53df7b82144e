"""SC103 size-locked-head.

What it does: finds a Linear head whose `in_features` depends on the input's spatial size:
a conv feature map is flattened with no adaptive or global pooling in between. The model runs
at the traced input size, and fails at most others.

Why is this bad? The first user with a different image size meets SC102. A classifier fed
224×224 images flattens a 7×7 map; at 256×256 the map is 8×8 and the head no longer fits.

Example:
    x = x.view(x.size(0), -1)   # 512·7·7 only at 224 to 255 px
    x = self.fc(x)

Use instead:
    x = self.pool(x)            # nn.AdaptiveAvgPool2d((7, 7))
    x = x.view(x.size(0), -1)   # 512·7·7 at any size

Fix safety: safe: the pool has no parameters, and at the traced size the shapes are unchanged.
"""

from __future__ import annotations

from ..boundaries import is_linear
from ..context import Context
from ..findings import WARNING, Finding
from ..numbers import dot, shape, size_text
from ..provenance import provenance
from ..registry import rule
from .common import adaptive_pool_fix, fits_range, layer_name, producer_label, ref


def _fits_every_doubled_size(ctx: Context, linear) -> bool:
    """With each input dim doubled in turn (dim provenance), the Linear runs on the same shape as here
    (as many rows and features), and at least one doubled dim reaches it: the map's size is fixed before
    the flatten, whatever pools it (a CBAM gate's `F.avg_pool2d(x, (x.size(2), x.size(3)))`).
    A doubled dim that fails before the Linear says nothing; one that fails at it, or changes
    its width, shows the head is size-locked."""
    prov = provenance(ctx)
    if prov is None:
        return False
    reached = False
    for _, twin in prov.sample_twins(linear):
        if twin.failed or not twin.inputs or tuple(twin.inputs[0].shape) != tuple(linear.inputs[0].shape):
            return False
        reached = True
    return reached


def _also_on_a_map_the_model_makes(ctx: Context, linear) -> bool:
    """The Linear module (at this call or another) is called on a map the model makes from
    vectors: walking back from that call, the map's spatial dims were made by reshaping a
    Linear's output (`G(z)`: `fc(z).view(-1, C, H, W)`), and the model input it starts from has
    no spatial dims (a GAN's critic scoring the generator's images as well as the real ones).
    The generator fixes that map's size, so the real inputs must have it too: the head's size is
    the model's design, not a lock on the input. A waveform [B, L] into a conv is no such map:
    its length is the input's."""
    trace = ctx.trace
    if trace.batch is None:
        return False
    for other in trace.layers:
        if (other.name, other.kind) != (linear.name, linear.kind) or other.failed:
            continue
        start, made = None, False
        for row in trace.upstream(other):
            if row.inputs and trace.is_model_input(row.inputs[0]):
                start = row.inputs[0]
            if _map_from_features(trace, row):
                made = True
        if made and start is not None and start.rank <= 2:
            return True
    return False


_RESHAPES = ("Tensor.view", "Tensor.reshape", "torch.reshape", "Unflatten", "Tensor.unflatten")


def _map_from_features(trace, row) -> bool:
    """`fc(z).view(-1, C, H, W)`: a reshape of a Linear's [B, F] output into a map."""
    if row.type not in _RESHAPES or not row.inputs or not row.outputs:
        return False
    if row.inputs[0].rank != 2 or row.outputs[0].rank < 3:
        return False
    source = trace.row(row.inputs[0].source)
    return source is not None and is_linear(source)


@rule("SC103", WARNING)
def check(ctx: Context) -> list[Finding]:
    findings = []
    for b in ctx.boundaries:
        if not b.flattened or b.adaptive or b.linear.failed:
            continue
        if b.tensor.shape[-1] != b.in_features:
            continue
        if _fits_every_doubled_size(ctx, b.linear):
            continue  # a pool sized by the map itself (`avg_pool2d(x, x.shape[2:])`): global
        if _also_on_a_map_the_model_makes(ctx, b.linear):
            continue  # a GAN's critic on real and generated images: the generator sets the size
        name = layer_name(b.linear)
        fmap = b.feature_shape
        why = [
            f"at input {size_text(ctx.sample_dims)} the map {shape(fmap)} flattens to "
            f"{dot(fmap[1:])} = {b.in_features} = in_features",
            "no adaptive or global pooling fixes the map's size, so another input size changes it",
        ]
        fits = fits_range(ctx, b, b.in_features)
        if fits:
            why.append(f"{ref(b.linear)} accepts only inputs with {fits}")
        else:
            why.append("other input sizes were not probed (no meta engine or probe budget spent)")
        label = producer_label(ctx, b)
        fix = adaptive_pool_fix(b, b.in_features, "at any input size; at this size nothing changes")
        findings.append(
            Finding(
                code="SC103",
                severity=WARNING,
                layer=name,
                message=f"{ref(b.linear)} only fits inputs whose feature map flattens to exactly "
                f"{b.in_features} features",
                location=b.linear.location,
                row=b.linear.index,
                why=why,
                labels=[label] if label else [],
                fixes=[fix] if fix else [],
            )
        )
    return findings
