"""SC121 view-regroups-dims.

What it does: finds a `view`/`reshape` that is neither a merge of whole neighbouring dims
(`[B, C, H, W]` → `[B, C, H·W]`) nor a split of one dim (`[B, L, E]` → `[B, L, H, D]`), but
cuts across dims: `[B, H, L, D]` → `[B, L, H·D]` makes each "position" of the output out of
pieces of several heads. The check runs on the traced shapes and again on the traces where
each input dim alone was changed (dim provenance), so sizes that happen to be equal (8 heads,
8 tokens) cannot hide it.

Why is this bad? Nothing fails: the element count matches, so the model trains on scrambled
features. Merging attention heads back without moving the heads next to the head size is the
most common case.

Example:
    out = attn @ v                       # [B, heads, L, head_dim]
    out = out.reshape(B, L, heads * head_dim)

Use instead:
    out = out.transpose(1, 2).reshape(B, L, heads * head_dim)

Fix safety: safe (no parameter changes), but which permute is meant is the user's call: the
fix is described, not verified.
"""

from __future__ import annotations

from ...trace.records import LayerRecord
from ..context import Context
from ..findings import SAFE, WARNING, Finding, Fix
from ..numbers import shape
from ..provenance import misplaced, provenance, regrouped
from ..registry import rule
from .common import ref
from .sc106_batch_mixing import _per_sample_size_fix

_VIEWS = ("Tensor.view", "Tensor.reshape", "torch.reshape")


@rule("SC121", WARNING)
def check(ctx: Context) -> list[Finding]:
    rows = [r for r in ctx.trace.layers if r.kind == "op" and r.type in _VIEWS and r.inputs and r.outputs]
    if not rows:
        return []
    return _regroupings(ctx, rows) + _scores_over_heads(ctx)


_MATMULS = ("Tensor.matmul", "torch.matmul", "Tensor.__matmul__", "@")


def _scores_over_heads(ctx: Context) -> list[Finding]:
    """Attention scores between heads instead of tokens: q split into heads by a view,
    `[B, T, C]` → `[B, T, H, D]`, and never transposed, so `q @ k.transpose(-2, -1)` is
    `[B, T, H, H]`: dim 1 follows the tokens (dim provenance), the two dims it scores are the
    fixed head count. Nothing fails; each token attends over its own heads."""
    candidates = [
        r
        for r in ctx.trace.layers
        if r.kind == "op" and r.type in _MATMULS and len(r.inputs) >= 2 and r.outputs and _square_scores(ctx, r)
    ]
    prov = provenance(ctx) if candidates else None
    findings = []
    for row in candidates:
        if not _tokens_in_dim_1(prov.dims(row) if prov else None):
            continue
        split = ctx.trace.row(row.inputs[0].source)
        assert split is not None  # _square_scores
        findings.append(_heads_finding(row, split))
        break  # one finding: every attention layer of the model shares the code
    return findings


def _tokens_in_dim_1(outs) -> bool:
    """Scores [B, T, H, H] whose dim 1 follows an input size (the tokens, not the batch's) and
    whose last two follow none (the head count), by provenance."""
    if outs is None or len(outs) != 4:
        return False
    return bool(outs[1]) and not outs[2] and not outs[3] and outs[1] != outs[0]


def _square_scores(ctx: Context, row: LayerRecord) -> bool:
    """[B, T, H, D] @ [B, T, D, H] → [B, T, H, H], the left operand straight from a view that
    split the last dim of [B, T, H·D] into H and D."""
    a, b, out = row.inputs[0], row.inputs[1], row.outputs[0]
    if not _heads_squared(a, b, out):
        return False
    split = ctx.trace.row(a.source)
    if split is None or split.type not in _VIEWS or not split.inputs or split.inputs[0].rank != 3:
        return False
    x = split.inputs[0].shape
    return tuple(x[:2]) == tuple(a.shape[:2]) and a.shape[2] * a.shape[3] == x[2] and a.shape[2] > 1


def _heads_squared(a, b, out) -> bool:
    """Operands and product of rank 4, the product square [.., .., H, H] over a's dim 2."""
    if a.rank != 4 or b.rank != 4 or out.rank != 4:
        return False
    return out.shape[2] == out.shape[3] == a.shape[2]


def _heads_finding(row: LayerRecord, split: LayerRecord) -> Finding:
    a, out = row.inputs[0], row.outputs[0]
    heads, size, tokens = a.shape[2], a.shape[3], a.shape[1]
    source = split.called_at.source if split.called_at else ""
    after = f"{source.rstrip()}.transpose(1, 2)" if source.rstrip().endswith(")") else None
    return Finding(
        code="SC121",
        severity=WARNING,
        layer=row.name,
        message=f"{ref(row)} scores the {heads} heads against each other, not the {tokens} tokens: {shape(out.shape)}",
        location=row.called_at,
        row=row.index,
        why=[
            f"{ref(split)} splits the features into {heads} heads of {size}: "
            f"{shape(split.inputs[0].shape)} → {shape(a.shape)}, the heads in dim 2 and the tokens in dim 1",
            f"so the matmul works over dims 2 and 3: {heads}×{heads} scores for each token, where attention "
            f"scores the tokens ({tokens}×{tokens} for each head); nothing fails, and no token sees another "
            "(dims measured by tracing at other sizes: dim 1 follows the input's length, dims 2 and 3 do not)",
        ],
        fixes=[
            Fix(
                description="move the heads in front of the tokens after each split, `.transpose(1, 2)` on q, k "
                "and v ([B, T, H, D] → [B, H, T, D]), and back before the heads are merged "
                "(`(att @ v).transpose(1, 2).reshape(B, T, C)`)",
                code=after or ".view(B, T, H, D).transpose(1, 2)",
                safety=SAFE,
                location=split.called_at,
                check_note="not checked: q, k, v and the merge change together",
            )
        ],
    )


def _regroupings(ctx: Context, rows: list[LayerRecord]) -> list[Finding]:
    # The re-runs are needed only where sizes could hide a regrouping: a view that already mixes
    # dims, or one whose input has two dims of the same size (8 heads and 8 tokens).
    prov = provenance(ctx) if any(_mixed(r, None, None) or _repeats(r) for r in rows) else None
    findings = []
    for row in rows:
        found = _regrouping(ctx, row, prov)
        if found is not None:
            findings.append(found)
    return findings


def _regrouping(ctx: Context, row: LayerRecord, prov) -> Finding | None:
    """The view's regrouping, seen at the traced sizes or at one of the re-runs' (its twin
    there): the first that mixes dims, unless it is the relative-position skew (rows shifted on
    purpose)."""
    follows_in = prov.dims(row, "inputs") if prov else None
    follows_out = prov.dims(row, "outputs") if prov else None
    witnesses = [row] + ([prov.twin(c, row) for c in prov.changes] if prov else [])
    for witness in witnesses:
        if witness is None or not witness.inputs or not witness.outputs:
            continue
        found = _mixed(witness, follows_in, follows_out)
        if found is None:
            continue
        ins, outs, out, run = found
        if _skew(ctx, witness, ins, outs):
            return None  # the relative-position skew: rows shifted on purpose
        return _finding(row, witness, ins, outs, out, run, follows=(follows_in, follows_out))
    return None


_PADS = ("F.pad", "torch.nn.functional.pad", "torch.constant_pad_nd", "torch._C._nn.pad")
_FULL = "slice(None, None, None)"


def _skew(ctx: Context, row: LayerRecord, ins: list[int], outs: list[int]) -> bool:
    """The relative-position skew of Transformer-XL's `_rel_shift`, XLNet's `rel_shift_bnij`,
    Music Transformer and Conformer: scores `[…, T, K]` (padded with one zero column, or with
    more relative positions than keys) viewed as `[…, K, T]`, the first row dropped, and viewed
    back as `[…, T, K-1]`, so that each row starts one place further on. A view that exchanges
    the sizes of exactly the two dims it regroups does that on purpose when its input was just
    padded on the inner dim, or when it is either view of that chain."""
    if len(ins) != 2 or len(outs) != 2:
        return False
    before, after = row.inputs[0].shape, row.outputs[0].shape
    if (before[ins[0]], before[ins[1]]) != (after[outs[1]], after[outs[0]]):
        return False
    made = _producer(ctx, row)
    if made is not None and _padded_on(made, ins[1]):
        return True
    return _skew_view_back(ctx, row, made, ins, outs) or _skew_first_view(ctx, row, outs)


def _skew_view_back(ctx: Context, row: LayerRecord, made: LayerRecord | None, ins: list[int], outs: list[int]) -> bool:
    """The skew's view back: its input lost its first row just now, after a view that exchanged
    the sizes."""
    first = _producer(ctx, made) if made is not None and _drops_first_row(made, ins[0]) else None
    if first is None or first.type not in _VIEWS or not first.inputs:
        return False
    before, after, shifted = row.inputs[0].shape, row.outputs[0].shape, first.inputs[0].shape
    return len(shifted) == len(after) and (shifted[ins[0]], shifted[ins[1]]) == (after[outs[0]], before[ins[0]] + 1)


def _skew_first_view(ctx: Context, row: LayerRecord, outs: list[int]) -> bool:
    """The skew's first view: its output loses its first row next, and is viewed back with one
    row fewer."""
    dropped = _consumer(ctx, row)
    back = _consumer(ctx, dropped) if dropped is not None and _drops_first_row(dropped, outs[0]) else None
    if back is None or back.type not in (*_VIEWS, "Tensor.view_as") or not back.outputs:
        return False
    after, result = row.outputs[0].shape, back.outputs[0].shape
    return len(result) == len(after) and (result[outs[0]], result[outs[1]]) == (after[outs[1]], after[outs[0]] - 1)


def _producer(ctx: Context, row: LayerRecord) -> LayerRecord | None:
    source = row.inputs[0].source if row.inputs else None
    return ctx.trace.row(source) if source is not None else None


def _consumer(ctx: Context, row: LayerRecord) -> LayerRecord | None:
    return next((r for r in ctx.trace.layers[row.index + 1 :] if r.inputs and r.inputs[0].source == row.index), None)


def _padded_on(made: LayerRecord, dim: int) -> bool:
    """`made` pads its input with zeros (F.pad, or cat with a constant) along `dim` only."""
    if not made.inputs or not made.outputs:
        return False
    if made.type in _PADS:
        data = made.inputs[0]
    elif made.type == "torch.cat" and any(t.from_input is False and t.source is None for t in made.inputs):
        data = max(made.inputs, key=lambda t: t.numel)
    else:
        return False
    padded = made.outputs[0]
    if data.rank != padded.rank:
        return False
    return [d for d in range(padded.rank) if data.shape[d] != padded.shape[d]] == [dim]


def _drops_first_row(later: LayerRecord, dim: int) -> bool:
    """`later` is `x[:, …, 1:]` with the `1:` on `dim`: the skew's first row, dropped."""
    args = later.attrs.get("args", [])
    if later.type != "Tensor.__getitem__" or len(args) < 2 or not isinstance(args[1], list):
        return False
    index = args[1]
    return len(index) > dim and index[dim] == "slice(1, None, None)" and all(i == _FULL for i in index[:dim])


def _repeats(row: LayerRecord) -> bool:
    sizes = [d for d in row.inputs[0].shape[1:] if d != 1]
    return len(sizes) != len(set(sizes))


def _mixed(row: LayerRecord, follows_in, follows_out):
    """(input dims, output dims, the output dim that looks like input dims, those dims)."""
    before, after = tuple(row.inputs[0].shape), tuple(row.outputs[0].shape)
    if len(before) == 0 or len(after) == 0:
        return None
    group = regrouped(before, after)
    if group is None:
        return None
    ins, outs = group
    usable = follows_in is not None and follows_out is not None
    usable = usable and len(follows_in) == len(before) and len(follows_out) == len(after)
    found = misplaced(before, after, ins, outs, follows_in if usable else None, follows_out if usable else None)
    return None if found is None else (ins, outs, *found)


def _finding(
    row: LayerRecord, witness: LayerRecord, ins: list[int], outs: list[int], out: int, run, follows=(None, None)
) -> Finding:
    before, after = witness.inputs[0].shape, witness.outputs[0].shape
    in_sizes = "·".join(str(before[d]) for d in ins)
    out_sizes = "·".join(str(after[d]) for d in outs)
    looks = "dim " + str(run[0]) if len(run) == 1 else "dims " + _list(run)
    why = [
        f"{ref(row)} turns {shape(before)} into {shape(after)}: input dims {_list(ins)} "
        f"({in_sizes}) become output dims {_list(outs)} ({out_sizes})",
        f"output dim {out} has the size of input {looks} ({after[out]}) and follows the same input, but a view "
        "keeps memory order: its elements are the first values of the group, which cross the input dims' "
        "boundaries, not that input dim moved",
    ]
    if witness is not row:
        why.append(
            f"at the traced input the sizes happen to line up ({shape(row.inputs[0].shape)} → "
            f"{shape(row.outputs[0].shape)}); with one input dim changed they do not"
        )
    fix = Fix(
        description="move the dims you mean to merge next to each other first (a permute or transpose "
        "before the view), so each output dim is whole input dims",
        code=merge_suggestion(row, before, after, ins, outs, *follows),
        safety=SAFE,
        check_note="not checked: which dims are meant to merge is the model's design, shapecheck cannot choose it",
    )
    # `view(-1, C, 32 * 32)` of [B, C, 64, 64]: a size written for another input, and the -1 takes
    # the rest: no order of the dims makes it whole ones, the size read from the tensor does.
    sized = _per_sample_size_fix(row)
    if sized is not None:
        why.append(
            "one size of the view is smaller than the dims it stands for, and the -1 takes the rest into the batch"
        )
    return Finding(
        code="SC121",
        severity=WARNING,
        layer=row.name,
        message=f"{ref(row)} regroups dims {_list(ins)} of {shape(row.inputs[0].shape)} across their boundaries",
        location=row.location,
        row=row.index,
        why=why,
        fixes=[sized, fix] if sized is not None else [fix],
    )


def _list(dims: list[int]) -> str:
    return ", ".join(str(d) for d in dims)


def merge_suggestion(
    row: LayerRecord, before, after, ins: list[int], outs: list[int], follows_in=None, follows_out=None
):
    """The user's own line with the permute that makes each merged output dim whole input dims:
    the order of the group's input dims where consecutive runs multiply to the output sizes and
    (when the re-runs told) follow the same inputs; the attention-heads transpose is one case."""
    from itertools import permutations

    usable = follows_in is not None and follows_out is not None
    usable = usable and len(follows_in) == len(before) and len(follows_out) == len(after)
    best = None
    if len(ins) <= 5:
        fits = (follows_in, follows_out) if usable else (None, None)
        best = next((order for order in permutations(ins) if _runs_fit(order, before, after, outs, *fits)), None)
    if best is None or list(best) == list(ins):
        return "x = x.permute(...).reshape(...)"
    source = row.called_at.source if row.called_at else ""
    return _moved_line(source, _move(len(before), best, ins), after)


def _move(rank: int, best, ins: list[int]) -> str:
    """The transpose (two dims exchanged) or permute that puts the group's dims `ins` in the
    order `best`."""
    full = list(range(rank))
    start = min(ins)
    full[start : start + len(ins)] = best
    if len(ins) == 2 or _adjacent_swap(best, ins):
        a, b = [d for d, e in zip(full, range(len(full)), strict=True) if d != e][:2]
        return f".transpose({min(a, b)}, {max(a, b)})"
    return f".permute({', '.join(map(str, full))})"


def _moved_line(source: str, move: str, after) -> str:
    """The user's line with `move` before its view (made a reshape: the moved dims are not
    contiguous), or a line of its own where the view is not found."""
    import re

    method = re.search(r"([A-Za-z_][\w.\]\[]*)\s*\.\s*(reshape|view)\(", source)
    called = method.end(1) if method else _receiver_end(source)
    if called is not None:  # a receiver the pattern does not read: a call (`self.norm(x).view(...)`)
        rest = source[called:].replace(".view(", ".reshape(", 1)
        return source[:called] + move + rest
    return f"x = x{move}.reshape({', '.join(str(s) for s in after)})"


def _receiver_end(source: str) -> int | None:
    """Where, in `source`, the tensor that the line's one `.view(`/`.reshape(` call is made on
    ends; None unless there is exactly one such call."""
    import ast

    text = source.strip()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("view", "reshape")
    ]
    if len(calls) != 1 or not isinstance(calls[0].func, ast.Attribute):
        return None
    receiver = calls[0].func.value
    if receiver.end_col_offset is None or receiver.end_lineno != 1:
        return None
    return len(source) - len(source.lstrip()) + receiver.end_col_offset


def _adjacent_swap(order, ins) -> bool:
    moved = [i for i, (a, b) in enumerate(zip(order, ins, strict=True)) if a != b]
    return len(moved) == 2 and moved[1] == moved[0] + 1


def _runs_fit(order, before, after, outs, follows_in, follows_out) -> bool:
    """Consecutive runs of `order` (input dims) multiply to each output dim of `outs`, and follow
    the same inputs as that output dim when that is known."""
    i = 0
    for o in outs:
        size, run = 1, []
        while i < len(order) and size < after[o]:
            size *= before[order[i]]
            run.append(order[i])
            i += 1
        if size != after[o]:
            return False
        if follows_in is not None and follows_out is not None:
            joined = frozenset().union(*(follows_in[d] for d in run))
            if joined != follows_out[o]:
                return False
    return i == len(order)
