"""SC131 dim-out-of-range.

What it does: finds an op or layer given a dim its tensor does not have (`softmax(x, dim=1)` on
a 1-D tensor, `x.transpose(1, 2)` on a 2-D one) and walks back along the rows that made the
tensor to the one that removed the dim: a `squeeze()` that also took the batch dim at batch 1,
a `mean`/`sum`/`max` without `keepdim`, an index or a flatten. When no row removed it, the
tensor has had this rank since the model input: the input lacks a dim, or the dim was counted
past the last one.

Why is this bad? The forward pass fails: `IndexError: Dimension out of range (expected to be in
range of [-1, 0], but got 1)`. The failing line is seldom the mistake: the dim went missing
earlier, often only at batch 1 (the last batch of an epoch, or one image at inference).

Example:
    x = self.pool(x).squeeze()            # [1, 512, 1, 1] → [512] at batch 1
    return F.log_softmax(self.fc(x), dim=1)

Use instead:
    x = self.pool(x).squeeze((2, 3))      # [B, 512]: only the pooled dims go
    return F.log_softmax(self.fc(x), dim=1)

Fix safety: safe: no parameter changes. `squeeze(dims)` naming the dims meant, and `keepdim=True`
on a reduction, are offered where a row removed the dim, and kept when a trace with them runs;
`dim=-1` where the dim is one past the last of a tensor that always had this rank.
"""

from __future__ import annotations

import re

from ...trace.records import MODULE, LayerRecord, TensorInfo
from ..context import Context, op_site
from ..findings import ERROR, Finding, Fix, line_fix
from ..numbers import set_argument, shape
from ..registry import rule
from ..requests import Edit, Rerun
from .common import ref

# Reductions: without keepdim they remove the dim they reduce.
_REDUCTIONS: tuple[str, ...] = ("sum", "mean", "prod", "std", "var", "max", "min", "amax", "amin", "argmax", "argmin")
_REDUCTIONS += ("logsumexp", "median", "norm", "all", "any")
# Where an op takes dims: the positions in its arguments (the tensor is position 0), by name.
_TAKES_DIM: tuple[str, ...] = (
    "softmax",
    "log_softmax",
    "softmin",
    "cumsum",
    "cumprod",
    "sort",
    "argsort",
    "squeeze",
    "unsqueeze",
)
_TAKES_DIM += ("unbind", "narrow", "select", "index_select", "gather", "scatter", "scatter_add", "glu", "unflatten")
_TAKES_DIM += ("cat", "concat", "concatenate", "stack")
_DIM_AT: dict[str, tuple[int, ...]] = {
    **{name: (1,) for name in _REDUCTIONS + _TAKES_DIM if name not in ("norm", "all", "any")},
    **{name: (1, 2) for name in ("transpose", "swapaxes", "swapdims", "movedim", "flatten")},
    **{name: (2,) for name in ("topk", "chunk", "split", "normalize", "cosine_similarity")},
}
_DIM_KEYWORDS = ("dim", "dim0", "dim1", "start_dim", "end_dim", "source", "destination")
_NEW_DIM = ("unsqueeze", "stack")  # the result has one dim more: the dim may be one past the last
_MODULE_DIMS = {
    "Softmax": ("dim",),
    "LogSoftmax": ("dim",),
    "Softmin": ("dim",),
    "Flatten": ("start_dim", "end_dim"),
    "Unflatten": ("dim",),
}


def _name(row: LayerRecord) -> str:
    return row.type.rsplit(".", 1)[-1]


def _ints(value) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
    return []


def given_dims(row: LayerRecord) -> list[int]:
    """The dims a row was given, as written (negative ones too)."""
    if row.kind == MODULE:
        return [d for key in _MODULE_DIMS.get(row.type, ()) for d in _ints(row.attrs.get(key))]
    positions = _DIM_AT.get(_name(row))
    if positions is None:
        return []
    args = row.attrs.get("args", [])
    dims = [d for p in positions if p < len(args) for d in _ints(args[p])]
    return dims + [d for key in _DIM_KEYWORDS for d in _ints(row.attrs.get(key))]


def _rank(row: LayerRecord) -> int:
    extra = 1 if row.kind != MODULE and _name(row) in _NEW_DIM else 0
    return max(row.inputs[0].rank, 1) + extra


def out_of_range(row: LayerRecord) -> int | None:
    """The first dim given to a row that its tensor does not have."""
    if not row.inputs:
        return None
    rank = _rank(row)
    return next((d for d in given_dims(row) if not -rank <= d < rank), None)


def indexed_dims(row: LayerRecord) -> int | None:
    """How many dims an index (`x[:, 0]`) takes, where every entry is a slice, a whole number,
    None or `...`; None for other keys (tensors, lists of positions)."""
    if not row.type.endswith("__getitem__"):
        return None
    args = row.attrs.get("args", [])
    if len(args) < 2:
        return None
    key = args[1]
    if isinstance(key, list) and not any(_not_a_position(k) for k in key):
        return None  # all numbers: a list of positions, or a tuple of them — not told apart here
    taken = 0
    for entry in key if isinstance(key, list) else [key]:
        dims = _dims_taken(entry)
        if dims is None:
            return None
        taken += dims
    return taken


def _dims_taken(entry) -> int | None:
    """How many dims one entry of an index takes: a whole number or a slice one, None (a new
    dim) or `...` none; None for anything else."""
    if (isinstance(entry, int) and not isinstance(entry, bool)) or (
        isinstance(entry, str) and entry.startswith("slice(")
    ):
        return 1
    return 0 if entry is None or entry == "Ellipsis" else None


def _not_a_position(entry) -> bool:
    """None, a slice or `...` in an index: what a list of positions does not hold."""
    return entry is None or (isinstance(entry, str) and _no_position(entry))


def _no_position(entry: str) -> bool:
    return entry.startswith("slice(") or entry == "Ellipsis"


def _dims(n: int) -> str:
    return f"{n} dim" if n == 1 else f"{n} dims"


@rule("SC131", ERROR)
def check(ctx: Context) -> list[Finding]:
    row = ctx.trace.failing
    if row is None or not row.inputs:
        return []
    rank = row.inputs[0].rank
    taken = indexed_dims(row)
    if taken is not None and taken > rank:
        said = f"{ref(row)} indexes {_dims(taken)} of a tensor with {_dims(rank)}"
        why = f"{ref(row)} indexes {_dims(taken)} of {shape(row.inputs[0].shape)}"
        note = f"too many indices for tensor of dimension {rank}"
        return [_finding(ctx, row, taken, said, why, note, None)]
    ordered = _ordered_dims(row)
    if ordered is not None and ordered != rank:
        return [_order_finding(ctx, row, ordered)]
    dim = out_of_range(row)
    return [_range_finding(ctx, row, dim)] if dim is not None else []


def _range_finding(ctx: Context, row: LayerRecord, dim: int) -> Finding:
    """A dim given to the row that its tensor does not have."""
    rank = row.inputs[0].rank
    width = _rank(row)
    dims = "its only dim is 0 (or -1)" if width == 1 else f"its dims are 0 to {width - 1} (or {-width} to -1)"
    said = f"{ref(row)} takes dim {dim} of a tensor with {_dims(rank)}"
    why = f"{ref(row)} takes dim {dim} of a {rank}-D tensor {shape(row.inputs[0].shape)}: {dims}"
    note = f"Dimension out of range (expected to be in range of [{-width}, {width - 1}], but got {dim})"
    need = (dim + 1 if dim >= 0 else -dim) - (width - max(rank, 1))  # unsqueeze and stack add a dim
    last = dim == width and (row.kind == MODULE or _DIM_AT.get(_name(row)) == (1,))
    return _finding(ctx, row, need, said, why, note, dim if last else None)


def _ordered_dims(row: LayerRecord) -> int | None:
    """How many dims `permute` orders (`x.permute(0, 2, 1, 3)`: 4), or `repeat` counts at least
    (`x.repeat(2, 1)`: a tensor of 2 dims or fewer); None for other rows."""
    if row.kind == MODULE or _name(row) not in ("permute", "repeat"):
        return None
    args = row.attrs.get("args", [])[1:]
    dims = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    if not dims or not all(_whole(d) for d in dims):
        return None
    if _name(row) == "repeat" and len(dims) >= row.inputs[0].rank:
        return None  # repeat may add leading dims
    return len(dims)


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _order_finding(ctx: Context, row: LayerRecord, ordered: int) -> Finding:
    """`permute` given another number of dims than its tensor has, `repeat` fewer: fewer dims
    than written is a dim lost upstream (walked back as for a dim out of range); more is a dim
    the code did not count (a batch or channel dim added), said with the tensor's shape."""
    t = row.inputs[0]
    name = _name(row)
    verb = "orders" if name == "permute" else "repeats"
    said = f"{ref(row)} {verb} {_dims(ordered)} of a tensor with {_dims(t.rank)}"
    if name == "permute":
        note = (
            "number of dimensions in the tensor input does not match the length of the desired ordering of "
            f"dimensions i.e. input.dim() = {t.rank} is not equal to len(dims) = {ordered}"
        )
    else:
        note = "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
    if ordered > t.rank:
        found = _finding(ctx, row, ordered, said, f"{ref(row)} gets {shape(t.shape)}", note, None, name == "permute")
        found.why.append(f"or the call lists {_dims(ordered - t.rank)} more than the tensor has")
        return found
    why = [
        f"{ref(row)} gets {shape(t.shape)}, {_dims(t.rank)}, and is written for {_dims(ordered)}: the tensor has "
        f"{t.rank - ordered} more than the code counts (a batch or channel dim it was not written for), or the "
        f"call lists too few"
    ]
    source = _input_of_same_rank(ctx, row)
    if source is not None:
        why.append(f"the tensor has had {_dims(t.rank)} since the model input {shape(source.shape)}")
    return ctx.finding(
        layer=row.name,
        message=said,
        location=row.location,
        row=row.index,
        why=why,
        notes=[f"PyTorch reports: {note}"],
        fixes=[],
    )


def _finding(
    ctx: Context, row: LayerRecord, need: int, said: str, why0: str, note: str, last: int | None, exact: bool = False
) -> Finding:
    """The finding for a row that needs `need` dims (`exact`: just that many); `last`: the dim
    given one past the last, which `dim=-1` may have meant."""
    t = row.inputs[0]
    why = [f"{why0}, so the code here expects {_dims(need)}{'' if exact else ' or more'}"]
    fixes: list[Fix] = []
    dropped = _where_dropped(ctx, row, need)
    source = _input_of_same_rank(ctx, row) if dropped is None else None
    if dropped is not None:
        before, after = dropped.inputs[0].shape, dropped.outputs[0].shape
        why.append(f"{ref(dropped)} removed the dim: {shape(before)} → {shape(after)}")
        fixes.extend(_restore_fixes(ctx, dropped, need))
    elif source is not None:
        meant = f", or dim {last} was meant as the last one" if last is not None else ""
        why.append(
            f"the tensor has had {_dims(t.rank)} since the model input {shape(source.shape)}: the input lacks a "
            f"dim the code expects{meant}"
        )
    if dropped is None and last is not None:
        fixes.append(_last_dim_fix(row, last))
    return ctx.finding(
        layer=row.name,
        message=said,
        location=row.location,
        row=row.index,
        why=why,
        notes=[f"PyTorch reports: {note}"],
        fixes=fixes,
    )


def _where_dropped(ctx: Context, row: LayerRecord, need: int) -> LayerRecord | None:
    """The nearest row upstream whose input had the dims the failing row needs and whose
    output, the rank that reached the failing row, has fewer."""
    rank = row.inputs[0].rank
    for earlier in ctx.trace.upstream(row):
        if not earlier.inputs or not earlier.outputs:
            return None
        if earlier.outputs[0].rank != rank:
            return None  # the rank changed again on the way: not this row's doing alone
        if earlier.inputs[0].rank >= need > rank:
            return earlier
    return None


def _input_of_same_rank(ctx: Context, row: LayerRecord) -> TensorInfo | None:
    """The model input the failing tensor comes from, where every row on the way kept its rank."""
    rank = row.inputs[0].rank
    if ctx.trace.is_model_input(row.inputs[0]):
        return row.inputs[0]
    for earlier in ctx.trace.upstream(row):
        if not earlier.inputs or earlier.inputs[0].rank != rank:
            return None
        if ctx.trace.is_model_input(earlier.inputs[0]):
            return earlier.inputs[0]
    return None


def _restore_fixes(ctx: Context, dropped: LayerRecord, need: int) -> list[Fix]:
    if dropped.kind == MODULE:
        return []
    name = _name(dropped)
    if name == "squeeze" and not given_dims(dropped):
        fix = _squeeze_fix(ctx, dropped, need)
        return [fix] if fix is not None else []
    if name in _REDUCTIONS and dropped.attrs.get("keepdim") is not True:
        return [
            _call_fix(
                dropped,
                "keepdim",
                True,
                f"keep the reduced dim: `keepdim=True` on {ref(dropped)} leaves a dim of size 1 in its place",
            )
        ]
    return []


def _squeeze_fix(ctx: Context, row: LayerRecord, need: int) -> Fix | None:
    """`squeeze()` → `squeeze(dims)`, dropping only size-1 dims after a leading batch and no more
    than leaves `need` dims; no squeeze at all where none may go."""
    sizes = row.inputs[0].shape
    ones = [d for d, n in enumerate(sizes) if n == 1]
    go = _squeezable(ctx, sizes, ones, need)
    if go == ones:
        return None
    if not go:
        return _unsqueezed_fix(row, need)
    value: int | tuple[int, ...] = go[0] if len(go) == 1 else tuple(go)
    which = f"dim {go[0]}" if len(go) == 1 else f"dims {', '.join(map(str, go))}"
    return _call_fix(
        row,
        "dim",
        value,
        f"squeeze only {which}: `squeeze()` also removes the batch dim when the batch is 1",
    )


def _squeezable(ctx: Context, sizes: tuple[int, ...], ones: list[int], need: int) -> list[int]:
    """The size-1 dims that may go: not a leading batch of 1, and the last ones only, as many as
    leave `need` dims."""
    batch_led = ctx.trace.batch is not None and ctx.trace.batch == sizes[0] == 1 and bool(ctx.trace.inputs)
    may_go = [d for d in ones if not (batch_led and d == 0)]
    extra = len(sizes) - need
    return may_go[max(len(may_go) - extra, 0) :] if extra < len(may_go) else may_go


def _unsqueezed_fix(row: LayerRecord, need: int) -> Fix:
    site = row.called_at
    source = site.source if site else ""
    after = source.replace(".squeeze()", "", 1) if ".squeeze()" in source else None
    return line_fix(
        f"drop the `squeeze()`: the code after it takes {_dims(need)}, and at batch 1 it removes the batch dim too",
        site if after else None,
        source,
        after,
        "remove the .squeeze()",
        Rerun(edits=(Edit("op_identity", op_site(row)),)),
    )


def _call_fix(row: LayerRecord, keyword: str, value, description: str) -> Fix:
    site = row.called_at
    source = site.source if site else ""
    call = _name(row)
    position = 0 if row.type.startswith("Tensor.") else 1
    after = _set_at_each_call(source, call, position if keyword == "dim" else None, keyword, value)
    return line_fix(
        description,
        site if after else None,
        source,
        after,
        f"{row.type}(..., {keyword}={value!r})",
        Rerun(edits=(Edit("op_args", op_site(row), params=((keyword, value),)),)),
    )


def _set_at_each_call(source: str, call: str, position: int | None, keyword: str, value) -> str | None:
    """The argument set on every call of `call` on the line: the re-trace rewrites each call made
    from the line, so the line shown must too."""
    edited, start = source, 0
    pattern = re.compile(rf"\b{re.escape(call)}\(")
    while source and (found := pattern.search(edited, start)) is not None:
        changed = set_argument(edited[found.start() :], call, position, keyword, value)
        if changed is None:
            return None
        edited, start = edited[: found.start()] + changed, found.end()
    return edited if source and edited != source else None


def _last_dim_fix(row: LayerRecord, dim: int) -> Fix:
    """`dim=-1`: the last dim, whatever the rank, where the one given is one past it."""
    description = f"if dim {dim} was meant as the last dim, `dim=-1` names it whatever the rank"
    if row.kind == MODULE:
        key = next(k for k in _MODULE_DIMS[row.type] if dim in _ints(row.attrs.get(k)))
        site = row.defined_at
        source = site.source if site else ""
        after = set_argument(source, row.type, 0, key, -1) if source else None
        return line_fix(
            description,
            site if after else None,
            source,
            after,
            f"nn.{row.type}({key}=-1)",
            Rerun(edits=(Edit("set_attrs", row.name, params=((key, -1),)),)),
        )
    return _call_fix(row, "dim", -1, description)
