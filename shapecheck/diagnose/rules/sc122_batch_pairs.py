"""SC122 batch-pairs.

What it does: finds an elementwise op (`-`, `+`, `*`, `/`) whose result has two dims that
follow the batch although no operand has more than one, because the operands differ in rank:
`[B, 1] - [B]` broadcasts to `[B, B]`, every sample paired with every other. Which dims follow
the batch is measured (dim provenance: a second trace at another batch size). Operands of the
same rank whose size-1 dims put the batch apart (`[B, 1, D] * [1, B, D]`, a similarity matrix)
are what the code asked for, and are not flagged; nor is one tensor paired with a view of itself
(`s.view(-1, 1) - s`: every s_i − s_j, a ranking or survival loss over the batch).

Why is this bad? Nothing fails, and a mean over the result is a number of the right kind: a
regression loss `((out - y) ** 2).mean()` with `out` [B, 1] and `y` [B] averages B² differences
between unrelated samples.

Example:
    loss = ((out - y) ** 2).mean()       # out [B, 1], y [B]

Use instead:
    loss = ((out.squeeze(1) - y) ** 2).mean()

Fix safety: safe (no parameter changes); the longer operand squeezed, or the shorter one given
the size-1 dim, each re-traced at batch 3 where a pairing still there shows.
"""

from __future__ import annotations

import re

from ...trace.records import LayerRecord
from ..context import Context, op_site
from ..findings import SAFE, WARNING, Finding, Fix, line_fix
from ..numbers import parsed_line, shape
from ..provenance import ProvenanceMap, provenance
from ..registry import rule
from ..requests import Edit, Rerun
from .common import ref
from .operands import operand_receiver, rewrite_operands


@rule("SC122", WARNING)
def check(ctx: Context) -> list[Finding]:
    rows = [
        r
        for r in ctx.trace.layers
        if r.kind == "op"
        and r.attrs.get("category") == "elementwise"
        and len(r.inputs) >= 2
        and r.outputs
        and len({t.rank for t in r.inputs}) > 1  # operands of one rank are left alone (see below)
        and r.outputs[0].rank >= 2
    ]
    picks = [
        r
        for r in ctx.trace.layers
        if r.kind == "op" and r.type == "Tensor.__getitem__" and len(r.inputs) == 2 and r.outputs
    ]
    if not (rows or picks) or ctx.trace.batch is None:
        return []
    prov = provenance(ctx)
    if prov is None:
        return []
    findings = []
    for row in rows:
        finding = _pairs(prov, row, ctx.trace.batch)
        if finding is not None:
            findings.append(finding)
    for row in picks:
        finding = _picked_pairs(prov, row)
        if finding is not None:
            findings.append(finding)
    return findings


def _picked_pairs(prov: ProvenanceMap, row: LayerRecord) -> Finding | None:
    """`q[:, a]` with `a` one action per sample: the `:` keeps every sample and the index picks,
    for each of them, the column of every sample's action: [B, B], every sample paired with every
    other (the diagonal is what was meant). One index tensor that follows the batch, placed after a
    full slice over the batch dim of a tensor whose batch is dim 0."""
    out = prov.batch_dims(row, "outputs", 0, ones=True)
    data = prov.batch_dims(row, "inputs", 0)
    if out is None or len(out) < 2 or data != [0]:
        return None
    items = (row.attrs.get("args") or [None, None])[1]
    if not isinstance(items, list) or not items or items[0] != "slice(None, None, None)":
        return None
    tensors = [i for i, item in enumerate(items) if item == "<tensor>"]
    if len(tensors) != 1 or len(row.inputs) != 2 or prov.batch_dims(row, "inputs", 1) != [0]:
        return None
    if row.inputs[1].rank != 1:
        return None
    x, index, result = row.inputs[0], row.inputs[1], row.outputs[0]
    source = row.called_at.source if row.called_at else ""
    written = _diagonal_pick(source)
    return Finding(
        code="SC122",
        severity=WARNING,
        layer=row.name,
        message=f"{ref(row)} picks from every sample the entries of every sample's index: {shape(x.shape)} "
        f"indexed by {shape(index.shape)} after `:` gives {shape(result.shape)}",
        location=row.location,
        row=row.index,
        why=[
            f"the index {shape(index.shape)} has one entry per sample (it changes with the batch), and `:` keeps "
            f"all {x.shape[0]} samples of dim 0",
            f"advanced indexing pairs them: result[i, j] is sample i at sample j's index, so dims {out[0]} and "
            f"{out[1]} of {shape(result.shape)} both follow the batch; the pairs meant are the diagonal",
        ],
        fixes=[
            Fix(
                description="index each sample by its own entry: an arange over the batch in place of `:` "
                "(or `x.gather(1, index[:, None]).squeeze(1)`)",
                code=written or "x[torch.arange(x.size(0)), index]",
                safety=SAFE,
                location=row.called_at if written else None,
                before=source if written else None,
                after=written,
                check_note="not checked: shapecheck does not apply this change of code",
            )
        ],
    )


def _diagonal_pick(source: str) -> str | None:
    """`q = vs[:, a]` → `q = vs[torch.arange(vs.size(0)), a]`; None when the line does not show
    one such subscript of a plain name."""
    import ast

    parsed = parsed_line(source)
    if parsed is None:
        return None
    indent, text, tree = parsed
    found = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Subscript)
        and isinstance(n.slice, ast.Tuple)
        and n.slice.elts
        and isinstance(n.slice.elts[0], ast.Slice)
        and n.slice.elts[0].lower is None
        and n.slice.elts[0].upper is None
        and n.slice.elts[0].step is None
    ]
    if len(found) != 1 or not text.isascii():
        return None
    node = found[0]
    assert isinstance(node.slice, ast.Tuple)
    first = node.slice.elts[0]
    receiver = ast.get_source_segment(text, node.value)
    if receiver is None or first.end_lineno != 1:
        return None
    pick = f"torch.arange({receiver}.size(0))"
    return indent + text[: first.col_offset] + pick + text[first.end_col_offset :]


def _pairs(prov: ProvenanceMap, row: LayerRecord, batch: int) -> Finding | None:
    out = prov.batch_dims(row, "outputs", 0, ones=True)
    if out is None or len(out) < 2:
        return None
    found = [prov.batch_dims(row, "inputs", i) for i in range(len(row.inputs))]
    operands = [o for o in found if o is not None]
    if len(operands) != len(found) or any(len(o) > 1 for o in operands):
        return None
    if sum(1 for o in operands if o) < 2:
        return None  # one operand alone brings the batch: its two batch dims come from elsewhere
    if len({t.rank for t in row.inputs}) == 1:
        return None  # size-1 dims put the batch dims apart on purpose (`z[:, None] * z[None]`)
    if _joins_a_pair_matrix(prov, row) or _pairs_one_tensor_with_itself(prov.trace, row):
        return None
    a, b = row.inputs[0], row.inputs[1]
    result = row.outputs[0]
    why = [
        f"{shape(a.shape)} and {shape(b.shape)} each have one dim that follows the batch "
        f"(dim {operands[0][0]} and dim {operands[1][0]}; they change when the batch does)",
        f"broadcasting aligns dims from the right, so those two land in different dims of the result "
        f"{shape(result.shape)}: dims {out[0]} and {out[1]} both follow the batch",
        "every sample is paired with every other; a mean or sum over it mixes unrelated samples",
    ]
    return Finding(
        code="SC122",
        severity=WARNING,
        layer=row.name,
        message=f"{ref(row)} pairs every sample with every other: {shape(a.shape)} and "
        f"{shape(b.shape)} broadcast to {shape(result.shape)}",
        location=row.location,
        row=row.index,
        why=why,
        fixes=_keepdim_fixes(prov.trace, row, batch)
        or _fixes(row, batch, _combined_at_rank(prov.trace, row), squeeze=not _squeeze_misaligns(prov, row)),
    )


# Reductions that drop the dim they reduce unless told `keepdim=True`.
_REDUCTIONS = frozenset({"sum", "mean", "amax", "amin", "prod", "std", "var", "norm", "logsumexp", "nansum", "nanmean"})


def _keepdim_fixes(trace, row: LayerRecord, batch: int) -> list[Fix]:
    """The shorter operand lost its dim in a reduction: `torch.sum(x, 1)` of a [B, C, H, W] map
    is [B, H, W], and beside a [B, 1, H, W] operand the batch lands in dim 1. The cause is the
    reduction, not the line that combines: `keepdim=True` there keeps the reduced dim as 1 where
    the other operand has its 1, and every use of the sum lines up. Found by walking back from the
    shorter operand through elementwise ops with one tensor operand (`s + eps`) to a reduction
    over one dim of a tensor of the longer operand's rank; every such reduction on that line
    gets keepdim (one edit covers the call site), checked at a batch of 3 or more."""
    a, b = row.inputs[0], row.inputs[1]
    if abs(a.rank - b.rank) != 1:
        return []
    longer, shorter = (a, b) if a.rank > b.rank else (b, a)
    src = trace.row(shorter.source)
    for _ in range(4):
        if src is None or src.kind != "op":
            return []
        tensors = [t for t in src.inputs if t.rank > 0]
        if src.attrs.get("category") == "elementwise" and len(tensors) == 1:
            src = trace.row(tensors[0].source)
            continue
        break
    if src is None or src.kind != "op" or src.type.split(".")[-1] not in _REDUCTIONS or not src.inputs:
        return []
    args = src.attrs.get("args") or []
    kwargs = src.attrs.get("kwargs") or {}
    dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
    if isinstance(dim, (list, tuple)) and len(dim) == 1:
        dim = dim[0]
    if type(dim) is not int or kwargs.get("keepdim") or (len(args) > 2 and args[2] is True):
        return []
    reduced = src.inputs[0]
    if reduced.rank != longer.rank:
        return []
    dim %= reduced.rank
    if dim >= len(longer.shape) or longer.shape[dim] != 1:
        return []  # kept, the reduced dim would not sit where the other operand has its 1
    at = src.called_at
    source = at.source if at else ""
    written = _with_keepdim(source, src.type.split(".")[-1])
    edit = Edit("op_args", op_site(src), params=(("keepdim", True),))
    return [
        line_fix(
            f"keep the reduced dim: `{src.type.split('.')[-1]}` over dim {dim} of {shape(reduced.shape)} drops it, "
            f"so its result {shape(shorter.shape)} sits one dim off {shape(longer.shape)}; with keepdim=True it is "
            f"{shape(tuple(1 if i == dim else n for i, n in enumerate(reduced.shape)))}, one value per sample",
            at,
            source,
            written,
            "keepdim=True",
            Rerun(batch=max(batch, 1) + 2, edits=(edit,)),
        )
    ]


def _with_keepdim(source: str, name: str) -> str | None:
    """The line with `keepdim=True` added to each call of the reduction `name` (`torch.sum(x, 1)`,
    `x.sum(1)`) that has no keepdim; None when the line does not parse alone or has none."""
    import ast

    parsed = parsed_line(source)
    if parsed is None:
        return None
    indent, text, tree = parsed
    ends: list[int] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, (ast.Attribute, ast.Name)):
            continue
        called = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        if called != name or any(k.arg == "keepdim" for k in node.keywords) or node.end_lineno != 1:
            continue
        if node.end_col_offset is not None:
            ends.append(node.end_col_offset)
    if not ends or not text.isascii():
        return None
    for end in sorted(ends, reverse=True):
        text = text[: end - 1] + ", keepdim=True" + text[end - 1 :]
    return indent + text


def _joins_a_pair_matrix(prov: ProvenanceMap, row: LayerRecord) -> bool:
    """The pairs are the point: the same line also pairs the samples on its own, a Gram matrix
    `x @ x.t()` ([B, B] from operands with one batch dim each). In-batch squared distances written
    `(x ** 2).sum(1, keepdim=True) + (x ** 2).sum(1) - 2 * x @ x.t()` build that matrix term by
    term; a regression loss `((out - y) ** 2).mean()` has no such term."""
    line = row.called_at
    if line is None:
        return False
    for other in prov.trace.layers:
        if other is row or other.kind != "op" or other.called_at != line or not other.outputs:
            continue
        dims = prov.batch_dims(other, "outputs", 0)
        if dims is not None and len(dims) >= 2 and other.attrs.get("category") == "matmul":
            return True
    return False


# Ops that only rearrange a tensor's values (same values, another layout or a unit dim more).
_REARRANGES = frozenset(
    {"view", "reshape", "unsqueeze", "squeeze", "flatten", "unflatten", "t", "transpose", "permute", "contiguous"}
)


def _pairs_one_tensor_with_itself(trace, row: LayerRecord) -> bool:
    """Both operands are one tensor, one of them only given a unit dim (`s.view(-1, 1) - s`,
    `y[:, None] - y`): the difference of a tensor with itself, elementwise, is zero, so the pairs
    are what the code asks for (RankNet's s_i − s_j over a batch, a survival model's risk set). A
    regression loss pairs two tensors (`out - y`); a sum beside its own input (`x - x.sum(1)`) has
    values of its own and is not a rearrangement."""
    bases = {_rearranged_from(trace, t) for t in row.inputs[:2]}
    return len(row.inputs) == 2 and len(bases) == 1 and None not in bases


def _rearranged_from(trace, t) -> int | None:
    """The lineage id of the tensor `t` is a view of, through ops that only rearrange values
    (views, unit dims, transposes, `[:, None]` subscripts)."""
    for _ in range(8):
        src = trace.row(t.source) if t.source is not None else None
        if src is None or src.kind != "op" or not src.inputs:
            break
        name = src.type.split(".")[-1]
        if name == "__getitem__":
            items = (src.attrs.get("args") or [None, None])[1]
            items = items if isinstance(items, list) else [items]
            if len(src.inputs) != 1 or not all(
                i in (None, "None", "slice(None, None, None)", "Ellipsis") for i in items
            ):
                break
        elif name not in _REARRANGES or len([i for i in src.inputs if i.rank > 0]) != 1:
            break
        t = src.inputs[0]
    return t.tid


def _squeeze_misaligns(prov: ProvenanceMap, row: LayerRecord) -> bool:
    """The longer operand, its last size-1 dim dropped, lines up a dim of its own against one of
    the other operand that follows something else (provenance): time features [B, 1, 1, 1, C]
    from timesteps given as [B, 1], squeezed to [B, 1, 1, C] beside a map [B, C, H, W], would
    add the C features along the width, which runs only while W equals C."""
    a, b = row.inputs[0], row.inputs[1]
    if abs(a.rank - b.rank) != 1:
        return False
    longer, position = (a, 0) if a.rank > b.rank else (b, 1)
    ones = [d for d, size in enumerate(longer.shape) if size == 1]
    follows = _operand_follows(prov, row, position)
    others = _operand_follows(prov, row, 1 - position)
    if not ones or follows is None or others is None:
        return False
    kept = [(n, f) for d, (n, f) in enumerate(zip(longer.shape, follows, strict=True)) if d != ones[-1]]
    shorter = row.inputs[1 - position].shape
    for (n, f), m, g in zip(reversed(kept), reversed(shorter), reversed(others), strict=False):
        if n > 1 and m > 1 and f != g:
            return True
    return False


def _operand_follows(prov: ProvenanceMap, row: LayerRecord, index: int) -> list[frozenset[str]] | None:
    """What each dim of operand `index` follows, read where it was made: the row that made it ran
    at the other sizes even where this op fails there (a trace that fails here says nothing of
    the dims that made it fail)."""
    t = row.inputs[index]
    src = prov.trace.row(t.source) if t.source is not None else None
    if src is not None:
        for k, out in enumerate(src.outputs):
            if out.tid == t.tid and out.shape == t.shape:
                return prov.dims(src, "outputs", k)
    return prov.dims(row, "inputs", index)


def _fixes(row: LayerRecord, batch: int, keep_rank: bool = False, squeeze: bool = True) -> list[Fix]:
    """Bring the operand with the extra size-1 dim down to the other's rank, or the other up to
    its rank, in the user's line; each checked at a batch of 3 or more, where a pairing that
    is still there shows (at batch 1 every candidate runs). Not the squeeze when it would line
    up dims that follow different sizes (`_squeeze_misaligns`)."""
    a, b = row.inputs[0], row.inputs[1]
    if abs(a.rank - b.rank) != 1:
        return []
    longer, position = (a, 0) if a.rank > b.rank else (b, 1)
    ones = [d for d, size in enumerate(longer.shape) if size == 1]
    if not ones:
        return []
    dim = ones[-1]
    shorter = b if position == 0 else a
    source = row.called_at.source if row.called_at else ""
    at = max(batch, 1) + 2
    written = rewrite_operands(
        parsed_line(source),
        row,
        position,
        lambda text, _other: "{0}.squeeze({2}){1}".format(*operand_receiver(text), dim),
    )
    if written is None:  # not one binary op on the line: say it by name
        names = re.search(r"([A-Za-z_][\w.]*)\s*[-+*/]\s*([A-Za-z_][\w.]*)", source)
        name = names.group(1 + position) if names else ("out" if position == 0 else "y")
        return [
            Fix(
                description=f"drop the size-1 dim {dim} of {shape(longer.shape)} so both operands are one value per "
                "sample",
                code=f"{name}.squeeze({dim})",
                safety=SAFE,
                check_note="not checked: shapecheck does not apply this change of code",
            )
        ]
    edit = Edit("arg_method", op_site(row), params=(("index", position), ("method", "squeeze"), ("args", (dim,))))
    fixes = [
        line_fix(
            f"drop the size-1 dim {dim} of {shape(longer.shape)} so both operands are one value per sample",
            row.called_at,
            source,
            written,
            written,
            Rerun(batch=at, edits=(edit,)),
        )
    ]
    if not squeeze:
        fixes = []
    raised = rewrite_operands(
        parsed_line(source),
        row,
        1 - position,
        lambda text, _other: "{0}.unsqueeze({2}){1}".format(*operand_receiver(text), dim),
    )
    if raised is not None:  # what reads the result may want it at the longer one's rank
        edit = Edit(
            "arg_method", op_site(row), params=(("index", 1 - position), ("method", "unsqueeze"), ("args", (dim,)))
        )
        fixes.append(
            line_fix(
                f"or give {shape(shorter.shape)} the size-1 dim {dim} too, so both are {shape(longer.shape)}: one "
                "value per sample, and the result keeps its rank",
                row.called_at,
                source,
                raised,
                raised,
                Rerun(batch=at, edits=(edit,)),
            )
        )
        if keep_rank and len(fixes) == 2:  # what reads the result takes it with tensors of the longer one's rank
            fixes.reverse()
            fixes[0].description = fixes[0].description.removeprefix("or ")
            fixes[1].description = "or " + fixes[1].description
    return fixes


def _combined_at_rank(trace, row: LayerRecord) -> bool:
    """The result goes, through elementwise ops, into a row that takes it with other tensors,
    all of the result's rank (a loss's `weight` beside input and target [B, 1]): a squeezed
    result would not line up with them."""
    index, rank = row.index, row.outputs[0].rank
    for later in trace.layers[row.index + 1 :]:
        where = [i for i, t in enumerate(later.inputs) if t.source == index]
        if not where:
            continue
        others = [t for i, t in enumerate(later.inputs) if i not in where]
        if (
            later.kind == "op"
            and later.attrs.get("category") == "elementwise"
            and len(later.inputs) == 1 + len([t for t in others if t.rank == 0])
        ):
            index = later.index  # `w + 1.0`: follow the result on
            continue
        return bool(others) and all(t.rank == rank for t in others)
    return False
