"""The messages extracted from PyTorch's sources (`table.py`, written by `extract.py`),
read when no hand-written template matched: each row's text becomes a tolerant pattern, and the
row's family picks a reading of the values (`READERS`), or the family's general story.

No torch here. The table is loaded once, its patterns compiled on first use; a pattern runs only
on a window of the paste around its longest run of words, so a long paste costs a substring
search per row.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property, partial

from .explanation import NOT_SHAPE, Explanation
from .readings import hidden_state, zero_resample
from .templates import _ANY_WORD, _cut_first_word, _first_word, _literal, ints, shape_text

# A value PyTorch streams into a message: a list, a torch.Size, a tuple, or one word or number.
_VALUE = (
    r"(torch\.Size\(\[[^\]]{0,300}\]\)|\[[^\]]{0,300}\]|\([^()]{0,300}\)"
    r"|\d{1,15}(?: \d{1,15}){1,7}(?=[,.;]| but| to| and|$)"  # old releases printed a weight's sizes bare: `64 3 3 3`
    # a word, with the subscripts and calls a guard writes: `L['x'].size()[0]`, `*args[0]`, `Eq(u0, 1)`
    r"|(?:[-\w.:'\"*]|\[[^\]\s]{1,40}\]|\([^()]{0,60}\)){1,60})"
)


def anchor_of(text: str) -> str:
    """The longest run of plain words in a message, lower case: a paste without it cannot match."""
    runs = re.findall(r"[a-z][a-z ]*[a-z]", text.lower().replace("{}", "|"))
    return max(runs, key=len, default="")


@dataclass(frozen=True)
class Row:
    family: str
    text: str  # PyTorch's message, `{}` for each value
    where: str
    before: str = ""  # for a message's last sentence as a row of its own: the words of the sentences before it

    def after_its_message(self, lowered: str, start: int) -> bool:
        """A last-sentence row found right after the rest of its message: the whole message (or a template
        of its first part) reads that paste, with its values; the sentence alone is not the message there."""
        return bool(self.before) and self.before in lowered[max(0, start - 600) : start]

    @cached_property
    def anchor(self) -> str:
        return anchor_of(self.text)

    @cached_property
    def cut_anchor(self) -> str:
        """The longest run of words, not counting the first word, which a paste cut at its start
        loses letters of ("he number of subscripts …", "xpected 4-dimensional input …")."""
        rest = anchor_of(self.text[len(_first_word(self.text)) :])
        return rest if len(rest) >= 8 else self.anchor

    @cached_property
    def pattern(self) -> re.Pattern:
        return self._compiled()

    @cached_property
    def cut_pattern(self) -> re.Pattern | None:
        return self._compiled(cut=True) if _first_word(self.text) else None

    def _compiled(self, loose: str = "", cut: bool = False) -> re.Pattern:
        """The pattern; with `loose`, that word matches any one word or none (`templates.Template`)."""
        text = self.text.rstrip(".!")
        first = _first_word(text)
        parts = text[len(first) :].split("{}")

        def literal(segment: str) -> str:
            out = _bracketed(_literal(segment))
            if loose:
                out = re.sub(
                    rf"(?<![A-Za-z]){re.escape(loose)}(?![A-Za-z])", lambda _: _ANY_WORD, out, flags=re.IGNORECASE
                )
            return out

        body = _VALUE.join(literal(p) for p in parts)
        start = _cut_first_word(text) if cut else _literal(first)
        return re.compile(start + body, re.IGNORECASE)

    @cached_property
    def words(self) -> list[str]:
        return re.findall(r"[a-z]{3,}", self.text.replace("{}", " ").lower())


def _bracketed(literal: str) -> str:
    """A literal whose brackets match either kind: releases wrote `(original->remapped)` and
    `[original->remapped]`, `hx.size()` and `hx.size[]`."""
    return (
        literal.replace(r"\[", r"\s*[\[(（]\s*")
        .replace(r"\]", r"\s*[\])）]")
        .replace("[(（]", "[\\[(（]")
        .replace("[)）]", "[\\])）]")
    )


@cache
def rows() -> list[Row]:
    from .table import ROWS

    table = [Row(*r) for r in ROWS]
    known = {r.text for r in table}
    for shorter in (_first_sentence, _last_sentence, _unprefixed):
        for r in list(table):
            row = shorter(r)
            if row is not None and row.text not in known:
                known.add(row.text)
                table.append(row)
    # the most literal text first: a longer message is more specific than one it contains
    return sorted(table, key=lambda r: -len(r.text.replace("{}", "")))


# A paste often keeps only a part of a message: the rows of those parts, each when its words are enough to know it.
_SENTENCE_END = r"(?<=[!.])\s+(?=[A-Z])"


def _first_sentence(r: Row) -> Row | None:
    """A message's first sentence ("Constraints violated (batch)!" without "For more information, …")."""
    first = re.split(_SENTENCE_END, r.text, maxsplit=1)[0]
    if first == r.text or len(anchor_of(first)) < 16:
        return None
    return Row(r.family, first, r.where)


def _last_sentence(r: Row) -> Row | None:
    """A message's last sentence, when it says what is wrong ("Kernel size can't be greater than actual input
    size" without the sizes before it): it holds no value, states a requirement broken (not a hint: "Please
    ensure …", "Running this sequence …") and its words are enough."""
    last = re.split(_SENTENCE_END, r.text)[-1]
    if last == r.text or "{}" in last or len(anchor_of(last)) < 24:
        return None
    if not _BROKEN.search(last) or _HINT.match(last):
        return None
    return Row(r.family, last, r.where, anchor_of(r.text[: len(r.text) - len(last)]))


def _unprefixed(r: Row) -> Row | None:
    """A check without the argument's position ("Argument #4: Padding size …") or the op's name ("einsum(): the
    number of …") ATen prefixes it with, which older releases and quoted pastes leave out."""
    rest = re.sub(r"^(?:Argument #(?:\d+|\{\}):|[A-Za-z_][\w.]{0,40}\(\):)\s*", "", r.text)
    if rest == r.text or len(anchor_of(rest)) < 16:
        return None
    return Row(r.family, rest, r.where)


# a sentence that states a broken requirement, and one that gives advice instead
_BROKEN = re.compile(
    r"\b(?:can't|cannot|can not|must|should|greater than|smaller than|less than|mismatch|invalid)\b", re.IGNORECASE
)
_HINT = re.compile(r"(?:please|note|to |you |try|see|use|consider|pass|running|this will)", re.IGNORECASE)


# where a message is in the paste (start, end), how to read it, and the text it matched
_Found = tuple[int, int, Callable[[], Explanation], str]


def find_all(text: str, lowered: str) -> list[_Found]:
    """Every extracted message found in the (cleaned) paste, the most literal first: where it
    is (its latest occurrence), how to read it, and the text it matched."""
    found: list[_Found] = []
    for row in rows():
        anchor = row.anchor
        if len(anchor) < 8:
            continue
        at = lowered.rfind(anchor)
        if at < 0:
            continue
        offset = max(0, at - 1500)
        if one := _latest(row, row.pattern, text, lowered, offset, text[offset : at + 1500]):
            found.append(one)
    return found


def find_loose(text: str) -> list[_Found]:
    """For a paste no row reads as written: the rows found from any end of their first word (a paste
    cut at its start), and the rows whose words the paste has but one (five words at least), that one
    read as any word or none (a message retyped with a word dropped or misspelt)."""
    lowered = text.lower()
    have = Counter(re.findall(r"[a-z]{3,}", lowered))
    found: list[_Found] = []
    for row in rows():
        if len(row.cut_anchor) < 8 or row.cut_anchor not in lowered or row.cut_pattern is None:
            continue
        if one := _latest(row, row.cut_pattern, text, lowered):
            found.append(one)
    for row in rows():
        if len(row.words) < 5 or len(row.anchor) < 8:
            continue
        missing = Counter(row.words) - have
        if sum(missing.values()) != 1:
            continue
        if one := _latest(row, _loose_pattern(row, next(iter(missing))), text, lowered):
            found.append(one)
    return found


def _latest(
    row: Row, pattern: re.Pattern, text: str, lowered: str, offset: int = 0, window: str | None = None
) -> _Found | None:
    """The row's latest match in the window of the paste that starts at `offset` (the whole paste when
    none), unless it is a last sentence right after the rest of its message."""
    match = None
    for match in pattern.finditer(text if window is None else window):  # noqa: B007 - the latest
        pass
    if match is None or row.after_its_message(lowered, offset + match.start()):
        return None
    values = [g for g in match.groups() if g is not None]
    read = partial(_read, row, values, match.group(0), text)
    return offset + match.start(), offset + match.end(), read, match.group(0)


@cache
def _loose_pattern(row: Row, word: str) -> re.Pattern:
    return row._compiled(word)


def _read(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    try:
        return READERS.get(row.family, _general)(row, values, matched, text)
    except (ArithmeticError, ValueError, IndexError, KeyError, TypeError):
        # values of another form than the reading expects: the family's story, without them
        return _general(row, values, matched, text)


# -- readings per family ---------------------------------------------------------------------

_CODES = {
    "attention-mask": "SC117",
    "attention": "SC117",
    "conv-transposed": "SC104",
    "output-padding": "SC104",
    "conv-channels": "SC104",
    "conv-rank": "SC105",
    "instance-norm": "SC108",
    "norm-single": "SC108",
    "norm-channels": "SC104",
    "layernorm": "SC104",
    "groups": "SC104",
    "norm-rank": "SC105",
    "rnn-hidden": "SC116",
    "rnn-input": "SC115",
    "rnn-rank": "SC105",
    "rnn-lengths": "SC116",
    "fold": "SC104",
    "gather-rank": "SC105",
    "gather-size": "SC130",
    "ctc": "SC125",
    "data-dependent": "SC100",
    "einsum": "SC112",
    "bmm": "SC102",
    "mm-rank": "SC105",
    "t-rank": "SC105",
    "matmul": "SC102",
    "target-range": "SC125",
    "index-range": "SC124",
    "mask-index": "SC112",
    "split": "SC113",
    "cat": "SC109",
    "broadcast": "SC112",
    "too-small": "SC107",
    "state-dict-keys": "SC110",
    "pool-padding": "SC100",
    "pad-rank": "SC105",
    "view": "SC113",
    "dim-range": "SC105",
    "loss-target": "SC125",
    "normalize": "SC105",
    "export": "SC100",
    "ragged": "SC109",
    "negative-size": "SC100",
    "not-shape": NOT_SHAPE,
    "grid-sample": "SC112",
    "einops": "SC113",
    "parallel-gather": "SC109",
}

_STORIES: dict[str, tuple[str, list[str], list[str]]] = {
    "attention-mask": (
        "an attention mask of another shape than the attention it masks",
        [
            "attn_mask is (target length, source length), or (batch × num_heads, L, S) in 3-D; key_padding_mask "
            "is (batch, source length): a mask built for another sequence length or batch, or batch and "
            "sequence swapped (batch_first)"
        ],
        ["build the mask from the tensors it masks (`L, S = q.shape[-2], k.shape[-2]`), and check batch_first"],
    ),
    "attention": (
        "attention inputs that do not fit the layer (embed_dim, heads, batch)",
        ["query, key and value must share the batch and heads, and their last dim must be embed_dim"],
        ["print q, k, v shapes at the call; project key/value to embed_dim (kdim/vdim) or fix the layer's embed_dim"],
    ),
    "conv-channels": (
        "a convolution whose weight does not fit its input's channels",
        ["the layer before makes another number of channels than this conv was built for"],
        ["set in_channels to what arrives, or out_channels of the layer before to what this conv expects"],
    ),
    "conv-rank": (
        "a convolution got an input of the wrong rank",
        ["a missing batch or channel dim, or a tensor with a dim too many (frames, crops)"],
        ["`unsqueeze` the missing dim, or fold the extra one into the batch"],
    ),
    "norm-channels": (
        "a normalization layer built for another number of channels",
        ["the layer before makes another number of channels (dim 1) than num_features"],
        ["set num_features to the channels that arrive"],
    ),
    "norm-rank": (
        "a normalization layer got an input of the wrong rank",
        [
            "BatchNorm1d takes [N, C] or [N, C, L], BatchNorm2d [N, C, H, W], BatchNorm3d [N, C, D, H, W]: "
            "the norm of another rank was used, or a batch dim was lost"
        ],
        ["use the norm that matches the input's rank, or flatten/unsqueeze to that rank"],
    ),
    "rnn-hidden": (
        "an RNN's hidden state (hx / h_0, c_0) does not fit the input",
        [
            "h_0 and c_0 are (num_layers × directions, batch, hidden_size), with a batch dim even when "
            "batch_first=True; a state kept from another batch size, or made without its num_layers dim"
        ],
        ["make the state from the input: `torch.zeros(layers * dirs, x.size(0 if batch_first else 1), hidden)`"],
    ),
    "rnn-input": (
        "an RNN got another number of input features than input_size",
        ["the layer before makes another feature size, or the features are not in the last dim"],
        ["set input_size to x.size(-1), or transpose to [N, L, C] / [L, N, C]"],
    ),
    "data-dependent": (
        "torch.compile / export: a size that depends on the tensor's values was used where a known size is needed",
        [
            "nonzero, masked_select, unique, a boolean mask or `.item()` makes a size known only at run time "
            "(an unbacked symbol, u0); a branch, view, slice or size check on it cannot be traced"
        ],
        [
            "tell the tracer what holds: `torch._check(n >= 0)`, `torch._check_is_size(n)`, or keep the "
            "data-dependent step out of the compiled region (a graph break, `torch.cond` for a branch)"
        ],
    ),
    "ctc": (
        "CTC loss: the lengths do not fit the tensors",
        [
            "CTCLoss takes log_probs [T, N, C] (time first), targets [N, S] (or concatenated) and one input length "
            "and one target length per sample"
        ],
        ["build the lengths from the batch the loss gets: `torch.full((N,), T)` for the inputs, each label's length"],
    ),
    "gather-size": (
        "gather / scatter got an index of other sizes than the tensor it indexes",
        [
            "gather and scatter do not broadcast: the index has the tensor's rank and, in every dim but `dim`, "
            "its size: an index built for another batch or width"
        ],
        ["build the index from the tensor it indexes (`idx.expand(...)` to its sizes but `dim`)"],
    ),
    "gather-rank": (
        "gather / scatter got an index of another rank than the tensor",
        [
            "gather and scatter take an index with as many dims as the input (one index per position, not per "
            "row): a class-index vector [N] used on scores [N, C]"
        ],
        ["give the index the input's rank: `x.gather(1, idx.unsqueeze(1)).squeeze(1)`"],
    ),
    "rnn-rank": (
        "an RNN (nn.RNN, nn.LSTM, nn.GRU) got an input of the wrong rank",
        [
            "an RNN takes [L, N, H_in] (or [N, L, H_in] with batch_first=True), or [L, H_in] unbatched: a 4-D "
            "map (conv features) was passed without flattening its spatial dims into a sequence"
        ],
        ["reshape to [N, L, H_in] first (`x.flatten(2).transpose(1, 2)` for conv features [N, C, H, W])"],
    ),
    "rnn-lengths": (
        "pack_padded_sequence got another number of lengths than the batch has sequences",
        [
            "lengths has one entry per sequence; with batch_first=False the batch is dim 1, so a batch-first "
            "tensor packed without batch_first=True reads its sequence length as the batch"
        ],
        ["pass batch_first=True for [N, L, …] tensors, and lengths of size N"],
    ),
    "fold": (
        "nn.Fold / F.fold got columns that do not fit its kernel and output size",
        [
            "fold takes [N, C·kH·kW, L]: dim 1 must be the channels times the kernel's area, and L the number of "
            "sliding blocks the output size, kernel, stride and padding give (what unfold made with the same "
            "arguments)"
        ],
        ["fold with the kernel_size, stride, padding and output size that unfold used"],
    ),
    "einsum": (
        "torch.einsum: the equation does not fit the operands",
        ["a subscript per dim of each operand, and dims sharing a subscript must have one size (or 1)"],
        ["print each operand's shape beside the equation; use `...` for leading dims that vary"],
    ),
    "t-rank": (
        "t() transposes a matrix, and this tensor has more than 2 dims",
        [
            "`.t()` on a batched or stacked tensor ([N, rows, cols] from stacking matrices), or F.linear given a "
            "weight that is not 2-D (it calls weight.t()): a weight of another layer or a tensor passed as the weight"
        ],
        [
            "swap the two dims meant: `x.transpose(-2, -1)` (or `x.mT`), `x.permute(…)` for another order; give "
            "F.linear a [out_features, in_features] weight"
        ],
    ),
    "matmul": (
        "a matrix product whose inner dims differ",
        ["the first operand's last dim must equal the second's first (a Linear's in_features)"],
        ["transpose the operand that is the wrong way round, or build the layer for the size that arrives"],
    ),
    "index-range": (
        "an index past the end of a dim",
        [
            "an index equal to the size (off by one: valid indices are 0 … size - 1), labels or ids counted "
            "from 1, or a table (vocabulary, classes) smaller than the data"
        ],
        ["check `idx.max() < size` (and `idx.min() >= -size`) where the index is made"],
    ),
    "cat": (
        "tensors joined by cat or stack do not fit",
        [
            "every tensor must have the same rank, and the same size in every dim but the one joined",
            "feature maps joined along the channels (a U-Net's skip connection) whose sides differ: an image side "
            "that is not a multiple of the network's total downsampling (64 px for a Stable Diffusion latent UNet, "
            "16 or 32 for most encoders)",
        ],
        [
            "print the shapes of the list; resize, pad or unsqueeze the odd one before joining",
            "resize or pad the image to a multiple of the network's total stride",
        ],
    ),
    "broadcast": (
        "shapes that do not broadcast",
        ["aligned from the right, each dim pair must be equal or contain a 1"],
        ["reshape or `unsqueeze` the smaller operand so its dims line up, or fix the size that differs"],
    ),
    "state-dict-keys": (
        "the checkpoint's keys are not the model's",
        [
            "the state dict names other layers than the model has: another architecture or version, or a wrapper's "
            "prefix"
        ],
        ["load it into the model it was saved from, strip or add the prefix, or `strict=False` to skip the keys"],
    ),
    "pool-padding": (
        "a pooling layer's padding is more than half its kernel",
        ["pooling pads at most kernel_size // 2 on a side"],
        ["padding ≤ kernel_size // 2 (and check the order of the pool's arguments)"],
    ),
    "too-small": (
        "the input is smaller than the window or padding asked of it",
        ["a map or sequence shrank below the kernel, the padding or the window before this op"],
        ["a larger input, less downsampling before, or a smaller kernel / padding here"],
    ),
    "pad-rank": (
        "padding, pooling or interpolation got an input of the wrong rank or sizes",
        [
            "F.pad/F.interpolate/adaptive pooling take [N, C, *spatial]; the mode (reflect, bilinear, …) fixes "
            "the rank: a missing batch or channel dim, or sizes given for another rank"
        ],
        ["`unsqueeze(0)` / `unsqueeze(1)` to the rank the mode needs, and give sizes for the spatial dims only"],
    ),
    "view": (
        "a view/reshape that does not fit the tensor",
        ["the asked shape has another number of values than the tensor"],
        ["compute the shape from the tensor (`x.size(0)`, -1), not from constants"],
    ),
    "dim-range": (
        "a dim that the tensor does not have",
        ["the tensor has fewer dims than the code expects: a squeezed or missing dim"],
        ["print the shape where it is used; keep the dim (`keepdim=True`, `squeeze(dim)`)"],
    ),
    "loss-target": (
        "a loss got a target of another shape than its input",
        [
            "CrossEntropyLoss/NLLLoss take logits [N, C, …] and class indices [N, …]; elementwise losses "
            "(MSE, L1, BCE) take input and target of one shape"
        ],
        ["make the target fit the loss (`squeeze`, `argmax(1)` for one-hot, `.view_as(output)`)"],
    ),
    "groups": (
        "a size that the groups (or the upscale factor) does not divide",
        ["channels must be a multiple of the groups / factor²"],
        ["choose a divisor, or round the channels to a multiple"],
    ),
    "grid-sample": (
        "grid_sample's grid does not fit its input",
        ["the grid is [N, H_out, W_out, 2] for a 4-D input [N, C, H, W] (5-D: [N, D, H, W, 3]), with the input's N"],
        ["print the input's and the grid's shapes at the call"],
    ),
    "einops": (
        "an einops pattern does not fit the tensor",
        ["the pattern (or the lengths given to it) was written for another shape than this tensor's"],
        ["print the tensor's shape at the rearrange/reduce/repeat call and compare it with the pattern"],
    ),
    "normalize": (
        "boxes of the wrong shape",
        ["torchvision's box ops take [N, 4] boxes (x1, y1, x2, y2)"],
        ["reshape the boxes to [N, 4]; a single box is [1, 4]"],
    ),
}


def _ints_at(values: list[str], i: int) -> list[int]:
    """The numbers of the row's i-th value; none when the message has fewer values."""
    return ints(values[i]) if len(values) > i else []


def _general(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    code = _CODES.get(row.family, "SC100")
    if row.family == "dim-range" and "permute" not in row.text:
        code = "SC131"  # a dim the tensor does not have (a permute's count of dims is its rank: SC105)
    if code == NOT_SHAPE:
        return _not_shape(row, values, matched, text)
    title, causes, fixes = _STORIES.get(
        row.family, ("a shape check of PyTorch failed", ["the sizes in the message differ"], [])
    )
    return Explanation(
        code,
        title,
        row.where,
        [(v, f"value {i + 1} of the message") for i, v in enumerate(values[:6])],
        list(causes),
        list(fixes),
    )


def _not_shape(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    from .notshape import device, dtype

    low = row.text.lower()
    if "device" in low:
        return device(values[0] if values else "", values[1] if len(values) > 1 else "")
    return dtype(values[0] if values else "", values[1] if len(values) > 1 else "")


def _bmm(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    e.title = "bmm/matmul: the inner dims of a batched matrix product differ"
    e.raised_by = f"{row.where} (torch.bmm, torch.matmul and @ on 3-D tensors: [b, n, m] @ [b, m, p])"
    flat = [n for v in values for n in ints(v)]
    if "first two dimensions of batch2" in row.text and len(flat) == 4:
        _batch2_rows(e, *flat)
    elif "batch2_sizes[0] == bs" in row.text:
        # the sizes are not in this wording (1.9-1.13): its condition says which two must agree
        e.causes = [
            "batch2's batch or its rows differ from batch1's ([b, n, m] @ [b, m, p] needs the same b and "
            "batch1's last dim m as batch2's dim 1): one operand built for another size (features of another "
            "width, another token or node count, another batch), or the second operand not transposed "
            "(`k.transpose(-2, -1)` in attention)",
        ]
        e.fixes = ["print both operands' shapes before the bmm/matmul; transpose or reshape the second to [b, m, p]"]
    elif "batch1 dim 2 must match batch2 dim 1" in row.text:
        e.causes = [
            "batch1's last dim (dim 2) must equal batch2's dim 1, its rows ([b, n, m] @ [b, m, p]): one operand "
            "built for another size (a graph's adjacency for another node or token count, features of another "
            "width), or the second operand not transposed (`k.transpose(-2, -1)`)"
        ]
        e.fixes = ["print both operands' shapes at the line; transpose the second or build it for the first's size"]
    elif "Expected tensor to have size" in row.text and len(flat) >= 3 and "batch2" in row.text:
        _batch2_size_at(e, *flat[:3])
    elif "must be a 3D tensor" in row.text or "3-dimensional" in row.text:
        e.code = "SC105"
        e.title = "bmm needs two 3-D tensors [batch, n, m]"
        e.causes = ["one operand lacks the batch dim (2-D) or has an extra one (4-D heads)"]
        e.fixes = ["torch.matmul broadcasts any leading dims; or `unsqueeze(0)` / flatten the heads into the batch"]
    return e


def _batch2_rows(e: Explanation, b: int, m: int, b2: int, got: int) -> None:
    """batch2's [batch, rows] against batch1's batch and last dim."""
    e.numbers = [
        (f"[{b}, {m}]", "what batch2's [batch, rows] must be: batch1's batch and its last dim"),
        (f"[{b2}, {got}]", "batch2's [batch, rows]"),
    ]
    if b != b2:
        e.causes.insert(0, f"the batches differ ({b} and {b2}): one operand was repeated for heads or not")
        return
    e.causes = [
        f"batch1's last dim is {m} but batch2 has {got} rows: in attention `q @ k.transpose(-2, -1)` "
        "needs the transpose (without it the sequence length meets the head dim), and `attn @ v` "
        "needs v's length to be the keys' length",
    ]
    e.fixes = [f"transpose the second operand (`k.transpose(-2, -1)`) or make its dim 1 {m}"]


def _batch2_size_at(e: Explanation, want: int, d: int, got: int) -> None:
    """1.x: `Expected tensor to have size {want} at dimension {d}, but got size {got} for argument #2 'batch2'`."""
    e.numbers = [(str(want), f"what batch2's dim {d} must be (batch1's {'last dim' if d == 1 else 'batch'})")]
    e.numbers.append((str(got), f"batch2's dim {d}"))
    if d == 1:
        e.causes = [
            f"batch1's last dim is {want} but batch2 has {got} rows ([b, n, {want}] @ [b, {got}, p]): the second "
            "operand not transposed (`k.transpose(1, 2)` for q @ kᵀ), its dims in another order, or the two "
            "built for other sizes (another sequence length, node count or width)"
        ]
        e.fixes = [f"transpose the second operand or make its dim 1 {want}; print both shapes at the line"]
    elif d == 0:
        e.causes = [
            f"the batches differ ({want} and {got}): one operand repeated for heads (batch × heads) or for "
            "guidance, the other not, or made for another batch size (the last, smaller batch)"
        ]
        e.fixes = ["repeat or reshape one operand so both have the same batch dim"]


def _mm_rank(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    e.title = "torch.mm / addmm / dot got a tensor of the wrong rank (a matrix is 2-D)"
    e.causes = [
        "a 3-D tensor ([batch, tokens, features], or an unflattened map) reached an op that takes matrices "
        "only (torch.mm, a Linear in old releases, a 1-D dot)"
    ]
    e.fixes = ["`torch.matmul` (or @) broadcasts batch dims; or flatten to 2-D first (`x.flatten(0, -2)`)"]
    ranks = [int(r) for r in re.findall(r"(\d)\s*-?D\b", matched, re.IGNORECASE)]
    if "dot" not in row.text and "1d tensors" not in row.text.lower() and 1 in ranks[-2:]:
        e.causes = [
            "a 1-D tensor reached an op that takes matrices (torch.mm, addmm, a Linear in old releases): a single "
            "sample (a state, a feature vector) without its batch dim"
        ]
        e.fixes = ["`x.unsqueeze(0)` to make a batch of one ([1, features]), or build the input as [batch, features]"]
    return e


def _transposed(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    w, x = _ints_at(values, 1), _ints_at(values, 2)
    want, got = next(iter(_ints_at(values, 3)), None), next(iter(_ints_at(values, 4)), None)
    e.title = f"a transposed convolution built for {want} input channels received {got}"
    e.raised_by = f"{row.where} (nn.ConvTranspose1d/2d/3d: its weight is [in_channels, out_channels/groups, k…])"
    if w:
        e.numbers = [
            (
                shape_text(w),
                f"the weight: in_channels={w[0]} first, out_channels/groups={w[1]} second (the reverse of Conv)",
            ),
            (shape_text(x), "the input"),
        ]
    if x and len(x) >= 3 and all(d == 1 for d in x[2:]):
        e.causes = [
            f"a latent (noise) vector [{x[0]}, {got}, 1, 1] reaches the generator's first ConvTranspose, built "
            f"for nz = {want}: the noise was sampled with another size than the generator was built with (DCGAN)"
        ]
        e.fixes = [
            f"sample the noise with the generator's nz: `torch.randn(N, {want}, 1, 1)` (or build it for nz={got})"
        ]
        return e
    if want is not None and got is not None and got > want:
        e.causes = [
            f"the layer before makes {got} channels, the ConvTranspose was written for {want}: in a decoder, a "
            "skip connection concatenated before it adds channels (U-Net: in = up + skip)"
        ]
    else:
        e.causes = [f"the layer before makes {got} channels, the ConvTranspose was written for {want}"]
    if w and got == w[1]:
        e.causes.insert(0, f"the input has {got} = the weight's dim 1: in_channels and out_channels were swapped")
    e.fixes = [f"ConvTranspose(in_channels={got}, …), or make the layer before output {want}"]
    return e


def _instance_norm(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    e.title = "InstanceNorm in training got a map of one spatial element per channel"
    e.raised_by = f"{row.where} (nn.InstanceNorm*d / F.instance_norm: a mean and variance per sample and channel)"
    e.causes = [
        "a 1×1 map (after global pooling, or a small input downsampled to 1×1) has no variance per channel",
        "or InstanceNorm1d given [N, C] vectors: it reads C as the length of one channel",
    ]
    e.fixes = ["a larger input or less downsampling, or a LayerNorm/GroupNorm/no norm on vectors and 1×1 maps"]
    if values:
        e.numbers = [(values[-1], "the input: one element per channel")]
    return e


def _norm_single(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    from .readings import bn_single

    return bn_single(values[-1] if values else "")


def _target_range(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    if row.text.lower().startswith("class values"):
        return _one_hot_range(e, row, text)
    t = ints(values[0])[0] if values and ints(values[0]) else None
    e.title = (
        f"a class label ({t}) is not below the number of classes the model outputs"
        if t is not None
        else ("a class label is outside [0, number of classes)")
    )
    e.raised_by = f"{row.where} (nn.CrossEntropyLoss / NLLLoss: class indices 0 … C-1 for logits [N, C])"
    e.numbers = [(str(t), "the label: valid are 0 … C-1, C the logits' dim 1")] if t is not None else []
    e.causes = [
        f"the head has {t} outputs or fewer while the labels go up to {t}: out_features / num_classes is too "
        "small for the dataset"
        if t is not None and t >= 0
        else "a negative label (an ignore value other than -100)",
        "labels counted from 1 (1 … C) instead of 0, or an ignore label (255, -1) without `ignore_index`",
    ]
    e.fixes = [
        "num_classes = max label + 1 (`nn.Linear(…, num_classes)`), or map labels to 0 … C-1; "
        "`ignore_index=255` for void pixels"
    ]
    return e


def _graph_index(e: Explanation, row: Row, values: list[str]) -> Explanation:
    """An index past the rows it scatters into or gathers from (TH's `Invalid index in scatterAdd`, PyG's
    edge_index check): in a graph, a node id with no row."""
    e.title = "an index (a node id) past the rows it scatters into or gathers from"
    e.raised_by = f"{row.where} (scatter/gather: every index in 0 … size-1; PyG: edge_index entries in 0 … N-1)"
    e.causes = [
        "a graph's edge_index holds node ids ≥ the number of nodes (x.size(0)): ids not renumbered to 0 … N-1 "
        "(raw ids from a file), ids counted from 1, edges to nodes that have no feature row, or graphs joined by hand "
        "without offsetting the second one's ids",
        "outside graphs: an index made for a larger tensor than the one scattered into (`dim_size` too small)",
    ]
    e.fixes = [
        "check `edge_index.max() < x.size(0)`; map the node ids to rows 0 … N-1 (a dict from id to row), give every "
        "node a feature row, or batch graphs with PyG's DataLoader (it offsets the ids)"
    ]
    nums = [ints(v) for v in values]
    if "edge_index" in row.text and len(nums) >= 2 and nums[0] and nums[1]:
        e.numbers = [
            (str(nums[1][0]), "the largest node id in edge_index"),
            (str(nums[0][0] + 1), "the nodes (rows of x)"),
        ]
    return e


def _one_hot_range(e: Explanation, row: Row, text: str) -> Explanation:
    """F.one_hot's checks: every value must be a class index in [0, num_classes). The pasted call's first
    argument picks the likelier story: a mask's pixels (0/255) or a detector's class ids (counted from 1)."""
    e.raised_by = f"{row.where} (F.one_hot(labels, num_classes): every label must be 0 … num_classes-1)"
    if "non-negative" in row.text:
        e.title = "F.one_hot got a negative label"
        e.causes = [
            "an ignore or padding label (-1, -100) among the labels: one_hot has no class for it",
        ]
        e.fixes = ["replace the ignore label before one_hot (`labels.clamp(min=0)` with a mask kept aside)"]
        return e
    e.title = "F.one_hot got a label not below num_classes"
    e.causes = [
        "a mask stored as 0 and 255 (a binary mask saved as an 8-bit image): one_hot sees labels up to 255, "
        "256 classes, where num_classes is 2 (or 1)",
        "labels counted from 1 (1 … C) instead of 0: the largest, C, is one past the last class (num_classes + 1 "
        "would be needed); or a void / ignore label (255) left in a segmentation mask",
        "or num_classes is smaller than the dataset's number of classes",
    ]
    called = re.findall(r"one_hot\(\s*([\w.\[\]:]{1,80})", text)
    if called and re.search(r"cls|class|categor", called[-1], re.IGNORECASE):
        # class ids of boxes or samples, not a mask's pixels: ids counted from 1 is the common slip
        e.causes.insert(0, e.causes.pop(1))
    e.fixes = [
        "make the labels 0 … num_classes-1: a 0/255 mask to 0/1 (`mask // 255`, or `(mask > 127).long()`); ids "
        "from 1 shifted to start at 0 (`labels - 1`); void pixels (255) mapped to a class or masked out first; or "
        "num_classes = labels.max() + 1",
    ]
    return e


def _index_range(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    if "edge_index" in row.text or "invalid index in" in row.text.lower():
        return _graph_index(e, row, values)
    bounds = re.search(r"index (-?\d+) is out of bounds for dimension (\d+) with size (\d+)", matched, re.I)
    if bounds:
        _out_of_bounds(e, *(int(g) for g in bounds.groups()))
    elif "maximum sequence length" in row.text and len(values) >= 2:
        n, most = (ints(v)[0] for v in values[:2])
        e.title = f"the tokenized text is {n} tokens, longer than the model's maximum of {most}"
        e.numbers = [(str(n), "the tokens of the text"), (str(most), "the model's maximum length (its positions)")]
        e.causes = [
            f"the tokenizer warns that the ids run past the model's {most} positions: passed whole, the ids index "
            "the position embeddings past their end (an IndexError, `index out of range in self`, or a CUDA "
            "device-side assert follows at the model's call)"
        ]
        e.fixes = [
            f"`tokenizer(text, truncation=True, max_length={most})`, or split the text into windows of {most} "
            "tokens (a stride) and pool the results"
        ]
    elif "too many indices" in row.text:
        e.code = "SC131"
        e.title = "more indices than the tensor has dims"
        e.causes = ["the tensor has fewer dims than the indexing assumes (a squeezed or 1-D tensor indexed [i, j])"]
        e.fixes = ["print its shape; index with as many entries as it has dims"]
        _unbatched_model_input(e, text)
    elif "index_select" in row.text and "vector" in row.text:
        e.code = "SC105"
        e.title = "index_select takes a 1-D index"
        e.causes = ["the index tensor is 0-D or 2-D"]
        e.fixes = ["`index.flatten()` (and view the result back), or torch.gather for per-row indices"]
    elif "index out of range in self" in row.text.lower() or "srcindex" in row.text.lower():
        from .families import _index_range as embedding_range

        return embedding_range({})
    return e


def _out_of_bounds(e: Explanation, i: int, d: int, size: int) -> None:
    """An index `i` past dim `d` of `size` entries: off by one, a larger table's, a dim of 1, the batch."""
    e.title = f"index {i} is past the end of dim {d}, which has {size} entries"
    e.numbers = [(str(i), "the index"), (str(d), "the dim"), (str(size), f"its size: valid are 0 … {size - 1}")]
    if i == size:
        e.causes.insert(0, f"off by one: {i} = the size; a loop or label that runs to {size} inclusive, or ids from 1")
    elif i > size:
        e.causes.insert(
            0,
            f"the index ({i}) comes from a larger table than this dim ({size}): classes, "
            "vocabulary or a sequence length of another config",
        )
    if size == 1 and d > 0 and i > 0:
        e.causes.insert(
            0,
            f"dim {d} has a single entry: a kept or added dim of 1 (a channel dim of 1 as in [N, 1, H, W], "
            "`keepdim=True`, an `unsqueeze`) where the code indexes a dim of many: the tensor has a dim more "
            "than the code assumes",
        )
        e.fixes.insert(0, f"`x.squeeze({d})` before indexing, or index the dim meant")
    elif d == 0 and 0 <= i <= max(2 * size, 16):  # an index of a batch's order, not a table's
        e.causes.insert(
            min(1, len(e.causes)),
            f"dim 0 is most often the batch: an index from a count of its own (a loop over images, GPUs or "
            f"samples) reaches past this batch of {size} (the last, smaller batch; one image per GPU), or an "
            "index meant for another dim lands on the batch dim (`x[i]` on [N, C, …] where `x[:, i]` was meant)",
        )
        e.fixes.insert(0, "loop over `range(x.size(0))`, or index the dim meant (`x[:, i]`)")


# a pasted line that calls a model (`model(input_ids)`, `outputs = self.model(**inputs)`, `net(x)`)
_MODEL_CALL = re.compile(r"\b(?:model|net|encoder|bert|classifier)\s*\(\s*\*{0,2}\w")


def _unbatched_model_input(e: Explanation, text: str) -> None:
    """Too many indices where the paste's last code line calls a model: the model indexes its input by
    [batch, …], and one sample was passed without its batch dim (`torch.tensor(ids)` is 1-D)."""
    from .paste import code_lines

    lines = code_lines(text)
    if not lines or not _MODEL_CALL.search(lines[-1]):
        return
    e.causes.insert(
        0,
        f"the pasted line calls a model (`{lines[-1][:80]}`), which indexes its input as [batch, …]: one sample "
        "was passed without its batch dim (a 1-D `torch.tensor(ids)` of token ids, one image [C, H, W])",
    )
    e.fixes.insert(
        0, "add the batch dim: `x.unsqueeze(0)` (`torch.tensor([ids])`; a tokenizer's `return_tensors='pt'`)"
    )


def _gather_size(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    """gather / scatter: the index against the tensor it reads or writes, dim by dim. Each value is
    named by the word PyTorch writes before it (index, self, src, tensor, dimension), whatever the
    release's wording."""
    e = _general(row, values, matched, text)
    named = _named_by_word(row, values)
    index = ints(named.get("index", ""))
    dim = _gathered_dim(named.get("dimension", ""), len(index))
    found = _gather_mismatch(named, index, dim)
    if found is None:
        return e
    source_name, source, d = found
    e.title = (
        f"gather/scatter: the index is {shape_text(index)} but the tensor it reads is {shape_text(source)}: "
        f"dim {d} is {index[d]} in the index, {source[d]} in the tensor"
    )
    e.raised_by = (
        f"{row.where} (torch.gather / scatter / scatter_add: the index must fit the tensor in every dim but `dim`)"
    )
    e.numbers = [
        (shape_text(index), "the index"),
        (shape_text(source), f"the tensor indexed ({source_name})"),
    ] + ([(str(dim), "the dim gathered along")] if dim is not None else [])
    if d == 0:
        cause = (
            f"the index and the tensor hold different batches: {index[0]} rows of indices for {source[0]} rows "
            "(an index from another batch, or a batch folded into rows on one side only)"
        )
    else:
        cause = (
            f"the index was built (expanded or repeated) for a size of {index[d]} in dim {d}, where the tensor has "
            f"{source[d]}: a hidden size or length of another config"
        )
    e.causes = [
        cause,
        "gather and scatter do not broadcast: the index has the tensor's rank and, in every dim but `dim`, "
        "its size (gather: at most it)",
    ]
    sizes = ", ".join("-1" if k == dim else f"{source_name}.size({k})" for k in range(len(index)))
    e.fixes = [f"build the index from the tensor it indexes: `idx.expand({sizes})`"]
    return e


def _named_by_word(row: Row, values: list[str]) -> dict[str, str]:
    """The row's values by the word PyTorch writes right before each (`index`, `self`, `dimension`)."""
    words = [re.findall(r"[a-z]+", part.lower())[-1:] for part in row.text.split("{}")[:-1]]
    return {w[0]: v for w, v in zip(words, values, strict=False) if w}


def _gathered_dim(text: str, rank: int) -> int | None:
    """The dim gathered along, as written (its last number), counted from the front for an index of `rank` dims."""
    numbers = re.findall(r"-?\d+", text)
    if not numbers:
        return None
    dim = int(numbers[-1])
    return dim + rank if dim < 0 and rank else dim


def _gather_mismatch(named: dict[str, str], index: list[int], dim: int | None) -> tuple[str, list[int], int] | None:
    """The index against each tensor named: self (or the old `tensor`) in every dim but `dim`; src in
    every dim when self is named too (scatter), else in every dim but `dim`. The first that differs:
    its name, its sizes and the first dim where it differs."""
    for source_name in ("self", "tensor", "src"):
        source = ints(named.get(source_name, ""))
        if not index or len(index) != len(source):
            continue
        skip = dim if source_name != "src" or "self" not in named else None
        differ = [d for d in range(len(index)) if d != skip and index[d] != source[d]]
        if differ:
            return source_name, source, differ[0]
    return None


def _ctc(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    nums = [ints(v)[0] for v in values if ints(v)][:2]
    low = row.text.lower()
    if "must be of size batch_size" in low:
        which = "input_lengths" if low.startswith("input") else "target_lengths"
        e.title = f"CTC loss: {which} has another length than the batch"
        e.causes = [
            f"{which} holds one length per sample, N of them, N read from log_probs' dim 1: lengths made for another "
            "batch (a fixed batch size against the last, smaller batch; DataParallel splitting the inputs but not "
            "the lengths), or log_probs batch-first [N, T, C] so that T was read as the batch"
        ]
        e.fixes = [
            "make the lengths from this batch (`torch.full((N,), T, dtype=torch.long)`), and give CTCLoss "
            "[T, N, C]: `log_probs.permute(1, 0, 2)` after a batch-first model"
        ]
    elif "value at most" in low and len(nums) == 2:
        t, length = nums
        e.title = f"CTC loss: an input length of {length} for log_probs of {t} time steps"
        e.causes = [
            f"input_lengths count the input before the model shortened it: {length} > T = {t} (a CNN's or pooling's "
            "stride divides the time axis), or log_probs are batch-first [N, T, C] and their dim 0 (the batch) was "
            "read as T"
        ]
        e.fixes = [
            "input_lengths from the model's output: `torch.full((N,), log_probs.size(0))`, or divide by the stride"
        ]
    elif "size at least" in low and len(nums) == 2:
        want, got = nums
        e.title = f"CTC loss: a target length of {want} for targets {got} wide"
        e.causes = (
            [
                f"target_lengths say a target of {want} labels, but the padded targets [N, S] are S = {got} wide: "
                "lengths counted from another text than the labels encoded (a file extension, spaces or characters "
                "outside the alphabet), or lengths and targets from different batches"
            ]
            if want > got
            else [
                f"(older releases check the input lengths with this wording) the longest input length, {want}, does "
                f"not fit log_probs' time steps: input_lengths made for another T than the model's output"
            ]
        )
        e.fixes = ["make each target length the number of labels encoded for it, from the same batch"]
    return e


def _mask_index(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    mask, tensor = _ints_at(values, 0), _ints_at(values, 2)
    e.title = f"a boolean mask {shape_text(mask)} indexes a tensor {shape_text(tensor)} of other sizes"
    e.raised_by = f"{row.where} (x[mask]: the mask's shape must equal the leading dims of x)"
    e.numbers = [(shape_text(mask), "the mask"), (shape_text(tensor), "the indexed tensor")]
    e.causes = [
        "the mask was made from another tensor (labels of the whole dataset, a batch of another size, the "
        "padded length instead of the true one)"
    ]
    e.fixes = ["make the mask from the tensor it indexes (`mask = x[..., 0] > 0`), or index the matching tensor"]
    _folded(e, mask, tensor)
    return e


def _folded(e: Explanation, mask: list[int], tensor: list[int]) -> None:
    """A mask whose dims are the tensor's first dim unfolded ([32, 6375] against [204000, 1]), or the
    reverse: the same positions, flattened on one side only."""
    if len(mask) >= 2 and tensor and tensor[0] == math.prod(mask):
        e.causes.insert(
            0,
            f"the tensor's {tensor[0]} rows are the mask's {'·'.join(map(str, mask))} flattened into one dim: the "
            "tensor was viewed flat before the mask was made (or the mask after)",
        )
        rest = ", ".join(map(str, tensor[1:]))
        e.fixes.insert(
            0,
            f"view the tensor as the mask's shape first: `x.view({', '.join(map(str, mask))}, {rest or '-1'})`"
            if rest
            else f"view the tensor as the mask's shape first: `x.view({', '.join(map(str, mask))})`",
        )
    elif len(tensor) >= 2 and mask and mask[0] == math.prod(tensor[: len(tensor) - 1]) and len(mask) == 1:
        lead = tensor[: len(tensor) - 1]
        e.causes.insert(
            0,
            f"the mask's {mask[0]} entries are the tensor's {'·'.join(map(str, lead))} flattened into one dim: view "
            f"the mask as {shape_text(lead)}",
        )
        e.fixes.insert(0, f"`mask.view({', '.join(map(str, lead))})`, or flatten the tensor's leading dims")


def _split(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    nums = [ints(v) for v in values]
    whole = len(nums) >= 3 and nums[0] and nums[2]
    if whole and "split_with_sizes" in row.text:
        _split_sizes(e, nums[0][0], nums[1][0] if nums[1] else 0, nums[2])
    elif whole and "unflatten" in row.text:
        _unflatten_sizes(e, nums[0], nums[1][0] if nums[1] else None, nums[2][0])
    else:
        e.title = "split / unflatten sizes that do not multiply to the dim"
    return e


def _split_sizes(e: Explanation, size: int, d: int, sizes: list[int]) -> None:
    """split_with_sizes's sizes against the dim's: another dim counted, or k times the values."""
    total = sum(sizes)
    e.title = f"split_with_sizes: the sizes add up to {total}, the dim has {size}"
    e.numbers = [(str(size), "the size of the dim being split"), (shape_text(sizes), f"split_sizes (sum {total})")]
    e.causes = [
        "the split sizes were written for another model width or config (q/k/v of another hidden size, "
        "another number of heads, another class count)"
    ]
    e.fixes = [f"make the sizes add up to {size}, or `torch.split(x, size // n, dim)`"]
    if size == 1 and total > 1:
        e.causes.insert(
            0,
            f"dim {d} has size 1 and the sizes add up to {total}: they count another dim: a batch of one in "
            f"front ([1, {total}, …]) split along dim {d} where the {total} positions are in dim {d + 1}, or a "
            "dim kept at 1 by a reduction",
        )
        e.fixes.insert(
            0, f"split along the dim that holds them (`dim={d + 1}`), or `squeeze({d})` the dim of size 1 first"
        )
    elif total and size % total == 0:
        e.causes.append(f"{size} = {size // total}·{total}: the dim holds {size // total} copies of the layout")
    elif size and total % size == 0 and total > size:
        k = total // size
        e.causes.insert(
            0,
            f"{total} = {k}·{size}: the sizes were counted for {k} times what the dim holds: lengths summed over "
            f"{k} samples, views or heads where this tensor has one, or a dim already folded or pooled by {k}",
        )


def _unflatten_sizes(e: Explanation, sizes: list[int], dim: int | None, size: int) -> None:
    """unflatten's sizes against the dim's: a grid of another side, extra tokens, or k times the values."""
    where = f"dim {dim}" if dim is not None else "the dim"
    if sizes.count(-1) == 1 and _unflatten_inferred(e, sizes, where, size):
        return
    product = math.prod(sizes)
    e.title = f"unflatten to {shape_text(sizes)} ({product} values) of {where}, which holds {size}"
    e.numbers = [(shape_text(sizes), f"the sizes asked (product {product})"), (str(size), f"the size of {where}")]
    e.causes, e.fixes = _grid_side_reading(sizes, size) or _unflatten_reading(sizes, where, size, product)


def _unflatten_inferred(e: Explanation, sizes: list[int], where: str, size: int) -> bool:
    """One size inferred (-1): the others must divide the dim. False when they do."""
    known = math.prod(n for n in sizes if n != -1)
    if known <= 0 or size % known == 0:
        return False
    q = size // known
    e.title = f"unflatten to {shape_text(sizes)}: {where} holds {size}, not a multiple of {known}"
    e.numbers = [
        (shape_text(sizes), f"the sizes asked (-1 inferred, the others {known})"),
        (str(size), f"the size of {where}"),
    ]
    e.causes = [
        f"{size} = {q}·{known} + {size - q * known}: {where} must split into whole groups of {known}"
        + (
            " and it is odd: a length halved by a stride of 2 (frames, a side, samples) needs an even count"
            if known == 2
            else ": an input of another length or size than the model's stride allows"
        )
    ]
    e.fixes = [
        f"make {where} a multiple of {known} ({q * known} or {(q + 1) * known}): crop, pad or resample "
        "the input to a length the model supports"
    ]
    return True


def _grid_side_reading(sizes: list[int], size: int) -> tuple[list[str], list[str]] | None:
    """Square sizes (`(h, h)`) against a dim that is a square, or a square and a few tokens more.
    A negative size raises (no message has one): `_read` tells the family's story then."""
    side = math.isqrt(size)
    extra = size - side * side
    if not (len(sizes) == 2 and sizes[0] == sizes[1]):
        return None
    if extra == 0:
        return [
            f"{size} = {side}²: a {side}×{side} grid where the code assumes {sizes[0]}×{sizes[1]}: the input has "
            "another image size (or patch size, stride) than the one the grid side was computed for"
        ], ["compute the side from the tensor (`h = w = int(x.size(1) ** 0.5)`), or feed the image size it assumes"]
    if 0 < extra <= 8 and side >= 7:
        return [
            f"{size} = {side}² + {extra}: a {side}×{side} grid plus {extra} extra token(s) (a class or register token) "
            "still in the sequence"
        ], [f"drop the extra tokens first (`x[:, {extra}:]`), then unflatten to ({side}, {side})"]
    return None


def _unflatten_reading(sizes: list[int], where: str, size: int, product: int) -> tuple[list[str], list[str]]:
    """The causes and fixes of sizes whose product is not the dim's size, from how the two compare."""
    if size and product >= 100 * size and max(sizes) > size:
        return [
            f"{where} holds {size}, far fewer than the {product} values the sizes cover: it is not the dim they were "
            f"written for: the tensor's dims are in another order than the code assumes ({size} is a head count, a "
            "batch or channels), as when an attention kernel or a library release returns [heads, tokens, …] or "
            "[tokens, heads, …] where the code expects [batch·tokens, …]"
        ], [
            "print the tensor's shape before the unflatten; when it comes from an attention backend (flash-attn, "
            "xformers, sageattention) switch to PyTorch's sdpa or to the release the code was written for"
        ]
    if len(sizes) == 2 and sizes[0] > 1 and sizes[1] > 1 and size % sizes[0] == 0 and size // sizes[0] != sizes[1]:
        per, n = size // sizes[0], sizes[0]
        return [
            f"{size} = {n}·{per}: {n} items of {per} each, where the sizes say {sizes[1]}: the length per item (a "
            "sequence length, tokens of a latent grid) was computed from another size than the tensor's: an image "
            "or video resolution, or a frame count, that the model's grid rounds differently"
        ], [
            f"compute the length from the tensor (`unflatten(0, ({n}, -1))`), or give the input a size the model's "
            "patch and stride divide exactly"
        ]
    if product and size % product == 0:
        return [f"{size} = {size // product}·{product}: the dim holds {size // product} times what the sizes cover"], [
            f"include the factor {size // product} in the sizes (or a -1: `unflatten(dim, (-1, …))`)"
        ]
    return ["the sizes were written for another configuration (a width, a head count, a grid) than this tensor's"], [
        "compute them from the tensor's size, with one -1 for the size to infer"
    ]


def _cat(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    low = row.text.lower()
    if "zero-dimensional" in low:
        e.title = "torch.cat got a 0-d tensor (a scalar)"
        e.causes = ["a scalar (a loss, `x.sum()`, `x[i]` on a 1-D tensor) was collected and concatenated"]
        e.fixes = ["`torch.stack(list)` for scalars, or `x.unsqueeze(0)` / `x.view(1)` before the cat"]
    elif "same number of dimensions" in low:
        nums = [ints(v)[0] for v in values if ints(v)]
        e.title = "torch.cat got tensors of different ranks" + (f" ({nums[0]} and {nums[1]})" if len(nums) > 1 else "")
        e.causes = ["one tensor has a dim more or less: a squeezed batch, a missing channel dim, a 1-D bias"]
        e.fixes = ["`unsqueeze` the lower-rank tensor (or `expand` it) to the others' rank before the cat"]
        if len(nums) > 1:
            _cat_ranks(e, max(nums[:2]), min(nums[:2]))
    elif "non-empty" in low:
        e.title = "torch.cat / torch.stack got an empty list"
        e.causes = [
            "the list of tensors is empty: the loop that fills it never appended (no files found at the path, a "
            "filter or a condition that kept nothing, a dataset or split of length 0, a rank with no work), so "
            "there is nothing to join; not a size mismatch"
        ]
        e.fixes = ["print `len(lst)` before the cat and check what should have filled it (paths, filters, splits)"]
    elif "list of batch" in low:
        e.title = "the DataLoader's default collate got samples whose lists differ in length"
        e.raised_by = row.where + " (default_collate, on a list in each sample)"
        e.causes = [
            "each sample returns a list (or tuple) of items, and the samples' lists have different lengths: a "
            "variable number of boxes, labels or tokens per sample; default_collate pairs the lists item by "
            "item, so they must be equally long",
            "or a sample's fields come back in a list whose length depends on the data (a caption list, a list of "
            "crops)",
        ]
        e.fixes = [
            "return tensors, or give the DataLoader a `collate_fn` that keeps the lists as they are "
            "(`collate_fn=lambda b: tuple(zip(*b))`, as torchvision's detection references do) or pads them "
            "(`pad_sequence`)",
        ]
    elif "tokeniz" in row.where:
        e.title = "the tokenizer could not make one tensor of sequences of different lengths"
        e.causes = [
            "texts tokenized to different lengths were asked for as one tensor (`return_tensors='pt'`) without "
            "padding (or a token-level labels list of another length than its ids, or a text longer than the model "
            "without truncation)"
        ]
        e.fixes = [
            "`tokenizer(texts, padding=True, truncation=True, return_tensors='pt')`, or pad per batch with a "
            "collator (`DataCollatorWithPadding(tokenizer)`)"
        ]
    elif "not resizable" in low:
        e.title = "the DataLoader's collate could not stack the samples (sizes differ between samples)"
        e.causes = ["samples of different sizes (images, sequences) collated into one batch by default_collate"]
        e.fixes = ["resize/pad in the dataset or a collate_fn that pads (`pad_sequence`); or batch_size=1"]
    return e


def _cat_ranks(e: Explanation, high: int, low: int) -> None:
    """Ranks two or more apart, or a sequence beside vectors: a map or sequence not reduced where a vector per sample
    is joined. Said first."""
    if high == 4 and low == 2:
        e.causes.insert(
            0,
            "a 4-D feature map [N, C, H, W] is joined with vectors [N, D]: the map was not pooled or flattened first "
            "(a backbone's features where its pooled embedding was meant)",
        )
        e.fixes.insert(0, "pool and flatten the map first (`torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)`)")
    elif high == 3 and low == 2:
        e.causes.insert(
            0,
            "a sequence [N, L, D] is joined with vectors [N, D]: either reduce the sequence to one vector per sample "
            "(a pooled or [CLS] token) or give the vectors a length dim (`v.unsqueeze(1).expand(-1, L, -1)`)",
        )


def _broadcast(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    low = row.text.lower()
    shapes = [ints(v) for v in values]
    if "repeat dims" in low:
        _repeat_rank(e, row)
    elif "number of sizes provided" in low and len(shapes) >= 2 and shapes[0] and shapes[1]:
        _expand_rank(e, shapes[0][0], shapes[1][0], text)
    elif "value tensor of shape" in low and len(shapes) >= 2:
        _indexed_assignment(e, row, shapes[0], shapes[1])
    elif "broadcast shape" in low and len(shapes) >= 2:
        _in_place(e, shapes[0], shapes[1])
    return e


def _indexed_assignment(e: Explanation, row: Row, value: list[int], place: list[int]) -> None:
    """`x[index] = value`: the value must broadcast to the indexed part."""
    e.title = f"an indexed assignment puts a {shape_text(value)} value into a {shape_text(place)} place"
    e.raised_by = f"{row.where} (x[index] = value: the value must broadcast to the indexed part)"
    e.causes = [
        "the value was computed for another selection (another mask count, a batch of another size), or "
        "has its dims in another order"
    ]
    e.fixes = ["make the value from the same index (`value[mask]`), or reshape it to the indexed shape"]
    _reordered(e, value, place)
    _placeholders_missing(e, value, place)
    _cut_at_max_length(e, value, place)


def _in_place(e: Explanation, out: list[int], want: list[int]) -> None:
    """An in-place op whose result broadcasts to a larger shape than the tensor it writes."""
    e.title = f"an in-place op writes a {shape_text(want)} result into a {shape_text(out)} tensor"
    if len(out) == 3 and len(want) == 3 and out[0] == 1 and want[0] == 3:
        e.causes = [
            "a grayscale image (1 channel) normalized with three means and stds (`transforms.Normalize` for RGB)"
        ]
        e.fixes = ["`Normalize((0.5,), (0.5,))` for one channel, or convert the images to RGB first"]
        return
    e.causes = ["an in-place op (`+=`, `mul_`, `out=`) whose other operand broadcasts to a larger shape"]
    e.fixes = ["write it out of place (`x = x + y`), or make the other operand the in-place tensor's shape"]
    if len(out) == len(want) == 2 and out[1] == 1 and want[0] == want[1] == out[0] > 1:
        n = out[0]
        e.causes.insert(
            0,
            f"a column [{n}, 1] combined with a 1-D [{n}] (a squeezed output or a target of one value per "
            f"sample): broadcasting aligns the [{n}] with the last dim, so the pair makes a [{n}, {n}] "
            "matrix that cannot go back into the column",
        )
        e.fixes.insert(0, f"give both one shape: `y.view(-1, 1)` (or `x.squeeze(1)`) so both are [{n}, 1]")


# the maximum lengths tokenizers and training configs truncate to (cutoff_len, model_max_length, max_length)
_MAX_LENGTHS = (512, 1024, 2048, 4096, 8192, 16384, 32768)


def _cut_at_max_length(e: Explanation, value: list[int], place: list[int]) -> None:
    """One dim of the place is a usual maximum length and the value's is longer: the sequence the place was
    taken from was truncated to that length, the value (image or audio features, labels) was not."""
    if len(value) != len(place):
        return
    differ = [i for i, (v, p) in enumerate(zip(value, place, strict=True)) if v != p]
    if len(differ) != 1:
        return
    d = differ[0]
    v, p = value[d], place[d]
    if p in _MAX_LENGTHS and v > p and v % 8:  # a count of tokens, not a width (widths are round)
        e.causes.insert(
            0,
            f"{p} is a usual maximum length and {v} is longer: the sequence indexed was truncated to {p} tokens "
            f"(`cutoff_len`, `max_length`, `model_max_length`) while the {v} values put into it were not: a "
            "multimodal sample whose image, video or audio tokens outnumber what the truncated text keeps",
        )
        e.fixes.insert(
            0,
            f"raise the maximum length above {v} (or lower the image/video resolution or frames so the "
            f"features fit in {p}); never truncate inside the placeholder tokens",
        )


def _repeat_rank(e: Explanation, row: Row) -> None:
    """`x.repeat(…)` given fewer counts than x has dims: x has a dim more than the line was written for."""
    e.title = "repeat got fewer sizes than the tensor has dims"
    e.raised_by = f"{row.where} (Tensor.repeat(*sizes): one count per dim of the tensor, or more to add dims)"
    e.causes = [
        "the tensor has a dim more than the repeat was written for: a reduction that kept its dim (`keepdim=True`; "
        "before PyTorch 0.2, `sum`/`mean`/`max` kept the reduced dim by default, so code written for a newer "
        "version meets a [B, 1, …] tensor on an old one), an `unsqueeze`, or a batch dim the line does not expect"
    ]
    e.fixes = [
        "give one count per dim (`x.repeat(1, n, 1)` for a 3-D x), or drop the extra dim first (`keepdim=False`, "
        "`x.squeeze(1)`); on an old release, update PyTorch; `x.expand(…)` repeats size-1 dims without copying"
    ]


def _expand_rank(e: Explanation, sizes: int, dims: int, text: str) -> None:
    """`x.expand(…)` given fewer sizes than x has dims: the paste's `expand(T{[10, 1, 5]}, size=[10, 5])`
    says which dim is the extra one."""
    e.title = f"expand got {sizes} sizes for a tensor of {dims} dims"
    e.causes = [
        f"the tensor has {dims - sizes} dim{'s' if dims - sizes > 1 else ''} more than the expand was written for: "
        "an `unsqueeze` or a kept dim (`keepdim=True`) on one path, or sizes taken from another tensor"
    ]
    e.fixes = ["give one size per dim (-1 keeps a dim as it is), or squeeze the extra dim before expanding"]
    m = re.search(r"expand\(\S{0,60}\{(\[[-\d,\s]{0,200}\])\},\s*size=(\[[-\d,\s]{0,200}\])", text)
    if not m:
        return
    shape, size = ints(m.group(1)), ints(m.group(2))
    e.numbers = [(shape_text(shape), "the tensor"), (shape_text(size), "the sizes asked")]
    if len(shape) == len(size) + 1:
        for k, d in enumerate(shape):
            rest = shape[:k] + shape[k + 1 :]
            if d == 1 and all(a in (1, b) or b == -1 for a, b in zip(rest, size, strict=True)):
                e.causes.insert(
                    0,
                    f"the tensor {shape_text(shape)} has a dim of 1 at dim {k} that the sizes {shape_text(size)} leave "
                    f"out: without it, it is {shape_text(rest)}, which expands to them",
                )
                e.fixes.insert(0, f"`x.squeeze({k}).expand({', '.join(map(str, size))})`, or add the dim to the sizes")
                return


def _placeholders_missing(e: Explanation, value: list[int], place: list[int]) -> None:
    """A value put into a place of 0 rows: the index or mask selected nothing where the value expects rows."""
    if not (place and place[0] == 0 and value and value[0] > 0 and value[1:] == place[1:]):
        return
    e.causes.insert(
        0,
        f"the index (or mask) selects nothing ({shape_text(place)}), while the value brings {value[0]} rows: the "
        "positions it should fill are not in the tensor: placeholder tokens (an image or audio token id) missing "
        "from the input ids, because the tokenizer or processor and the model code come from different versions "
        "(or the prompt was built without them), or a mask that is all False",
    )
    e.fixes.insert(
        0,
        "check the mask selects the value's rows (`mask.sum()` against the value's first size); for a multimodal "
        "model, use the processor of the model's version (pin the transformers version the model was written for)",
    )


def _reordered(e: Explanation, value: list[int], place: list[int]) -> None:
    """A value with the place's sizes in another order ([31564, 128] into [128, 31564]): its dims are
    the right ones, permuted."""
    if value == place or sorted(value) != sorted(place) or len(set(value)) < 2:
        return
    if len(value) == 2:
        how = "transpose it (`value.t()`, `value.transpose(0, 1)`)"
    else:
        order = []
        for size in place:
            order.append(next(i for i, v in enumerate(value) if v == size and i not in order))
        how = f"permute it (`value.permute({', '.join(map(str, order))})`)"
    e.causes.insert(
        0, f"the value has the place's sizes in another order ({shape_text(value)} for {shape_text(place)}): {how}"
    )
    e.fixes.insert(0, how[0].upper() + how[1:])


def _too_small(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    low = row.text.lower()
    nums = [ints(v) for v in values]
    if "sizes should be greater than 0" in low and len(nums) >= 2 and all(len(n) == 1 for n in nums):
        flat = [n[0] for n in nums]
        half = len(flat) // 2
        sides = "".join(re.findall(r"\b([DHW]): \{\}", row.text)[:half]) or "W"
        zero_resample(e, sides, flat[:half], flat[half:])
    elif "maximum size for tensor at dimension" in low and len(nums) >= 3:
        d, most, size = nums[0][0], nums[1][0], nums[2][0]
        e.title = f"unfold asks for windows of {size} along dim {d}, which has {most}"
        e.raised_by = f"{row.where} (Tensor.unfold(dim, size, step))"
        e.numbers = [(str(most), f"the size of dim {d}"), (str(size), "the window size asked")]
        e.causes = ["the input (a signal, a sequence, an image) is shorter than one window"]
        e.fixes = ["pad the input to at least the window size, or use a smaller window"]
    elif "padding size should be less" in low:
        e.title = "reflect padding as large as the input's dim"
        e.raised_by = (
            f"{row.where} (F.pad mode='reflect' / nn.ReflectionPad*d, also a Conv with padding_mode='reflect')"
        )
        e.causes = ["reflect padding needs pad < size: the map is too small (1×1 or 2×2 after downsampling)"]
        e.fixes = ["a larger input, or mode='replicate'/'constant' for small maps"]
        if len(nums) >= 4 and len(nums[-2]) == 1 and nums[-1] and -len(nums[-1]) <= nums[-2][0] < len(nums[-1]):
            # the values end (pad_left, pad_right, dim, input), with or without the argument's position first
            (left,), (right,), (d,), shape = nums[-4][-1:], nums[-3][-1:], nums[-2], nums[-1]
            size = shape[d]
            e.numbers = [
                (f"({left}, {right})", f"the padding on either side of dim {d}"),
                (shape_text(shape), "the input"),
                (str(size), f"its dim {d}: reflect padding must be smaller"),
            ]
            pad = max(left, right)
            if len(shape) == 3 and pad >= 64:
                # [batch, channels, samples]: a signal padded toward a fixed window or chunk length
                e.causes.insert(
                    0,
                    f"dim {d} holds a signal of {size} samples padded by {pad}: a window or chunk length longer than "
                    f"the clip (short audio, or a file cut short); reflect mirrors the signal itself, so it can add at "
                    f"most {size - 1} samples on a side",
                )
                e.fixes.insert(
                    0,
                    "pad the short clip with zeros (`mode='constant'`), repeat it to the length, or drop clips "
                    "shorter than the window",
                )
            else:
                e.causes.insert(
                    0,
                    f"dim {d} has {size} entries and reflect padding of {pad} mirrors {pad} of them beside the edge: "
                    f"it needs at least {pad + 1}, so the map reached this pad smaller than the network was written "
                    "for (a small input downsampled)",
                )
    elif "sliding blocks" in low:
        e.title = "unfold/fold (im2col): the kernel does not fit the input"
        e.causes = ["the spatial size, padding and kernel give no whole window"]
        e.fixes = ["a larger input or padding, or a smaller kernel"]
    return e


def _pad_rank(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    low = row.text.lower()
    rank = ints(values[0])[0] if values and ints(values[0]) else None
    if "length of pad" in low:
        e.code = "SC105"
        e.title = "F.pad got a pad tuple of the wrong length"
        e.causes = ["pad lists (left, right) pairs from the last dim backwards: an odd count, or more pairs than dims"]
        e.fixes = ["give two numbers per padded dim, last dim first: `(left, right, top, bottom)`"]
    elif "same number of spatial dimensions" in low and len(values) >= 2:
        _interpolate_dims(e, ints(values[0]), ints(values[1]))
    elif "only 4d input tensors are supported" in low and rank is not None:
        _unfold_rank(e, rank)
    elif "only 3d, 4d and 5d input" in low and rank is not None:
        _interpolate_rank(e, rank, values[1].strip("'\" ") if len(values) > 1 else "")
    return e


def _unfold_rank(e: Explanation, rank: int) -> None:
    """F.unfold took only 4-D input before PyTorch 2.1."""
    e.title = f"F.unfold (nn.Unfold) got a {rank}-D input; this release takes only [N, C, H, W]"
    e.causes = [
        "unfold (im2col) took only 4-D [N, C, H, W] input before PyTorch 2.1: "
        + (
            "a [C, H, W] image without its batch dim (one sample at inference, a map taken out of a batch)"
            if rank == 3
            else "a tensor of another rank than a batch of maps"
        )
    ]
    e.fixes = ["`F.unfold(x.unsqueeze(0), …)` for a single [C, H, W] map" if rank == 3 else "give it [N, C, H, W]"]


def _interpolate_rank(e: Explanation, rank: int, mode: str) -> None:
    """F.interpolate takes [N, C, *spatial] with one to three spatial dims."""
    e.title = f"F.interpolate got a {rank}-D input" + (f" (mode {mode})" if mode else "")
    e.causes = [
        "interpolate resizes every dim after the first two, so it takes [N, C, L], [N, C, H, W] or "
        "[N, C, D, H, W]: "
        + (
            "a 2-D tensor is one map without its batch and channel dims ([H, W], a mask or a grayscale image) "
            "or a batch of vectors [N, features], which have no spatial dim to resize"
            if rank <= 2
            else "a tensor of more than 5 dims has a batch or frames dim too many"
        )
    ]
    e.fixes = [
        "`F.interpolate(x[None, None], …)[0, 0]` for a single [H, W] map (`x.unsqueeze(1)` for [N, H, W])"
        if rank <= 2
        else "fold the extra dims into the batch (`x.flatten(0, 1)`) and unflatten after"
    ]
    if mode in ("bilinear", "bicubic") and rank == 3:
        e.causes.insert(0, f"{mode} needs a 4-D input [N, C, H, W]: a 3-D one is [C, H, W] without its batch")


def _interpolate_dims(e: Explanation, spatial: list[int], size: list[int]) -> None:
    """F.interpolate reads every dim after the first two of its input as spatial."""
    e.title = (
        f"F.interpolate got an input with {len(spatial)} spatial dim{'s' if len(spatial) != 1 else ''} "
        f"and a size of {len(size)}"
    )
    e.raised_by += " (F.interpolate / nn.Upsample: input [N, C, *spatial], size one number per spatial dim)"
    e.numbers = [
        (shape_text(spatial), "the input's dims after [N, C]: what interpolate resizes"),
        (shape_text(size), "the size asked for"),
    ]
    if len(spatial) < len(size):
        e.causes = [
            f"the input lacks {len(size) - len(spatial)} leading dim{'s' if len(size) - len(spatial) > 1 else ''}: "
            "a map [H, W] or [C, H, W] without its batch (or channel) dim, so its first sizes are read as N and C"
        ]
        e.fixes = ["add the missing dims first: `x[None]` / `x.unsqueeze(0)` (and `unsqueeze(1)` for a channel)"]
    else:
        e.causes = [
            "the input has a dim too many (an extra batch or channel dim, or an image in [H, W, C] order), or the "
            "size was taken from a tensor with its batch or channel dims (`target.shape[1:]` of a [N, H, W, C] "
            "or one-hot label)"
        ]
        e.fixes = [
            "give interpolate [N, C, H, W] (`permute(0, 3, 1, 2)` for channels-last) and a size of the spatial "
            "dims only (`size=target.shape[-2:]`)"
        ]
    if spatial and size and len(size) == len(spatial) + 1 and size[-1] in (1, 3, 4) and size[-1] not in spatial:
        e.causes.insert(
            0,
            f"the size ends in {size[-1]}: it was taken from the shape of an image in [H, W, C] order (its "
            "channels read as a third spatial dim)",
        )
        e.fixes.insert(
            0, "pass the spatial size only: `size=img.shape[:2]` for [H, W, C], `shape[-2:]` for [N, C, H, W]"
        )
    if len(spatial) == len(size) + 1:
        _interpolate_extra_dim(e, spatial, size)


def _interpolate_extra_dim(e: Explanation, spatial: list[int], size: list[int]) -> None:
    """An input with one spatial dim more than the size: channels last, or a dim of 1 (one frame)."""
    if size and spatial[-1] in (1, 3, 4) and spatial[-1] not in size:
        e.causes.insert(0, f"the input's last dim is {spatial[-1]}: an image in [H, W, C] order, not [C, H, W]")
    elif 1 in spatial[:-1]:
        # a dim of 1 among the spatial ones: a video or 3-D latent of one frame ([N, C, 1, H, W]), or a kept dim
        at = spatial.index(1) + 2
        e.causes.insert(
            0,
            f"the input has an extra dim of 1 at dim {at} (without it its spatial dims are "
            f"{shape_text(spatial[: at - 2] + spatial[at - 1 :])}, as many as the size has): a video or 3-D latent of "
            "one frame ([N, C, 1, H, W]), or a dim a reduction or `unsqueeze` kept",
        )
        e.fixes.insert(
            0,
            f"squeeze it before resizing (`x.squeeze({at})`, then `unsqueeze({at})` after if the model needs it), or "
            f"give a size for every spatial dim (`size=(1, …)`)",
        )


def _einsum(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    nums = [ints(v)[0] for v in values if ints(v)]
    if "number of subscripts" in row.text and len(nums) >= 3:
        subs, dims, op = nums[0], nums[1], nums[2]
        e.title = f"torch.einsum: operand {op} has {dims} dims but the equation gives it {subs} subscripts"
        e.numbers = [(str(subs), "subscripts for it in the equation"), (str(dims), "dims it has")]
        e.causes = [
            f"operand {op} has {'a dim more' if dims > subs else 'a dim less'} than the equation says: a batch or "
            "heads dim added or lost before the einsum"
        ]
        e.fixes = ["write one letter per dim, or `...` for the leading dims that vary"]
    elif "equation {} tensor {}" in row.text and len(nums) >= 3:
        op, subs, dims = nums[0], nums[1], nums[2]
        e.title = f"torch.einsum: operand {op} has {dims} dims but the equation gives it {subs} subscripts"
        e.raised_by = f"{row.where} (the wording of releases before 1.8)"
        e.numbers = [(str(subs), "subscripts for it in the equation"), (str(dims), "dims it has")]
        e.causes = [
            f"operand {op} has {'a dim more' if dims > subs else 'a dim less'} than the equation says: a batch or "
            "heads dim added or lost before the einsum",
        ]
        e.fixes = ["write one letter per dim, or `...` for the leading dims that vary"]
        _equation_terms(e, op, subs, text)
    elif "operands were provided" in row.text:
        e.title = "torch.einsum: the number of operands differs from the equation's"
        e.causes = ["one comma-separated term per operand"]
    return e


_EQUATION = re.compile(r"einsum\(\s*[rbuf]?['\"]([^'\"]{1,80})['\"]")


def _equation_terms(e: Explanation, op: int, subs: int, text: str) -> None:
    """The pasted equation whose term for the operand runs two terms together (`'ik jl'`: a comma lost, so one
    operand gets both terms' letters). Said first when so."""
    m = _EQUATION.search(text)
    if not m:
        return
    terms = m.group(1).split("->")[0].split(",")
    if op < len(terms) and len(terms[op].split()) > 1 and len(terms[op].replace(" ", "")) == subs:
        e.causes.insert(
            0,
            f"the equation's term for operand {op} is `{terms[op].strip()}`: a space where a comma was meant, so "
            f"both terms' {subs} letters go to one operand (einsum ignores spaces)",
        )
        e.fixes.insert(0, f"separate the terms with a comma: `{', '.join(terms[op].split())}`")
    elif op < len(terms) and len(terms[op].strip()) == subs:
        e.numbers.append((terms[op].strip(), f"the equation's term for operand {op}"))


def _output_padding(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    """A ConvTranspose's output_padding not below its stride (nor its dilation): given in the constructor, or
    computed by forward from an `output_size` the layer cannot reach from this input."""
    e = _general(row, values, matched, text)
    nums = [ints(v)[0] for v in values if ints(v)]
    e.title = "a transposed convolution's output_padding is not smaller than its stride"
    e.raised_by = f"{row.where} (nn.ConvTranspose*d: output_padding, or forward(x, output_size=…))"
    e.causes = [
        "forward was given `output_size=` (a skip connection's size, a target length) that this input cannot "
        "reach: a transposed conv makes (in − 1)·stride − 2·padding + dilation·(kernel − 1) + 1 positions, plus at "
        "most stride − 1; the input is shorter (or longer) than the one the size was computed for (a signal of "
        "another sample rate or length, a map of another input size)",
        "or output_padding set in the constructor to stride or more",
    ]
    e.fixes = [
        "compute output_size from the input that reaches the layer (or crop/pad the output afterwards), and keep "
        "output_padding below the stride"
    ]
    if len(nums) == 6:
        pads, strides, dils = nums[0:2], nums[2:4], nums[4:6]
        for name, pad, stride, dil in zip(("height", "width"), pads, strides, dils, strict=True):
            if pad >= stride and pad >= dil:
                e.numbers = [
                    (str(pad), f"output_padding in {name}"),
                    (str(stride), f"the stride in {name}: output_padding must be smaller"),
                ]
                if pad > 4 * max(stride, dil):
                    # far past what any constructor sets: an output_size computed for another input
                    e.causes[0] = (
                        f"the output_size asked is {pad} positions in {name} beyond what the layer makes from this "
                        f"input (it can add at most stride − 1 = {stride - 1}): {e.causes[0]}"
                    )
                break
    return e


def _export(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = Explanation(
        "SC100",
        "torch.export / torch.compile: a dim declared dynamic was specialized to a constant by the model's code",
        row.where,
        [],
        [
            "the code makes the dim static: a `view`/`reshape` with a literal batch or length, a Python `if` or "
            "loop on the size, `int(x.shape[0])` into a constant, or a layer whose size depends on it",
            "or the example input's size is 0 or 1, which export specializes; or an input of another size than "
            "the one the program was exported (traced) with",
        ],
        [
            'read the log with `TORCH_LOGS="+dynamic"`: it names the line that specialized the dim',
            "use `x.size(0)`/-1 instead of constants; give example inputs with sizes ≥ 2; declare the dim with "
            '`Dim("batch", min=2)` or `Dim.AUTO` in dynamic_shapes',
        ],
    )
    nums = [v for v in values if re.fullmatch(r"-?\d+", v)]
    if "Expected input at" in row.text and len(values) >= 4:
        e.title = "an exported program called with another size than it was exported (specialized) for"
        e.numbers = [(values[2], "the size the program was specialized to"), (values[3], "the size given")]
        e.causes.reverse()
    elif nums:
        e.numbers = [(nums[-1], "the constant the dim was specialized to")]
    return e


def _attention_mask(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    shapes = [ints(v) for v in values]
    if "key_padding_mask" in row.text and len(shapes) >= 2 and len(shapes[0]) == 2 and shapes[1] == shapes[0][::-1]:
        want, got = shapes[0], shapes[1]
        e.title = (
            f"key_padding_mask is {shape_text(got)}, the attention wants {shape_text(want)} (batch, source length)"
        )
        e.causes = [
            f"the mask is transposed: [{got[0]}, {got[1]}] is (length, batch) where (batch, length) is wanted: a mask "
            "built seq-first for a batch_first attention (or the reverse)"
        ]
        e.fixes = ["`key_padding_mask.T` (or build it as (batch, length): `src == pad_idx` on [N, S] tokens)"]
        return e
    if "should be of size" in row.text and len(shapes) >= 2:
        _hf_attention_mask(e, row, shapes[0], shapes[1])
    return e


def _hf_attention_mask(e: Explanation, row: Row, want: list[int], got: list[int]) -> None:
    """transformers' "Attention mask should be of size …": which dim differs, and why."""
    e.title = f"the attention mask is {shape_text(got)} but this layer wants {shape_text(want)}"
    e.raised_by = f"{row.where} (transformers' attention: [batch, 1, query length, key length])"
    e.numbers = [(shape_text(want), "[batch, 1, query length, key length]"), (shape_text(got), "the mask given")]
    e.fixes = ["build the mask with the tokenizer's call that made the input_ids (same padding, same length)"]
    if len(want) == 4 and len(got) == 4:
        _hf_mask_dims(e, want, got)


def _hf_mask_dims(e: Explanation, want: list[int], got: list[int]) -> None:
    """The 4-D masks' dims compared: [batch, 1, query length, key length]."""
    if want[2] == 1 and got[2] > 1 and got[3] == want[3]:
        e.causes = [
            f"the layer runs one query ([batch, 1, 1, {want[3]}]: a generation step with the KV cache, one new "
            f"token against {want[3]} cached keys) and the mask has a row for each of {got[2]} queries: a mask "
            "made for the whole sequence (the prompt's forward) reused at a decoding step, or custom generation "
            "or evaluation code that passes its own 4-D mask"
        ]
        e.fixes = [
            "at each decoding step pass the 2-D attention_mask [batch, past + new] and let the model build the "
            "4-D one (or slice yours to its last row: `mask[:, :, -1:, :]`); `model.generate` does this"
        ]
    elif (k := _both_lengths_times(want, got)) is not None:
        e.causes = [
            f"both lengths are {k} times the mask's ({want[2]}×{want[3]} against {got[2]}×{got[3]}): the sequence "
            f"reaching the attention is {k} times the one the mask was built for: tokens added or repeated inside "
            "the model (image or prompt tokens, a doubled batch folded into the sequence), which model code "
            "written for another transformers release does differently (`trust_remote_code` models)"
        ]
        e.fixes = [
            "use the transformers release the model's code was written for (its README or config), or build the "
            "mask from the sequence the attention gets"
        ]
    elif want[-1] != got[-1]:
        e.causes = [
            f"the key length differs ({want[-1]} and {got[-1]}): with a KV cache (generation) the mask must "
            "cover past + new tokens, or the mask was padded to another length than the input_ids"
        ]
    elif want[0] != got[0]:
        e.causes = [f"the batch differs ({want[0]} and {got[0]}): beams or a doubled batch not applied to the mask"]
    elif got[2] == 1 and want[2] > 1 and got[3] == want[3]:
        e.causes = [
            f"the mask has one row for all {want[2]} queries ([batch, 1, 1, {got[3]}]: a padding mask, not yet "
            f"expanded) where this layer wants one row per query ([batch, 1, {want[2]}, {want[3]}], the causal "
            "mask combined with the padding): a mask prepared by other code (a custom 4-D `attention_mask`, or "
            "code written for another transformers release) reaches the attention unexpanded"
        ]
        e.fixes = [
            "pass the tokenizer's 2-D attention_mask [batch, length] and let the model expand it, or expand it "
            f"to [batch, 1, {want[2]}, {want[3]}] (combined with the causal mask) before the call"
        ]


def _both_lengths_times(want: list[int], got: list[int]) -> int | None:
    """k when the wanted query and key lengths are both k times the mask's, else None."""
    if not (got[2] and got[3] and want[2] != got[2]):
        return None
    if want[2] * got[3] != want[3] * got[2] or want[2] % got[2]:
        return None
    return want[2] // got[2]


def _norm_rank(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    m = re.search(r"expected (\w+(?: or \w+)?) input \(got (\d)D", matched, re.I)
    if not m:
        return e
    want, got = m.group(1), int(m.group(2))
    e.title = f"a normalization layer for {want} input got {got}D input"
    e.numbers = [(want, "the ranks the layer takes"), (f"{got}D", "the input's rank")]
    if "2D or 3D" in want.upper() and got == 4:
        e.causes = [
            "a BatchNorm1d (or InstanceNorm1d) got a conv feature map [N, C, H, W]: it takes [N, C] or [N, C, L]"
        ]
        e.fixes = ["use BatchNorm2d for maps, or flatten before the BatchNorm1d (`torch.flatten(x, 1)`)"]
    elif "2D or 3D" in want.upper() and got == 1:
        e.causes = ["a BatchNorm1d got a 1-D tensor: the batch dim was lost (a `.squeeze()` at batch 1)"]
        e.fixes = ["keep the batch dim ([N, C]): `x.unsqueeze(0)` or `squeeze(dim)` with an explicit dim"]
    elif "4D" in want.upper() and got in (2, 3):
        e.causes = [
            f"a BatchNorm2d/InstanceNorm2d got {got}D input: vectors or sequences ([N, C] / [N, C, L]) "
            "need the 1d norm, or an image lost its batch dim"
        ]
        e.fixes = ["use the 1d norm for vectors and sequences, or `x.unsqueeze(0)` for a single image"]
    return e


def _rnn_hidden(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    if "hx" in row.text or "cx" in row.text:
        e.causes.insert(
            0,
            "hx/cx of another rank than the input: a batched (3-D) input needs 3-D states, an "
            "unbatched (2-D) input 2-D states",
        )
    sizes = [ints(v) for v in values if len(ints(v)) >= 2]
    if "size" in row.text and len(sizes) >= 2:
        want, got = sizes[0], sizes[1]
        e.numbers = [
            (shape_text(want), "(num_layers × directions, batch, hidden_size): what the RNN expects"),
            (shape_text(got), "the state given"),
        ]
        # hidden_state reads every pair of 3-D shapes that differ in one dim
        if hidden_state(e, want, got):
            return e
        if len(got) == len(want) - 1 and got == want[1:]:
            e.causes.insert(0, "the state lacks its first dim, num_layers × directions: `h0.unsqueeze(0)`")
        elif len(got) == len(want) and got[1:] == want[1:]:
            e.causes.insert(
                0,
                f"num_layers × directions differ ({got[0]} given, {want[0]} expected): the state was made for "
                "another num_layers, or without the ×2 of bidirectional=True",
            )
    return e


def _view(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    if "size '{}' is invalid for input with {} elements" in row.text and len(values) >= 2:
        # the TH wording (`size '[-1 x 400]'`): the reading of the sizes and the count as today's wording has them
        from .readings import invalid_view

        dims, total = ints(values[-2]), ints(values[-1])
        if dims and total:
            old = invalid_view(shape_text(dims), total[0])
            old.raised_by = row.where
            return old
    if "0 elements" in row.text:
        e.title = "a reshape with -1 of an empty tensor (0 values)"
        e.causes = [
            "the tensor is empty: an empty batch (a dataset or filter that yielded nothing), a sequence of length "
            "0, or a selection (mask, slice) that kept nothing; -1 cannot be inferred from 0 values"
        ]
        e.fixes = ["check the tensor's shape before the reshape, and skip or pad empty batches"]
    return e


def _loss_target(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    if "weight tensor should be defined" in row.text and values:
        _class_weights(e, ints(values[0]), ints(values[-1]))
    elif row.text.startswith("Expected target size {}, got {}") and len(values) >= 2:
        _target_for_scores(e, ints(values[0]), ints(values[1]))
    elif "1D target tensor expects 2D input tensors" in row.text and values and ints(values[0]):
        _cosine_inputs(e, ints(values[0]))
    elif "spatial sizes don't match" in row.text and len(values) >= 2:
        target, scores = ints(values[0]), ints(values[1])
        if len(scores) == 4:  # nll_loss2d: scores [N, C, H, W] take a target [N, H, W]
            _target_for_scores(e, [scores[0], *scores[2:]], target)
            e.numbers.insert(0, (shape_text(scores), "the scores [N, C, H, W]"))
    return e


def _class_weights(e: Explanation, classes: list[int], got: list[int]) -> None:
    """`weight=` of a classification loss, one entry per class."""
    n_got, n_classes = (got[0] if got else "?"), (classes[0] if classes else "?")
    e.title = f"the loss's class weights have {n_got} entries for {n_classes} classes"
    e.causes = [
        "`weight=` of CrossEntropyLoss/NLLLoss has one entry per class, the number of the model's outputs (dim 1 "
        "of the scores): weights computed from the dataset's labels, or a head built for another class count"
    ]
    e.fixes = ["make `weight` as long as `logits.size(1)` (and the head's out_features the number of classes)"]


def _cosine_inputs(e: Explanation, shape: list[int]) -> None:
    """CosineEmbeddingLoss takes two batches of vectors [N, D] and a target [N]."""
    e.title = f"CosineEmbeddingLoss got inputs {shape_text(shape)} where it takes pairs of vectors [N, D]"
    if len(shape) != 3:
        e.causes = [
            "cosine_embedding_loss compares two batches of vectors [N, D] with a target of ±1 per pair [N]: "
            f"these inputs are {len(shape)}-D"
        ]
        e.fixes = ["bring both inputs to [N, D] and the target to [N]"]
        return
    e.causes = [
        "cosine_embedding_loss compares two batches of vectors [N, D] with a target of ±1 per pair [N]: "
        f"these inputs hold {shape[1]} vectors of {shape[-1]} per sample ({shape_text(shape)}: tokens, frames "
        "or views), one more dim than a pair of vectors"
    ]
    e.fixes = [
        "compare vector by vector: `loss(a.flatten(0, 1), b.flatten(0, 1), "
        f"target.repeat_interleave({shape[1]}))`, or pool the vectors of a sample first (`a.mean(1)`)"
    ]


def _target_for_scores(e: Explanation, want: list[int], got: list[int]) -> None:
    """nll_loss / cross_entropy with scores [N, C, d1, …]: the target it expects is [N, d1, …], read
    back into the scores' shape, against the target given."""
    if not want or not got:
        return
    e.title = f"cross-entropy expected class indices {shape_text(want)} (from its scores), got {shape_text(got)}"
    e.numbers = [
        (shape_text(want), "the target the scores imply: [N, d1, …] of scores [N, C, d1, …]"),
        (shape_text(got), "the target given"),
    ]
    for reading in _SCORES_TARGET_READINGS:
        found = reading(want, got)
        if found is not None:
            e.causes, e.fixes = found
            return


# A reading of the target cross-entropy expects (`want`) against the one given (`got`): its causes
# and fixes, or None when the two are not that case.
_ScoresTargetReading = Callable[[list[int], list[int]], tuple[list[str], list[str]] | None]


def _target_extra_dim(want: list[int], got: list[int]) -> tuple[list[str], list[str]] | None:
    """The target has a dim the loss does not take: one-hot labels, or a mask read in color."""
    if not (len(got) == len(want) + 1 and got[0] == want[0] and got[2:] == want[1:]):
        return None
    color = got[1] in (3, 4) and len(got) == 4
    causes = [
        f"the target has a dim ({got[1]}) the loss does not take: "
        + (
            f"a mask read as a color image ({got[1]} channels) where class indices {shape_text(want)} are expected"
            if color
            else f"one-hot or multi-label targets {shape_text(got)} where class indices {shape_text(want)} are expected"
        )
    ]
    fixes = [
        "read masks as one channel of class ids (`Image.open(p).convert('L')`, or map colors to ids)"
        if color
        else "`target.argmax(1)` for one-hot targets, or BCEWithLogitsLoss for multi-label ones"
    ]
    return causes, fixes


def _scores_extra_dim(want: list[int], got: list[int]) -> tuple[list[str], list[str]] | None:
    """The scores have a dim more than [N, C]: an output kept 3-D."""
    if not (len(got) == len(want) - 1 and got == want[:1]):
        return None
    causes = [
        f"the scores have a dim more than [N, C]: they are [{want[0]}, C, {', '.join(map(str, want[1:]))}], one "
        "row of classes per sample is expected: an output kept 3-D (a sequence or a dim of 1 the head left), "
        "so the loss reads its last dim as positions"
    ]
    return causes, ["squeeze or pool the extra dim of the output (`out.squeeze(-1)`, `out[:, -1]`) before the loss"]


def _vocab_last(want: list[int], got: list[int]) -> tuple[list[str], list[str]] | None:
    """A sequence model's [N, T, vocab]: the classes in the last dim, read by cross-entropy in dim 1."""
    if not (len(got) == len(want) >= 2 and got[0] == want[0] and want[-1] > got[-1] and want[-1] >= 100):
        return None
    causes = [
        f"the class scores are in the last dim: the scores are [{want[0]}, T, {want[-1]}] (a sequence model's "
        f"[N, T, vocab]), and cross-entropy reads dim 1 as the classes, so it expects targets "
        f"{shape_text(want)}; the target's {got[-1]} positions should meet the scores' T"
    ]
    fixes = [
        "`F.cross_entropy(logits.permute(0, 2, 1), target)`, or flatten both: "
        "`logits.reshape(-1, logits.size(-1))` with `target.reshape(-1)` (after aligning their lengths)"
    ]
    return causes, fixes


def _classes_last(want: list[int], got: list[int]) -> tuple[list[str], list[str]] | None:
    """[1, items, classes]: a batch dim added in front, the classes read from dim 1."""
    if not (len(got) == len(want) == 2 and got[0] == want[0] and got[1] > want[1]):
        return None
    causes = [
        f"classes in the last dim: scores [{want[0]}, {got[1]}, {want[1]}] ({got[1]} positions or items of "
        f"{want[1]} classes, a batch dim of 1 added in front of [items, classes]) read by cross-entropy with dim "
        f"1 as the classes, so it expects targets {shape_text(want)}",
        "or the scores' positions and the target's differ: an output of another length than its labels",
    ]
    fixes = [
        "keep the classes in dim 1: `logits.permute(0, 2, 1)`, or drop the added dim (`logits.squeeze(0)` "
        "with `target.squeeze(0)`)"
    ]
    return causes, fixes


def _scores_scaled(want: list[int], got: list[int]) -> tuple[list[str], list[str]] | None:
    """The same batch, every position of the target k times the scores' (or the reverse): a map at another
    resolution than its masks."""
    if not (len(got) == len(want) >= 3 and got[0] == want[0] and all(w > 0 for w in want[1:])):
        return None
    big, small = (got, want) if got[1] > want[1] else (want, got)
    if any(s <= 0 or b % s for b, s in zip(big[1:], small[1:], strict=True)):
        return None
    ratios = {b // s for b, s in zip(big[1:], small[1:], strict=True)}
    if len(ratios) != 1 or (k := ratios.pop()) < 2:
        return None
    if big is got:
        causes = [
            f"the target's positions ({', '.join(map(str, got[1:]))}) are {k} times the scores' "
            f"({', '.join(map(str, want[1:]))}) on every side: the output map is at 1/{k} of the masks' resolution (a "
            "segmentation head without its final upsampling, or masks loaded at full size while the images were "
            "resized)"
        ]
        fixes = [
            "upsample the scores to the mask: `F.interpolate(logits, size=target.shape[-2:], mode='bilinear', "
            "align_corners=False)`, or resize the masks with the images (nearest-neighbour)"
        ]
    else:
        causes = [
            f"the scores' positions are {k} times the target's on every side: masks resized (or downsampled) more "
            "than the images, or "
            "an upsampling too many in the head"
        ]
        fixes = ["resize the masks with the images (nearest-neighbour), to the output's size"]
    return causes, fixes


def _positions_differ(want: list[int], got: list[int]) -> tuple[list[str], list[str]] | None:
    """The same batch, other positions: an output map or sequence of another size than its labels."""
    if not (len(got) == len(want) and got[0] == want[0]):
        return None
    causes = [
        f"the scores' positions ({', '.join(map(str, want[1:]))}) and the target's "
        f"({', '.join(map(str, got[1:]))}) differ: an output map or sequence of another size than its labels, "
        "or classes not in dim 1 (cross-entropy takes [N, C, d1, …])"
    ]
    return causes, ["resize the output to the labels (or the labels to it), and keep the classes in dim 1"]


# tried in order: the first that reads the two targets is said
_SCORES_TARGET_READINGS: tuple[_ScoresTargetReading, ...] = (
    _target_extra_dim,
    _scores_extra_dim,
    _vocab_last,
    _classes_last,
    _scores_scaled,
    _positions_differ,
)


def _ragged(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    """A nested list whose rows differ in length made into one tensor: `want` long rows expected at `dim`
    (the first row's length there), one of `got`."""
    want, dim, got = (ints(v)[0] for v in values[:3])
    e = Explanation(
        "SC109",
        f"a nested list whose rows differ in length made into one tensor: rows of {want} at dim {dim}, one of {got}",
        row.where + " (torch.tensor, torch.LongTensor, a tokenizer's return_tensors)",
        [
            (str(want), f"the length of the first row at dim {dim}: every row there must have it"),
            (str(got), "the length of a later row"),
            (str(dim), "how deep the rows are: dim 0 is the outer list (the batch), dim 1 each sample's items"),
        ],
        [
            "a Python list of sequences of different lengths (token ids, labels, boxes per image) turned into "
            "one tensor: a tensor is rectangular, so every row must be padded (or cut) to one length first"
        ],
        [
            "pad every row to one length: the tokenizer's `padding='max_length', truncation=True, max_length=N` "
            "(or `padding=True` per batch), or `torch.nn.utils.rnn.pad_sequence(rows, batch_first=True)` in a "
            "collate_fn"
        ],
    )
    small, large = sorted((want, got))
    if large - small == 1:
        e.causes.insert(
            0,
            f"the rows are one item apart ({small} and {large}): a special token ([CLS], [SEP], <eos>) or a label "
            "added to some rows only, or sequences that were never padded and happen to differ by one",
        )
    if dim >= 2:
        e.causes.insert(
            0,
            f"the rows at dim {dim} are a level inside each sample (segments of a document, per-token features): "
            f"one sample's inner lists hold {want} items and another's {got}: they were padded or cut to "
            "different lengths (two max-length settings)",
        )
    if dim == 1 and ((small >= 64 and small & (small - 1) == 0) or small in (77, 384, 512, 768)):
        e.causes.insert(
            0,
            f"{small} looks like a max length ({small} tokens) and one row holds {large}: the inputs were truncated to "
            f"{small} and this list (labels, offsets, a second text) was not",
        )
        e.fixes.insert(0, f"truncate every list that goes with the inputs to the same max length ({small})")
    return e


def _negative(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    """A tensor of a negative size asked for: which size, and what the shape says it is."""
    value = ints(values[0])[0]
    shape = _ints_at(values, 1)
    at = shape.index(value) if value in shape else -1
    e = Explanation(
        "SC100",
        f"a tensor with a negative size ({value}) was asked for" + (f": {shape_text(shape)}" if shape else ""),
        row.where + " (every factory and every layer's weight: at::empty)",
        [(str(value), f"the size computed negative{f' (dim {at} of the shape)' if at >= 0 else ''}")]
        + ([(shape_text(shape), "the shape asked for")] if shape else []),
        [
            "a size computed from other numbers went negative: a difference of two settings (`out - in` channels, "
            "`total - used` memory, a length minus an offset), or a count still at a placeholder"
        ],
        [
            "print the expression that makes this size where the tensor or layer is created, and fix the setting "
            "it reads"
        ],
    )
    reading = _negative_in_weight(shape, at, value, text)
    if reading:
        e.causes.insert(0, reading)
    if value == -1:
        e.causes.insert(
            0,
            "-1 is a placeholder, not a size: a setting left at its default of -1 (`num_labels`, `num_classes`, a "
            "vocabulary size not yet filled in), or a -1 meant for `view`/`reshape` passed to a constructor, "
            "which does not infer sizes",
        )
        e.fixes.insert(0, "set the count before the model is built (the number of labels, classes or tokens)")
    return e


def _negative_in_weight(shape: list[int], at: int, value: int, text: str) -> str:
    """What the shape with a negative size reads as: a conv's weight (small kernel sizes after two
    channel counts), a Linear's or Embedding's weight, or a table of rows × columns."""
    if len(shape) in (3, 4, 5) and at in (0, 1) and all(k > 0 for k in shape[2:]) and max(shape[2:]) <= 15:
        role = "out_channels" if at == 0 else "in_channels / groups"
        return (
            f"{shape_text(shape)} reads as a Conv{len(shape) - 2}d's weight [out_channels, in_channels / groups, "
            f"kernel…]: its {role} came out as {value}: channel counts computed from the config (a difference, or "
            "a width times a ratio) that gives less than the code assumes"
        )
    if len(shape) != 2 or at < 0:
        return ""
    which = "first" if at == 0 else "second"
    if re.search(r"\bnn\.|Linear|Embedding", text[-3000:]):
        return (
            f"{shape_text(shape)} reads as a Linear's weight [out_features, in_features] (or an Embedding's "
            f"[num_embeddings, dim]): its {which} size came out as {value}"
        )
    return (
        f"{shape_text(shape)} is a 2-D tensor whose {which} size came out as {value}: "
        "a Linear's weight [out_features, in_features] (or an Embedding's), or a table of rows × columns (time "
        "steps × series, samples × features) whose row count is a difference (`end - start - window`) that "
        "goes negative when the data is shorter than the period or window the settings assume"
    )


def _state_dict_keys(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    """load_state_dict's Missing / Unexpected key lists: a prefix that one side has and the other lacks (a
    wrapper's), BatchNorm counters of old releases, or another architecture."""
    e = _general(row, values, matched, text)
    missing = _keys_after("Missing key(s) in state_dict:", text)
    unexpected = _keys_after("Unexpected key(s) in state_dict:", text)
    e.title = (
        f"the checkpoint's keys are not the model's ({len(missing)} missing, {len(unexpected)} unexpected)"
        if missing or unexpected
        else e.title
    )
    e.numbers = [
        (str(len(missing)), "keys the model has and the checkpoint lacks"),
        (str(len(unexpected)), "keys the checkpoint has and the model lacks"),
    ]
    wrapped = _wrapped_side(missing, unexpected)
    if wrapped:
        _wrapper_prefix(e, *wrapped)
    else:
        _keys_differ(e, missing, unexpected)
    return e


def _wrapped_side(missing: list[str], unexpected: list[str]) -> tuple[str, str] | None:
    """The prefix every key of one side has and the other side's keys lack, and that side
    ("checkpoint" for the unexpected keys, "model" for the missing ones)."""
    for side, other, where in ((unexpected, missing, "checkpoint"), (missing, unexpected, "model")):
        prefix = _common_prefix(side)
        stripped = {k.removeprefix(prefix) for k in side}
        if prefix and ((not other and prefix in _WRAPPERS) or stripped & set(other)):
            return prefix, where
    return None


# the side whose keys carry a wrapper's prefix → (its keys, how it was made, the other side)
_WRAPPED = {"checkpoint": ("unexpected", "saved from", "model"), "model": ("missing", "built as", "checkpoint")}


def _wrapper_prefix(e: Explanation, prefix: str, where: str) -> None:
    keys, made, other = _WRAPPED[where]
    wrapper = _WRAPPERS.get(prefix, "a wrapper module")
    e.causes.insert(
        0,
        f"every {keys} key starts with `{prefix}`: the {where} was {made} a wrapped model ({wrapper}), the "
        f"{other} is not: the names differ only by that prefix",
    )
    e.fixes.insert(
        0,
        f"strip the prefix when loading: `sd = {{k.removeprefix('{prefix}'): v for k, v in sd.items()}}`"
        if where == "checkpoint"
        else f"load into the wrapped module (`model.module.load_state_dict(sd)`), or add `{prefix}` to the keys",
    )


def _keys_differ(e: Explanation, missing: list[str], unexpected: list[str]) -> None:
    """Keys that differ by more than a prefix: BatchNorm counters of old releases, a head, another model."""
    head = _common_prefix(missing)
    if missing and all(k.endswith("num_batches_tracked") for k in missing):
        e.causes.insert(
            0,
            "only BatchNorm's `num_batches_tracked` counters are missing: the checkpoint was saved by PyTorch before "
            "0.4.1, which did not keep them",
        )
        e.fixes.insert(0, "load with `strict=False` (the counters are only used with momentum=None)")
    elif head and not unexpected:
        e.causes.insert(
            0,
            f"only the `{head[:-1]}` layer's keys are missing: the checkpoint holds the rest of the model without it "
            "(a backbone or feature extractor saved without its head, or a model whose head was added after)",
        )
        e.fixes.insert(0, f"load with `strict=False` and train `{head[:-1]}` (or load the checkpoint that has it)")
    elif missing or unexpected:
        e.causes.insert(
            0,
            "the checkpoint holds other layers than the model: a model of another architecture, variant or version "
            "(layers renamed, added or removed), or weights of only a part of it (a backbone without its head)",
        )
        e.fixes.insert(
            0,
            "build the model the checkpoint was saved from (its config or variant); `strict=False` loads the keys "
            "that match and leaves the others as initialised",
        )


_WRAPPERS = {
    "module.": "nn.DataParallel or DistributedDataParallel, which names every key `module.…`",
    "_orig_mod.": "torch.compile, which names every key `_orig_mod.…`",
    "model.": "a training wrapper (a Lightning module or a class holding the net as `self.model`)",
}


def _keys_after(label: str, text: str) -> list[str]:
    at = text.rfind(label)
    if at < 0:
        return []
    segment = text[at + len(label) :].split("\n", 1)[0]
    segment = re.split(r"(?:Missing|Unexpected) key\(s\)|size mismatch", segment)[0]
    return re.findall(r"\"([^\"]{1,200})\"", segment)


def _common_prefix(keys: list[str]) -> str:
    """The first name every key starts with (`module.`), when there is one."""
    if not keys:
        return ""
    first = keys[0].split(".", 1)[0] + "."
    return first if all(k.startswith(first) for k in keys) and len(first) > 1 else ""


def _pool_padding(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    e = _general(row, values, matched, text)
    m = re.search(r"padW = (\d+), padH = (\d+), kW = (\d+), kH = (\d+)", matched)
    e.raised_by = f"{row.where} (nn.MaxPool*d / AvgPool*d: padding at most kernel_size // 2)"
    if m:
        pw, ph, kw, kh = (int(g) for g in m.groups())
        e.numbers = [(f"{ph}×{pw}", "the padding"), (f"{kh}×{kw}", "the kernel: padding may be at most half of it")]
        e.causes = [
            f"padding {max(pw, ph)} with a kernel of {max(kw, kh)}: a pool pads at most {max(kw, kh) // 2}: the pool "
            "was built with padding meant for another kernel, or its positional arguments in another order "
            "(`nn.MaxPool2d(kernel_size, stride, padding)`: `MaxPool2d(2, 2, 2)` pads 2 for a 2-wide kernel)"
        ]
        e.fixes = [f"padding ≤ {max(kw, kh) // 2} (`padding=kernel_size // 2`), or name the arguments"]
    return e


def _attention(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    """MultiheadAttention's query of another width than embed_dim: which tensor reached it, by how the two
    widths relate."""
    e = _general(row, values, matched, text)
    m = re.search(r"embedding dimension of (\d+), but got (\d+)", matched)
    if not m:
        return e
    want, got = int(m.group(1)), int(m.group(2))
    e.title = f"MultiheadAttention was built for embed_dim={want} and its query's last dim is {got}"
    e.numbers = [
        (str(want), "embed_dim: the features every query vector must have"),
        (str(got), "the query's last dim"),
    ]
    readings = [
        f"the features ({got}) were not projected to the attention's width: raw inputs or another layer's output "
        f"where vectors of embed_dim={want} are needed (a `nn.Linear({got}, {want})` before it), or embed_dim set "
        "from another width than the data's",
        "the query's last dim is not its features: a channels-first map ([N, C, L] from a Conv1d, [N, C, H, W]) "
        "passed without moving the channels last (`x.permute(2, 0, 1)` to [L, N, C], or `flatten(2).permute(2, 0, 1)` "
        "for a map), so a length or a width is read as the features",
    ]
    small, large = sorted((want, got))
    if small and large == 2 * small:
        readings.insert(
            0,
            f"{large} = 2·{small}: one side is twice the other: a bidirectional RNN's output (2·hidden) or two "
            "features concatenated, against an attention of the single width (or the reverse)",
        )
    e.causes = readings
    e.fixes = [
        f"give the attention vectors of {want} features in the last dim ([L, N, {want}], or [N, L, {want}] with "
        "batch_first=True): project them, or build it with embed_dim equal to the features it gets"
    ]
    return e


# -- grid_sample ------------------------------------------------------------------------------


def _grid_sample(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    """grid_sample's checks of the grid against the input, read from how the two shapes relate: maps of one
    image rounded to sides one apart, an empty batch, a channels-last image, two coordinate sets in one grid."""
    e = _general(row, values, matched, text)
    low = row.text.lower()
    shapes = [ints(v) for v in values if v.lstrip().startswith(("[", "torch.Size", "("))]
    if "same batch size" in low and len(shapes) >= 2 and shapes[0] and shapes[1]:
        _grid_batch(e, shapes[0], shapes[1])
    elif "same number of dimensions" in low and len(shapes) >= 2:
        _grid_rank(e, shapes[0], shapes[1])
    elif "in last dimension" in low and shapes:
        want = next((n for v in values if not v.lstrip().startswith("[") for n in ints(v)), 0)
        _grid_coordinates(e, want, shapes[-1])
    elif "non-empty spatial" in low and shapes:
        _grid_input_empty(e, shapes[0])
    return e


def _grid_input_empty(e: Explanation, input_: list[int]) -> None:
    e.code = "SC100"
    e.title = f"grid_sample got an input with an empty spatial dim: {shape_text(input_)}"
    e.causes = [
        "a size computed as 0 before the sample (a crop, a resize or a volume built from settings that left "
        "nothing), or no data loaded for this input"
    ]
    e.fixes = ["print the input's shape where it is made; check the crop/resize settings and the data path"]


def _grid_batch(e: Explanation, input_: list[int], grid: list[int]) -> None:
    a, b = input_[0], grid[0]
    e.title = f"grid_sample's input has a batch of {a} and its grid a batch of {b}"
    e.numbers = [(shape_text(input_), "the input [N, C, H, W] (or [N, C, D, H, W])"), (shape_text(grid), "the grid")]
    e.causes = ["the grid was made for another batch than the input (one grid per sample is needed)"]
    e.fixes = ["make the grid from the same batch as the input, or `grid.expand(N, …)` one shared grid"]
    if 0 in (a, b):
        empty = "input" if a == 0 else "grid"
        e.causes = [
            f"the {empty} is an empty batch (0 samples): nothing was loaded or selected for it (a folder without the "
            "files the script expects, a filter or mask that kept nothing)"
        ]
        e.fixes = [f"check where the {empty} is loaded: the path, the file names the script looks for, the filter"]
        return
    if rounded := _sides_rounded(a, b, input_):
        p, q, r = rounded
        e.causes = [
            f"{a} = {p}·{q} and {b} = {r}·{q}: both batches count positions, the same {q} times a side that is "
            f"{p} in one and {r} in the other: two maps of one image whose sides were rounded differently (a side "
            "halved or strided that is not a multiple of the network's total stride, 8 for RAFT-style optical "
            "flow)"
        ]
        e.fixes = [
            "pad (or resize) the images so both sides are a multiple of the network's stride (RAFT's "
            "`InputPadder`), and crop the output back"
        ]
        return
    small, large = sorted((a, b))
    if small and large % small == 0 and large > small:
        k = large // small
        e.causes.insert(
            0,
            f"{large} = {k}·{small}: one holds {k} times the other's samples: frames, views or heads folded into the "
            "batch of one of them only",
        )


def _sides_rounded(a: int, b: int, input_: list[int]) -> tuple[int, int, int] | None:
    """Batches a = p·q and b = r·q with p and r sides one apart, p a side of the input's map: positions
    of two maps of one image (RAFT's correlation volume: N·H·W rows of [1, H, W])."""
    for p in sorted({d for d in input_[1:] if d > 1}, reverse=True):
        if a % p:
            continue
        q = a // p
        r = b // q if b % q == 0 else 0
        if abs(p - r) == 1 and min(p, r) >= 2:
            return p, q, r
    return None


def _grid_rank(e: Explanation, input_: list[int], grid: list[int]) -> None:
    e.code = "SC105"
    e.title = f"grid_sample got a {len(input_)}-D input and a {len(grid)}-D grid"
    e.numbers = [(shape_text(input_), "the input"), (shape_text(grid), "the grid")]
    e.causes = [
        "a 4-D input [N, C, H, W] takes a 4-D grid [N, H_out, W_out, 2]; a 5-D input [N, C, D, H, W] a 5-D grid "
        "[N, D_out, H_out, W_out, 3]: one of them has a dim more or less"
    ]
    e.fixes = ["bring the input to [N, C, H, W] and the grid to [N, H_out, W_out, 2]"]
    if len(input_) == len(grid) + 1 and input_ and input_[-1] in (3, 4) and len(input_) >= 5:
        e.causes.insert(
            0,
            f"the input ends with a dim of {input_[-1]}: an image with its colour channels last (a label or mask "
            "saved as RGB and loaded with 3 channels) on top of [N, C, H, W]",
        )
        e.fixes.insert(
            0,
            "load the mask single-channel (`Image.open(p).convert('L')`, or take one channel), or "
            "permute the channels to dim 1",
        )


def _grid_coordinates(e: Explanation, want: int, grid: list[int]) -> None:
    e.code = "SC105"
    last = grid[-1] if grid else 0
    e.title = f"grid_sample's grid has {last} values in its last dim where it needs {want} coordinates"
    e.numbers = [
        (str(want), "coordinates per point: (x, y) for a 4-D input, (x, y, z) for 5-D"),
        (shape_text(grid), "the grid"),
    ]
    e.causes = ["the grid's last dim must hold the sampling coordinates: a grid of another layout reached it"]
    e.fixes = [f"give the grid as [N, H_out, W_out, {want}]"]
    if want and last == 2 * want:
        e.causes.insert(
            0,
            f"{last} = 2·{want}: two sets of coordinates side by side (a warp or correspondence holding the points "
            "of both images): the sample needs only this image's half",
        )
        e.fixes.insert(0, f"take this image's coordinates: `grid[..., :{want}]` or `grid[..., {want}:]`")
    elif want and len(grid) >= 3 and grid[1] == want:
        e.causes.insert(0, f"the coordinates are in dim 1 ([N, {want}, H, W], a flow field), not last")
        e.fixes.insert(0, "`grid.permute(0, 2, 3, 1)` to [N, H, W, 2]")


# -- einops -----------------------------------------------------------------------------------

_EINOPS_PATTERN = re.compile(r"pattern\s*\"([^\"\n]{1,200})\"")
_EINOPS_SHAPE = re.compile(r"input tensor shape:\s*(?:torch\.Size\()?\s*[\[(]([\d,\s]{1,120})[\])]", re.IGNORECASE)
_EINOPS_INFO = re.compile(r"additional info:\s*\{([^{}]{0,300})\}", re.IGNORECASE)


def _einops_context(text: str) -> tuple[list[list[str]], list[int], dict[str, int]]:
    """The pattern's left-hand axes (each a group of names), the input's shape and the lengths given, as far as
    the paste shows them (einops prints them before the message)."""
    axes: list[list[str]] = []
    if m := _EINOPS_PATTERN.search(text):
        left = m.group(1).split("->")[0]
        axes = [g.split() for g in re.findall(r"\(([^()]*)\)|(\S+)", left) for g in [g[0] or g[1]] if g]
    shape = ints(m.group(1)) if (m := _EINOPS_SHAPE.search(text)) else []
    info = (
        {k: int(v) for k, v in re.findall(r"'(\w+)'\s*:\s*(\d+)", m.group(1))}
        if (m := _EINOPS_INFO.search(text))
        else {}
    )
    return axes, shape, info


def _einops(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    """einops's checks, read with the pattern, the input's shape and the given lengths the paste shows."""
    e = _general(row, values, matched, text)
    nums = [n for v in values for n in ints(v)[:1]]
    axes, shape, info = _einops_context(text[-4000:])
    low = row.text.lower()
    if "can't divide" in low and len(nums) >= 2:
        _einops_divide(e, nums[0], nums[1], axes, shape, info)
    elif "!=" in row.text and len(nums) >= 2:
        got, want = nums[0], nums[1]
        e.title = f"einops: an axis given the length {want} is {got} in the tensor"
        e.numbers = [(str(got), "the axis's length in the tensor"), (str(want), "the length the call gives it")]
        e.causes = [
            f"a length passed to rearrange/repeat (`h={want}`) or a group's product is {want}, the tensor has {got} "
            "there: the lengths were written for another configuration or input size"
        ]
        e.fixes = ["compute the lengths from the tensor (`h=x.shape[2]`), or leave one axis of each group unknown"]
    elif ("dims" in low or "dimensions" in low) and len(nums) >= 2:
        _einops_rank(e, nums[0], nums[1], shape, info)
    elif "one side" in low:
        e.code = "SC100"
        e.title = "einops: the pattern names an axis on one side only"
        e.causes = [
            "rearrange keeps every axis: a name only on the left (or only on the right) is a typo, or an axis that "
            "`reduce` (left only) or `repeat` (right only, with its length) should be called for"
        ]
        e.fixes = ["spell the axis the same on both sides, or call reduce/repeat"]
    return e


def _einops_rank(e: Explanation, want: int, got: int, shape: list[int], info: dict[str, int]) -> None:
    e.code = "SC105"
    e.title = f"einops: the pattern names {want} axes and the tensor has {got} dims"
    e.numbers = [(str(want), "axes on the pattern's left side"), (str(got), "dims of the tensor")]
    if got == want + 1:
        e.causes = [
            "the tensor has a dim more than the pattern: a batch (or frames, heads) dim added twice, or a "
            "leading dim of 1 (`unsqueeze(0)` on a batch, a video's frames)"
        ]
        e.fixes = ["`squeeze` the extra dim, or write the pattern with it (or `...` for leading dims)"]
        return
    if got + 1 != want:
        e.causes = ["the pattern was written for tensors of another rank than this one"]
        e.fixes = ["print the tensor's shape at the call; write the pattern for it, or use `...`"]
        return
    e.causes = [
        "the tensor has a dim less than the pattern: one sample without its batch dim, or a dim "
        "squeezed before the call"
    ]
    e.fixes = ["`x.unsqueeze(0)` for a single sample, or write the pattern for this rank (`...`)"]
    flat = next(((n, k, d) for n, k in info.items() for d in shape if k > 1 and d > k and d % k == 0), None)
    if flat:
        name, k, d = flat
        e.causes.insert(
            0,
            f"{d} = {k}·{d // k}: the axis `{name}`={k} the pattern keeps apart is flattened into the tensor's "
            f"{d}: the tensor arrives as [{name}·{d // k}] where [{name}, {d // k}] is expected (a library "
            "release that returns flat indices or tokens where an older one kept the batch apart)",
        )
        e.fixes.insert(0, f"`x.view({k}, -1)` before the call, or the library release the code was written for")


def _einops_divide(
    e: Explanation, length: int, chunk: int, axes: list[list[str]], shape: list[int], info: dict[str, int]
) -> None:
    e.code = "SC113"
    e.title = f"einops: an axis of length {length} is split into groups of {chunk}, and {chunk} does not divide it"
    e.numbers = [
        (str(length), "the axis's length in the tensor"),
        (str(chunk), "the product of the lengths given for its group"),
    ]
    where, group = _einops_group(length, axes, shape, info)
    q, r = divmod(length, chunk)
    down, up = q * chunk, (q + 1) * chunk
    spatial = any(re.fullmatch(r"p\w?|p[hwt]\d?|patch\w*|[hw]p|p\d", n) for n in group)
    reading, fix = _einops_group_reading(where, length, chunk, group, shape, info, spatial)
    e.causes = reading + [
        f"{length} = {q}·{chunk} + {r}: the input's size on this axis is not a multiple of {chunk}: an image, latent "
        "or sequence of another size than the model's stride or patch size allows"
    ]
    e.fixes = fix + [
        f"resize, crop or pad the input so this axis is a multiple of {chunk} ("
        + (f"{down} or {up} here" if down else f"{up} here")
        + (", image sides a multiple of 16)" if chunk == 2 and (not group or spatial) else ")")
    ]


def _einops_group(length: int, axes: list[list[str]], shape: list[int], info: dict[str, int]) -> tuple[str, list[str]]:
    """The pattern's group of axes folded into the tensor's axis of `length`, and the words naming it
    ("axis 1 of [8, 30] is `(b t)` with t=4: "), when the paste shows the pattern and the input's shape."""
    if not (shape and axes and len(shape) == len(axes) and length in shape):
        return "", []
    i = shape.index(length)
    group = axes[i]
    given = [f"{n}={info[n]}" for n in group if n in info]
    where = f"axis {i} of {shape_text(shape)} is `({' '.join(group)})`"
    return where + (f" with {', '.join(given)}" if given else "") + ": ", group


def _einops_group_reading(
    where: str, length: int, chunk: int, group: list[str], shape: list[int], info: dict[str, int], spatial: bool
) -> tuple[list[str], list[str]]:
    """What the group's names tell of an axis that is not whole groups of `chunk` (a reading and a fix,
    or none): too short for one group, a batch with frames folded in, 2×2 patches, grouped channels."""
    if length < chunk:
        return [
            f"{where}{length} < {chunk}: the axis holds less than one group of {chunk}: what is folded into it is "
            f"missing: a single image or sample where {chunk} (frames, views or heads) are expected folded into the "
            "batch, or a module meant for video given images"
        ], [
            f"pass whole groups of {chunk} (a clip of {chunk} frames per sample, a batch of {chunk}·b), or turn off "
            "the module that folds them (a motion module, a multi-view block) for single images; an extension "
            "written for another release of its host may do this"
        ]
    if len(group) >= 2 and group[0] in ("b", "batch", "bs", "n") and any(n in info for n in group[1:]):
        return [
            f"{where}the axis is the batch times {chunk} ({', '.join(group[1:])}) folded together, and {length} is "
            f"not a multiple of {chunk}: a batch that is not whole numbers of {chunk} (frames, views) per sample"
        ], [f"make the batch a whole number of groups: {chunk} frames (or views) per sample"]
    if chunk == 2 and length % 2 and (spatial or not group):
        return [
            f"{where}{length} is odd and 2-wide groups need an even length: "
            + ("" if spatial else "most often ")
            + "a latent side under 2×2 patches (DiT, Flux, SD3) from an image whose side is not a multiple of 16 "
            f"(the VAE's 8× times the patch 2): {length} latents come from about {length * 8} pixels"
            + ("" if spatial else "; or a sequence of odd length halved")
        ], []
    if len(group) >= 2 and len(shape) == 4 and shape.index(length) == 1:
        return [
            f"{where}the channels ({length}) are split into groups of {chunk}: a tensor with another channel count "
            "(an RGB image's 3, a grayscale 1) reached a layer built for grouped features"
        ], [
            f"give that layer a channel count divisible by {chunk} (a conv to more channels before it), or build it "
            "for this input's channels; a model whose configuration differs by image size may set this"
        ]
    return [], []


# -- pixel (un)shuffle, groups ----------------------------------------------------------------


def _groups(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    """pixel_unshuffle's height and width checks are about the image's sides, not its channels."""
    e = _general(row, values, matched, text)
    low = row.text.lower()
    side = "height" if "height" in low else "width" if "width" in low else ""
    nums = [n for v in values for n in ints(v)[:1]]
    if not side or len(nums) < 2 or nums[1] <= 0:
        return e
    size, factor = nums[0], nums[1]
    q = size // factor
    e.title = f"pixel_unshuffle: the {side} {size} is not a multiple of the downscale factor {factor}"
    e.numbers = [(str(size), f"the input's {side}"), (str(factor), "downscale_factor")]
    e.causes = [
        f"pixel_unshuffle folds {factor}×{factor} blocks of pixels into channels, so the {side} must be a multiple "
        f"of {factor}: {size} = {q}·{factor} + {size - q * factor}: an image (or map) of another size than the "
        f"model was run at (T2I adapters and ESRGAN ×2/×1 models unshuffle the image itself)"
    ]
    e.fixes = [
        f"resize, crop or pad the image to a multiple of {factor} ({q * factor} or {(q + 1) * factor}), and crop the "
        "output back"
    ]
    return e


def _conv_rank(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    """The old cuDNN wording of a convolution given an input of another rank than its weight."""
    e = _general(row, values, matched, text)
    nums = [n for v in values for n in ints(v)[:1]]
    if "for 'result'" not in row.text or len(nums) < 2:
        return e
    want, got = nums[0], nums[1]
    e.title = f"a convolution with a {want}-D weight got a {got}-D input"
    e.numbers = [(str(want), "dims of the conv's weight (and of the input it takes)"), (str(got), "dims of the input")]
    if got == want - 1:
        e.causes = [
            "the input lacks a dim: one sample without its batch dim ([C, H, W] for Conv2d, an image read on its "
            "own at inference), or a grayscale image without its channel dim ([N, H, W])"
        ]
        e.fixes = ["`x.unsqueeze(0)` for a single sample (`x.unsqueeze(1)` for the missing channel dim)"]
    elif got == want + 1:
        e.causes = ["the input has a dim too many: a batch of one added twice, frames or crops kept as a dim"]
        e.fixes = ["`squeeze` the extra dim of 1, or fold frames/crops into the batch (`x.flatten(0, 1)`)"]
    return e


def _boxes(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    """Boxes of another shape than [N, 4]: an image without boxes made 1-D, one box without its N, a class
    column kept with the coordinates."""
    e = _general(row, values, matched, text)
    got = ints(values[-1]) if values else []
    if not got and not any("[" in v for v in values):
        return e
    e.title = f"boxes of shape {shape_text(got)} where [N, 4] is needed"
    if got == [0] or (len(got) == 1 and got[0] == 0):
        e.causes = [
            "an image without any box: its boxes were made from an empty list (`torch.tensor([])` is [0], not "
            "[0, 4]), so the empty target has one dim"
        ]
        e.fixes = ["make empty boxes `torch.zeros((0, 4), dtype=torch.float32)` (or `.reshape(-1, 4)`)"]
    elif got == [4]:
        e.causes = ["one box without its N dim ([4] where [1, 4] is needed)"]
        e.fixes = ["`boxes.reshape(-1, 4)` (or `boxes.unsqueeze(0)`)"]
    elif len(got) == 2 and got[1] in (5, 6):
        e.causes = [f"the boxes carry {got[1] - 4} column(s) more than the 4 coordinates (a class id or a score)"]
        e.fixes = ["pass the coordinates `boxes[:, :4]` and the labels apart (`labels=boxes[:, 4].long()`)"]
    return e


def _parallel_gather(row: Row, values: list[str], matched: str, text: str) -> Explanation:
    """nn.DataParallel joins its replicas' outputs along dim 0: every other dim must agree between GPUs."""
    shapes = [ints(v) for v in values if v.lstrip().startswith(("[", "torch.Size"))]
    got, want = (shapes[0], shapes[1]) if len(shapes) >= 2 else ([], [])
    differ = [i for i, (g, w) in enumerate(zip(got, want, strict=False)) if g != w and i != 0]
    where = f" in dim {differ[0]} ({got[differ[0]]} against {want[differ[0]]})" if differ else ""
    e = Explanation(
        "SC109",
        "nn.DataParallel could not gather its GPUs' outputs: they differ" + (where or " outside the batch dim"),
        f"{row.where} (nn.DataParallel / torch.nn.parallel.gather: the replicas' outputs joined along dim 0)",
        [(shape_text(got), "one GPU's output"), (shape_text(want), "the shape the first GPU's output sets")]
        if got
        else [],
        [
            "each GPU runs the model on its slice of the batch and the outputs are concatenated along dim 0, so "
            "every other dim must be the same on all GPUs: an output whose size depends on its slice's data (padded "
            "to the longest sequence of the slice, a variable number of boxes or tokens, a cache of its own length) "
            "differs between GPUs",
            "or an output whose dim 0 is not the batch (attention weights [heads, …], a stacked cache [layers, …] "
            "returned by transformers models): DataParallel splits and joins along dim 0 only",
        ],
        [
            "pad to one fixed length in the dataset or collate_fn (`padding='max_length'`), or return only the loss "
            "from forward (and `.mean()` it); DistributedDataParallel or one GPU avoids the gather",
        ],
    )
    return e


READERS: dict[str, Callable[[Row, list[str], str, str], Explanation]] = {
    "attention": _attention,
    "state-dict-keys": _state_dict_keys,
    "pool-padding": _pool_padding,
    "ragged": _ragged,
    "negative-size": _negative,
    "view": _view,
    "loss-target": _loss_target,
    "bmm": _bmm,
    "mm-rank": _mm_rank,
    "conv-transposed": _transposed,
    "output-padding": _output_padding,
    "instance-norm": _instance_norm,
    "norm-single": _norm_single,
    "target-range": _target_range,
    "index-range": _index_range,
    "gather-size": _gather_size,
    "ctc": _ctc,
    "mask-index": _mask_index,
    "split": _split,
    "cat": _cat,
    "broadcast": _broadcast,
    "too-small": _too_small,
    "pad-rank": _pad_rank,
    "einsum": _einsum,
    "export": _export,
    "attention-mask": _attention_mask,
    "rnn-hidden": _rnn_hidden,
    "norm-rank": _norm_rank,
    "grid-sample": _grid_sample,
    "einops": _einops,
    "groups": _groups,
    "parallel-gather": _parallel_gather,
    "conv-rank": _conv_rank,
    "normalize": _boxes,
}
