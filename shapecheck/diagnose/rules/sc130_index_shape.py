"""SC130 index-shape.

What it does: explains a failing `gather`, `scatter`, `scatter_add` or `scatter_reduce` whose
index tensor has fewer dims than the tensor it indexes. These ops do not broadcast: the index
must have as many dims as the data, one index per element written or read. The usual case is
message passing written by hand — `out.scatter_add(0, dst, h[src])` with `dst` of shape `[E]`
and the messages `[E, F]` — and reading tokens with `torch.gather(h, 1, idx)`, `idx` `[B, K]`
for `h` `[B, T, F]`. The fix repeats the index along the dims it lacks.

It also finds an integer list of pairs `[E, 2]` (an edge list, one row per edge) read as the
`[2, E]` layout graph code takes: `edge_index[0]` and `edge_index[1]` pick one pair each, and
index the node features with 2 entries where E were meant. An error when the failure follows
from it, a warning where the model runs; the fixes give the data as `[2, E]` or read its columns.

Why is this bad? `Index tensor must have the same number of dimensions as self tensor` names
no dims and no sizes.

Example:
    out = out.scatter_add(0, dst, msg)                                # dst [E], msg [E, F]

Use instead:
    out = out.scatter_add(0, dst.unsqueeze(-1).expand_as(msg), msg)  # or out.index_add(0, dst, msg)

Fix safety: safe: no parameter changes; the same elements are read or written, once per
feature. Verified by tracing again.
"""

from __future__ import annotations

from ...trace.records import OP, LayerRecord, TensorInfo
from ..context import Context, op_site
from ..findings import DISPLAY_ONLY, ERROR, SAFE, WARNING, Finding, Fix, FixKind, line_fix
from ..numbers import parsed_line, shape
from ..registry import rule
from ..requests import Edit, Rerun
from .common import input_code, ref

_SCATTERS = ("scatter", "scatter_add", "scatter_reduce", "scatter_", "scatter_add_", "scatter_reduce_")
_INDEX_ADDS = ("index_add", "index_add_", "index_copy", "index_copy_")


@rule("SC130", ERROR)
def check(ctx: Context) -> list[Finding]:
    return _pair_lists(ctx) + _failing(ctx)


def _failing(ctx: Context) -> list[Finding]:
    row = ctx.trace.failing
    if row is None or row.kind != OP:
        return []
    if row.type.rsplit(".", 1)[-1] in _INDEX_ADDS:
        return _index_add(ctx, row)
    operands = _operands(row)
    if operands is None:
        return []
    data, index, other = operands
    if index.rank == data.rank and index.rank > 0:
        found = _oversized(ctx, row, data, index, other)
        return [found] if found is not None else []
    if index.rank >= data.rank or index.rank == 0:
        return []
    return _fewer_dims(ctx, row, data, index, other)


def _fewer_dims(ctx: Context, row, data, index, other) -> list[Finding]:
    """An index of fewer dims than the data, no longer than the other along those it has (or a
    list of rows for dim 0): one position per place for a gather along a dim it lacks, else the
    index repeated along the dims it lacks."""
    dim = row.dim_argument() % data.rank
    lacks = [d for d in range(data.rank) if d >= index.rank]
    if (index.rank != 1 or dim != 0) and any(index.shape[d] > other.shape[d] for d in range(index.rank)):
        return []
    if row.type.rsplit(".", 1)[-1] == "gather" and dim in lacks:
        # the index names one position along the gather dim for each place: that dim is 1
        return [_one_per_place(ctx, row, data, index, dim, lacks, _arguments(row).get("index", "index"))]
    return [_finding(ctx, row, data, index, other, lacks)]


def _oversized(ctx: Context, row, data, index, other) -> Finding | None:
    """An index of the data's rank that is longer than the data along a dim it does not pick
    along: `hiddens.gather(1, idx)` with `idx` expanded to [B, 1, 300] for hiddens [B, T, 128]:
    the 300 is a setting (a hidden size written elsewhere), not the data's own 128. The cause is
    where the index was expanded: there, the size along that dim is read from the data, checked
    by tracing again with the index expanded so."""
    name = row.type.rsplit(".", 1)[-1]
    dim = row.dim_argument() % data.rank
    over = [d for d in range(data.rank) if d != dim and index.shape[d] > other.shape[d]]
    if not over:
        return None
    texts = _arguments(row)
    ref_text = texts.get("input") if name == "gather" else texts.get("src")
    made = ctx.trace.row(index.source) if index.source is not None else None
    fixes = [_expanded_fix(made, index, other, over, ref_text)] if _is_expand(made) else []
    longer = ", ".join(f"dim {d}: {index.shape[d]} > {other.shape[d]}" for d in over)
    made_by = f" by {ref(made)}" if made is not None else ""
    return ctx.finding(
        layer=row.name,
        message=f"{ref(row)} gets an index {shape(index.shape)} longer than {shape(other.shape)} along a dim it "
        f"does not pick along ({longer})",
        location=row.location,
        row=row.index,
        why=[
            f"`{name}` reads one element for each index entry: along every dim but dim {dim} (the one it picks "
            f"along) the index may be no longer than the data",
            f"the index was made {shape(index.shape)}{made_by}: its size along dim {over[0]} "
            f"({index.shape[over[0]]}) is not the data's ({other.shape[over[0]]})",
        ],
        notes=[f"PyTorch reports: {ctx.trace.error.message}"] if ctx.trace.error else [],
        fixes=fixes,
    )


def _is_expand(made) -> bool:
    """A `.expand(...)` call on a line of the user's."""
    return made is not None and made.kind == OP and made.type == "Tensor.expand" and made.called_at is not None


def _expanded_fix(made, index, other, over: list[int], ref_text: str | None) -> Fix:
    """The `.expand(...)` that made the index, with its sizes along `over` read from the data."""
    want = tuple(other.shape[d] if d in over else n for d, n in enumerate(index.shape))
    source = made.called_at.source
    after = _expand_sizes(source, over, ref_text) if ref_text else None
    sizes = _expand_request(made, index, other, over)
    return line_fix(
        f"expand the index to the data's own size along dim{'s' if len(over) > 1 else ''} "
        f"{', '.join(map(str, over))}: {shape(index.shape)} → {shape(want)}"
        + (f", read from `{ref_text}`" if ref_text else ""),
        made.called_at,
        source,
        after,
        f"expand(..., {ref_text or 'data'}.size({over[0]}))",
        Rerun(edits=(Edit("op_view_shape", op_site(made), params=(("shape", sizes),)),)),
    )


def _expand_request(made, index, other, over: list[int]) -> tuple[int, ...]:
    """The sizes for the re-run's expand: the data's along `over`, -1 where the expanded tensor
    already has the size (the batch among them, so the check at another batch reads the same
    code), else the index's."""
    before = made.inputs[0].shape if made.inputs and made.inputs[0].rank == index.rank else ()
    return tuple(
        other.shape[d] if d in over else -1 if d < len(before) and before[d] == n else n
        for d, n in enumerate(index.shape)
    )


def _expand_sizes(source: str, over: list[int], ref_text: str) -> str | None:
    """The line with the size arguments of its one `.expand(...)` call at positions `over` read
    from the data: `.expand(x.size(0), 1, self.hidden_size)` → `.expand(x.size(0), 1, hiddens.size(2))`."""
    from ..numbers import char_span

    parsed = parsed_line(source)
    if parsed is None:
        return None
    indent, text, tree = parsed
    args = _expand_arguments(tree)
    if args is None or any(d >= len(args) for d in over):
        return None
    spans = []
    for d in over:
        span = char_span(text, args[d])
        if span is None:
            return None
        spans.append((span, f"{ref_text}.size({d})"))
    for (start, end), new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return indent + text


def _expand_arguments(tree) -> list | None:
    """The size arguments of the line's one `.expand(...)` call (a tuple or list of them unpacked);
    None unless there is exactly one, without keywords or `*`."""
    import ast

    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "expand" and not n.keywords
    ]
    if len(calls) != 1 or any(isinstance(a, ast.Starred) for a in calls[0].args):
        return None
    args = calls[0].args
    return args[0].elts if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)) else args


def _operands(row) -> tuple[TensorInfo, TensorInfo, TensorInfo] | None:
    """The data, the index, and the tensor the index has one entry per element of: the data for
    a gather, the source for a scatter."""
    name = row.type.rsplit(".", 1)[-1]
    if name == "gather" and len(row.inputs) >= 2:
        return row.inputs[0], row.inputs[1], row.inputs[0]
    if name in _SCATTERS and len(row.inputs) >= 3:
        return row.inputs[0], row.inputs[1], row.inputs[2]
    return None


def _finding(ctx: Context, row, data, index, other, lacks: list[int]) -> Finding:
    """An index with fewer dims than the data, and the index repeated along the dims it lacks."""
    name = row.type.rsplit(".", 1)[-1]
    noun = "self" if name in _SCATTERS else "input"
    return ctx.finding(
        layer=row.name,
        message=f"{ref(row)} gets an index of {index.rank} dim{'s' if index.rank > 1 else ''} "
        f"{shape(index.shape)} for {shape(data.shape)}: it needs {data.rank}, one index per element",
        location=row.location,
        row=row.index,
        why=[
            f"`{name}` does not broadcast its index: the index has one entry for each element it "
            f"{'writes' if name != 'gather' else 'reads'}, so it has as many dims as the data",
            f"here the index {shape(index.shape)} lacks dim{'s' if len(lacks) > 1 else ''} "
            f"{', '.join(str(d) for d in lacks)} of {shape(other.shape)}",
        ],
        notes=[f"PyTorch reports: Index tensor must have the same number of dimensions as {noun} tensor"],
        fixes=[_expand_fix(row, index, other, lacks)],
    )


def _expand_fix(row, index, other, lacks: list[int]) -> Fix:
    """`dst.unsqueeze(-1).expand_as(msg)` for a scatter, `idx.unsqueeze(-1).expand(-1, -1, h.size(2))`
    for a gather: the index repeated along the dims it lacks, in the call's own names."""
    name = row.type.rsplit(".", 1)[-1]
    wanted = tuple(index.shape) + tuple(other.shape[d] for d in lacks)
    texts = _arguments(row)
    idx = texts.get("index", "index")
    ref_text = texts.get("src") if name != "gather" else texts.get("input")
    what = "the messages" if name != "gather" else "the data"
    steps: tuple[tuple[str, tuple], ...] = tuple(("unsqueeze", (-1,)) for _ in lacks)
    if name != "gather":
        steps += (("expand_as_arg", (3, "src")),)
    steps += (("expand", wanted),)
    new = _repeated_index(idx, index, other, lacks, ref_text, expand_as=name != "gather")
    source = row.called_at.source if row.called_at else ""
    after = _replace_argument(source, idx, new) if idx != "index" else None
    edit = Edit("arg_method", op_site(row), params=(("index", 2), ("method", "chain"), ("args", steps)))
    return line_fix(
        f"repeat the index along the dim{'s' if len(lacks) > 1 else ''} it lacks ({', '.join(map(str, lacks))}): "
        f"{shape(index.shape)} → {shape(wanted)}, one index for every element of {what}",
        row.called_at,
        source,
        after,
        new,
        Rerun(edits=(edit,)),
    )


def _repeated_index(idx: str, index, other, lacks: list[int], ref_text: str | None, expand_as: bool) -> str:
    """The index text given the dims it lacks: `.expand_as(src)` for a scatter's messages, else
    `.expand(-1, …, data.size(d))` (the sizes as numbers where the data has no text)."""
    unsqueezed = f"{idx}" + ".unsqueeze(-1)" * len(lacks)
    if ref_text and expand_as:
        return unsqueezed + f".expand_as({ref_text})"
    sizes = ", ".join(
        ["-1"] * index.rank + [f"{ref_text}.size({d})" if ref_text else str(other.shape[d]) for d in lacks]
    )
    return unsqueezed + f".expand({sizes})"


def _arguments(row) -> dict[str, str]:
    """The texts of the index and the data arguments on the call's line."""
    import ast

    if row.called_at is None:
        return {}
    parsed = parsed_line(row.called_at.source)
    if parsed is None:
        return {}
    text, tree = parsed[1], parsed[2]
    name = row.type.rsplit(".", 1)[-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name:
            return _argument_texts(text, node)
    return {}


def _argument_texts(text: str, node) -> dict[str, str]:
    """The texts of a gather's or scatter's arguments (`torch.gather(x, ...)` or `x.gather(...)`),
    by name: input, dim, index, src and any keyword."""
    import ast

    from ..numbers import char_span

    module = isinstance(node.func.value, ast.Name) and node.func.value.id == "torch"
    args = list(node.args) if module else [node.func.value, *node.args]
    named = list(zip(["input", "dim", "index", "src"], args, strict=False))
    named += [(kw.arg, kw.value) for kw in node.keywords if kw.arg]
    found = {}
    for key, arg in named:
        span = char_span(text, arg)
        if span is not None:
            found[key] = text[span[0] : span[1]]
    return found


def _replace_argument(source: str, old: str, new: str) -> str | None:
    """The line with the index argument `old` written as `new` (its one occurrence as a call
    argument)."""
    import re

    hits = list(re.finditer(rf"(?<=[,(])(\s*){re.escape(old)}(\s*)(?=[,)])", source))
    if len(hits) != 1:
        return None
    m = hits[0]
    return source[: m.start()] + m.group(1) + new + m.group(2) + source[m.end() :]


def _one_per_place(ctx: Context, row, data, index, dim: int, lacks: list[int], idx: str) -> Finding:
    """`log_probs.gather(-1, actions)` with actions [B, T] for [B, T, V]: one action per place, so
    the index gets a size-1 gather dim (`actions.unsqueeze(-1)`), and the result is [B, T, 1]."""
    new = f"{idx}.unsqueeze(-1)" if lacks == [data.rank - 1] else f"{idx}.unsqueeze({dim})"
    source = row.called_at.source if row.called_at else ""
    after = _replace_argument(source, idx, new) if idx != "index" else None
    want = (*index.shape[:dim], 1, *index.shape[dim:])
    fix = line_fix(
        f"give the index a size-1 dim {dim}, the dim it picks along: {shape(index.shape)} → {shape(want)}, "
        f"one pick per place (the result is {shape(want)}; `.squeeze({dim})` after it drops the 1)",
        row.called_at,
        source,
        after,
        new,
        Rerun(
            edits=(Edit("arg_method", op_site(row), params=(("index", 2), ("method", "unsqueeze"), ("args", (dim,)))),)
        ),
    )
    return ctx.finding(
        layer=row.name,
        message=f"{ref(row)} gets an index of {index.rank} dim{'s' if index.rank > 1 else ''} {shape(index.shape)} "
        f"for {shape(data.shape)}: it needs {data.rank}, with dim {dim} the one it picks along",
        location=row.location,
        row=row.index,
        why=[
            "`gather` does not broadcast its index: the index has the data's dims, and its size along the gather "
            "dim is how many values it picks at each place",
            f"{shape(index.shape)} has the other dims of {shape(data.shape)} and lacks dim {dim}, the gather dim: "
            "one pick per place",
        ],
        notes=["PyTorch reports: Index tensor must have the same number of dimensions as input tensor"],
        fixes=[fix],
    )


def _index_add(ctx: Context, row) -> list[Finding]:
    """`out.index_add(0, dst, x)` with `dst` [E] and `x` [N, F]: the source has one slice per
    index entry (the k-th goes to `dst[k]`), so its size along dim must be the index's length.
    Message passing written by hand adds the nodes' features where the edges' messages belong."""
    if len(row.inputs) < 3:
        return []
    data, index, source = row.inputs[0], row.inputs[1], row.inputs[2]
    dim = row.dim_argument() % max(data.rank, 1)
    if index.rank != 1 or source.rank != data.rank or source.shape[dim] == index.shape[0]:
        return []
    name = row.type.rsplit(".", 1)[-1].rstrip("_")
    texts = _arguments(row)
    idx, src = texts.get("index", "index"), texts.get("src", "source")
    entries, rows = index.shape[0], source.shape[dim]
    gathered = shape((*source.shape[:dim], entries, *source.shape[dim + 1 :]))
    return [
        ctx.finding(
            layer=row.name,
            message=f"{ref(row)} gets {entries} indices (`{idx}`) but {rows} slices of `{src}` {shape(source.shape)} "
            f"along dim {dim}: it needs one slice per index",
            location=row.location,
            row=row.index,
            why=[
                f"`{name}(dim, index, source)` puts source's k-th slice along dim at index[k]: index and "
                f"source.size({dim}) are one count",
                f"`{idx}` has {entries} entries; `{src}` has {rows} along dim {dim}",
            ],
            notes=[
                f"PyTorch reports: {name}_(): Number of indices ({entries}) should be equal to "
                f"source.size(dim): ({rows}), for dim: {dim}"
            ],
            fixes=[
                Fix(
                    description=f"give it one slice per index entry, {gathered}: gather the rows each entry "
                    f"carries first (message passing: the features at each edge's other end, `{src}[src_index]`, "
                    f"added at `{idx}`)",
                    safety=DISPLAY_ONLY,
                ),
                Fix(
                    description=f"or the index is the wrong one: `{src}` has {rows} slices, so the index needs "
                    f"{rows} entries",
                    safety=DISPLAY_ONLY,
                ),
            ],
        )
    ]


_INDEXING = ("__getitem__", "index_select", "index_add", "index_add_", "index_copy", "index_copy_", "gather", "take")


def _pair_lists(ctx: Context) -> list[Finding]:
    """An integer list of pairs [K, 2] read as the [2, K] layout: `edge_index[0]` and
    `edge_index[1]` each pick one pair (2 entries) where the K sources and K targets were meant,
    and those picks index other tensors. Graph code takes edge_index as [2, E]; an edge list
    loaded as E rows of (source, target) is the other layout. It runs (2 edges instead of E, an
    error only where a per-edge tensor meets them) or fails far from the cause."""
    trace = ctx.trace
    picks: dict[object, dict[int, list[LayerRecord]]] = {}
    for row in trace.layers:
        if not _picks_a_pair(row):
            continue
        key = _pairs_key(row)
        if key is None:
            continue
        picks.setdefault(key, {}).setdefault(row.attrs["args"][1], []).append(row)
    findings = []
    for by in picks.values():
        if set(by) != {0, 1}:
            continue
        rows = by[0] + by[1]
        taken = {r.outputs[0].tid for r in rows}
        users = [r for r in trace.layers if r.type.rsplit(".", 1)[-1] in _INDEXING and _reads(r, taken)]
        if users:
            findings.append(_pair_list_finding(ctx, rows, users))
    return findings


def _pairs_key(row: LayerRecord) -> object:
    """What identifies the list of pairs a pick reads: its tensor, or for a tensor the trace did
    not see made (`adj.nonzero()`, no lineage) its picks on one line; None when neither is known."""
    t = row.inputs[0]
    if t.tid is not None:
        return t.tid
    where = (row.called_at.file, row.called_at.line) if row.called_at else None
    return None if where is None else (where, t.shape)


def _picks_a_pair(row: LayerRecord) -> bool:
    """`pairs[0]` or `pairs[1]` of an integer list of pairs [K, 2] (K ≠ 2)."""
    if row.kind != OP or row.type != "Tensor.__getitem__" or not row.inputs or not row.outputs:
        return False
    t, args = row.inputs[0], row.attrs.get("args") or []
    if len(args) != 2 or type(args[1]) is not int or args[1] not in (0, 1):
        return False
    return "int" in t.dtype and t.rank == 2 and t.shape[1] == 2 and t.shape[0] != 2


def _reads(row: LayerRecord, tids: set) -> bool:
    """Whether `row` takes one of the tensors `tids` as an index (an argument after the data)."""
    return any(t.tid in tids for t in row.inputs[1:])


def _feeds(trace, rows: list[LayerRecord], target: LayerRecord) -> bool:
    """Whether any of `rows` is upstream of `target`, through any of its inputs."""
    wanted = {r.index for r in rows}
    todo, seen = [target], set()
    while todo:
        current = todo.pop()
        if current.index in wanted:
            return True
        for t in current.inputs:
            up = trace.row(t.source) if t.source is not None else None
            if up is not None and up.index not in seen:
                seen.add(up.index)
                todo.append(up)
    return False


def _pair_list_finding(ctx: Context, rows: list[LayerRecord], users: list[LayerRecord]) -> Finding:
    trace = ctx.trace
    first = min(rows, key=lambda r: r.index)
    t = first.inputs[0]
    pairs = t.shape[0]
    name = _picked_name(rows)
    failing = trace.failing
    causes = failing is not None and _feeds(trace, rows, failing)
    fixes = [fix for fix in (_transposed_input_fix(ctx, t, name), _pair_line_fix(rows, name)) if fix is not None]
    user = min(users, key=lambda r: r.index)
    at = first.called_at.line if first.called_at else "?"
    message = (
        f"`{name or 'the index'}` {shape(t.shape)} is a list of {pairs} pairs, but line {at} reads it as "
        f"[2, {pairs}]: `[0]` and `[1]` pick one pair each (2 entries), not the {pairs} firsts and {pairs} seconds"
    )
    why = [
        f"indexing dim 0 of {shape(t.shape)} takes row 0 or 1: one pair, [2]; the {pairs} sources are "
        f"column 0 ([{pairs}]), the {pairs} targets column 1",
        f"{ref(user)} uses the picks as indices, so it reads 2 entries where {pairs} were meant",
    ]
    if causes and failing is not None:
        why.append(f"it fails at {ref(failing)}, which these picks feed")
    finding = ctx.finding(
        layer=first.name,
        message=message,
        location=first.location,
        row=first.index,
        why=why,
        fixes=fixes,
    )
    if not causes:
        finding.severity = WARNING
    return finding


def _transposed_input_fix(ctx: Context, t, name: str | None) -> Fix | None:
    """The pairs given as two rows on the command line, where they are an unbatched model input."""
    trace = ctx.trace
    index = next((i for i, x in enumerate(trace.inputs) if x.tid == t.tid), None)
    if index is None or not trace.is_model_input(t) or trace.batch is not None:
        return None
    pairs = t.shape[0]
    dims = (2, pairs)
    return Fix(
        description=f"give the pairs as two rows, [2, {pairs}] (`{name or 'edge_index'}.t()` of the "
        f"list of pairs): --input 2x{pairs}" + (f" (input {index})" if len(trace.inputs) > 1 else ""),
        code=input_code(ctx, dims, index),
        kind=FixKind.INPUT,
        safety=SAFE,
        rerun=Rerun(dims=dims) if index == 0 else Rerun(other_dims=((index, dims),)),
    )


def _picked_name(rows: list[LayerRecord]) -> str | None:
    """The name the pairs are indexed by on the picks' lines (`edge_index` in `edge_index[0]`)."""
    import re

    names = set()
    for r in rows:
        source = r.called_at.source if r.called_at else ""
        names |= set(re.findall(r"([A-Za-z_][\w.]*)\[\s*[01]\s*\]", source))
    return names.pop() if len(names) == 1 else None


def _pair_line_fix(rows: list[LayerRecord], name: str | None) -> Fix | None:
    """`src, dst = edge_index[0], edge_index[1]` → `edge_index[:, 0], edge_index[:, 1]`: the
    columns of the list of pairs, on the one line that picks both."""
    import re

    lines = {(r.called_at.file, r.called_at.line) for r in rows if r.called_at}
    if name is None or len(lines) != 1 or rows[0].called_at is None:
        return None
    at = rows[0].called_at
    after = re.sub(rf"(?<![\w.]){re.escape(name)}\[\s*([01])\s*\]", rf"{name}[:, \1]", at.source)
    if after == at.source:
        return None
    return line_fix(
        f"or keep the list of pairs and read its columns: `{name}[:, 0]` the sources, `{name}[:, 1]` the targets",
        at,
        at.source,
        after,
        after,
    )
