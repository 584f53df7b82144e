"""SC132 unused-layer.

What it does: finds a layer your code put inside a library's model (a torchvision, timm or
Hugging Face model) under an attribute that the library's code never uses: `model.fc = ...` on
a MobileNet, VGG or DenseNet, whose forward ends in `classifier`; `model.classifier = ...` on a
ResNet, whose forward ends in `fc`; `model.head = ...` where the head is called `fc`. The layer
is held (its parameters are counted and trained) but a complete forward pass never calls it,
and the library's own classes never name it, so no setting of the model would. The finding
names the library's last layer with parameters, the one that does make the output.

Why is this bad? Nothing fails. The model still returns the library's own output (1000
ImageNet scores, not your 10 classes), and a loss over 10 classes fails later, far from the
cause, or, worse, trains on the first 10 of the 1000 scores.

Example:
    self.backbone = models.mobilenet_v2(weights="DEFAULT")
    self.backbone.fc = nn.Linear(1280, 10)

Use instead:
    self.backbone.classifier[1] = nn.Linear(1280, 10)

Fix safety: unsafe: the library's last layer is replaced, so its pretrained weights are not
used (which is what a new head means). Written on your line, the attribute replaced by the
path of the layer that makes the output, and verified by building the model again with it.
A layer of your own model that forward does not use is not flagged (a spare head, a layer for
another setting), nor a layer the library names somewhere (an auxiliary head that runs only in
training).
"""

from __future__ import annotations

import re

from ...trace.records import MODULE, LayerRecord, UncalledModule
from ..context import Context
from ..findings import UNSAFE, WARNING, Finding, Fix, line_fix
from ..numbers import shape
from ..registry import rule


@rule("SC132", WARNING)
def check(ctx: Context) -> list[Finding]:
    trace = ctx.trace
    if trace.error is not None:
        return []
    findings = []
    for layer in trace.uncalled:
        head = _last_layer(trace.layers, layer.owner)
        if head is not None:
            findings.append(_finding(ctx, layer, head))
    return findings


def _last_layer(rows: list[LayerRecord], owner: str) -> LayerRecord | None:
    """The last module with parameters that ran inside `owner`: the layer that makes its output."""
    prefix = f"{owner}." if owner else ""
    inside = [r for r in rows if r.kind == MODULE and r.name.startswith(prefix) and r.params > 0 and r.outputs]
    leaves = [r for r in inside if not any(o.parent == r.index for o in rows)]
    return leaves[-1] if leaves else None


def _finding(ctx: Context, layer: UncalledModule, head: LayerRecord) -> Finding:
    attribute = layer.name.rpartition(".")[2]
    relative = head.name[len(layer.owner) + 1 :] if layer.owner else head.name
    out = head.outputs[0].shape
    why = [
        f"`{layer.owner_type}`'s code never names `{attribute}`: its forward cannot call it, and a whole pass did not",
        f"its output comes from `{relative}` ({_sizes(head.type, head.attrs)}): the model returns {shape(out)}",
    ]
    fix = _fix(layer, attribute, relative, head)
    if fix is None:
        return ctx.finding(layer.name, _message(layer, attribute), location=layer.location, why=why)
    return ctx.finding(layer.name, _message(layer, attribute), location=layer.location, why=why, fixes=[fix])


def _message(layer: UncalledModule, attribute: str) -> str:
    return (
        f"`{layer.name}` ({_sizes(layer.type, layer.attrs)}) is never called: `{layer.owner_type}` has no "
        f"`{attribute}` in its forward"
    )


def _sizes(kind: str, attrs: dict) -> str:
    if "in_features" in attrs and "out_features" in attrs:
        return f"{kind} {attrs['in_features']} → {attrs['out_features']}"
    if "in_channels" in attrs and "out_channels" in attrs:
        return f"{kind} {attrs['in_channels']} → {attrs['out_channels']}"
    return kind


def _fix(layer: UncalledModule, attribute: str, relative: str, head: LayerRecord) -> Fix | None:
    """The user's assignment with the attribute replaced by the head's path (`.fc` →
    `.classifier[1]`); None when the line does not assign `.<attribute>` once."""
    where = layer.location
    if where is None or not where.source:
        return None
    found = list(re.finditer(rf"\.{re.escape(attribute)}(?=\s*=(?!=))", where.source))
    if len(found) != 1:
        return None
    path = "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in relative.split("."))
    after = where.source[: found[0].start()] + path + where.source[found[0].end() :]
    sized = layer.attrs.get("in_features")
    fits = sized is None or sized == head.attrs.get("in_features")
    description = f"put it where the output is made: replace `{relative}` ({_sizes(head.type, head.attrs)})"
    if not fits:
        description += f"; it takes {head.attrs.get('in_features')} features, the new layer {sized}"
    return line_fix(description, where, where.source, after, path, safety=UNSAFE)
