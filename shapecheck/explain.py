"""Decode a pasted PyTorch error message without a model: `shapecheck explain "<message>"`.

No torch here: this must answer in a blink. Each family of message has a pattern, a reading of
its numbers, the likely causes (worked out from the numbers where they allow it) and fixes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Explanation:
    code: str  # the rule that finds this in a model
    title: str
    raised_by: str
    numbers: list[tuple[str, str]] = field(default_factory=list)  # (number, what it is)
    causes: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)

    def text(self) -> str:
        from .diagnose.registry import CODES

        name = CODES[self.code].name if self.code in CODES else ""
        lines = [f"{self.code} {name}: {self.title}", f"raised by: {self.raised_by}"]
        if self.numbers:
            width = max(len(n) for n, _ in self.numbers)
            lines.append("the numbers:")
            lines += [f"  {n:>{width}}  {what}" for n, what in self.numbers]
        if self.causes:
            lines.append("likely causes:")
            lines += [f"  - {c}" for c in self.causes]
        if self.fixes:
            lines.append("fixes:")
            lines += [f"  - {f}" for f in self.fixes]
        lines.append(f"run `shapecheck MODEL --input SPEC` to find the layer; `shapecheck rule {self.code}` "
                     "explains the rule")
        return "\n".join(lines)


def _ints(text: str) -> list[int]:
    return [int(v) for v in re.findall(r"-?\d+", text)]


def _square_split(total: int, channels_hint: list[int]) -> tuple[int, int] | None:
    """total = channels·side² for a likely channel count: 25088 → (512, 7)."""
    for c in channels_hint:
        if c > 0 and total % c == 0:
            side = math.isqrt(total // c)
            if side * side == total // c:
                return c, side
    return None


_CHANNELS = [2048, 1024, 512, 256, 128, 64, 32, 16, 8, 6, 4, 3, 1280, 960, 768, 576, 384, 192, 96]


def _matmul(a: int, b: int, c: int, d: int) -> Explanation:
    e = Explanation(
        "SC102", f"a Linear layer got {b} features per row but has in_features={c}",
        "nn.Linear / F.linear (also torch.mm, @): input [..., features] @ weight.T",
        [(str(a), "rows: every dim of the input except the last, multiplied together"),
         (str(b), "the input's last dim: the features each row offers"),
         (str(c), "in_features: what the layer expects (its weight is [out_features, in_features])"),
         (str(d), "out_features")],
    )
    # SC101: a conv map [N, C, H, W] reached the layer unflattened; in_features = C·H·W.
    if b <= 64 and c % (b * b) == 0 and a % (c // (b * b)) == 0:
        ch = c // (b * b)
        n_h = a // ch
        n = n_h // b if n_h % b == 0 else None
        e.code = "SC101"
        e.title = "a conv feature map reached a Linear without being flattened"
        shape = f"[{n if n else 'N'}, {ch}, {b}, {b}]"
        e.causes.append(f"a {shape} feature map went into the Linear unflattened: Linear multiplies only the "
                        f"last dim, so it saw {a} = {n or 'N'}·{ch}·{b} rows of {b} features; flattened, one "
                        f"sample has {ch}·{b}·{b} = {c} = in_features")
        e.fixes.append("flatten before the layer: `x = torch.flatten(x, 1)` in forward, or `nn.Flatten(1)` "
                       "in front of it in the nn.Sequential")
        return e
    # SC105: the channels of an unbatched image became the rows.
    if a * b == c:
        e.code = "SC105"
        e.title = "an unbatched input: the channels took the place of the batch"
        e.causes.append(f"one image without a batch dim ([{a}, H, W]) went through the convs and was flattened "
                        f"from dim 1: {a} channels became {a} rows of {b}; with the batch dim it would be "
                        f"1 row of {a}·{b} = {c}")
        e.fixes.append("add the batch dim before the model: `x = x.unsqueeze(0)`")
        return e
    got = _square_split(b, _CHANNELS)
    want = _square_split(c, [got[0]] if got else _CHANNELS)
    if got and want and got[0] == want[0] and got[1] != want[1]:
        ch, h = got
        w = want[1]
        e.causes.append(f"a flattened feature map of {ch}·{h}·{h} = {b} reaches a layer sized for {ch}·{w}·{w} = {c}: "
                        f"the map is {h}×{h} instead of {w}×{w}, so the input size differs from the one the "
                        f"layer was written for (with 32× downsampling, {w}×{w} comes from {w * 32}–{w * 32 + 31} "
                        "px inputs)")
        e.fixes.append(f"`nn.AdaptiveAvgPool2d(({w}, {w}))` before the flatten: {ch}·{w}·{w} = {c} at any input "
                       "size, and the layer keeps its weights")
    else:
        e.causes.append(f"the layer before produces {b} features, but the Linear was built for {c}")
    e.fixes.append(f"or build the layer for what arrives: `nn.Linear({b}, {d})` (unsafe: checkpoints no longer "
                   "load, and a conv head is then tied to this input size)")
    return e


def _conv_channels(groups, weight, expected_input, want, got) -> Explanation:
    out_c, in_per_group, *kernel = weight
    e = Explanation(
        "SC104", f"a convolution built for {want} input channels received {got}",
        "nn.Conv1d/2d/3d (F.conv*) checking input.shape[1] against in_channels",
        [(str(weight), f"the weight: [out_channels={out_c}, in_channels/groups={in_per_group}, kernel "
                       f"{'×'.join(map(str, kernel))}]"),
         (str(expected_input), "the input as the conv saw it (a 3-D input gets a batch dim of 1 added)"),
         (str(want), f"in_channels = {in_per_group}·groups({groups})"),
         (str(got), "channels the input has (its dim 1)")],
    )
    if got == 1 and want == 3:
        e.causes.append("a grayscale image (1 channel) reaches a stem built for RGB (3 channels)")
        e.fixes.append("repeat the channel: `x = x.expand(-1, 3, -1, -1)` (or `x.repeat(1, 3, 1, 1)`)")
        e.fixes.append("or build the first conv for 1 channel: `nn.Conv2d(1, …)`")
    if want == 1 and expected_input and expected_input[0] == 1 and got > 1:
        e.causes.append(f"a batch of {got} grayscale images without its channel dim ([{got}, H, W]): PyTorch "
                        f"reads it as one image with {got} channels (SC105); add it with `x.unsqueeze(1)`")
    made = f"{got} channel" if got == 1 else f"{got} channels"
    e.causes.append(f"the layer before makes {made}, but this conv was written for {want}")
    e.fixes.append(f"set in_channels={got} on this conv, or out_channels={want} on the layer before")
    return e


def _bn_rank(want, got) -> Explanation:
    return Explanation(
        "SC105", f"a BatchNorm for {want}-D input received {got}-D input", "nn.BatchNorm1d/2d/3d checking input.dim()",
        [(f"{want}D", "what the layer needs: BatchNorm2d takes [N, C, H, W]"),
         (f"{got}D", "what it received")],
        [f"the batch dim is missing: a conv given {got}-D input treats it as one unbatched image and passes "
         f"{got}-D on (a `.squeeze()` at batch 1, or an input without batch dim)",
         "or a BatchNorm2d was used where BatchNorm1d belongs (vectors [N, C])"],
        ["keep the batch dim: `x.unsqueeze(0)` for a single image, `squeeze(dim)` with an explicit dim",
         "use the BatchNorm that matches the rank"],
    )


def _bn_channels(got, want) -> Explanation:
    return Explanation(
        "SC104", f"a BatchNorm built for {want} channels received {got}",
        "nn.BatchNorm* (F.batch_norm): running_mean has num_features entries",
        [(str(got), "channels of the input (dim 1)"), (str(want), "num_features of the layer")],
        [f"the layer before makes {got} channels, the BatchNorm was written for {want}"],
        [f"`nn.BatchNorm2d({got})` (or the matching 1d/3d)"],
    )


def _pool_small(given, calc) -> Explanation:
    c, *spatial = given
    return Explanation(
        "SC107", "the feature map is smaller than the pooling window",
        "a pooling layer (nn.MaxPool*/AvgPool*, F.max_pool*/avg_pool*)",
        [(f"({'x'.join(map(str, given))})", f"the input of the pool per sample: {c} channels of "
                                            f"{'×'.join(map(str, spatial))}"),
         (f"({'x'.join(map(str, calc))})", "the output it would have: a size of 0 or less")],
        ["the model input is smaller than the size the network was designed for: each stride-2 layer halves "
         "the map, and a fixed window (e.g. AvgPool2d(7) for 224 px inputs) no longer fits"],
        ["a larger input (shapecheck computes the smallest one)",
         "`nn.AdaptiveAvgPool2d(1)` in place of a fixed `AvgPool2d(k)`: it fits any size",
         "a smaller stride early in the network"],
    )


def _kernel_big(padded, kernel) -> Explanation:
    return Explanation(
        "SC107", "the feature map is smaller than the convolution kernel",
        "a convolution (nn.Conv*, F.conv*)",
        [(f"({' x '.join(map(str, padded))})", "the input size per channel, padding included"),
         (f"({' x '.join(map(str, kernel))})", "the kernel size (dilation included)")],
        ["the input is too small: downsampling before this conv left fewer positions than the kernel needs; "
         "for video, a clip with too few frames for unpadded temporal kernels"],
        ["a larger input (or more frames)", "padding on this conv", "less downsampling before it"],
    )


def _bn_single(size) -> Explanation:
    return Explanation(
        "SC108", "BatchNorm in training mode got one value per channel",
        "nn.BatchNorm* in training mode (F.batch_norm checks the batch)",
        [(str(size), "the input: N·H·W = 1 value per channel, so no variance can be computed")],
        ["batch size 1 after global pooling ([1, C, 1, 1]), or batch 1 into BatchNorm1d ([1, C])"],
        ["a batch of at least 2 (drop_last=True in the DataLoader avoids a last batch of 1)",
         "eval mode for inference checks: `model.eval()`",
         "`nn.GroupNorm` or `nn.LayerNorm` in that branch: they normalize per sample"],
    )


def _cat(dim, want, got, number) -> Explanation:
    e = Explanation(
        "SC109", f"tensors joined along dim {dim} differ in another dim: {want} vs {got}",
        "torch.cat / torch.stack",
        [(str(dim), "the dim being joined: the only one allowed to differ"),
         (str(want), "the size of the first tensor in the mismatching dim"),
         (str(got), f"the size of tensor number {number} there")],
    )
    if abs(want - got) == 1:
        e.causes.append(f"a U-Net-style skip connection at an input size that is not a multiple of 2^depth: a "
                        f"2× pooling rounded an odd size down and upsampling doubled back to {min(want, got)}, "
                        f"not {max(want, got)}")
        e.fixes.append("an input whose H and W are multiples of 2^depth (16 for 4 poolings)")
        e.fixes.append("`x = F.interpolate(x, size=skip.shape[-2:])` before the cat")
    else:
        e.causes.append("branches that downsample differently (strides, padding) before being joined")
        e.fixes.append("make the branches produce the same size, or resize one before the cat")
    return e


def _view_stride() -> Explanation:
    return Explanation(
        "SC111", "view on a tensor whose memory layout was reordered",
        "Tensor.view, after permute/transpose/t()",
        [], ["`permute` or `transpose` reorders dims without moving memory; `view` cannot merge dims that are "
             "not adjacent in memory"],
        ["`.reshape(...)` (copies only when needed)", "`.contiguous().view(...)`"],
    )


def _broadcast(x, y, dim) -> Explanation:
    return Explanation(
        "SC112", f"an elementwise op between shapes that do not broadcast: {x} vs {y} in dim {dim}",
        "elementwise ops (+, -, *, /, torch.where, …)",
        [(str(x), f"tensor a's size in dim {dim} (dims counted in the broadcast result, aligned from the right)"),
         (str(y), "tensor b's size there; one of them must be 1, or both equal"),
         (str(dim), "the dim")],
        ["a residual connection across a stride-2 layer (the shortcut keeps the larger map)",
         "a bias, mask or positional embedding built for another size"],
        ["make the operands agree: a 1×1 conv with stride 2 on the shortcut, `F.interpolate`, or reshape the "
         "smaller operand so its dims line up"],
    )


def _invalid_view(shape_text, total) -> Explanation:
    dims = _ints(shape_text)
    const = math.prod(d for d in dims if d != -1) or 1
    e = Explanation(
        "SC113", f"view/reshape to {shape_text} does not fit {total} values",
        "Tensor.view / reshape",
        [(shape_text, "the shape asked for (-1 is inferred)"),
         (str(total), "values in the tensor: batch × values per sample"),
         (str(const), f"the fixed part: {total} is not a multiple of it")],
    )
    split = _square_split(const, _CHANNELS)
    if split:
        ch, side = split
        for h in [*range(side - 1, 0, -1), *range(side + 1, side * 4)]:  # nearest sizes first
            per = ch * h * h
            if per != const and total % per == 0:
                e.causes.append(f"{const} = {ch}·{side}·{side} was written for a {side}×{side} map; a batch of "
                                f"{total // per} with {ch}·{h}·{h} = {per} values per sample gives {total}: "
                                f"the map is {h}×{h}, so the input size changed")
                break
    e.causes.append("a flatten written as `x.view(-1, constant)` only fits the input size it was written for")
    e.fixes.append("`x = torch.flatten(x, 1)` and in_features from the actual map, or an "
                   "`nn.AdaptiveAvgPool2d` before it so the constant holds at any size")
    return e


def _batch_sizes(got, want) -> Explanation:
    e = Explanation(
        "SC106", f"the model returned {got} rows for a batch of {want}",
        "a loss (F.cross_entropy, nn.CrossEntropyLoss, …) comparing output and target rows",
        [(str(got), "rows in the model's output"), (str(want), "rows in the target: the real batch size")],
    )
    if want and got % want == 0:
        e.causes.append(f"each sample became {got // want} rows: `x.view(-1, n)` with n smaller than one sample's "
                        f"size folds spatial positions into the batch, or `torch.cat(…, 0)` stacked branches "
                        "along the batch")
    e.fixes.append("flatten with `torch.flatten(x, 1)` / `x.view(x.size(0), -1)`; join branches with "
                   "`torch.cat(…, dim=1)`")
    return e


def _checkpoint(key, got, want) -> Explanation:
    e = Explanation(
        "SC110", f"a checkpoint's `{key}` is {got}, the model's is {want}",
        "nn.Module.load_state_dict copying checkpoint tensors into the model",
        [(key, "the state-dict key"), (str(got), "its shape in the checkpoint"),
         (str(want), "its shape in the model as built")],
    )
    if len(got) == 2 and len(want) == 2 and got[1] == want[1] and got[0] != want[0]:
        e.causes.append(f"a classifier head: the checkpoint was trained with num_classes={got[0]}, the model was "
                        f"built with {want[0]}")
        e.fixes.append(f"build the model with num_classes={got[0]}, load, then replace the head with a "
                       f"{want[0]}-way layer")
    elif len(got) == 4 and len(want) == 4 and got[1] != want[1] and got[0] == want[0]:
        e.causes.append(f"a stem trained on {got[1]}-channel images, built here for {want[1]}")
        e.fixes.append("build the first conv for the checkpoint's channels, or adapt its weight "
                       "(e.g. average over the input channels)")
    else:
        e.causes.append("the model was built with another configuration than the checkpoint was trained with")
    e.fixes.append("drop the keys that do not fit before loading: strict=False skips missing keys, not size "
                   "mismatches; `shapecheck MODEL --weights CKPT` lists every difference")
    return e


_PATTERNS: list[tuple[re.Pattern, Callable[..., Explanation]]] = [
    (re.compile(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)"),
     lambda m: _matmul(*map(int, m.groups()))),
    (re.compile(r"must have same reduction dim, but got \[(\d+), (\d+)\] X \[(\d+), (\d+)\]"),
     lambda m: _matmul(*map(int, m.groups()))),
    (re.compile(r"Given groups=(\d+), weight of size \[([^\]]*)\], expected input\[([^\]]*)\] to have (\d+) "
                r"channels, but got (\d+) channels"),
     lambda m: _conv_channels(int(m.group(1)), _ints(m.group(2)), _ints(m.group(3)), int(m.group(4)),
                              int(m.group(5)))),
    (re.compile(r"expected (\d)D input \(got (\d)D input\)"),
     lambda m: _bn_rank(int(m.group(1)), int(m.group(2)))),
    (re.compile(r"running_mean should contain (\d+) elements not (\d+)"),
     lambda m: _bn_channels(int(m.group(1)), int(m.group(2)))),
    (re.compile(r"Given input size: \(([\dx]+)\)\. Calculated output size: \(([-\dx]+)\)"),
     lambda m: _pool_small(_ints(m.group(1).replace("x", " ")), _ints(m.group(2).replace("x", " ")))),
    (re.compile(r"Calculated padded input size per channel: \(([\d x]+)\)\. Kernel size: \(([\d x]+)\)"),
     lambda m: _kernel_big(_ints(m.group(1)), _ints(m.group(2)))),
    (re.compile(r"Expected more than 1 value per channel when training, got input size (?:torch\.Size\()?(\[[\d, ]*\])"),
     lambda m: _bn_single(m.group(1))),
    (re.compile(r"Sizes of tensors must match except in dimension (\d+)\. Expected size (\d+) but got size (\d+) "
                r"for tensor number (\d+)"),
     lambda m: _cat(*map(int, m.groups()))),
    (re.compile(r"Sizes of tensors must match except in dimension (\d+)\. Expected (\d+) in dimension \d+ but got "
                r"(\d+) for tensor number (\d+)"),
     lambda m: _cat(*map(int, m.groups()))),
    (re.compile(r"view size is not compatible with input tensor's size and stride"), lambda m: _view_stride()),
    (re.compile(r"The size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton "
                r"dimension (\d+)"),
     lambda m: _broadcast(*map(int, m.groups()))),
    (re.compile(r"shape '(\[[-\d, ]*\])' is invalid for input of size (\d+)"),
     lambda m: _invalid_view(m.group(1), int(m.group(2)))),
    (re.compile(r"size mismatch for ([\w.]+): copying a param with shape torch\.Size\((\[[\d, ]*\])\) from "
                r"checkpoint, the shape in current model is torch\.Size\((\[[\d, ]*\])\)"),
     lambda m: _checkpoint(m.group(1), _ints(m.group(2)), _ints(m.group(3)))),
    (re.compile(r"Expected input batch_size \((\d+)\) to match target batch_size \((\d+)\)"),
     lambda m: _batch_sizes(int(m.group(1)), int(m.group(2)))),
]


def explain(message: str) -> Explanation | None:
    """The explanation of a PyTorch error message, or None when it is not one we know."""
    text = " ".join(message.split())
    for pattern, build in _PATTERNS:
        match = pattern.search(text)
        if match:
            return build(match)
    return None
