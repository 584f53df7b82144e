"""SC100 unclassified-error.

What it does: reports a forward pass that failed in a way no other rule explains, with the
failing layer, the shapes that reached it and PyTorch's own message.

Why is this bad? The model does not run at this input. The table shows every shape up to the
failing row, which is usually enough to see the cause.

Example: any exception raised inside `forward` that is not a known shape error.

Use instead: read the failing row's inputs in the table; the user's own frames are listed.

Fix safety: no fix is offered.
"""

from __future__ import annotations

from ..context import Context
from ..findings import ERROR, Finding
from ..numbers import shape
from ..registry import rule
from .common import ref


def _provenance_lines(ctx: Context, row) -> list[str]:
    """What each dim of each input follows (the batch, an input dim, or nothing: a size set in
    the code), and the row that produced it: where to look for the size that does not fit."""
    from ..provenance import provenance

    prov = provenance(ctx)
    if prov is None:
        return []
    lines = []
    for index, tensor in enumerate(row.inputs[:3]):
        described = prov.describe(row, "inputs", index)
        if described is None:
            continue
        producer = ctx.trace.row(tensor.source)
        origin = f", made by {ref(producer)}" if producer is not None and producer.index != row.index else ""
        lines.append(f"input {index} {described}{origin}")
    if lines:
        lines.append("(batch) and (dim N) follow that input size; (fixed) is a size set in the code")
    return lines


def _einsum_lines(row) -> list[str]:
    """For a failing einsum: each subscript letter whose sizes disagree between operands."""
    if row.type != "torch.einsum" or not row.inputs:
        return []
    equation = _equation(row)
    if equation is None:
        return []
    terms = equation.replace(" ", "").split("->")[0].split(",")
    if len(terms) != len(row.inputs):
        return []
    seen: dict[str, tuple[int, int]] = {}
    lines = []
    for i, (term, t) in enumerate(zip(terms, row.inputs, strict=True)):
        if len(term) != t.rank:
            lines.append(f"operand {i} has {t.rank} dims but its subscripts `{term}` name {len(term)}")
            continue
        lines.extend(_letter_lines(term, t.shape, i, seen))
    if lines:
        lines.insert(0, f"`{equation}` pairs dims by letter; a letter must have one size (or 1) in every operand")
    return lines


def _equation(row) -> str | None:
    """The einsum's equation, when it has operands' subscripts and no `...`."""
    args = row.attrs.get("args", [])
    equation = args[0] if args and isinstance(args[0], str) else None
    if equation is None or ("->" not in equation and "," not in equation) or "..." in equation:
        return None
    return equation


def _letter_lines(term: str, sizes, i: int, seen: dict[str, tuple[int, int]]) -> list[str]:
    """The letters of operand i's subscripts whose size differs (neither is 1) from the size the
    first operand with that letter gave it; `seen` keeps each letter's first (operand, size)."""
    lines = []
    for letter, size in zip(term, sizes, strict=True):
        if letter in seen and seen[letter][1] != size and 1 not in (size, seen[letter][1]):
            j, other = seen[letter]
            lines.append(f"subscript `{letter}` is {other} in operand {j} and {size} in operand {i}")
        seen.setdefault(letter, (i, size))
    return lines


@rule("SC100", ERROR)
def check(ctx: Context, explained: set[int] | None = None) -> list[Finding]:
    error = ctx.trace.error
    if error is None or error.engine_limit:
        return []
    row = ctx.trace.failing
    if row is not None and explained and row.index in explained:
        return []
    first = (error.message.splitlines()[0] if error.message else error.type).rstrip(".")
    why = _row_lines(ctx, row) if row is not None else []
    location = error.user_frames[-1] if error.user_frames else (row.location if row else None)
    why.extend(f"called from {loc}: {loc.source}" for loc in error.user_frames[-3:] if loc != location)
    return [
        Finding(
            code="SC100",
            severity=ERROR,
            layer=_layer(ctx, row),
            message=f"{_where(ctx, row)} raised {error.type}: {first}",
            location=location,
            row=row.index if row is not None else None,
            why=why,
            notes=_notes(ctx),
        )
    ]


def _notes(ctx: Context) -> list[str]:
    """That no rule explains it, and whose wording the message is: the meta device's, on a
    forward pass traced there (a build runs for real)."""
    notes = ["no rule explains this error; the table shows the shapes up to the failing row"]
    if ctx.trace.engine == "meta" and ctx.trace.construction is None:
        notes.append("the message is the meta device's (shapes only); a real run words it differently")
    return notes


def _row_lines(ctx: Context, row) -> list[str]:
    """What the failing row received, what its inputs' dims follow, and an einsum's letters."""
    ins = ", ".join(shape(i.shape) for i in row.inputs) or "no tensors"
    kind = f" ({row.type})" if row.kind == "module" else ""
    return [f"{ref(row)}{kind} received {ins}", *_provenance_lines(ctx, row), *_einsum_lines(row)]


def _where(ctx: Context, row) -> str:
    """What raised: the model's construction, the failing row, or the forward pass."""
    if ctx.trace.construction is not None:
        return f"building {ctx.trace.model}"
    return f"{ref(row)}" if row is not None else "the forward pass"


def _layer(ctx: Context, row) -> str:
    """The failing row's name, else the layer being built, else none."""
    if row is not None:
        return row.name
    return ctx.trace.construction.name if ctx.trace.construction else ""
