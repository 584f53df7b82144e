"""SC119 batch-broadcast.

What it does: compares the trace with one at another batch size and finds an elementwise op
(`+`, `*`, …) that broadcasts the batch against another dim:
- a tensor made from the model's own weights or buffers whose size follows the batch, added
  across the positions of each sample: the PyTorch tutorial's positional encoding
  (`x + self.pe[:x.size(0)]`, written for `[T, B, E]`) used with batch-first data `[B, T, E]`
  gives each sample one vector for all its positions;
- at batch 1, the batch dim of the data broadcast against a length: `[1, 50, 64] + [50, 1, 64]`
  is `[50, 50, 64]`, and the same model fails at batch 2;
- at batch 1, a per-sample operand `[B]` that an op broadcasts itself (a loss's `weight=`)
  against `[B, C]`: one weight spread over the classes, and the op fails at batch 3.

Why is this bad? Nothing fails at the size you tried: the model trains on garbled inputs.

Example:
    return x + self.pe[:x.size(0)]            # x is [batch, time, d_model]

Use instead:
    return x + self.pe[:x.size(1)].transpose(0, 1)   # [1, time, d_model]

Fix safety: safe (no parameter changes), but the change is to code shapecheck cannot apply:
not verified.
"""

from __future__ import annotations

import ast
import re

from ..context import Context
from ..findings import SAFE, WARNING, Finding, Fix
from ..numbers import shape
from ..provenance import matching_row
from ..registry import rule
from ..requests import Edit, Rerun
from ..roles import following_dims, twin
from .common import ref

# Ops that repeat one tensor along the batch: every sample gets the same values, as intended.
_REPEATS = ("expand", "expand_as", "broadcast_to", "repeat", "repeat_interleave", "tile")
# Ops whose result holds the rows of their first operand: indexed (a table's rows) or written into.
_LOOKUPS = ("__getitem__", "index_select", "gather", "take", "narrow")
_FROM_FIRST = (
    *_LOOKUPS, "index_add", "index_add_", "index_copy", "index_copy_", "index_put", "index_put_", "index_fill",
    "index_fill_", "scatter", "scatter_", "scatter_add", "scatter_add_", "scatter_reduce", "scatter_reduce_",
    "masked_fill", "masked_fill_", "masked_scatter",
)  # fmt: skip
_EMBEDDINGS = ("Embedding", "EmbeddingBag")
_SLICED_BY_BATCH = re.compile(r"\[\s*:\s*([A-Za-z_]\w*)\.size\(\s*0\s*\)\s*\]")


@rule("SC119", WARNING)
def check(ctx: Context) -> list[Finding]:
    if twin(ctx) is None:
        return []
    findings: list[Finding] = []
    for row in ctx.trace.layers:
        if row.kind != "op" or row.attrs.get("category") != "elementwise" or len(row.inputs) < 2:
            continue
        other = _twin_row(ctx, row)
        if other is None or len(other.inputs) != len(row.inputs):
            continue
        finding = _constant_follows_batch(ctx, row, other) or _batch_one_broadcast(ctx, row, other)
        if finding is not None:
            findings.append(finding)
    for row in ctx.trace.layers:  # an op that broadcasts its operands itself (a loss's `weight`)
        if row.kind != "op" or row.attrs.get("category") == "elementwise" or len(row.inputs) < 2:
            continue
        other = _twin_row(ctx, row)
        if other is None or len(other.inputs) != len(row.inputs) or not other.failed:
            continue
        finding = _batch_one_only(ctx, row, other)
        if finding is not None:
            findings.append(finding)
    return findings


def _twin_row(ctx: Context, row):
    """The same call in the trace at the other batch size (matched by its call, not its position:
    an op that broadcasts at one size only is a row there only)."""
    other = twin(ctx)
    return matching_row(other, row) if other is not None else None


def _following_batch(row, other, from_input: bool):
    """(operand, its twin, the one dim that follows the batch) for operands computed from the model
    input (or, with from_input=False, from weights and buffers)."""
    for t, u in zip(row.inputs, other.inputs, strict=True):
        if bool(t.from_input) != from_input or (not from_input and t.from_input is None):
            continue
        follows = following_dims(t, u)
        if len(follows) == 1:
            yield t, u, follows[0]


def _constant_follows_batch(ctx: Context, row, other) -> Finding | None:
    data = [t for t in row.inputs if t.from_input]
    if not data or not row.outputs:
        return None
    x = data[0]
    out = row.outputs[0]
    if not out.dtype.startswith(("float", "bfloat", "complex")):
        return None  # indices or masks: a per-sample offset (`idx + arange(B).view(-1, 1, 1) * N`), no features
    for t, u, k in _following_batch(row, other, from_input=False):
        if _made_at_batch_size(ctx, t, u):
            continue  # per-row values made at the batch's size (a node degree `zeros(B * N)`), no table
        j = _spread_dim(ctx, t, k, out)
        if j is None:
            continue
        positions = out.shape[j + out.rank - t.rank]
        why = [
            f"{ref(row)} combines {shape(x.shape)} with {shape(t.shape)}, which is made from the model's own "
            f"weights or buffers, not from its input",
            f"dim {k} of {shape(t.shape)} follows the batch size ({t.shape[k]} here, {u.shape[k]} at batch "
            f"{(ctx.trace.batch or 0) + 2}): it was sliced or sized by the batch",
            f"its dim {j} is 1, so each sample gets one vector for all its {positions} positions",
        ]
        return Finding(
            code="SC119",
            severity=WARNING,
            layer=row.name,
            message=f"{ref(row)} adds a tensor sized by the batch across the {positions} positions of each sample",
            location=row.called_at,
            row=row.index,
            why=why,
            fixes=_table_fixes(row, t, k),
            notes=[
                "a positional table written for [T, B, E] (`pe[:x.size(0)]`) used with batch-first [B, T, E] "
                "data does this"
            ],
        )
    return None


def _spread_dim(ctx: Context, t, k: int, out) -> int | None:
    """The first dim of `t` (whose dim k follows the batch) that is 1 and broadcasts over the
    output's positions; None when `t` repeats one tensor per sample, or has positions of its own."""
    made = ctx.trace.row(t.source) if t.source is not None else None
    if made is not None and made.type.rsplit(".", 1)[-1] in _REPEATS:
        return None  # the same values repeated for each sample (a causal mask expanded to the batch)
    offset = out.rank - t.rank
    spread = [j for j in range(t.rank) if t.shape[j] == 1 and out.shape[j + offset] > 1]
    if not spread:
        return None
    if any(t.shape[j] > 1 for j in range(t.rank - 1) if j != k):
        return None  # it has positions of its own (RoPE's [B, N, 1, D] over heads): not one vector for all
    return spread[0]


def _table_fixes(row, t, k: int) -> list[Fix]:
    """A positional table sliced by the batch (`pe[:x.size(0)]`): indexed by position instead,
    when the line shows it; or the data fed sequence-first. Neither can be checked."""
    source = row.called_at.source if row.called_at else ""
    fixes = []
    match = _SLICED_BY_BATCH.search(source)
    if match and t.rank == 3 and t.shape[1] == 1 and k == 0:
        var = match.group(1)
        after = source[: match.start()] + f"[:{var}.size(1)].transpose(0, 1)" + source[match.end() :]
        fixes.append(
            Fix(
                description="index the table by position (dim 1 of batch-first data) and put its batch dim of "
                "size 1 in front, so every sample gets the same vector per position",
                code=after,
                safety=SAFE,
                location=row.called_at,
                before=source,
                after=after,
                check_note="not checked: the table is indexed in code shapecheck cannot rewrite",
            )
        )
    fixes.append(
        Fix(
            description="or, if the rest of the model reads [T, B, E], feed it sequence-first data and build its "
            "layers without batch_first=True",
            safety=SAFE,
            check_note="not checked: a change of the data layout",
        )
    )
    return fixes


def _batch_one_broadcast(ctx: Context, row, other) -> Finding | None:
    if ctx.trace.batch != 1 or not row.outputs:
        return None
    out = row.outputs[0]
    for t, _u, k in _following_batch(row, other, from_input=True):
        offset = out.rank - t.rank
        if t.shape[k] != 1 or out.shape[k + offset] == 1:
            continue
        size = out.shape[k + offset]
        partner = next((p for p in row.inputs if p is not t and p.rank >= out.rank - k - offset), None)
        fails = other.failed
        why = [
            f"dim {k} of {shape(t.shape)} is the batch (it follows the batch size); at batch 1 it is broadcast "
            f"against {size}" + (f" of {shape(partner.shape)}" if partner is not None else ""),
            f"the result {shape(out.shape)} holds {size} rows where there is one sample",
        ]
        why.append(
            f"at batch {ctx.trace.batch + 2} this op fails"
            if fails
            else f"at batch {ctx.trace.batch + 2} it returns {shape(other.outputs[0].shape) if other.outputs else '…'}"
        )
        fixes = [
            Fix(
                description="align the other operand so that its batch dim is 1 where the data has the "
                "batch (`unsqueeze`/`transpose` it), then check with --batch 2",
                safety=SAFE,
                check_note="not checked: a change of code shapecheck cannot apply",
            )
        ]
        # The rows came from a view whose -1 took the rest of a sample (a size written for another
        # input, `view(-1, C, 32 * 32)` of a 64x64 map): that size, read from the tensor, is the fix.
        cut = _cut_by_view(ctx, partner) if partner is not None else None
        if cut is not None:
            view, sized = cut
            why.append(f"the {size} rows come from {ref(view)}: its -1 takes the part of each sample its sizes leave")
            fixes.insert(0, sized)
        return Finding(
            code="SC119",
            severity=WARNING,
            layer=row.name,
            message=f"{ref(row)} broadcasts the batch dim against a size of {size}: {shape(out.shape)} at batch 1",
            location=row.called_at,
            row=row.index,
            why=why,
            fixes=fixes,
        )
    return None


def _made_at_batch_size(ctx: Context, t, u, depth: int = 0) -> bool:
    """`t` (`u` at the other batch size) holds values made per sample rather than rows of a table
    cut by the batch: its lineage, through ops only, starts at tensors created at a size read
    from the batch (a node degree `torch.zeros(B * N).index_add_(0, dst, ones)`), tiles one to
    the batch, or looks a table up at such values (a noise schedule read at random timesteps,
    `alphas[torch.randint(T, (B,))]`). Positions (`torch.arange(B)`, `pe[:x.size(0)]`) pick a
    table's rows by the sample's place in the batch: not made per sample."""
    if t.source is None:
        return t.values is None and bool(following_dims(t, u))
    row = ctx.trace.row(t.source)
    other = _twin_row(ctx, row) if row is not None else None
    if row is None or other is None or depth > 16 or len(other.inputs) != len(row.inputs):
        return False
    op = row.type.rsplit(".", 1)[-1]
    pairs = list(zip(row.inputs, other.inputs, strict=True))
    if row.kind != "op":
        # an embedding looked up at per-sample values (random class labels), not at positions
        return op in _EMBEDDINGS and bool(pairs) and _looked_up(ctx, pairs, depth)
    if op in _REPEATS:
        return True  # one tensor tiled to the batch's size
    if op in _LOOKUPS and pairs and not following_dims(*pairs[0]):
        return _looked_up(ctx, pairs[1:], depth)  # a fixed table's rows, picked by its index
    if op in _FROM_FIRST:
        pairs = pairs[:1]  # the values are the first operand's rows: a table indexed, or a tensor written into
    pairs = [(a, b) for a, b in pairs if not a.from_input]
    if op in _FROM_FIRST and (not pairs or not following_dims(*pairs[0])):
        return False  # rows of a fixed-size table
    pairs = [(a, b) for a, b in pairs if following_dims(a, b)]
    return bool(pairs) and all(_made_at_batch_size(ctx, a, b, depth + 1) for a, b in pairs)


def _looked_up(ctx: Context, indices, depth: int) -> bool:
    """A table read at indices that follow the batch, every one of them made per sample."""
    made = [(a, b) for a, b in indices if not a.from_input and following_dims(a, b)]
    return bool(made) and all(_made_at_batch_size(ctx, a, b, depth + 1) for a, b in made)


def _batch_one_only(ctx: Context, row, other) -> Finding | None:
    """At batch 1, an operand that is one value per sample ([B]) lines its batch dim up with a
    dim of another operand that is not its batch ([B, C]: the classes) inside an op that
    broadcasts them itself (`weight=` of a loss); the same op fails at a larger batch."""
    if ctx.trace.batch != 1 or row.failed or not row.called_at:
        return None
    pairs = list(zip(row.inputs, other.inputs, strict=True))
    for i, (t, u) in enumerate(pairs):
        follows = following_dims(t, u)
        if not t.from_input or len(follows) != 1 or t.shape[follows[0]] != 1:
            continue
        k = follows[0]
        for p, q in pairs:
            extra = p.rank - t.rank
            if p is t or not p.from_input or extra < 1 or following_dims(p, q) != [k] or p.shape[k + extra] == 1:
                continue
            return _only_finding(ctx, row, i, t, p, k, extra)
    return None


def _only_finding(ctx: Context, row, index: int, t, p, k: int, extra: int) -> Finding:
    at = (ctx.trace.batch or 1) + 2
    size = p.shape[k + extra]
    why = [
        f"dim {k} of {shape(t.shape)} is the batch (it follows the batch size), one value per sample",
        f"{ref(row)} aligns it from the right with dim {k + extra} of {shape(p.shape)}, which is {size} and "
        f"not the batch: at batch 1 the one value is spread over those {size}",
        f"at batch {at} this op fails: {shape((at, *t.shape[1:]))} against {shape((at, *p.shape[1:]))}",
    ]
    return Finding(
        code="SC119",
        severity=WARNING,
        layer=row.name,
        message=f"{ref(row)} runs at batch 1 only: the per-sample {shape(t.shape)} lines its batch dim up with "
        f"dim {k + extra} of {shape(p.shape)}",
        location=row.called_at,
        row=row.index,
        why=why,
        fixes=_trailing_fix(row, index, extra, at),
    )


def _trailing_fix(row, index: int, extra: int, at: int) -> list[Fix]:
    """The per-sample operand given `extra` trailing size-1 dims on the user's line, so its batch
    dim meets the other's batch dim; checked at a batch where the misalignment fails."""
    source = row.called_at.source
    span = _operand_span(row, index, source.strip())
    if span is None:
        return []
    text = source.strip()
    indent = source[: len(source) - len(source.lstrip())]
    start, end = span
    written = text[start:end]
    if not re.fullmatch(r"[\w.]+(\(.*\)|\[.*\])?", written):
        written = f"({written})"  # an expression: the method applies to all of it
    after = indent + text[:start] + written + ".unsqueeze(-1)" * extra + text[end:]
    where = row.called_at
    params = (("file", where.file), ("line", where.line), ("before", source), ("after", after))
    return [
        Fix(
            description=f"give it {extra} trailing size-1 dim{'s' if extra > 1 else ''} so it broadcasts per sample "
            f"(checked at batch {at})",
            code=after,
            safety=SAFE,
            location=where,
            before=source,
            after=after,
            rerun=Rerun(batch=at, edits=(Edit("source_line", params=params),)),
        )
    ]


def _operand_span(row, index: int, text: str) -> tuple[int, int] | None:
    """Where the stripped line `text` writes the op's tensor argument `index` (positional tensors
    first, then keyword ones as recorded), for a call of a function (`F.loss(a, b, weight=w)`)."""
    slots = [("pos", j) for j, a in enumerate(row.attrs.get("args") or []) if a == "<tensor>"]
    slots += [("kw", key) for key, value in row.attrs.items() if key != "args" and value == "<tensor>"]
    if index >= len(slots):
        return None
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    name = row.type.rsplit(".", 1)[-1]
    kind, key = slots[index]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if called != name or (isinstance(func, ast.Attribute) and not isinstance(func.value, ast.Name)):
            continue
        if kind == "pos":
            found = node.args[key] if isinstance(key, int) and key < len(node.args) else None
        else:
            found = next((kw.value for kw in node.keywords if kw.arg == key), None)
        if found is None or found.end_col_offset is None or found.lineno != 1 or found.end_lineno != 1:
            return None
        return found.col_offset, found.end_col_offset
    return None


_VIEWS = ("Tensor.view", "Tensor.reshape", "torch.reshape")


def _cut_by_view(ctx: Context, tensor):
    """(the view, its fix) for the nearest view upstream of `tensor` that cuts samples into
    rows with a size written for another input: `x.view(-1, C, 32 * 32)` of [B, C, 64, 64]."""
    from .sc106_batch_mixing import _per_sample_size_fix

    todo = [tensor.source] if tensor.source is not None else []
    seen: set[int] = set()
    while todo and len(seen) < 200:
        index = todo.pop(0)
        if index in seen:
            continue
        seen.add(index)
        row = ctx.trace.row(index)
        if row is None:
            continue
        if row.kind == "op" and row.type in _VIEWS and row.inputs and row.outputs:
            sized = _per_sample_size_fix(row)
            if sized is not None:
                return row, sized
        todo.extend(t.source for t in row.inputs if t.source is not None)
    return None
