"""SC120 softmax-dim.

What it does: finds a softmax (`F.softmax`, `Tensor.softmax`, `log_softmax`, `nn.Softmax`,
`nn.LogSoftmax`) taken over a dim that cannot be the one meant: the batch dim (its size
follows the batch, measured by tracing at two batch sizes), or a dim of size 1 that no input
size changes. Scores of every sample against every other (`q @ p.T`, `[B, B]`: two dims follow
the batch) are normalised over the other samples by design (in-batch negatives): not flagged;
nor weights over the samples that then average them (attention pooling over a batch that is one
set), nor one score per sample (`[B]`, `[B, 1]`: a ranked list, where the batch is the only dim
to normalise over). An Lp normalisation over the batch dim (`F.normalize(z, dim=0)` of
embeddings `[B, D]`) is read the same way. Scores filled through a mask (`masked_fill`) right
before the softmax, with the mask of size 1 in the softmax's dim and of that dim's size, read
from the input, in the dim before (a padding mask `[B, 1, T, 1]` over `[B, H, T, T]`: query rows,
not keys), are flagged too: the mask then picks nothing among what the softmax weighs. So are
a softmax without a dim that PyTorch puts on the batch (`nn.Softmax()` of [B, T, C]: dim 0),
weights summed next over another dim than theirs, both following the input's sizes
(`softmax(q @ k.T, dim=-2) @ v`; weights over a fixed set, clusters or slots, summed over the
positions are a soft assignment, not flagged), log-probabilities whose dim is not the class dim
`nll_loss` reads (`log_softmax(x, dim=1)` of [B, T, V] reshaped to [B·T, V]), and a LayerNorm
over the positions of a conv's channels-first map (`nn.LayerNorm(T)` on a Conv1d's [B, C, T]).

Why is this bad? Nothing fails. Over the batch, each class score is divided by the same
class's scores in the other samples: predictions depend on what else is in the batch, and
change with the batch size. Over a dim of size 1, every output is exactly 1 (0 for
log_softmax): the loss has no gradient through it.

Example:
    probs = F.softmax(logits, dim=0)     # logits is [batch, classes]

Use instead:
    probs = F.softmax(logits, dim=1)     # over the classes of each sample

Fix safety: safe: no parameter changes. Offered and verified (traced again) only when one
other dim is left to normalise over, or the dim the weights are summed over or the loss reads
as classes is known. A LayerNorm's fix is unsafe (its weights change size) and not checked.
"""

from __future__ import annotations

from ...trace.records import LayerRecord
from ..context import Context, op_site
from ..findings import SAFE, UNSAFE, WARNING, Finding, Fix
from ..numbers import parsed_line, set_argument, shape
from ..provenance import BATCH, provenance
from ..registry import rule
from ..requests import Edit, Rerun
from .common import ref
from .operands import operand_receiver, rewrite_operands

_OPS = ("torch.softmax", "Tensor.softmax", "F.softmax", "torch.log_softmax", "Tensor.log_softmax", "F.log_softmax")
# An L2 (or Lp) normalisation: `F.normalize(x, p=2.0, dim=1)`, its dim third and 1 by default.
_NORMALIZE = ("F.normalize", "torch.nn.functional.normalize")
_MODULES = ("Softmax", "LogSoftmax", "Softmin")


def softmax_dim(row: LayerRecord) -> int | None:
    """The dim a softmax row normalises over, counted from 0; None when not given (PyTorch then
    picks one and warns) or not readable."""
    if not row.inputs:
        return None
    if row.kind == "module":
        dim = row.attrs.get("dim") if row.type in _MODULES else None
    elif row.type in _OPS:
        dim = row.attrs.get("dim")
        args = row.attrs.get("args", [])
        if dim is None and len(args) > 1 and isinstance(args[1], int) and not isinstance(args[1], bool):
            dim = args[1]
    elif row.type in _NORMALIZE:
        args = row.attrs.get("args", [])
        dim = row.attrs.get("dim", args[2] if len(args) > 2 else 1)
    else:
        return None
    rank = row.inputs[0].rank
    if not isinstance(dim, int) or isinstance(dim, bool) or not -rank <= dim < rank or rank == 0:
        return None
    return dim % rank


def implicit_dim(row: LayerRecord) -> int | None:
    """The dim PyTorch picks for a softmax called without one (`nn.Softmax()`, `F.softmax(x)`),
    with a deprecation warning: dim 0 for a tensor of rank 0, 1 or 3, else dim 1. A 3-D [B, T, C]
    is then normalised over the batch."""
    if not row.inputs or row.failed:
        return None
    if row.kind == "module":
        given = row.type in _MODULES and row.attrs.get("dim") is None  # None is not recorded
    else:
        args = row.attrs.get("args", [])
        given = row.type in ("F.softmax", "F.log_softmax") and len(args) < 2 and row.attrs.get("dim") is None
    if not given:
        return None
    return 0 if row.inputs[0].rank in (0, 1, 3) else 1


@rule("SC120", WARNING)
def check(ctx: Context) -> list[Finding]:
    findings = []
    rows: list[tuple[LayerRecord, int]] = []
    implicit: set[int] = set()
    for row in ctx.trace.layers:
        dim = softmax_dim(row)
        if dim is None and implicit_dim(row) is not None:
            dim = implicit_dim(row)
            implicit.add(row.index)
        if dim is not None and not row.failed:
            rows.append((row, dim))
    prov = provenance(ctx) if rows else None
    for row, dim in rows:
        follows = prov.dims(row, "inputs") if prov is not None else None
        finding = _over_batch(ctx, row, dim, follows)
        if finding is None and row.type not in _NORMALIZE:
            finding = _not_where_summed(ctx, row, dim, follows) or _not_the_classes(ctx, row, dim)
        if finding is None and row.type not in _NORMALIZE:  # over one value: a softmax's 1, a norm's sign
            finding = _over_one(ctx, row, dim, follows) or _mask_along(ctx, row, dim)
        if finding is None and row.type not in _NORMALIZE:
            finding = _over_one_side(ctx, row, dim, follows)
        if finding is not None:
            if row.index in implicit:
                finding.why.insert(0, f"no dim is given: PyTorch picks dim {dim} for a {row.inputs[0].rank}-D input")
            findings.append(finding)
    findings += _layer_norms_over_positions(ctx)
    return findings


_CONVS: tuple[str, ...] = ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
_CONVS += ("LazyConv1d", "LazyConv2d", "LazyConv3d")
_IN_PLACE_MODULES: tuple[str, ...] = (
    "ReLU",
    "GELU",
    "SiLU",
    "LeakyReLU",
    "ELU",
    "Tanh",
    "Sigmoid",
    "Hardswish",
    "Mish",
)
_IN_PLACE_MODULES += ("Dropout", "Dropout1d", "Dropout2d", "Identity")


def _layer_norms_over_positions(ctx: Context) -> list[Finding]:
    """A LayerNorm over the last dim of a conv's channels-first map: `nn.LayerNorm(T)` on a
    Conv1d's [B, C, T] normalises each channel over the time steps (and its weights are one per
    step), where a LayerNorm after a conv is meant over the C channels of each position. Only
    where the last dim follows an input's size and dim 1, the channels, does not (provenance):
    the sizes fit only because the layer was built for this input's length."""
    rows = [r for r in ctx.trace.layers if r.kind == "module" and r.type == "LayerNorm" and r.inputs and r.outputs]
    rows = [r for r in rows if len(r.attrs.get("normalized_shape") or ()) == 1 and r.inputs[0].rank >= 3]
    made = [(r, _conv_before(ctx, r.inputs[0])) for r in rows]
    made = [(r, m) for r, m in made if m is not None]
    prov = provenance(ctx) if made else None
    findings: list[Finding] = []
    for row, conv in made:
        follows = prov.dims(row, "inputs", failed=True) if prov is not None else None
        t = row.inputs[0]
        if follows is None or len(follows) != t.rank:
            continue
        last, channels = follows[-1], follows[1]
        if not last or BATCH in last or channels or t.shape[1] == t.shape[-1]:
            continue
        why = [
            f"{ref(conv)} makes {shape(t.shape)} channels-first: {t.shape[1]} channels in dim 1, and the last "
            f"dim ({t.shape[-1]}) follows the input's size ({' × '.join(sorted(last))})",
            f"`nn.LayerNorm({t.shape[-1]})` normalises over the last dim: each channel over its {t.shape[-1]} "
            f"positions, with one weight per position, so the model only takes inputs of this size",
        ]
        fix = Fix(
            description=f"normalise the {t.shape[1]} channels of each position: move them last around the norm, "
            f"built as `nn.LayerNorm({t.shape[1]})`",
            code=f"self.{row.name.rsplit('.', 1)[-1]}(x.transpose(1, -1)).transpose(1, -1)",
            safety=UNSAFE,
            check_note="not checked: the norm's weights change size",
        )
        findings.append(
            ctx.finding(
                layer=row.name,
                message=f"{ref(row)} normalises the positions of {ref(conv)}'s channels-first map, not its "
                f"{t.shape[1]} channels",
                location=row.location,
                row=row.index,
                why=why,
                fixes=[fix],
            )
        )
    return findings


def _conv_before(ctx: Context, t) -> LayerRecord | None:
    """The conv that made `t`, through activations and ops that keep each value in place."""
    made = ctx.trace.row(t.source) if t.source is not None else None
    for _ in range(4):
        if made is None:
            return None
        if made.kind == "module" and made.type in _CONVS:
            return made
        passes = made.type in _IN_PLACE_MODULES if made.kind == "module" else made.attrs.get("category") in _KEEP_PLACE
        same = [x for x in made.inputs if x.shape == t.shape]
        if not passes or len(same) != 1 or same[0].source is None:
            return None
        made = ctx.trace.row(same[0].source)
    return None


def _over_batch(ctx: Context, row: LayerRecord, dim: int, follows) -> Finding | None:
    if follows is None or follows[dim] != {BATCH}:
        return None
    if any(follows[d] == {BATCH} for d in range(len(follows)) if d != dim):
        return None  # [B, B] scores of every sample against every other (in-batch negatives): over the others by design
    if pooled_over(ctx, row, dim) is not None:
        return None  # weights over the samples that then average the samples: the batch is one set (a bag of tiles)
    if _alternates(ctx, row, dim):
        return None  # Sinkhorn-Knopp: over the samples, then over the other dim, in turn
    shape_ = row.inputs[0].shape
    if all(shape_[d] == 1 and not follows[d] for d in range(len(shape_)) if d != dim):
        return None  # one score per sample ([B], [B, 1]): over the batch is the only softmax there is (a ranked list)
    size = row.inputs[0].shape[dim]
    why = [
        f"dim {dim} of {shape(row.inputs[0].shape)} follows the batch size ({size} here; "
        "it changes when the batch does)",
        "so each value is divided by the values at the same position in the other samples: the "
        "result depends on what else is in the batch",
    ]
    return _finding(ctx, row, dim, follows, f"{ref(row)} normalises over the batch dim (dim {dim})", why)


def _not_where_summed(ctx: Context, row: LayerRecord, dim: int, follows) -> Finding | None:
    """Softmax weights summed next over another dim than the one they were normalised over, both
    dims following the input's sizes (provenance): attention `softmax(q @ k.T, dim=-2)` then
    `@ v` normalises over the queries and averages over the keys, so no row of weights adds up to
    1. Weights over a dim of fixed size (clusters, slots, experts: a soft assignment, NetVLAD)
    summed over the positions are what the code asks for, and are not flagged."""
    if follows is None or "log" in row.type.lower():
        return None
    summed = _summed_over(ctx, row)
    if summed is None:
        return None
    target, consumer = summed
    if consumer.type not in (*_MATMUL, "torch.einsum"):
        return None  # a plain sum first is a renormalisation (PCT's offset attention), not the weighted average
    t = row.inputs[0]
    if target == dim or not 0 <= target < t.rank or t.shape[dim] == 1 or t.shape[target] == 1:
        return None
    if not follows[dim] or not follows[target] or BATCH in follows[dim] | follows[target]:
        return None  # a fixed-size set (clusters, slots) normalised over, or the batch
    why = [
        f"dim {dim} and dim {target} of {shape(t.shape)} both follow the input's sizes "
        f"({' × '.join(sorted(follows[dim]))} and {' × '.join(sorted(follows[target]))})",
        f"the weights add up to 1 over dim {dim}, but {ref(consumer)} sums them over dim {target}: each "
        f"weighted average uses weights that do not add up to 1, and they are compared across dim {dim} instead",
    ]
    fixes = [_fix(row, target, follows, f"normalise over dim {target}, the dim the weights are summed over")]
    return ctx.finding(
        layer=row.name,
        message=f"{ref(row)} normalises over dim {dim}, but {ref(consumer)} sums the weights over dim {target}",
        location=row.called_at or row.location,
        row=row.index,
        why=why,
        fixes=fixes,
    )


_CLASS_LOSSES = ("F.nll_loss",)
_RESHAPES = ("Tensor.view", "Tensor.reshape", "torch.reshape", "Tensor.contiguous")


def _not_the_classes(ctx: Context, row: LayerRecord, dim: int) -> Finding | None:
    """Log-probabilities read by `nll_loss` whose class dim (dim 1 of its input) is not the dim
    the log_softmax normalised over: `log_softmax(logits, dim=1)` of [B, T, V], reshaped to
    [B·T, V] for the loss, is normalised over the time steps while the loss reads the V values of
    each row as class log-probabilities. Followed through views, reshapes and transposes."""
    if not row.outputs or "log" not in row.type.lower() or row.type.startswith("F.normalize"):
        return None
    at: int | None = dim
    current = row
    for _ in range(4):
        found = _consumer(ctx, current.index)
        if found is None or at is None:
            return None
        later, position = found
        if later.type in _CLASS_LOSSES and position == 0:
            break
        if position != 0 or not later.outputs:
            return None
        moved = _dims_moved_by(later)
        if moved is not None:
            at = moved[at]
        elif later.type in _RESHAPES:
            at = _dim_after_reshape(later.inputs[0].shape, later.outputs[0].shape, at)
        else:
            return None
        current = later
    else:
        return None
    t = later.inputs[0]
    if t.rank < 2 or t.shape[1] == 1 or at == 1:
        return None
    where = f"dim {at} of {shape(t.shape)}" if at is not None else f"a dim merged with others in {shape(t.shape)}"
    why = [
        f"{ref(later)} reads dim 1 of {shape(t.shape)} as the {t.shape[1]} classes of each row",
        f"{ref(row)} normalised dim {dim} of {shape(row.inputs[0].shape)}, which reaches the loss as {where}: "
        "the values the loss reads as log-probabilities are not normalised over the classes",
    ]
    fixes = []
    last = row.inputs[0].rank - 1
    if t.rank == 2 and last != dim and row.inputs[0].shape[last] == t.shape[1]:
        # [.., V] flattened to [N, V]: the classes are the last dim
        fixes.append(_fix(row, last, None, f"normalise over dim {last}, the dim the loss reads as the classes"))
    return ctx.finding(
        layer=row.name,
        message=f"{ref(row)} normalises over dim {dim}, which is not the class dim {ref(later)} reads",
        location=row.called_at or row.location,
        row=row.index,
        why=why,
        fixes=fixes,
    )


def _dim_after_reshape(before: tuple[int, ...], after: tuple[int, ...], dim: int) -> int | None:
    """Where dim `dim` of `before` sits whole in `after` (a reshape that keeps it, with the same
    elements after it); None when the reshape merges or splits it."""
    tail = 1
    for size in before[dim + 1 :]:
        tail *= size
    rest = 1
    for j in range(len(after) - 1, -1, -1):
        if rest == tail and after[j] == before[dim]:
            return j
        rest *= after[j]
    return None


def _over_one(ctx: Context, row: LayerRecord, dim: int, follows) -> Finding | None:
    size = row.inputs[0].shape[dim]
    if size != 1:
        return None
    if follows is None:
        if dim == 0 and ctx.trace.batch == 1:  # may be the batch dim at batch 1: not known
            return None
    elif follows[dim]:
        return None  # a size that changes with some input: 1 only at this input
    log = "log" in row.type.lower()
    value = "0" if log else "1"
    why = [
        f"dim {dim} of {shape(row.inputs[0].shape)} has size 1 at every input size",
        f"a softmax over one value is {value} everywhere: the output carries no information "
        "and no gradient flows through it",
    ]
    return _finding(ctx, row, dim, follows, f"{ref(row)} normalises over a dim of size 1 (dim {dim})", why)


_CONV_MAPS = ("Conv2d", "ConvTranspose2d", "LazyConv2d")
# Ops between a conv and the softmax that keep each value where it is.
_KEEP_PLACE = ("elementwise", "activation")


def _over_one_side(ctx: Context, row: LayerRecord, dim: int, follows) -> Finding | None:
    """A softmax over one side of a conv's feature map: `F.softmax(a, dim=-1)` of a [B, C, H, W]
    map made by a Conv2d normalises each row of pixels across the width, so every row of the
    image gets its own distribution and a pixel's value depends on the pixels beside it. Neither
    reading of such a map wants that: per-pixel class scores are normalised over the channels
    (dim 1), a spatial distribution (a heatmap, a soft-argmax) over all positions (H × W
    flattened). Only a 4-D map that a Conv2d made (through ops that keep each value in place),
    whose two spatial dims both follow the input's sizes (measured: provenance), and a dim that is
    one of them."""
    t = row.inputs[0]
    if t.rank != 4 or dim not in (2, 3) or follows is None or len(follows) != 4:
        return None
    if not follows[2] or not follows[3] or BATCH in follows[2] | follows[3] | follows[1]:
        return None  # a spatial dim of fixed size, or one that follows the batch: not an image's sides
    made = ctx.trace.row(t.source) if t.source is not None else None
    for _ in range(3):
        if made is None or made.kind == "module" or made.attrs.get("category") not in _KEEP_PLACE:
            break
        tensors = [x for x in made.inputs if x.rank == 4]
        made = ctx.trace.row(tensors[0].source) if len(tensors) == 1 and tensors[0].source is not None else None
    if made is None or made.kind != "module" or made.type not in _CONV_MAPS:
        return None
    channels = t.shape[1]
    side = "width" if dim == 3 else "height"
    why = [
        f"{ref(made)} makes the map {shape(t.shape)}: {channels} channels at each of {t.shape[2]} × {t.shape[3]} "
        "positions (both sides follow the input's size)",
        f"over dim {dim} alone, each {'row' if dim == 3 else 'column'} of positions is normalised on its own: "
        f"the values of one position depend on the others across the {side}, and the rows do not add up together",
        f"per-position class scores are normalised over the {channels} channels (dim 1); a distribution over "
        "the image is normalised over all positions (H × W flattened)",
    ]
    fixes = [_fix(row, 1, follows, f"normalise over the {channels} channels (dim 1): one distribution per position")]
    fixes.append(
        Fix(
            description="or, for one distribution over all positions (a heatmap), normalise over H × W flattened",
            code="F.softmax(x.flatten(2), dim=-1).view_as(x)",
            safety=SAFE,
            check_note="not checked: shapecheck does not apply this change of code",
        )
    )
    return ctx.finding(
        layer=row.name,
        message=f"{ref(row)} normalises the {side} of {ref(made)}'s map alone (dim {dim} of {shape(t.shape)})",
        location=row.called_at or row.location,
        row=row.index,
        why=why,
        fixes=fixes,
    )


_MASKS = ("Tensor.masked_fill", "torch.masked_fill")


def _mask_along(ctx: Context, row: LayerRecord, dim: int) -> Finding | None:
    """Scores filled through a mask and softmaxed, where the mask has size 1 in the softmax's
    dim and, just before it, a dim of that size, and is made from the input (or that dim follows
    an input, by provenance): a padding mask `[B, 1, T, 1]` over `[B, H, T, T]` scores marks
    query rows, not keys, so each row is filled whole or not at all, and the softmax over the
    keys is untouched or undefined."""
    made = ctx.trace.row(row.inputs[0].source) if row.inputs[0].source is not None else None
    if made is None or made.type not in _MASKS or len(made.inputs) < 2 or made.called_at is None:
        return None
    scores, mask = made.inputs[0], made.inputs[1]
    at = dim - (scores.rank - mask.rank)  # the softmax's dim in the mask
    size = scores.shape[dim]
    if at < 1 or mask.shape[at] != 1 or size == 1 or mask.shape[at - 1] != size:
        return None
    prov = provenance(ctx)
    follows = prov.dims(made, "inputs", 1) if prov is not None else None
    if not mask.from_input and not (follows and follows[at - 1]):
        return None  # a mask of fixed sizes, made by the model: not one read from the data
    source = made.called_at.source
    order = (at - 1, at)
    written = rewrite_operands(
        parsed_line(source),
        made,
        1,
        lambda text, _o: "{0}.transpose({2}, {3}){1}".format(*operand_receiver(text), *order),
    )
    edit = Edit("arg_method", op_site(made), params=(("index", 1), ("method", "transpose"), ("args", order)))
    fix = Fix(
        description=f"put the mask's varying dim in dim {at}, the one the softmax normalises over: "
        f"{shape(mask.shape)} → {shape((*mask.shape[: at - 1], 1, size, *mask.shape[at + 1 :]))}",
        code=written or f"mask.transpose({order[0]}, {order[1]})",
        safety=SAFE,
        location=made.called_at if written else None,
        before=source if written else None,
        after=written,
        rerun=Rerun(edits=(edit,)),
    )
    why = [
        f"{ref(made)} fills {shape(scores.shape)} through the mask {shape(mask.shape)}: its dim {at - 1} "
        f"({size}) follows the input, its dim {at} is 1",
        f"{ref(row)} normalises over dim {dim}, along which the mask is the same everywhere: each row is "
        "filled whole or not at all, so the mask picks no positions among those the softmax weighs "
        "(a row filled whole with -inf is NaN)",
    ]
    return ctx.finding(
        layer=row.name,
        message=f"{ref(row)} normalises over dim {dim}, along which the mask of {ref(made)} does not vary",
        location=row.called_at or row.location,
        row=row.index,
        why=why,
        fixes=[fix],
    )


def _finding(ctx: Context, row: LayerRecord, dim: int, follows, message: str, why: list[str]) -> Finding:
    fixes = []
    summed = _summed_over(ctx, row)
    if summed is not None and _normalisable(row, summed[0], dim, follows):
        target, consumer = summed
        why.append(
            f"the weights are summed over their dim {target} next ({ref(consumer)}): a weighted average over "
            f"dim {target}, which is the dim they should add up to 1 over"
        )
        fixes.append(_fix(row, target, follows, f"normalise over dim {target}, the dim the weights are summed over"))
    other = _other_dim(row, dim, follows)
    if other is not None and not fixes:
        fixes.append(_fix(row, other, follows))
    return ctx.finding(
        layer=row.name,
        message=message,
        location=row.location,
        row=row.index,
        why=why,
        fixes=fixes,
    )


def _other_dim(row: LayerRecord, dim: int, follows) -> int | None:
    """The one dim left to normalise over: not the batch, not of size 1."""
    shape_ = row.inputs[0].shape
    left = [
        d
        for d, size in enumerate(shape_)
        if d != dim and size != 1 and (follows is None or BATCH not in follows[d]) and not (follows is None and d == 0)
    ]
    return left[0] if len(left) == 1 else None


_MATMUL = ("torch.matmul", "Tensor.matmul", "Tensor.__matmul__", "torch.bmm", "Tensor.bmm", "torch.mm", "Tensor.mm")
_MUL = ("torch.mul", "Tensor.mul", "Tensor.__mul__", "Tensor.__rmul__")
_SUM = ("torch.sum", "Tensor.sum")
_PASS = ("Dropout", "Dropout1d", "Dropout2d", "Identity")


def _consumer(ctx: Context, index: int) -> tuple[LayerRecord, int] | None:
    """The first row that reads row `index`'s output, and at which of its tensor inputs;
    through a dropout, which keeps the dims."""
    for later in ctx.trace.layers[index + 1 :]:
        where = [i for i, t in enumerate(later.inputs) if t.source == index]
        if not where:
            continue
        if later.kind == "module" and later.type in _PASS:
            return _consumer(ctx, later.index)
        return later, where[0]
    return None


def _alternates(ctx: Context, row: LayerRecord, dim: int) -> bool:
    """The result is normalised again next, over another dim (`F.normalize(q, p=1, dim=0)` then
    `dim=1`, in a loop): Sinkhorn-Knopp balancing codes over the samples and the prototypes."""
    found = _consumer(ctx, row.index)
    if found is None:
        return False
    other = softmax_dim(found[0])
    return other is not None and other != dim


def pooled_over(ctx: Context, row: LayerRecord, dim: int) -> LayerRecord | None:
    """The row that sums the softmax's output over the same dim it was normalised over: attention
    pooling over that dim (`softmax(a, dim=1)` then `torch.mm(a, h)`, `(w[:, None] * h).sum(0)`)."""
    summed = _summed_over(ctx, row)
    return summed[1] if summed is not None and summed[0] == dim else None


def _summed_over(ctx: Context, row: LayerRecord, depth: int = 0) -> tuple[int, LayerRecord] | None:
    """The dim of the softmax's output that its next use sums over — the contracted letter of an
    einsum, the inner dim of a matmul, the dim of a `sum` after a product — with the row that
    sums: softmax weights are meant to add up to 1 over the dim they average. Through a view
    that only adds dims of size 1 (`w[:, None]`, `w.unsqueeze(-1)`)."""
    if not row.outputs:
        return None
    rank = row.outputs[0].rank
    found = _consumer(ctx, row.index)
    if found is None:
        return _through_property_transpose(ctx, row)
    later, position = found
    places = _unit_dims_added(row, later)
    if places is None:
        places = _dims_moved_by(later)
    if places is not None and depth < 2:
        summed = _summed_over(ctx, later, depth + 1)
        if summed is None or summed[0] not in places:
            return None
        return places.index(summed[0]), summed[1]
    if later.type == "torch.einsum":
        return _einsum_contracted(later, position, rank)
    if later.type in _MATMUL and rank >= 2:
        return (rank - 1 if position == 0 else rank - 2), later
    if later.type in _SUM:  # a product of the same shape is no row of its own: `(w * v).sum(0)`
        return _summed_dim(later, rank, rank)
    if later.type in _MUL and later.outputs:
        after = _consumer(ctx, later.index)
        if after is None or after[0].type not in _SUM:
            return None
        return _summed_dim(after[0], later.outputs[0].rank, rank)
    return None


_UNSQUEEZE = (
    "Tensor.__getitem__",
    "Tensor.unsqueeze",
    "torch.unsqueeze",
    "Tensor.view",
    "Tensor.reshape",
    "torch.reshape",
)


def _unit_dims_added(row: LayerRecord, later: LayerRecord) -> list[int] | None:
    """Where each dim of `row`'s output sits in `later`'s, when `later` only inserts dims of size 1
    into it (`w[:, None]`: [B] → [B, 1] gives [0]); else None."""
    if later.type not in _UNSQUEEZE or len(later.inputs) != 1 or not later.outputs or not row.outputs:
        return None
    before, after = row.outputs[0].shape, later.outputs[0].shape
    if len(after) <= len(before):
        return None
    places: list[int] = []
    for d, size in enumerate(after):
        if len(places) < len(before) and size == before[len(places)]:
            places.append(d)
        elif size != 1:
            return None
    return places if len(places) == len(before) else None


def _through_property_transpose(ctx: Context, row: LayerRecord) -> tuple[int, LayerRecord] | None:
    """`a.T @ h`: the `.T` property leaves no row and no lineage, so no row reads `a`. The next
    matmul given a tensor of unknown origin with `a`'s two dims reversed is read as its use."""
    made = row.outputs[0].shape
    if len(made) != 2 or made[0] == made[1]:
        return None
    for later in ctx.trace.layers[row.index + 1 :]:
        if later.type not in _MATMUL:
            continue
        for position, t in enumerate(later.inputs[:2]):
            if t.source is None and t.shape == made[::-1]:
                return (0 if position == 0 else 1), later  # the contracted dim, seen through the swap
    return None


_MOVES = ("Tensor.t", "torch.t", "Tensor.transpose", "torch.transpose", "Tensor.swapaxes", "torch.swapaxes")


def _dims_moved_by(later: LayerRecord) -> list[int] | None:
    """Where each dim of a transpose's input sits in its output (`a.t()`, `torch.transpose(a, 0, 1)`:
    [0, 1] → [1, 0]); else None."""
    if later.type not in _MOVES or len(later.inputs) != 1 or not later.outputs:
        return None
    rank = later.inputs[0].rank
    args = later.attrs.get("args", [])
    pair = (0, 1) if later.type.endswith(".t") else tuple(args[1:3])
    if rank < 1 or len(pair) != 2 or not all(isinstance(d, int) and -rank <= d < rank for d in pair):
        return None
    a, b = (d % rank for d in pair)
    places = list(range(rank))
    places[a], places[b] = b, a
    return places


def _summed_dim(total: LayerRecord, width: int, rank: int) -> tuple[int, LayerRecord] | None:
    """The weights' dim that a `sum` over a tensor of rank `width` adds up, aligned from the
    right as the product broadcast them."""
    args = total.attrs.get("args", [])
    d = total.attrs.get("dim", args[1] if len(args) > 1 else None)
    if not isinstance(d, int) or not -width <= d < width:
        return None
    d = (d % width) - (width - rank)
    return (d, total) if 0 <= d < rank else None


def _einsum_contracted(row: LayerRecord, position: int, rank: int) -> tuple[int, LayerRecord] | None:
    args = row.attrs.get("args", [])
    equation = args[0] if args and isinstance(args[0], str) else None
    if equation is None or "->" not in equation or "." in equation:
        return None
    inputs, output = equation.replace(" ", "").split("->")
    operands = inputs.split(",")
    if position >= len(operands) or len(operands[position]) != rank:
        return None
    gone = [i for i, letter in enumerate(operands[position]) if letter not in output]
    return (gone[0], row) if len(gone) == 1 else None


def _normalisable(row: LayerRecord, target: int, dim: int, follows) -> bool:
    return target != dim and row.inputs[0].shape[target] != 1 and (follows is None or BATCH not in follows[target])


def _fix(row: LayerRecord, target: int, follows, description: str | None = None) -> Fix:
    """`dim=target` where the user wrote the dim: the module's constructor line, or the call."""
    if row.kind == "module":
        site, call, position = row.defined_at, row.type, 0
        fallback = f"nn.{row.type}(dim={target})"
        edit = Edit("set_attrs", row.name, params=(("dim", target),))
    else:
        site, call = row.called_at, row.type.split(".")[-1]
        position = 0 if row.type.startswith("Tensor.") else 2 if row.type in _NORMALIZE else 1
        fallback = f"{row.type}(x, dim={target})"
        edit = Edit("op_args", op_site(row), params=(("dim", target),))
    source = site.source if site else ""
    after = set_argument(source, call, position, "dim", target) if source else None
    return Fix(
        description=description or f"normalise over dim {target}, the only dim that is neither the batch nor of size 1",
        code=after or fallback,
        safety=SAFE,
        location=site if after else None,
        before=source if after else None,
        after=after,
        rerun=Rerun(edits=(edit,)),
    )
