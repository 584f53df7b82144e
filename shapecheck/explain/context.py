"""The pasted traceback chooses the story: the code lines and frames around a message (the loss
called, a view with a constant batch, an einsum equation) pick among the readings a family
offers, and the numbers' relations are said for every family (`relations.py`).

`refine` takes an explanation built from the message alone and the whole paste, and returns it
with the reading the paste supports first; when the paste says nothing, the explanation is kept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import NamedTuple

from . import domains, paste, relations
from .explanation import NOT_SHAPE, Explanation
from .templates import ints

_LOSSES = {
    "crossentropy": ("CrossEntropyLoss", "logits [N, C] and class indices [N] (int64), or class probabilities [N, C]"),
    "cross_entropy": ("CrossEntropyLoss", "logits [N, C] and class indices [N] (int64), or class probabilities [N, C]"),
    "nllloss": ("NLLLoss", "log-probabilities [N, C] and class indices [N] (int64)"),
    "nll_loss": ("NLLLoss", "log-probabilities [N, C] and class indices [N] (int64)"),
    "bcewithlogits": (
        "BCEWithLogitsLoss",
        "logits and float targets of the same shape ([N] with [N], [N, 1] with [N, 1])",
    ),
    "binary_cross_entropy_with_logits": (
        "BCEWithLogitsLoss",
        "logits and float targets of the same shape ([N] with [N], [N, 1] with [N, 1])",
    ),
    "bceloss": ("BCELoss", "probabilities and float targets of the same shape"),
    "binary_cross_entropy": ("BCELoss", "probabilities and float targets of the same shape"),
    "mseloss": ("MSELoss", "input and target of the same shape (float)"),
    "mse_loss": ("MSELoss", "input and target of the same shape (float)"),
    "l1loss": ("L1Loss", "input and target of the same shape (float)"),
    "l1_loss": ("L1Loss", "input and target of the same shape (float)"),
    "smoothl1loss": ("SmoothL1Loss", "input and target of the same shape (float)"),
    "huberloss": ("HuberLoss", "input and target of the same shape (float)"),
    "ctcloss": ("CTCLoss", "log-probabilities [T, N, C], targets and per-sample lengths"),
    "ctc_loss": ("CTCLoss", "log-probabilities [T, N, C], targets and per-sample lengths"),
    "kldivloss": ("KLDivLoss", "log-probabilities and target probabilities of the same shape"),
    "kl_div": ("KLDivLoss", "log-probabilities and target probabilities of the same shape"),
    # losses over pairs: a target of one 1 or -1 per pair, not class indices
    "cosineembeddingloss": ("CosineEmbeddingLoss", "two inputs [N, D] and a target [N] of 1 or -1, one per pair"),
    "cosine_embedding_loss": ("CosineEmbeddingLoss", "two inputs [N, D] and a target [N] of 1 or -1, one per pair"),
    "marginrankingloss": ("MarginRankingLoss", "inputs x1 and x2 [N] and a target [N] of 1 or -1"),
    "margin_ranking_loss": ("MarginRankingLoss", "inputs x1 and x2 [N] and a target [N] of 1 or -1"),
    "hingeembeddingloss": ("HingeEmbeddingLoss", "an input and a target of 1 or -1 of the same shape"),
    "hinge_embedding_loss": ("HingeEmbeddingLoss", "an input and a target of 1 or -1 of the same shape"),
    "multimarginloss": ("MultiMarginLoss", "scores [N, C] and class indices [N] (int64)"),
    "multi_margin_loss": ("MultiMarginLoss", "scores [N, C] and class indices [N] (int64)"),
}
# the losses whose target is class indices: a target with a dim too many is one-hot or [N, 1]
_CLASS_INDEX_LOSSES = {"CrossEntropyLoss", "NLLLoss", "MultiMarginLoss"}
_LOSS_WORD = re.compile(
    r"\b(?:nn\.|F\.)?(" + "|".join(sorted(_LOSSES, key=len, reverse=True)) + r")(?:\(|\b)", re.IGNORECASE
)
_VIEW = re.compile(r"\.(view|reshape)\(\s*([^()]{0,200}?)\s*\)")
_EINSUM = re.compile(r"einsum\(\s*[rbuf]?['\"]([a-zA-Z.,\s\->]{1,80})['\"]")
_BATCH_NAME = re.compile(
    r"^(?:self\.)?(?:batch_?size|bs|bsz|batch|n_batch|BATCH_SIZE|args\.batch_size)$", re.IGNORECASE
)


def loss_called(lines: list[str], frames: list[str]) -> tuple[str, str] | None:
    """The loss the paste calls (its newest mention), with what it expects."""
    for text in [*reversed(frames), *reversed(lines)]:
        found = _LOSS_WORD.findall(text)
        if found:
            return _LOSSES[found[-1].lower()]
    return None


def refine(e: Explanation, message: str, matched: str) -> Explanation:
    """`e` with the readings the paste supports first and the relations of its numbers said."""
    if e.code == NOT_SHAPE:
        return e
    found = _Paste(message, matched, paste.code_lines(message), paste.functions(message))
    _raised_in(e, paste.frames(message), found.lines)
    _library_version(e, paste.frames(message))
    for codes, needs_line, read in _READINGS:
        # a reading may change the code (`_mixed_encoders`): each row asks the code as it is then
        if e.code in codes and (found.lines or not needs_line):
            read(e, found)
    _relate(e, message, matched)
    return e


class _Paste(NamedTuple):
    """What a reading of the paste reads: the whole paste, the message matched, its code lines and
    the functions of its frames."""

    message: str
    matched: str
    lines: list[str]
    frames: list[str]


# The readings of the paste, in the order they run: the codes each is for, whether it reads the
# line that raised (the paste's last code line), and the reading.
_READINGS: tuple[tuple[tuple[str, ...], bool, Callable[[Explanation, _Paste], None]], ...] = (
    (("SC113", "SC106"), False, lambda e, p: _view_batch(e, p.matched, p.lines)),
    (("SC106", "SC125"), False, lambda e, p: _loss(e, p.lines, p.frames)),
    (("SC112",), False, lambda e, p: _einsum(e, p.matched, p.lines)),
    (("SC112",), True, lambda e, p: _elementwise(e, p.matched, _raising_line(p))),
    (
        ("SC101", "SC102", "SC104", "SC112", "SC115", "SC117"),
        False,
        lambda e, p: _model_families(e, p.message, p.matched),
    ),
    (("SC105",), False, domains.audio_rank),
    (("SC104",), False, domains.audio_channels),
    (("SC113",), False, domains.yolo_view),
    (("SC112", "SC125"), False, domains.broadcast_sizes),
    (("SC112", "SC117", "SC125"), False, domains.prompt_chunks),
    (("SC112",), True, domains.anchors_line),
    (("SC112",), False, domains.cut_sequence),
    (("SC106",), False, domains.label_granularity),
    (("SC102",), True, lambda e, p: _operands(e, p.matched, p.lines[-1])),
    (("SC109",), True, lambda e, p: _clip_layout(e, p.matched, p.lines[-1])),
    (("SC125",), False, lambda e, p: _printed_target(e, p.message)),
    (("SC124",), False, lambda e, p: _which_table(e, p.lines)),
    (("SC131",), True, lambda e, p: _dim_op(e, p.matched, p.lines[-1])),
    (("SC131",), True, lambda e, p: _dim_in_loss(e, p.matched, p.lines)),
    (("SC100",), True, lambda e, p: _negative_size(e, p.matched, p.lines[-1])),
    (("SC108",), False, lambda e, p: _evaluating(e, p.frames, p.lines)),
)


def _raising_line(p: _Paste) -> str:
    """The code line that raised: the paste's last, or the one before when the last is the message itself
    (a message pasted without its `RuntimeError:` label reads as a line)."""
    head = p.matched.strip().splitlines()[0][:40] if p.matched.strip() else ""
    lines = [ln for ln in p.lines if not head or head not in ln]
    return lines[-1] if lines else p.lines[-1]


# the codes whose numbers are weights, kernels or ranks: not a product of others
_NOT_PRODUCTS = ("SC104", "SC105", "SC107", "SC108", "SC115", "SC116")
# rows, totals, widths, ranks, an index's sizes: not ratios; a conv's in_channels and out_channels
# (32 = 2·16) are two layers' choices, not a ratio
_NOT_MULTIPLES = ("SC101", "SC102", "SC104", "SC105", "SC107", "SC108", "SC113", "SC115", "SC116", "SC130")
# messages whose numbers are lengths of separate rows or a shape asked for, not sizes made from each other
_NO_RELATIONS = ("recursive_store", "at::empty")
# where a flattened map can be the story
_MAPS = ("SC101", "SC102", "SC103", "SC113")


def _relate(e: Explanation, message: str, matched: str) -> None:
    """The relations of the message's numbers (`relations.relate`), said last, those the story
    already says left out."""
    if e.code == NOT_SHAPE or any(where in e.raised_by for where in _NO_RELATIONS):
        return
    numbers = _disagreeing(matched, [int(n) for n in _NUMBER.findall(matched)])
    if e.code in ("SC101", "SC102") and re.search(r"[(\[]\d+\s*[x×]", matched) and numbers:
        # a product's rows are batch × positions and its out_features the next layer's: only the features
        # and in_features relate (25088 = 512·7·7)
        numbers = numbers[1:3]
    facts = relations.relate(
        numbers,
        tokens=_speaks_of_tokens(message, matched),
        products=e.code not in _NOT_PRODUCTS,
        # a cat's differing sizes are sides (the channels are the dim it joins): never a head's anchors × classes
        detection=e.code != "SC109" and bool(re.search(r"yolo|anchor|detect|\bnc\b|num_classes", message, re.I)),
        multiples=e.code not in _NOT_MULTIPLES,
        maps=e.code in _MAPS,
        batches=_view_batches(matched),
    )
    story = " ".join([e.title, *e.causes])
    facts = [s for s in _across(facts, matched) if s.split(":")[0] not in story]
    if facts:
        e.causes.append("how the numbers relate: " + "; ".join(facts))


def _elsewhere(n: int, y: int, a: list[int], b: list[int]) -> bool:
    """n and y meet at one place of shapes a and b, and one of them is also at another place of the shape it is not
    in there: its size is there, at another dim (a channels-first map against a norm of its channels), which a
    ratio does not explain."""
    return sum(v in a for v in (n, y)) + sum(v in b for v in (n, y)) > 2


_MULTIPLE = re.compile(r"(\d+) = (\d+)·(\d+): (exactly|two sizes folded)")


def _across(facts: list[str], matched: str) -> list[str]:
    """Where the message compares two shapes, a ratio or a product is said only across them, where it explains
    the conflict: `k times` between the sizes at one place of the two (dims aligned from the right, as broadcasting
    and the checks align them), `folded` for a size of one whose factors are sizes of the other. Two sizes of one
    shape (a batch and a width, `128 = 4·32`) are not related, nor any of a shape whose sizes are the other's
    permuted (`[24, 32, 64]` and `[24, 64, 32]`: the dims are swapped, not scaled)."""
    shapes = _shapes_in(matched)
    if len(shapes) != 2 or not all(shapes):
        return facts
    a, b = shapes
    if sorted(a) == sorted(b):  # permuted: no ratio or product explains it
        return [fact for fact in facts if not _MULTIPLE.match(fact)]
    return [fact for fact in facts if (m := _MULTIPLE.match(fact)) is None or _explains_conflict(m, a, b)]


def _explains_conflict(m: re.Match[str], a: list[int], b: list[int]) -> bool:
    """A ratio (`exactly`) between the sizes at one place of the two shapes, or a size of one folded from
    two sizes of the other."""
    n, x, y = (int(g) for g in m.groups()[:3])
    if m.group(4) != "exactly":
        return any(n in p and x in q and y in q for p, q in ((a, b), (b, a)))
    places = {frozenset(p) for p in zip(reversed(a), reversed(b), strict=False)}
    return frozenset((n, y)) in places and not _elsewhere(n, y, a, b)


def _shapes_in(matched: str) -> list[list[int]]:
    """The bracketed shapes a message compares (`[16, 64]`)."""
    return [ints(s) for s in re.findall(r"\[([-\d,\s]{1,200})\]", matched)]


def _disagreeing(matched: str, numbers: list[int]) -> list[int]:
    """The numbers left to relate when the message compares two shapes of one rank (a checkpoint's and the
    model's, a target's and an output's): a size the two agree on is explained by neither (`[16, 64]` against
    `[4, 64]`: 64 = 16·4 relates the two sides of the conflict, not how one size was made)."""
    shapes = _shapes_in(matched)
    if len(shapes) != 2 or len(shapes[0]) != len(shapes[1]) or len(shapes[0]) < 2:
        return numbers
    differ = {n for a, b in zip(*shapes, strict=True) if a != b for n in (a, b)}
    agree = {a for a, b in zip(*shapes, strict=True) if a == b} - differ
    return [n for n in numbers if n not in agree]


# a size in a message, not a digit of a name (`mat2`, `conv2d`, `batch1`); `2048x10` is two sizes
_NUMBER = re.compile(r"(?<![A-Za-wyzA-Z_\d.])\d{1,15}(?![\d.]*[A-Za-wyz_])")
_TOKEN_WORDS = re.compile(r"pos_?emb|position|patch|token|\bvit\b|\bcls\b|class_token|deit|swin|clip", re.IGNORECASE)


def _view_batches(matched: str) -> tuple[int, ...]:
    """A view's leading size, when it fixes one: the batch (`x.view(b, -1, d*4)`), not a map's channels."""
    view = re.search(r"shape '\[(\d+),[-\d,\s]{1,200}\]' is invalid", matched)
    return (int(view.group(1)),) if view else ()


def _speaks_of_tokens(message: str, matched: str) -> bool:
    """The paste is about tokens (its words), or a view puts a number in its token dim ([B, N, C])."""
    if _TOKEN_WORDS.search(message):
        return True
    view = re.search(r"shape '\[([-\d,\s]{1,200})\]' is invalid", matched)
    return view is not None and any(relations.grid(n) for n in ints(view.group(1))[1:-1])


_LOSS_FUNCTIONS = re.compile(
    r"(?:^|\.)(?:\w*_loss|cross_entropy|binary_cross_entropy(?:_with_logits)?|kl_div|\w*Loss\.forward)$"
)
_ATTENTION_FUNCTIONS = re.compile(
    r"(?:^|\.)(?:multi_head_attention_forward|_in_projection(?:_packed)?|scaled_dot_product_attention"
    r"|MultiheadAttention\.forward|_sa_block|_mha_block)$"
)
_LOSS_LINE = re.compile(r"\b(?:criterion|loss_fn|loss_func|lossfn|\w*_loss|\w*Loss|kl_div)\s*\(", re.IGNORECASE)


# an installed package's frame, and the package (`…/site-packages/mmdet/models/…` → mmdet)
_PACKAGE = re.compile(r"[/\\](?:site|dist)-packages[/\\]([A-Za-z_][\w]{0,60})[/\\]")
# packages whose checks are the message itself (PyTorch and its own libraries, NumPy), or that only run the code
_NOT_A_LIBRARY = {"torch", "torchvision", "torchaudio", "numpy", "IPython", "ipykernel", "tqdm", "runpy", "_pytest"}


def _library_version(e: Explanation, frames: list[tuple[str, str]]) -> None:
    """The newest frame outside PyTorch is inside an installed library (mmdet, transformers, open_clip…): the
    shapes it computes come from its own code, so beside the readings of the numbers, the library's release
    against the code or model that calls it is a cause. Said last."""
    outside = [f for f, _ in frames if not re.search(r"[/\\]torch[/\\]", f)]
    if not outside:
        return
    m = _PACKAGE.search(outside[-1])
    if m is None or m.group(1) in _NOT_A_LIBRARY:
        return
    package = m.group(1)
    e.causes.append(
        f"or, when the inputs are the shapes {package}'s documentation gives, a release of {package} other than the "
        f"one the calling code (or its checkpoint) was written for: the failing line is inside {package}, and its "
        "sizes come from its own code (a bug of this version, or an API that changed)"
    )
    e.fixes.append(f"install the {package} version the project pins (`pip install {package}==…`), or upgrade it")


def _in_torch(frames: list[tuple[str, str]]) -> bool:
    """The newest frame is inside torch (or a library), not the user's code."""
    return bool(frames) and bool(re.search(r"[/\\](?:site|dist)-packages[/\\]|[/\\]torch[/\\]", frames[-1][0]))


def _raised_in(e: Explanation, frames: list[tuple[str, str]], lines: list[str]) -> None:
    """The traceback names the library code that raised: a broadcast (or a product) inside a loss
    is the loss's input and target disagreeing, one inside nn.MultiheadAttention is the attention's
    shapes, whatever the op's own message says."""
    in_attention = _in_attention(frames[-4:])
    if e.code == "SC112" and not in_attention and _in_loss(frames, lines):
        e.code = "SC125"
        detail = e.title.split(": ", 1)[1] if ": " in e.title else ""
        e.title = "a loss got an input and a target of different shapes" + (f": {detail}" if detail else "")
        e.causes = [
            "raised inside the loss: its input (the model's output) and its target have different shapes, and "
            "the loss broadcasts or compares them elementwise: a target without the output's class or channel "
            "dim ([N] against [N, 1]), one-hot targets against class scores, or a batch that was reshaped"
        ]
        e.fixes = [
            "print `output.shape, target.shape` before the loss and make them equal (`target.view_as(output)`, "
            "`output.squeeze(1)`), or use the loss made for class indices (CrossEntropyLoss)"
        ]
        _loss_sizes(e, detail)
    elif e.code in ("SC102", "SC112", "SC113") and in_attention:
        e.code = "SC117"
        e.causes = [
            "raised inside the attention (nn.MultiheadAttention / scaled_dot_product_attention): query, key and "
            "value do not fit the layer: embed_dim differs from their last dim, or the batch and sequence dims "
            "are swapped (batch_first)"
        ] + e.causes[:2]
        e.fixes = ["print q, k, v shapes at the call; check embed_dim and batch_first=True for [N, L, E]"]


def _loss_sizes(e: Explanation, detail: str) -> None:
    """The two sizes a loss's broadcast compares, read against each other: a whole factor in a length
    or side (a map at another resolution), or 2 or 3 against a wide one (a point's coordinates against
    a heatmap). Said before the general story, each as one reading."""
    m = re.match(r"(\d+) vs (\d+) in dim (\d+)", detail)
    if not m:
        return
    a, b, d = (int(g) for g in m.groups())
    small, big = sorted((a, b))
    found = []
    if d >= 2 and small >= 8 and big % small == 0 and big > small:
        k = big // small
        found.append(
            f"{big} = {k}·{small} in dim {d}, a length or side: one of them is at 1/{k} of the other's resolution: "
            f"the network's strides and pools downsample by {k} and the target (a density, heat or label map) was "
            f"left at the input's size, or a decoder upsamples by {k} more than the target's resolution; resize "
            "the target to the output's size (`F.interpolate`), or change the stride"
        )
    if small in (2, 3) and big >= 16 and d >= 1:
        found.append(
            f"or {small} is a point's coordinates ({'x, y' if small == 2 else 'x, y, z'}) against a map {big} wide: "
            "keypoint or landmark coordinates as the target of a network that outputs heatmaps (or the other way): "
            "the target type the dataset makes is not the one the head predicts"
        )
    e.causes[0:0] = found


def _in_loss(frames: list[tuple[str, str]], lines: list[str]) -> bool:
    """A newest frame is a loss of torch's, or the user's line that raised calls a loss."""
    if any(f.replace("\\", "/").endswith("nn/modules/loss.py") or _LOSS_FUNCTIONS.search(fn) for f, fn in frames[-4:]):
        return True
    return bool(lines) and bool(_LOSS_LINE.search(lines[-1])) and not _in_torch(frames)


def _in_attention(newest: list[tuple[str, str]]) -> bool:
    """One of the newest frames is an attention's (torch's functions, or a file of attention kernels)."""
    return any(
        _ATTENTION_FUNCTIONS.search(fn) or re.search(r"attention|fmha|xformers", f, re.IGNORECASE) for f, fn in newest
    )


_ROTARY = re.compile(
    r"rotary|\brope\b|rotate_half|rotate_every_two|freqs_cis|\b(?:cos|sin)(?:_cached|_emb)?\b|\bfreqs\b", re.IGNORECASE
)
_POSITIONS = re.compile(
    r"pos(?:ition(?:al)?)?_?emb|pos_?enc|position_ids|\bpe\b|token_type|" + _ROTARY.pattern, re.IGNORECASE
)


def _positions(e: Explanation, matched: str, line: str = "") -> None:
    """A broadcast at a line that adds position embeddings: the table was made for another number
    of tokens (another image size for a ViT, a longer text for a language model); at a line that
    applies rotary embeddings (cos/sin, freqs_cis), the cos/sin were made for another length."""
    m = re.search(r"tensor a \((\d+)\) must match the size of tensor b \((\d+)\)", matched, re.IGNORECASE)
    if not m:
        return
    a, b = int(m.group(1)), int(m.group(2))
    if _ROTARY.search(line):
        # the positions' story replaces a map's: two lengths, not two rounded sides
        e.causes = [c for c in e.causes if not re.search(r"rounded differently|spatial dim|U-Net", c)]
        dim = re.search(r"non-singleton dimension (\d+)", matched)
        lengths = (
            f"the line applies rotary position embeddings: one side has {a} positions, the other {b}: the cos/sin "
            "(or freqs_cis) were made for another sequence length than the query/key they rotate: position_ids or "
            "a KV cache's past length counted differently, a sequence split or padded differently between stages "
            "(a condition's tokens added on one side), or a length beyond the table (max_position_embeddings)"
        )
        features = (
            f"the line applies rotary position embeddings across the head dim: {a} against {b} features: a partial "
            "rotary_dim (or head_dim) of another config than the one cos/sin were made for"
        )
        e.causes[:0] = [features, lengths] if dim and int(dim.group(1)) >= 3 else [lengths]
        e.fixes.insert(0, "make cos/sin from the same position_ids (and past length) as the query and key they rotate")
        return
    grids = [relations.grid(a), relations.grid(b)]
    if all(grids):
        e.causes.insert(
            0,
            f"the line adds position embeddings: the input has {a} tokens, the table was made for {b} "
            f"({grids[0]}; {grids[1]}): the image size differs from the one the model was built (or "
            "pretrained) for",
        )
        e.fixes.insert(
            0,
            "resize the input to the model's image size, or interpolate the position embeddings to the new "
            "grid (timm: `img_size=` at creation, or `dynamic_img_size=True`)",
        )
        return
    e.causes.insert(
        0,
        f"the line adds position embeddings: one side has {a} positions, the other {b}: a sequence longer "
        "than the model's position table (max_position_embeddings), or a table made for another length",
    )
    e.fixes.insert(0, "truncate the input to the model's length (`truncation=True, max_length=…`)")


# a matrix product in a line: `torch.matmul(a, b)`, `torch.bmm(a, b)`, `a.matmul(b)`, `a @ b`
_NAME = r"[A-Za-z_][\w.]{0,60}(?:\[[^\[\]]{0,40}\])?"
_PRODUCTS = (
    re.compile(rf"\b(?:torch\.)?(?:matmul|bmm|mm)\(\s*({_NAME})\s*,\s*({_NAME})\s*[,)]"),
    re.compile(rf"({_NAME})\.(?:matmul|bmm|mm)\(\s*({_NAME})\s*\)"),
    re.compile(rf"({_NAME})\s*@\s*({_NAME})"),
)


def _operands(e: Explanation, matched: str, line: str) -> None:
    """A matrix product named in the line that raised: the story names its two operands, and which
    dims of each must agree (the sizes, when the message gives them)."""
    found = next((m for p in _PRODUCTS if (m := p.search(line))), None)
    if found is None:
        return
    a, b = found.group(1), found.group(2)
    sizes = re.search(r"\((\d+)\s*[x×]\s*(\d+) and (\d+)\s*[x×]\s*(\d+)\)", matched)
    which = f" ({sizes.group(2)} against {sizes.group(3)})" if sizes else ""
    cause = (
        f"the line multiplies `{a}` by `{b}`: `{a}`'s last dim must equal `{b}`'s rows (its dim -2, or its only dim "
        f"for a vector){which}: print both shapes there; one of them was built for another size or needs a transpose"
    )
    e.causes.insert(min(1, len(e.causes)), cause)


# a video layout named in the line (a comment, an einops pattern): `B C F H W`, `b c t h w`, `(b f) c h w`
_CLIP_LAYOUT = re.compile(r"\b[bn][\s,]{1,3}c[\s,]{1,3}([ftd])[\s,]{1,3}h[\s,]{1,3}w\b", re.IGNORECASE)


def _clip_layout(e: Explanation, matched: str, line: str) -> None:
    """Clips joined along the channels ([B, C, F, H, W], as the line's layout says): the dim that differs
    may be the frames, not only the sides."""
    layout = _CLIP_LAYOUT.search(line)
    joined = re.search(r"except in dimension (\d+)", matched)
    if layout and joined and joined.group(1) == "1":
        letter = layout.group(1).upper()
        e.causes.insert(
            0,
            f"the line's layout is {layout.group(0)}: clips joined along the channels must also agree in the frames "
            f"({letter}, dim 2), not only in H and W: clips (or their latents) of different frame counts",
        )
        e.fixes.insert(
            0, f"give both clips one frame count ({letter}): trim, pad or resample the frames before the cat"
        )


# a subscript that mixes slices and an integer: `cos[:, :, -1, :]`, `x[:, 0]`: the integer drops its dim
_INTEGER_INDEX = re.compile(r"([A-Za-z_][\w.]{0,60})\[((?:[^\[\]]{0,20},){1,7}[^\[\]]{0,20})\]")


def _integer_index(e: Explanation, matched: str, line: str) -> None:
    """A broadcast at a line that indexes a tensor with an integer among slices: that dim is gone, so
    the tensor's other dims shift right against the other operand's (its batch under another dim)."""
    for m in _INTEGER_INDEX.finditer(line):
        items = [item.strip() for item in m.group(2).split(",")]
        if any(":" in item for item in items) and any(re.fullmatch(r"-?\d+", item) for item in items):
            kept = ", ".join(f"{i}:{int(i) + 1 or ''}" if re.fullmatch(r"-?\d+", i) else i for i in items)
            pair = _PAIR.search(matched)
            sizes = f" ({pair.group(1)} against {pair.group(2)})" if pair else ""
            e.causes.insert(
                min(1, len(e.causes)),
                f"the line indexes `{m.group(0)}` with an integer, which removes that dim: the tensor's other dims "
                f"shift right when it broadcasts, so its leading dims (the batch) meet another dim of the other "
                f"operand{sizes}",
            )
            e.fixes.insert(0, f"keep the dim with a slice: `{m.group(1)}[{kept}]`")
            return


# The conditioning widths of text and image encoders that diffusion models are built around: a
# product of two of them in one message is two model families mixed, not a layer sized wrong.
_ENCODER_WIDTHS = {
    768: "SD 1.x (CLIP ViT-L)",
    1024: "SD 2.x (OpenCLIP ViT-H)",
    2048: "SDXL (CLIP-L + OpenCLIP-G, 768 + 1280)",
    1280: "SDXL's OpenCLIP-G (pooled)",
    4096: "T5-XXL (Flux, SD3, PixArt)",
    1152: "SigLIP (Flux Redux)",
    2816: "SDXL's label embedding (adm_in_channels: OpenCLIP-G's pooled 1280 + 6·256 size and crop conditioning)",
}
# the features a backbone or an encoder gives its head, by width (a head built for one variant, fed by another)
_BACKBONE_WIDTHS = {
    384: "ViT-S / DeiT-S, MiniLM",
    512: "ResNet-18/34, CLIP ViT-B's embedding",
    768: "BERT/RoBERTa-base, ViT-B, ConvNeXt-T",
    1024: "BERT/RoBERTa-large, ViT-L, DenseNet-121",
    1280: "EfficientNet-B0, MobileNetV2, ViT-H",
    1536: "EfficientNet-B3, ConvNeXt-L",
    2048: "ResNet-50/101/152",
    4096: "VGG's classifier, LLaMA-7B",
}
# the inner widths of a diffusion UNet's (and DiT's) cross-attention projections
_UNET_WIDTHS = {320, 640, 1280, 1152, 3072, 5120}
# a UNet's first conv: what its input channels are made of
_LATENT_INPUTS = {
    4: "4 latent channels (a plain SD 1.x/2.x/SDXL UNet)",
    8: "8 = 4 latent + 4 image-condition latent (instruct-pix2pix, IC-Light)",
    9: "9 = 4 latent + 4 masked-image latent + 1 mask (an inpainting UNet)",
    16: "16 latent channels (SD3, Flux, Wan text-to-video)",
    36: "36 = 16 latent + 4 mask + 16 image latent (an image-to-video model: Wan 2.1 I2V)",
}
# a diffusion model's first (patch-embedding) conv has one of these out_channels: SD's UNet, Wan 1.3B and 14B
_FIRST_CONV_WIDTHS = {320, 1536, 5120}
_DIFFUSION_WORDS = re.compile(
    r"ksampler|comfy|diffus|unet|sdxl|stable.?diffusion|lora|controlnet|sd-webui|ldm|k_diffusion|latent", re.IGNORECASE
)


def _model_families(e: Explanation, message: str, matched: str) -> None:
    """Sizes that are the signatures of two model families (a diffusion model's encoder widths, its
    UNet's latent channels): the story is a checkpoint, LoRA or ControlNet of one family used with
    another, said first."""
    mat = re.search(r"\((\d+)\s*[x×]\s*(\d+) and (\d+)\s*[x×]\s*(\d+)\)", matched)
    if e.code in ("SC101", "SC102", "SC117") and mat:
        _mixed_encoders(e, message, mat)
        return
    nums = ints(matched)
    if e.code == "SC104" and len(nums) >= 4 and "channels" in matched:
        _mixed_latents(e, message, nums)
    rnn = re.search(r"Expected (\d+), got (\d+)", matched)
    if e.code == "SC115" and rnn:
        _backbone_variants(e, int(rnn.group(2)), int(rnn.group(1)))
    pair = _PAIR.search(matched)
    if e.code == "SC112" and pair:
        _mixed_widths(e, message, int(pair.group(1)), int(pair.group(2)), 77 in nums)


# the two sizes an expand or a broadcast compares
_PAIR = re.compile(
    r"(?:expanded size of the tensor|size of tensor a) \((\d+)\) must match the "
    r"(?:existing size|size of tensor b) \((\d+)\)"
)


def _mixed_widths(e: Explanation, message: str, a: int, b: int, tokens: bool) -> None:
    """An expand or a broadcast between the conditioning widths of two encoders ([1, 77, 768] into
    [1, 77, 1024]) in a diffusion paste: an embedding or adapter of one family used with another."""
    if a == b or a not in _ENCODER_WIDTHS or b not in _ENCODER_WIDTHS:
        return
    if not (tokens or _DIFFUSION_WORDS.search(message)):
        return
    e.causes.insert(
        0,
        f"{a} and {b} are the conditioning widths of two model families: {a} is {_ENCODER_WIDTHS[a]}, {b} is "
        f"{_ENCODER_WIDTHS[b]}"
        + (" (77 = CLIP's tokens per prompt)" if tokens else "")
        + ": a text embedding, textual inversion, LoRA or adapter of one family used with a model of the other",
    )
    e.fixes.insert(
        0, "use the embeddings, LoRA and adapters made for the model's own family (its text encoder's width)"
    )


def _mixed_encoders(e: Explanation, message: str, mat: re.Match) -> None:
    """`mat1 and mat2 shapes cannot be multiplied (154x2048 and 768x320)` in a diffusion paste: the
    conditioning widths of two encoders (SD 1.x's 768 against SDXL's 2048)."""
    rows, got, want = (int(g) for g in mat.groups()[:3])
    out = int(mat.group(4))
    # only in a diffusion paste: 768 and 1024 are also BERT-base and BERT-large, 2048 a ResNet's features
    diffusion = rows % 77 == 0 or out in _UNET_WIDTHS or bool(_DIFFUSION_WORDS.search(message))
    if diffusion:
        _encoder_families(e, rows, got, want)
    else:
        _backbone_variants(e, got, want)


def _backbone_variants(e: Explanation, got: int, want: int) -> None:
    """Two widths of one backbone's variants: a head built for one fed by another. Said last."""
    if got == want or got not in _BACKBONE_WIDTHS or want not in _BACKBONE_WIDTHS:
        return
    e.causes.append(
        f"or {got} and {want} are the feature widths of two variants of a backbone or encoder: {got} is "
        f"{_BACKBONE_WIDTHS[got]}, {want} is {_BACKBONE_WIDTHS[want]}: a head built (or trained) for one variant "
        "fed by another"
    )
    e.fixes.append(
        "size the head from the backbone it is fed by (`nn.Linear(backbone.num_features, …)`, "
        "`config.hidden_size`), or use the backbone variant the head was trained with"
    )


def _encoder_families(e: Explanation, rows: int, got: int, want: int) -> None:
    """Two conditioning widths of diffusion model families. Said first."""
    if got == want or got not in _ENCODER_WIDTHS or want not in _ENCODER_WIDTHS:
        return
    tokens = f"; {rows} = {rows // 77}·77, prompts of 77 CLIP tokens" if rows % 77 == 0 else ""
    e.code = "SC102"
    e.causes.insert(
        0,
        f"{got} and {want} are the conditioning widths of two model families: {got} is "
        f"{_ENCODER_WIDTHS[got]}, {want} is {_ENCODER_WIDTHS[want]}{tokens}: a checkpoint, LoRA, "
        "ControlNet, IP-Adapter or text encoder of one family used with a model of the other",
    )
    e.fixes.insert(0, "use the checkpoint, text encoder, LoRA and ControlNet of one model family together")


def _mixed_latents(e: Explanation, message: str, nums: list[int]) -> None:
    """A diffusion UNet's first conv given the latent channels of another kind of UNet (an
    inpainting model's 9 against a plain one's 4)."""
    want, got = nums[-2], nums[-1]
    diffusion = nums[1] in _FIRST_CONV_WIDTHS or bool(_DIFFUSION_WORDS.search(message))
    if not diffusion or want not in _LATENT_INPUTS or got not in (*_LATENT_INPUTS, 12, 14) or want == got:
        return
    have = _LATENT_INPUTS.get(got, f"{got} channels (a latent with extra conditioning)")
    e.causes.insert(
        0,
        f"a diffusion UNet's first conv takes {_LATENT_INPUTS[want]}; it was given {have}: a UNet of one "
        "kind (inpainting, instruct, SD3/Flux, image-to-video) used in a pipeline or node made for the other",
    )
    # a pretrained model's conv is not resized: the generic resizing fix goes
    e.fixes = [f for f in e.fixes if not f.startswith("if the layers are yours")]
    e.fixes.insert(
        0,
        "use the pipeline, sampler or node that matches the checkpoint (an inpainting model with inpainting, "
        "a plain one with txt2img/img2img, an image-to-video model with an image), or the checkpoint that "
        "matches the workflow",
    )


# which lookup table the traceback's lines index: the story of each
_TABLES = (
    (
        re.compile(r"scatter_add|scatter_(?:sum|mean|max)|edge_index|torch_geometric|\.propagate\(", re.IGNORECASE),
        "the line scatters over a graph's nodes: an edge_index entry ≥ the number of nodes (node ids not "
        "renumbered to 0 … N-1, ids counted from 1, or edges to nodes that have no feature row)",
        "`assert edge_index.max() < x.size(0)`; renumber the node ids to rows (a dict from id to row), or give every "
        "node a feature row",
    ),
    (
        # class scores [N, C] picked (or one-hot filled) at each sample's label, along the classes
        re.compile(
            r"\.(?:gather|scatter_?)\(\s*(?:dim\s*=\s*)?-?1\s*,\s*[\w.]*?(?:label|target|conf_t|cls|class|gt|y_?)\w*",
            re.IGNORECASE,
        ),
        "the line picks (or one-hot fills) each sample's class at its label, along the class dim of the scores "
        "[N, C]: a label ≥ C, more than the scores' classes: num_classes set smaller than the labels (a background "
        "class not counted, labels counted from 1, or a dataset with more classes than the config)",
        "make the class dim cover every label: num_classes = labels.max() + 1 (with the background where the head "
        "has one); check the labels' range against the config",
    ),
    (
        re.compile(r"position_embeddings|position_ids|pos_emb|embed_positions", re.IGNORECASE),
        "the line indexes the position embeddings: the sequence is longer than the model's position table "
        "(max_position_embeddings, 512 for BERT)",
        "truncate to the model's length: `tokenizer(..., truncation=True, max_length=model.config."
        "max_position_embeddings)`",
    ),
    (
        re.compile(r"token_type_embeddings|token_type_ids", re.IGNORECASE),
        "the line indexes the token-type embeddings: a token_type_id ≥ type_vocab_size (2 for BERT; 1 for RoBERTa, "
        "which takes none): a tokenizer of another model family",
        "drop token_type_ids for models that take none (`return_token_type_ids=False`), or use the model's own "
        "tokenizer",
    ),
    (
        re.compile(r"word_embeddings|embed_tokens|wte\b|input_ids|self\.embed(?:ding)?\(", re.IGNORECASE),
        "the line indexes the word embeddings: a token id ≥ the vocabulary size (a tokenizer with added tokens, "
        "or of another model)",
        "`model.resize_token_embeddings(len(tokenizer))` after adding tokens, or the model's own tokenizer",
    ),
)


# an op given a dim, in the line that raised: `torch.cat((a, b), dim=1)`, `x.max(1)`, `F.softmax(x, dim=1)`
_DIM_OPS = re.compile(
    r"\b(cat|concat|concatenate|stack|hstack|softmax|log_softmax|argmax|argmin|max|min|sum|mean|squeeze|unsqueeze"
    r"|transpose|flatten|size|topk|sort|norm|cumsum|gather|index_select|chunk|split|unbind)\s*\(([^()]{0,200}(?:\([^()]{0,200}\))?[^()]{0,100})\)"
)


def _dim_op(e: Explanation, matched: str, line: str) -> None:
    """The op in the line that raised, given a dim its tensor lacks, picks the story: tensors joined
    along a dim they lack (1-D tensors have only dim 0), scores reduced over classes they lack (class
    indices [N] where logits [N, C] were meant), a softmax over a batch dim that was squeezed away."""
    found = _DIM_OPS.findall(line)
    if not found:
        return
    op = found[-1][0]
    rank_range = re.search(r"\[(-?\d+), (-?\d+)\]", matched)
    rank = int(rank_range.group(2)) + 1 if rank_range else None
    if rank is None:
        flat = "the tensors have fewer dims than the dim asked"
    else:
        flat = "1-D tensors have only dim 0" if rank == 1 else f"these {rank}-D tensors have dims 0 … {rank - 1}"
    if op in ("cat", "concat", "concatenate", "stack", "hstack"):
        e.causes.insert(
            0,
            f"`{op}` along a dim the tensors do not have: {flat}; `cat(…, dim=0)` joins them end to end, "
            "`torch.stack(…, dim=1)` (or `unsqueeze(1)` each first) puts them side by side as columns",
        )
        e.fixes.insert(0, "`torch.cat(tensors, dim=0)`, or `torch.stack(tensors, dim=1)` for columns")
    elif op in ("max", "min", "argmax", "argmin", "topk", "sort") and rank == 1:
        e.causes.insert(
            0,
            f"`{op}` over dim 1 of a 1-D tensor: class indices [N] (the labels) where scores [N, C] were meant, "
            "or scores whose batch dim was squeezed away at batch 1",
        )
        e.fixes.insert(0, f"call `{op}` on the model's output [N, C], not on the labels; or `dim=-1`")
    elif op in ("softmax", "log_softmax", "sum", "mean", "cumsum", "norm") and rank == 1:
        e.causes.insert(
            0,
            f"`{op}` over dim 1 of a 1-D tensor: a single sample without its batch dim, or a `.squeeze()` "
            "that also removed the batch dim at batch 1",
        )
        e.fixes.insert(0, "`x.unsqueeze(0)` for a single sample, `squeeze(dim)` naming the dim, or `dim=-1`")
    elif op in ("squeeze", "unsqueeze", "transpose", "flatten", "size"):
        e.causes.insert(0, f"`{op}` names a dim the tensor does not have: {flat}; print its shape before this line")


# a function or a line that evaluates a model, where it should be in eval mode
_EVALUATING = re.compile(
    r"^(?:test\w*|\w*_test|eval\w*|\w*_eval|valid\w*|val|val_\w*|\w*_val|predict\w*|infer\w*|inference"
    r"|\w*_step_val|demo|sample\w*|generate\w*|validation_step|test_step|predict_step)$",
    re.IGNORECASE,
)


def _evaluating(e: Explanation, frames: list[str], lines: list[str]) -> None:
    """BatchNorm given one value per channel inside a function that evaluates the model: training mode
    left on, not a batch to enlarge."""
    own = [f for f in frames if f not in ("forward", "_call_impl", "_wrapped_call_impl", "__call__", "<module>")]
    named = next((f for f in reversed(own) if _EVALUATING.match(f)), None)
    if named is None:
        return
    e.causes.insert(
        0,
        f"it runs inside `{named}`: the model is evaluated in training mode, where BatchNorm normalises with the "
        "batch's own statistics, which one sample does not have; in eval mode it uses its running statistics",
    )
    e.fixes.insert(0, f"`model.eval()` before `{named}` runs the model (and `model.train()` after it)")


_NEGATIVE = re.compile(r"negative dimension (-\d+):\s*\[([-\d,\s]*)\]")
_CALL = re.compile(r"([A-Za-z_][\w.]*)\(")
# which argument of a layer's constructor each dim of its weight comes from: a Conv's weight is
# [out_channels, in_channels / groups, kernel…], a Linear's [out_features, in_features]
_WEIGHT_ARGS = {"Conv1d": (1, 0), "Conv2d": (1, 0), "Conv3d": (1, 0), "Linear": (1, 0), "Embedding": (0, 1)}
_FACTORIES = re.compile(r"^(?:zeros|ones|empty|rand|randn|randint|full|Tensor|\w*Tensor|new_\w+)$")
_MEMORY_NAME = re.compile(r"mem|memory|bytes|free|reserved|allocated", re.IGNORECASE)


def _negative_size(e: Explanation, matched: str, line: str) -> None:
    """A negative size read by the line that asked for it: the argument that gave it (`noutput-ninput`,
    `block_mem`); a size computed from free GPU memory is not a model's shape."""
    found = _NEGATIVE.search(matched)
    calls = list(_CALL.finditer(line))
    if not found or not calls:
        return
    value, shape = int(found.group(1)), ints(found.group(2))
    call = calls[-1] if _FACTORIES.match(calls[-1].group(1).split(".")[-1]) else calls[0]
    name = call.group(1).split(".")[-1]
    arg = _negative_argument(name, line[call.end() :], shape.index(value) if value in shape else -1)
    if arg is None:
        return
    if _MEMORY_NAME.search(arg):
        _memory_size(e, arg, line)
        return
    if _FACTORIES.match(name):  # a tensor made from sizes, not a layer's weight
        e.causes = [c for c in e.causes if " reads as a " not in c]
    e.causes.insert(0, f"`{arg}` in the line that raised gives that size: it came out as {value}")
    e.fixes.insert(0, f"print the values `{arg}` is computed from; make them give a positive size")


def _negative_argument(name: str, rest: str, at: int) -> str | None:
    """The positional argument of the call `name(rest` that gave dim `at` of the shape (a layer's argument
    by `_WEIGHT_ARGS`, a factory's by its place), or the first that subtracts."""
    args = [a for a in _arguments(rest) if not re.match(r"^\w+\s*=(?!=)", a)]
    place = _WEIGHT_ARGS.get(name, ())
    index = place[at] if 0 <= at < len(place) else at if _FACTORIES.match(name) else -1
    if 0 <= index < len(args):
        return args[index]
    return next((a for a in args if re.search(r"\w\s*-\s*\w", a)), None)


def _memory_size(e: Explanation, arg: str, line: str) -> None:
    """A size computed from GPU memory: not a shape in the model."""
    e.code = NOT_SHAPE
    e.title = f"a size computed from GPU memory (`{arg}`) went negative: not a shape in the model"
    e.causes = [
        f"`{arg}` in `{line.strip()[:120]}` is memory arithmetic (what is free, or the total minus what is "
        "used), negative when the GPU is already in use (another process, or an earlier allocation): a "
        "helper that reserves GPU memory up front"
    ]
    e.fixes = [
        "turn the memory-reserving option off (an `occupy`/`-o` flag), or run on a GPU with that memory free; "
        "`nvidia-smi` shows what holds it"
    ]


def _arguments(rest: str) -> list[str]:
    """The top-level arguments of a call whose text starts after its `(`."""
    out, depth, current = [], 0, ""
    for ch in rest:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                break
            depth -= 1
        if ch == "," and depth == 0:
            out.append(current.strip())
            current = ""
            continue
        current += ch
    if current.strip():
        out.append(current.strip())
    return out


_TARGET_WORDS = re.compile(
    r"\b(?:\w*_)?(?:targets?|labels?|gts?|ground_?truth|masks?_true|y_true|y|true)\b|"
    r"\b(?:criterion|loss\w*|\w*_loss|mse\w*|dice\w*)\b",
    re.IGNORECASE,
)


def _elementwise(e: Explanation, matched: str, line: str) -> None:
    """An elementwise mismatch read by the line that raised: positions (rotary, position ids), an
    integer index that dropped a dim, a target compared with an output."""
    if _POSITIONS.search(line):
        _positions(e, matched, line)
    if "size of tensor a" in matched.lower():
        _integer_index(e, matched, line)
        _recurrent_operands(e, matched, line)
        _pairwise_of_one(e, line)
    _target_operands(e, line)
    _mask_operand(e, matched, line)


# a mask applied on the line that raised: `masked_fill(mask…)`, `attn_mask=`, `scores + attention_mask`
_MASK_WORD = re.compile(
    r"\b(?:\w*_)?(?:attn_?|attention_?|causal_?|padding_?|key_padding_?)?mask(?:s|_\w+)?\b|\.masked_fill_?\(",
    re.IGNORECASE,
)
_SIZES = re.compile(r"\((\d+)\)[^()]{0,60}\((\d+)\)[^()]{0,40}dimension (\d+)")


def _mask_operand(e: Explanation, matched: str, line: str) -> None:
    """A broadcast or expand on a line that applies a mask: the mask and what it masks were made for
    different lengths. Said first when the line names a mask (and no target)."""
    m = _SIZES.search(matched)
    if not m or not _MASK_WORD.search(line) or _TARGET_WORDS.search(line.replace("mask", "")):
        return
    a, b, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    e.causes.insert(
        0,
        f"the line applies a mask: the mask and the tensor it masks (attention scores, a sequence) were made for "
        f"different lengths, {a} and {b} in dim {d}: a mask built from another length (the source where the target "
        "is attended, padding to another max_length, a prompt or image of another size, tokens added by a cache or "
        "generation), or a mask with its dims in another order",
    )
    e.fixes.insert(
        0,
        "build the mask from the tensor it masks (its length from `scores.shape[-1]`), or print both shapes at this "
        "line",
    )


# a pairwise table of one tensor with itself: `s.unsqueeze(0) - s.unsqueeze(-1)` (or 1 and 0)
_PAIRWISE = re.compile(r"\b([\w.]+)\.unsqueeze\((0|-1|1)\)\s*[-+*/]\s*\1\.unsqueeze\((0|-1|1)\)")


def _pairwise_of_one(e: Explanation, line: str) -> None:
    """A pairwise table made by broadcasting a tensor against itself with two unsqueezes: written for one
    sample's 1-D scores; a batch makes it 2-D, and the unsqueezed dims no longer pair. Said first when so."""
    m = _PAIRWISE.search(line)
    if not m or m.group(2) == m.group(3):
        return
    name = m.group(1)
    e.causes.insert(
        0,
        f"`{name}.unsqueeze({m.group(2)})` against `{name}.unsqueeze({m.group(3)})` makes a pairwise table of a 1-D "
        f"tensor (one sample's scores): written for a batch of 1, and with a batch {name} is 2-D [batch, n], so the "
        "two unsqueezed copies no longer pair up",
    )
    e.fixes.insert(
        0,
        f"pair within each sample: `{name}.unsqueeze(1) - {name}.unsqueeze(2)` for [batch, n] (or run with a batch "
        "size of 1, per_device_train_batch_size=1)",
    )


# the operands of a hand-written recurrent cell: input and hidden projections, gates, states
_RECURRENT = re.compile(r"\b(?:i2h|h2h|x2h|w_?ih|w_?hh|preact|gates?|hx|cx|h_?prev|c_?prev|h_t|c_t|hidden)\b")


def _recurrent_operands(e: Explanation, matched: str, line: str) -> None:
    """dim 0 of a hand-written RNN cell's sum (`i2h + h2h`): a batch-first input stepped over as if time-first,
    so one operand's dim 0 is the sequence and the other's the batch. Said first when so."""
    dim = re.search(r"non-singleton dimension (\d+)", matched)
    if not dim or dim.group(1) != "0" or not _RECURRENT.search(line):
        return
    e.causes.insert(
        0,
        "the line adds a recurrent cell's input and hidden projections, and they differ in dim 0: the input is "
        "batch-first [batch, seq, features] while the cell steps over dim 0 as time ([seq, batch, features]), so one "
        "operand's dim 0 is the sequence and the other's the batch (a batch_first option not carried through)",
    )
    e.fixes.insert(0, "permute the input to [seq, batch, features] (`x.permute(1, 0, 2)`) or honour batch_first")


def _target_operands(e: Explanation, line: str) -> None:
    """A dim-1 mismatch read as an output against its target's classes: first when the line that
    raised compares a target or computes a loss, dropped when it names other operands."""
    reading = next((c for c in e.causes if c.startswith("or a model output and its target")), None)
    if reading is None:
        return
    e.causes.remove(reading)
    fix = next((f for f in e.fixes if f.startswith("one-hot the labels")), None)
    if fix is not None:
        e.fixes.remove(fix)
    if _TARGET_WORDS.search(line):
        e.causes.insert(0, reading.removeprefix("or "))
        if fix is not None:
            e.fixes.insert(0, fix)


def _dim_in_loss(e: Explanation, matched: str, lines: list[str]) -> None:
    """dim 1 of a 1-D tensor asked in a line (the paste's last code line but the message's own) that
    calls a loss: the scores lost their class dim."""
    last = [ln for ln in lines[-3:] if "out of range" not in ln][-1:]
    rank_range = re.search(r"\[(-?\d+), (-?\d+)\]", matched)
    if not last or not rank_range or int(rank_range.group(2)) != 0:
        return
    if not _LOSS_LINE.search(last[0]) or _DIM_OPS.search(last[0]):
        return
    e.causes.insert(
        0,
        "the loss got 1-D scores: a classification loss (cross-entropy, NLL) reads the classes from dim 1 of "
        "the model's output [N, C], and this output is [N] (a head with one output squeezed, or a batch dim "
        "squeezed away) or the output and the target were swapped",
    )
    e.fixes.insert(
        0,
        "give the loss scores [N, C] (out_features = the number of classes) and class indices [N]; for one output "
        "per sample use `nn.BCEWithLogitsLoss` with a float target of the same shape",
    )


def _which_table(e: Explanation, lines: list[str]) -> None:
    """An index past a lookup table: the traceback's newest lines name which table."""
    for line in reversed(lines[-4:]):
        for pattern, cause, fix in _TABLES:
            if pattern.search(line):
                if "word embeddings" not in cause:
                    # another table than the vocabulary's: its readings (ids past the vocabulary) are not the story
                    e.causes = [c for c in e.causes if not c.startswith("a token id")]
                    e.fixes = [f for f in e.fixes if "resize_token_embeddings" not in f]
                e.causes.insert(0, cause)
                e.fixes.insert(0, fix)
                return


def _view_batch(e: Explanation, matched: str, lines: list[str]) -> None:
    """A view whose first size is a constant batch: the last, smaller batch does not fit."""
    m = re.search(r"shape '\[([-\d,\s]{1,200})\]' is invalid for input of size (\d{1,15})", matched, re.IGNORECASE)
    views = [v for line in lines for v in _VIEW.finditer(line)]
    named_batch = next((v for v in reversed(views) if _BATCH_NAME.match(_first_size(v))), None)
    if m:
        dims, total = ints(m.group(1)), int(m.group(2))
        if _per_sample_off(e, dims, total, lines) or _smaller_last_batch(e, dims, total):
            return
        if _less_than_one(e, dims, total, views):
            return
        if len(dims) >= 2 and dims[0] > 1 and _constant_first(views, dims[0]) and not named_batch:
            e.causes.insert(
                0,
                f"the pasted line views with a constant batch of {dims[0]}: the last batch of an epoch is smaller",
            )
            e.fixes.insert(0, "take the batch from the tensor: `x.view(x.size(0), -1)` (or `drop_last=True`)")
            return
    if named_batch:
        e.causes.insert(
            0,
            f"the pasted line views with `{_first_size(named_batch)}` as the batch: a smaller "
            "last batch (or a batch split over GPUs) has fewer samples than that constant",
        )
        e.fixes.insert(0, "use the tensor's own batch: `x.view(x.size(0), -1)`, or `drop_last=True`")
    elif m:
        _named_sizes(e, ints(m.group(1)), int(m.group(2)), views)


def _less_than_one(e: Explanation, dims: list[int], total: int, views: list[re.Match[str]]) -> bool:
    """A view with an inferred size whose other sizes hold more values than the whole tensor: not even
    one sample fills them, so a size the constant was built from is larger than the tensor's. When the
    pasted line writes the constant as a product (`8 * 16 * 30 * 30`), the factors that could be the
    wrong one are named, each with the size that would fit. Said first when so."""
    if -1 not in dims:
        return False
    per = math.prod(d for d in dims if d != -1) or 1
    if not 0 < total < per:
        return False
    factors = _written_factors(views, per)
    fits = [f"{f} is {total * f // per}" for f in dict.fromkeys(factors) if f > 1 and total * f % per == 0]
    e.causes.insert(
        0,
        f"{total} values are fewer than the {per} the view asks per row: not even one sample fills it, so the "
        "tensor that reached the line is smaller than the constant was computed for (fewer channels, a smaller "
        "map: another input size or one more pool)"
        + (
            f"; if only one of the pasted line's factors is off: {' or '.join(fits)} (the print of `x.shape` "
            "before the view tells which)"
            if fits
            else ""
        ),
    )
    e.fixes.insert(0, "`x = torch.flatten(x, 1)` and the next layer's in_features from `x.shape[1]`")
    return True


def _written_factors(views: list[re.Match[str]], per: int) -> list[int]:
    """The literal factors of the pasted view's size that multiply to `per` (`8* 16* 1* 30* 30`)."""
    for view in reversed(views):
        for size in view.group(2).split(","):
            parts = [p.strip() for p in size.split("*")]
            if len(parts) > 1 and all(p.isdigit() for p in parts) and math.prod(map(int, parts)) == per:
                return [int(p) for p in parts]
    return []


def _named_sizes(e: Explanation, dims: list[int], total: int, views: list[re.Match[str]]) -> None:
    """The pasted view's sizes are all settings (`x.view(num_devices, self.num_generations)`), none taken
    from the tensor: the tensor holds another count than the settings' product, so the batch that reached
    the line was not the one they describe."""
    if -1 in dims or len(dims) < 2 or math.prod(dims) == total:
        return
    sizes = _setting_sizes(views, len(dims))
    if sizes is None:
        return
    named = " × ".join(f"`{p}`" for p in sizes)
    # no size is inferred, so the flatten story (`view(-1, constant)`) is not this line's
    e.causes[:] = [c for c in e.causes if not c.startswith("a flatten written as")]
    e.fixes[:] = [f for f in e.fixes if not f.startswith("`x = torch.flatten(x, 1)`")]
    e.causes.insert(
        0,
        f"the pasted line views with sizes taken from settings ({named} = {'·'.join(map(str, dims))} = "
        f"{math.prod(dims)}), but the tensor holds {total}: the batch that reached the line is not the one "
        "the settings describe: the last batch of an epoch (smaller, or not a whole number of groups), or "
        "a dataset too small for one full batch",
    )
    e.fixes.insert(
        0,
        "derive one size from the tensor (`x.view(n, -1)`), make the data fill whole batches "
        "(`drop_last=True`, more samples), or check the settings agree with the batch size",
    )


def _setting_sizes(views: list[re.Match[str]], n: int) -> list[str] | None:
    """The sizes as written of the last pasted view of `n` sizes that are all settings' names."""
    for view in reversed(views):
        sizes = [p.strip() for p in view.group(2).split(",")]
        if len(sizes) == n and all(_SETTING.match(p) for p in sizes):
            return sizes
    return None


# a size written as a setting's name (`num_devices`, `self.num_generations`, `cfg.n_heads`), not a literal
# and not read from the tensor (`x.size(0)`, `x.shape[1]`)
_SETTING = re.compile(r"^[A-Za-z_]\w{0,40}(?:\.[A-Za-z_]\w{0,40}){0,3}$")


def _first_size(view: re.Match[str]) -> str:
    """A view's first size as written (`x.size(0)`, `batch_size`, `32`)."""
    return view.group(2).split(",")[0].strip()


def _per_sample_off(e: Explanation, dims: list[int], total: int, lines: list[str]) -> bool:
    """The pasted view takes its batch from the tensor (`x.view(x.size(0), 1024)`): the per-sample
    constant is what is off. Said when so."""
    own = _own_batch_view(lines)
    if own is None or len(dims) != 2 or dims[0] <= 1 or total % dims[0] != 0 or total // dims[0] == dims[1]:
        return False
    per, asked = total // dims[0], own.group(2).partition(",")[2].strip()
    e.causes.insert(
        0,
        f"the pasted line takes the batch from the tensor (`{_first_size(own)}` = "
        f"{dims[0]}), so the per-sample size is what is off: {total} = {dims[0]}·{per}, each sample holds "
        f"{per} values, not the {dims[1]}{f' (`{asked}`)' if asked else ''} the line assumes: the layers "
        "before it produce another size than the constant was computed for (other channels, or another input "
        "size)",
    )
    e.causes[:] = [c for c in e.causes if not c.startswith("if only the batch is off")]
    e.fixes[:] = [f for f in e.fixes if not f.startswith(f"if the batch ({dims[0]}) is right")]
    e.fixes.insert(
        0,
        f"`x.view(x.size(0), -1)` and build the next layer for {per} inputs (`nn.Linear({per}, …)`)",
    )
    return True


def _own_batch_view(lines: list[str]) -> re.Match[str] | None:
    """The pasted lines' last view that takes its batch from the tensor (`x.view(x.size(0), 1024)`)."""
    nested = [v for line in lines for v in _VIEW_NESTED.finditer(line)]
    return next((v for v in reversed(nested) if _OWN_BATCH.match(_first_size(v))), None)


def _smaller_last_batch(e: Explanation, dims: list[int], total: int) -> bool:
    """The view's sizes after the first divide the total into fewer samples than its batch: the last
    batch of an epoch. Said when so."""
    if len(dims) < 2 or dims[0] <= 1 or -1 in dims[1:]:
        return False
    rest = math.prod(dims[1:]) or 1
    if total % rest != 0 or not 0 < total // rest < dims[0]:
        return False
    have = total // rest
    e.causes.insert(
        0,
        f"the view fixes the batch at {dims[0]}, but this tensor holds {have} samples ({total} = "
        f"{have}·{rest}): the last batch of an epoch is smaller than the batch size (or the batch "
        "was split over GPUs)",
    )
    e.fixes.insert(0, "take the batch from the tensor: `x.view(x.size(0), …)` (or `drop_last=True` in the DataLoader)")
    return True


# a view whose sizes may hold calls (`x.size(0)`), one level deep
_VIEW_NESTED = re.compile(r"\.(view|reshape)\(\s*((?:[^()]|\([^()]{0,60}\)){1,200}?)\s*\)(?!\w)")
# a view's first size taken from the tensor itself: `x.size(0)`, `x.shape[0]`, `len(x)`
_OWN_BATCH = re.compile(r"^(?:[\w.]{1,60}\.size\(\s*0\s*\)|[\w.]{1,60}\.shape\[\s*0\s*\]|len\([\w.]{1,60}\))$")


def _constant_first(views, first: int) -> bool:
    return any(v.group(2).split(",")[0].strip() == str(first) for v in views)


def _loss(e: Explanation, lines: list[str], frames: list[str]) -> None:
    found = loss_called(lines, frames)
    if not found:
        return
    name, expects = found
    if "a dim too many" in e.title and name not in _CLASS_INDEX_LOSSES:
        # a pair loss's target has the same check as a classifier's: its story is its own, not one-hot labels
        e.title = f"{name} got a target with a dim too many"
        e.raised_by = f"nn.{name} / F.{name}'s target check (the same text as nll_loss's)"
        e.causes = [
            f"{name} takes one target per pair or sample ([N] of 1 or -1): the target passed has a dim more "
            "([N, 1], or a target of the inputs' shape [N, D]), or the inputs are 1-D where [N, D] is expected"
        ]
        e.fixes = [f"give {name} a target of shape [N]: `target.view(-1)`, or `torch.ones(N)` (-1 for dissimilar)"]
    e.causes.insert(0, f"the paste calls {name}, which takes {expects}")
    others = [c for c in e.causes[1:] if _names_other_loss(c, name)]
    for c in others:  # a reading tied to another loss than the one called is moved last, not said first
        e.causes.remove(c)
        e.causes.append(c)


def _printed_target(e: Explanation, message: str) -> None:
    """A classifier's loss given a target with a dim too many, where the paste prints the shapes
    (`output shape (512, 5)`, `labels: torch.Size([512, 256, 256])`): a target of one map of labels per
    sample against one row of scores per sample is a segmentation mask given to an image classifier.
    Said first when so."""
    if "a dim too many" not in e.title:
        return
    printed = {m.group("name").lower(): ints(m.group("dims")) for m in _PRINTED.finditer(message)}
    targets = [d for n, d in printed.items() if _TARGET_NAME.search(n)]
    outputs = [d for n, d in printed.items() if _OUTPUT_NAME.search(n) and not _TARGET_NAME.search(n)]
    if not (targets and outputs):
        return
    t, o = targets[-1], outputs[-1]
    if len(o) == 2 and len(t) >= 3 and t[0] == o[0]:
        side = "×".join(map(str, t[1:]))
        e.causes.insert(
            0,
            f"the paste prints the shapes: the target holds a {side} map of labels per sample ({list(t)}) while "
            f"the output has one row of {o[1]} scores per sample ({list(o)}): per-pixel masks (a segmentation "
            "dataset's) given to a classifier of whole images: take one label per image, or use a segmentation "
            f"head that keeps the map ([N, {o[1]}, {side}] against the [N, {side}] masks)",
        )
    elif len(o) == 2 and len(t) == 2 and t[0] == o[0] and t[1] > 1:
        what = (
            f"one-hot labels of the {o[1]} classes: `target.argmax(1)`"
            if t[1] == o[1]
            else f"{t[1]} labels per sample where the output scores {o[1]} classes: a multi-label or per-step "
            "target (a sequence of labels, a label per segment) for a one-label head"
        )
        e.causes.insert(0, f"the paste prints the shapes: target {list(t)} against output {list(o)}: {what}")


# a shape the paste prints with a name: `output shape (512,5)`, `labels: torch.Size([64, 1])`, `y.shape = [8, 10]`
_PRINTED = re.compile(
    r"^[ \t]*(?P<name>[A-Za-z_][\w .]{0,40}?)[ \t]*(?:\.?shape|\.size\(\)|size)?[ \t]*[:=]?[ \t]*"
    r"(?:torch\.Size\(\s*)?[\[(](?P<dims>\d{1,7}(?:\s*,\s*\d{1,7}){0,5})\s*,?\s*[\])]",
    re.MULTILINE,
)
_TARGET_NAME = re.compile(r"label|target|\bgt|mask|truth|\by\b", re.IGNORECASE)
_OUTPUT_NAME = re.compile(r"output|logit|pred|\bout\b|score", re.IGNORECASE)


def _names_other_loss(text: str, name: str) -> bool:
    return any(v[0] != name and v[0] in text for v in _LOSSES.values())


def _einsum(e: Explanation, matched: str, lines: list[str]) -> None:
    """An einsum's message read with the pasted equation: its operands, and the letters whose sizes differ."""
    if "einsum" not in matched.lower():
        return
    equations = [m.group(1) for line in lines for m in _EINSUM.finditer(line)]
    if not equations:
        return
    eq = equations[-1].replace(" ", "")
    inputs = eq.split("->")[0].split(",")
    shapes = [ints(s) for s in re.findall(r"\[[-\d,\s]{0,200}\](?=\s*->)", matched)]
    text = f"the pasted equation is '{eq}': {len(inputs)} operand{'s' if len(inputs) != 1 else ''}"
    if shapes and len(shapes) == len(inputs):
        bad = _letters_disagreeing(inputs, shapes)
        if bad:
            text += "; " + ", ".join(f"{k} is {' and '.join(map(str, sorted(v)))}" for k, v in bad.items())
    else:
        counts = [len(s.replace("...", "")) for s in inputs]
        text += f" with {', '.join(map(str, counts))} subscripts"
    e.causes.insert(0, text)


def _letters_disagreeing(inputs: list[str], shapes: list[list[int]]) -> dict[str, set[int]]:
    """The letters of an einsum's operands (those without `...`) given sizes that do not broadcast
    (two sizes other than 1), with their sizes."""
    sizes: dict[str, set[int]] = {}
    for sub, shape in zip(inputs, shapes, strict=True):
        letters = sub.replace("...", "")
        if len(letters) == len(shape) and "..." not in sub:
            for letter, size in zip(letters, shape, strict=True):
                sizes.setdefault(letter, set()).add(size)
    return {k: v for k, v in sizes.items() if len(v - {1}) > 1}
