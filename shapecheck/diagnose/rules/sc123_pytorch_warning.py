"""SC123 pytorch-warning.

What it does: reports each UserWarning that PyTorch (or a library the model calls) raised
while the model ran, at the model-code line that led to it, in PyTorch's own words.
Deprecation and future warnings are left out: they are about the library, not the model; so
are PyTorch's notices of that kind that come as UserWarnings (mixing a float and a boolean mask
is deprecated, an API or its arguments deprecated by name: `F.upsample`, `torch.range`,
`size_average`; meshgrid's indexing argument, grid_sample's `align_corners` default, nested
tensors in prototype stage, a zero-padded copy for `padding='same'`): the model is right.

Why is this bad? Many silent shape bugs are only ever told by a warning that scrolls past:
`Using a target size (torch.Size([4])) that is different to the input size (torch.Size([4,
1]))` from `F.mse_loss` (the loss then broadcasts to [4, 4]), `Implicit dimension choice for
softmax`, `The default behavior for interpolate/upsample with float scale_factor changed`.

Example:
    return F.mse_loss(out, target)       # out [B, 1], target [B]

Use instead:
    return F.mse_loss(out.squeeze(1), target)

Fix safety: no fix is offered: the warning says what to change.
"""

from __future__ import annotations

import re

from ..context import Context
from ..findings import WARNING, Finding
from ..registry import rule
from .common import ref

# PyTorch's notices about itself, raised as UserWarnings: a deprecation, a future change, a
# prototype API, a slower path. The model that triggers them computes what it means (the
# float causal mask of `nn.Transformer.generate_square_subsequent_mask` next to a boolean
# padding mask is converted and applied right), so they are no finding. Matched from the start
# of the message, so a shape warning that merely says "deprecated" (`Implicit dimension choice
# for softmax has been deprecated`) is still reported.
_LIBRARY_NOTICES = re.compile(
    "|".join(
        (
            r"Support for mismatched (src_)?key_padding_mask and (attn_)?mask is deprecated",
            r"The PyTorch API of nested tensors is in prototype stage",
            r"enable_nested_tensor is True, but self\.use_nested_tensor is False",
            r"torch\.meshgrid: in an upcoming release, it will be required to pass the indexing argument",
            r"Converting mask without torch\.bool dtype to bool",
            r"`nn\.functional\.upsample(_nearest|_bilinear)?` is deprecated",
            r"`?nn\.init\.\w+`? is now deprecated in favor of",
            r"Using padding='same' with even kernel lengths and odd dilation may require a zero-padded copy",
            r"To copy construct from a tensor, it is recommended to use sourceTensor",
            r"TypedStorage is deprecated",
            r"Named tensors and all their associated APIs are an experimental feature",
            r"Lazy modules are a new feature under heavy development",
            # An API named as deprecated, by its own name (`torch.range is deprecated and will be
            # removed`, `nn.functional.sigmoid is deprecated`); or its arguments (`size_average
            # and reduce args will be deprecated`): the call still computes what it did.
            r"`?[\w.]+`? (is|are) (now )?deprecated\b",
            r"\w+( and \w+)* args will be deprecated",
            # A default that moved where samples are taken, not how many (grid_sample and
            # affine_grid without `align_corners`): no size changes.
            r"Default [\w ]+ behavior has changed to align_corners=",
            # Settings of PyTorch's own machinery, not of the model's sizes: activation
            # checkpointing's flag, and its note that no input needs a gradient (the check traces
            # without gradients); sparse tensors' optional invariant checks; a byte mask used as
            # an index (it selects the same elements as the boolean one); an STFT's default
            # rectangular window (a choice of spectrum, every size the same).
            r"torch\.utils\.checkpoint: the use_reentrant parameter should be passed explicitly",
            r"None of the inputs have requires_grad=True",
            r"Sparse invariant checks are implicitly disabled",
            r"indexing with dtype torch\.uint8 is now deprecated",
            r"A window was not provided",
        )
    )
)


@rule("SC123", WARNING)
def check(ctx: Context) -> list[Finding]:
    findings = []
    seen = set()
    for warning in ctx.trace.warnings:
        if warning.message in seen or _LIBRARY_NOTICES.match(warning.message):
            continue
        seen.add(warning.message)
        row = ctx.trace.row(warning.row)
        if _batched_maps(ctx, row, warning.message):
            continue
        where = f" while {ref(row)} ran" if row is not None else ""
        findings.append(
            Finding(
                code="SC123",
                severity=WARNING,
                layer=row.name if row is not None else "",
                message=f"a {warning.category} was raised{where}: {_first_sentence(warning.message)}",
                location=warning.location or (row.location if row is not None else None),
                row=row.index if row is not None else None,
                why=[f"{warning.category}: {warning.message}"],
                notes=["the model runs; the warning is PyTorch's own, raised by the same code on real tensors"],
            )
        )
    return findings


def _batched_maps(ctx: Context, row, message: str) -> bool:
    """`dropout2d: Received a 3D input …` (or dropout3d's 4-D) where dim 0 of that input is the
    batch: PyTorch assumes (N, C, L), the batched maps they are, and drops whole channels of each
    sample, as meant. An input without the batch in dim 0 (one image [C, H, W]) keeps the
    warning: then each channel is read as a sample."""
    if not re.match(r"dropout[23]d: Received a [34]D input", message) or row is None or not row.inputs:
        return False
    batch = ctx.trace.batch
    return isinstance(batch, int) and row.inputs[0].rank >= 3 and row.inputs[0].shape[0] == batch


def _first_sentence(text: str) -> str:
    first = text.split(". ")[0].rstrip(".")
    return first[:1].lower() + first[1:] if first[:1].isupper() and not first[1:2].isupper() else first
