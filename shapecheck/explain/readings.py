"""Readings of the message families `explain` knew first (Linear, conv channels, BatchNorm,
pooling, cat, broadcast, view, checkpoints, RNNs, losses): each takes a message's numbers and
says what they are, the causes they support and the fixes. The template table
(`families.py`) names the message each one reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from .explanation import Explanation
from .relations import grid, head_classes, per_sample
from .templates import ints
from .templates import shape_text as shape_text_of


def _square_split(total: int, channels_hint: list[int]) -> tuple[int, int] | None:
    """total = channels·side² for a likely channel count: 25088 → (512, 7)."""
    for c in channels_hint:
        if c > 0 and total % c == 0:
            side = math.isqrt(total // c)
            if side * side == total // c:
                return c, side
    return None


_CHANNELS = [2048, 1024, 512, 256, 128, 64, 32, 16, 8, 6, 4, 3, 1280, 960, 768, 576, 384, 192, 96]


def matmul(a: int, b: int, c: int, d: int) -> Explanation:
    """A Linear's (or mm's) rows × features against its weight: which reading the four numbers support."""
    e = Explanation(
        "SC102",
        f"a Linear layer got {b} features per row but has in_features={c}",
        "nn.Linear / F.linear (also torch.mm, @): input [..., features] @ weight.T",
        [
            (str(a), "rows: every dim of the input except the last, multiplied together"),
            (str(b), "the input's last dim: the features each row offers"),
            (str(c), "in_features: what the layer expects (its weight is [out_features, in_features])"),
            (str(d), "out_features"),
        ],
    )
    if b <= 64 and c % (b * b) == 0 and a % (c // (b * b) * b) == 0:
        return _unflattened(e, a, b, c)
    _side_as_count(e, b, c)
    _one_column_apart(e, b, c, "the layer")
    if a * b == c:
        return _unbatched(e, a, b, c)
    folded = _feature_ratio(e, a, b, c)
    _samples_as_features(e, a, b, c, d)
    _weight_untransposed(e, b, c, d)
    _channels_first_rows(e, a, b, c)
    _classifier_logits(e, b, c, d)
    if not _map_sides(e, b, c):
        e.causes.append(f"the layer before produces {b} features, but the Linear was built for {c}")
        flat = _flattened_map(b)
        if flat:
            e.causes.append(f"{b} = {flat}: the layer before is a conv map flattened; in_features must be {b}")
    if folded:
        e.causes.append("or " + folded)
    else:
        _width_as_features(e, a, b, c)
    e.fixes.append(
        f"or build the layer for what arrives: `nn.Linear({b}, {d})`, or `nn.LazyLinear({d})`, which takes "
        "in_features from the first batch (unsafe: checkpoints no longer "
        "load, and a conv head is then tied to this input size)"
    )
    return e


# the feature widths pretrained backbones end in (ResNet-18/34, ResNet-50+, ViT-B, ViT-L, EfficientNet-B0,
# MobileNetV2, VGG's classifier, DenseNet-121)
_BACKBONE_WIDTHS = (512, 2048, 768, 1024, 1280, 4096, 1536, 1792, 960, 576)


def _one_column_apart(e: Explanation, got: int, want: int, layer: str) -> None:
    """Features one apart from what the layer takes, at a table's widths: a column kept or dropped in the
    data (the label, an id or index column), or a one-hot with a category more or less. Said first."""
    if abs(got - want) != 1 or not 2 <= min(got, want) <= 2048:
        return
    if got > want:
        e.causes.insert(
            0,
            f"{got} = {want} + 1: one feature more than {layer} takes: a column left in the inputs (the label or "
            "target, an id or index column of a DataFrame, a CSV's unnamed index), or a one-hot encoding with one "
            "category more (a category seen in this split only, or counted twice)",
        )
        e.fixes.insert(0, "drop the label, id and index columns from the features (`X = df.drop(columns=[...])`)")
    else:
        e.causes.insert(
            0,
            f"{got} = {want} - 1: one feature fewer than {layer} takes: a column dropped from the inputs (or the "
            "label counted as a feature when the size was set), or a one-hot encoding missing a category in this "
            "split (`pd.get_dummies` on a split without it)",
        )
        e.fixes.insert(0, "build the features the same way for every split (the same columns, one-hot categories)")


def _side_as_count(e: Explanation, b: int, c: int) -> None:
    """The features are a whole image whose side is in_features itself (1843968 = 3·784·784): an image size
    setting given the flattened count (784 = 28·28) where a side was meant, so the images were resized to
    c×c. Said first when so."""
    for ch in (3, 1):
        if c >= 16 and b == ch * c * c:
            side = math.isqrt(c)
            flat = f" ({c} = {side}·{side}, the flattened size of a {side}×{side} image)" if side * side == c else ""
            e.causes.insert(
                0,
                f"{b} = {'3·' if ch == 3 else ''}{c}·{c}: the input is a whole {c}×{c} image flattened, its side "
                f"the layer's in_features{flat}: an image-size setting given the flattened count where a side "
                "was meant, so the images were resized to that many pixels a side",
            )
            e.fixes.insert(
                0,
                f"set the image size to the side ({side if flat else 'the model takes'}), not the pixel count; "
                f"the Linear then gets its {c} features",
            )
            return


def _classifier_logits(e: Explanation, b: int, c: int, d: int) -> None:
    """The features are a dataset's class count (1000: ImageNet's) and the Linear is sized for a backbone's
    width: the pretrained model's own classifier still runs, and its logits reach the new head."""
    if b not in (1000, 1001, 21843) or c not in _BACKBONE_WIDTHS:
        return
    e.causes.append(
        f"{b} is the pretrained classifier's output (ImageNet's {b} classes): the backbone's own head still runs, "
        f"so its logits reach a new layer built for the backbone's {c} features: the new head was added after the "
        "old one instead of replacing it"
    )
    e.fixes.append(
        f"replace the head instead of appending one: `model.fc = nn.Linear({c}, {d})` (`model.classifier[-1]` / "
        "`model.head` for other families), or `nn.Identity()` in place of the old head"
    )


def _samples_as_features(e: Explanation, a: int, b: int, c: int, d: int) -> None:
    """in_features equals the rows: the layer was sized by the number of samples, not by their features; or,
    with more columns than rows, the input is transposed ([features, samples]) and fits once turned."""
    if c == a and b > a > 1:
        e.causes.insert(
            0,
            f"the input is transposed: its {a} rows are the {c} features the layer takes and its {b} columns the "
            f"samples ([features, samples] = [{a}, {b}] where [{b}, {a}] is meant): an output kept as [dim, batch], a "
            "`.t()` or `permute` too many, or data stored one feature per row",
        )
        e.fixes.insert(0, f"turn it before the layer: `x = x.t()` ([{b}, {a}]), or `x.transpose(-1, -2)` for a batch")
        return
    if not (c == a and a != b and a > 1 and b < a):
        return
    e.causes.append(
        f"in_features ({c}) equals the number of rows ({a}), the batch or dataset size: the layer was sized from "
        f"the wrong dim of the data (`X.shape[0]`, `len(X)`), or the data is transposed ([features, samples]), "
        f"where each sample has {b} features"
    )
    e.fixes.append(f"size it from the features: `nn.Linear({b}, {d})` (`X.shape[1]`), or transpose the data")


def _weight_untransposed(e: Explanation, b: int, c: int, d: int) -> None:
    """mat2 printed [c, d] is the weight as multiplied: its columns equal the features."""
    if b != d or c == b:
        return
    e.causes.append(
        f"the second matrix is [{c}, {d}]: its last dim, not its first, equals the {b} features: a weight "
        f"stored as [out, in] = [{c}, {d}] multiplied without its transpose (`x @ W` where nn.Linear "
        f"computes `x @ W.T`), or a Linear built as nn.Linear({c}, {d}) where nn.Linear({d}, {c}) was meant"
    )
    e.fixes.append(f"multiply by the transpose (`x @ W.T`, `F.linear(x, W)`), or build nn.Linear({d}, {c})")


def _channels_first_rows(e: Explanation, a: int, b: int, c: int) -> None:
    """rows = N·C·H with C = in_features: a channels-first map whose width reached the Linear."""
    if not (c >= 16 and 4 <= b <= 256 and b != c and a % (c * b) == 0 and c % b and b % c):
        return
    n = a // (c * b)
    e.causes.append(
        f"a channels-first map [{n}, {c}, {b}, {b}] reached a layer that wants its {c} channels last: "
        f"{a} = {n}·{c}·{b} rows of {b} (its width), where a channels-last block (an MLP, LayerNorm or attention "
        f"over [N, H, W, C]) multiplies the last dim: `x.permute(0, 2, 3, 1)` before it (and back after), or a "
        "1×1 conv in its place"
    )


def _width_as_features(e: Explanation, a: int, b: int, c: int) -> None:
    """Few features and rows in whole squares of them: a map's width read as features."""
    if not (b <= 16 < c and a % b == 0 and a // b >= 16):
        return
    e.causes.append(
        f"or a conv feature map [N, C, {b}, {b}] reached the Linear unflattened: Linear multiplies only the "
        f"last dim, so each of its {a} = N·C·{b} rows offers {b} values; flatten it first "
        f"(`torch.flatten(x, 1)`) and build the Linear for C·{b}·{b} features"
    )


def _unflattened(e: Explanation, a: int, b: int, c: int) -> Explanation:
    """SC101: a conv map [N, C, H, W] reached the layer unflattened; in_features = C·H·W."""
    ch = c // (b * b)
    n_h = a // ch
    n = n_h // b if n_h % b == 0 else None
    e.code = "SC101"
    e.title = "a conv feature map reached a Linear without being flattened"
    shape = f"[{n if n else 'N'}, {ch}, {b}, {b}]"
    e.causes.append(
        f"a {shape} feature map went into the Linear unflattened: Linear multiplies only the "
        f"last dim, so it saw {a} = {n or 'N'}·{ch}·{b} rows of {b} features; flattened, one "
        f"sample has {ch}·{b}·{b} = {c} = in_features"
    )
    e.fixes.append(
        "flatten before the layer: `x = torch.flatten(x, 1)` in forward, or `nn.Flatten(1)` "
        "in front of it in the nn.Sequential"
    )
    return e


def _unbatched(e: Explanation, a: int, b: int, c: int) -> Explanation:
    """rows × features = in_features: one unbatched image's channels became the rows (SC105), or,
    when the rows are a power of two, as likely a batch whose samples skipped the layers before."""
    unbatched = (
        f"one image without a batch dim ([{a}, H, W]) went through the convs and was flattened "
        f"from dim 1: {a} channels became {a} rows of {b}; with the batch dim it would be "
        f"1 row of {a}·{b} = {c}"
    )
    skipped = (
        f"a batch of {a} whose samples reach the Linear with {b} values each, where it was built for "
        f"the {c} = {a}·{b} that the layers before it make: those layers were skipped (the input fed "
        "to the Linear itself), or in_features was written for another block's output"
    )
    if a >= 16 and a & (a - 1) == 0:
        # a power of two is as likely a batch size as a channel count: both readings, neither first
        e.title = f"rows of {b} reach a Linear built for {a}·{b} = {c}: {a} is the batch or a channel count"
        e.causes += [skipped, unbatched]
        e.fixes.append(
            "if one image: add the batch dim, `x = x.unsqueeze(0)`; if a batch: pass it through "
            "the layers that make the features, or set in_features to what arrives"
        )
        return e
    e.code = "SC105"
    e.title = "an unbatched input: the channels took the place of the batch"
    e.causes += [unbatched, "(or " + skipped + ")"]
    e.fixes.append("add the batch dim before the model: `x = x.unsqueeze(0)`")
    return e


def _feature_ratio(e: Explanation, a: int, b: int, c: int) -> str | None:
    """Features twice (or half) in_features, k× with a row or two, or in_features k× the features:
    the cause each ratio says, added to `e`; a folded batch whose k is a square is returned to be
    said after the map reading (49 = 7² is as likely a 7×7 map's positions)."""
    if not b or not c:
        return None
    if b == 2 * c or c == 2 * b:
        _doubled_features(e, b, c)
    elif b > c and b % c == 0:
        return _rows_folded(e, a, b, c)
    elif c > b and c % b == 0 and a % (c // b) == 0:
        k = c // b
        e.causes.append(
            f"{c} = {k}·{b}: each sample's {c} features were split into {k} rows of {b} ({a} rows = "
            f"{a // k} samples × {k}): a `view(-1, {b})` where `view(x.size(0), -1)` was meant"
        )
        e.fixes.append("flatten per sample: `x.view(x.size(0), -1)` (or `torch.flatten(x, 1)`)")
    return None


def _doubled_features(e: Explanation, b: int, c: int) -> None:
    """Features twice (or half) in_features: a bidirectional RNN, or two branches concatenated."""
    more, fewer = ("the input has twice", "the Linear takes") if b == 2 * c else ("the Linear takes twice", "arrives")
    e.causes.append(
        f"{max(b, c)} = 2·{min(b, c)}: {more} what {fewer}: a bidirectional RNN's output (2·hidden_size) or two "
        "features concatenated (`torch.cat` of two branches) on one side only"
    )
    e.fixes.append(
        f"size the Linear for what arrives: `nn.Linear({b}, …)` (`hidden_size * 2` after a bidirectional RNN), or "
        "concatenate both branches where the layer was built for both"
    )


def _rows_folded(e: Explanation, a: int, b: int, c: int) -> str | None:
    """Features k× in_features: k samples (a few rows) or k positions (many) folded into each row.
    Said, or returned when k is a square: as likely a map's positions, said after that reading."""
    k = b // c
    if a * k <= 64:
        folded = (
            f"{b} = {k}·{c}: {k} samples' features in one row: the batch was flattened into the features "
            "(`x.view(1, -1)`, `x.flatten()` or `x.view(-1)` without keeping dim 0)"
        )
        fix = "keep the batch: `x = torch.flatten(x, 1)` or `x.view(x.size(0), -1)`"
    elif a <= 8 and k > 64:
        folded = (
            f"{b} = {k}·{c}: {k} positions (tokens, pixels) of {c} features each, flattened into one row per "
            f"sample: a sequence or map [{a}, {k}, {c}] went through a flatten (`x.view({a}, -1)`, `torch.flatten(x, "
            f"1)`) where the Linear applies per position, or the model got its input without the token dim it expects"
        )
        fix = f"keep the positions: apply the Linear to [{a}, {k}, {c}] (it acts on the last dim), no flatten"
    else:
        return None
    if math.isqrt(k) ** 2 == k:
        return folded
    e.causes.append(folded)
    e.fixes.append(fix)
    return None


def _flattened_map(n: int) -> str | None:
    """n as C·s·s of a conv map, C a power-of-two channel count, s a side that is not a power of two
    (those are as likely widths): `32·7·7`, `256·6·6 or 64·12·12`; None when none fits."""
    ways = [
        f"{ch}·{s}·{s}"
        for ch in (2048, 1024, 512, 256, 128, 64, 32, 16, 8)
        if n % ch == 0 and (s := math.isqrt(n // ch)) * s == n // ch and 3 <= s <= 56 and s & (s - 1)
    ]
    return " or ".join(ways[:2]) if ways else None


def _map_sides(e: Explanation, b: int, c: int) -> bool:
    """Features and in_features as C·h·h and C·w·w of one C (the widest that fits): the map is h×h
    where the layer was written for w×w (another input size, or a global pool missing when w is 1);
    the cause and the pooling fix added to `e`."""
    found = _square_maps(b, c)
    if found is None:
        return False
    ch, h, w = found
    e.causes.append(_map_sides_cause(ch, h, w, b, c))
    e.fixes.append(
        f"`nn.AdaptiveAvgPool2d(({w}, {w}))` before the flatten: {ch}·{w}·{w} = {c} at any input "
        "size, and the layer keeps its weights"
    )
    if w > 1:
        strides = f": {w * 32} px at 32×, {w * 16} px at 16×" if ch >= 256 else ""
        e.fixes.append(
            f"or resize the images to the size the model was built for (the one that gives a {w}×{w} map{strides})"
        )
    return True


def _square_maps(b: int, c: int) -> tuple[int, int, int] | None:
    """(C, h, w) for the widest channel count C with b = C·h·h and c = C·w·w (b and c differ)."""
    for ch in sorted(_CHANNELS, reverse=True):
        if b % ch or c % ch:
            continue
        h = math.isqrt(b // ch)
        if h * h != b // ch:
            continue
        w = math.isqrt(c // ch)
        if w * w == c // ch and b != c:
            return ch, h, w
    return None


def _map_sides_cause(ch: int, h: int, w: int, b: int, c: int) -> str:
    """A flattened h×h map of ch channels where the layer was sized for w×w."""
    if w == 1:
        return (
            f"a flattened {h}×{h} feature map of {ch}·{h}·{h} = {b} reaches a layer sized for a pooled "
            f"{ch}-channel map ({ch}·1·1 = {c}): the global pool before the flatten is missing or was replaced, "
            "or the input is larger than the model was written for"
        )
    if ch == 16 and sorted((h, w)) == [4, 5]:
        # LeNet-5: two 5×5 convs, each with a 2× pool: 28 px give 4×4, 32 px 5×5
        sides = {4: "28×28 (MNIST)", 5: "32×32 (CIFAR-10)"}
        return (
            f"a LeNet's flatten: {ch}·{h}·{h} = {b} comes from {sides[h]} images and the layer was sized for "
            f"{ch}·{w}·{w} = {c}, which {sides[w]} images give: the images are another size than the one the model "
            "was written for"
        )
    return (
        f"a flattened feature map of {ch}·{h}·{h} = {b} reaches a layer sized for {ch}·{w}·{w} = {c}: "
        f"the map is {h}×{h} instead of {w}×{w}, so the input size differs from the one the "
        f"layer was written for (with 32× downsampling, {w}×{w} comes from {w * 32}–{w * 32 + 31} "
        f"px inputs; with 16×, as face-recognition backbones have, from {w * 16} px)"
    )


def conv_channels(groups, weight, expected_input, want, got) -> Explanation:
    out_c, in_per_group, *kernel = weight
    e = Explanation(
        "SC104",
        f"a convolution built for {want} input channels received {got}",
        "nn.Conv1d/2d/3d (F.conv*) checking input.shape[1] against in_channels",
        [
            (
                str(weight),
                f"the weight: [out_channels={out_c}, in_channels/groups={in_per_group}, kernel "
                f"{'×'.join(map(str, kernel))}]",
            ),
            (str(expected_input), "the input as the conv saw it (a 3-D input gets a batch dim of 1 added)"),
            (str(want), f"in_channels = {in_per_group}·groups({groups})"),
            (str(got), "channels the input has (its dim 1)"),
        ],
    )
    specific = _channels_order(e, expected_input, want, got) or _channels_of_images(e, expected_input, want, got)
    _channels_ratio(e, weight, want, got, generic=not specific)
    if want in (6, 9) and 0 < want - got < want and (want - got) % 2 == 0:
        # 6 = 3 + 3 against 4 = 3 + 1: images joined on the channels, some of them grayscale
        gray = (want - got) // 2
        e.causes.append(
            f"or the input joins {want // 3} images on the channels ({want} = {' + '.join(['3'] * (want // 3))}) "
            f"and {gray} of them {'is' if gray == 1 else 'are'} grayscale (1 channel where 3 were meant: {got})"
        )
        e.fixes.append("convert every image the input joins to RGB (`.convert('RGB')`) before they are concatenated")
    return e


def _channels_order(e: Explanation, x: list[int], want: int, got: int) -> bool:
    """The channel count the conv takes sits in another dim of the input: the dims are in another
    order ([N, L, C] for Conv1d, [N, H, W, C] images, [N, T, C, H, W] clips), so a transpose fixes it."""
    if got == want or want not in x[2:] or (want == 1 and x.count(1) > 1):
        return False
    where = len(x) - 1 - x[::-1].index(want)
    layout = _CHANNEL_LAYOUTS.get((len(x), where))
    if layout is not None:
        cause, fix = layout
        e.causes.append(cause.format(want=want, got=got))
        e.fixes.append(fix)
        return True
    side = math.isqrt(x[-1])
    if len(x) == 4 and x[0] == 1 and where == 2 and side >= 7 and side * side == x[-1]:
        # [1, B, C, H·W]: a 3-D [B, C, H·W] batch of flattened images, to which the conv added a batch of 1
        e.causes.append(
            f"the input was 3-D [{got}, {want}, {x[-1]}]: {got} images of {want} channels with their pixels "
            f"flattened ({x[-1]} = {side}·{side}); a 3-D input is one unbatched sample to the conv, so it read "
            f"{got} as the channels"
        )
        e.fixes.append(f"restore the images' sides before the conv: `x = x.view(-1, {want}, {side}, {side})`")
        return True
    order = ", ".join("C" if i == where else "N" if i == 0 else "·" for i in range(len(x)))
    e.causes.append(
        f"dim {where} of the input holds {want}, the channels the conv takes, where dim 1 holds {got}: the dims are "
        f"in another order ([{order}])"
    )
    e.fixes.append(f"move dim {where} to dim 1 (`x.movedim({where}, 1)`) before the conv")
    return True


# the layouts a transpose fixes, by (the input's rank, the dim holding the conv's channels): the
# story ({want}: the channels, {got}: what dim 1 holds) and its fix
_CHANNEL_LAYOUTS = {
    (3, 2): (
        "the input is channels-last [N, L, C] where Conv1d takes [N, C, L]: its last dim, {want}, is the "
        "channels, and its length {got} was read as channels (embeddings, time series and numpy arrays come as "
        "[batch, steps, features])",
        "swap the last two dims before the conv: `x = x.permute(0, 2, 1)` (or `x.transpose(1, 2)`; back after it)",
    ),
    (4, 3): (
        "the input is channels-last [N, H, W, C]: its last dim, {want}, is the channels, and its height "
        "{got} was read as channels (images from PIL, numpy or OpenCV are [H, W, C])",
        "permute to [N, C, H, W] first: `x = x.permute(0, 3, 1, 2)` (or `transforms.ToTensor()`)",
    ),
    (5, 2): (
        "the clip is [N, T, C, H, W] where Conv3d takes [N, C, T, H, W]: dim 2 holds the {want} channels and "
        "the {got} frames were read as channels",
        "swap frames and channels: `x = x.permute(0, 2, 1, 3, 4)`",
    ),
}


def _channels_of_images(e: Explanation, x: list[int], want: int, got: int) -> bool:
    """Image channel counts: RGBA or grayscale into an RGB stem, RGB into a grayscale model, a batch
    of grayscale images without its channel dim."""
    if (got, want) in _IMAGE_CHANNELS:
        cause, fixes = _IMAGE_CHANNELS[got, want]
        e.causes.append(cause)
        e.fixes += fixes
        if len(x) == 4 and x[0] == want and got == 1:
            # [3, 1, H, W]: the image's channels in the batch dim, its channel dim added in the wrong place
            e.causes.append(
                f"or {x} is one image of {want} channels whose channels went to the batch dim: its batch dim "
                "was added at 1 (`unsqueeze(1)`) where `unsqueeze(0)` was meant, or dims were permuted wrong"
            )
            e.fixes.append(f"for one image: `x.permute(1, 0, 2, 3)` (`img.unsqueeze(0)` on the [{want}, H, W] image)")
        return True
    if got in (1, 3, 4) and want >= 16 and len(x) == 4 and min(x[2:]) >= 128:
        kind = {1: "a grayscale", 3: "an RGB", 4: "an RGBA"}[got]
        e.causes.append(
            f"the input is {kind} image at full size ({x[2]}×{x[3]}, {got} channel{'s' if got > 1 else ''}), not a "
            f"feature map: it reaches a conv inside the network, built for the {want} channels a layer before it "
            "makes: the stem or first layers were skipped (a sub-module called on the data, layers applied in "
            "another order, a branch fed the raw input)"
        )
        e.fixes.append(
            "call the model (or the sub-module that starts with the stem) on the image; print the layers the input "
            "passes through"
        )
        return False  # the conv may also be the first one, built for the wrong count: its resizing fix stays
    if want == 1 and x and x[0] == 1 and got > 1:
        e.causes.append(
            f"a batch of {got} grayscale images without its channel dim ([{got}, H, W]): PyTorch "
            f"reads it as one image with {got} channels (SC105); add it with `x.unsqueeze(1)`"
        )
        e.fixes.append("add the channel dim: `x = x.unsqueeze(1)` ([N, 1, H, W])")
        return True
    return False


def _into_grayscale(got: int) -> tuple[str, list[str]]:
    return (
        f"an {'RGB' if got == 3 else 'RGBA'} image ({got} channels) reaches a conv built for 1 channel "
        "(a grayscale model: MNIST-style, or a single-channel U-Net)"
    ), [
        "convert the images to grayscale (`transforms.Grayscale()`, PIL `.convert('L')`), or build the first "
        f"conv for {got} channels"
    ]


# (an image's channels, the channels the first conv takes) → the cause and the fixes
_IMAGE_CHANNELS: dict[tuple[int, int], tuple[str, list[str]]] = {
    (4, 3): (
        "an RGBA image (a PNG with an alpha channel: 4 channels) reaches a stem built for RGB",
        ["convert when loading: `Image.open(p).convert('RGB')`, or drop the alpha: `x[:, :3]`"],
    ),
    (1, 3): (
        "a grayscale image (1 channel) reaches a stem built for RGB (3 channels)",
        [
            "convert when loading (`Image.open(p).convert('RGB')`, `transforms.Grayscale(num_output_channels=3)`), "
            "or repeat the channel: `x = x.expand(-1, 3, -1, -1)` (or `x.repeat(1, 3, 1, 1)`)",
            "or build the first conv for 1 channel: `nn.Conv2d(1, …)`",
        ],
    ),
    (3, 4): (
        "an RGB image (3 channels) reaches a conv built for 4: a network that works on latents (a diffusion UNet, a "
        "VAE decoder or a latent adapter takes the 4 channels of a VAE's latent, at 1/8 of the image size) given "
        "pixels, or a model trained on 4-channel images (RGBA, RGB + depth or near-infrared)",
        [
            "for a latent network, encode the image first (`vae.encode(x).latent_dist.sample() * scaling_factor`, "
            "[N, 4, H/8, W/8]); for a 4-channel model, give it the fourth channel (or build its first conv for 3)"
        ],
    ),
    (3, 1): _into_grayscale(3),
    (4, 1): _into_grayscale(4),
}


def _channels_ratio(e: Explanation, weight: list[int], want: int, got: int, generic: bool) -> None:
    """What the two channel counts say of the model: half or twice (a concatenation on one side),
    the conv's own out_channels (applied to its own output), else the layer before and this conv
    written for different widths. The resizing fix only when nothing more specific was read."""
    made = f"{got} channel" if got == 1 else f"{got} channels"
    lead = "or " if e.causes else ""
    if got * 2 == want or got == 2 * want:
        side = "the conv takes twice what arrives" if got * 2 == want else "twice what the conv takes arrives"
        e.causes.append(
            f"{lead}{max(got, want)} = 2·{min(got, want)}: {side}: a concatenation (`torch.cat([x, skip], 1)`, a "
            "U-Net decoder's skip connection, two branches joined) made on one side only, or a width doubled "
            "(a `bilinear` or `bidirectional` option) where the conv was built without it"
        )
    elif weight and got == weight[0] and got != want:
        e.causes.append(
            f"{lead}{got} is this conv's own out_channels: it is applied to its own output (a layer reused in a "
            "loop or twice in forward), or its in_channels and out_channels were swapped"
        )
    e.causes.append(f"{'or ' if e.causes else ''}the layer before makes {made}, but this conv was written for {want}")
    if generic:
        e.fixes.append(
            f"if the layers are yours: in_channels={got} on this conv, or out_channels={want} on the layer before "
            "(unsafe: a pretrained checkpoint no longer loads); if the model is pretrained, change the data, "
            f"not the conv: it takes {want} channels"
        )


_NORM_SHAPES = {
    "2": "BatchNorm1d takes [N, C]",
    "3": "BatchNorm1d takes [N, C, L]",
    "4": "BatchNorm2d takes [N, C, H, W]",
    "5": "BatchNorm3d takes [N, C, D, H, W]",
}


def bn_rank(want, got) -> Explanation:
    """A BatchNorm given another rank: a dim fewer is a lost batch dim (or vectors at a 2d norm); a dim more is
    a video or volume (a Conv3d's output) at a 2d norm, or frames kept as a dim."""
    e = Explanation(
        "SC105",
        f"a BatchNorm for {want}-D input received {got}-D input",
        "nn.BatchNorm1d/2d/3d checking input.dim()",
        [
            (f"{want}D", f"what the layer needs: {_NORM_SHAPES.get(str(want), 'BatchNorm2d takes [N, C, H, W]')}"),
            (f"{got}D", "what it received"),
        ],
        [
            f"the batch dim is missing: a conv given {got}-D input treats it as one unbatched image and passes "
            f"{got}-D on (a `.squeeze()` at batch 1, or an input without batch dim)",
            "or a BatchNorm2d was used where BatchNorm1d belongs (vectors [N, C])",
        ],
        [
            "keep the batch dim: `x.unsqueeze(0)` for a single image, `squeeze(dim)` with an explicit dim",
            "use the BatchNorm that matches the rank",
        ],
    )
    try:
        more = int(got) > int(want)
    except (TypeError, ValueError):
        return e
    if not more and int(want) - int(got) == 1 and int(got) >= 3:
        e.causes[1] = f"or a BatchNorm{int(want) - 2}d where the data is {got}-D: a norm for " + (
            "volumes or clips after a Conv2d (BatchNorm3d on [N, C, H, W])" if int(want) == 5 else "maps on sequences"
        )
    if more:
        e.causes = [
            f"the input has a dim more than this norm takes: a {got}-D "
            + (
                "video or volume [N, C, T, H, W] (a Conv3d's output) through a BatchNorm2d: it needs BatchNorm3d"
                if int(got) == 5
                else "map through a norm for fewer dims (a 2-D model given 3-D data)"
            )
            + ", or frames, crops or views kept as a dim of their own"
        ]
        e.fixes = [
            f"use the norm of the data's rank (BatchNorm{int(got) - 2}d), or fold the extra dim into the batch "
            "(`x.flatten(0, 1)`) before a 2-D model"
        ]
    return e


def bn_channels(got, want) -> Explanation:
    """What dim 1 of a BatchNorm's input is: a singleton (an extra dim, [N, 1, C]), positions with the
    channels last (dim 1 is no width a layer makes: not a multiple of 8, where num_features is), or
    channels of another width (both are widths). The fix is the reading's the numbers pick; both
    when they do not pick one."""
    e = Explanation(
        "SC104",
        f"a BatchNorm built for {want} channels received {got} in dim 1",
        "nn.BatchNorm* (F.batch_norm): running_mean has num_features entries",
        [
            (str(got), "the size of the input's dim 1, which BatchNorm reads as channels"),
            (str(want), "num_features of the layer"),
        ],
    )
    channels = f"the layer before makes {got} channel{'s' if got != 1 else ''}, the BatchNorm was written for {want}"
    tokens = (
        f"the {want} channels sit in the last dim (tokens [N, {got}, {want}] from a Linear or attention): "
        f"BatchNorm1d reads dim 1, here {got} positions (SC114)"
    )
    resize = f"channels in dim 1: build the BatchNorm for {got} (`num_features={got}`), or the layer before for {want}"
    transpose = f"channels last: `x = bn(x.transpose(1, 2)).transpose(1, 2)`, or `nn.LayerNorm({want})` for tokens"
    if got == 1 and want > 1:
        e.causes += [
            f"dim 1 has size 1: the input is [N, 1, {want}], a vector with an extra dim (an `unsqueeze`, a sequence of "
            f"length 1, a Linear applied to [N, 1, F]), so BatchNorm1d reads 1 channel of length {want}",
            "or " + channels,
        ]
        e.fixes.append("drop the extra dim before the norm: `x = x.squeeze(1)` ([N, C])")
    elif _bn_flatten(e, got, want):
        pass
    elif got % 8 and not want % 8:
        e.causes += [tokens, "or " + channels]
        e.fixes += [transpose, "or " + resize]
    else:
        e.causes += [channels, "or " + tokens]
        e.fixes += [resize, "or " + transpose]
    return e


def _bn_flatten(e: Explanation, got: int, want: int) -> bool:
    """One count is the other times a square k²: a conv map [N, C, k, k] flattened on one side of the
    BatchNorm only (BatchNorm1d after a flatten built for C, or built for C·k·k on the map)."""
    big, small = max(got, want), min(got, want)
    side = math.isqrt(big // small) if small > 1 and big % small == 0 else 0
    if side < 2 or side * side != big // small or small < 8:
        return False
    if got == big:
        e.causes.append(
            f"{got} = {want}·{side}·{side}: a {want}-channel {side}×{side} map flattened before a BatchNorm1d built "
            f"for its {want} channels"
        )
        e.causes.append(
            f"or tokens [N, {got}, {want}] with the channels last: BatchNorm1d reads dim 1, here {got} positions"
        )
        e.fixes.append(
            f"normalise the map before the flatten (`nn.BatchNorm2d({want})`), or build the BatchNorm1d for {got}"
        )
        e.fixes.append("or, for tokens: `x = bn(x.transpose(1, 2)).transpose(1, 2)`")
    else:
        e.causes.append(
            f"{want} = {got}·{side}·{side}: the BatchNorm was built for a flattened {got}-channel {side}×{side} map, "
            "and gets the map itself (or is placed before the flatten)"
        )
        e.fixes.append(f"move it after the flatten, or normalise the map with `nn.BatchNorm2d({got})`")
    return True


def pool_small(given, calc) -> Explanation:
    """`given` is empty when the paste kept only the calculated output size."""
    numbers = [(f"({'x'.join(map(str, calc))})", "the output it would have: a size of 0 or less")]
    if given:
        c, *spatial = given
        numbers.insert(
            0,
            (
                f"({'x'.join(map(str, given))})",
                f"the input of the pool per sample: {c} channels of {'×'.join(map(str, spatial))}",
            ),
        )
    return Explanation(
        "SC107",
        "the feature map is smaller than the pooling window",
        "a pooling layer (nn.MaxPool*/AvgPool*, F.max_pool*/avg_pool*)",
        numbers,
        [
            "the model input is smaller than the size the network was designed for: each stride-2 layer halves "
            "the map, and a fixed window (e.g. AvgPool2d(7) for 224 px inputs) no longer fits"
        ],
        [
            "a larger input (shapecheck computes the smallest one)",
            "`nn.AdaptiveAvgPool2d(1)` in place of a fixed `AvgPool2d(k)`: it fits any size",
            "a smaller stride early in the network",
        ],
    )


def kernel_big(padded, kernel) -> Explanation:
    return Explanation(
        "SC107",
        "the feature map is smaller than the convolution kernel",
        "a convolution (nn.Conv*, F.conv*)",
        [
            (f"({' x '.join(map(str, padded))})", "the input size per channel, padding included"),
            (f"({' x '.join(map(str, kernel))})", "the kernel size (dilation included)"),
        ],
        [
            "the input is too small: downsampling before this conv left fewer positions than the kernel needs; "
            "for video, a clip with too few frames for unpadded temporal kernels"
        ],
        ["a larger input (or more frames)", "padding on this conv", "less downsampling before it"],
    )


def bn_single(size) -> Explanation:
    return Explanation(
        "SC108",
        "BatchNorm in training mode got one value per channel",
        "nn.BatchNorm* in training mode (F.batch_norm checks the batch)",
        [(str(size), "the input: N·H·W = 1 value per channel, so no variance can be computed")],
        ["batch size 1 after global pooling ([1, C, 1, 1]), or batch 1 into BatchNorm1d ([1, C])"],
        [
            "a batch of at least 2 (drop_last=True in the DataLoader avoids a last batch of 1)",
            "eval mode for inference checks: `model.eval()`",
            "`nn.GroupNorm` or `nn.LayerNorm` in that branch: they normalize per sample",
        ],
    )


def cat(dim, want, got, number, other: int | None = None) -> Explanation:
    """Tensors joined along `dim` whose sizes differ (`want` vs `got`) in another dim (`other`, when the
    message says which)."""
    e = Explanation(
        "SC109",
        f"tensors joined along dim {dim} differ in another dim: {want} vs {got}",
        "torch.cat / torch.stack",
        [
            (str(dim), "the dim being joined: the only one allowed to differ"),
            (str(want), "the size of the first tensor in the mismatching dim"),
            (str(got), f"the size of tensor number {number} there"),
        ],
    )
    for reading in (_cat_batches_differ, _guidance_doubled, _skip_off_by_one):
        if reading(e, dim, want, got, other):
            return e
    small, large = sorted((want, got))
    if dim == 0 and {want, got} <= {1, 3, 4} and other in (None, 1):
        modes = {1: "grayscale", 3: "RGB", 4: "RGBA"}
        e.causes.append(
            f"{'' if other == 1 else 'if the tensors are images [C, H, W]: '}{want} and {got} channels: "
            f"{modes[want]} and {modes[got]} images in one batch (the dataset holds files of other modes, and "
            "`ToTensor()` keeps each file's channels)"
        )
        e.fixes.append("convert every image when loading: `Image.open(p).convert('RGB')` (or `'L'` for a gray model)")
    if dim == 0:
        e.causes.append(
            f"joining along dim 0 stacks batches: the tensors hold the same kind of sample but differ "
            f"in another dim ({want} vs {got}): sequences padded to different lengths (token ids "
            f"of {want} and {got}), or images of different sizes"
        )
        e.fixes.append(
            "pad or resize every part to one size before joining (a tokenizer's "
            "`padding='max_length'`, a collate function that pads)"
        )
    elif large % small == 0:
        e.causes.append(
            f"{large} = {large // small}·{small}: one branch is {large // small}× the other there: a "
            "stride or up/downsampling on one branch only (feature maps), or sequences of different "
            "lengths (tokens)"
        )
        e.fixes.append("make the branches produce the same size, or resize one before the cat")
    else:
        _cat_maps_sides(e, dim, want, got)
        _cat_rows_differ(e, dim, want, got, other)
        e.causes.append("branches that produce different sizes before being joined")
        e.fixes.append("make the branches produce the same size, or resize one before the cat")
    return e


def _cat_batches_differ(e: Explanation, dim: int, want: int, got: int, other: int | None) -> bool:
    """The message says dim 0 differs, joined along another: a tensor made for a fixed batch. Said when so."""
    if other != 0 or dim == 0:
        return False
    if min(want, got) == 1:
        e.causes.append(
            f"one tensor has a batch of 1 and the other {max(want, got)}: it was made once for a single sample (a "
            "buffer, mask, noise or feature built with batch size 1, or kept from a batch of one), so the code "
            "works only with batch size 1"
        )
        e.fixes.append(
            "make it from this batch (`t.expand(x.size(0), ...)` or built from `x.size(0)`), or run with batch size 1"
        )
    e.causes.append(
        f"the tensors differ in dim 0, the batch ({want} vs {got}): one was made for a fixed batch size (a "
        "buffer, noise or a latent drawn with the configured batch) while this batch has another (the last, "
        "smaller one), or one side was repeated or split"
    )
    e.fixes.append("make every tensor from this batch's size (`x.size(0)`), or `drop_last=True`")
    return True


def _guidance_doubled(e: Explanation, dim: int, want: int, got: int, other: int | None) -> bool:
    """One small batch twice the other: classifier-free guidance's doubled batch. Said when so."""
    small, large = sorted((want, got))
    if not (small and large == 2 * small and large <= 16):
        return False
    e.causes.append(
        f"one tensor holds twice the other's batch ({small} and {large}): classifier-free guidance runs the "
        "conditional and unconditional copies as one doubled batch, and a tensor prepared for one copy (a "
        "control image, a mask, an embedding) joins it; or a batch repeated on one side only"
    )
    e.fixes.append(f"repeat the smaller one to {large} along the batch (`torch.cat([t, t])`) or split the batch")
    return True


def _skip_off_by_one(e: Explanation, dim: int, want: int, got: int, other: int | None) -> bool:
    """Channels joined with sides one apart: a U-Net skip at a size pooling rounded. Said when so."""
    small, large = sorted((want, got))
    if not (abs(want - got) == 1 and dim == 1 and small >= 8):
        return False
    e.causes.append(
        f"a U-Net-style skip connection at an input size that is not a multiple of 2^depth: a "
        f"2× pooling rounded an odd size down and upsampling doubled back to {small}, "
        f"not {large}"
    )
    e.fixes.append("an input whose H and W are multiples of 2^depth (16 for 4 poolings)")
    e.fixes.append("`x = F.interpolate(x, size=skip.shape[-2:])` before the cat")
    return True


def _cat_maps_sides(e: Explanation, dim: int, want: int, got: int) -> None:
    """Maps joined along the channels: their sides differ, as a skip connection's do at another input size."""
    if dim != 1 or min(want, got) < 4:
        return
    g = math.gcd(want, got)
    scale = f" ({want} = {want // g}·{g}, {got} = {got // g}·{g})" if g >= 4 and g & (g - 1) == 0 else ""
    e.causes.append(
        f"feature maps joined along the channels whose sides differ ({want} vs {got}){scale}: a skip "
        "connection (U-Net, FPN) between an encoder and a decoder map, at an input size the network was not "
        "built for: an input side that is not a multiple of its total stride, or another size than a layer "
        "with a fixed size (a crop, a resize, a pooling to a set size) assumes"
    )
    e.fixes.append(
        "feed the input size the network was built for (a multiple of its total stride), or "
        "`F.interpolate(x, size=skip.shape[-2:])` before the cat"
    )


def _cat_rows_differ(e: Explanation, dim: int, want: int, got: int, other: int | None) -> None:
    """The message does not say which dim differs: for 2-D [rows, features] it is dim 0, the rows."""
    if dim != 1 or other is not None or min(want, got) > 4096:
        return
    e.causes.append(
        f"or, for 2-D [rows, features] tensors (features joined side by side), the rows differ ({want} vs "
        f"{got}): the two come from batches of other sizes (a last, smaller batch on one input only), or "
        "their rows are batch × frames (or tokens) taken from clips of other lengths"
    )
    e.fixes.append("print both shapes before the cat; build both from the same batch (and frame count)")


def view_stride() -> Explanation:
    return Explanation(
        "SC111",
        "view on a tensor whose memory layout was reordered",
        "Tensor.view, after permute/transpose/t()",
        [],
        [
            "`permute` or `transpose` reorders dims without moving memory; `view` cannot merge dims that are "
            "not adjacent in memory"
        ],
        ["`.reshape(...)` (copies only when needed)", "`.contiguous().view(...)`"],
    )


def broadcast(x, y, dim) -> Explanation:
    e = Explanation(
        "SC112",
        f"an elementwise op between shapes that do not broadcast: {x} vs {y} in dim {dim}",
        "elementwise ops (+, -, *, /, torch.where, …)",
        [
            (str(x), f"tensor a's size in dim {dim} (dims counted in the broadcast result, aligned from the right)"),
            (str(y), "tensor b's size there; one of them must be 1, or both equal"),
            (str(dim), "the dim"),
        ],
    )
    small, large = sorted((x, y))
    if _image_channels(e, dim, small, large):
        return e
    near = large - small <= max(3, large // 64) and (small >= 8 or (large - small == 1 and small >= 3))
    if dim >= 2 and small < large <= 4096 and near:
        _rounded_sides(e, small, large)
        return e
    if _vocabulary_width(e, small, large):
        return e
    positions = _past_position_table(e, dim, small, large) or _patch_grids(e, dim, small, large)
    _batch_or_stride(e, x, y, dim, small, large)
    e.causes.append(
        "the two operands were made for different sizes: a bias, mask or positional embedding built for another "
        "size, or an output and a target of different shapes"
    )
    e.fixes.append(
        "print both operands' shapes at the line; make them agree (reshape or `unsqueeze` the smaller so its dims "
        "line up, `F.interpolate` a map, a 1×1 conv with stride 2 on a shortcut)"
    )
    _last_batch_remainder(e, dim, small, large)
    if not positions:
        _one_hot_target(e, dim, small, large)
    return e


# vocabulary sizes of common tokenizers, and whose they are
_VOCABULARIES = {
    30522: "BERT's",
    21128: "Chinese BERT's",
    28996: "cased BERT's",
    119547: "multilingual BERT's",
    50257: "GPT-2's",
    50265: "RoBERTa's and BART's",
    32000: "LLaMA's and Mistral's",
    32128: "T5's",
    49408: "CLIP's",
    250002: "XLM-R's",
    128256: "Llama 3's",
    151936: "Qwen's",
    130528: "ChatGLM's",
    65024: "ChatGLM2's",
    256000: "Gemma's",
}


def _vocabulary_width(e: Explanation, small: int, large: int) -> bool:
    """A vocabulary-sized dim (tens of thousands, no power of two) against a model width (a multiple of 64):
    the language model's logits, one score per token of the vocabulary, used where its hidden states were
    meant. Said (alone) when so."""
    if not (large >= 16_000 and large & (large - 1) and small % 64 == 0 and 256 <= small <= 16_384):
        return False
    whose = f" ({_VOCABULARIES[large]} vocabulary)" if large in _VOCABULARIES else ""
    e.causes.append(
        f"{large} is a vocabulary's size{whose} and {small} a model's hidden width: one operand is the language "
        "model's logits (a score per token of the vocabulary, the LM head's output) where the hidden states were "
        "meant, or the other way round"
    )
    e.fixes.append(
        "take the hidden states, not the logits: `outputs.hidden_states[-1]` (with `output_hidden_states=True`) or "
        "the base model's `last_hidden_state`, instead of `outputs.logits`"
    )
    return True


def _image_channels(e: Explanation, dim: int, small: int, large: int) -> bool:
    """Channel counts of images (3 against 4, 1 against 3) in the leading dims: RGBA or grayscale
    against per-channel constants. Said when so."""
    if dim > 1 or (small, large) not in ((3, 4), (1, 3), (1, 4), (2, 3)):
        return False
    e.causes.append(
        f"{small} and {large} are channel counts of images: an {'RGBA' if large == 4 else 'RGB'} or "
        f"{'grayscale' if small == 1 else 'RGB'} image against per-channel constants made for the other "
        "(transforms.Normalize's mean and std, a model's pixel mean): a PNG with alpha, or a grayscale image"
    )
    e.fixes.append("convert when loading: `Image.open(p).convert('RGB')` (or give Normalize one value per channel)")
    return True


def _batch_or_stride(e: Explanation, x: int, y: int, dim: int, small: int, large: int) -> None:
    """Batches that differ (dim 0), or a spatial dim at half the other's: a shortcut across a stride 2."""
    if dim == 0:
        k = large // small if small and large % small == 0 else 0
        split = (
            f", or the batch split over {k} GPUs (nn.DataParallel, or a trainer run with plain `python` on a "
            f"{k}-GPU machine where `accelerate launch`/`torchrun` was meant): a tensor that does not go through the "
            "split (labels, a buffer kept on the module) keeps the whole batch"
            if k in (2, 4, 8)
            else ""
        )
        e.causes.append(
            f"the batches differ ({x} and {y}): a tensor kept from another batch (a smaller last batch, a "
            "buffer or state made for a fixed batch size), or one operand doubled for guidance or repeated per head"
            + split
        )
    elif dim >= 2 and small and large == 2 * small:
        e.causes.append(
            f"one operand is half the other in a spatial dim ({small} and {large}): a residual connection "
            "across a stride-2 layer (the shortcut keeps the larger map), or a branch downsampled once more"
        )


def _last_batch_remainder(e: Explanation, dim: int, small: int, large: int) -> None:
    """A power-of-two size against a smaller odd one: a batch size against the last batch's remainder."""
    if not (dim >= 1 and large >= 32 and large & (large - 1) == 0 and 1 < small < large and small & (small - 1)):
        return
    e.causes.append(
        f"or {large} is the batch size a tensor was built for (a [B, B] mask of a pairwise or contrastive loss, "
        f"a buffer made once from the configured batch) and this batch holds {small}: the last batch of an "
        "epoch is smaller"
    )
    e.fixes.append("build it from this batch (`x.size(0)`), or `drop_last=True` in the DataLoader")


# the position tables language and text-image models are built with (BERT 512, GPT-2 1024, CLIP 77)
_POSITION_TABLES = (77, 512, 514, 1024, 2048, 4096)


def _past_position_table(e: Explanation, dim: int, small: int, large: int) -> bool:
    """dim 1 of [batch, tokens, features], the smaller a model's position count and the larger a length no
    layer makes (not a multiple of 16): a text longer than the model's positions, added to their table."""
    known = small in _POSITION_TABLES
    # a round length (100, 200, 300) is the max_len a hand-written positional encoding is built for
    if not (dim == 1 and (known or (small % 100 == 0 and large < 2 * small)) and large > small and large % 16):
        return False
    if known:
        e.causes.append(
            f"if dim 1 is the tokens ([batch, tokens, features]): {small} is a model's position count "
            f"(max_position_embeddings: BERT and RoBERTa 512, GPT-2 1024, CLIP's text 77) and the input holds "
            f"{large} tokens: a text longer than the model takes meets its position embeddings (or position ids, a "
            "token-type buffer)"
        )
        e.fixes.append(
            f"truncate to the model's length (`tokenizer(…, truncation=True, max_length={small})`), or split long "
            "texts into chunks the model takes"
        )
        return True
    e.causes.append(
        f"if dim 1 is the tokens ([batch, tokens, features]): {small} reads as the max_len (max_seq_len) a "
        f"positional encoding table was built for, and a sequence of {large} tokens is longer than it"
    )
    e.fixes.append(
        f"build the positional encoding for the longest sequence (max_seq_len ≥ {large}), or cut inputs to {small} "
        "tokens; a trained model's table keeps its length, so its checkpoint loads only with the same max_seq_len"
    )
    return True


def _patch_grids(e: Explanation, dim: int, small: int, large: int) -> bool:
    """dim 1 of [batch, tokens, width], both a square grid plus a class token (197 = 14² + 1, 257 = 16² + 1):
    a ViT's tokens at another image size than its position embeddings were made for."""
    grids = [grid(small), grid(large)]
    if not (dim == 1 and all(g and "+ 1" in g for g in grids)):
        return False
    e.causes.insert(
        0,
        f"both are a ViT's tokens, a square patch grid plus the class token ({grids[0]}; {grids[1]}): the image "
        "reaches the model at another size than its position embeddings (or another patch size) were made for",
    )
    e.fixes.insert(
        0,
        "resize the input to the model's image size, or interpolate the position embeddings to the new grid "
        "(timm: `img_size=` at creation, or `dynamic_img_size=True`)",
    )
    return True


def _one_hot_target(e: Explanation, dim: int, small: int, large: int) -> None:
    """dim 1 of [B, C] or [B, C, H, W]: the classes of an output against a target's other width; first
    when the pasted line compares a target (context.py), dropped when it names other operands."""
    if not (dim == 1 and 2 <= small < large <= 1000):
        return
    e.causes.append(ONE_HOT_CAUSE.format(small=small, large=large))
    e.fixes.append(
        "one-hot the labels to the output's class count (`F.one_hot(y, C).permute(0, 3, 1, 2).float()` for "
        "masks), or use `nn.CrossEntropyLoss` with the class indices"
    )


ONE_HOT_CAUSE = (
    "or a model output and its target compared elementwise (an MSE, Dice or margin loss) with {small} and {large} "
    "in dim 1, the classes: labels as class indices or a colour mask where one-hot labels [B, C, …] are meant "
    "(`F.one_hot(y, num_classes)`, moved to dim 1 for maps), or a head built for another class count"
)


def _rounded_sides(e: Explanation, small: int, large: int) -> None:
    """Two sides a few apart in a spatial dim: one map went down and back up (or through another
    path) and was rounded differently, as happens when the input's side is not a multiple of the
    network's total stride."""
    odd = small if small % 2 else large
    example = f" ({odd} → {odd // 2}, back up to {odd // 2 * 2})" if odd % 2 else ""
    e.causes.append(
        f"{small} and {large} differ by {large - small}: the same map rounded differently on two paths, as a U-Net "
        "or FPN does when the input's side is not a multiple of its total stride: a stride-2 layer floors an odd "
        f"side{example}, so the upsampled map and its skip connection no longer match"
    )
    e.fixes.append(
        "resize or pad the input to a multiple of the network's total stride (16 or 32 for most encoders), or "
        "match the two before joining them: `x = F.interpolate(x, size=skip.shape[2:])` (or crop/pad one)"
    )


def invalid_view(shape_text, total) -> Explanation:
    dims = ints(shape_text)
    const = math.prod(d for d in dims if d != -1) or 1
    e = Explanation(
        "SC113",
        f"view/reshape to {shape_text} does not fit {total} values",
        "Tensor.view / reshape",
        [
            (shape_text, "the shape asked for (-1 is inferred)"),
            (str(total), "values in the tensor: batch × values per sample"),
            (str(const), f"the fixed part: {total} is not a multiple of it"),
        ],
    )
    flatten = len(dims) == 2 and dims[0] == -1
    readings = [] if flatten else view_readings(dims, total)
    e.causes += readings[:3]
    if readings:
        e.fixes.append(_sizes_fix(dims, total))
    elif dims and dims[0] > 1 and -1 in dims[1:] and total % dims[0]:
        e.causes.append(
            f"the view fixes the batch at {dims[0]}, and {total} values are not a multiple of it: the tensor holds "
            "another number of samples (the last batch of an epoch is smaller, or the batch was split over GPUs)"
        )
        e.fixes.append("take the batch from the tensor: `x.view(x.size(0), -1)` (or `drop_last=True`)")
    else:
        _flatten_story(e, dims, total, const)
    return e


def _sizes_fix(dims: list[int], total: int) -> str:
    """The fix of a view the readings explain: the per-sample size of a [batch, features] flatten, or sizes
    computed from the tensor."""
    if not (len(dims) == 2 and dims[0] > 1 and total % dims[0] == 0):
        return (
            "compute the sizes from the tensor (`B, N, C = x.shape`; `h = w = int(N ** 0.5)` after dropping "
            "extra tokens), not from constants or the config"
        )
    # [batch, features]: a flatten before a Linear whose per-sample size is not the constant
    per = total // dims[0]
    flat = _flattened_map(per)
    return (
        f"if the batch ({dims[0]}) is right, each sample holds {per} values"
        + (f" ({per} = {flat}, a conv map flattened)" if flat else "")
        + f": flatten with `x.view(x.size(0), -1)` (or `torch.flatten(x, 1)`) and build the next Linear for "
        f"{per} in_features, or an `nn.AdaptiveAvgPool2d` before it so the constant holds"
    )


def _flatten_story(e: Explanation, dims: list[int], total: int, const: int) -> None:
    split = _square_split(const, _CHANNELS) if -1 in dims else None
    if split:
        ch, side = split
        near = range(side - 1, max(side - 2000, 0), -1), range(side + 1, min(side * 4, side + 2000))
        for h in [*near[0], *near[1]]:  # nearest sizes first
            per = ch * h * h
            if per != const and total % per == 0:
                e.causes.append(
                    f"{const} = {ch}·{side}·{side} was written for a {side}×{side} map; a batch of "
                    f"{total // per} with {ch}·{h}·{h} = {per} values per sample gives {total}: "
                    f"the map is {h}×{h}, so the input size changed"
                )
                break
    e.causes.append("a flatten written as `x.view(-1, constant)` only fits the input size it was written for")
    if not split and len(dims) == 2 and dims[1] > 1000:
        e.causes.append(
            f"or {dims[1]} is a class or vocabulary count and the tensor's last dim is another (a resized "
            "vocabulary, added tokens): `logits.view(-1, logits.size(-1))` takes it from the tensor"
        )
    e.fixes.append(
        "`x = torch.flatten(x, 1)` and in_features from the actual map, or an "
        "`nn.AdaptiveAvgPool2d` before it so the constant holds at any size"
    )


def view_readings(dims: list[int], total: int) -> list[str]:
    """Which dims of a view could be the wrong ones: each reading keeps the other dims and says
    what the tensor holds there instead (a grid of another size, extra tokens, more heads, features
    of another width); several when several fit, so the paste's own code can tell them apart."""
    if -1 in dims:
        return _readings_with_inferred(dims, total)
    size = math.prod(dims) or 1
    whole = total > size and total % size == 0 and bool(dims) and dims[0] != total // size
    out = [_whole_view_reading(dims, total, size)] if whole else []
    return out + _grid_readings(dims, total, whole) + _one_dim_readings(dims, total)


def _whole_view_reading(dims: list[int], total: int, size: int) -> str:
    """The whole view fits a whole number of times: a leading dim the view leaves out."""
    k = total // size
    return (
        f"{total} = {k}·{size}: the tensor holds {k} times the view's values: a batch (or heads, frames) dim of "
        f"{k} the view leaves out (`view({k}, {', '.join(map(str, dims))})`, or -1 for it)"
    )


def _grid_readings(dims: list[int], total: int, whole: bool) -> list[str]:
    """Two equal neighbours are a grid (H, W): what the tensor holds there, when the other dims divide it."""
    out: list[str] = []
    for i in range(len(dims) - 1):
        if dims[i] == dims[i + 1] > 1:
            rest = math.prod(dims[:i] + dims[i + 2 :]) or 1
            if total % rest == 0 and not (whole and len(dims) == 2):  # the grid is the whole view: said above
                out.append(_grid_reading(total // rest, dims[i], rest_dims=dims[:i] + dims[i + 2 :]))
    return out


def _one_dim_readings(dims: list[int], total: int) -> list[str]:
    """Each dim that alone could be off (the others divide the tensor): what it holds instead."""
    out: list[str] = []
    for i, d in enumerate(dims):
        rest = math.prod(dims[:i] + dims[i + 1 :]) or 1
        if total % rest or d <= 1:
            continue
        need = total // rest
        if i == 0 and need < d:
            continue  # a smaller batch: said from the paste's view line (context.py)
        if (i + 1 < len(dims) and dims[i + 1] == d) or (i > 0 and dims[i - 1] == d):
            continue  # a grid side: read as a grid above
        out.append(_dim_reading(dims, i, need))
    return out


def _grid_reading(positions: int, side: int, rest_dims: list[int]) -> str:
    s = math.isqrt(positions)
    square = f" = {s}·{s}" if s * s == positions else ""
    head = (
        f"if only the grid is off: the tensor holds {positions}{square} positions per row, not {side}·{side} = "
        f"{side * side}"
    )
    if square:
        return f"{head}: a {s}×{s} grid, so the image (or patch) size differs from what {side}×{side} assumes"
    extra = positions - s * s
    if 0 < extra <= 8 and s >= 7:
        return (
            f"{head}: {positions} = {s}² + {extra}, a {s}×{s} grid plus {extra} extra token(s) (class or "
            "distillation) still included"
        )
    return head


def _dim_reading(dims: list[int], i: int, need: int) -> str:
    d = dims[i]
    where = "the batch" if i == 0 else "the last dim" if i == len(dims) - 1 else f"dim {i}"
    text = f"if only {where} is off: it holds {need}, not {d}"
    if need % d == 0:
        text += f" ({need // d}× as many"
        text += ": heads or frames folded in, or a doubled batch)" if i == 0 else ")"
    elif d % need == 0:
        text += f" ({d // need}× fewer)"
    if i == len(dims) - 1 and len(dims) >= 3 and i >= 1:
        text += f"; each row has {need * dims[i - 1]} values where the view expects {d * dims[i - 1]}"
    return text + (_other_grid(need, d) if i >= 1 else "")


def _other_grid(need: int, d: int) -> str:
    """Two square counts in a positions dim: the grid of a map the view was sized for another input."""
    a, b = math.isqrt(need), math.isqrt(d)
    if not (a >= 4 and b >= 4 and a * a == need and b * b == d and a != b):
        return ""
    return (
        f"; {need} = {a}² and {d} = {b}²: a {a}×{a} grid of positions where the view expects {b}×{b}: the "
        "input image is another size than the one the view's grid was computed for (a detection head's grid is "
        "the input size over its stride): feed the input size the model was built for"
    )


def _readings_with_inferred(dims: list[int], total: int) -> list[str]:
    """A view with an inferred -1 that does not fit: read from the leading sizes that divide the
    tensor (rows that do not split), and, with the -1 first, from the rows of the last size."""
    j = dims.index(-1)
    out: list[str] = []
    leading = _leading_rows_reading(dims, j, total)
    if leading is not None:
        out.append(leading)
    if j == 0 and len(dims) >= 3 and total % dims[-1] == 0:
        out.append(_last_size_reading(dims, total))
    return out


def _leading_rows_reading(dims: list[int], j: int, total: int) -> str | None:
    """The longest run of leading sizes (up to the -1) that divides the tensor makes rows: their
    values do not split into the sizes after it, and why."""
    prefix = 0
    for p in range(1, j + 1):
        if total % math.prod(dims[:p]) == 0:
            prefix = p
    if not prefix or prefix >= len(dims):
        return None
    rows = math.prod(dims[:prefix])
    per = total // rows
    rest = [d for d in dims[prefix:] if d != -1]
    names = "·".join(map(str, dims[:prefix]))
    text = (
        f"each of the {names} = {rows} rows holds {per} values, which do not split into "
        f"{'·'.join(map(str, rest)) or '1'} (× the inferred -1)"
    )
    grouped = _tokens_grouped(per, rest[-1]) if len(rest) == 1 and j < len(dims) - 1 else None
    return text + (grouped or _row_split_reason(per, rest))


def _row_split_reason(per: int, rest: list[int]) -> str:
    """Why a row of `per` values does not split into `rest`: a width the heads do not divide, or a
    row smaller than the view assumes."""
    split = math.prod(rest) or 1
    if len(rest) >= 2 and per % rest[0] == 0 and (per // rest[0]) % math.prod(rest[1:]):
        part = per // rest[0]
        return (
            f": {per} = {rest[0]}·{part}, and {part} is not a multiple of {math.prod(rest[1:])} (heads): "
            "the embedding width is not divisible by the number of heads, or the layer before was built "
            "for another width"
        )
    if per < split:
        return (
            f": {per} < {split}, the tensor is smaller than the view assumes (a width or head count from "
            "another config)"
        )
    return ""


def _last_size_reading(dims: list[int], total: int) -> str:
    """`view(-1, a, b, c)`: the tensor's rows of the last size do not group in the middle sizes;
    for a square grid, the grid they do make (or the extra class tokens in it)."""
    rows = total // dims[-1]
    mid = math.prod(dims[1:-1])
    groups = f"{mid} ({'·'.join(map(str, dims[1:-1]))})" if len(dims) > 3 else f"{mid}s"
    text = f"the tensor has {rows} rows of {dims[-1]}, which do not group in {groups}"
    if len(dims) == 4 and dims[1] == dims[2]:
        s = math.isqrt(rows)
        if s * s == rows:
            text += f": {rows} = {s}², a {s}×{s} grid, not {dims[1]}×{dims[1]}"
        elif rows > mid and rows - mid <= 8 and rows % mid:
            text += (
                f": {rows} = {dims[1]}² + {rows - mid}, {rows - mid} extra token(s) (class tokens) still in the grid"
            )
    return text


def _tokens_grouped(per: int, last: int) -> str | None:
    """A row of `per` values viewed as (-1, last) where `last` groups k tokens of width w: each row is
    n tokens of w, and n is not a multiple of k (729 = 27² tokens of 1152, viewed in groups of 4)."""
    w = math.gcd(per, last)
    k, n = last // w, per // w
    if not (2 <= k <= 16 and n > k and w >= 32):
        return None
    text = (
        f": {per} = {n}·{w}, {n} tokens of width {w}, and {last} = {k}·{w} groups them {k} at a time: "
        f"{n} tokens do not group in {k}s"
    )
    side = math.isqrt(n)
    if side * side == n:
        text += (
            f"; {n} = {side}², a {side}×{side} grid of patch tokens: the encoder gives another grid than the one "
            "the grouping was written for (another image size or patch size, another vision model)"
        )
    elif relation := grid(n):
        text += f"; {relation}"
    return text


def batch_sizes(got, want) -> Explanation:
    e = Explanation(
        "SC106",
        f"the loss got {got} rows of scores for {want} targets",
        "a loss (F.cross_entropy, nn.CrossEntropyLoss, …) comparing output and target rows",
        [(str(got), "rows in the model's output (every dim but the classes)"), (str(want), "targets")],
    )
    for reading in _BATCH_READINGS:
        if reading(e, got, want):
            break
    return e


def _rows_of_pixels(e: Explanation, got: int, want: int) -> bool:
    """Counts of pixels or tokens on both sides."""
    if not (got >= 10_000 and want >= 10_000):
        return False
    e.causes.append(
        f"{got} and {want} are counts of pixels or tokens, not batches: the output and the target were "
        "flattened at different sizes (a segmentation output map smaller or larger than its label, sequences "
        "padded to different lengths)"
    )
    e.fixes.append("make the output's spatial size (or length) the target's before flattening (`F.interpolate`)")
    return True


def _rows_are_classes(e: Explanation, got: int, want: int) -> bool:
    """A dataset's class count read as the batch."""
    if not (got in _CLASS_COUNTS and want <= 64 and got > want):
        return False
    e.causes.append(
        f"{got} is {_CLASS_COUNTS[got]}: the scores lost their batch dim: one image's map [C, H, W] (a slice "
        "of the batched output: iterating over the output tensor where a list of outputs was meant, or "
        f"indexing [0]) reaches the loss, which reads its {got} classes as the batch"
    )
    e.fixes.append(
        "give the loss the whole batched output [N, C, H, W] with the targets [N, H, W]; iterate over a list of "
        "outputs, not over a tensor's first dim"
    )
    if got % want == 0:
        e.causes.append(f"or each target has {got // want} rows of scores: positions or branches folded into the batch")
    return True


def _rows_per_target(e: Explanation, got: int, want: int) -> bool:
    """More rows of scores than targets, a whole number per target."""
    if not (want and got > want and got % want == 0):
        return False
    k = got // want
    side = math.isqrt(k)
    if side >= 3 and side * side == k and k & (k - 1):
        # a square count of rows per target (not a power of two, which a folding view makes as often): the
        # positions of a map that reached the classifier unpooled
        e.causes.append(
            f"each target has {k} = {side}² rows of scores: the {side}×{side} positions of a feature map: the "
            f"backbone's map [B, C, {side}, {side}] reached the classifier (or the loss) without its global "
            f"pooling, so every position became a row ({got} = {want}·{side}·{side})"
        )
        e.fixes.append(
            "pool before the head: `x = F.adaptive_avg_pool2d(x, 1).flatten(1)` (or the backbone's pooled "
            "output, `pool=True` / `global_pool=` in its config)"
        )
    e.causes.append(
        f"each target has {k} rows of scores: `x.view(-1, n)` with n smaller than one sample's size "
        f"folds positions into the batch, `torch.cat(…, 0)` stacked branches along the batch, or scores per "
        f"token or pixel ([B·{k}, C]) against one label per sample"
    )
    e.fixes.append(
        "flatten with `torch.flatten(x, 1)` / `x.view(x.size(0), -1)`; join branches with `torch.cat(…, dim=1)`"
    )
    return True


def _values_per_row(e: Explanation, got: int, want: int) -> bool:
    """More targets than rows, a whole number per row."""
    if not (got and want > got and want % got == 0):
        return False
    k = want // got
    e.causes.append(
        f"the target has {k} values per output row: one-hot or multi-label targets [{got}, {k}] flattened "
        f"(`labels.view(-1)`), or a target per token or pixel where the output has one row per sample"
    )
    e.fixes.append(
        "give CrossEntropyLoss class indices [N] (`labels.argmax(1)` for one-hot), or use BCEWithLogitsLoss "
        "for multi-label targets of the output's shape"
    )
    side = math.isqrt(k)
    if got > 1 and side >= 16 and side * side == k:
        # a square count per row: a mask of side × side pixels for each image
        e.causes.insert(
            0,
            f"{want} = {got}·{side}²: a {side}×{side} mask per image: a segmentation target (one label per pixel) "
            f"against an output with one row per image: the model ends in a classifier (pooling and a Linear) "
            "where per-pixel scores [N, C, H, W] are needed, or the mask was flattened and the scores were not",
        )
        e.fixes.insert(
            0,
            "give the loss per-pixel scores [N, C, H, W] with the mask [N, H, W] as it is (a segmentation head, "
            "no global pooling); flatten both the same way if at all (`logits.permute(0, 2, 3, 1).reshape(-1, C)`)",
        )
    if got == 1 and want >= 8:
        # one row of scores: a batch of one, whose target lost its batch dim ([H, W] for [1, H, W]), reads
        # its first dim as the batch
        e.causes.insert(
            0,
            f"a batch of one (1 row) whose target lost its batch dim: a mask or sequence [{want}, …] for one "
            f"sample is read as {want} samples (its first size, {want}, taken as the batch)",
        )
        e.fixes.insert(0, "give the target its batch dim back: `target.unsqueeze(0)` (a batch of one: [1, …])")
    return True


def _rows_shifted(e: Explanation, got: int, want: int) -> bool:
    """Two lengths a shift apart."""
    g = math.gcd(got, want)
    if not (g >= 2 and min(got, want) // g >= 2 and abs(got - want) == g):
        return False
    e.causes.append(
        f"{got} = {g}·{got // g} and {want} = {g}·{want // g}: {g} sequences of {got // g} and "
        f"{want // g} positions: the scores and the labels were cut to lengths that differ by one (the "
        "next-token shift applied to one side only), or padded to different lengths"
    )
    e.fixes.append("shift both the same way: `logits[:, :-1]` with `labels[:, 1:]`, then flatten both")
    return True


def _rows_of_tokens(e: Explanation, got: int, want: int) -> bool:
    """Two token counts of one batch."""
    split = _token_rows(got, want)
    if split is None:
        return False
    batch, per_got, per_want = split
    e.causes.append(
        f"{got} = {batch}·{per_got} and {want} = {batch}·{per_want}: a batch of {batch} sequences flattened "
        f"to tokens, {per_got} per sample in the scores and {per_want} in the labels: the inputs and the labels "
        "were truncated (or padded) to different lengths, as when long texts are cut for the model but their "
        "word-level labels are not"
    )
    e.fixes.append(
        "truncate and pad the labels with the inputs (the same max_length, labels aligned to the kept tokens, "
        "-100 for padding) before flattening both"
    )
    return True


def _rows_unpaired(e: Explanation, got: int, want: int) -> bool:
    """No relation: a last batch, or rows that do not pair up."""
    small, large = sorted((got, want))
    batch_like = large & (large - 1) == 0 or (large % 50 == 0 and large <= 1000)
    if large >= 8 and batch_like and small < large and small < 10_000:
        # a power of two is the configured batch size; the other, smaller count is a last batch's remainder
        which = "scores" if got == small else "targets"
        e.causes.append(
            f"{large} is a batch size and {small} a last, smaller batch (the dataset's remainder): the {which} "
            f"come from that last batch while the other side was made for a full batch of {large} (labels or a "
            "buffer sized with the configured batch size, not taken from this batch)"
        )
        e.fixes.append(
            "take both from the same batch (`x, y = batch`), size buffers by `x.size(0)`, or `drop_last=True`"
        )
    e.causes.append(
        f"{'or ' if e.causes else ''}the output's rows and the targets do not pair up: the "
        "output (or the target) was reshaped so that its first dim is no longer the batch, or they come from "
        "different batches"
    )
    e.fixes.append(
        "print `output.shape, target.shape` before the loss; flatten with `torch.flatten(x, 1)` and keep the "
        "batch first"
    )
    return True


_BATCH_READINGS = (
    _rows_of_pixels,
    _rows_are_classes,
    _rows_per_target,
    _values_per_row,
    _rows_shifted,
    _rows_of_tokens,
    _rows_unpaired,
)


# class counts of segmentation and detection datasets (a map's classes read as a batch)
_CLASS_COUNTS = {
    182: "COCO-Stuff's 182 classes",
    171: "COCO-Stuff's 171 classes",
    150: "ADE20K's 150 classes",
    133: "COCO panoptic's 133 classes",
    91: "COCO's 91 category ids",
    81: "COCO's 80 classes + background",
    59: "PASCAL-Context's 59 classes",
    21: "VOC's 20 classes + background",
    19: "Cityscapes' 19 classes",
}


def _token_rows(got: int, want: int) -> tuple[int, int, int] | None:
    """Two row counts as one batch of sequences flattened at two lengths: (batch, per-sample rows of
    each), when both are long enough for tokens (16 or more per sample) and the batch a plausible one;
    else None."""
    split = per_sample(got, want)
    if split is None or min(got, want) < 256:
        return None
    batch, a, b = split
    if min(a, b) < 16 or batch > 256:
        return None
    return batch, a, b


def checkpoint(key, got, want, paste: str = "") -> Explanation:
    """A state-dict tensor of another shape than the model's: the key names what it is (a LoRA
    factor, a vocabulary, position embeddings, a head, a stem), and the two shapes say how the
    configurations differ (transposed, a rank, a vocabulary, an image size, a width)."""
    e = Explanation(
        "SC110",
        f"a checkpoint's `{key}` is {got}, the model's is {want}",
        "nn.Module.load_state_dict copying checkpoint tensors into the model",
        [
            (key, "the state-dict key"),
            (str(got), "its shape in the checkpoint"),
            (str(want), "its shape in the model as built"),
        ],
    )
    name = key.lower()
    if _BOX_KEYS.search(name) and (scores := _class_scores(paste)) is not None:
        # a box regression's outputs are 4 per class: the class scores' own line says the class counts plainly
        return checkpoint(*scores, paste="")
    if _inner_widths(paste) >= 2:
        # several layers differ in their input or kernel dims too, not only in their outputs (as a head
        # of another class count does): a width or variant, whatever the last key is
        e.causes.append(
            "several layers of the checkpoint differ from the model's, in their inputs too: a model of another "
            "variant or width (a width or depth multiplier, a model size, a channel setting) than the checkpoint's"
        )
        e.fixes.append(
            "build the model with the checkpoint's own config (the variant, size or width it was trained with)"
        )
    else:
        # a bias's sizes say less than its layer's weight: read the weight's line when the paste has it
        shapes = _weight_of(key, paste) if len(got) == len(want) == 1 and name.endswith(".bias") else None
        tries = [shapes, (got, want)] if shapes else [(got, want)]
        if not any(reading(e, name, g, w) for g, w in tries for reading in _CHECKPOINT_READINGS):
            e.causes.append("the model was built with another configuration than the checkpoint was trained with")
    e.fixes.append(
        "drop the keys that do not fit before loading: strict=False skips missing keys, not size "
        "mismatches; `shapecheck MODEL --weights CKPT` lists every difference"
    )
    return e


_MISMATCH = re.compile(
    r"size mismatch for ([\w.]{1,300}): copying a param (?:with shape|of) torch\.Size\(\[([\d, ]{0,80})\]\) from "
    r"checkpoint, (?:the shape in current model is|where the shape is) torch\.Size\(\[([\d, ]{0,80})\]\)"
)


_BOX_KEYS = re.compile(r"bbox_pred|box_pred|bbox_reg|box_regress")


def _class_scores(paste: str) -> tuple[str, list[int], list[int]] | None:
    """The paste's mismatch of a class-score layer's weight (`cls_score.weight`): key and both shapes."""
    for k, got, want in _MISMATCH.findall(paste):
        if re.search(r"cls_score|class_logits|cls_logits", k) and k.endswith(".weight") and "rpn" not in k.lower():
            return k, ints(got), ints(want)
    return None


def _weight_of(key: str, paste: str) -> tuple[list[int], list[int]] | None:
    """The checkpoint's and the model's shapes of the weight of `key`'s layer, from the paste's lines."""
    weight = key[: -len(".bias")] + ".weight"
    for k, got, want in _MISMATCH.findall(paste):
        if k == weight:
            return ints(got), ints(want)
    return None


# class counts of the datasets checkpoints are trained on (ImageNet, COCO with and without background,
# VOC, Cityscapes, ADE20K, CIFAR, Places)
_DATASET_CLASSES = {1000, 1001, 91, 81, 80, 21, 20, 19, 150, 151, 10, 100, 365, 2}


def _class_like(n: int) -> bool:
    """A count that reads as classes, not a width: a dataset's class count, not a multiple of 8, or a round
    decimal (5000 answers)."""
    return n in _DATASET_CLASSES or n % 8 != 0 or n % 1000 == 0


def _inner_widths(paste: str) -> int:
    """How many layers of the paste's size mismatches differ in a dim other than their outputs (dim 0):
    a head of another class count changes only outputs; a width or variant changes inputs too."""
    layers = set()
    for key, got, want in _MISMATCH.findall(paste):
        a, b = ints(got), ints(want)
        if len(a) == len(b) >= 2 and a[1:] != b[1:]:
            layers.add(key.rsplit(".", 1)[0])
    return len(layers)


def _ckpt_transposed(e: Explanation, name: str, got: list[int], want: list[int]) -> bool:
    if not (len(got) == 2 and got == want[::-1] and got[0] != got[1]):
        return False
    e.causes.append(
        f"the same weight transposed: the checkpoint stores [{got[0]}, {got[1]}] = [in, out] (as GPT-2's Conv1D "
        "and TensorFlow/JAX ports do), the model's nn.Linear keeps [out, in]"
    )
    e.fixes.append(
        "transpose those weights while converting (`sd[k] = sd[k].t()`), or load into the class they came from"
    )
    return True


def _ckpt_lora(e: Explanation, name: str, got: list[int], want: list[int]) -> bool:
    if not re.search(r"lora_(?:a|b|down|up)\b|lora_(?:a|b)\.", name) or len(got) != len(want) or len(got) < 2:
        return False
    dim = 1 if re.search(r"lora_(?:b|up)", name) else 0
    e.causes.append(
        f"a LoRA factor of another rank: the adapter was trained with r={got[dim]}, the model's LoRA config has "
        f"r={want[dim]}"
    )
    e.fixes.append(
        f"build the adapter with the checkpoint's config (`LoraConfig(r={got[dim]}, …)`, its adapter_config.json)"
    )
    return True


_VOCAB_KEYS = re.compile(
    r"embed_tokens|word_embeddings|\bwte\b|lm_head|embed_out|shared\.weight|tok_embeddings|token_embedding"
)
# the last layer of a classifier: `fc.weight`, `classifier.1.bias`, `head.weight` (not `heads.…`, `output_blocks.…`),
# and a class word ending a longer name: `back_end_cls.3.bias`, `fc_cls.weight`, `class_embed.bias` (DETR)
_HEAD_KEYS = re.compile(
    r"(?:(?:^|\.)(?:fc|head|classifier|cls\w*|logits|out|output|last_linear|score)|(?:^|\.)\w+_(?:cls|classifier|logits)"
    r"|(?:^|\.)class(?:_\w+)?)(?:\.\d+)?\.(?:weight|bias)$"
)
# a model's first layer, the one an input of another kind changes
_FIRST_KEYS = re.compile(r"conv1\b|conv_in|stem|patch_embed|input_blocks\.0\.|features\.0\.|conv_first|^conv\.")
_POSITION_KEYS = re.compile(r"pos_embed|position_embedding|positional|absolute_pos|wpe\b|pos_emb")


def _ckpt_vocabulary(e: Explanation, name: str, got: list[int], want: list[int]) -> bool:
    if not (_VOCAB_KEYS.search(name) and len(got) == len(want) == 2 and got[1] == want[1] and got[0] != want[0]):
        return False
    e.causes.append(
        f"vocabularies of two sizes: the checkpoint's has {got[0]} tokens, the model's {want[0]} (a tokenizer with "
        "added tokens, or a model of another family or release)"
    )
    e.fixes.append(
        f"`model.resize_token_embeddings({got[0]})` before loading (the tokenizer the checkpoint was trained with)"
    )
    return True


def _ckpt_positions(e: Explanation, name: str, got: list[int], want: list[int]) -> bool:
    if not (_POSITION_KEYS.search(name) and len(got) == len(want) and len(got) >= 2):
        return False
    differ = [d for d in range(len(got)) if got[d] != want[d]]
    if len(differ) != 1:
        return False
    cause, fix = _positions_apart(got[differ[0]], want[differ[0]])
    e.causes.append(cause)
    e.fixes.append(fix)
    return True


def _positions_apart(a: int, b: int) -> tuple[str, str]:
    """A position table of `a` positions in the checkpoint and `b` in the model: a class token, another
    patch grid (image size), or another length."""
    ga, gb = grid(a), grid(b)
    if ga and gb and abs(a - b) == 1:
        with_token, without = ("the model", "the checkpoint") if b > a else ("the checkpoint", "the model")
        return (
            f"one class token apart on the same patch grid ({ga}; {gb}): {with_token} has a class token and "
            f"{without} has none (a model pooled without one: global average pooling, DeiT-style or MAE "
            "encoders saved without it), not another image size"
        ), (
            "build the model as the checkpoint was: without a class token (timm: `class_token=False, "
            "global_pool='avg'`) or with one; or add or drop the token's position when loading (`pos_embed[:, 1:]`)"
        )
    if ga and gb:
        return f"position embeddings for another image size: the checkpoint's {ga}; the model's {gb}", (
            "build the model with the checkpoint's image size (`img_size=`), or interpolate the position embeddings "
            "to the new grid when loading (timm's `resample_abs_pos_embed`)"
        )
    sa, sb = _square_side(a), _square_side(b)
    if sa and sb:
        # a position table's square counts (64 = 8², 256 = 16²) are patch grids even where, alone, they read as widths
        return (
            f"position embeddings for another patch grid: {a} = {sa}×{sa} in the checkpoint, {b} = {sb}×{sb} in the "
            "model: the model was built for another input (image) size or patch size than the checkpoint"
        ), (
            "build the model with the checkpoint's input size (or patch size), or interpolate the position embeddings "
            f"from {sa}×{sa} to {sb}×{sb} when loading"
        )
    return (
        f"a position table of {a} positions in the checkpoint, {b} in the model (max length)",
        f"build the model with the checkpoint's length ({a}), or interpolate the table",
    )


def _square_side(n: int) -> int:
    """The side of a square grid of n positions (4×4 and more), else 0."""
    side = math.isqrt(n)
    return side if side >= 4 and side * side == n else 0


def _ckpt_head(e: Explanation, name: str, got: list[int], want: list[int]) -> bool:
    if not (_linear_head(name, got, want) or _conv_head(got, want)):
        return False
    e.causes.append(
        f"a classifier (or detection) head: the checkpoint was trained with num_classes={got[0]}, the model was "
        f"built with {want[0]}"
    )
    if re.search(r"roi_heads|box_predictor|cls_score|class_embed|class_logits", name) and not head_classes(
        got[0], want[0]
    ):
        # detection heads count one class more than the dataset has: torchvision's background, DETR's "no object"
        e.causes[-1] += (
            f"; a detection head counts the background (or DETR's no-object) as a class: {got[0]} = {got[0] - 1} + 1 "
            f"and {want[0]} = {want[0] - 1} + 1, so the code that builds the model (often a predict or eval script) "
            "passes another num_classes than training did"
        )
    if relation := head_classes(got[0], want[0]):
        # the counts say which dataset the checkpoint's head was trained on: fine-tuning on another class count
        # meets this on the head alone, which is then trained anew
        e.causes[-1] += (
            f"; the counts read as a dataset's classes ({relation}): a pretrained checkpoint loaded for fine-tuning "
            "on another dataset, whose head (and only the head) cannot be copied"
        )
        e.fixes.append(
            "expected when fine-tuning on your own classes: load without the head's keys (drop them from the state "
            "dict; detection toolkits re-initialise the head and warn), so it is trained anew for your classes"
        )
    e.fixes.append(
        f"build the model with num_classes={got[0]}, load, then replace the head with a {want[0]}-way layer (or "
        "drop the head's keys before loading)"
    )
    return True


# a layer inside a repeated block: a numbered block with a named part after it (`layer1.0.se.fc.0.weight`,
# `blocks.3.mlp.fc1.weight`); the model's head is its last layer, not a part of a block
_IN_BLOCK = re.compile(r"(?:^|\.)\d+\.[A-Za-z_]\w*\.")
_CLASS_WORDS = re.compile(r"cls|class|logit|score|label")


def _linear_head(name: str, got: list[int], want: list[int]) -> bool:
    """A Linear's weight (or a head's bias) whose outputs alone differ, named as a head or in counts
    that read as classes; never a layer inside a block (an SE block's `fc`), unless it names classes."""
    if _IN_BLOCK.search(name) and not _CLASS_WORDS.search(name):
        return False
    if len(got) == len(want) == 1:
        return got != want and bool(_HEAD_KEYS.search(name))
    return (
        len(got) == len(want) == 2
        and got[1] == want[1]
        and got[0] != want[0]
        and (bool(_HEAD_KEYS.search(name)) or _class_like(got[0]) or _class_like(want[0]))
    )


def _conv_head(got: list[int], want: list[int]) -> bool:
    """A conv whose outputs alone differ: a 1×1 head, or a k×k one (segmentation, detection) whose
    counts read as classes."""
    if len(got) != 4 or len(want) != 4 or got[1:] != want[1:] or got[0] == want[0]:
        return False
    return got[2:] == [1, 1] or _class_like(got[0])


def _ckpt_input_width(e: Explanation, name: str, got: list[int], want: list[int]) -> bool:
    first = bool(
        re.search(r"conv1\b|conv_in|stem|patch_embed|input_blocks\.0\.|features\.0\.|conv_first|^conv\.", name)
    )
    if len(got) == len(want) == 4 and got[0] == want[0] and got[1] != want[1] and first:
        unet = bool(re.search(r"input_blocks\.0\.0|conv_in|patch_embed", name))
        e.causes.append(
            f"a first conv of another input: {got[1]} channels in the checkpoint, {want[1]} here"
            + (
                " (a UNet of another kind: 9 = inpainting, 8 = instruct, 4 = plain)"
                if unet
                else " (a stem for other images)"
            )
        )
        e.fixes.append(
            "build the model with the checkpoint's in_channels (its own config), or adapt the weight (average over "
            "the input channels)"
        )
        return True
    if len(got) == len(want) >= 2 and got[0] == want[0] and got[1] != want[1] and got[2:] == want[2:]:
        e.causes.append(
            f"a layer with another input width: {got[1]} features in the checkpoint, {want[1]} here (a latent or noise "
            "size, an embedding width, or a flatten of another input size)"
        )
        e.fixes.append(f"build the model with the checkpoint's setting ({got[1]}) for that width")
        return True
    return False


def _ckpt_width(e: Explanation, name: str, got: list[int], want: list[int]) -> bool:
    # every dim differs, or both channel dims of a conv (its kernel kept): the layer is wider or narrower
    channels = len(got) == len(want) == 4 and got[0] != want[0] and got[1] != want[1] and got[2:] == want[2:]
    if not channels and not (len(got) == len(want) >= 1 and all(g != w for g, w in zip(got, want, strict=True))):
        return False
    e.causes.append(
        f"a model of another size: {shape_text_of(got)} in the checkpoint against {shape_text_of(want)}, the "
        "checkpoint of another variant (base against large, another hidden size) than the config built"
    )
    e.fixes.append("build the model from the checkpoint's own config (or the variant it names)")
    return True


def _ckpt_ratio(e: Explanation, name: str, got: list[int], want: list[int]) -> bool:
    """A layer inside a block whose outputs alone differ, both a whole fraction of its inputs: a width the block
    derives from its channels by a ratio (an SE or bottleneck reduction, an expansion) set otherwise."""
    if not (_IN_BLOCK.search(name) and len(got) == len(want) >= 2 and got[1:] == want[1:] and got[0] != want[0]):
        return False
    c = got[1]
    if min(got[0], want[0]) < 1 or c % got[0] or c % want[0] or min(c // got[0], c // want[0]) < 2:
        return False
    e.causes.append(
        f"a width inside a block set by a ratio of its {c} channels: {c}/{c // got[0]} = {got[0]} in the checkpoint, "
        f"{c}/{c // want[0]} = {want[0]} in the model: the block was built with another reduction ratio "
        f"({c // got[0]} against {c // want[0]}: an SE or bottleneck `reduction`, of another configuration)"
    )
    e.fixes.append(
        f"build the model with the checkpoint's ratio ({c // got[0]}), the configuration it was trained with"
    )
    return True


def _ckpt_sharded(e: Explanation, name: str, got: list[int], want: list[int]) -> bool:
    """An empty [0] tensor in the checkpoint where the model has a real one: saved from a sharded model."""
    if not (got == [0] and want and 0 not in want):
        return False
    e.causes.append(
        "the checkpoint holds an empty [0] tensor: it was saved from a sharded model (DeepSpeed ZeRO-3 or FSDP) "
        "without gathering the parameters: each rank keeps a partition, and the saved state dict holds empty "
        "placeholders (an adapter file of a few hundred KB)"
    )
    e.fixes.append(
        "save with the parameters gathered: ZeRO-3 `stage3_gather_16bit_weights_on_model_save: true` (or "
        "`deepspeed.zero.GatheredParameters`, `zero_to_fp32.py` on the checkpoint folder); FSDP a full state dict "
        "(`FULL_STATE_DICT`); then retrain or re-save, since the saved file holds no weights"
    )
    return True


def _ckpt_anchors(e: Explanation, name: str, got: list[int], want: list[int]) -> bool:
    """A region proposal head whose outputs differ: outputs per anchor × anchors per location."""
    if not ("rpn" in name and len(got) == len(want) and got[1:] == want[1:] and got[0] != want[0]):
        return False
    per = 4 if re.search(r"bbox|box|reg|delta", name) else 2 if got[0] % 2 == want[0] % 2 == 0 else 1
    a, b = got[0] // per, want[0] // per
    what = {4: "4 box deltas", 2: "2 scores (object, background)", 1: "1 objectness score"}[per]
    shapes = "; ".join(
        f"{n} = {s}·3 (scales × ratios)" for n, s in ((a, a // 3), (b, b // 3)) if n % 3 == 0 and n // 3 > 1
    )
    e.causes.append(
        f"the region proposal head has {what} per anchor: {got[0]} = {per}·{a} and {want[0]} = {per}·{b}, so "
        f"{a} anchors per location in the checkpoint and {b} in the model"
        + (f" ({shapes})" if shapes else "")
        + ": the anchor scales or aspect ratios differ from those the checkpoint was trained with"
    )
    e.fixes.append(
        "build the model with the checkpoint's anchor settings (`ANCHOR_SCALES`/`ANCHOR_RATIOS`, torchvision's "
        "`AnchorGenerator(sizes, aspect_ratios)`), e.g. the training run's config for the dataset"
    )
    return True


def _ckpt_box_regression(e: Explanation, name: str, got: list[int], want: list[int]) -> bool:
    """A per-class box regression (4 coordinates per class) whose outputs differ: the class counts are a quarter."""
    if not (_BOX_KEYS.search(name) and got and want and got[0] % 4 == 0 and want[0] % 4 == 0 and got[0] != want[0]):
        return False
    a, b = got[0] // 4, want[0] // 4
    e.causes.append(
        f"a box regression head, 4 coordinates per class: {got[0]} = 4·{a} and {want[0]} = 4·{b}, so the checkpoint "
        f"was trained for {a} classes and the model built for {b} (detection counts include the background: "
        f"{a} = {a - 1} + 1)"
    )
    e.fixes.append(
        f"build the model with the checkpoint's num_classes ({a}, background included) when loading it for inference; "
        "to fine-tune on other classes, replace the box predictor after loading"
    )
    return True


_CHECKPOINT_READINGS = (
    _ckpt_sharded,
    _ckpt_anchors,
    _ckpt_box_regression,
    _ckpt_transposed,
    _ckpt_lora,
    _ckpt_vocabulary,
    _ckpt_positions,
    _ckpt_head,
    _ckpt_ratio,
    _ckpt_input_width,
    _ckpt_width,
)


def rnn_input(want, got) -> Explanation:
    e = _rnn_input(want, got)
    _one_column_apart(e, got, want, "the RNN")
    d = abs(got - want)
    if min(want, got) and max(want, got) % min(want, got) and d >= 16 and (d & (d - 1) == 0 or d % 64 == 0):
        more, fewer = ("more", "wider") if got > want else ("fewer", "narrower")
        e.causes.insert(
            0,
            f"{max(want, got)} = {min(want, got)} + {d}: the input has {d} {more} features than the layer was built "
            f"for: an input made by concatenating parts (a word embedding with a context vector, an attention "
            f"output or a previous state) where one part is {d} {fewer} than when input_size was computed (a "
            "hidden or embedding size changed in the config but not in the sum)",
        )
        e.fixes.insert(0, "compute input_size from the parts' sizes as they are concatenated (the sum of their widths)")
    return e


def _rnn_input(want, got) -> Explanation:
    return Explanation(
        "SC115",
        f"an RNN built for {want} input features received {got}",
        "nn.RNN / nn.LSTM / nn.GRU checking input.size(-1) against input_size",
        [(str(want), "input_size of the layer"), (str(got), "the input's last dim")],
        [
            f"the layer before makes {got} features (an Embedding's embedding_dim, a Linear's out_features): the "
            f"RNN was written for {want}",
            "or the features arrive in another dim (a Conv1d's [N, C, L] output): then transpose to [N, L, C], and "
            "do not set input_size to a length",
        ],
        [
            f"`input_size={got}` on the RNN, or make the layer before produce {want}",
            "`x.transpose(1, 2)` before the RNN when a conv made the features",
        ],
    )


def rnn_rank(want, got, batch_added: bool = False) -> Explanation:
    """An RNN's input of another rank. `batch_added`: the count is check_input's, which since PyTorch 1.11
    follows a batch dim the RNN added to any input that is not 3-D (read as one unbatched sequence), so a
    count above `want` is one more than the input had."""
    e = Explanation(
        "SC105",
        f"an RNN received a {got}-D input where it needs {want}-D",
        "nn.RNN / nn.LSTM / nn.GRU (and their hidden states)",
        [(str(want), "dims it needs: [T, N, F], or [N, T, F] with batch_first"), (str(got), "dims it received")],
        [
            "a batch of feature vectors [N, F] without a time dim, or a sequence whose batch dim was squeezed away",
            "or an initial state h0 without its num_layers dim",
        ],
        ["add the missing dim: `x.unsqueeze(1)` for one step per sample (batch_first), or keep the batch dim"],
    )
    if got > want:
        had = got - 1 if batch_added and got - 1 > want else got
        e.title = f"an RNN received a {had}-D input where it needs {want}-D"
        e.causes = [
            f"a dim too many: a {had}-D input (a conv map [N, C, H, W], or frames [N, T, H, W]) where the RNN takes "
            "[N, T, F] (batch_first) or [T, N, F]"
        ]
        if had != got:
            e.causes.insert(
                0,
                f"the message counts {got} dims for a {had}-D input: since PyTorch 1.11 an RNN reads any input that "
                f"is not {want}-D as one unbatched sequence and adds a batch dim before this check (before 1.11 the "
                f"input itself is {got}-D)",
            )
        e.fixes = [
            "flatten the extra dims into the features first (`x.flatten(2)` for [N, T, …] with batch_first), or "
            "pool them away (`mean` over the spatial dims)"
        ]
    return e


def _extra_dim(e: Explanation, dims: list[int], nd: int) -> bool:
    """One dim too many with a 1 in dim 0 or 1: the batch (or channel) dim added by code where the
    data already had it; said with the clip reading beside it when dim 1 could be frames."""
    ones = [i for i in range(min(2, len(dims))) if dims[i] == 1]
    if not ones:
        return False
    i = ones[0]
    kept = dims[:i] + dims[i + 1 :]
    what, when = ("batch", "the DataLoader batched") if i == 0 else ("channel", "`ToTensor()` made the channel dim")
    e.causes.append(
        f"an extra dim of 1 at dim {i}: without it the input is {shape_text_of(kept)}, what Conv{nd}d takes; "
        f"a {what} dim was added where the data already had one (an `unsqueeze({i})` or `[None]` after {when})"
    )
    e.fixes.append(f"drop the extra dim: remove the `unsqueeze`, or `x = x.squeeze({i})`")
    if i == 0 and dims[1] > 4:
        e.causes.append(
            f"or one clip of {dims[1]} frames (or crops): fold them into the batch (`x.flatten(0, 1)`), or use "
            f"Conv{nd + 1}d if that dim is time or depth"
        )
    return True


def conv_rank(nd, shape_text) -> Explanation:
    dims = ints(shape_text)
    e = Explanation(
        "SC105",
        f"conv{nd}d got a {len(dims)}-D input {shape_text}",
        f"nn.Conv{nd}d / F.conv{nd}d: [C, *spatial] unbatched or [N, C, *spatial] batched",
        [(shape_text, "the input"), (f"{nd + 1} or {nd + 2}", "the dims the conv accepts")],
    )
    if len(dims) == nd + 3 and not _extra_dim(e, dims, nd):
        e.causes.append(
            f"one dim too many: [{dims[0]}, {dims[1]}, …] looks like {dims[0]} samples of {dims[1]} "
            f"frames or crops each ({dims[0]}·{dims[1]} = {dims[0] * dims[1]} images)"
        )
        e.fixes.append(
            f"fold them into the batch: `x = x.flatten(0, 1)` gives [{dims[0] * dims[1]}, "
            f"{', '.join(map(str, dims[2:]))}], and `unflatten(0, ({dims[0]}, {dims[1]}))` after"
        )
        e.fixes.append(f"or use Conv{nd + 1}d if that dim is time or depth")
        if nd == 1:
            e.causes.append(
                "or the layer is an `nn.Conv1d` built with a 2-D kernel (`kernel_size=(1, 1)`), which PyTorch before "
                "1.11 ran on a 4-D map as a 2-D conv; newer releases check the rank (code written for the old "
                "release, graph and time-series models above all)"
            )
            e.fixes.append("for a Conv1d given a (1, 1) kernel: make it `nn.Conv2d` with the same arguments")
    elif len(dims) == 2 and nd == 2 and (image := _flat_image(dims[1])):
        channels, side = image
        e.causes.append(
            f"[{dims[0]}, {dims[1]}] is {dims[0]} images flattened to rows ({dims[1]} = {channels}·{side}·{side}): "
            "data prepared for a Linear (MLP) model, or a `view(N, -1)` left in before the convs"
        )
        e.fixes.append(f"restore the images before the conv: `x = x.view(-1, {channels}, {side}, {side})`")
    elif len(dims) < nd + 1:
        e.causes.append("the channel or a spatial dim is missing")
        e.fixes.append("add the channel dim: `x.unsqueeze(1)`")
    return e


def _flat_image(n: int) -> tuple[int, int] | None:
    """(channels, side) of a square image flattened to n values: 784 = 1·28·28, 3072 = 3·32·32."""
    for channels in (1, 3):
        side = math.isqrt(n // channels)
        if n % channels == 0 and side >= 8 and side * side * channels == n:
            return channels, side
    return None


def weight_rank(weight, got, shape_text, rank: int | None = None) -> Explanation:
    """A conv's weight of `rank` dims (as the message says in words; releases before 1.5 printed the
    weight bare, some with a stray number after it: `64 3 7 7 94387354416688`) against an input of
    `got` dims."""
    dims = ints(shape_text)
    w = ints(weight)
    if rank and len(w) > rank:
        w = w[:rank]
        weight = shape_text_of(w)
    n = rank or len(w)
    e = Explanation(
        "SC105",
        f"a {n}-D conv weight {weight} received a {got}-D input {shape_text}",
        f"{_CONV_OF_RANK.get(n, 'nn.Conv2d')} in PyTorch before 1.11 (no unbatched inputs)",
        [(weight, "the weight: [out_channels, in_channels, kernel…]"), (shape_text, "the input")],
    )
    if not any(reading(e, got, n, dims, w, shape_text) for reading in _WEIGHT_RANK_READINGS):
        e.causes.append("the input has the wrong number of dims for this conv")
    return e


def _frames_in_channels(e, got, n, dims, w, shape_text) -> bool:
    if not (got == n - 1 == 4 and len(dims) == 4 and len(w) > 1 and w[1] and dims[1] % w[1] == 0 and dims[1] > w[1]):
        return False
    frames = dims[1] // w[1]
    e.causes.append(
        f"frames folded into the channels: {dims[1]} = {frames}·{w[1]}, so {shape_text} is {frames} frames of "
        f"{w[1]} channels stacked in dim 1, where the 3-D conv takes [N, C={w[1]}, T={frames}, H, W]: 2-D data "
        "(or a 2-D data pipeline's option) fed to a 3-D model"
    )
    e.fixes.append(
        f"give the model clips: `x.view(N, {frames}, {w[1]}, H, W).transpose(1, 2)` (or the data option for 3-D "
        "input), or use the 2-D model the data was prepared for"
    )
    return True


def _images_for_clips(e, got, n, dims, w, shape_text) -> bool:
    """A batch of images [N, C, H, W] at a 3-D conv, whose channels they already match: single frames given to a
    video (or volume) model."""
    if not (got == n - 1 == 4 and len(dims) == 4 and len(w) > 1 and dims[1] == w[1] and dims[0] != w[1]):
        return False
    e.causes.append(
        f"a batch of {dims[0]} images [N, C={dims[1]}, H, W] at a 3-D conv, which takes clips [N, C, T, H, W] (or "
        "volumes [N, C, D, H, W]): single frames or 2-D slices given to a video or volume model"
    )
    e.fixes.append(
        "give the model clips of T frames (`torch.stack(frames, dim=2)`), or `x.unsqueeze(2)` for T = 1 when its "
        "temporal kernel and padding allow; or use the 2-D model the images were meant for"
    )
    return True


def _one_dim_short(e, got, n, dims, w, shape_text) -> bool:
    """One image without its batch dim, or a batch of 1-channel maps without their channel dim."""
    if got != n - 1 or not dims or len(w) < 2:
        return False
    if dims[0] == w[1]:
        e.causes.append(f"one image without its batch dim: {shape_text} is [C={dims[0]}, H, W]")
        e.fixes.append("add the batch dim: `x = x.unsqueeze(0)`")
        return True
    if w[1] == 1:
        e.causes.append(
            f"a batch of {dims[0]} single-channel inputs without their channel dim: {shape_text} is [N, H, W], "
            "the conv takes [N, 1, H, W]"
        )
        e.fixes.append("add the channel dim: `x = x.unsqueeze(1)`")
        return True
    return False


def _flat_rows(e, got, n, dims, w, shape_text) -> bool:
    """A 2-D [N, F] tensor into a conv: layers out of order, or images flattened for a Linear model."""
    if not (got == 2 and len(dims) == 2 and len(w) > 1 and w[1]):
        return False
    if n >= 3 and dims[1] % w[1] != 0:
        e.causes.append(
            f"a 2-D [{dims[0]}, {dims[1]}] tensor (a Linear's output or flat features: [N, F]) reaches a conv that "
            f"takes [N, C={w[1]}, …]: the layers are in another order, or the view back to a map is missing"
        )
        e.fixes.append(
            f"reshape to a map before the conv (`x.view(N, {w[1]}, …)`), or apply the conv before the Linear"
        )
        return True
    if n != 4 or dims[1] % w[1] != 0:
        return False
    side = math.isqrt(dims[1] // w[1])
    if side * side * w[1] == dims[1]:
        e.causes.append(
            f"flattened images: {dims[1]} = {w[1]}·{side}·{side}, so each of the {dims[0]} rows is an image "
            "flattened for a Linear model"
        )
        e.fixes.append(f"reshape before the conv: `x = x.view(-1, {w[1]}, {side}, {side})`")
    else:
        e.causes.append("the input has the wrong number of dims for this conv")
    return True


def _size_lost(e, got, n, dims, w, shape_text) -> bool:
    """The paste lost the input's size (a web page took `[3, 256, 256]` for markup)."""
    if got != n - 1 or dims:
        return False
    e.causes.append(
        f"a {got}-D input to a {n}-D conv: most often one sample without its batch dim ([C, …] where "
        "[N, C, …] is taken), or a batch without its channel dim ([N, …] where [N, 1, …] is); the paste lost "
        "the input's size, so print `x.shape` to tell which"
    )
    e.fixes.append("one sample: `x.unsqueeze(0)` (the batch dim); a batch of 1-channel maps: `x.unsqueeze(1)`")
    return True


def _dim_too_many(e, got, n, dims, w, shape_text) -> bool:
    if got != n + 1 or len(dims) < 2:
        return False
    if not _extra_dim(e, dims, n - 2):
        e.causes.append(
            f"a dim too many: [{dims[0]}, {dims[1]}, …] looks like {dims[0]} samples of {dims[1]} frames or crops"
        )
        e.fixes.append("fold them into the batch: `x.flatten(0, 1)` (and unflatten after)")
    return True


# weight_rank's readings, tried in order: the first that fits tells the story.
_CONV_OF_RANK = {3: "nn.Conv1d", 4: "nn.Conv2d", 5: "nn.Conv3d"}  # a weight's rank names its conv


def _length_lost(e, got, n, dims, w, shape_text) -> bool:
    """Vectors [N, C] at a Conv1d whose in_channels is C: the channels are there, the length dim is not."""
    if not (n == 3 and got == 2 and len(dims) == 2 and len(w) == 3 and dims[1] == w[1]):
        return False
    e.causes.append(
        f"vectors {shape_text} = [N, C={dims[1]}] reach a Conv1d that takes [N, C, L]: the {dims[1]} are its "
        "in_channels, the length dim is missing (a pooled or Linear output fed to a 1-D conv)"
    )
    e.fixes.append("add the length dim: `x.unsqueeze(-1)` (a length of 1), or keep the sequence dim before pooling")
    return True


_WEIGHT_RANK_READINGS = (
    _frames_in_channels,
    _images_for_clips,
    _one_dim_short,
    _flat_rows,
    _size_lost,
    _dim_too_many,
    _length_lost,
)


def indices_dtype(got) -> Explanation:
    return Explanation(
        "SC118",
        f"an Embedding received {got} where it needs integer indices",
        "nn.Embedding / F.embedding (also index_select, gather)",
        [(got, "the tensor type it received"), ("Long, Int", "what it accepts: int64 or int32 indices")],
        [
            "token ids were made floats on the way (a division, `.float()`, a normalization), or the dummy input "
            "is float (a summary or tracing tool that feeds random floats to every input)"
        ],
        [
            "`ids.long()` where they reach the embedding; integer division `//` instead of `/`",
            "with shapecheck: `--input 128:long`",
        ],
    )


def target_size(target, output) -> Explanation:
    t, o = ints(target), ints(output)
    e = Explanation(
        "SC125",
        f"a loss compares a target of {target} with an output of {output}",
        "nn.MSELoss / L1Loss / BCELoss (a warning, then broadcasting)",
        [(target, "the target's shape"), (output, "the model output's shape")],
    )
    found = (reading(t, o, target, output) for reading in _TARGET_READINGS)
    cause, fix = next((r for r in found if r is not None), _DIFFERENT_SHAPES)
    e.causes.append(cause)
    e.fixes.append(fix)
    return e


# A reading of a target against an output: (target's sizes, output's sizes, the shapes as written)
# → (the cause, its fix), or None when the shapes are not that case.
_TargetReading = Callable[[list[int], list[int], str, str], tuple[str, str] | None]
_DIFFERENT_SHAPES = (
    "the output and the target have different shapes; the loss broadcasts them",
    "make both the same shape before the loss",
)


def _output_trailing_one(t: list[int], o: list[int], target: str, output: str) -> tuple[str, str] | None:
    if not (len(o) == len(t) + 1 and o[: len(t)] == t and o[-1] == 1):
        return None
    return (
        f"the output has a trailing dim of 1 ({output}): broadcasting against {target} makes a "
        f"[{t[0]}, {t[0]}] matrix, so the loss compares every output with every target",
        "`output.squeeze(1)` (or `target.unsqueeze(1)`) before the loss",
    )


def _target_trailing_one(t: list[int], o: list[int], target: str, output: str) -> tuple[str, str] | None:
    if not (len(t) == len(o) + 1 and t[: len(o)] == o and t[-1] == 1):
        return None
    return (
        "the target has a trailing dim of 1 the output lacks (the output was squeezed)",
        "`target.squeeze(-1)` (or drop the squeeze on the output)",
    )


def _unit_dim_apart(t: list[int], o: list[int], target: str, output: str) -> tuple[str, str] | None:
    """The same sizes but for a dim of 1 one side has."""
    if len(t) == len(o) or [d for d in t if d != 1] != [d for d in o if d != 1]:
        return None
    more, fewer = ("output", "target") if len(o) > len(t) else ("target", "output")
    longer, shorter = (o, t) if len(o) > len(t) else (t, o)
    at = _unit_dim_at(longer, shorter)
    where = (
        f" (dim {at}: give the {fewer} that dim with `{fewer}.unsqueeze({at})`, or take it from the {more} with "
        f"`{more}.squeeze({at})`)"
        if at is not None
        else ""
    )
    return (
        f"the same sizes but for a dim of 1: the {more} has one the {fewer} lacks ({output} against {target}){where}: "
        + (
            "a channel dim of one (a single-channel map [N, 1, H, W]) that the target was stored without; "
            if at == 1 and len(longer) >= 3
            else "a batch dim added to one side (`unsqueeze(0)`, `[None]`, a batch of one) or squeezed from the other; "
        )
        + "broadcasting them pairs every value with every other",
        f"`{more}.squeeze()` or `{more}.view_as({fewer})` before the loss"
        + (f"; or `{fewer}.unsqueeze({at})`, so both keep the dim" if at is not None else ""),
    )


def _unit_dim_at(longer: list[int], shorter: list[int]) -> int | None:
    """The one dim of 1 that, taken out of `longer`, leaves `shorter` (the first when several do)."""
    if len(longer) != len(shorter) + 1:
        return None
    return next((i for i, d in enumerate(longer) if d == 1 and longer[:i] + longer[i + 1 :] == shorter), None)


def _indices_for_scores(t: list[int], o: list[int], target: str, output: str) -> tuple[str, str] | None:
    """A target of one value per sample ([N]) against scores [N, C]: class indices where the loss compares
    elementwise (BCE or MSE take a target of the output's shape)."""
    if not (len(o) == len(t) + 1 and o[: len(t)] == t and o[-1] > 1):
        return None
    c = o[-1]
    return (
        f"the target holds one value per sample ({target}: a class index) while the output has {c} scores per "
        f"sample ({output}): BCE and MSE compare elementwise, so a multi-label target must be multi-hot, one 0/1 per "
        f"class; or, if the target is a value to regress (MSE, L1), the model gives {c} values per sample where one "
        "is wanted (a last layer of another width, or one output per time step flattened): a float target with "
        "fractions reads as this one, whole numbers below "
        f"{c} as class indices",
        f"multi-hot (or one-hot) targets of the output's shape: `F.one_hot(target, {c}).float()`; or, for one class "
        "per sample, `nn.CrossEntropyLoss()` with the class indices as they are; for a regression, one output per "
        "sample (`nn.Linear(…, 1)`, or the last step's output `out[:, -1]`) and `target.view(-1, 1)`",
    )


def _differing(t: list[int], o: list[int]) -> list[int]:
    """The dims where a target and an output of one rank differ (none when their ranks differ)."""
    return [i for i, (x, y) in enumerate(zip(t, o, strict=True)) if x != y] if len(t) == len(o) else []


def _classes_differ(t: list[int], o: list[int], target: str, output: str) -> tuple[str, str] | None:
    if _differing(t, o) != [1]:
        return None
    if len(o) == 2 and o[1] == 2 and t[1] == 1:
        return (
            f"a two-class head (2 logits per sample, {output}) with a binary loss whose target is one label per "
            f"sample ({target}): the head was built for CrossEntropyLoss, the loss and labels for BCE",
            "either one logit (`nn.Linear(…, 1)`) with BCEWithLogitsLoss and float targets [N, 1], or keep the 2 "
            "logits with `nn.CrossEntropyLoss()` and class indices `target.view(-1).long()`",
        )
    if len(o) == 2 and o[1] == 1 and t[1] == 2:
        return (
            f"one-hot targets of 2 classes ({target}) for a head of one logit ({output}): BCE takes one label per "
            "sample for a single logit",
            "`target = target[:, 1:]` (the positive class's column) as floats, or a 2-logit head with "
            "CrossEntropyLoss and `target.argmax(1)`",
        )
    if t[1] == 3 * o[1] and (len(o) == 4 or o[1] >= 64):
        return (
            f"the target holds 3 times the output's values in dim 1 ({t[1]} = 3·{o[1]}): masks read as colour "
            "images (3 RGB channels, the same mask in each) where the model makes "
            + ("one channel" if o[1] == 1 else f"{o[1]} values (the masks flattened)")
            + f"; or the labels have 3 channels (classes) where the head makes {o[1] if len(o) == 4 else 1}",
            "read the masks in grayscale (`Image.open(p).convert('L')`, `cv2.imread(p, cv2.IMREAD_GRAYSCALE)`) or "
            "keep one channel (`mask[:, :1]`)",
        )
    if len(o) == 2 and o[1] == 1 and t[1] > 2:
        k = t[1]
        return (
            f"the target has {k} values per sample ({target}) where the model outputs one ({output}), and the loss "
            f"broadcasts [N, 1] against [N, {k}] silently: either the target is built per component and should be "
            f"one number per sample (a log-probability or reward per action dim not summed: "
            f"`.sum(-1, keepdim=True)`), or the head should output {k} (one per target column); what the target's "
            "columns are tells them apart",
            f"reduce the target to [N, 1] (`.sum(-1, keepdim=True)`), or build the head for {k} outputs",
        )
    if len(o) == 2 and t[1] == 1 and o[1] > 2:
        c = o[1]
        return (
            f"the target holds one value per sample as a column ({target}: a class index, or a single label) while "
            f"the output has {c} scores per sample ({output}): BCE and MSE compare elementwise, so a target of one "
            f"class among {c} must be one-hot (or multi-hot), one 0/1 per class",
            f"`F.one_hot(target.view(-1).long(), {c}).float()` as the target; or, for one class per sample, "
            "`nn.CrossEntropyLoss()` with `target.view(-1).long()`",
        )
    return (
        f"dim 1 differs ({o[1]} in the output, {t[1]} in the target): the number of classes or output "
        "channels does not match the labels",
        f"set the model's output classes to {t[1]}, or encode the labels with {o[1]}",
    )


def _batches_differ(t: list[int], o: list[int], target: str, output: str) -> tuple[str, str] | None:
    if _differing(t, o) != [0]:
        return None
    if o[0] and t[0] > o[0] and t[0] % o[0] == 0 and all(n == 1 for n in t[1:]) and t[1:]:
        k = t[0] // o[0]
        return (
            f"{t[0]} = {o[0]}·{k}: the target holds {k} values per sample flattened into rows ([{o[0]}·{k}, 1]), "
            f"a multi-label target of {k} labels, while the model outputs {o[-1]} per sample: the head is built "
            f"for one label (num_labels = 1, a label list read wrong) where there are {k}",
            f"build the head for the {k} labels (num_labels = {k}) and keep the target [{o[0]}, {k}]",
        )
    return (
        f"the batch dims differ ({o[0]} and {t[0]}): output and target come from different batches",
        "make both the same shape before the loss",
    )


def _resolution_differs(t: list[int], o: list[int], target: str, output: str) -> tuple[str, str] | None:
    """Only lengths or sides differ (dims after the channels), each by one whole factor: the output is
    at another resolution than the target (a map downsampled by the network's stride, a signal upsampled)."""
    differ = _differing(t, o)
    if not differ or len(o) < 3 or min(differ) < 2:
        return None
    ratios = {max(o[d], t[d]) / min(o[d], t[d]) if min(o[d], t[d]) else 0.0 for d in differ}
    k = ratios.pop() if len(ratios) == 1 else 0.0
    if k < 2 or k != int(k) or min(min(o[d], t[d]) for d in differ) < 8:
        return None
    k = int(k)
    small = "output" if o[differ[0]] < t[differ[0]] else "target"
    sides = " and ".join(f"{o[d]} against {t[d]}" for d in differ)
    cause = (
        f"the output ({output}) and the target ({target}) differ only in their lengths or sides ({sides}), each "
        f"by {k}: the {small} is at 1/{k} of the other's resolution: "
        + (
            f"the network downsamples by {k} (its strides and pools), and the target was left at the input's "
            f"size (a density or heat map must be resized by 1/{k}, its sum kept)"
            if small == "output"
            else f"the network upsamples by {k} more than the target's resolution (a decoder stage or upsampling "
            "factor of another configuration), or the target was downsampled"
        )
    )
    if len(differ) == 1:
        d = differ[0]
        cause += f"; or, if dim {d} counts classes, the head makes {o[d]} where the labels have {t[d]}"
    return (
        cause,
        f"resize one to the other (`F.interpolate(target, size=output.shape[2:])`, or change the {k}× stride / "
        "upsampling) before the loss",
    )


def _head_classes_differ(t: list[int], o: list[int], target: str, output: str) -> tuple[str, str] | None:
    """Only one dim differs in outputs of rank 3 or more: a head's classes per position."""
    differ = _differing(t, o)
    if len(differ) != 1 or len(o) < 3:
        return None
    d = differ[0]
    return (
        f"only dim {d} differs ({o[d]} in the output, {t[d]} in the target), every other dim agrees: the head "
        f"makes {o[d]} values per position where the labels have {t[d]}: the number of classes (per anchor "
        "or pixel) of the model's config against the dataset's",
        f"build the head for the dataset's {t[d]} classes (num_classes / nc in the config)",
    )


# tried in order: the first that reads the two shapes is said
def _map_per_sample(t: list[int], o: list[int], target: str, output: str) -> tuple[str, str] | None:
    """One target value per sample against an output that kept a spatial map per sample ([N] against [N, h, w]
    or [N, 1, h, w]): a discriminator or classifier whose last layer leaves positions."""
    extra = o[len(t) :]
    spatial = [d for d in extra if d != 1]
    if not (t and len(o) >= len(t) + 2 and o[: len(t)] == t and len(spatial) >= 2 and spatial[-1] == spatial[-2]):
        return None
    h, w = spatial[-2], spatial[-1]
    return (
        f"the output keeps a {h}×{w} map per sample ({output}) where the target has one value per sample "
        f"({target}): the network's last layer leaves {h}×{w} positions (a discriminator or classifier fed images "
        "larger than it was built for, each stride-2 layer halving them, e.g. 96 px where a DCGAN takes 64; or a "
        "patch discriminator, which scores every position)",
        "feed images of the size the network was built for (or add pooling to one value), or, for a patch "
        "discriminator, make the targets the map's shape: `torch.ones_like(output)`",
    )


_TARGET_READINGS: tuple[_TargetReading, ...] = (
    _map_per_sample,
    _output_trailing_one,
    _target_trailing_one,
    _unit_dim_apart,
    _indices_for_scores,
    _classes_differ,
    _batches_differ,
    _resolution_differs,
    _head_classes_differ,
)


def heads() -> Explanation:
    return Explanation(
        "SC117",
        "embed_dim is not a multiple of num_heads",
        "nn.MultiheadAttention.__init__ (also nn.TransformerEncoderLayer's d_model and nhead)",
        [],
        ["each head gets embed_dim / num_heads features, which must be a whole number"],
        [
            "choose num_heads among the divisors of embed_dim, or an embed_dim that num_heads divides; "
            "`shapecheck MODEL` names both numbers and the nearest choices"
        ],
    )


_BATCH_FIRST_STATE = (
    "the RNN takes its batch ({batch}) from the input's dim 1 when batch_first=False (dim 0 when True), and the "
    "state holds {got}: a batch-first input [batch, seq, features] read with the wrong batch_first"
)


def hidden_state(e: Explanation, want: list[int], got: list[int]) -> bool:
    """An RNN's state against the (num_layers × directions, batch, hidden_size) it expects, read by how
    the two shapes relate: a width doubled by two directions, a stack of other depth, or a per-token
    output passed as the state. Said (first) when one fits."""
    if len(want) != 3 or len(got) != 3:
        return False
    layers, batch, width = want
    if got[0] == layers and got[1] == batch and got[2] != width:
        _state_width(e, width, got[2])
    elif got[1:] == [batch, width] and got[0] != layers:
        _state_layers(e, layers, got[0])
    elif got[0] == layers and got[2] == width and got[1] != batch:
        _state_batch(e, batch, got[1])
    elif got[0] == batch and got[0] != layers and got[1] > 1:
        e.causes.insert(
            0,
            f"the tensor given as the state is [batch, positions, features] ({shape_text_of(got)}): an encoder's "
            f"per-token output, not a state of (num_layers × directions, batch, hidden_size) = {shape_text_of(want)}",
        )
        e.fixes.insert(
            0,
            f"take one vector per sample (the last step, or a pooled / [CLS] vector), project {got[2]} → {width} if "
            f"they differ, and `unsqueeze(0)` it for the layers dim (repeated to {layers})",
        )
    else:
        return False
    return True


def _state_width(e: Explanation, width: int, got: int) -> None:
    """The state is `got` wide and the RNN's hidden_size is `width`."""
    if width == 1:
        # a hidden size of 1 is no one's choice: a size expression that binds differently than it reads
        e.causes.insert(
            0,
            f"this RNN was built with hidden_size=1 while the state is {got} wide: a size computed as "
            f"`hidden_size * 2 if bidirectional else 1` reads `(hidden_size * 2) if bidirectional else 1`, so "
            "without bidirectional the width is 1",
        )
        e.fixes.insert(0, "write `hidden_size * (2 if bidirectional else 1)` where the RNN is built")
        return
    small, large = sorted((width, got))
    if large != 2 * small:
        e.causes.insert(
            0,
            f"the state was made for hidden_size {got} and this RNN has {width}: an encoder and a decoder "
            "(or a config and the code that makes the state) of other widths",
        )
        e.fixes.insert(0, f"make the state {width} wide (or the RNN's hidden_size {got}), or project it")
        return
    which = "the state" if got == large else "the RNN"
    e.causes.insert(
        0,
        f"{large} = 2·{small}: {which} is twice as wide: a bidirectional encoder's two directions "
        f"concatenated ({small} each) meets an RNN of hidden_size {width}, or hidden_size was doubled on "
        "one side only",
    )
    e.fixes.insert(
        0,
        f"make the widths agree: project the state (`nn.Linear({got}, {width})`), add the two "
        f"directions' halves, or build this RNN with hidden_size={got}",
    )


def _state_layers(e: Explanation, layers: int, got: int) -> None:
    """The state stacks `got` layers × directions and the RNN has `layers`."""
    e.causes.insert(
        0,
        f"the state has {got} layers × directions and this RNN {layers}: a state from an encoder with another "
        f"num_layers (or bidirectional) handed to a decoder, or num_layers changed in the config only",
    )
    if got > layers:
        how = f"pass the last {layers} layers' state (`h[-{layers}:]`)"
    elif layers % got == 0:
        how = f"repeat the state for every layer (`h.repeat({layers // got}, 1, 1)`)"
    else:
        how = ""
    e.fixes.insert(0, "give both the same num_layers (and directions)" + (f", or {how}" if how else ""))


def _state_batch(e: Explanation, batch: int, full: int) -> None:
    """The state was made for a batch of `full` and the input holds `batch`."""
    if 2 <= batch < full and (full & (full - 1) == 0 or full % 10 == 0) and full >= 8:
        # the state was made for the configured batch and the input is the epoch's last, smaller batch
        e.causes.insert(
            0,
            f"the last batch is smaller: the state was made for the configured batch of {full} (an "
            f"`init_hidden(batch_size)` called once) and this batch holds {batch}, the dataset's remainder",
        )
        e.fixes.insert(
            0,
            "make the state from this batch (`x.size(0)` with batch_first) each call, or `drop_last=True` in "
            "the DataLoader",
        )
        e.causes.insert(1, "or the batch_first reading: " + _BATCH_FIRST_STATE.format(batch=batch, got=full))
        return
    e.causes.insert(
        0,
        f"the batch differs ({batch} expected, {full} in the state): the RNN takes its batch from the "
        f"input's dim 1 when batch_first=False (dim 0 when True): a batch-first input [batch, seq, features] read "
        "with the wrong batch_first"
        + (" (one step per sample, [batch, 1, features], reads as a batch of 1)" if batch == 1 else "")
        + ", or a state kept from another batch (the last, smaller one)",
    )
    e.fixes.insert(
        0,
        "give the RNN the batch_first its input has (or `x.transpose(0, 1)`), and make the state from the "
        "input's batch each call",
    )


def zero_resample(e: Explanation, sides: str, inp: list[int], out: list[int]) -> None:
    """An interpolation (or adaptive pool) with a side of 0: which one is 0 tells the story. An empty input
    came from a selection upstream that kept nothing; an output of 0 is a size computed too small."""
    if not inp or len(inp) != len(out):
        return
    inp, out = [int(s) for s in inp], [int(s) for s in out]
    names = [sides[i] if i < len(sides) else str(i) for i in range(len(inp))]
    shown = "×".join(map(str, inp)), "×".join(map(str, out))
    e.numbers = [(shown[0], f"the input ({', '.join(names)})"), (shown[1], "the output size asked")]
    empty = [n for n, s in zip(names, inp, strict=True) if s == 0]
    zero = [n for n, s in zip(names, out, strict=True) if s == 0]
    if empty:
        e.title = f"an interpolation got an empty input ({shown[0]}: 0 in {', '.join(empty)})"
        e.causes = [
            f"the tensor reaching the resize has no elements along {', '.join(empty)}: a crop, box, ROI, mask "
            "or slice upstream selected nothing (an empty detection, a box of zero width, a class with no members, "
            "a map downsampled to nothing), so there is nothing to resize",
        ]
        e.fixes = [
            "guard the empty case before resizing (`if x.numel() == 0: ...`), and find the crop or selection that "
            "produced it (print its box or indices)"
        ]
    elif zero:
        e.title = f"an interpolation was asked for an output of {shown[1]} (0 in {', '.join(zero)})"
        e.causes = [
            f"the size asked is 0 in {', '.join(zero)} for an input of {shown[0]}: a size computed by integer "
            "division or a scale_factor whose product with the input is below 1 (rounded down to 0), or a size "
            "left at 0 in a config (an image or test size not set, a tile count of 0)",
        ]
        e.fixes = [
            "compute the size with `max(1, round(side * scale))`, or pass `size=` explicitly; check the config "
            "values that give it"
        ]
