"""SC112 broadcast-mismatch.

What it does: finds an elementwise op (`+`, `*`, `torch.where`, …) between tensors whose
shapes do not broadcast, shows both shapes, the rows that produced them, and the dim that
disagrees.

Why is this bad? `The size of tensor a (16) must match the size of tensor b (32) at
non-singleton dimension 3`. Typical causes: a residual connection across a stride-2 layer,
or a bias or mask built for another size.

Example:
    return self.conv(x) + x        # conv has stride 2

Use instead:
    return self.conv(x) + self.shortcut(x)   # nn.Conv2d(c, c, 1, stride=2)

When the numbers show what was meant, the fix is written and verified: an operand that holds the
leading dims of the other (a time embedding `[B, C]` added to a feature map `[B, C, H, W]`) gets
trailing size-1 dims (`[:, :, None, None]`); a buffer or constant built for a longer length than
arrives (a causal mask `[max_len, max_len]`, rotary tables `[max_len, d]`) is cropped to the
other operand's size, written with that operand's `.size(d)` so it holds at any length.

An in-place op (`x.sub_(m)`, `x += b`) whose operands broadcast to a larger shape than the
tensor it writes into is reported too (`output with shape [1, 28, 28] doesn't match the
broadcast shape [3, 28, 28]`), with both readings: the other operand built for the data's size,
or the result made out of place.

Fix safety: safe for those two (no parameter changes); display-only otherwise: the right change
depends on what the operands mean.
"""

from __future__ import annotations

import ast
import re

from ...trace.records import OP, LayerRecord, Location
from ..context import Context, op_site
from ..findings import DISPLAY_ONLY, ERROR, SAFE, UNSAFE, Finding, Fix, FixKind, line_fix
from ..layers import broadcast_mismatch, broadcast_shape
from ..numbers import parsed_line, prod, shape
from ..owners import setting_width_fixes
from ..provenance import provenance
from ..registry import rule
from ..requests import Edit, Rerun
from .common import (
    class_token,
    input_code,
    input_multiple_fix,
    is_elementwise_loss,
    op_dim_fix,
    operand_labels,
    ref,
)
from .operands import operand_receiver, operand_spans, rewrite_operands, this_call

_SYMBOLS = {
    "add": "+",
    "radd": "+",
    "iadd": "+=",
    "sub": "-",
    "rsub": "-",
    "isub": "-=",
    "mul": "*",
    "rmul": "*",
    "imul": "*=",
    "truediv": "/",
    "rtruediv": "/",
    "itruediv": "/=",
}
_NOT_ELEMENTWISE = {"join", "view", "flatten", "layout", "matmul", "layer", "reduce", "class_loss", "sequence_loss"}


@rule("SC112", ERROR)
def check(ctx: Context) -> list[Finding]:
    row = ctx.trace.failing
    if row is None or not _broadcasting_op(row):
        return []
    tensors = [t for t in row.inputs if t.rank > 0]
    if len(tensors) < 2:
        return []
    a, b = tensors[0], tensors[1]
    bad = broadcast_mismatch(a.shape, b.shape)
    if bad is None:
        return _grown_in_place(ctx, row, a, b)
    dim, x, y = bad
    op = row.type.split(".")[-1].strip("_")
    symbol = _SYMBOLS.get(op)
    what = f"`{symbol}`" if symbol else ref(row)
    where = f" at line {row.called_at.line}" if row.called_at and symbol else ""
    labels = operand_labels(ctx, a, b)
    why = [
        f"{what}{where} combines a = {shape(a.shape)} and b = {shape(b.shape)}: aligned from the right, "
        f"dim {dim} is {x} in a and {y} in b, and neither is 1"
    ]
    fixes = _mismatch_fixes(ctx, row, tensors, bad, why)
    return [
        Finding(
            code="SC112",
            severity=ERROR,
            layer=row.name,
            message=f"{what}{where} combines {shape(a.shape)} and {shape(b.shape)}, which do not broadcast",
            location=row.location,
            row=row.index,
            why=why,
            labels=labels,
            notes=[_pytorch_note(op, bad)],
            fixes=fixes,
        )
    ]


def _broadcasting_op(row: LayerRecord) -> bool:
    """The failing row is an elementwise op between tensors that broadcast: not a join, a view,
    a layer or a reduction, not a gather or scatter (their index has the data's dims: SC130), not
    a loss's input against its target (SC125 says which is which)."""
    if row.kind != OP or row.attrs.get("category") in _NOT_ELEMENTWISE:
        return False
    return not row.type.rsplit(".", 1)[-1].startswith(("gather", "scatter", "index_")) and not is_elementwise_loss(row)


def _mismatch_fixes(ctx: Context, row, tensors, bad: tuple[int, int, int], why: list[str]) -> list[Fix]:
    """The fixes for operands that do not broadcast at `bad` (dim, size in a, size in b): what the
    numbers align, a residual's shortcut, the narrower side's own width; else the last readings,
    whose reason goes into `why`."""
    a, b = tensors[0], tensors[1]
    dim, x, y = bad
    fixes = alignment_fixes(ctx, row, tensors) + _residual_fixes(row, a, b, x, y)
    if _widths_differ(a, b, dim):
        fixes = _own_width_fixes(ctx, a, b, dim) + fixes
    return fixes or _last_readings(ctx, row, a, b, dim, why)


def _widths_differ(a, b, dim: int) -> bool:
    """The mismatched dim is the features (the last of two of one rank) or a map's channels
    against a vector of them (dim 1, size-1 dims after it)."""
    if dim == max(a.rank, b.rank) - 1 and a.rank == b.rank:
        return True
    return a.rank == b.rank >= 3 and dim == 1 and any(all(d == 1 for d in t.shape[2:]) for t in (a, b))


def _pytorch_note(op: str, bad: tuple[int, int, int]) -> str:
    """PyTorch's own message; masked_fill expands the mask to the tensor's shape, so PyTorch
    names the mask `a`."""
    dim, x, y = bad
    first, second = (y, x) if op.startswith("masked_fill") else (x, y)
    return (
        f"PyTorch reports: The size of tensor a ({first}) must match "
        f"the size of tensor b ({second}) at non-singleton dimension {dim}"
    )


def _residual_fixes(row, a, b, x: int, y: int) -> list[Fix]:
    """Two maps a whole stride apart (a residual across a stride-2 layer): downsample the
    shortcut as ResNet does, display-only."""
    if not (len(a.shape) == len(b.shape) >= 3 and a.shape[:2] == b.shape[:2]) or max(x, y) % min(x, y):
        return []
    big, small = (a, b) if x > y else (b, a)
    ratio = max(x, y) // min(x, y)
    return [
        Fix(
            description=f"make the larger operand {shape(big.shape)} match {shape(small.shape)}: for a residual "
            f"across a stride-{ratio} layer, downsample the shortcut as ResNet does",
            code=f"nn.Conv{len(a.shape) - 2}d({a.shape[1]}, {a.shape[1]}, 1, stride={ratio})",
            safety=DISPLAY_ONLY,
            location=row.called_at,
        )
    ]


def _last_readings(ctx: Context, row, a, b, dim: int, why: list[str]) -> list[Fix]:
    """When nothing aligns the operands: the first of an operand reduced over the batch, a skip
    of a rounded size, or a table shorter than what arrives, with its reason added to `why`."""
    found = (
        _reduced_operand(ctx, a, b)
        or _rounded_skip_fix(ctx, a, b, dim)
        or _shorter_table(ctx, row, a, b, dim)
        or _token_short_table(ctx, row, a, b, dim)
    )
    if found is None:
        return []
    why.append(found[0])
    return [found[1]]


def _own_width_fixes(ctx: Context, a, b, dim: int) -> list[Fix]:
    """Features of two widths added or multiplied (word embeddings [B, T, 16] plus token-type
    embeddings [B, T, 8]) where the narrower is made by a Linear or Embedding of the user's own
    code: that layer built to the wider width, checked by tracing again. The wider side is the
    stream the rest of the model is built for; narrowing it would resize every layer after."""
    from .common import producer_size_fix
    from .widths import own_width_layer

    fixes = []
    for t, other in ((a, b), (b, a)):
        got, want = t.shape[dim], other.shape[dim]
        src = own_width_layer(ctx.trace, t, got) if 1 < got < want else None
        if src is None:
            continue
        fix = producer_size_fix(src, got, want, f"build {ref(src)} with {{attr}}={want}, the width of the other side")
        if fix is not None:
            fixes.append(fix)
    return fixes


_IN_PLACE_DUNDERS = {"__iadd__", "__isub__", "__imul__", "__itruediv__", "__ifloordiv__", "__ipow__"}


def _in_place(row) -> bool:
    """`x.sub_(m)`, `x += m`: the result is written into the first operand."""
    name = row.type.rsplit(".", 1)[-1]
    return name in _IN_PLACE_DUNDERS or (name.endswith("_") and not name.startswith("_"))


def _grown_in_place(ctx: Context, row, a, b) -> list[Finding]:
    """Operands that broadcast, but to a larger shape than the tensor an in-place op writes
    into (`img.sub_(mean)` with a 3-channel mean on a 1-channel image): the result cannot
    grow. Two readings, both display-only: the other operand was built for more channels than
    the data has, or the data should have them."""
    if not _in_place(row):
        return []
    grown = broadcast_shape(a.shape, b.shape)
    if grown is None or tuple(grown) == tuple(a.shape):
        return []
    d, have = _grown_dim(a.shape, grown)
    op = row.type.rsplit(".", 1)[-1].strip("_")
    what = f"`{_SYMBOLS[op]}`" if op.startswith("i") and op in _SYMBOLS else ref(row)
    held = f"is {have} in a" if have is not None else "is missing from a"
    why = [
        f"{what} writes its result into a = {shape(a.shape)} in place, and a with b = {shape(b.shape)} "
        f"broadcasts to {shape(grown)}: dim {d} {held} and {grown[d]} in b; an in-place result keeps a's shape"
    ]
    library = _library_module(ctx, row)
    where = _built_at(library, row)
    name = library.type.rsplit(".", 1)[-1] if library is not None else None
    fixes = _grown_fixes(row, a, b, grown, d, name, where)
    return [
        ctx.finding(
            layer=library.name if library is not None else row.name,
            message=f"{what} cannot write a {shape(grown)} result into a {shape(a.shape)} tensor in place",
            location=where or row.location,
            row=row.index,
            why=why,
            notes=[
                f"PyTorch reports: output with shape {shape(a.shape)} doesn't match the broadcast shape {shape(grown)}",
                "which reading is right depends on the data; neither fix is checked",
            ],
            fixes=fixes,
        )
    ]


def _grown_dim(written: tuple, grown) -> tuple[int, int | None]:
    """The first dim where the broadcast shape outgrows the tensor written into, and that
    tensor's size there (None where it lacks the dim)."""
    offset = len(grown) - len(written)
    d = next(d for d in range(len(grown)) if d < offset or written[d - offset] != grown[d])
    return d, written[d - offset] if d >= offset else None


def _built_at(library, row):
    """Where the fix goes: the library module's construction, else the op's call."""
    return library.location if library is not None and library.location is not None else row.called_at


def _library_module(ctx: Context, row):
    """The library module (torchvision's `Normalize`) whose own code runs the failing op, when
    the op is not in the user's code: the fix is where it is built, not in its source."""
    from ..roles import is_library_file

    if row.location is not None and not is_library_file(row.location.file):
        return None
    for ancestor in ctx.trace.ancestors(row):
        if ancestor.kind != OP:
            return ancestor
    return None


_OUT_OF_PLACE = {"add": "+", "sub": "-", "mul": "*", "div": "/", "truediv": "/", "floordiv": "//", "pow": "**"}


def _grown_fixes(row, a, b, grown, d: int, name: str | None, where) -> list[Fix]:
    """The two readings of an in-place result that would grow: b built for more than the data
    has in dim d (give it a's size there), or data that should have b's size."""
    offset = len(grown) - len(a.shape)
    want = grown[d]
    have = a.shape[d - offset] if d >= offset else 1
    if name == "Normalize" and len(grown) - d == 3:  # [C, H, W]: the channels
        return _normalize_fixes(have, want, where)
    return _in_place_fixes(row, b, grown, d, have, where)


def _normalize_fixes(have: int, want: int, where) -> list[Fix]:
    """torchvision's Normalize built for `want` channels on images of `have`: its statistics for
    the data's channels, or images converted to the channels that follow expect."""
    values = ", ".join(["m"] * have) + ("," if have == 1 else "")
    stds = ", ".join(["s"] * have) + ("," if have == 1 else "")
    convert = (
        f"transforms.Grayscale(num_output_channels={want})  # before ToTensor(); or img.convert('RGB')"
        if have == 1
        else f"x.expand({want}, -1, -1)"
    )
    return [
        Fix(
            description=f"the images have {have} channel{'s' if have != 1 else ''}: where Normalize is "
            f"built, give it {have} mean and std (the data's own statistics), not {want}",
            code=f"transforms.Normalize(mean=({values}), std=({stds}))",
            safety=DISPLAY_ONLY,
            location=where,
        ),
        Fix(
            description=f"or what follows expects {want} channels (a pretrained network): make the images "
            f"{want}-channel before Normalize",
            code=convert,
            safety=DISPLAY_ONLY,
            location=where,
        ),
    ]


def _in_place_fixes(row, b, grown, d: int, have: int, where) -> list[Fix]:
    """`b` built with the written tensor's size `have` in dim d, or (where the op has an
    out-of-place form and writes into no slice) the result computed into a new tensor."""
    want = grown[d]
    at = d - (len(grown) - len(b.shape))
    smaller = tuple(have if k == at else n for k, n in enumerate(b.shape))
    op = row.type.rsplit(".", 1)[-1].strip("_")
    symbol = _OUT_OF_PLACE.get(op[1:] if op.startswith("i") and op[1:] in _OUT_OF_PLACE else op)
    source = row.called_at.source if row.called_at is not None else ""
    texts = _operand_texts(row, source)
    a_text, b_text = texts if texts is not None else ("x", "b")
    fixes = [
        Fix(
            description=f"`{b_text}` was built for {want} in dim {d}: build it with {have} there, as the tensor "
            "written into",
            code=f"{b_text}  # of shape {shape(smaller)}" if at >= 0 else f"{b_text}  # with {have} in dim {d}",
            safety=DISPLAY_ONLY,
            location=where,
        )
    ]
    if symbol is not None and "[" not in a_text:  # a slice written into cannot hold a larger result
        after = _out_of_place_line(source, a_text, b_text, op, symbol) if texts is not None else None
        fixes.append(
            line_fix(
                f"or the result is meant to be {shape(grown)}: compute it out of place, into a new tensor",
                where,
                source,
                after,
                f"{a_text} = {a_text} {symbol} {b_text}",
                safety=DISPLAY_ONLY,
            )
        )
    return fixes


def _parsed_operands(row) -> tuple:
    """The op's line parsed (None when it does not parse) and the source text of each operand on
    it (None when they are not found)."""
    parsed = parsed_line(row.called_at.source)
    spans = None if parsed is None else this_call(row, operand_spans(row, parsed[1], parsed[2]))
    return parsed, None if spans is None or parsed is None else [parsed[1][s:e] for s, e in spans]


def _operand_texts(row, source: str) -> tuple[str, str] | None:
    """The source text of the tensor written into and of the other operand, on the op's line."""
    parsed = parsed_line(source)
    spans = None if parsed is None else this_call(row, operand_spans(row, parsed[1], parsed[2]))
    if parsed is None or spans is None or len(spans) < 2:
        return None
    text = parsed[1]
    return text[spans[0][0] : spans[0][1]], text[spans[1][0] : spans[1][1]]


def _out_of_place_line(source: str, a_text: str, b_text: str, op: str, symbol: str) -> str | None:
    """The line with the in-place op written out of place: `x += b` → `x = x + b`,
    `x.sub_(m)` → `(x - m)`; None when neither form is on it as written."""
    stripped = source.strip()
    indent = source[: len(source) - len(source.lstrip())]
    augmented = f"{a_text} {symbol}= {b_text}"
    call = f"{a_text}.{op}_({b_text})"
    if stripped in (augmented, call):  # the statement is the op: its result goes back to the name
        return f"{indent}{a_text} = {a_text} {symbol} {b_text}"
    if stripped.count(call) == 1:
        return indent + stripped.replace(call, f"({a_text} {symbol} {b_text})")
    return None


def _reduced_operand(ctx: Context, a, b) -> tuple[str, Fix] | None:
    """An operand made by a reduction over dim 0, the batch (`out.argmax(dim=0)` of [B, C] is one
    value per class, [C]), against the other's per-sample shape: reduced over the one other dim
    that leaves exactly that shape, it is one value per sample ([B]). (why, that reduction)."""
    batch = ctx.trace.batch
    for t, other in ((a, b), (b, a)):
        src = _batch_reduction(ctx, t, batch)
        if src is None or other.shape[:1] != (batch,):
            continue
        x = src.inputs[0]
        ks = [k for k in range(1, x.rank) if (*x.shape[:k], *x.shape[k + 1 :]) == tuple(other.shape)]
        if len(ks) != 1:
            continue
        k = ks[0]
        why = (
            f"{ref(src)} reduced dim 0 of {shape(x.shape)}, the batch: {shape(t.shape)}, each value taken across the "
            f"samples; over dim {k} it is one per sample, {shape(other.shape)}"
        )
        return why, op_dim_fix(src, k, f"reduce over dim {k} instead of dim 0: one value per sample")
    return None


def _batch_reduction(ctx: Context, t, batch: int | None):
    """The row that made `t` by reducing one input over dim 0, the batch (of more than one
    sample), without keepdim; None otherwise."""
    src = ctx.trace.row(t.source) if t.source is not None else None
    if src is None or not _reduction(src):
        return None
    x, d = src.inputs[0], src.attrs.get("dim", src.dim_argument())
    if batch is None or batch == 1 or not isinstance(d, int) or src.attrs.get("keepdim"):
        return None
    return src if x.rank >= 2 and x.shape[0] == batch and d % x.rank == 0 else None


def _reduction(src: LayerRecord) -> bool:
    """A reduction op of one input."""
    return src.kind == OP and src.attrs.get("category") == "reduce" and len(src.inputs) == 1


def _shorter_table(ctx: Context, row, a, b, dim: int) -> tuple[str, Fix] | None:
    """A table the model holds (a causal mask or positional buffer sliced to the input's length,
    a learned position parameter) with fewer positions than the input has: the mismatched dim of
    the other operand is one input dim itself. The input kept to the table's length is offered,
    checked by tracing at that length; building the model for longer inputs is the other reading."""
    for table, made in ((b, a), (a, b)):
        if not _held_against_input(table, made):
            continue
        index = next(i for i, t in enumerate(row.inputs) if t is made)
        at_t, at_m = dim - (max(a.rank, b.rank) - table.rank), dim - (max(a.rank, b.rank) - made.rank)
        if not _shorter_at(table, at_t, made, at_m):
            continue
        source = _input_dim(ctx, row, index, at_m)
        if source is None:
            return None
        n, m = table.shape[at_t], made.shape[at_m]
        dims = tuple(n if d == source else s for d, s in enumerate(ctx.sample_dims))
        text = (
            f"{shape(table.shape)} is made from the model's own weights or buffers and holds {n} positions at dim "
            f"{at_t}; the input's dim {source} brings {m}: a table built for sequences of up to {n}"
        )
        fix = Fix(
            description=f"keep the sequence to {n} (truncate longer ones), or build the model for {m} positions "
            "(its mask, position table or max length)",
            code=input_code(ctx, dims),
            kind=FixKind.INPUT,
            safety=SAFE,
            rerun=Rerun(dims=dims),
        )
        return text, fix
    return None


def _shorter_at(table, at_t: int, made, at_m: int) -> bool:
    """Both dims exist and the table holds fewer there than what arrives."""
    return at_t >= 0 and at_m >= 0 and table.shape[at_t] < made.shape[at_m]


def _held_against_input(table, made) -> bool:
    """`table` is made from the model's own weights or buffers, `made` (at least partly) from the input."""
    return table.from_input is False and made.from_input is not False


_FILLS = ("zeros", "ones", "randn", "rand", "empty", "full", "zeros_like")


def _token_short_table(ctx: Context, row, a, b, dim: int) -> tuple[str, Fix] | None:
    """A learned position table [1, N, D] built for the patches, against tokens [B, N + k, D] that
    have k learned tokens put in front (a class token): built where the model makes it, for
    N + k positions (`torch.zeros(1, n, dim)` → `torch.zeros(1, n + 1, dim)`), checked by building
    the model from the line as written."""
    if row.called_at is None:
        return None
    for index, (table, made) in enumerate(((b, a), (a, b))):
        index = 1 - index
        at = dim - (max(a.rank, b.rank) - table.rank)
        token = _token_in_front(ctx, table, made, at)
        if token is not None:
            return _table_grown_fix(row, index, token, at, table.shape[at], made.shape[at])
    return None


def _token_in_front(ctx: Context, table, made, at: int):
    """The row of the one or two learned tokens put in front of the positions (dim 1) that make
    `made` longer than the table there; None otherwise."""
    if not _held_against_input(table, made) or at != 1 or table.rank != made.rank:
        return None
    n, m = table.shape[at], made.shape[at]
    return class_token(ctx, m) if 0 < m - n <= 2 else None


def _table_grown_fix(row, index: int, token, at: int, n: int, m: int) -> tuple[str, Fix] | None:
    """(why, fix) for operand `index`, a table `self.<attr>` of n positions built for m where the
    model makes it; None when that line is not found as a fill call."""
    attr = _attribute_operand(row, index)
    built = _table_line(row.called_at.file, attr, at, m - n) if attr else None
    if built is None:
        return None
    location, before, after = built
    why = (
        f"{ref(token)} puts {m - n} learned token{'s' if m - n > 1 else ''} in front of the {n} patches: {m} "
        f"positions, where `{attr}` holds {n}"
    )
    return why, Fix(
        description=f"build `{attr}` for the {m} positions, the class token's included",
        code=after.strip(),
        safety=UNSAFE,  # its shape changes: a checkpoint of the old table no longer loads
        location=location,
        before=before,
        after=after,
    )


def _attribute_operand(row, index: int) -> str | None:
    """How the call line writes operand `index` when it is an attribute of self (`self.pos`)."""
    parsed = parsed_line(row.called_at.source)
    spans = None if parsed is None else this_call(row, operand_spans(row, parsed[1], parsed[2]))
    if parsed is None or spans is None or index >= len(spans):
        return None
    text = parsed[1][spans[index][0] : spans[index][1]].strip()
    return text if re.fullmatch(r"self\.\w+", text) else None


def _table_line(file: str, attr: str, at: int, k: int):
    """(location, line, line with size `at` of the tensor made on it grown by k) of the line that
    assigns `attr` in `file` (`self.pos = nn.Parameter(torch.zeros(1, n, dim))`); None when that
    size is not one argument of a fill call (`torch.zeros(1, n, dim)`)."""
    import linecache

    for number, line in enumerate(linecache.getlines(file), start=1):
        if not re.match(rf"\s*{re.escape(attr)}\s*=", line):
            continue
        parsed = parsed_line(line.rstrip("\n"))
        if parsed is None:
            return None
        _, text, tree = parsed
        after = _fill_grown(text, tree, at, k)
        return None if after is None else (Location(file, number, line.strip()), line.strip(), after)
    return None


def _fill_grown(text: str, tree, at: int, k: int) -> str | None:
    """`text` with argument `at` of its fill call (`torch.zeros(1, n, dim)`) grown by k; None
    when there is no such call with plain arguments."""
    calls = [c for c in ast.walk(tree) if isinstance(c, ast.Call)]
    fill = next((c for c in calls if _called(c) in _FILLS and len(c.args) > at), None)
    if fill is None or any(isinstance(x, ast.Starred) for x in fill.args):
        return None
    arg = fill.args[at]
    segment = ast.get_source_segment(text, arg)
    if segment is None:
        return None
    grown = str(arg.value + k) if isinstance(arg, ast.Constant) and isinstance(arg.value, int) else f"{segment} + {k}"
    start = _offset(text, arg.lineno, arg.col_offset)
    end = _offset(text, arg.end_lineno, arg.end_col_offset)
    return text[:start] + grown + text[end:]


def _called(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _offset(text: str, lineno, col) -> int:
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[: (lineno or 1) - 1]) + (col or 0)


def _input_dim(ctx: Context, row, index: int, at: int) -> int | None:
    """The per-sample dim of the (first) input that dim `at` of the row's input `index` is."""
    prov = provenance(ctx)
    if prov is None:
        return None
    follows = prov.dims(row, "inputs", index)
    if follows is None or at >= len(follows) or len(follows[at]) != 1:
        return None
    (source,) = follows[at]
    if not source.startswith("dim ") or not prov.follows_exactly(row, at, source, "inputs", index):
        return None
    return int(source.split()[1])


def alignment_fixes(ctx: Context, row, tensors) -> list[Fix]:
    """Fixes from what the numbers show: trailing size-1 dims for an operand that holds the other's
    leading dims, or a constant cropped to the length that arrives."""
    if len(tensors) != 2 or row.called_at is None:
        return []
    a, b = tensors
    parsed, texts = _parsed_operands(row)
    missing = _missing_dims_fix(row, a, b, texts, parsed) or _cached_keys_mask_fix(ctx, row, a, b, texts)
    if missing is not None:
        return [missing]
    for const_index, (const, other) in enumerate(((a, b), (b, a))):
        if not _held_against_input(const, other):
            continue
        fixes = _constant_fixes(ctx, row, const_index, const, other, texts, parsed)
        if fixes:
            return fixes
    layout = _layout_fix(row, a, b, texts, parsed)
    return [layout] if layout is not None else []


def _missing_dims_fix(row, a, b, texts, parsed) -> Fix | None:
    """An operand with fewer dims that holds the other's leading dims (size-1 dims go after it) or
    a run of its middle ones (they go around it)."""
    for small_index, (small, big) in enumerate(((a, b), (b, a))):  # a is operand 0, b operand 1
        if small.rank < big.rank and tuple(big.shape[: small.rank]) == tuple(small.shape) and small.rank >= 1:
            return _trailing_fix(row, small_index, big.rank - small.rank, small, big, texts, parsed)
        middle = _middle_position(small.shape, big.shape) if small.rank < big.rank else None
        if middle is not None:
            return _middle_fix(row, small_index, middle, big.rank - small.rank, small, big, texts, parsed)
    return None


def _cached_keys_mask_fix(ctx: Context, row, a, b, texts) -> Fix | None:
    """A causal mask cropped square to the queries (`self.mask[:T, :T]`, [T, T]) against scores
    over more keys than queries ([…, T, S], S > T: keys cached from earlier steps before the T new
    ones): the new queries are the mask's last T rows of the first S, and they see all S keys,
    `self.mask[att.size(-1) - T : att.size(-1), : att.size(-1)]`; query i then sees the cached
    keys and the new ones up to itself. Only where re-runs show the keys growing with the queries'
    length and with another one (the cache's): keys of another sequence (cross-attention) are
    no cache. Checked as written."""
    if not texts or len(texts) < 2 or row.called_at is None:
        return None
    prov = provenance(ctx)
    for index, (mask, scores) in enumerate(((a, b), (b, a))):
        if not _square_against_more_keys(mask, scores):
            continue
        follows = prov.dims(row, "inputs", 1 - index) if prov is not None else None
        if not _keys_cached(follows) or not isinstance(_expr(texts[1 - index]), (ast.Name, ast.Attribute)):
            continue  # the keys do not follow the queries' length and one more
        queries, keys = scores.shape[-2], scores.shape[-1]
        crop = _square_crop(texts[index])
        if crop is None:
            continue
        written, table, upper = crop
        size = f"{texts[1 - index]}.size(-1)"
        rows = upper if isinstance(_expr(upper), (ast.Name, ast.Attribute, ast.Call, ast.Constant)) else f"({upper})"
        new = f"{table}[{size} - {rows} : {size}, : {size}]"
        source = row.called_at.source
        if source.count(written) != 1:
            return None
        return line_fix(
            f"the scores hold {keys} keys for {queries} queries ({keys - queries} cached before the new ones): take "
            f"the mask's rows for the {queries} new positions and its columns for all {keys} keys, so each query "
            "sees the cached keys and the new ones up to itself",
            row.called_at,
            source,
            source.replace(written, new),
            new,
        )
    return None


def _square_against_more_keys(mask, scores) -> bool:
    """A square mask [T, T] against scores [..., T, S] over more keys than queries (S > T)."""
    if mask.rank != 2 or scores.rank < 2 or mask.shape[0] != mask.shape[1]:
        return False
    return mask.shape[0] == scores.shape[-2] and scores.shape[-1] > scores.shape[-2]


def _keys_cached(follows) -> bool:
    """The scores' keys follow the queries' length and one more (a cache's), by provenance."""
    return follows is not None and bool(follows[-2]) and follows[-2] < follows[-1]


def _square_crop(text: str) -> tuple[str, str, str] | None:
    """(the subscript as written, its table, its bound) of the one `table[:E, :E]` in an operand's
    text (`self.mask[:T, :T] == 0`); None when there is not exactly one."""
    tree = _expr(text)
    if tree is None:
        return None
    found = []
    for node in ast.walk(tree):
        square = _square_subscript(node)
        written = ast.get_source_segment(text, node) if square is not None else None
        if square is not None and written:
            found.append((written, *square))
    return found[0] if len(found) == 1 else None


def _square_subscript(node) -> tuple[str, str] | None:
    """(the table, E) of a subscript `table[:E, :E]`, as written; None for any other node."""
    if not isinstance(node, ast.Subscript) or not isinstance(node.slice, ast.Tuple) or len(node.slice.elts) != 2:
        return None
    first, second = (_upper_only(e) for e in node.slice.elts)
    return (ast.unparse(node.value), first) if first is not None and first == second else None


def _upper_only(e) -> str | None:
    """E of a slice `:E` (no start, no step), as written."""
    return ast.unparse(e.upper) if isinstance(e, ast.Slice) and e.lower is None and e.step is None and e.upper else None


def _constant_fixes(ctx: Context, row, const_index: int, const, other, texts, parsed) -> list[Fix]:
    """A constant (a table the model holds) against a tensor from the input: lined up with
    another dim than its own, built for a width the model sets, an unused token's positions, or
    a table longer than the length that arrives (cropped)."""
    aligned = _aligned_by_source(ctx, row, const_index, const, other, texts, parsed)
    if aligned is not None:  # a table whose length lines up with another dim than its own
        return [aligned]
    crop = _crop_dims(const.shape, other.shape)
    if not crop:
        return []
    fixed = _fixed_widths(ctx, row, const, other, crop)
    if fixed:  # a width the model sets, not a length that arrives: the table's values differ
        return _setting_fixes(ctx, row, const, fixed) or [_rebuilt_fix(row, const, other, fixed, texts)]
    cropped = _crop_fix(row, const_index, crop, const, other, texts, parsed)
    token = _class_token_fix(ctx, row, 1 - const_index, const, other, texts, parsed)
    if token is not None:  # the table's extra positions are an unused token's: crop only as the other reading
        cropped.description = "or, if the table has positions too many: " + cropped.description
        cropped.safety, cropped.rerun = DISPLAY_ONLY, None
        cropped.check_note = "not checked: the unused token's reading comes first"
        return [token, cropped]
    return [_crop_as_read(ctx, row, cropped, const, other, crop)]


def _crop_as_read(ctx: Context, row, cropped: Fix, const, other, crop) -> Fix:
    """The crop, display-only where its rows would not mean what the data needs (a rotary table
    for an odd width, a grid's positions, a length from values on the real engine); else checked
    with every later line that uses the table."""
    odd = _odd_width(crop, const)
    grid = _grid_crop(ctx, row, const, other, crop)
    if odd is not None:  # a rotary table for an odd width: its halves pair dims that do not exist
        cropped.description = (
            f"make the rotated width even ({odd - 1} or {odd + 1}, not {odd}): a table {odd + 1} wide is "
            f"two halves of {(odd + 1) // 2} angles, and rotating pairs dim i with dim i + {(odd + 1) // 2}, "
            f"which {odd} features cannot do; the crop shown runs but keeps angles for pairs that do not "
            "line up"
        )
        cropped.check_note = "not checked: the width to rotate is the model's choice"
    elif grid is not None:  # a table of a grid's positions: its first rows are not a smaller grid's
        cropped.check_note = (
            f"not checked: the {grid} tokens are a grid flattened (they follow two dims of the input), "
            "and a crop keeps the table's first rows, not the positions of a smaller grid: resample the "
            "table to the grid (F.interpolate of it as a map), or give the input the size it is built for"
        )
    elif ctx.trace.engine == "real":  # a length that arrives there can come from values
        cropped.check_note = (
            "not checked: traced on the real engine, where the length that arrives can come from the "
            "values (a scatter's largest index, a mask's count)"
        )
    else:
        return _at_each_use(ctx, cropped, const)
    cropped.rerun, cropped.safety = None, DISPLAY_ONLY
    return cropped


_MAX_SITES = 4  # products a crop is written at, at most


def _at_each_use(ctx: Context, cropped: Fix, const) -> Fix:
    """A table cropped where it first fails, and at each later op that the crop makes fail the same
    way (rotary `cos`/`sin` [max_len, d] used for the queries on one line and the keys on the
    next), found by tracing again: one fix with every line's crop, checked together. The fix
    itself when no later op needs it."""
    if cropped.rerun is None or cropped.location is None:
        return cropped
    edits = list(cropped.rerun.edits)
    lines = [cropped.after or cropped.code]
    if not _crop_later_uses(ctx, const, edits, lines) or len(lines) == 1:
        return cropped
    return Fix(
        description=f"{cropped.description}; the same at each of the {len(lines)} lines that use it",
        code="\n".join(line.strip() for line in lines),
        safety=cropped.safety,
        location=cropped.location,
        rerun=Rerun(edits=tuple(edits)),
    )


def _crop_later_uses(ctx: Context, const, edits: list, lines: list) -> bool:
    """Extend `edits` and `lines` with the crop at each later op that fails the same way, up to
    `_MAX_SITES` in all; False when a re-run fails or runs out."""
    for _ in range(_MAX_SITES - 1):
        try:
            trace = ctx.rerun(Rerun(edits=tuple(edits)))
        except (LookupError, TimeoutError):
            return False
        more = _same_crop_next(trace, const)
        if more is None or more.rerun is None:
            break
        edits.extend(more.rerun.edits)
        lines.append(more.after or more.code)
    return True


def _same_crop_next(trace, const) -> Fix | None:
    """The crop of the same table at the op where a trace with the earlier crops fails, when it
    fails there the same way (the table against a tensor from the input, longer than it)."""
    nxt = trace.failing
    if trace.error is None or nxt is None or nxt.kind != OP or nxt.called_at is None:
        return None
    pair = [t for t in nxt.inputs if t.rank > 0][:2]
    at = _table_against_input(pair, const)
    if at is None:
        return None
    crop = _crop_dims(pair[at].shape, pair[1 - at].shape)
    if not crop:
        return None
    parsed, texts = _parsed_operands(nxt)
    return _crop_fix(nxt, at, crop, pair[at], pair[1 - at], texts, parsed)


def _table_against_input(pair: list, const) -> int | None:
    """Which of two operands is the table `const` (its shape, not from the input) when the other
    comes from the input."""
    at = next((j for j, t in enumerate(pair) if tuple(t.shape) == tuple(const.shape) and t.from_input is False), None)
    if len(pair) != 2 or at is None or pair[1 - at].from_input is False:
        return None
    return at


def _layout_fix(row, a, b, texts, parsed) -> Fix | None:
    """The same values in another layout: one operand channels-last where the other is
    channels-first (a one-hot mask [B, H, W, C] against scores [B, C, H, W]) gets permuted; a flat
    one with the other's per-sample count (a decoder's [B, 784] against images [B, 1, 28, 28]) gets
    the other's shape."""
    if not a.shape or not b.shape or a.shape[0] != b.shape[0] or tuple(a.shape) == tuple(b.shape):
        return None
    return _channels_last_fix(row, a, b, texts, parsed) or _flat_fix(row, a, b, texts, parsed)


def _channels_last_fix(row, a, b, texts, parsed) -> Fix | None:
    """One operand channels-last where the other is channels-first: permuted to dim 1."""
    for index, (this, other) in enumerate(((a, b), (b, a))):
        r = this.rank
        if r == other.rank >= 3 and tuple(this.shape) == (other.shape[0], *other.shape[2:], other.shape[1]):
            dims = (0, r - 1, *range(1, r - 1))
            name = texts[index] if texts else ("a", "b")[index]
            order = ", ".join(map(str, dims))
            new = f"{operand_receiver(name)[0]}.permute({order})"
            after = rewrite_operands(
                parsed, row, index, lambda t, _o, order=order: f"{operand_receiver(t)[0]}.permute({order})"
            )
            edit = Edit("arg_method", op_site(row), params=(("index", index), ("method", "permute"), ("args", dims)))
            return line_fix(
                f"{shape(this.shape)} has its channels last, {shape(other.shape)} in dim 1: move them to dim 1 "
                f"({shape(this.shape)} → {shape(other.shape)})",
                row.called_at,
                row.called_at.source,
                after,
                new,
                Rerun(edits=(edit,)),
            )
    return None


def _flat_fix(row, a, b, texts, parsed) -> Fix | None:
    """A flat operand with the other's per-sample count: given the other's shape."""
    for index, (this, other) in enumerate(((a, b), (b, a))):
        if this.rank < other.rank and prod(this.shape[1:]) == prod(other.shape[1:]):
            names = texts or ["a", "b"]
            plain = isinstance(_expr(names[1 - index]), (ast.Name, ast.Attribute))
            new = f"{operand_receiver(names[index])[0]}.view_as({names[1 - index]})" if plain else ""
            edit = Edit(
                "arg_method",
                op_site(row),
                params=(("index", index), ("method", "reshape"), ("args", tuple(other.shape))),
            )
            after = (
                rewrite_operands(parsed, row, index, lambda t, o: f"{operand_receiver(t)[0]}.view_as({o})")
                if plain and texts
                else None
            )
            return line_fix(
                f"{shape(this.shape)} holds each sample's {prod(this.shape[1:])} values flat; "
                f"{shape(other.shape)} holds as many per sample: give it that shape",
                row.called_at,
                row.called_at.source,
                after,
                new or f"reshape to {shape(other.shape)}",
                Rerun(edits=(edit,)),
            )
    return None


def _crop_dims(const: tuple, other: tuple) -> list[tuple[int, int, int]] | None:
    """(dim of const, dim of other, size) for each dim to crop so the two broadcast: aligned from
    the right, const is longer where they differ. None when cropping cannot make them fit."""
    crops = []
    for k in range(1, min(len(const), len(other)) + 1):
        c, o = const[-k], other[-k]
        if c == o or c == 1 or o == 1:
            continue
        if c < o:
            return None
        crops.append((len(const) - k, len(other) - k, o))
    return crops or None


def _trailing_fix(row, index: int, k: int, small, big, texts, parsed) -> Fix:
    suffix = "[" + ", ".join([":"] * small.rank + ["None"] * k) + "]"
    return _dims_fix(
        row,
        index,
        texts,
        parsed,
        suffix,
        tuple(("unsqueeze", (-1,)) for _ in range(k)),
        f"{shape(small.shape)} holds the leading dims of {shape(big.shape)}: give it {k} trailing size-1 "
        f"dim{'s' if k > 1 else ''} so it broadcasts over the rest ({shape((*small.shape, *([1] * k)))})",
        after_compare=False,
    )


def _dims_fix(row, index: int, texts, parsed, insert: str, steps: tuple, description: str, after_compare=True) -> Fix:
    """Operand `index` of the op's call given size-1 dims by `insert` (`[:, :, None, None]`,
    `.unsqueeze(1)`) on the user's line, the same `unsqueeze` steps in the re-run. Placed before
    a comparison's `== 0` (`mask.unsqueeze(1) == 0`) when `after_compare`; else such an operand
    is not rewritten."""
    name = texts[index] if texts else None
    core = operand_receiver(name)[0] if name else "b"

    def add_dims(text: str, _other: str) -> str | None:
        inner, rest = operand_receiver(text)
        return None if rest and not after_compare else f"{inner}{insert}{rest}"

    after = rewrite_operands(parsed, row, index, add_dims) if name else None
    edit = Edit("arg_method", op_site(row), params=(("index", index), ("method", "chain"), ("args", steps)))
    return line_fix(description, row.called_at, row.called_at.source, after, f"{core}{insert}", Rerun(edits=(edit,)))


def _middle_position(small: tuple, big: tuple) -> int | None:
    """Where the missing dims of `small` go: after its leading dims that are `big`'s own (the
    batch), with the rest lining up from the right (`[B, L, L]` against `[B, H, L, L]`: at 1,
    the heads). Only where exactly one place fits."""
    k = len(big) - len(small)
    fits = [
        p
        for p in range(1, len(small))
        if tuple(small[:p]) == tuple(big[:p]) and all(s in (1, t) for s, t in zip(small[p:], big[p + k :], strict=True))
    ]
    return fits[0] if len(fits) == 1 else None


def _middle_fix(row, index: int, p: int, k: int, small, big, texts, parsed) -> Fix:
    moved = (*small.shape[:p], *([1] * k), *small.shape[p:])
    return _dims_fix(
        row,
        index,
        texts,
        parsed,
        f".unsqueeze({p})" if k == 1 else "[" + ", ".join([":"] * p + ["None"] * k) + "]",
        tuple(("unsqueeze", (p,)) for _ in range(k)),
        f"{shape(small.shape)} shares its first {p} dim{'s' if p > 1 else ''} with {shape(big.shape)} and lines "
        f"up with its last dims after them: give it {k} size-1 dim{'s' if k > 1 else ''} at dim {p} "
        f"({shape(moved)}), so it broadcasts over {shape(big.shape[p : p + k])} instead of being read from the right",
    )


def _fixed_widths(ctx: Context, row, const, other, crops) -> list[tuple[int, int, int]]:
    """The crops whose size in `other` follows no input dim (provenance), a width the model
    builds (a head size) and not a length that arrives, and that the table holds twice or more.
    Cropping a table there keeps the first values of a table made for another width: rotary
    frequencies for 64 dims cut to 16 are not the frequencies for 16. A table one wider (angles
    for an odd width taken twice, 4 for 3) is not one: cropped, display-only (`_odd_width`)."""
    follows = _input_follows(ctx, row, other)
    if follows is None:
        return []
    return [(c, o, size) for c, o, size in crops if o < len(follows) and not follows[o] and size * 2 <= const.shape[c]]


def _aligned_by_source(ctx: Context, row, index: int, const, other, texts, parsed) -> Fix | None:
    """A table of fewer dims whose length follows an input dim (rotary angles [T, D/2] sliced to
    the tokens) read from the right against a tensor that holds that length elsewhere ([B, T, H,
    D/2]: against the heads): provenance says which of the other's dims is the table's, and
    size-1 dims put it there (`freqs[None, :, None, :]`, LLaMA's reshape_for_broadcast). Cropping
    the table to the heads would turn positions into heads. None unless one placement keeps
    every dim that follows an input against the dim that follows the same one, in order, with
    every size equal (or 1), and that placement is not the one from the right."""
    if const.rank >= other.rank or const.rank == 0:
        return None
    anchors = _source_anchors(ctx, row, const, other)
    placed = _placement(const, other, anchors) if anchors else None
    if not anchors or placed is None or placed == list(range(other.rank - const.rank, other.rank)):
        return None  # from the right after all: another reading
    return _placed_fix(row, index, texts, parsed, const, other, placed, placed[min(anchors)])


def _placed_fix(row, index: int, texts, parsed, const, other, placed: list[int], length_dim: int) -> Fix:
    """The table given size-1 dims so its dims land at `placed` in the other's."""
    missing = [p for p in range(other.rank) if p not in placed]
    insert = "[" + ", ".join(":" if p in placed else "None" for p in range(other.rank)) + "]"
    moved = tuple(const.shape[placed.index(p)] if p in placed else 1 for p in range(other.rank))
    return _dims_fix(
        row,
        index,
        texts,
        parsed,
        insert,
        tuple(("unsqueeze", (p,)) for p in missing),
        f"{shape(const.shape)} follows the length in dim {length_dim} of {shape(other.shape)}, "
        f"not the dims it meets from the right: give it size-1 dims around it ({shape(moved)}) so each of "
        "its dims meets its own",
    )


def _input_index(row, tensor) -> int | None:
    """Which of the row's inputs `tensor` is (by identity)."""
    return next((j for j, t in enumerate(row.inputs) if t is tensor), None)


def _input_follows(ctx: Context, row, tensor) -> list | None:
    """The input dims (provenance) each dim of the row's input `tensor` follows; None when unknown."""
    prov = provenance(ctx)
    index = _input_index(row, tensor)
    return prov.dims(row, "inputs", index) if prov is not None and index is not None else None


def _source_anchors(ctx: Context, row, const, other) -> dict[int, int] | None:
    """`_anchors` of the table `const` in `other`, from what each of their dims follows."""
    od, cd = _input_follows(ctx, row, other), _input_follows(ctx, row, const)
    return _anchors(od, cd) if od is not None and cd is not None else None


def _anchors(od, cd) -> dict[int, int] | None:
    """For each dim of the table that follows an input, the one dim of the other that follows
    the same sources; None when one has no single match."""
    anchors: dict[int, int] = {}
    for i, sources in enumerate(cd):
        if not sources:
            continue
        same = [j for j, f in enumerate(od) if f == sources]
        if len(same) != 1:
            return None
        anchors[i] = same[0]
    return anchors


def _placement(const, other, anchors: dict[int, int]) -> list[int] | None:
    """Where each of the table's dims goes in the other's, from the right: anchored dims where
    they follow, the rest as late as fits; None when no placement keeps every size (or 1)."""
    placed: list[int] = []
    nxt = other.rank - 1
    for i in range(const.rank - 1, -1, -1):
        j = anchors.get(i)
        if j is None:
            j = _latest_fit(const.shape[i], other, nxt, anchors, i)
        if j is None or j > nxt or const.shape[i] not in (1, other.shape[j]):
            return None
        placed.append(j)
        nxt = j - 1
    placed.reverse()
    return placed


def _latest_fit(size: int, other, nxt: int, anchors: dict[int, int], i: int) -> int | None:
    """The latest dim of `other` at or before `nxt`, after the anchors of the table's earlier
    dims, where a table dim `i` of `size` fits (equal or 1)."""
    later = [a for k, a in anchors.items() if k < i]
    floor = max(later) if later else -1
    return next((j for j in range(nxt, floor, -1) if size in (1, other.shape[j])), None)


def _grid_crop(ctx: Context, row, const, other, crops) -> int | None:
    """The length a table of features (`pos_embed` [1, 65, D] against patch tokens [B, 17, D])
    would be cropped to, when that length follows two or more dims of one input (provenance):
    the tokens of a grid, flattened (`x.flatten(2).transpose(1, 2)` of a patch embedding). The
    table holds a position per cell of its own grid, row by row, so its first rows are the top
    of that grid, not a smaller grid. None for a crop of a length that follows one dim (a
    sequence: the first positions of a longer table are the right ones), of the last dim, or
    of a table that is no feature table (a mask [T, T] against scores crops its last dim)."""
    if not crops or const.rank < 2 or const.shape[-1] != other.shape[-1]:
        return None
    follows = _input_follows(ctx, row, other)
    if follows is None:
        return None
    for c, o, size in crops:
        if c != const.rank - 1 and o < len(follows) and _follows_a_grid(follows[o]):
            return size
    return None


def _follows_a_grid(sources) -> bool:
    """A dim that follows two or more dims of one input: a grid's cells, flattened."""
    dims = [s for s in sources if s.startswith(("dim ", "input "))]
    inputs = {s.rsplit(" dim ", 1)[0] if s.startswith("input ") else "" for s in dims}
    return len(dims) >= 2 and len(inputs) == 1


def _odd_width(crops, const) -> int | None:
    """The odd width a table one wider is cropped to in its last dim (a rotary table built with
    `arange(0, dim, 2)` for an odd `dim` has dim + 1 columns: the two halves of an even width)."""
    for c, _o, size in crops:
        if c == const.rank - 1 and size % 2 == 1 and const.shape[c] == size + 1:
            return size
    return None


def _setting_fixes(ctx: Context, row, const, fixed) -> list[Fix]:
    """The table built again at the width the data has, where the user's module that builds it
    takes that width as an argument (`Rotary(d_model)` → `Rotary(d_model // heads)`): one
    fixed dim, the table's last (the width a constructor sets)."""
    if len(fixed) != 1 or fixed[0][0] != const.rank - 1:
        return []
    _, _, want = fixed[0]
    got = const.shape[-1]
    what = f"it builds the table {shape(const.shape)} {got} wide; the features it meets are {want} wide"
    return setting_width_fixes(ctx.trace, row, const, got, want, what)


def _rebuilt_fix(row, const, other, fixed, texts) -> Fix:
    written = texts[row.inputs.index(const)] if texts and const in row.inputs else ""
    named = re.match(r"[A-Za-z_][\w.]*", written)  # `self.cos` of `self.cos[:t][None, None]`
    name = f"`{named.group(0)}`" if named else "the table"
    sizes = ", ".join(f"{size} in dim {c} (not {const.shape[c]})" for c, _, size in sorted(fixed))
    return Fix(
        description=f"build {name} {shape(const.shape)} for the width that {shape(other.shape)} has: {sizes}; "
        "that width is set by the model, not a length that arrives, so a crop would keep values made for "
        "another width",
        safety=DISPLAY_ONLY,
        location=row.called_at,
        check_note="not checked: the table is built where shapecheck cannot rewrite it",
    )


def _crop_fix(row, index: int, crops, const, other, texts, parsed) -> Fix:
    name = texts[index] if texts else None
    other_name = texts[1 - index] if texts else None
    core = operand_receiver(name)[0] if name else "b"
    plain = other_name is not None and isinstance(_expr(other_name), (ast.Name, ast.Attribute))

    def crop(text: str, other_text: str) -> str:
        inner, tail = operand_receiver(text)
        # the other operand's length read from it, so the crop holds at any length: a name as it
        # is, a call or subscript too (`self.rot(q).size(-2)`), anything else in parentheses
        node = _expr(other_text)
        by_name = isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript))
        held = other_text if by_name else f"({other_text})" if node is not None else None
        parts = [":"] * (max(c for c, _, _ in crops) + 1)
        for c, o, size in crops:
            parts[c] = f": {held}.size({o - len(other.shape)})" if held else f":{size}"
        return f"{inner}[{', '.join(parts)}]{tail}"

    cropped = crop(name, other_name or "") if name else f"{core}[...]"
    after = rewrite_operands(parsed, row, index, crop) if name else None
    steps = tuple(("narrow", (c, 0, size)) for c, _, size in crops)
    edit = Edit("arg_method", op_site(row), params=(("index", index), ("method", "chain"), ("args", steps)))
    sizes = ", ".join(f"dim {c}: {const.shape[c]} → {size}" for c, _, size in sorted(crops))
    return line_fix(
        f"{shape(const.shape)} is built for a longer length than arrives ({sizes}): crop it to the "
        f"size of {shape(other.shape)}" + (f", from `{other_name}` so it holds at any length" if plain else ""),
        row.called_at,
        row.called_at.source,
        after,
        cropped,
        Rerun(edits=(edit,)),
    )


def _class_token_fix(ctx: Context, row, index: int, table, tokens, texts, parsed) -> Fix | None:
    """A position table [1, T + k, D] against tokens [B, T, D] where the module holds a parameter
    [1, k, D] its code never reads (`self.cls_token`): the table is built for the tokens with
    that one in front, and it was never put there. The fix joins it in front of the tokens on
    the line of the add, expanded to the batch, checked as written."""
    if table.rank != 3 or tokens.rank != 3 or table.shape[-1] != tokens.shape[-1] or texts is None:
        return None
    extra = table.shape[1] - tokens.shape[1]
    token = _unused_token(ctx, row, extra, tokens.shape[-1])
    if token is None:
        return None
    text = texts[index]

    def joined(t: str, _other: str) -> str:
        return f"torch.cat([self.{token.name}.expand({t}.size(0), -1, -1), {t}], dim=1)"

    after = rewrite_operands(parsed, row, index, joined) if isinstance(_expr(text), ast.Name) else None
    return line_fix(
        f"put `self.{token.name}` {shape(token.shape)} in front of the tokens, as the table's {table.shape[1]} = "
        f"{tokens.shape[1]} + {extra} positions are built for: it is set in `__init__` and never used",
        row.called_at,
        row.called_at.source,
        after,
        joined(text, ""),
    )


def _unused_token(ctx: Context, row, extra: int, width: int):
    """The one parameter [1, extra, width] of the op's module that its code never reads."""
    owner = ctx.trace.row(row.parent)
    owner_name = "" if owner is None or owner.parent is None else owner.name
    unused = [
        p
        for p in ctx.trace.unused_params
        if p.owner == owner_name and tuple(p.shape) == (1, extra, width) and extra >= 1
    ]
    return unused[0] if len(unused) == 1 else None


def _expr(text: str):
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        return None


def _rounded_skip_fix(ctx: Context, a, b, dim: int) -> tuple[str, Fix] | None:
    """Two maps of one input that differ in a spatial dim by a rounding (37 and 36: a downsampling
    path halved an odd length and the upsampling doubled it back): the input sizes that line up,
    as SC109 finds them for a concatenated skip."""
    if not _apart_by_rounding(a, b, dim) or ctx.runner is None:
        return None
    dims = ctx.sample_dims
    axes = tuple(range(1, len(dims)))
    if not axes or len({dims[i] for i in axes}) != 1:
        return None
    found = input_multiple_fix(ctx, axes)
    if found is None:
        return None
    m, fix = found
    return (
        f"the two sides line up only when the input's spatial dims are multiples of {m}: a downsampling path "
        "rounded an odd size and the path back did not restore it",
        fix,
    )


def _apart_by_rounding(a, b, dim: int) -> bool:
    """Two maps of the input, one rank, that differ in spatial dim `dim` by at most a quarter."""
    if a.rank != b.rank or dim < 2 or not (a.from_input and b.from_input):
        return False
    return abs(a.shape[dim] - b.shape[dim]) * 4 <= max(a.shape[dim], 2)
