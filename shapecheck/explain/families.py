"""The template table: PyTorch's messages (and the wordings of older releases people still
paste), each with the rule that finds the problem in a model and a reading of its numbers.

Sources are named per template: the C++ or Python function that formats the message. Every
reading states what the numbers say and offers causes the numbers support, several when
several fit; a message that is not about shapes (a device, a dtype) says so.
"""

from __future__ import annotations

import math
import re

from . import readings as read
from .explanation import Explanation
from .notshape import NOT_SHAPE_TEMPLATES
from .relations import per_sample
from .templates import Template, ints, shape_text


def _differing(a: list[int], b: list[int]) -> list[int]:
    if len(a) != len(b):
        return []
    return [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]


def _stack(f: dict) -> Explanation:
    a, b = ints(f["a"]), ints(f["b"])
    i, j = f["i"], f.get("j")
    second = f"entry {j}" if j else "another entry"
    e = Explanation(
        "SC109",
        f"torch.stack got tensors of different shapes: {shape_text(a)} (entry {i}) and {shape_text(b)} ({second})",
        "torch.stack (also the DataLoader's default collate, which stacks the samples of a batch)",
        [(shape_text(a), f"entry {i}"), (shape_text(b), f"{second}: stack needs every entry the same shape")],
    )
    diff = _differing(a, b)
    if len(a) != len(b) and _stack_rank(e, a, b):
        return e
    _stack_difference(e, a, b, diff)
    if _stack_image_modes(e, a, b, diff):
        return e
    _stack_sizes(e, a, b, diff)
    e.fixes.append("or use batch size 1, or a collate_fn that pads (or keeps a list)")
    return e


def _stack_difference(e: Explanation, a: list[int], b: list[int], diff: list[int]) -> None:
    """How two entries differ: in rank, in the order of the same sizes, or in which dims."""
    if len(a) != len(b):
        e.causes.append(f"the entries differ in rank ({len(a)} and {len(b)} dims): one sample lost or gained a dim")
    elif len(diff) >= 2 and sorted(a) == sorted(b):
        # the same sizes in another order: [24, 32, 64] and [24, 64, 32]
        e.causes.append(
            f"the two entries hold the same sizes in another order ({shape_text(a)} and {shape_text(b)}): one sample "
            "is transposed against the other: an image in portrait and one in landscape (H×W and W×H), or a sample "
            "whose dims were permuted on one path only"
        )
        e.fixes.append(
            "give every sample one size and layout in the dataset: resize (or rotate) to a fixed H×W, or permute the "
            "odd one"
        )
    elif diff:
        e.causes.append(f"they differ in dim{'s' if len(diff) > 1 else ''} {', '.join(map(str, diff))} only")


def _stack_image_modes(e: Explanation, a: list[int], b: list[int], diff: list[int]) -> bool:
    """[C, H, W] images of one size whose channel counts differ: a grayscale or RGBA file among RGB
    ones, said first. Said when so."""
    if not (len(a) == len(b) == 3 and diff == [0] and {a[0], b[0]} <= {1, 3, 4}):
        return False
    kinds = {1: "grayscale (1 channel)", 3: "RGB (3 channels)", 4: "RGBA (4 channels: a PNG with alpha)"}
    e.causes.insert(
        0,
        f"{kinds[a[0]]} and {kinds[b[0]]} images in one batch: the dataset holds files of another mode, and "
        "`ToTensor()` keeps each file's channels",
    )
    e.fixes.append("convert every image when loading: `Image.open(p).convert('RGB')` (or `'L'` for a gray model)")
    return True


def _stack_sizes(e: Explanation, a: list[int], b: list[int], diff: list[int]) -> None:
    """Samples of their own size collated into one batch: images, maps, sequences."""
    if len(a) == 3 and len(b) == 3 and a[0] == b[0] and a[0] in (1, 3, 4) and diff:
        _stack_patches(e, a[1:], b[1:])
        e.causes.append(
            f"images of different sizes in one batch ({a[1]}×{a[2]} and {b[1]}×{b[2]}): the dataset gives "
            "each its own size"
        )
        e.fixes.append("resize or crop to one size in the dataset's transform (`transforms.Resize((H, W))`)")
    elif len(a) == 2 and len(b) == 2 and diff and a[0] not in (1, 3):
        e.causes.append("samples of different sizes (images or maps of their own size) collated into one batch")
    if len(a) == 1 and len(b) == 1:
        e.causes.append(f"sequences of different lengths ({a[0]} and {b[0]}) collated into one batch")
        e.fixes.append("pad them to one length in a collate_fn (`torch.nn.utils.rnn.pad_sequence`)")


def _stack_patches(e: Explanation, a: list[int], b: list[int]) -> None:
    """Two images' sides [H, W]: a square patch against one smaller in both sides (a crop cut at an
    image's edge), or sides one apart in one dim (a resize by one side rounding the other). Said first."""
    square, other = (a, b) if a[0] == a[1] else (b, a)
    side = square[0]
    if square[0] == square[1] and side % 8 == 0 and other != square and max(other) <= side:
        e.causes.insert(
            0,
            f"a {side}×{side} patch and a smaller {other[0]}×{other[1]} one: random crops of the patch size, cut "
            f"from images smaller than {side} px a side (or at their lower-right edge), come out smaller",
        )
        e.fixes.insert(0, "crop only where a whole patch fits (or pad images smaller than the patch first)")
    elif (
        sum(x != y for x, y in zip(a, b, strict=True)) == 1 and max(abs(x - y) for x, y in zip(a, b, strict=True)) == 1
    ):
        e.causes.insert(
            0,
            f"{a[0]}×{a[1]} and {b[0]}×{b[1]}: one side one pixel apart: a resize given one side "
            "(`Resize(384)`) scales the shorter side to it and rounds the other, so images of other aspect ratios "
            "come out a pixel apart",
        )
        e.fixes.insert(0, "give the resize both sides: `transforms.Resize((H, W))`")


def _stack_rank(e: Explanation, a: list[int], b: list[int]) -> bool:
    """Entries of different ranks where the smaller is the larger's trailing dims: a sample without the
    leading dim the others have; a 2-D [H, W] among [C, H, W] images is a grayscale file."""
    small, large = (a, b) if len(a) < len(b) else (b, a)
    if len(large) != len(small) + 1 or large[1:] != small:
        return False
    if len(small) == 2 and large[0] in (3, 4) and min(small) >= 8:
        e.causes.append(
            f"a grayscale image ({shape_text(small)}, no channel dim) among {'RGB' if large[0] == 3 else 'RGBA'} ones "
            f"({shape_text(large)}): an image read in mode 'L' (or a NumPy array of H×W) loses the channel dim the "
            "others have"
        )
        e.fixes.append(
            "convert every image when loading (`Image.open(p).convert('RGB')`), or add the channel dim to the "
            "gray ones (`x.unsqueeze(0).expand(3, -1, -1)`)"
        )
    else:
        e.causes.append(
            f"one entry lacks the leading dim of {large[0]} the others have ({shape_text(small)} vs "
            f"{shape_text(large)}): a sample squeezed or indexed on one path only"
        )
        e.fixes.append("give every sample the same dims in the dataset (`unsqueeze(0)` the short one)")
    return True


def _expand(f: dict) -> Explanation:
    want, have, dim = int(f["want"]), int(f["have"]), int(f["dim"])
    e = Explanation(
        "SC112",
        f"a tensor of size {have} in dim {dim} was expanded (broadcast) to {want}",
        "Tensor.expand / expand_as / broadcast_to, and assignments like `t[..] = value` that broadcast",
        [
            (str(want), f"the size asked for dim {dim} (the target's)"),
            (str(have), "the size the tensor has there: only a size of 1 can be expanded"),
        ],
    )
    if "target" in f and f.get("target"):
        e.numbers.append((f["target"], "the full target shape"))
    if "sizes" in f and f.get("sizes"):
        e.numbers.append((f["sizes"], "the tensor's shape"))
    target, sizes = ints(f.get("target") or ""), ints(f.get("sizes") or "")
    if target and sizes and _expand_reading(e, want, have, dim, target, sizes):
        return e
    if abs(want - have) == 1:
        e.causes.append(f"an off-by-one: {have} and {want} (a length, a rounding of an odd size, an added token)")
    e.causes.append("the value assigned or expanded has another shape than the place it goes")
    e.fixes.append(f"make dim {dim} of the tensor 1 (`unsqueeze`) or {want}; check which of the two is wrong")
    return e


def _expand_reading(e: Explanation, want: int, have: int, dim: int, target: list[int], sizes: list[int]) -> bool:
    """What the two shapes say: a reduced tensor that lost its last dim (aligned from the right, its
    rows meet the columns), a buffer or slice sized for a full batch given another (the last batch),
    ids past a position buffer, or one value per class for another class count."""
    for reading in _EXPAND_READINGS:
        found = reading(want, have, dim, target, sizes)
        if found is not None:
            cause, fix = found
            e.causes.append(cause)
            e.fixes.append(fix)
            return True
    return False


def _reduced_without_keepdim(want: int, have: int, dim: int, target: list[int], sizes: list[int]):
    if len(sizes) != len(target) - 1 or sizes != target[: len(sizes)] or dim != len(target) - 1 or sizes[-1] <= 1:
        return None
    return (
        f"the tensor {shape_text(sizes)} is one value per row of the target {shape_text(target)} (a norm, mean or "
        "max over the last dim without `keepdim=True`): broadcasting aligns dims from the right, so its "
        f"{have} rows meet the {want} columns",
        "keep the reduced dim: `x.norm(dim=-1, keepdim=True)` (or `.unsqueeze(-1)` before the op)",
    )


def _sized_for_other_batch(want: int, have: int, dim: int, target: list[int], sizes: list[int]):
    aligned = [1] * (len(target) - len(sizes)) + sizes  # broadcasting aligns the dims from the right
    others_equal = len(aligned) == len(target) and all(
        a == t for i, (a, t) in enumerate(zip(aligned, target, strict=True)) if i != dim and a != 1
    )
    if dim != 0 or not others_equal or len(sizes) != len(target) or have == want:
        return None
    if have < want:
        return (
            f"a place sized for {want} rows gets {have}: the last batch of an epoch is smaller (the dataset's "
            "length is not a multiple of the batch size), written into a buffer or slice sized for a full batch",
            "size the slice by what arrives (`out[i : i + len(x)] = x`), or `drop_last=True` in the DataLoader",
        )
    return (
        f"a place sized for {want} rows gets {have}: more rows than the buffer or slice holds (a longer sequence "
        "or a larger batch than the fixed size it was made for)",
        f"keep what is written to {want} rows (truncate the input), or make the buffer as large as the input",
    )


def _past_position_buffer(want: int, have: int, dim: int, target: list[int], sizes: list[int]):
    if not (len(sizes) == len(target) == 2 and sizes[0] == 1 and dim == 1 and want > have >= 64):
        return None
    return (
        f"a buffer of {have} positions ([1, {have}]: position or token-type ids) expanded to {want} tokens: the "
        f"input is longer than the model's {have} (max_position_embeddings)",
        f"truncate the input to {have} tokens (`truncation=True, max_length={have}`)",
    )


def _per_class_values(want: int, have: int, dim: int, target: list[int], sizes: list[int]):
    if not (len(sizes) == 1 and len(target) >= 2 and dim == len(target) - 1 and 1 < have < 1000):
        return None
    return (
        f"a vector of {have} values per class (class weights, per-class thresholds or means) against an "
        f"output of {want} classes: the two were made for different class counts",
        f"make both for one class count: {want} values, or a head with {have} outputs",
    )


def _image_channel_counts(want: int, have: int, dim: int, target: list[int], sizes: list[int]):
    channel_dim = {3: 0, 4: 1}.get(len(target))
    if not ({want, have} <= {1, 3, 4} and dim == channel_dim and len(sizes) == len(target) and min(target[-2:]) >= 8):
        return None
    mode = {4: "an RGBA image (a PNG with alpha: 4 channels)", 1: "a grayscale image (1 channel)"}.get(have, "")
    return (
        f"{have} and {want} are image channel counts ([C, H, W]): {mode or f'a {have}-channel image'} where "
        f"{want} channels are expected (`transforms.Normalize` with {want} means and stds, or a buffer or "
        "model made for RGB)",
        "convert every image when loading: `Image.open(p).convert('RGB')` (or give Normalize one value per channel)",
    )


def _width_of_another_setting(want: int, have: int, dim: int, target: list[int], sizes: list[int]):
    others = [i for i, (a, t) in enumerate(zip(sizes, target, strict=False)) if a != t and a != 1]
    if len(sizes) != len(target) or dim == 0 or others != [dim] or min(want, have) < 8:
        return None
    return (
        f"the two were made for different widths in dim {dim} (the tensor {have}, the place it goes {want}), every "
        "other dim agreeing: a size set in two places (a hidden size, channel or embedding width, a number of "
        "queries) changed in one only: the config and the code, or a module and the buffer it fills",
        f"make both come from the one setting (every place that builds {have} must build {want}, or the other way), "
        f"or project between them (`nn.Linear({have}, {want})`)",
    )


# The readings of an expand between two known shapes, in the order they are tried: each gives
# (cause, fix) when the shapes fit it.
_EXPAND_READINGS = (
    _image_channel_counts,
    _reduced_without_keepdim,
    _sized_for_other_batch,
    _past_position_buffer,
    _per_class_values,
    _width_of_another_setting,
)


def _einsum(f: dict) -> Explanation:
    a, b = ints(f["a"]), ints(f["b"])
    e = Explanation(
        "SC112",
        f"torch.einsum operands {shape_text(a)} and {shape_text(b)} do not line up",
        "torch.einsum: dims with the same subscript must have the same size (or 1)",
        [(shape_text(a), "operand 0"), (shape_text(b), "operand 1")],
    )
    differ = [d for d, (x, y) in enumerate(zip(a, b, strict=False)) if x != y and 1 not in (x, y)]
    # the batch (dim 0) is shared by every operand; other dims may differ by design (a cross-attention's
    # query and key lengths), so they are read only when one alone differs
    if differ and (differ[0] == 0 or (len(a) == len(b) and len(differ) == 1)):
        _einsum_dim_differs(e, differ[0], a[differ[0]], b[differ[0]], len(a))
    e.causes.append("the subscripts pair dims that do not have the same size")
    return e


def _einsum_dim_differs(e: Explanation, d: int, x: int, y: int, rank: int) -> None:
    """The one dim where two einsum operands of one rank differ: a batch repeated on one side, the
    heads of grouped-query attention, or a length or width made for another size."""
    k = max(x, y) // min(x, y) if max(x, y) % min(x, y) == 0 else 0
    if d == 0 and k:
        e.causes.append(
            f"the batch dims differ by a factor of {k} ({x} and {y}): one operand was repeated for heads or "
            "guidance (batch × heads, or a doubled batch) and the other was not"
        )
        e.fixes.append(f"repeat the smaller one {k} times along dim 0 (`repeat_interleave({k}, dim=0)`) to match")
    elif d == 1 and rank == 4 and k:
        e.causes.append(
            f"dim 1 of [batch, heads, tokens, head_dim] differs ({x} and {y}): the query has {max(x, y)} heads and "
            f"the keys/values {min(x, y)}, grouped-query attention (num_key_value_heads) whose keys and values were "
            "not repeated to the query's heads"
        )
        e.fixes.append(f"repeat the keys and values to the query's heads: `k.repeat_interleave({k}, dim=1)`")
    else:
        e.causes.append(
            f"only dim {d} differs ({x} and {y}): the two operands were made for different sizes there (a sequence "
            "length, a hidden size or a count of another configuration)"
        )


def _einsum_dim(f: dict) -> Explanation:
    return Explanation(
        "SC112",
        f"torch.einsum: dim {f['dim']} of operand {f['op']} has another size than the same subscript before it",
        "torch.einsum (sumproduct_pair / the subscript check)",
        [(f["op"], "the operand whose size differs"), (f["dim"], "its dim")],
        [
            "a subscript used twice labels two dims of different sizes (often an input of another size than the "
            "model was written for)"
        ],
        ["print the operand shapes next to the equation; the dims sharing a letter must match"],
    )


def _dim_range(f: dict) -> Explanation:
    lo, hi, got = int(f["lo"]), int(f["hi"]), int(f["got"])
    rank = hi + 1
    e = Explanation(
        "SC131",
        f"a dim {got} was asked of a tensor with {rank} dim{'s' if rank != 1 else ''}",
        "every op that takes a dim (softmax, max, cat, transpose, scatter, …)",
        [(f"[{lo}, {hi}]", f"the dims a {rank}-D tensor has"), (str(got), "the dim asked for")],
    )
    if rank == 1:
        e.causes.append(
            "a tensor lost a dim: `.squeeze()` at batch 1, or a target of shape [B] where [B, C] was meant "
            "(`torch.max(y, 1)` on class indices)"
        )
        e.fixes.append("squeeze a named dim (`squeeze(-1)`), or keep the batch dim; print the tensor's shape there")
    else:
        e.causes.append(
            f"the tensor has {rank} dims where the code expects {got + 1} or more: a dim was dropped before"
        )
    return e


def _no_dims(f: dict) -> Explanation:
    """PyTorch ≤ 0.4's wording for a dim asked of a 0-D tensor (a scalar)."""
    got = int(f["got"])
    return Explanation(
        "SC131",
        f"a dim {got} was asked of a 0-D tensor (a scalar, which has no dims)",
        "every op that takes a dim (sum, max, softmax, cat, size, …)",
        [(str(got), "the dim asked for"), ("[]", "the tensor's shape: a scalar")],
        [
            "the tensor is a scalar: a loss or `.sum()` already reduced it, an indexing like `x[0]` took its "
            "last dim, or a 1-element list became a 0-D tensor"
        ],
        ["`x.unsqueeze(0)` to make it 1-D, or `x.item()` for its value; or drop the dim argument"],
    )


def _index_range(f: dict) -> Explanation:
    e = Explanation(
        "SC124",
        "an index past the end of a lookup table (most often nn.Embedding)",
        "nn.Embedding / F.embedding (also index_select); on a GPU the same is a device-side assert",
        [],
        [
            "a token id ≥ num_embeddings: the tokenizer's vocabulary is larger than the embedding",
            "positions past max_position_embeddings: a sequence longer than the model's position table",
            "an id of something else counted (a category, class, speaker, user or item id) ≥ the table's size: the "
            "Embedding was built for fewer than the data has (num_embeddings must be the largest id + 1)",
            "a negative index, or an id of -100 (the ignore label) fed to the embedding",
        ],
        [
            "truncate inputs to the model's length (`truncation=True, max_length=…`), or size the table from "
            "the tokenizer (`resize_token_embeddings(len(tokenizer))`)",
            "`shapecheck MODEL --input N:long` finds the table and the length that fits",
        ],
    )
    if "index" in f:
        e.numbers = [(f["index"], "the index asked for"), (f["rows"], "the table's rows (valid: 0 to rows - 1)")]
        rows = int(f["rows"])
        if int(f["index"]) == rows and rows not in _POSITION_ROWS and rows + 1 not in _POSITION_ROWS:
            # the first id past the end: a table sized by the count of ids (or the largest id), not largest id + 1
            e.causes.insert(
                0,
                f"index {rows} is the table's size, one past its last row: ids counted from 1 (1 … {rows}), or "
                "num_embeddings set to the number of ids or the largest id rather than the largest id + 1 (a "
                "padding, unknown or end token added after the table was sized)",
            )
            e.fixes.insert(0, "`nn.Embedding(max_id + 1, dim)`, or shift the ids to start at 0")
        if rows in _POSITION_ROWS or rows + 1 in _POSITION_ROWS:
            # no tokenizer's vocabulary has 511 or 1024 ids: a position table, past its end
            e.causes = [
                f"{rows} rows is a model's position table (max_position_embeddings: 512 for BERT, 514 for RoBERTa, "
                "1024 for GPT-2 and BART, 77 for CLIP's text), and position "
                f"{f['index']} is past it: the sequence is longer than the model takes",
                *e.causes[2:],
            ]
            e.fixes = [
                f"truncate the inputs to the model's length (`tokenizer(..., truncation=True, max_length={rows})`), "
                "or split long texts into chunks",
                *e.fixes[1:],
            ]
    return e


# the position tables of language and text-image models (and one less: a table whose last row is padding)
_POSITION_ROWS = {77, 512, 514, 1024, 1026, 2048, 4096, 8192}


def _attn_mask(f: dict) -> Explanation:
    got = ints(f["got"])
    want = ints(f["want"])
    e = Explanation(
        "SC117",
        f"the attention mask is {shape_text(got)} but the attention is {shape_text(want)}",
        "F.multi_head_attention_forward (nn.MultiheadAttention, nn.Transformer*)",
        [(shape_text(got), "the attn_mask given"), (shape_text(want), "(target length, source length) of this call")],
    )
    for reading in (_mask_per_sample, _mask_swapped, _mask_for_padding, _mask_too_short):
        found = reading(got, want)
        if found:
            e.causes.append(found[0])
            e.fixes.append(found[1])
            break
    e.causes.append("the mask was made for another sequence length (padding, a text of another length)")
    return e


# Each reading of an attn_mask of another shape than the attention's: (cause, fix), or None.


def _mask_per_sample(got: list[int], want: list[int]) -> tuple[str, str] | None:
    """A 3-D mask is (batch × num_heads, L, S): one mask per sample where one per head is wanted, or the reverse."""
    if not (len(got) == len(want) == 3 and got[1:] == want[1:] and got[0] != want[0]):
        return None
    small, large = sorted((got[0], want[0]))
    k = large // small if small and large % small == 0 else 0
    if k <= 1:
        return None
    if want[0] > got[0]:
        return (
            f"a 3-D attn_mask is (batch × num_heads, L, S): {want[0]} = {got[0]}·{k}, so the mask has one entry "
            f"per sample where one per head is wanted ({k} heads)",
            f"repeat it per head: `mask.repeat_interleave({k}, dim=0)` (or pass a 2-D (L, S) mask)",
        )
    return (
        f"a 3-D attn_mask is (batch × num_heads, L, S): the mask has {got[0]} = {want[0]}·{k} entries, "
        f"heads repeated for another batch or head count ({k}×)",
        "build the mask for this batch: batch × num_heads entries, each (L, S)",
    )


def _mask_swapped(got: list[int], want: list[int]) -> tuple[str, str] | None:
    """A square attention whose length is not the mask's: the batch read as the length."""
    if not (got and want and got[-1] not in want and want[0] == want[-1]):
        return None
    if got[0] == 77:
        # 77 is CLIP's text context: a mask made right for the text, an attention that read the batch as the length
        return (
            f"the sequence and batch dims are swapped: 77 is CLIP's text context length, so the mask is right for "
            f"the text; the attention read {want[0]} (the batch) as the length: a [batch, 77, width] tensor reached "
            "a seq-first attention (open_clip ≥ 2.26 builds its text transformer with batch_first=True, so code "
            "that permutes to [77, batch, width] first now swaps them)",
            "drop the permute before the text transformer (or set `model.transformer.batch_first = False`), or pin "
            "open_clip_torch < 2.26 (the release the code was written for)",
        )
    if want[0] < got[0] and _batch_like(want[0]):
        return (
            f"the sequence and batch dims are swapped: a batch-first tensor reached a seq-first attention, so "
            f"it reads {want[0]} (the batch) as the length",
            "build the layer with batch_first=True, or permute the input to [L, N, E]",
        )
    return None


def _mask_for_padding(got: list[int], want: list[int]) -> tuple[str, str] | None:
    """[N, S]: one row per sample over the source positions, a padding mask, where (L, S) is taken."""
    if not (len(got) == len(want) == 2 and got[1] == want[1] and got[0] != want[0] and got[0] != got[1]):
        return None
    return (
        f"a padding mask {shape_text(got)} = [batch {got[0]}, source length {got[1]}] (a tokenizer's "
        "attention_mask, one row per sample) was passed as attn_mask, which is (target length, source length) "
        "for every sample (a causal mask)",
        "pass it as key_padding_mask (tgt_key_padding_mask / src_key_padding_mask in nn.Transformer*), True where "
        "padded: `key_padding_mask = attention_mask == 0`",
    )


def _mask_too_short(got: list[int], want: list[int]) -> tuple[str, str] | None:
    """A causal mask built once for a set length, an attention over a longer text."""
    if not (len(got) == len(want) == 2 and got[0] == got[1] and want[0] == want[1] and want[0] > got[0] > 1):
        return None
    context = " (77 is CLIP's text context length: the tokenizer pads every text to it)" if want[0] == 77 else ""
    return (
        f"a square mask built for {got[0]} positions (a causal mask made once from a configured length: "
        f"`max_len`, `word_len`, `context_length`) meets a text of {want[0]} tokens{context}: the configured "
        "length and the tokenizer's disagree",
        f"build the mask from the input's length (`L = x.size(0 or 1)`), or set the configured length to "
        f"{want[0]} (or tokenize to {got[0]})",
    )


def _batch_like(n: int) -> bool:
    """A size that reads as a batch: small, or a power of two (355 queries are no batch; 4 or 128 can be)."""
    return n <= 64 or n & (n - 1) == 0


def _attention_inputs(f: dict) -> Explanation:
    q, k = ints(f["q"]), ints(f["k"])
    e = Explanation(
        "SC117",
        f"query {shape_text(q)} and key {shape_text(k)} do not fit one attention call",
        "xformers memory_efficient_attention (also F.scaled_dot_product_attention)",
        [(shape_text(q), "query"), (shape_text(k), "key (value has its shape)")],
    )
    if q and k and q[0] != k[0]:
        k_ = max(q[0], k[0]) // max(min(q[0], k[0]), 1)
        e.causes.append(
            f"the batch dims differ ({q[0]} and {k[0]}): the images and the prompts (or guidance copies) "
            f"were batched differently"
            + (f", a factor of {k_}" if max(q[0], k[0]) % max(min(q[0], k[0]), 1) == 0 else "")
        )
        e.fixes.append("repeat or expand the smaller batch to the other's before the call (it does not broadcast)")
    return e


def _kv_sizes(f: dict) -> Explanation:
    return Explanation(
        "SC117",
        "key and value of different shapes in nn.MultiheadAttention",
        "torch::nn::functional::multi_head_attention_forward (C++ API)",
        [],
        ["vdim differs from kdim: the C++ module checks key.sizes() == value.sizes()"],
        ["give key and value the same shape, or project value to kdim first"],
    )


def _groupnorm(f: dict) -> Explanation:
    e = Explanation(
        "SC104",
        "a GroupNorm whose num_groups does not divide its channels",
        "nn.GroupNorm.__init__ (F.group_norm at run time in older releases)",
        [],
        [
            "num_channels = num_groups × channels per group must hold: a width set from a multiplier "
            "(0.5 × 32 = 16 with 32 groups), or the last layer of a decoder with 1 channel"
        ],
        [
            "choose num_groups among the divisors of num_channels (1 always works), or channels a multiple of "
            "num_groups; `shapecheck MODEL` names the line and the divisors"
        ],
    )
    if f.get("c"):
        c, g = int(f["c"]), int(f["g"])
        divisors = [d for d in range(1, min(c, 64) + 1) if c % d == 0]
        e.numbers = [(str(c), "num_channels"), (str(g), "num_groups")]
        e.fixes[0] = f"num_groups among {', '.join(map(str, divisors[-6:]))} (divisors of {c})"
    if f.get("shape"):
        shape = ints(f["shape"])
        g = int(f["groups"])
        if len(shape) > 1:
            c = shape[1]
            divisors = [d for d in range(1, min(c, 64) + 1) if c % d == 0]
            e.numbers = [(shape_text(shape), "the input"), (str(c), "its channels (dim 1)"), (str(g), "num_groups")]
            e.fixes[0] = f"num_groups among {', '.join(map(str, divisors[-6:]))} (divisors of {c})"
    return e


def _einsum_subscript(f: dict) -> Explanation:
    sub, got, seen, op = f["s"], int(f["got"]), int(f["seen"]), int(f["op"])
    e = Explanation(
        "SC112",
        f"torch.einsum: subscript {sub} is {seen} in an earlier operand and {got} in operand {op}",
        "torch.einsum (aten/src/ATen/native/Linear.cpp): every dim labelled with one subscript must have one "
        "size (or 1)",
        [(str(seen), f"the size of {sub} seen first"), (str(got), f"its size in operand {op}")],
    )
    small, large = sorted((got, seen))
    if small > 1 and large % small == 0:
        e.causes.append(
            f"{large} = {large // small}·{small}: one operand has {sub} folded with another dim (batch × heads, a "
            "doubled batch for guidance) and the other does not"
        )
        e.fixes.append(
            f"fold or repeat the other operand the same way (`repeat_interleave({large // small}, dim=…)`), or "
            f"unfold {large} back into {large // small} × {small} before the einsum"
        )
    e.causes.append(f"{sub} labels two dims that are not the same quantity: check the equation against each shape")
    e.fixes.append("print the operands' shapes beside the equation; dims sharing a letter must match")
    return e


def _conv_weight_dims(f: dict) -> Explanation:
    n = int(f["n"])
    given = ints(f["stride"])
    return Explanation(
        "SC105",
        f"a conv{len(given)}d call got a weight for a {n}-D convolution",
        "aten/src/ATen/native/Convolution.cpp: the stride/padding/dilation check of F.conv*",
        [(str(n), "spatial dims of the weight (its rank - 2)"), (shape_text(given), "the stride of the call")],
        [
            f"F.conv{len(given)}d was called with a Conv{n}d weight (or a module's weight was replaced with one of "
            "another rank)",
            "or, in PyTorch before 1.11, an input of the wrong rank reached the conv",
        ],
        [f"call F.conv{n}d for this weight, or give the weight {len(given) + 2} dims"],
    )


def _conv_groups(f: dict) -> Explanation:
    which = f["which"]
    return Explanation(
        "SC104",
        f"a grouped convolution whose groups do not divide its {which}",
        "nn.Conv1d/2d/3d.__init__ (_ConvNd)",
        [],
        [
            f"groups must divide in_channels and out_channels; a {which} computed from a ratio (a bottleneck "
            "of (out - in) // 4) rarely stays a multiple of the groups"
        ],
        [
            "groups among the common divisors of in_channels and out_channels, or channels rounded to a multiple "
            "of groups; `shapecheck MODEL` names the line and the values"
        ],
    )


def _pixel_shuffle(f: dict) -> Explanation:
    c, sq = int(f["c"]), int(f["sq"])
    below, above = c // sq * sq, (c // sq + 1) * sq
    return Explanation(
        "SC104",
        f"PixelShuffle needs channels in multiples of {sq} (the factor squared); it got {c}",
        "F.pixel_shuffle (nn.PixelShuffle)",
        [(str(c), "channels reaching the shuffle"), (str(sq), "upscale_factor²")],
        [f"the conv before it outputs {c} channels: C_out × {sq} is meant ({below} or {above} here)"],
        [
            f"set that conv's out_channels to {above} ({above // sq} channels after the shuffle)"
            + (f" or {below} ({below // sq})" if below else "")
        ],
    )


def _hidden_batch(f: dict) -> Explanation:
    a, b = int(f["a"]), int(f["b"])
    return Explanation(
        "SC116",
        f"an RNN's input batch is {a} but its hidden state's is {b}",
        "nn.RNNCellBase.check_forward_hidden (LSTMCell, GRUCell)",
        [(str(a), "the input's batch (dim 0)"), (str(b), "the hidden state's batch")],
        [
            "an LSTMCell given one tensor as its hidden state instead of the (h, c) pair: it reads h's rows as "
            f"the pair, so its {b} features look like a batch",
            "a hidden state made for another batch size (the last, smaller batch)",
        ],
        ["pass (h, c) to an LSTMCell; build the hidden state from the input's batch size (`x.size(0)`)"],
    )


def _hidden_size(f: dict) -> Explanation:
    want, got = ints(f["want"]), ints(f["got"])
    e = Explanation(
        "SC116",
        f"an RNN's hidden state is {tuple(got)} but it expects {tuple(want)}",
        "nn.RNNBase.check_hidden_size (LSTM, GRU, RNN)",
        [(str(tuple(want)), "(num_layers × directions, batch, hidden_size) expected"), (str(tuple(got)), "given")],
    )
    if read.hidden_state(e, want, got):
        return e
    diff = _differing(want, got)
    if diff == [1]:
        e.causes.append(
            f"the batch differs ({want[1]} and {got[1]}): a hidden state kept from another batch, or split "
            "across GPUs by DataParallel along dim 0 while the batch is dim 1"
        )
        e.fixes.append("make the hidden state per call from the input's batch, or keep it inside the module")
    elif diff == [0]:
        e.causes.append("num_layers × directions differs: a hidden state for another stack")
    elif diff == [2]:
        e.causes.append("hidden_size differs")
    return e


def _spatial_target(f: dict) -> Explanation:
    shape = ints(f.get("shape", ""))
    rank = len(shape) if shape else int(f["d"]) if f.get("d") else None
    e = Explanation(
        "SC125",
        "a segmentation loss got a target with a dim too many",
        "F.nll_loss2d (nn.CrossEntropyLoss / NLLLoss on [N, C, H, W] logits)",
        [(shape_text(shape), "the target: class indices [N, H, W] are expected")] if shape else [],
    )
    if rank is not None and rank < 3:
        _unpooled_scores(e, rank)
    else:
        _mask_target(e, shape)
    return e


def _unpooled_scores(e: Explanation, rank: int) -> None:
    """Fewer dims than a mask: the target is a label per sample (or per position) and it is the scores
    that are a map: the loss took the 2-D (segmentation) path because the output kept its H and W."""
    e.title = f"a loss got scores with spatial dims [N, C, H, W] and a {rank}-D target"
    e.causes.append(
        f"the target is {'one class per sample [N]' if rank == 1 else 'a label per sample or position [N, L]'}, "
        "but the model's output still has its spatial dims ([N, C, H, W]): a classifier whose conv features "
        "were never pooled and flattened into [N, C] (a missing `flatten` / global pooling, or a Linear-free "
        "head), so the loss read the scores as a segmentation map"
    )
    e.fixes.append(
        "end the model in [N, C] scores: `x = F.adaptive_avg_pool2d(x, 1).flatten(1)` (or `torch.flatten(x, 1)`) "
        "before the last Linear; a segmentation model instead needs masks [N, H, W] as targets"
    )


def _mask_target(e: Explanation, shape: list[int]) -> None:
    """A segmentation target with a dim more than class indices [N, H, W]: which dim it is."""
    if len(shape) == 4 and shape[1] == 1:
        e.causes.append("the mask has a channel dim of 1 ([N, 1, H, W])")
        e.fixes.append("squeeze it: `target.squeeze(1).long()`")
    elif len(shape) == 4 and shape[-1] in (3, 4):
        e.causes.append(f"the mask was read as a color image ([N, H, W, {shape[-1]}]): colors instead of class indices")
        e.fixes.append("load masks as single-channel class indices (map each color to its class id)")
    elif len(shape) == 4:
        e.causes.append(f"the target is one-hot ([N, {shape[1]}, H, W])")
        e.fixes.append("use class indices: `target.argmax(1)`")
    elif len(shape) == 2:
        e.causes.append("the target is [N, L]: the logits are not [N, C, H, W], or the labels are per pixel flattened")
    else:
        e.causes.append("the target has the channel or one-hot dim the loss does not take")
        e.fixes.append("class indices of shape [N, H, W] (`squeeze(1)` or `argmax(1)`)")


def _multi_target(f: dict) -> Explanation:
    return Explanation(
        "SC125",
        "a classification loss got a target with a dim too many",
        "F.nll_loss (nn.CrossEntropyLoss, NLLLoss), older releases",
        [],
        [
            "the target is [N, 1] or one-hot [N, C] where class indices [N] are expected",
            "or the task is multi-label (several classes true per sample, a [N, C] target of 0s and 1s): "
            "cross-entropy takes one class per sample; a multi-label target wants a binary loss per class",
        ],
        [
            "`target.squeeze(1)` for [N, 1]; `target.argmax(1)` for one-hot",
            "for multi-label targets: `nn.BCEWithLogitsLoss()` on the [N, C] logits with a float [N, C] target",
        ],
    )


def _cell_input(want: int, got: int) -> Explanation:
    """An RNN cell's input of another width, in the wording of PyTorch 1.x's RNNCellBase."""
    e = read.rnn_input(want, got)
    e.raised_by = "nn.RNNCell / LSTMCell / GRUCell: RNNCellBase.check_forward_input (PyTorch ≤ 1.x)"
    return e


def _target_size(f: dict) -> Explanation:
    return read.target_size(f["target"].removeprefix("torch.Size(")[:-1], f["input"].removeprefix("torch.Size(")[:-1])


def _metric_shapes(f: dict) -> Explanation:
    """torchmetrics' check that preds and target have one shape: the loss readings, said of a metric, and the
    segmentation case (class scores per pixel against a map of class indices) first."""
    target, preds = f["target"].removeprefix("torch.Size(")[:-1], f["preds"].removeprefix("torch.Size(")[:-1]
    e = read.target_size(target, preds)
    t, o = ints(target), ints(preds)
    e.title = f"a torchmetrics metric got preds of {preds} and a target of {target}"
    e.raised_by = "torchmetrics (utilities/checks.py: _check_same_shape, in the metric's update)"
    e.numbers = [(preds, "preds (the model's output)"), (target, "target")]
    generic = [i for i, c in enumerate(e.causes) if c.startswith("the output and the target have different shapes")]
    own = _metric_difference(t, o, target, preds)
    if generic:
        e.causes[generic[0]], e.fixes[generic[0]] = own
    elif own[0].startswith("preds have"):
        # class scores against class indices: a metric takes them as they are (multiclass) or argmaxed, never one-hot
        e.causes.insert(0, own[0])
        e.fixes.insert(0, own[1])
    if len(o) == len(t) >= 3 and o[0] == t[0] and o[2:] == t[2:] and t[1] == 1 and o[1] > 1:
        e.causes.insert(
            0,
            f"preds hold {o[1]} class scores per position ({preds}: [N, C, ...]) and the target one class index per "
            f"position stored with a channel dim of 1 ({target}): a metric of one shape (binary, or a shape check) "
            "given multiclass scores",
        )
        e.fixes.insert(
            0,
            f"drop the target's dim of 1 (`target.squeeze(1)`) and use the multiclass metric (`task='multiclass', "
            f"num_classes={o[1]}`), or compare class maps: `preds.argmax(1)` against `target.squeeze(1)`",
        )
    return e


def _metric_difference(t: list[int], o: list[int], target: str, preds: str) -> tuple[str, str]:
    """How a metric's preds and target differ, when no loss reading names it (a metric compares elementwise and
    does not broadcast)."""
    if t and o and math.prod(t) == math.prod(o):
        return (
            f"preds and target hold the same {math.prod(t)} values in other shapes ({preds} and {target}): one side "
            "was flattened or reshaped (positions folded into the batch) and the other not",
            "reshape one to the other (`preds.view_as(target)`), or flatten both the same way",
        )
    if len(t) == len(o) + 1 and t[:-1] == o:
        return (
            f"the target has {t[-1]} values per sample ({target}) where preds have one ({preds}): a target of another "
            "kind than the predictions (one-hot, several labels or channels, an RGBA or multi-channel map)",
            f"compare like with like: take the target's channel the predictions are for, or predict {t[-1]} values",
        )
    if len(o) == len(t) + 1 and o[:-1] == t:
        return (
            f"preds have {o[-1]} values per sample ({preds}: scores per class) where the target has one class index "
            f"({target})",
            f"`preds.argmax(-1)`, or the multiclass metric (`task='multiclass', num_classes={o[-1]}`)",
        )
    return (
        "a metric compares preds and target elementwise and does not broadcast: they need one shape",
        "print both shapes at the metric and bring them to one",
    )


def _metric_forms(f: dict) -> Explanation:
    return Explanation(
        "SC125",
        "a torchmetrics classification metric got preds and target of shapes it does not pair",
        "torchmetrics (utilities/checks.py: _check_shape_and_type_consistency)",
        [],
        [
            "preds and target must either have one shape (N, ...) or preds one dim more, the classes (N, C, ...) "
            "against target (N, ...): here neither holds: a target with an extra dim of 1 ([N, 1] or [N, 1, H, W]), "
            "preds squeezed or flattened, a batch of preds against another batch's targets, or probabilities for "
            "two classes where the target is binary",
        ],
        [
            "print `preds.shape, target.shape` at the metric; squeeze the target's dim of 1, give preds as [N, C, ...] "
            "(or argmax them), and name the task (`task='binary'|'multiclass'`, `num_classes=`)"
        ],
    )


def _sample_counts(f: dict) -> Explanation:
    """scikit-learn's check that the arrays of a metric or split have one length: how the two lengths relate."""
    a, b = int(f["a"]), int(f["b"])
    e = Explanation(
        "SC125",
        f"scikit-learn got arrays of {a} and {b} samples",
        "scikit-learn (utils/validation.py: check_consistent_length, in every metric and train_test_split)",
        [(str(a), "samples in the first array (y_true)"), (str(b), "samples in the second (y_pred)")],
    )
    small, large = sorted((a, b))
    multiple = bool(small) and large % small == 0 and large // small > 1
    side = _square_sides(a, b) if min(a, b) >= 256 and not multiple else None
    if side is not None:
        n, sa, sb = side
        e.causes.append(
            f"{a} = {n}·{sa}² and {b} = {n}·{sb}²: per-pixel arrays of {n} images, one at {sa}×{sa} and the other at "
            f"{sb}×{sb}: the masks (or scores) were made at another image size than the predictions (a resize or "
            "crop setting of training against evaluation)"
        )
        e.fixes.append(f"resize both to one size before flattening (the masks to the predictions' {sb}×{sb})")
    elif multiple:
        k = large // small
        e.causes.append(
            f"{large} = {k}·{small}: one array holds {k} values per sample where the other holds one: an output of "
            f"[N, {k}] flattened (class scores, one-hot labels, per-token or per-pixel values) against labels [N]"
        )
        e.fixes.append(
            "give sklearn one value per sample on both sides: `y_pred.argmax(1)` for scores, `y_true.argmax(1)` for "
            "one-hot, or flatten both the same way"
        )
    if small and large - small < max(2, small // 10):
        e.causes.append(
            f"{large - small} sample{'s' if large - small > 1 else ''} apart: predictions gathered over a loader that "
            "drops or pads the last batch (drop_last, a sampler of another length), or labels and predictions taken "
            "from different splits"
        )
        e.fixes.append("collect labels and predictions in the same loop, from the same batches")
    if not e.causes:
        e.causes.append("the two arrays come from different data: another split, another loader, or another reshape")
        e.fixes.append("print `len(y_true), len(y_pred)` and build both from the same batches")
    return e


_IMAGE_SIDES = {224, 256, 288, 299, 320, 336, 384, 416, 448, 512, 518, 576, 608, 640, 768, 1024}


def _square_sides(a: int, b: int) -> tuple[int, int, int] | None:
    """(n, side of a, side of b) when a and b are n images of square maps of two sides: the sides are known up to
    a common factor, so a pair of usual image sides is taken first, else the largest pair up to 1024."""
    found = []
    for sa in range(min(2048, math.isqrt(a)), 15, -1):
        if a % (sa * sa):
            continue
        n = a // (sa * sa)
        if n and b % n == 0 and (sb := math.isqrt(b // n)) ** 2 == b // n and min(sa, sb) >= 16 and sb != sa:
            found.append((n, sa, sb))
    usual = [f for f in found if {f[1], f[2]} <= _IMAGE_SIDES]
    small = [f for f in found if max(f[1], f[2]) <= 1024]
    chosen = usual or small or found
    return chosen[0] if chosen else None


def _nelement(f: dict) -> Explanation:
    e = Explanation(
        "SC125",
        f"the loss got {f['target']} target values for {f['input']} input values",
        "F.binary_cross_entropy and other losses that compare element by element (older releases)",
        [(f["input"], "values in the model's output"), (f["target"], "values in the target")],
        ["the output has another number of labels per sample than the target (the head's out_features)"],
        ["make the head output one value per label of the target"],
    )
    n_target, n_input = int(f["target"]), int(f["input"])
    side = math.isqrt(n_input // n_target) if n_target and n_input % n_target == 0 else 0
    if side >= 2 and side * side * n_target == n_input:
        # a square count of outputs per target value: a map of scores where one score was meant
        e.causes.insert(
            0,
            f"{n_input} = {n_target}·{side}·{side}: the model gives a {side}×{side} map of outputs for each target "
            "value (a patch discriminator or a conv head without its pooling): its input images are larger than "
            "the image size it was built for",
        )
        e.fixes.insert(0, "feed the image size the model was built for (an image-size option), or pool its output")
    split = per_sample(n_target, n_input)
    if split:
        batch, t, i = split
        e.causes.insert(
            0,
            f"{f['target']} = {batch}·{t} and {f['input']} = {batch}·{i}: a batch of {batch} with {t} labels per "
            f"sample in the target and {i} outputs per sample from the model: the head is built for {i} classes "
            f"(its out_features, a num_classes / N_CLASSES setting) where the data has {t}",
        )
        e.fixes.insert(0, f"set the class count to the labels' ({t}): the last layer's out_features = {t}")
    return e


def _zero_output(f: dict) -> Explanation:
    e = Explanation(
        "SC107",
        f"an interpolation or adaptive pool was asked for a {f['oh']}×{f['ow']} output",
        "F.interpolate / upsample_* (output size computed from a scale factor or a config)",
        [(f"{f['h']}×{f['w']}", "input map"), (f"{f['oh']}×{f['ow']}", "the output size asked")],
        ["a scale factor below 1 on a small map, or an output size from a config written for larger inputs"],
        ["check the sizes the config gives (test_size/input_size) against the model's strides"],
    )
    read.zero_resample(e, "HW", [f["h"], f["w"]], [f["oh"], f["ow"]])
    return e


def _old_cat(f: dict) -> Explanation:
    other = int(f["d2"]) if f.get("d2") else None  # the dim they differ in, which only this wording says
    dim, a, b, number = int(f["dim"]), int(f["a"]), int(f["b"]), int(f.get("i") or 1)
    if other is not None or not f.get("i"):
        return read.cat(dim, a, b, number, other)
    # `… dimension 2. Got 70 and 71 (The offending index is 0)`: CUDA's cat in 1.5-1.12 printed the dim it
    # was checking, where the sizes differ, in place of the cat dim (threads cat along dim 1 and read 2)
    if dim < 2:
        e = read.cat(dim, a, b, number)
        e.causes.append(
            f"or, as this wording's CUDA builds (PyTorch 1.5-1.12) print it, dim {dim} is where the sizes differ "
            "and the tensors were joined along another dim"
        )
        return e
    e = read.cat(1, a, b, number, dim)
    e.title = f"tensors joined by cat differ in dim {dim}: {a} vs {b}"
    e.numbers[0] = (
        str(dim),
        "the dim where the sizes differ: this wording (CUDA, PyTorch 1.5-1.12) prints it in place of the cat dim, "
        "which is another (the channels, dim 1, at a skip connection)",
    )
    return e


def _inconsistent(f: dict) -> Explanation:
    return Explanation(
        "SC109",
        "tensors joined by cat differ outside the cat dim (old wording: no sizes given)",
        "torch.cat (PyTorch 0.2: THCTensorMath)",
        [],
        ["a U-Net skip connection at an input size that does not divide by 2 at every level"],
        ["resize or pad the input to a multiple of 2^levels (16 for 4 pools)"],
    )


def _old_weight(f: dict) -> Explanation:
    w = ints(f["weight"])
    return Explanation(
        "SC105",
        f"a {len(w)}-D weight (a Conv{len(w) - 2}d) got an input of the wrong rank (old wording)",
        "THNN SpatialConvolutionMM (PyTorch 0.1/0.2)",
        [(shape_text(w), f"the weight: [out, in, {len(w) - 2} kernel dims]")],
        [
            f"a Conv{len(w) - 2}d needs {len(w)}-D input [N, C, …]: a video without its frames dim, or the wrong "
            "conv type"
        ],
        ["give the input its missing dim (frames after the channels), or use the conv of the input's rank"],
    )


def _old_flat_input(f: dict) -> Explanation:
    d = ints(f["dims"])
    e = Explanation(
        "SC105",
        f"a conv got a flat input {shape_text(d)} (old wording)",
        "THNN SpatialConvolutionMM (PyTorch 0.1/0.2)",
        [(shape_text(d), "the input: 2-D, a conv needs [N, C, H, W]")],
    )
    if len(d) == 2:
        n = d[1]
        side = round(n**0.5)
        if side * side == n:
            e.causes.append(f"images flattened to {n} = {side}·{side} values (MNIST as vectors)")
            e.fixes.append(f"view them as images: `x.view(-1, 1, {side}, {side})`")
    return e


def _conv_truncated(f: dict) -> Explanation:
    weight, x = ints(f["weight"]), ints(f["input"])
    groups, want = int(f["groups"]), int(f["want"])
    got = x[1] if len(x) > 1 else 0
    return read.conv_channels(groups, weight, x, want, got)


def _weight_dims(f: dict) -> Explanation:
    return read.weight_rank(f["weight"], int(f["got"]), f["shape"], int(f["m"]))


def _old_shapes(f: dict) -> Explanation:
    """PyTorch 0.x's MSE/L1 shape check: an output and a target of other 2-D shapes; rows that differ read as
    the loss's batch rows do."""
    out, tgt = [int(f["ia"]), int(f["ib"])], [int(f["ta"]), int(f["tb"])]
    e = read.target_size(shape_text(tgt), shape_text(out))
    e.raised_by = "THNN MSECriterion / AbsCriterion (PyTorch ≤ 0.4): input and target must have the same shape"
    if out[1] == tgt[1] and out[0] != tgt[0]:
        rows = read.batch_sizes(out[0], tgt[0])
        e.causes = rows.causes + e.causes
        e.fixes = rows.fixes + e.fixes
    return e


def _old_copy(f: dict) -> Explanation:
    """PyTorch 0.3's element-count check between two tensors (a criterion or a copy): [N, C] against [N, 1] is
    scores against class indices."""
    t, src = [int(f["ta"]), int(f["tb"])], [int(f["sa"]), int(f["sb"])]
    e = read.target_size(shape_text(src), shape_text(t))
    e.raised_by = "TH copy / THNN criterions (PyTorch ≤ 0.3): the two must have the same number of elements"
    if t[0] == src[0] and 1 in (t[1], src[1]) and t[1] != src[1]:
        wide = max(t[1], src[1])
        e.causes.insert(
            0,
            f"{t[0]} rows of {wide} against {t[0]} rows of 1: scores or one-hot rows of {wide} classes against one class "
            "index per sample (or the reverse): a loss that compares element by element (MSE) given class indices",
        )
        e.fixes.insert(
            0,
            f"one-hot the indices to the output's shape (`F.one_hot(y.view(-1), {wide}).float()`), or use "
            "`nn.CrossEntropyLoss` with the class indices",
        )
    return e


def _old_nll_batch() -> Explanation:
    """PyTorch 0.x's NLL batch assertion, which names no sizes."""
    e = read.batch_sizes(0, 0)
    e.title = "the loss got another number of rows of scores than targets"
    e.numbers = []
    e.causes = [
        "the output's rows and the targets do not pair up: the output was flattened with a constant that folds "
        "positions into the batch (`x.view(-1, 16*5*5)` at another input size), one-hot or [N, 1] targets were "
        "flattened, or output and target come from batches of other sizes (the last, smaller batch)"
    ]
    e.fixes = [
        "print `output.shape, target.shape` before the loss: scores [N, C] and class indices [N]; flatten with "
        "`x.view(x.size(0), -1)`, give `labels.argmax(1)` for one-hot targets"
    ]
    return e


def _old_size_mismatch() -> Explanation:
    """PyTorch 0.3's addmm check without its sizes: a Linear given another number of features than
    in_features, most often a flatten's."""
    return Explanation(
        "SC102",
        "a Linear layer got another number of features than its in_features (the sizes are not in this wording)",
        "TH/THC addmm (PyTorch ≤ 0.3)",
        [],
        [
            "the flatten before the Linear gives another size than in_features: the conv map is another size than "
            "the one the layer was written for (another input image size, or a miscounted C·H·W)",
            "or the input is not flattened (a [N, C, H, W] map into the Linear) or the batch was flattened into it",
        ],
        [
            "print `x.shape` right before the Linear and set in_features to its last dim (`x.view(x.size(0), -1)` "
            "first), or `nn.AdaptiveAvgPool2d` before the flatten so the size holds at any input size",
            "`shapecheck MODEL --input SPEC` names the layer and the size",
        ],
    )


def _matmul_loose(f: dict) -> Explanation:
    return read.matmul(int(f["a"]), int(f["b"]), int(f["c"]), int(f["d"]))


def _layer_norm(f: dict) -> Explanation:
    want = ints(f["want"])
    got = ints(f["got"])
    n = want[-1] if want else 0
    e = Explanation(
        "SC104",
        f"a LayerNorm built for {shape_text(want)} got {shape_text(got)}",
        "F.layer_norm (nn.LayerNorm): the input's last dims must equal normalized_shape",
        [(shape_text(want), "normalized_shape"), (shape_text(got), "the input")],
    )
    if n in got[:-1]:
        _features_not_last(e, got, n)
    else:
        _last_dim_reading(e, got, n)
    e.fixes.append(
        f"normalized_shape must be the input's last dim ({got[-1] if got else '?'}), or the input must end in {n}"
    )
    return e


def _features_not_last(e: Explanation, got: list[int], n: int) -> None:
    """The norm's features found in another dim than the last: a channels-first map."""
    i = got.index(n)
    e.code = "SC114"
    e.causes.append(
        f"the {n} features are in dim {i}, not the last: a [N, C, H, W] map into a LayerNorm "
        "that normalises the last dim"
    )
    e.fixes.append("permute the channels last first (`x.permute(0, 2, 3, 1)`), or use a channels-first norm")
    if len(got) != 4 or i != 1:
        return
    if got[2] != got[3] or got[2] > 64:
        # a conv block's map (not a patch grid, which is square and at most 64 a side: 224/16, 518/14, 224/4):
        # the norm a CNN puts there is a BatchNorm, which a config can swap for LN
        e.fixes.append(
            f"for a conv block's map, the norm it is written for is channels-first: `nn.BatchNorm2d({n})` (or "
            "GroupNorm): a config that names LN (`norm_cfg=dict(type='LN')`) where the model expects BN/SyncBN "
            "puts a LayerNorm there"
        )
    if got[2] == got[3] > 1:
        e.causes.append(
            f"a square {got[2]}×{got[3]} grid of {n}-wide features: when it is a patch embedding's output (a "
            f"ViT or Swin: a Conv2d with stride = patch size), it becomes {got[2] * got[3]} tokens only once "
            "flattened"
        )
        e.fixes.append(
            f"for tokens: `x.flatten(2).transpose(1, 2)` gives [{got[0]}, {got[2] * got[3]}, {n}] before the norm"
        )


def _last_dim_reading(e: Explanation, got: list[int], n: int) -> None:
    """What the input's last dim is, when the norm's `n` features are nowhere in the input."""
    last = got[-1] if got else 0
    if last and last % n == 0 and last // n > 16:
        k = last // n
        e.causes.append(
            f"the last dim is {last} = {k}·{n}: {k} positions (tokens) of {n} features flattened into one dim: "
            "a sequence reshaped to one row (a `view(…, -1)`, or a tensor passed between pipeline stages or "
            "processes without its shape) where the norm applies per position"
        )
        e.fixes.append(f"keep the positions: the norm takes [..., {k}, {n}]; restore the shape before it")
    elif last and last % n == 0 and last // n > 1:
        e.causes.append(
            f"the last dim is {last} = {last // n}·{n}: features of {last // n} blocks "
            "concatenated, or a model variant with a wider hidden size"
        )
    elif len(got) == 1:
        e.causes.append(f"a 1-D input of {got[0]}: the features dim was lost (a `.squeeze()` or an index)")
    else:
        e.causes.append(
            f"the last dim is {got[-1] if got else '?'}: a model variant (another hidden size) "
            "than the checkpoint or config the norm was built for"
        )


def _permute_dims(f: dict) -> Explanation:
    e = Explanation(
        "SC105",
        "permute got another number of dims than the tensor has",
        "Tensor.permute: one entry per dim of the tensor",
        [],
        [
            "the tensor has a dim more or less than the code expects: a gray image without its channel dim "
            "(H, W) permuted as (H, W, C), a squeezed batch dim, a one-hot of another rank"
        ],
        [
            "print the tensor's shape before the permute; add the missing dim (`unsqueeze`) or permute as many "
            "dims as it has"
        ],
    )
    if f.get("have"):
        e.numbers = [(f["have"], "dims the tensor has"), (f["asked"], "dims the permute lists")]
    return e


def _image_size(f: dict) -> Explanation:
    h, w = f.get("h"), f.get("w")
    mh, mw = f.get("mh"), f.get("mw")
    given = f"{h}×{w}" if w else f"{h or w}"
    model = f"{mh}×{mw}" if mw else f"{mh or mw}"
    return Explanation(
        "SC103",
        f"a ViT-style patch embedding built for {model} images got {given}",
        "timm PatchEmbed and the ViTs written after it (an assert on the input size)",
        [(given, "the input's size"), (model, "img_size the model was built with")],
        ["the position embeddings are made for one grid of patches: another image size gives another number of tokens"],
        [
            f"resize the input to {model}",
            "or build the model for the new size (timm: `img_size=…`, or "
            "`dynamic_img_size=True`, which interpolates the position embeddings)",
        ],
    )


def _pixel_channels(f: dict) -> Explanation:
    return Explanation(
        "SC104",
        "the images have another number of channels than the model's config",
        "transformers' vision embeddings (ViT, DeiT, …): pixel_values.shape[1] against config.num_channels",
        [],
        ["grayscale or RGBA images for an RGB model, or channels-last pixel values ([N, H, W, C])"],
        ["convert to RGB (`image.convert('RGB')`) or permute to [N, C, H, W]; a processor of the model does both"],
    )


def _size(text: str) -> str:
    """`torch.Size([2, 3])` → `[2, 3]`."""
    return shape_text(ints(text))


# The families `explain` read first, in the order it has always tried them.
FIRST: list[Template] = [
    Template(
        "mat1 and mat2 shapes cannot be multiplied ({a:int}x{b:int} and {c:int}x{d:int})",
        "SC102",
        "aten/src/ATen/native/LinearAlgebra.cpp: addmm",
        _matmul_loose,
        dict(a=2, b=1568, c=1050, d=10),
    ),
    Template(
        "a and b must have same reduction dim, but got [{a:int}, {b:int}] X [{c:int}, {d:int}]",
        "SC102",
        "torch/_meta_registrations.py: addmm / mm (the meta device's wording of mat1 and mat2)",
        _matmul_loose,
        dict(a=2, b=1568, c=1050, d=10),
    ),
    Template(
        "Given groups={groups:int}, weight of size {weight:weight}, expected input{input:shape} to have {want:int} channels, but got {got:int} channels",
        "SC104",
        "aten/src/ATen/native/Convolution.cpp: check_shape_forward",
        lambda f: read.conv_channels(
            int(f["groups"]), ints(f["weight"]), ints(f["input"]), int(f["want"]), int(f["got"])
        ),
        dict(groups=1, weight="[64, 3, 7, 7]", input="[8, 1, 224, 224]", want=3, got=1),
    ),
    Template(
        "Given groups={groups:int}, weight{weight:weight}, so expected input{input:shape} to have {want:int} channels, but got {got:int} channels",
        "SC104",
        "THNN/THCUNN convolution (PyTorch 0.4): the wording before `weight of size`",
        lambda f: read.conv_channels(
            int(f["groups"]), ints(f["weight"]), ints(f["input"]), int(f["want"]), int(f["got"])
        ),
        dict(groups=1, weight="[64, 3, 3, 3]", input="[1, 1, 28, 28]", want=3, got=1),
    ),
    Template(
        "expected {want:int}D input (got {got:int}D input)",
        "SC105",
        "torch/nn/modules/batchnorm.py: BatchNorm*d._check_input_dim",
        lambda f: read.bn_rank(int(f["want"]), int(f["got"])),
        dict(want=4, got=3),
    ),
    Template(
        "running_mean should contain {got:int} elements not {want:int}",
        "SC104",
        "aten/src/ATen/native/Normalization.cpp: batch_norm (input.size(1) against running_mean)",
        lambda f: read.bn_channels(int(f["got"]), int(f["want"])),
        dict(got=128, want=64),
    ),
    Template(
        "Given input size: ({given:dims}). Calculated output size: ({calc:dims})",
        "SC107",
        'aten/src/ATen/native/Pool.h: pool2d_shape_check ("… Output size is too small")',
        lambda f: read.pool_small(ints(f["given"].replace("x", " ")), ints(f["calc"].replace("x", " "))),
        dict(given="512x3x3", calc="512x0x0"),
    ),
    Template(
        "Calculated output size: ({calc:dims}). Output size is too small",
        "SC107",
        'aten/src/ATen/native/Pool.h: pool2d_shape_check (the paste lost "Given input size: …")',
        lambda f: read.pool_small([], ints(f["calc"].replace("x", " "))),
        dict(calc="192x0x0"),
    ),
    Template(
        "Calculated padded input size per channel: ({padded:dims}). Kernel size: ({kernel:dims})",
        "SC107",
        "aten/src/ATen/native/Convolution.cpp: check_shape_forward",
        lambda f: read.kernel_big(ints(f["padded"]), ints(f["kernel"])),
        dict(padded="2 x 2", kernel="3 x 3"),
    ),
    Template(
        "Expected more than 1 value per channel when training, got input size {size:size}",
        "SC108",
        "torch/nn/functional.py: _verify_batch_size",
        lambda f: read.bn_single(_size(f["size"])),
        dict(size="torch.Size([1, 512, 1, 1])"),
    ),
    Template(
        "Expected more than 1 value per channel when training, got input size {size:shape}",
        "SC108",
        "torch/nn/functional.py: _verify_batch_size (PyTorch ≤ 1.x)",
        lambda f: read.bn_single(f["size"]),
        dict(size="[1, 256]"),
    ),
    Template(
        "Expected more than 1 value per channel when training",
        "SC108",
        "torch/nn/functional.py: _verify_batch_size (the paste lost the input size)",
        lambda f: read.bn_single("[1, C, …]"),
        dict(),
    ),
    Template(
        "Sizes of tensors must match except in dimension {dim:int}. Expected size {want:int} but got size {got:int} for tensor number {n:int}",
        "SC109",
        "aten/src/ATen/native/TensorShape.cpp: cat (check_cat_shape_except_dim)",
        lambda f: read.cat(int(f["dim"]), int(f["want"]), int(f["got"]), int(f["n"])),
        dict(dim=1, want=28, got=27, n=1),
    ),
    Template(
        "Sizes of tensors must match except in dimension {dim:int}. Expected {want:int} in dimension {d:int} but got {got:int} for tensor number {n:int}",
        "SC109",
        "aten/src/ATen/native/TensorShape.cpp: cat (1.13 wording)",
        lambda f: read.cat(int(f["dim"]), int(f["want"]), int(f["got"]), int(f["n"])),
        dict(dim=1, want=28, d=2, got=27, n=1),
    ),
    Template(
        "view size is not compatible with input tensor's size and stride",
        "SC111",
        "aten/src/ATen/native/TensorShape.cpp: view_impl",
        lambda f: read.view_stride(),
        {},
    ),
    Template(
        "The size of tensor a ({x:int}) must match the size of tensor b ({y:int}) at non-singleton dimension {dim:int}",
        "SC112",
        "aten/src/ATen/ExpandUtils.cpp: infer_size (every broadcasting op)",
        lambda f: read.broadcast(int(f["x"]), int(f["y"]), int(f["dim"])),
        dict(x=56, y=28, dim=3),
    ),
    Template(
        "shape '{shape:shape}' is invalid for input of size {total:int}",
        "SC113",
        "aten/src/ATen/InferSize.h: infer_size (view / reshape)",
        lambda f: read.invalid_view(f["shape"], int(f["total"])),
        dict(shape="[-1, 400]", total=1024),
    ),
    Template(
        "size mismatch for {key:key}: copying a param with shape {got:size} from checkpoint, the shape in current model is {want:size}",
        "SC110",
        "torch/nn/modules/module.py: Module._load_from_state_dict",
        lambda f: read.checkpoint(f["key"], ints(f["got"]), ints(f["want"]), f.get("_text", "")),
        dict(key="fc.weight", got="torch.Size([1000, 512])", want="torch.Size([10, 512])"),
    ),
    Template(
        "size mismatch for {key:key}: copying a param of {got:size} from checkpoint, where the shape is {want:size} in current model",
        "SC110",
        "torch/nn/modules/module.py (PyTorch 0.4-1.0): Module._load_from_state_dict",
        lambda f: read.checkpoint(f["key"], ints(f["got"]), ints(f["want"]), f.get("_text", "")),
        dict(key="fc.weight", got="torch.Size([1000, 512])", want="torch.Size([10, 512])"),
    ),
    Template(
        "While copying the parameter named {key:key}, whose dimensions in the model are {want:size} and whose dimensions in the checkpoint are {got:size}",
        "SC110",
        "torch/nn/modules/module.py (PyTorch 0.3-0.4; and load_state_dict copies since): Module.load_state_dict",
        lambda f: read.checkpoint(f["key"], ints(f["got"]), ints(f["want"]), f.get("_text", "")),
        dict(key="fc.weight", got="torch.Size([1000, 512])", want="torch.Size([10, 512])"),
    ),
    Template(
        'While copying the parameter named "{key:key}", whose dimensions in the model are {want:size} and whose dimensions in the checkpoint are {got:size}',
        "SC110",
        "torch/nn/modules/module.py: Module._load_from_state_dict (a copy that fails)",
        lambda f: read.checkpoint(f["key"], ints(f["got"]), ints(f["want"]), f.get("_text", "")),
        dict(key="fc.weight", got="torch.Size([1000, 512])", want="torch.Size([10, 512])"),
    ),
    Template(
        "Expected input batch_size ({got:int}) to match target batch_size ({want:int})",
        "SC106",
        "aten/src/ATen/native/LossNLL.cpp: nll_loss_forward (cross_entropy)",
        lambda f: read.batch_sizes(int(f["got"]), int(f["want"])),
        dict(got=256, want=64),
    ),
    Template(
        "input and target shapes do not match: input [{ia:int} x {ib:int}], target [{ta:int} x {tb:int}]",
        "SC125",
        "THNN MSECriterion / AbsCriterion (PyTorch ≤ 0.4)",
        _old_shapes,
        dict(ia=400, ib=10, ta=64, tb=10),
    ),
    Template(
        "inconsistent tensor size, expected tensor [{ta:int} x {tb:int}] and src [{sa:int} x {sb:int}] to have the same number of elements",
        "SC125",
        "TH copy / THNN criterions (PyTorch ≤ 0.3): two tensors of other element counts",
        _old_copy,
        dict(ta=64, tb=10, sa=64, sb=1),
    ),
    Template(
        "Assertion `THIndexTensor_(size)(target, 0) == batch_size' failed",
        "SC106",
        "THNN ClassNLLCriterion (PyTorch ≤ 0.4): the wording of `Expected input batch_size … target batch_size`",
        lambda f: _old_nll_batch(),
        {},
    ),
    Template(
        "size mismatch, m1: [{a:int} x {b:int}], m2: [{c:int} x {d:int}]",
        "SC102",
        "THC/THTensorMath addmm (PyTorch ≤ 1.4)",
        _matmul_loose,
        dict(a=64, b=2304, c=1600, d=10),
    ),
    Template(
        "RuntimeError: size mismatch",
        "SC102",
        "TH/THC addmm (PyTorch ≤ 0.3): a Linear's product, the sizes not said",
        lambda f: _old_size_mismatch(),
        {},
    ),
    Template(
        "input.size(-1) must be equal to input_size. Expected {want:int}, got {got:int}",
        "SC115",
        "torch/nn/modules/rnn.py: RNNBase.check_input",
        lambda f: read.rnn_input(int(f["want"]), int(f["got"])),
        dict(want=128, got=300),
    ),
    Template(
        "input has inconsistent input_size: got {got:int}, expected {want:int}",
        "SC115",
        "torch/nn/modules/rnn.py: RNNCellBase.check_forward_input (PyTorch ≤ 1.x)",
        lambda f: _cell_input(int(f["want"]), int(f["got"])),
        dict(want=556, got=812),
    ),
    Template(
        "input must have {want:int} dimensions, got {got:int}",
        "SC105",
        "torch/nn/modules/rnn.py: RNNBase.check_input",
        lambda f: read.rnn_rank(int(f["want"]), int(f["got"]), batch_added=True),
        dict(want=3, got=2),
    ),
    Template(
        "Expected {u:int}D (unbatched) or {b:int}D (batched) input to {op:word}, but got input of size: {shape:shape}",
        "SC105",
        "aten/src/ATen/native/Convolution.cpp: conv1d/2d/3d and conv_transpose*",
        lambda f: read.conv_rank(int(f["u"]) - 1, f["shape"]),
        dict(u=3, b=4, op="conv2d", shape="[4, 16, 3, 64, 64]"),
    ),
    Template(
        "Expected {n:int}-dimensional input for {m:int}-dimensional weight {weight:weight}, but got {got:int}-dimensional input of size {shape:shape}",
        "SC105",
        "aten/src/ATen/native/Convolution.cpp: check_input_shape_forward (before 1.11)",
        _weight_dims,
        dict(n=4, m=4, weight="[16, 3, 3, 3]", got=3, shape="[3, 32, 32]"),
    ),
    Template(
        "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got {got:word}",
        "SC118",
        "aten/src/ATen/native/Embedding.cpp: embedding (checkScalarTypes)",
        lambda f: read.indices_dtype(f["got"]),
        dict(got="torch.FloatTensor"),
    ),
    Template(
        "embed_dim must be divisible by num_heads",
        "SC117",
        "torch/nn/modules/activation.py: MultiheadAttention.__init__",
        lambda f: read.heads(),
        {},
    ),
]


def _unpacked(f: dict) -> Explanation:
    """`B, C, H, W = x.shape` on a tensor of another rank; any other unpacking is not read."""
    want = int(f["want"])
    got = f.get("got")
    line = re.search(
        r"((?:\*?\w{1,40}\s*,\s*){1,8}\*?\w{1,40})\s*=\s*([\w.\[\]]{1,100}?)\.(?:shape|size\(\))", f.get("_text", "")
    )
    if not line:
        return _unpacked_other(want, int(got) if got else None, f.get("_text", ""))
    names = [n.strip() for n in line.group(1).split(",") if n.strip()]
    rank = f"{got}-D" if got else f"more than {want}-D"
    e = Explanation(
        "SC105",
        f"`{', '.join(names) or '…'} = {line.group(2)}.shape` unpacks {want} sizes of a {rank} tensor",
        "Python's tuple unpacking of Tensor.shape",
        [(str(want), "the names the line unpacks into"), (str(got or f"> {want}"), "the tensor's dims")],
        [
            "the tensor has another rank than the code was written for: a lost or extra batch dim, tokens "
            "[B, N, C] where a map [B, C, H, W] was expected (or the reverse)"
        ],
        ["print the tensor's shape at that line; reshape it to the expected rank, or unpack `*rest`"],
    )
    return e


def _unpacked_other(want: int, got: int | None, text: str) -> Explanation:
    """An unpacking the paste does not show as a shape's: a loop over a DataLoader (its items have another
    number of fields), else both readings, the tensor's rank and the batch's fields."""
    if re.search(r"\.(?:split|items|readline|strip|partition)\(|\bopen\(|\bcsv\.", text):
        raise ValueError("the paste unpacks text or a dict, not a tensor or a batch: not a shape message")
    have = f"{got}" if got is not None else f"more than {want}"
    e = Explanation(
        "SC105",
        f"{want} names unpack {have} values",
        "Python's tuple unpacking (of a tensor's shape, a batch, or a function's results)",
        [(str(want), "the names the line unpacks into"), (have, "the values there are")],
    )
    loop = re.search(r"for\s+[^\n]{0,120}?\bin\s+[^\n]{0,80}(?:loader|batch|enumerate|zip|data)", text, re.IGNORECASE)
    batch = (
        f"a batch from the DataLoader unpacked into {want} names while each item has {have} fields: the "
        f"dataset's `__getitem__` returns {have} values (an image and its label, or a third field: a path, an "
        "index, a mask)"
    )
    example = {1: "(n,)", 2: "N, C", 3: "B, N, C", 4: "B, C, H, W", 5: "B, C, T, H, W"}.get(want, "B, …")
    rank = (
        f"a tensor's shape unpacked into {want} names (`{example} = x.shape`) while the tensor has {have} dims: a "
        "lost or extra batch dim (an image [C, H, W] without its batch: `x.unsqueeze(0)`), or tokens [B, N, C] "
        "where a map [B, C, H, W] is expected (or the reverse); a tensor unpacked directly (`a, b, c = t`) splits "
        "its dim 0, the batch"
    )
    e.causes = [batch, rank] if loop else [rank, batch]
    e.fixes = [
        "print what is unpacked at that line (`x.shape`, `len(batch)`); unpack as many names as it holds "
        "(`x, y = batch`, `*rest`), or give the tensor the rank the code expects"
    ]
    return e


TEMPLATES: list[Template] = (
    NOT_SHAPE_TEMPLATES
    + FIRST
    + [
        Template(
            "{rnn:word}: Expected input to be {a:int}D or {b:int}D, got {got:int}D instead",
            "SC105",
            "torch/nn/modules/rnn.py: RNN/LSTM/GRU.forward",
            lambda f: read.rnn_rank(int(f["b"]), int(f["got"])),
            dict(rnn="LSTM", a=2, b=3, got=4),
        ),
        Template(
            "einsum(): subscript {s:word} has size {got:int} for operand {op:int} which does not broadcast with previously seen size {seen:int}",
            "SC112",
            "aten/src/ATen/native/Linear.cpp: einsum",
            _einsum_subscript,
            dict(s="b", got=16, op=1, seen=2),
        ),
        Template(
            "num_channels ({c:int}) must be divisible by num_groups ({g:int})",
            "SC104",
            "torch/nn/modules/normalization.py: GroupNorm.__init__",
            _groupnorm,
            dict(c=48, g=32),
        ),
        Template(
            "Input batch size {a:int} doesn't match hidden0 batch size {b:int}",
            "SC116",
            "aten/src/ATen/native/RNN.cpp: check_rnn_cell_forward_hidden (RNNCell, LSTMCell, GRUCell)",
            _hidden_batch,
            dict(a=3, b=2),
        ),
        Template(
            "Expected hidden[{i:int}] size ({want:tuple}), got {got:shape}",
            "SC116",
            "torch/nn/modules/rnn.py: LSTM.check_forward_args (h_0 is hidden[0], c_0 hidden[1])",
            _hidden_size,
            dict(i=0, want="1, 3, 8", got="[1, 2, 8]"),
        ),
        Template(
            "Expected hidden size ({want:tuple}), got {got:shape}",
            "SC116",
            "torch/nn/modules/rnn.py: RNNBase.check_hidden_size",
            _hidden_size,
            dict(want="2, 4, 16", got="[1, 4, 16]"),
        ),
        Template(
            "expected stride to be a single integer value or a list of {n:int} values to match the convolution dimensions, but got stride={stride:shape}",
            "SC105",
            "aten/src/ATen/native/Convolution.cpp: _convolution (expand_param_if_needed)",
            _conv_weight_dims,
            dict(n=3, stride="[1, 1]"),
        ),
        Template(
            "stack expects each tensor to be equal size, but got {a:shape} at entry {i:int} and {b:shape} at entry {j:int}",
            "SC109",
            "aten/src/ATen/native/TensorShape.cpp: stack",
            _stack,
            dict(a="[3, 288, 224]", i=0, b="[3, 320, 256]", j=1),
        ),
        Template(
            "stack expects each tensor to be equal size, but got {a:shape} at entry {i:int} and {b:shape}",
            "SC109",
            "aten/src/ATen/native/TensorShape.cpp: stack (the message cut after the second shape)",
            _stack,
            dict(a="[3, 48, 48]", i=0, b="[3, 47, 43]"),
        ),
        Template(
            "The expanded size of the tensor ({want:int}) must match the existing size ({have:int}) at non-singleton dimension {dim:int}. Target sizes: {target:shape}. Tensor sizes: {sizes:shape}",
            "SC112",
            "aten/src/ATen/ExpandUtils.cpp: infer_size / expand",
            _expand,
            dict(want=5, have=4, dim=1, target="[32, 5]", sizes="[4]"),
        ),
        Template(
            "The expanded size of the tensor ({want:int}) must match the existing size ({have:int}) at non-singleton dimension {dim:int}",
            "SC112",
            "aten/src/ATen/ExpandUtils.cpp: infer_size / expand",
            _expand,
            dict(want=256, have=512, dim=1),
        ),
        Template(
            "expanded size of the tensor ({want:int}) must {x:text} the existing size ({have:int}) at non-{y:text} dimension{dim:int}",
            "SC112",
            "aten/src/ATen/ExpandUtils.cpp (as retyped by hand)",
            _expand,
            dict(want=512, x="matcth", have=1280, y="singeton", dim=8),
        ),
        Template(
            "einsum(): operands do not broadcast with remapped shapes [original->remapped]: {a:shape}->{ar:shape} {b:shape}->{br:shape}",
            "SC112",
            "aten/src/ATen/native/Linear.cpp: einsum",
            _einsum,
            dict(a="[32, 4096, 40]", ar="[32, 4096, 1, 40]", b="[8, 77, 40]", br="[8, 1, 77, 40]"),
        ),
        Template(
            "size of dimension does not match previous size, operand {op:int}, dim {dim:int}",
            "SC112",
            "aten/src/ATen/native/Linear.cpp: einsum",
            _einsum_dim,
            dict(op=1, dim=1),
        ),
        Template(
            "Dimension out of range (expected to be in range of [{lo:int}, {hi:int}], but got {got:int})",
            "SC131",
            "c10/core/WrapDimMinimal.cpp: maybe_wrap_dim",
            _dim_range,
            dict(lo=-1, hi=0, got=1),
        ),
        Template(
            "dimension specified as {got:int} but tensor has no dimensions",
            "SC131",
            "TH/THTensor (PyTorch ≤ 0.4): a dim asked of a 0-D tensor",
            _no_dims,
            dict(got=0),
        ),
        Template(
            "index out of range: Tried to access index {index:int} out of table with {rows:int} rows",
            "SC124",
            "THNN LookupTable (PyTorch ≤ 1.4)",
            _index_range,
            dict(index=100, rows=99),
        ),
        Template(
            "index out of range in self",
            "SC124",
            "aten/src/ATen/native/TensorAdvancedIndexing.cpp: index_select",
            _index_range,
            {},
        ),
        Template(
            "IndexError: index out of range",
            "SC124",
            "aten/src/ATen/native/TensorAdvancedIndexing.cpp: index_select (its message retyped without `in self`)",
            _index_range,
            {},
        ),
        Template(
            "The shape of the 2D attn_mask is {got:size}, but should be ({want:tuple}).",
            "SC117",
            "torch/nn/functional.py: _mha_shape_check / multi_head_attention_forward",
            _attn_mask,
            dict(got="torch.Size([77, 77])", want="25, 25"),
        ),
        Template(
            "The shape of the 3D attn_mask is {got:size}, but should be ({want:tuple}).",
            "SC117",
            "torch/nn/functional.py: multi_head_attention_forward",
            _attn_mask,
            dict(got="torch.Size([8, 10, 10])", want="16, 10, 10"),
        ),
        Template(
            "Incompatible shapes for attention inputs: query.shape: {q:size} key.shape : {k:size} value.shape: {v:size}",
            "SC117",
            "xformers.ops.memory_efficient_attention",
            _attention_inputs,
            dict(
                q="torch.Size([8, 1500, 10, 64])", k="torch.Size([2, 1500, 10, 64])", v="torch.Size([2, 1500, 10, 64])"
            ),
        ),
        Template(
            "key.sizes() == value.sizes() INTERNAL ASSERT FAILED",
            "SC117",
            "torch/csrc/api/include/torch/nn/functional/activation.h",
            _kv_sizes,
            {},
        ),
        Template(
            "Expected number of channels in input to be divisible by num_groups, but got input of shape {shape:shape} and num_groups={groups:int}",
            "SC104",
            "aten/src/ATen/native/group_norm.cpp",
            _groupnorm,
            dict(shape="[1, 6, 4, 4]", groups=5),
        ),
        Template(
            "num_channels must be divisible by num_groups",
            "SC104",
            "torch/nn/modules/normalization.py: GroupNorm",
            _groupnorm,
            {},
        ),
        Template(
            "{which:word} must be divisible by groups",
            "SC104",
            "torch/nn/modules/conv.py: _ConvNd.__init__",
            _conv_groups,
            dict(which="in_channels"),
        ),
        Template(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)={c:int} is not divisible by {sq:int}",
            "SC104",
            "aten/src/ATen/native/PixelShuffle.cpp",
            _pixel_shuffle,
            dict(c=63, sq=16),
        ),
        Template(
            "Input batch size {a:int} doesn't match hidden[0] batch size {b:int}",
            "SC116",
            "torch/nn/modules/rnn.py: RNNCellBase",
            _hidden_batch,
            dict(a=1, b=512),
        ),
        Template(
            "Expected hidden size ({want:tuple}), got ({got:tuple})",
            "SC116",
            "torch/nn/modules/rnn.py: check_hidden_size",
            _hidden_size,
            dict(want="3, 64, 12", got="3, 16, 12"),
        ),
        Template(
            "only batches of spatial targets supported ({x:text}) but got targets of size: : {shape:shape}",
            "SC125",
            "aten/src/ATen/native/LossNLL2d.cpp",
            _spatial_target,
            dict(x="3D tensors", shape="[1, 1, 512, 512]"),
        ),
        Template(
            "only batches of spatial targets supported ({x:text}) but got targets of dimension: {d:int}",
            "SC125",
            "aten/src/ATen/native/LossNLL2d.cpp",
            _spatial_target,
            dict(x="3D tensors", d=4),
        ),
        Template("multi-target not supported", "SC125", "THNN ClassNLLCriterion (PyTorch ≤ 1.x)", _multi_target, {}),
        Template(
            "Target size ({target:size}) must be the same as input size ({input:size})",
            "SC125",
            "torch/nn/functional.py: binary_cross_entropy_with_logits",
            _target_size,
            dict(target="torch.Size([16])", input="torch.Size([16, 1])"),
        ),
        Template(
            "Using a target size ({target:size}) that is different to the input size ({input:size})",
            "SC125",
            "torch/nn/functional.py: mse_loss, l1_loss, binary_cross_entropy",
            _target_size,
            dict(target="torch.Size([4])", input="torch.Size([4, 1])"),
        ),
        Template(
            "The `preds` and `target` should have the same shape, got `preds` with shape={preds:size} and `target` "
            "with shape={target:size}",
            "SC125",
            "torchmetrics: _check_same_shape",
            _metric_shapes,
            dict(preds="torch.Size([2, 5, 64, 64])", target="torch.Size([2, 1, 64, 64])"),
        ),
        Template(
            "The `preds` and `target` should have the same shape,', ' got `preds` with shape={preds:size} and "
            "`target` with shape={target:size}",
            "SC125",
            "torchmetrics: _check_same_shape (releases before 1.5)",
            _metric_shapes,
            dict(preds="torch.Size([8, 3])", target="torch.Size([8])"),
        ),
        Template(
            "Predictions and targets are expected to have the same shape, but got {preds:size} and {target:size}",
            "SC125",
            "torchmetrics: _check_same_shape (releases before 1.0)",
            _metric_shapes,
            dict(preds="torch.Size([6322])", target="torch.Size([6322, 4])"),
        ),
        Template(
            "Either `preds` and `target` both should have the (same) shape (N, ...), or `target` should be (N, ...) "
            "and `preds` should be (N, C, ...)",
            "SC125",
            "torchmetrics: _check_shape_and_type_consistency",
            _metric_forms,
            {},
        ),
        Template(
            "Found input variables with inconsistent numbers of samples: [{a:int}, {b:int}]",
            "SC125",
            "sklearn/utils/validation.py: check_consistent_length",
            _sample_counts,
            dict(a=15360000, b=7526400),
        ),
        Template(
            "Target and input must have the same number of elements. target nelement ({target:int}) != input nelement ({input:int})",
            "SC125",
            "aten/src/ATen/native/Loss.cpp: multilabel_soft_margin_loss",
            _nelement,
            dict(target=735, input=420),
        ),
        Template(
            "Input and output sizes should be greater than 0, but got input (H: {h:int}, W: {w:int}) output (H: {oh:int}, W: {ow:int})",
            "SC107",
            "aten/src/ATen/native/UpSample.h: upsample_2d_common_check",
            _zero_output,
            dict(h=128, w=128, oh=0, ow=0),
        ),
        Template(
            "Sizes of tensors must match except in dimension {dim:int}. Got {a:int} and {b:int} in dimension {d2:int}",
            "SC109",
            "THTensor cat (PyTorch ≤ 1.4)",
            _old_cat,
            dict(dim=1, a=7, b=6, d2=2),
        ),
        Template(
            "Sizes of tensors must match except in dimension {dim:int}. Got {a:int} and {b:int} (The offending index is {i:int})",
            "SC109",
            "aten/src/ATen/native/TensorShape.cpp: cat (1.5-1.12)",
            _old_cat,
            dict(dim=2, a=70, b=71, i=0),
        ),
        Template("inconsistent tensor sizes", "SC109", "THC cat (PyTorch 0.2)", _inconsistent, {}),
        Template(
            "{n:int}D or {m:int}D weight tensor expected, but got: [{weight:dims}]",
            "SC105",
            "THNN SpatialConvolutionMM",
            _old_weight,
            dict(n=2, m=4, weight="64 x 3 x 3 x 3 x 3"),
        ),
        Template(
            "3D or 4D input tensor expected but got: [{dims:dims}]",
            "SC105",
            "THNN SpatialConvolutionMM",
            _old_flat_input,
            dict(dims="32 x 784"),
        ),
        Template(
            "Expected {n:int}-dimensional input for {m:int}-dimensional weight {weight:weight}, but got input of size {shape:shape} instead",
            "SC105",
            "aten/src/ATen/native/Convolution.cpp (1.0 wording: the input's rank left to its size)",
            lambda f: read.weight_rank(f["weight"], len(ints(f["shape"])), f["shape"], int(f["m"])),
            dict(n=4, m=4, weight="[64, 3, 7, 7]", shape="[2, 10, 3, 320, 320]"),
        ),
        Template(
            "Expected {n:int}-dimensional input for {m:int}-dimensional weight {weight:ints}, but got {got:int}-dimensional input of size {shape:shape}",
            "SC105",
            "aten/src/ATen/native/Convolution.cpp (1.x wording)",
            _weight_dims,
            dict(n=5, m=5, weight="64 3 7 7", got=4, shape="[300, 3, 128, 64]"),
        ),
        Template(
            "Given groups={groups:int}, weight of size {weight:weight}, expected input{input:shape} to have {want:int} channel",
            "SC104",
            "aten/src/ATen/native/Convolution.cpp: check_shape_forward (cut short)",
            _conv_truncated,
            dict(groups=1, weight="[64, 3, 7, 7]", input="[64, 1, 150, 150]", want=3),
        ),
        Template(
            "Given normalized_shape={want:shape}, expected input with shape [*, {n:int}], but got input of size{got:shape}",
            "SC104",
            "aten/src/ATen/native/layer_norm.cpp: _check_layer_norm_inputs",
            _layer_norm,
            dict(want="[1280]", n=1280, got="[1, 257, 1664]"),
        ),
        Template(
            "number of dims don't match in permute",
            "SC105",
            "aten/src/ATen/native/TensorShape.cpp: permute",
            _permute_dims,
            {},
        ),
        Template(
            "number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {have:int} is not equal to len(dims) = {asked:int}",
            "SC105",
            "aten/src/ATen/native/TensorShape.cpp: permute",
            _permute_dims,
            dict(have=3, asked=4),
        ),
        Template(
            "Input image size ({h:int}*{w:int}) doesn't match model ({mh:int}*{mw:int}).",
            "SC103",
            "timm.layers.PatchEmbed (and ViTs copying it)",
            _image_size,
            dict(h=384, w=384, mh=224, mw=224),
        ),
        Template(
            "Input image height ({h:int}) doesn't match model ({mh:int}).",
            "SC103",
            "timm.layers.PatchEmbed",
            _image_size,
            dict(h=256, mh=224),
        ),
        Template(
            "Input image width ({w:int}) doesn't match model ({mw:int}).",
            "SC103",
            "timm.layers.PatchEmbed",
            _image_size,
            dict(w=256, mw=224),
        ),
        Template(
            "Input height ({h:int}) doesn't match model ({mh:int}).",
            "SC103",
            "timm.layers.PatchEmbed (newer)",
            _image_size,
            dict(h=256, mh=224),
        ),
        Template(
            "Make sure that the channel dimension of the pixel values match with the one set in the configuration.",
            "SC104",
            "transformers ViTEmbeddings / *PatchEmbeddings",
            _pixel_channels,
            {},
        ),
        Template(
            "not enough values to unpack (expected {want:int}, got {got:int})",
            "SC105",
            "Python's tuple unpacking (read only when the paste unpacks a tensor's `.shape`)",
            _unpacked,
            dict(want=4, got=3, _context="    B, C, H, W = x.shape"),
        ),
        Template(
            "too many values to unpack (expected {want:int})",
            "SC105",
            "Python's tuple unpacking (read only when the paste unpacks a tensor's `.shape`)",
            _unpacked,
            dict(want=3, _context="    b, n, c = x.shape"),
        ),
    ]
)
