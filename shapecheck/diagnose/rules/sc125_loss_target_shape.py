"""SC125 loss-target-shape.

What it does: finds a loss whose input and target break the loss's contract, as a function
(`F.mse_loss`, `F.cross_entropy`) or a module (`nn.MSELoss()`, `nn.CrossEntropyLoss()`):
- an elementwise loss (`mse`, `l1`, `smooth_l1`, `huber`, `binary_cross_entropy[_with_logits]`)
  whose input and target differ in shape: it says what the broadcast makes of them (`[B, 1]`
  with `[B]` is `[B, B]`: every prediction against every target), and squeezes a size-1 dim;
- a class-index loss (`cross_entropy`, `nll_loss`) given a target of class indices in a column
  (`[N, 1]`: squeeze it), one-hot rows of integers (`[N, C]`: `argmax(1)`), or an input with the
  classes last (`[B, T, V]` against `[B, T]`: classes go in dim 1, `transpose(1, 2)`).
Each fix is traced again.

Why is this bad? An elementwise loss only warns (`Using a target size … that is different to
the input size`) and averages over pairs of unrelated samples; a class-index loss fails with a
message about the target (`0D or 1D target tensor expected, multi-target not supported`).

Example:
    return F.mse_loss(self.net(x), u0)        # [B, 1] and [B]

Use instead:
    return F.mse_loss(self.net(x).squeeze(-1), u0)

Fix safety: safe (no parameter changes).
"""

from __future__ import annotations

import ast

from ...trace.records import LayerRecord
from ..context import Context, op_site
from ..findings import WARNING, Finding, Fix, line_fix
from ..layers import broadcast_shape
from ..numbers import prod, shape
from ..provenance import provenance
from ..registry import rule
from ..requests import Edit, Rerun
from .common import ref

# Losses as modules: the elementwise ones, and those that take class indices.
_ELEMENTWISE_MODULES = frozenset({"MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss"})
_CLASS_MODULES = frozenset({"CrossEntropyLoss", "NLLLoss"})
_CLASS_OPS = frozenset({"F.cross_entropy", "F.nll_loss", "torch.nn.functional.cross_entropy"})
_INTEGERS = frozenset({"int64", "int32", "int16", "int8", "uint8"})


def _is_elementwise(row: LayerRecord) -> bool:
    if row.kind == "module":
        return row.type in _ELEMENTWISE_MODULES
    return row.kind == "op" and (row.type.endswith("_loss") or "binary_cross_entropy" in row.type)


def _takes_classes(row: LayerRecord) -> bool:
    return row.type in (_CLASS_MODULES if row.kind == "module" else _CLASS_OPS)


@rule("SC125", WARNING)
def check(ctx: Context) -> list[Finding]:
    findings = []
    for row in ctx.trace.layers:
        if len(row.inputs) >= 2 and _takes_classes(row):
            found = _class_contract(row)
            if found is not None:
                findings.append(found)
            continue
        if not _is_elementwise(row):
            continue
        if len(row.inputs) < 2 or row.inputs[0].shape == row.inputs[1].shape:
            continue
        a, b = row.inputs[0].shape, row.inputs[1].shape
        joined = broadcast_shape(a, b)
        why = [f"{ref(row)} compares input {shape(a)} with target {shape(b)} element by element"]
        if joined is None:
            continue  # it fails instead: SC112 and SC100 explain that
        why.append(f"they broadcast to {shape(joined)}: {_pairs(a, b, joined)}")
        where = _batch_note(ctx, row)
        if where:
            why.append(where)
        fixes = _squeeze_fixes(ctx, row, a, b)
        findings.append(
            Finding(
                code="SC125",
                severity=WARNING,
                layer=row.name,
                message=f"{ref(row)} gets input {shape(a)} and target {shape(b)}: the loss is taken over "
                f"{shape(joined)} pairs, not element by element",
                location=row.location,
                row=row.index,
                why=why,
                notes=[
                    f"PyTorch warns: Using a target size (torch.Size({list(b)})) that is different to the "
                    f"input size (torch.Size({list(a)}))"
                ],
                fixes=fixes,
            )
        )
    return findings


def _pairs(a, b, joined) -> str:
    return f"{prod(joined)} terms where input and target have {prod(a)} and {prod(b)} values"


def _batch_note(ctx: Context, row: LayerRecord) -> str | None:
    """Which input dim the input's first dim follows, when it is not the batch."""
    pmap = provenance(ctx)
    if pmap is None or ctx.trace.batch is None:
        return None
    dims = pmap.dims(row, "inputs", 0)
    if not dims or not dims[0] or "batch" in dims[0]:
        return None
    return f"the input's dim 0 follows {' × '.join(sorted(dims[0]))}, not the batch"


def _squeeze_fixes(ctx: Context, row: LayerRecord, a, b) -> list[Fix]:
    """When one side is the other with a size-1 dim more: squeeze it."""
    fixes = []
    for index, (longer, other) in enumerate(((a, b), (b, a))):
        if len(longer) != len(other) + 1:
            continue
        for dim in range(len(longer)):
            if longer[dim] == 1 and longer[:dim] + longer[dim + 1 :] == tuple(other):
                fixes.append(_fix(row, index, dim - len(longer)))
                break
    return fixes


def _fix(row: LayerRecord, index: int, dim: int) -> Fix:
    which = "input" if index == 0 else "target"
    return _argument_fix(
        row, index, "squeeze", (dim,), f"squeeze the {which}'s size-1 dim {dim} so input and target have the same shape"
    )


def _argument_fix(row: LayerRecord, index: int, method: str, args: tuple, description: str) -> Fix:
    """`loss(out, y)` → `loss(out, y.squeeze(1))`: argument `index` of the loss call gets
    `.method(*args)`, on the user's line and in the re-run."""
    source = row.called_at.source if row.called_at else ""
    suffix = f".{method}({', '.join(map(str, args))})"
    names = {row.name.rpartition(".")[2], row.type.rpartition(".")[2]}
    after = _wrapped_argument(source, names, index, suffix)
    which = "input" if index == 0 else "target"
    target = op_site(row) if row.kind == "op" else row.name
    return line_fix(
        description,
        row.called_at,
        source,
        after,
        f"{which}{suffix}",
        Rerun(edits=(Edit("arg_method", target, params=(("index", index), ("method", method), ("args", args))),)),
    )


def _wrapped_argument(source: str, names: set[str], index: int, suffix: str) -> str | None:
    """The line with `suffix` after argument `index` of the call named one of `names` (or the
    first call with that many arguments)."""
    try:
        tree = ast.parse(source.strip())
    except SyntaxError:
        return None
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and len(n.args) > index]
    named = [c for c in calls if _call_name(c) in names]
    if not calls:
        return None
    arg = (named or calls)[0].args[index]
    text = source.strip()
    segment = ast.get_source_segment(text, arg)
    if segment is None or arg.lineno != 1 or arg.end_lineno != 1:
        return None
    start = len(text.encode()[: arg.col_offset].decode(errors="ignore"))
    end = start + len(segment)
    simple = isinstance(arg, (ast.Name, ast.Attribute, ast.Subscript, ast.Call))
    wrapped = segment if simple else f"({segment})"
    indent = source[: len(source) - len(source.lstrip())]
    return indent + text[:start] + wrapped + suffix + text[end:]


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _class_contract(row: LayerRecord) -> Finding | None:
    """A class-index loss whose target or input breaks its contract, with the fix that keeps it."""
    a, b = row.inputs[0].shape, row.inputs[1].shape
    integer = row.inputs[1].dtype in _INTEGERS
    if len(a) == 2 and tuple(b) == (a[0], 1) and integer:
        message = f"{ref(row)} gets a target of class indices in a column {shape(b)}: it takes {shape(b[:1])}"
        why = f"a class-index loss takes one class index per sample, [N] for input [N, C] = {shape(a)}"
        fix = _argument_fix(row, 1, "squeeze", (1,), "squeeze the target's column so it holds one index per sample")
    elif len(a) == 2 and tuple(b) == tuple(a) and integer:
        message = f"{ref(row)} gets one-hot integer targets {shape(b)}: it takes class indices {shape(b[:1])}"
        why = f"integer targets are class indices, one per sample; one-hot rows of {a[1]} are their argmax"
        fix = _argument_fix(row, 1, "argmax", (1,), "take each one-hot row's class index")
    elif len(a) == 3 and tuple(b) == tuple(a[:2]) and integer:
        message = (
            f"{ref(row)} gets input {shape(a)} with the classes last: it takes them in dim 1, "
            f"[{a[0]}, {a[2]}, {a[1]}] against target {shape(b)}"
        )
        why = f"for input [N, C, d1] the target is [N, d1]: N = {a[0]}, d1 = {a[1]}, and the {a[2]} classes are last"
        fix = _argument_fix(row, 0, "transpose", (1, 2), "move the classes to dim 1")
    else:
        return None
    return Finding(
        code="SC125",
        severity=WARNING,
        layer=row.name,
        message=message,
        location=row.called_at or row.location,  # the loss call, not the line that built the criterion
        row=row.index,
        why=[f"{ref(row)} receives input {shape(a)} and target {shape(b)} ({row.inputs[1].dtype})", why],
        fixes=[fix],
    )
