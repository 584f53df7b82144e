"""SC109 concat-mismatch.

What it does: finds a `torch.cat`/`torch.stack` whose tensors differ outside the joined dim —
typically a U-Net skip connection at an input size that is not a multiple of 2^depth — and
computes the multiple the input needs and the nearest valid sizes above and below.

Why is this bad? `Sizes of tensors must match except in dimension 1. Expected size 24 but got
size 25 for tensor number 1 in the list`: each 2× pooling rounds odd sizes down, and upsampling
doubles back to an even size that no longer matches the skip.

Example: a 4-level U-Net at 100×100 (100 → 50 → 25 → 12 → 6, and back 6 → 12 → 24 ≠ 25).

Use instead: inputs that are multiples of 16, or `x = F.interpolate(x, size=skip.shape[-2:])`
before the cat.

Fix safety: both are safe: no parameters change.
"""

from __future__ import annotations

import re

from ..context import Context, op_site
from ..findings import DISPLAY_ONLY, ERROR, SAFE, Finding, Fix, FixKind, line_fix
from ..layers import window
from ..numbers import set_argument, shape
from ..probes import POWERS_OF_TWO
from ..provenance import provenance
from ..registry import rule
from ..requests import Edit, Rerun
from ..roles import following_dims, twin_row
from .common import input_code, input_multiple_fix, ref
from .widths import projection_fix, separate_towers

_JOINS = ("torch.cat", "torch.concat", "torch.concatenate", "torch.stack")


def _multiple_each(ctx: Context, axes: tuple[int, ...]):
    """For inputs whose spatial dims differ (540×760): the smallest power-of-two multiple m such
    that every spatial dim rounded to it (up, and down) runs; (m, dims down, dims up)."""
    base = list(ctx.sample_dims)
    try:
        for m in POWERS_OF_TWO:
            up = [(-(-v // m) * m if i in axes else v) for i, v in enumerate(base)]
            down = [(v // m * m if i in axes else v) for i, v in enumerate(base)]
            beyond = [(v + m if i in axes else v) for i, v in enumerate(up)]
            # The next multiple must run too: else m is a coincidence of these sizes, not the rule.
            if up == base or not ctx.runs_at(tuple(up)) or not ctx.runs_at(tuple(beyond)):
                continue
            ok_down = all(down[a] > 0 for a in axes) and ctx.runs_at(tuple(down))
            return m, (down if ok_down else [0] * len(base)), up
    except (LookupError, TimeoutError):
        return None
    return None


def _rounding(ctx: Context) -> str | None:
    """ "`F.max_pool2d` at line 23 rounds 25 down to 12": the first halving of an odd size."""
    for row in ctx.trace.layers:
        w = window(row)
        if w is None or max(w.stride) < 2 or not row.inputs or not row.outputs:
            continue
        nd = w.nd
        sin, sout = row.inputs[0].shape[-nd:], row.outputs[0].shape[-nd:]
        for a, b, s in zip(sin, sout, w.stride, strict=False):
            if s > 1 and a % s:
                return f"{ref(row)} rounds {a} down to {b} (÷{s}); doubling back gives {b * s}, not {a}"
    return None


def _interpolate_fix(row, rank: int) -> Fix:
    """Resize the first tensor to the second's spatial size, in the user's own names: a line
    before the join when the first item is a variable, else the item wrapped where it stands."""
    source = row.called_at.source
    size = f"shape[-{rank - 2}:]"
    items = re.search(r"\[\s*(?P<a>[^\[\]]+?)\s*,\s*(?P<b>[A-Za-z_][\w.]*)\s*\]", source)
    edit = Rerun(edits=(Edit("op_match", op_site(row)),))
    if items is None:
        return Fix(
            description="resize before joining: interpolate the first tensor to the spatial size of the second",
            code=f"F.interpolate(first, size=second.{size})",
            safety=SAFE,
            location=row.called_at,
            rerun=edit,
        )
    a, b = items.group("a"), items.group("b")
    description = f"resize before joining: interpolate `{a}` to the spatial size of `{b}`"
    if a.isidentifier():
        return Fix(
            description=description,
            code=f"{a} = F.interpolate({a}, size={b}.{size})\n{source}",
            safety=SAFE,
            location=row.called_at,
            rerun=edit,
        )
    after = source[: items.start("a")] + f"F.interpolate({a}, size={b}.{size})" + source[items.end("a") :]
    return Fix(
        description=description, code=after, safety=SAFE, location=row.called_at, before=source, after=after, rerun=edit
    )


def _stage_apart(fix: Fix, expected: int, got: int) -> Fix:
    """A resize across a factor of two or more (32 against 64) is not a pixel lost to rounding: a
    stage is missing or extra on one side (a patch grid built for another image size, one up-
    sampling short), and stretching one map over the other joins places that do not match, at a
    resolution the model was not built for. Shown, not checked: the sizes are the cause."""
    small, large = sorted((expected, got))
    if small <= 0 or large < 2 * small:
        return fix
    fix.safety, fix.rerun = DISPLAY_ONLY, None
    fix.check_note = (
        f"not checked: {large} is {large / small:g}× {small}, a whole stage apart, not a rounding; stretching one "
        "map to the other hides the stage that is missing"
    )
    return fix


def _join_along(row, d: int, dim: int, stack: bool, apart: bool = False) -> Fix | None:
    """Token sequences [N, L, E] joined along E whose lengths differ: they fit end to end along
    the length, so the call may name the wrong dim (`torch.cat([text, image], dim=2)`). Only for
    that layout, or (`apart`) when provenance shows the tensors' sizes in dim d come from
    different places (a cache's past length and the new tokens): for the same image map at two
    roundings another dim would join pixels of different places."""
    # a join along the batch of tensors that match outside another dim: joined along that dim
    # instead (the rows kept), checked by intent.join_moved against the layer that reads it
    if stack or not (apart or dim == 0 or (len(row.inputs[0].shape) == 3 and (d, dim) == (1, 2))):
        return None
    shapes = [t.shape for t in row.inputs]
    if any(s[k] != shapes[0][k] for s in shapes for k in range(len(s)) if k != d):
        return None
    total = sum(s[d] for s in shapes)
    joined = list(shapes[0])
    joined[d] = total
    source = row.called_at.source if row.called_at else ""
    call = row.type.rsplit(".", 1)[-1]
    after = set_argument(source, call, 1, "dim", d) if source else None
    sizes = " + ".join(str(s[d]) for s in shapes)
    return line_fix(
        f"if these are two sequences meant to go end to end, join along dim {d}: every other dim "
        f"already matches, giving {shape(joined)} ({sizes} = {total})",
        row.called_at,
        source,
        after,
        f"torch.{call}(tensors, dim={d})",
        Rerun(edits=(Edit("op_args", op_site(row), params=(("dim", d),)),)),
    )


def _apart(ctx: Context, row, d: int) -> bool:
    """The tensors' sizes in dim d follow different sources (provenance): lengths of different
    things, such as a cache's past tokens and the new ones, not one map's size rounded twice."""
    prov = provenance(ctx)
    if prov is None:
        return False
    sources = []
    for i in range(len(row.inputs)):
        follows = prov.dims(row, "inputs", i)
        if follows is None or d >= len(follows):
            return False
        sources.append(follows[d])
    return any(sources) and len(set(sources)) > 1


@rule("SC109", ERROR)
def check(ctx: Context) -> list[Finding]:
    row = ctx.trace.failing
    if row is None or row.kind != "op" or row.type not in _JOINS or len(row.inputs) < 2:
        return []
    rank = len(row.inputs[0].shape)
    dim = row.dim_argument() % rank if rank else 0
    stack = row.type == "torch.stack"
    found = _mismatch(row, dim, stack)
    if found is None:
        return []
    number, t, bad = found
    if bad is None:
        ranks = _ranks(ctx, row)
        return [ranks] if ranks is not None else []
    pair = _shared_item(ctx, row) if bad == [0] and not stack else None
    if pair is not None:
        return [_shared_finding(ctx, row, *pair)]
    return [_finding(ctx, row, dim, stack, number, bad[0], t.shape[bad[0]])]


def _shared_item(ctx: Context, row) -> tuple[int, int] | None:
    """(the item that is one tensor for the whole batch, a per-sample item) of a join along a dim
    other than 0: the shared one has dim 0 of 1 at both batch sizes, the other follows the batch."""
    rank = row.inputs[0].rank
    if not rank or row.dim_argument() % rank == 0:
        return None
    other = twin_row(ctx, row)
    if other is None or len(other.inputs) != len(row.inputs):
        return None
    follows = [following_dims(a, b) for a, b in zip(row.inputs, other.inputs, strict=True)]
    shared = [i for i, f in enumerate(follows) if not f and row.inputs[i].shape[:1] == (1,)]
    per_sample = [i for i, f in enumerate(follows) if f[:1] == [0]]
    return (shared[0], per_sample[0]) if len(shared) == 1 and per_sample else None


def _shared_finding(ctx: Context, row, index: int, like: int) -> Finding:
    """Item `index` is one tensor for the batch, [1, …], joined with per-sample item `like`: it
    fits at batch 1 only (a model that runs there is diagnosed at batch 3, `_at_larger_batch`)."""
    t, u = row.inputs[index], row.inputs[like]
    dim = row.dim_argument() % t.rank
    sizes = [x.shape[0] for x in row.inputs]
    number = next(i for i, size in enumerate(sizes) if size != sizes[0])
    return ctx.finding(
        layer=row.name,
        message=f"{ref(row)} joins {shape(t.shape)}, one for the whole batch, with per-sample {shape(u.shape)}",
        location=row.location,
        row=row.index,
        why=[
            f"{ref(row)} joins {shape(t.shape)} with {shape(u.shape)} along dim {dim}: every other dim must match",
            f"{shape(t.shape)} is one tensor for the whole batch (its dim 0 stays 1 when the batch changes), "
            f"while dim 0 of {shape(u.shape)} is the batch",
        ],
        notes=[
            f"PyTorch reports: Sizes of tensors must match except in dimension {dim}. "
            f"Expected size {sizes[0]} but got size {sizes[number]} for tensor number {number} in the list"
        ],
        fixes=[_expand_fix(row, index, like)] if row.called_at is not None else [],
    )


def _expand_fix(row, index: int, like: int) -> Fix:
    """`self.cls.expand(x.size(0), -1, -1)`: the shared item repeated for every sample."""
    items = _items(row)
    text, other = (items[index], items[like]) if items else ("a", "b")
    batch = f"{other}.size(0)" if _plain(other) else str(row.inputs[like].shape[0])
    new = f"{text}.expand({', '.join([batch] + ['-1'] * (row.inputs[index].rank - 1))})"
    edit = Edit("item_method", op_site(row), params=(("index", index), ("method", "expand_batch"), ("args", (like,))))
    return line_fix(
        "repeat it for every sample of the batch (a view: no copy, and its gradient still sums into it)",
        row.called_at,
        row.called_at.source,
        _replace_item(row, index, new),
        new,
        Rerun(edits=(edit,)),
    )


def _mismatch(row, dim: int, stack: bool):
    """The first tensor after the first that differs from it outside the join dim (every dim for
    a stack): its number in the list, the tensor, and the dims that differ (None: its rank does)."""
    first = row.inputs[0].shape
    for number, t in enumerate(row.inputs[1:], start=1):
        if len(t.shape) != len(first):
            return number, t, None
        bad = [d for d in range(len(first)) if t.shape[d] != first[d] and (stack or d != dim)]
        if bad:
            return number, t, bad
    return None


def _finding(ctx: Context, row, dim: int, stack: bool, number: int, d: int, got: int) -> Finding:
    """Tensor `number` differs from the first in dim `d`: why (the rounding that made the sizes
    differ, the input multiple that lines them up) and the fixes, the input's size first."""
    rank = len(row.inputs[0].shape)
    expected = row.inputs[0].shape[d]
    joined = " and ".join(shape(i.shape) for i in row.inputs[:3])
    why = [f"{ref(row)} joins {joined} along dim {dim}; every other dim must match, but dim {d} is {expected} vs {got}"]
    rounding = _rounding(ctx)
    if rounding:
        why.append(rounding)
    lines_up, fixes = _input_size_fixes(ctx, d)
    why += lines_up
    swapped = _swap_fix(row, dim, stack)
    if swapped is not None:
        fixes.insert(0, swapped)
        data = _swapped_data_fix(ctx, row, dim, stack)
        if data is not None:  # the data's layout is the cause: given so, the code joins it as written
            fixes.insert(0, data)
            swapped.description = "or, in the code: " + swapped.description
    apart = _apart(ctx, row, d)
    other = _join_along(row, d, dim, stack, apart)
    if other is not None:
        fixes.append(other)
    if row.called_at is not None and rank >= 3 and d >= 2 and not apart:
        fixes.append(_stage_apart(_interpolate_fix(row, rank), expected, got))
    if (
        d == rank - 1 != dim
        and rank <= 3  # the last dim of an image or a map is a width in pixels, not features to project
        and not stack
        and separate_towers(ctx.trace, row.inputs[0], row.inputs[number], (expected, got))
    ):
        why.append(
            f"they come from different inputs: features of two towers, {expected} and {got} wide, joined "
            "without a projection to one width"
        )
        fixes += _projection_fixes(row, number, expected, got)
    exact = _input_length_fix(ctx, row, number, d)
    if exact is not None:  # one side is an input's own length: the input at the other's size
        fixes.append(exact)
    return ctx.finding(
        layer=row.name,
        message=f"{ref(row)} joins tensors that differ in dim {d}: {expected} vs {got}",
        location=row.location,
        row=row.index,
        why=why,
        notes=[
            f"PyTorch reports: Sizes of tensors must match except in dimension {dim}. Expected size "
            f"{expected} but got size {got} for tensor number {number} in the list"
            if not stack
            else "PyTorch reports: stack expects each tensor to be equal size"
        ],
        fixes=fixes,
    )


def _projection_fixes(row, number: int, expected: int, got: int) -> list[Fix]:
    """A new Linear on item `number` to the first item's width, or on the first to its width: the
    wider projected down first; a re-trace orders them."""
    items = _items(row)
    if not items or row.called_at is None:
        return []
    fixes = []
    for index, width, to in sorted([(number, got, expected), (0, expected, got)], key=lambda side: -side[1]):
        edit = Edit("item_method", op_site(row), params=(("index", index), ("method", "project"), ("args", (to, -1))))

        def rewrite(new: str, index: int = index) -> str | None:
            return _replace_item(row, index, new)

        what = "the first tensor" if index == 0 else f"tensor {index}"
        fixes.append(projection_fix(edit, items[index], -1, width, to, row.called_at.source, rewrite, what))
    fixes[1].description = "or " + fixes[1].description
    return fixes


def _input_size_fixes(ctx: Context, d: int) -> tuple[list[str], list[Fix]]:
    """For sizes that differ in a spatial dim: the multiple the input's spatial dims need (each
    rounded on its own when they differ) and the --input that has it, as why lines and fixes."""
    dims = ctx.sample_dims
    axes = tuple(range(1, len(dims))) if len(dims) >= 2 and d >= 2 else ()
    if not axes or ctx.runner is None:
        return [], []
    if len({dims[a] for a in axes}) == 1:
        found = input_multiple_fix(ctx, axes)
        if not found:
            return [], []
        return [f"the sizes line up only when the input's spatial dims are multiples of {found[0]}"], [found[1]]
    sizes = _multiple_each(ctx, axes)
    if sizes is None:
        return [], []
    m, down, up = sizes
    fix = Fix(
        description=f"resize or pad the input so each spatial dim is a multiple of {m}: "
        f"{'×'.join(map(str, dims[1:]))} → {'×'.join(map(str, up[1:]))}"
        + (f" (or {'×'.join(map(str, down[1:]))})" if all(v > 0 for v in down) else ""),
        code=input_code(ctx, tuple(up)),
        kind=FixKind.INPUT,
        safety=SAFE,
        rerun=Rerun(dims=tuple(up)),
    )
    return [f"the sizes line up only when every spatial dim of the input is a multiple of {m}"], [fix]


def _insertions(small: tuple, big: tuple, dim: int) -> tuple[int, ...] | None:
    """The dims of `big` that `small` lacks: removing them from `big` leaves `small`'s sizes,
    except along the join dim. The batch dim (0) is not one of them when another choice fits."""
    from itertools import combinations

    k = len(big) - len(small)
    found = []
    for dropped in combinations(range(len(big)), k):
        if dim in dropped:
            continue
        kept = [i for i in range(len(big)) if i not in dropped]
        if all(big[i] == small[j] for j, i in enumerate(kept) if i != dim):
            found.append(dropped)
    found.sort(key=lambda d: 0 in d)
    return found[0] if found else None


def _joined_lists(row):
    """The call line parsed (indent, text, tree), and the list or tuple of tensors each join call
    on it takes (`[a, b]` of `torch.cat([a, b], dim=-1)`); None without a line that parses."""
    import ast

    from ..numbers import parsed_line

    parsed = parsed_line(row.called_at.source) if row.called_at else None
    if parsed is None:
        return None
    call = row.type.rsplit(".", 1)[-1]
    lists = [
        node.args[0]
        for node in ast.walk(parsed[2])
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) == call
        and node.args
        and isinstance(node.args[0], (ast.List, ast.Tuple))
    ]
    return parsed, lists


def _items(row) -> list[str] | None:
    """The texts of the tensors in the joined list, as written: `torch.cat([a, b], dim=-1)`."""
    from ..numbers import char_span

    found = _joined_lists(row)
    if found is None:
        return None
    (_, text, _), lists = found
    for items in lists:
        spans = [char_span(text, e) for e in items.elts]
        if all(sp is not None for sp in spans):
            return [text[a:b] for a, b in spans]  # type: ignore[misc]
    return None


def _replace_item(row, index: int, new: str) -> str | None:
    """The call line with item `index` of the joined list written as `new`."""
    from ..numbers import char_span

    found = _joined_lists(row)
    if found is None:
        return None
    (indent, text, _), lists = found
    for items in lists:
        span = char_span(text, items.elts[index]) if len(items.elts) > index else None
        if span is not None:
            return indent + text[: span[0]] + new + text[span[1] :]
    return None


def _ranks(ctx: Context, row) -> Finding | None:
    """`cat` of tensors of different ranks (an image vector [B, D] with text tokens [B, T, D]): the
    dims the smaller one lacks, and both readings: repeat it along them, or pool the larger."""
    odd = _odd_rank(row)
    if odd is None or row.called_at is None:
        return None
    small_i, big_i = odd
    small, big = row.inputs[small_i], row.inputs[big_i]
    a, b = row.inputs[min(odd)], row.inputs[max(odd)]
    dim = row.dim_argument() % big.rank
    lacks = _insertions(tuple(small.shape), tuple(big.shape), dim)
    joined = " and ".join(shape(i.shape) for i in row.inputs)
    why = [f"{ref(row)} joins {joined} along dim {dim}: tensors of {small.rank} and {big.rank} dims"]
    fixes: list[Fix] = []
    if lacks is not None:
        lacked = ", ".join(f"{d} ({big.shape[d]})" for d in lacks)
        why.append(f"{shape(small.shape)} is {shape(big.shape)} without dim {lacked}")
        fixes = _tile_or_pool(row, small_i, lacks) if len(row.inputs) == 2 else [_tile(row, small_i, big_i, lacks)]
    one_more = _as_one_more(row, small_i, small, big, dim)
    if one_more is not None:  # every size matches once it has the join dim: a token more, or
        # the tokens pooled to one vector first (features of two towers joined): a re-trace decides
        pooled = [_pool_fix(row, small_i, (dim,), _text(row, 1 - small_i))] if len(row.inputs) == 2 and dim else []
        fixes = [one_more, *pooled]
        why[1:] = [f"{shape(small.shape)} is {shape(big.shape)} without the join dim {dim}"]
    for i, fix in enumerate(fixes):  # two readings that a re-trace orders stand alone
        fix.description = ("or " if i and one_more is None else "") + fix.description
    return ctx.finding(
        layer=row.name,
        message=f"{ref(row)} joins tensors of different ranks: {joined}",
        location=row.location,
        row=row.index,
        why=why,
        notes=[f"PyTorch reports: Tensors must have same number of dimensions: got {a.rank} and {b.rank}"],
        fixes=fixes,
    )


def _odd_rank(row) -> tuple[int, int] | None:
    """(the tensor of another rank, one of the others): of two, the smaller; of more, the one
    whose rank no other has, where it is smaller than theirs."""
    ranks = [t.rank for t in row.inputs]
    if len(ranks) == 2 and ranks[0] != ranks[1]:
        small = ranks.index(min(ranks))
        return small, 1 - small
    odd = [i for i, r in enumerate(ranks) if ranks.count(r) == 1]
    if len(ranks) < 3 or len(set(ranks)) != 2 or len(odd) != 1 or ranks[odd[0]] > min(ranks):
        return None
    return odd[0], next(i for i in range(len(ranks)) if i != odd[0])


def _text(row, index: int) -> str:
    """How the call writes item `index` of the list it joins (`b` when it cannot be read)."""
    items = _items(row)
    return items[index] if items else "b"


def _tile(row, small_i: int, big_i: int, lacks: tuple[int, ...]) -> Fix:
    items = _items(row)
    return _tile_fix(row, small_i, lacks, items[small_i] if items else "a", items[big_i] if items else "b", big_i)


def _tile_or_pool(row, small_i: int, lacks: tuple[int, ...]) -> list[Fix]:
    """The smaller tensor repeated along the dims it lacks; or, for up to two dims other than the
    batch, the larger pooled over them (first for tokens, second for a map)."""
    items = _items(row)
    s_text = items[small_i] if items else "a"
    b_text = items[1 - small_i] if items else "b"
    tile = _tile_fix(row, small_i, lacks, s_text, b_text)
    if len(lacks) > 2 or 0 in lacks:
        return [tile]
    big = row.inputs[1 - small_i]
    over = lacks
    if big.rank == 3 and row.inputs[small_i].rank == 2 and lacks == (2,) and row.dim_argument() % 3 == 1:
        over = (1,)  # tokens [B, T, D] keep their features (last) and are pooled over T: [B, D]
    pool = _pool_fix(row, small_i, over, b_text)
    # tokens joined with one vector: pooling is the usual reading; a map gets the vector tiled
    return [pool, tile] if row.inputs[1 - small_i].rank == 3 else [tile, pool]


def _plain(text: str) -> bool:
    """A name or attribute (`h`, `self.cache`), not an expression that needs parentheses."""
    return text.replace(".", "").replace("_", "").isalnum()


def _tile_fix(row, small_i: int, lacks: tuple[int, ...], s_text: str, b_text: str, big_i: int | None = None) -> Fix:
    """`a.unsqueeze(1).expand(-1, b.size(1), -1)`: the smaller repeated along the dims it lacks."""
    small, big = row.inputs[small_i], row.inputs[1 - small_i if big_i is None else big_i]
    lacked = ", ".join(f"{d} ({big.shape[d]})" for d in lacks)
    sizes = [
        ("-1" if d not in lacks else (f"{b_text}.size({d})" if _plain(b_text) else str(big.shape[d])))
        for d in range(big.rank)
    ]
    unsqueezed = s_text + "".join(f".unsqueeze({d})" for d in sorted(lacks))
    tiled = f"{unsqueezed}.expand({', '.join(sizes)})"
    steps = tuple(("unsqueeze", (d,)) for d in sorted(lacks)) + (
        ("expand", tuple(-1 if d not in lacks else big.shape[d] for d in range(big.rank))),
    )
    edit = Edit("item_method", op_site(row), params=(("index", small_i), ("method", "chain"), ("args", steps)))
    return line_fix(
        f"repeat {shape(small.shape)} along dim {lacked} to join it with each of them "
        f"(one vector for every {'token' if big.rank == 3 else 'position'})",
        row.called_at,
        row.called_at.source,
        _replace_item(row, small_i, tiled),
        tiled,
        Rerun(edits=(edit,)),
    )


def _pool_fix(row, small_i: int, lacks: tuple[int, ...], b_text: str) -> Fix:
    """`b.mean(1)`: the larger averaged over the dims the smaller lacks."""
    small, big = row.inputs[small_i], row.inputs[1 - small_i]
    lacked = ", ".join(f"{d} ({big.shape[d]})" for d in lacks)
    over = lacks[0] if len(lacks) == 1 else tuple(lacks)
    pooled = f"{b_text if _plain(b_text) else f'({b_text})'}.mean({over})"
    edit = Edit("item_method", op_site(row), params=(("index", 1 - small_i), ("method", "mean"), ("args", (over,))))
    return line_fix(
        f"pool {shape(big.shape)} over dim {lacked} first (one vector per sample, as {shape(small.shape)} is)",
        row.called_at,
        row.called_at.source,
        _replace_item(row, 1 - small_i, pooled),
        pooled,
        Rerun(edits=(edit,)),
    )


def _as_one_more(row, small_i: int, small, big, dim: int) -> Fix | None:
    """[B, D] joined along dim 1 with [B, T, D]: it is [B, T, D] without the join dim, so it
    joins as one more along it (a summary token in front of the sequence): `z.unsqueeze(1)`."""
    if big.rank - small.rank != 1 or tuple(big.shape[:dim] + big.shape[dim + 1 :]) != tuple(small.shape):
        return None
    items = _items(row)
    text = items[small_i] if items else "a"
    new = f"{text}.unsqueeze({dim})"
    edit = Edit("item_method", op_site(row), params=(("index", small_i), ("method", "unsqueeze"), ("args", (dim,))))
    return line_fix(
        f"join {shape(small.shape)} as one more along dim {dim}: with a size-1 dim {dim} it is "
        f"{shape((*small.shape[:dim], 1, *small.shape[dim:]))}, and every other dim matches",
        row.called_at,
        row.called_at.source,
        _replace_item(row, small_i, new),
        new,
        Rerun(edits=(edit,)),
    )


def _input_length_fix(ctx: Context, row, number: int, d: int) -> Fix | None:
    """Text of 224 tokens joined with 196 image patches feature by feature: dim d of one tensor
    is exactly an input's own size (it follows that input dim one for one, measured by provenance)
    while the other's does not follow it: the input at the other's size lines them up and leaves
    the join as written. Offered after a fix of the code, checked by tracing with it."""
    prov = provenance(ctx)
    if prov is None:
        return None
    sizes = {0: row.inputs[0].shape[d], number: row.inputs[number].shape[d]}
    for k, other in ((0, number), (number, 0)):
        for change in prov.changes:
            m = re.fullmatch(r"(?:input (\d+) )?dim (\d+)", change.source)
            if m is None or not prov.follows_exactly(row, d, change.source, "inputs", k):
                continue
            theirs = prov.dims(row, "inputs", other)
            if theirs is None or change.source in theirs[d]:
                continue  # both follow the input: not one side fixed against it
            index, j = int(m.group(1) or 0), int(m.group(2))
            data = ctx.trace.inputs[index]
            if not data.dtype.startswith(("int", "uint")) and j == data.rank - 1 - (ctx.trace.batch is not None):
                continue  # a float input's last dim is its features' width, not a count to give otherwise
            dims = list(
                ctx.trace.inputs[index].shape[1:] if ctx.trace.batch is not None else ctx.trace.inputs[index].shape
            )
            if j >= len(dims):
                continue
            dims[j] = sizes[other]
            request = Rerun(dims=tuple(dims)) if index == 0 else Rerun(other_dims=((index, tuple(dims)),))
            return Fix(
                description=f"dim {d} of {shape(row.inputs[k].shape)} is the length of input {index} (its dim {j}, "
                f"{sizes[k]}); the other side has {sizes[other]}: give the input {sizes[other]} there",
                code=input_code(ctx, tuple(dims), index),
                kind=FixKind.INPUT,
                safety=SAFE,
                rerun=request,
            )
    return None


def _swap_fix(row, dim: int, stack: bool) -> Fix | None:
    """A tensor whose two dims are swapped (a new key [B, 1, H, D] joined with a cache [B, H, T, D]
    along T): with the two exchanged, every dim but the join dim matches. Only when exactly one
    swap does it."""
    found = _swap_candidate(row, dim, stack)
    if found is None:
        return None
    i, p, q = found
    s = tuple(row.inputs[i].shape)
    first = tuple(row.inputs[1 if i == 0 else 0].shape)
    items = _items(row)
    text = items[i] if items else "x"
    new = f"{text}.transpose({p}, {q})"
    moved = list(s)
    moved[p], moved[q] = moved[q], moved[p]
    edit = Edit("item_method", op_site(row), params=(("index", i), ("method", "transpose"), ("args", (p, q))))
    return line_fix(
        f"{shape(s)} has dims {p} and {q} the other way round: {shape(moved)} matches {shape(first)} "
        f"outside the join dim {dim}",
        row.called_at,
        row.called_at.source if row.called_at else "",
        _replace_item(row, i, new) if row.called_at else None,
        new,
        Rerun(edits=(edit,)),
    )


def _swap_candidate(row, dim: int, stack: bool) -> tuple[int, int, int] | None:
    """(item, p, q): the one tensor of the join whose dims p and q exchanged make it fit. Items
    after the first are read against the first; when none fits so, the first against the second
    (an edge list [E, 2] joined with self-loops [2, N] along dim 1: the list is the swapped one)."""
    first = tuple(row.inputs[0].shape)
    for i, t in enumerate(row.inputs[1:], start=1):
        s = tuple(t.shape)
        if len(s) != len(first) or _fits_join(s, first, dim, stack):
            continue
        found = _fitting_swaps(s, first, dim, stack)
        if len(found) > 1:
            return None
        if found:
            return (i, *found[0])
    if len(row.inputs) != 2:
        return None
    second = tuple(row.inputs[1].shape)
    if len(second) != len(first) or _fits_join(first, second, dim, stack):
        return None
    found = _fitting_swaps(first, second, dim, stack)
    return (0, *found[0]) if len(found) == 1 else None


def _swapped_data_fix(ctx: Context, row, dim: int, stack: bool) -> Fix | None:
    """The swapped tensor is one of the model's inputs, joined as it arrives: the data's layout
    is the cause (an edge list given as [E, 2] where the code takes [2, E]), so the data given
    with the two dims exchanged is offered first, checked by tracing with it."""
    found = _swap_candidate(row, dim, stack)
    if found is None:
        return None
    i, p, q = found
    t = row.inputs[i]
    if not ctx.trace.is_model_input(t):
        return None
    index = next((k for k, x in enumerate(ctx.trace.inputs) if x.tid == t.tid), None)
    batched = ctx.trace.batch is not None
    if index is None or (batched and 0 in (p, q)):
        return None  # the batch dim is not the data's to reorder
    dims = list(t.shape[1:] if batched else t.shape)
    a, b = (p - 1, q - 1) if batched else (p, q)
    dims[a], dims[b] = dims[b], dims[a]
    request = Rerun(dims=tuple(dims)) if index == 0 else Rerun(other_dims=((index, tuple(dims)),))
    return Fix(
        description=f"the data arrives {shape(t.shape)} and is joined as it is: given with dims {p} and {q} "
        f"exchanged ({shape(tuple(dims) if not batched else (t.shape[0], *dims))}) it fits the join, the layout "
        "the code takes"
        + (" (an edge list as [2, E], one column per edge)" if t.dtype.startswith("int") and 2 in dims else ""),
        code=input_code(ctx, tuple(dims), index),
        kind=FixKind.INPUT,
        safety=SAFE,
        rerun=request,
    )


def _fits_join(s, first: tuple, dim: int, stack: bool) -> bool:
    """Every dim of `s` is the first tensor's, but the join dim (none is spared in a stack)."""
    return all(s[k] == first[k] for k in range(len(s)) if stack or k != dim)


def _fitting_swaps(s: tuple, first: tuple, dim: int, stack: bool) -> list[tuple[int, int]]:
    """The pairs of dims of `s` whose exchange makes it fit the join."""
    found = []
    for p in range(len(s)):
        for q in range(p + 1, len(s)):
            moved = list(s)
            moved[p], moved[q] = moved[q], moved[p]
            if _fits_join(moved, first, dim, stack):
                found.append((p, q))
    return found
