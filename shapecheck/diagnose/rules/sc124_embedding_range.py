"""SC124 embedding-range.

What it does: finds an `nn.Embedding` (or `F.embedding`) that receives indices past the end of
its table where the indices' values are known without running the model: positions made by
`torch.arange(length)` (and unsqueezed, expanded, shifted by a constant). The usual case is a
learned positional embedding built for `max_len` positions fed a longer sequence. The meta
device computes no values, so this is checked where shapecheck can follow them; a real run
fails with `IndexError: index out of range in self`, and on a GPU with a device-side assert.

Why is this bad? The model fails only on inputs longer than any it was tried with, often in
production, with a message that names neither the layer nor the length.

Example:
    self.pos = nn.Embedding(512, 64)
    positions = torch.arange(ids.size(1))        # 600 tokens

Use instead:
    keep sequences to 512 tokens (truncate), or build `nn.Embedding(600, 64)`

Fix safety: a shorter input is safe; a larger table is unsafe (new weights, checkpoints no
longer load). Both are verified by tracing again.
"""

from __future__ import annotations

from ...trace.records import LayerRecord
from ..context import Context
from ..findings import ERROR, SAFE, Finding, Fix, FixKind
from ..numbers import shape
from ..provenance import BATCH, provenance
from ..registry import rule
from ..requests import Edit, Rerun
from ..roles import is_library_file
from .common import first_argument_fix, ref


def _table(row: LayerRecord) -> int | None:
    if row.kind == "module" and row.type == "Embedding":
        n = row.attrs.get("num_embeddings")
        return n if isinstance(n, int) else None
    if row.kind == "op" and row.type == "F.embedding" and len(row.inputs) > 1 and row.inputs[1].rank == 2:
        return row.inputs[1].shape[0]
    return None


@rule("SC124", ERROR)
def check(ctx: Context) -> list[Finding]:
    row = ctx.trace.failing
    if row is None or not row.inputs:
        return []
    short = _buffer_too_short(ctx, row)
    if short is not None:
        return [short]
    table = _table(row)
    known = row.inputs[0].values
    if table is None or known is None or known[1] < table:
        return []
    low, high = known
    why = [
        f"{ref(row)} has {table} rows (indices 0 to {table - 1}); it receives {shape(row.inputs[0].shape)} "
        f"indices from {low} to {high}",
        f"the indices are positions made by `torch.arange`: {high + 1 - low} of them for this input",
    ]
    fixes = _shorter_input_fixes(ctx, row, table, high, why) + _more_rows_fixes(row, table, high)
    return [
        Finding(
            code="SC124",
            severity=ERROR,
            layer=row.name,
            message=f"{ref(row)} has {table} positions but receives positions up to {high}",
            location=row.called_at or row.location,
            row=row.index,
            why=why,
            notes=[
                "PyTorch reports: index out of range in self",
                "on a GPU the same lookup fails as a device-side assert, reported at a later call",
            ],
            fixes=fixes,
        )
    ]


def _shorter_input_fixes(ctx: Context, row: LayerRecord, table: int, high: int, why: list[str]) -> list[Fix]:
    """The input kept to as many positions as the table holds, where their number follows one
    input dim (with that reason added to `why`)."""
    length = _length_dim(ctx, row)
    if length is None:
        return []
    dim, size = length
    # each position fewer lowers the largest index by one: drop the ones past the table
    dims = tuple(size - (high - (table - 1)) if d == dim else s for d, s in enumerate(ctx.sample_dims))
    if not all(d > 0 for d in dims):
        return []
    dtype = ctx.trace.inputs[0].dtype if ctx.trace.inputs else "float32"
    spec = "x".join(map(str, dims)) + ("" if dtype == "float32" else f":{dtype.replace('int64', 'long')}")
    why.append(f"the number of positions follows input dim {dim} ({size} here)")
    return [
        Fix(
            description=f"keep the sequence to {dims[dim]} (truncate longer ones): --input {spec}",
            code=f"--input {spec}",
            kind=FixKind.INPUT,
            safety=SAFE,
            rerun=Rerun(dims=dims),
        )
    ]


def _more_rows_fixes(row: LayerRecord, table: int, high: int) -> list[Fix]:
    """An Embedding module built with a row for every position that arrives."""
    dim_out = row.attrs.get("embedding_dim")
    if row.kind != "module" or not isinstance(dim_out, int):
        return []
    edit = Edit("replace", row.name, "Embedding", (("num_embeddings", high + 1), ("embedding_dim", dim_out)))
    return [
        first_argument_fix(
            row,
            high + 1,
            f"or give {ref(row)} {high + 1} rows (new weights: a checkpoint of {table} rows no longer loads)",
            f"nn.Embedding({high + 1}, {dim_out})",
            Rerun(edits=(edit,)),
        )
    ]


def _length_dim(ctx: Context, row: LayerRecord) -> tuple[int, int] | None:
    """The per-sample input dim the number of positions follows (provenance), and its size."""
    prov = provenance(ctx)
    if prov is None:
        return None
    dims = prov.dims(row, "inputs", 0)
    if dims is None:
        return None
    sources = {s for follows in dims for s in follows} - {BATCH}  # positions expanded over the batch
    names = [s for s in sources if s.startswith("dim ")]
    if len(sources) != 1 or len(names) != 1:
        return None
    dim = int(names[0].split()[1])
    return (dim, ctx.sample_dims[dim]) if dim < len(ctx.sample_dims) else None


def _buffer_too_short(ctx: Context, row: LayerRecord) -> Finding | None:
    """A library's table of positions (a buffer of `max_position_embeddings` token-type or
    position ids, BERT's `buffered_token_type_ids.expand(batch, seq_length)`) expanded to a
    longer sequence than it holds: the model input's length L (token ids [B, L]) is asked of a
    dim that is S < L in a tensor made from the model's own weights or buffers. The input is
    too long for the model: keep it to S tokens, checked by tracing at that length."""
    if not _library_expand(ctx, row):
        return None
    length = ctx.trace.inputs[0].shape[1]
    table = row.inputs[0]
    asked = [a for a in row.attrs.get("args", [])[1:] if isinstance(a, int)]
    if table.from_input is not False or len(asked) != table.rank or length not in asked:
        return None
    held = table.shape[asked.index(length)]
    if held in (1, length) or held > length:
        return None
    spec = f"{held}:long"
    return Finding(
        code="SC124",
        severity=ERROR,
        layer=row.name,
        message=f"the input has {length} tokens; the model holds positions for {held}",
        location=row.called_at,
        row=row.index,
        why=[
            f"{ref(row)} expands a table of the model's own, {shape(table.shape)}, to the input's {length} tokens: it "
            f"holds {held} positions (the model's maximum length, `max_position_embeddings` in a Hugging Face "
            "config)",
            "the model cannot take longer sequences: a tokenizer's `truncation=True, max_length=...` keeps them to "
            "its length",
        ],
        fixes=[
            Fix(
                description=f"keep the sequence to {held} tokens (truncate longer ones): --input {spec}",
                code=f"--input {spec}",
                kind=FixKind.INPUT,
                safety=SAFE,
                rerun=Rerun(dims=(held,)),
            )
        ],
    )


def _library_expand(ctx: Context, row: LayerRecord) -> bool:
    """An `expand` in a library's code, in a model given batched token ids [B, L]."""
    trace = ctx.trace
    if row.kind != "op" or row.type != "Tensor.expand" or row.called_at is None:
        return False
    if not is_library_file(row.called_at.file) or not trace.inputs or trace.batch is None:
        return False
    tokens = trace.inputs[0]
    return tokens.dtype in ("int64", "int32") and tokens.rank == 2
