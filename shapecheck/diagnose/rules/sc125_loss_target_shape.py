"""SC125 loss-target-shape.

What it does: finds a loss whose input and target break the loss's contract, as a function
(`F.mse_loss`, `F.cross_entropy`) or a module (`nn.MSELoss()`, `nn.CrossEntropyLoss()`):
- an elementwise loss (`mse`, `l1`, `smooth_l1`, `huber`, `binary_cross_entropy[_with_logits]`)
  whose input and target differ in shape: it says what the broadcast makes of them (`[B, 1]`
  with `[B]` is `[B, B]`: every prediction against every target), and squeezes a size-1 dim;
- a class-index loss (`cross_entropy`, `nll_loss`) given a target of class indices in a column
  (`[N, 1]`: squeeze it), one-hot rows of integers (`[N, C]`: `argmax(1)`), or an input with the
  classes last (`[B, T, V]` against `[B, T]`: classes go in dim 1, `transpose(1, 2)`), scores
  flattened to `[B·T, V]` with labels left `[B, T]` (`view(-1)`), or scores cut to T-1 positions
  for next-token prediction against T labels (`labels[:, 1:]`, before the labels' own flatten
  when both were flattened), or N rows of scores against M targets where the scores' rows were
  pooled from M upstream (node labels for graph scores after an `index_add` readout);
- CTC (`CTCLoss`, `F.ctc_loss`) given log_probs batch first, `[N, T, C]`: it reads `[T, N, C]`
  (`transpose(0, 1)`).
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
import re

from ...trace.records import LayerRecord
from ..context import Context, op_site
from ..findings import DISPLAY_ONLY, WARNING, Finding, Fix, line_fix
from ..layers import broadcast_mismatch, broadcast_shape
from ..numbers import call_arguments, char_span, parsed_line, prod, shape
from ..provenance import provenance
from ..registry import rule
from ..requests import Edit, Rerun
from .common import argument_fix, class_token, is_elementwise_loss, ref
from .sc112_broadcast_mismatch import alignment_fixes

# Losses as modules that take class indices (the elementwise ones: common.is_elementwise_loss).
_CLASS_MODULES = frozenset({"CrossEntropyLoss", "NLLLoss"})
_CLASS_OPS = frozenset({"F.cross_entropy", "F.nll_loss", "torch.nn.functional.cross_entropy"})
_CTC = frozenset({"CTCLoss", "F.ctc_loss", "torch.nn.functional.ctc_loss"})
_FLATTENS = frozenset({"Tensor.view", "Tensor.reshape", "torch.reshape", "Tensor.flatten", "torch.flatten"})
_INTEGERS = frozenset({"int64", "int32", "int16", "int8", "uint8"})


def _takes_classes(row: LayerRecord) -> bool:
    return row.type in (_CLASS_MODULES if row.kind == "module" else _CLASS_OPS)


@rule("SC125", WARNING)
def check(ctx: Context) -> list[Finding]:
    findings = []
    for row in ctx.trace.layers:
        found = _loss_finding(ctx, row)
        if found is not None:
            findings.append(found)
    return findings


def _loss_finding(ctx: Context, row: LayerRecord) -> Finding | None:
    """The finding on one row, by the kind of loss it is: CTC, class indices, or elementwise."""
    if len(row.inputs) >= 3 and row.type in _CTC:
        return _ctc_contract(ctx, row)
    if len(row.inputs) >= 2 and _takes_classes(row):
        return _class_loss(ctx, row)
    if not is_elementwise_loss(row) or len(row.inputs) < 2 or row.inputs[0].shape == row.inputs[1].shape:
        return None
    return _elementwise(ctx, row)


def _class_loss(ctx: Context, row: LayerRecord) -> Finding | None:
    """A class-index loss: its contract, scores per position, a flattened shift, or row counts."""
    names = ctx.trace.input_names if row.index == 0 else ()
    return (
        _class_contract(row, names, _dims_moved(ctx, row))
        or _per_position(ctx, row, names)
        or _flattened_shift(ctx, row)
        or _row_counts(ctx, row)
    )


def _elementwise(ctx: Context, row: LayerRecord) -> Finding | None:
    """An elementwise loss whose input and target differ in shape: refused where they do not
    broadcast (or, for binary cross-entropy, at all), else taken over the broadcast pairs."""
    a, b = row.inputs[0].shape, row.inputs[1].shape
    joined = broadcast_shape(a, b)
    if joined is None:
        # a loss module or function: its target, not any elementwise op (SC112)
        return _no_broadcast(ctx, row, a, b) if row.failed else None
    why = [f"{ref(row)} compares input {shape(a)} with target {shape(b)} element by element"]
    why.append(f"they broadcast to {shape(joined)}: {_pairs(a, b, joined)}")
    where = _batch_note(ctx, row)
    if where:
        why.append(where)
    fixes = _squeeze_fixes(ctx, row, a, b)
    if row.failed:  # binary cross-entropy refuses instead of broadcasting
        why[1:] = [f"it takes input and target of the same shape; broadcast, they would be {shape(joined)}"]
        message, note = _refused_texts(row, a, b)
    else:
        message, note = _broadcast_texts(row, a, b, joined)
    return Finding(
        code="SC125",
        severity=WARNING,
        layer=row.name,
        message=message,
        location=row.called_at or row.location,  # the call gives the loss its operands
        row=row.index,
        why=why,
        notes=[note],
        fixes=fixes,
    )


def _refused_texts(row: LayerRecord, a, b) -> tuple[str, str]:
    """(message, PyTorch's error) for a loss that takes input and target of one shape."""
    message = f"{ref(row)} gets input {shape(a)} and target {shape(b)}: it needs the same shape"
    note = (
        f"PyTorch reports: Target size (torch.Size({list(b)})) must be the same as input size (torch.Size({list(a)}))"
    )
    return message, note


def _broadcast_texts(row: LayerRecord, a, b, joined) -> tuple[str, str]:
    """(message, PyTorch's warning) for a loss taken over the broadcast pairs."""
    message = (
        f"{ref(row)} gets input {shape(a)} and target {shape(b)}: the loss is taken over "
        f"{shape(joined)} pairs, not element by element"
    )
    note = (
        f"PyTorch warns: Using a target size (torch.Size({list(b)})) that is different to the "
        f"input size (torch.Size({list(a)}))"
    )
    return message, note


def _one_value_fix(ctx: Context, row: LayerRecord, k: int) -> list[Fix]:
    """The Linear that makes the input, built for one value per sample; its output then needs
    `.squeeze(-1)` to match the target, as the description says."""
    made = ctx.trace.row(row.inputs[0].source)
    if made is None or made.type != "Linear" or made.attrs.get("out_features") != k:
        return []
    return [
        argument_fix(
            made,
            "Linear",
            1,
            "out_features",
            1,
            f"if one value per sample is meant: build {ref(made)} with out_features=1, and compare its output "
            "with `.squeeze(-1)` so that [B, 1] meets the target [B] element by element",
            None,
        )
    ]


def _no_broadcast(ctx: Context, row: LayerRecord, a: tuple, b: tuple) -> Finding:
    """A loss module whose input and target do not even broadcast: the dim where they differ, and
    what each holds per sample when the rest matches (2 outputs against 1 target value)."""
    dim, x, y = broadcast_mismatch(a, b) or (0, 0, 0)
    why = [
        f"{ref(row)} compares input {shape(a)} with target {shape(b)} element by element; aligned from the right, "
        f"dim {dim} is {x} in the input and {y} in the target"
    ]
    if len(a) == len(b) + 1 and a[:-1] == b:
        why.append(
            f"the input holds {a[-1]} values per sample and the target one: the model's last layer makes {a[-1]} "
            f"outputs where the target has one (out_features=1 for one value), or the target should hold {a[-1]}"
        )
    return Finding(
        code="SC125",
        severity=WARNING,
        layer=row.name,
        message=f"{ref(row)} gets input {shape(a)} and target {shape(b)}, which do not broadcast",
        location=row.called_at or row.location,
        row=row.index,
        why=why,
        notes=[
            f"PyTorch reports: The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton "
            f"dimension {dim}"
        ],
        fixes=(_one_value_fix(ctx, row, a[-1]) if len(a) == len(b) + 1 and a[:-1] == b else [])
        + alignment_fixes(ctx, row, [t for t in row.inputs[:2] if t.rank > 0]),
    )


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
    """When one side is the other with a size-1 dim more: squeeze it. The last such dim: dim 0
    is the batch, size 1 too when traced at batch 1 (`[1, 1]` against `[1]` squeezes dim -1)."""
    fixes = []
    for index, (longer, other) in enumerate(((a, b), (b, a))):
        if len(longer) != len(other) + 1:
            continue
        for dim in reversed(range(len(longer))):
            if longer[dim] == 1 and longer[:dim] + longer[dim + 1 :] == tuple(other):
                fixes.append(_fix(row, index, dim - len(longer)))
                break
    return fixes


def _fix(row: LayerRecord, index: int, dim: int) -> Fix:
    which = "input" if index == 0 else "target"
    return _argument_fix(
        row, index, "squeeze", (dim,), f"squeeze the {which}'s size-1 dim {dim} so input and target have the same shape"
    )


def _argument_fix(
    row: LayerRecord, index: int, method: str, args: tuple, description: str, names: tuple[str, ...] = ()
) -> Fix:
    """`loss(out, y)` → `loss(out, y.squeeze(1))`: argument `index` of the loss call gets
    `.method(*args)`, on the user's line and in the re-run. `names`: the caller's names for the
    arguments, when the loss is checked alone (`nn.NLLLoss()(out, masks)` in a script)."""
    source = row.called_at.source if row.called_at else ""
    suffix = f".{method}({', '.join(map(str, args))})"
    callees = {row.name.rpartition(".")[2], row.type.rpartition(".")[2]}
    after = _wrapped_argument(source, callees, index, suffix)
    which = "input" if index == 0 else "target"
    if len(names) > index and names[index].isidentifier():
        which = names[index]
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
    parsed = parsed_line(source)
    if parsed is None:
        return None
    indent, text, tree = parsed
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and len(n.args) > index]
    named = [c for c in calls if _call_name(c) in names]
    if not calls:
        return None
    arg = (named or calls)[0].args[index]
    span = char_span(text, arg)
    if span is None:
        return None
    segment = text[span[0] : span[1]]
    simple = isinstance(arg, (ast.Name, ast.Attribute, ast.Subscript, ast.Call))
    wrapped = segment if simple else f"({segment})"
    return indent + text[: span[0]] + wrapped + suffix + text[span[1] :]


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _finding(row: LayerRecord, message: str, **details) -> Finding:
    """SC125 on a loss call, located at the call (not the line that built the criterion)."""
    return Finding(
        code="SC125",
        severity=WARNING,
        layer=row.name,
        message=message,
        location=row.called_at or row.location,
        row=row.index,
        **details,
    )


_CLASSES_LAST = frozenset({"Linear", "Bilinear", "LazyLinear", "F.linear", "Tensor.matmul", "torch.matmul"})


def _per_position(ctx: Context, row: LayerRecord, names: tuple[str, ...] = ()) -> Finding | None:
    """Scores for every position of each sample, [N, L, C] from a head run on all the tokens,
    against one class index per sample [N]: the loss reads L as the classes and wants [N, C].
    Pooled over the positions, or the first (class) token's row: one score row per sample."""
    a, b = row.inputs[0].shape, row.inputs[1].shape
    if not _one_label_per_sample(row):
        return None
    maker = _maker(ctx, row.inputs[0].source)
    positions = 1 if maker is not None and maker.type in _CLASSES_LAST else 2  # [N, C, L] from a conv
    classes = a[3 - positions]
    message = (
        f"{ref(row)} gets scores for each of {a[positions]} positions, {shape(a)}, and one class index per "
        f"sample, {shape(b)}"
    )
    made_by = f" (by `{maker.name}`)" if maker is not None else ""
    why = [
        f"{ref(row)} receives input {shape(a)} and target {shape(b)} ({row.inputs[1].dtype})",
        f"for input [N, C, d1] it takes a target [N, d1]: it reads {a[1]} as the classes and wants "
        f"{shape((a[0], a[2]))}",
        f"the {classes} scores are made for every one of the {a[positions]} positions{made_by}"
        "; one label per sample needs one row of scores per sample",
    ]
    token = class_token(ctx, a[positions]) if positions == 1 else None
    if token is not None:  # the model puts a class token first: its row is the one to score
        why.append(f"{ref(token)} puts a learned token first among the {a[positions]} positions: the class token")
    pool, first = _pool_and_first(row, a[positions], positions, token is not None, names)
    fixes = [first, pool] if token else [pool, first]
    rnn = _recurrent_source(ctx, row) if positions == 1 and token is None else None
    if rnn is not None:  # a recurrent net's last step has read the whole sequence: it is the summary
        why.append(f"the positions are the time steps of {ref(rnn)}: its last step has read the whole sequence")
        fixes = _last_step_first(row, pool, first, names)
    return _finding(
        row,
        message,
        why=why,
        notes=[f"PyTorch reports: Expected target size {list((a[0], a[2]))}, got {list(b)}"],
        fixes=fixes,
    )


def _one_label_per_sample(row: LayerRecord) -> bool:
    """Scores of rank 3 [N, *, *] against integer labels [N]."""
    a, b = row.inputs[0].shape, row.inputs[1].shape
    return len(a) == 3 and len(b) == 1 and a[0] == b[0] and row.inputs[1].dtype in _INTEGERS


def _pool_and_first(
    row: LayerRecord, length: int, positions: int, token: bool, names: tuple[str, ...]
) -> tuple[Fix, Fix]:
    """The scores pooled over their `length` positions (dim `positions`), and the first position's
    row (the class token's, where the model puts one there: `token`)."""
    pooled = f"pool the scores over the {length} positions: one row per sample"
    pool = _argument_fix(row, 0, "mean", (positions,), f"or {pooled}" if token else pooled, names)
    first = _argument_fix(
        row,
        0,
        "select",
        (positions, 0),
        "score the class token, the first position, as the model puts it there"
        if token
        else "or score the first (class) token only, as a ViT or BERT head does",
        names,
    )
    _as_indexing(row, first, "[:, 0]" if positions == 1 else "[:, :, 0]")
    return pool, first


def _maker(ctx: Context, made: int | None) -> LayerRecord | None:
    """The row at index `made`, when there is one."""
    return ctx.trace.layers[made] if made is not None and 0 <= made < len(ctx.trace.layers) else None


def _as_indexing(row: LayerRecord, fix: Fix, suffix: str) -> None:
    """A `select` fix on the loss's first argument written as indexing (`logits[:, 0]`, the same
    as `.select(1, 0)`) where the line has it as an argument."""
    if fix.after is None:
        return
    callees = {row.name.rpartition(".")[2], row.type.rpartition(".")[2]}
    indexed = _wrapped_argument(fix.before or "", callees, 0, suffix)
    if indexed is not None:
        fix.after = fix.code = indexed


def _last_step_first(row: LayerRecord, pool: Fix, first: Fix, names: tuple[str, ...]) -> list[Fix]:
    """Scores of a recurrent net's steps: its last step first, then the pool and the first token."""
    last = _argument_fix(row, 0, "select", (1, -1), "score the last time step, as a recurrent classifier does", names)
    _as_indexing(row, last, "[:, -1]")
    pool.description = pool.description.removeprefix("or ")
    fixes = [last, pool, first]
    for fix in fixes[1:]:
        fix.description = "or " + fix.description.removeprefix("or ")
    return fixes


_RECURRENT = frozenset({"LSTM", "GRU", "RNN"})


def _recurrent_source(ctx: Context, row: LayerRecord) -> LayerRecord | None:
    """The batch-first LSTM, GRU or RNN whose steps the scores [N, L, C] are, through layers that
    keep [N, L] (a head, dropout, an activation); None for other sources."""
    t = row.inputs[0]
    for _ in range(8):
        made = ctx.trace.row(t.source) if t.source is not None else None
        if made is None or not made.inputs:
            return None
        if made.kind == "module" and made.type in _RECURRENT:
            return made if made.attrs.get("batch_first") else None
        if made.inputs[0].shape[:2] != t.shape[:2]:
            return None
        t = made.inputs[0]
    return None


_MOVES = ("transpose", "permute", "movedim", "swapaxes", "swapdims")


def _dims_moved(ctx: Context, row: LayerRecord) -> bool:
    """Where the input [N, d, d] reads both as [N, C, d1] and as classes last, the code's layout
    is meant: the input comes straight from a transpose or permute (`logits.transpose(1, 2)`,
    DETR's [B, Q, C] scores given as [B, C, Q]) or from a conv (channels first: a tagger's
    [B, C, T] with as many classes as steps), or dim 2 follows an input size and dim 1 does not
    (dim provenance)."""
    source = row.inputs[0].source if row.inputs else None
    made = ctx.trace.row(source) if source is not None else None
    if _is_move(made):
        return True
    a = row.inputs[0].shape if row.inputs else ()
    if len(a) != 3 or a[1] != a[2]:
        return False
    if made is not None and made.kind == "module" and made.type.startswith("Conv"):
        return True  # a conv's scores are channels first: its out_channels are dim 1
    return _length_in_dim_2(ctx, row)


def _is_move(made: LayerRecord | None) -> bool:
    """A transpose or permute (or another op that moves dims)."""
    return made is not None and made.kind == "op" and made.type.rpartition(".")[2] in _MOVES


def _length_in_dim_2(ctx: Context, row: LayerRecord) -> bool:
    """Dim 2 of the loss's input follows an input size and dim 1 does not (provenance)."""
    prov = provenance(ctx)
    follows = prov.dims(row, "inputs") if prov is not None else None
    return follows is not None and not follows[1] and bool(follows[2])


def _class_contract(row: LayerRecord, names: tuple[str, ...] = (), moved: bool = False) -> Finding | None:
    """A class-index loss whose integer target or input breaks its contract, with the fix that
    keeps it: the first of `_CONTRACTS` that reads the shapes. `moved`: the input's dims were just
    moved by the code; where two readings fit, that one is meant."""
    a, b = row.inputs[0].shape, row.inputs[1].shape
    if row.inputs[1].dtype not in _INTEGERS:
        return None
    for contract in _CONTRACTS:
        found = contract(row, a, b, names, moved)
        if found is not None:
            message, why, fix = found
            return _finding(
                row,
                message,
                why=[f"{ref(row)} receives input {shape(a)} and target {shape(b)} ({row.inputs[1].dtype})", why],
                fixes=[fix],
            )
    if len(a) == 3 and len(b) == 2 and a[0] == b[0] and b[1] == a[1] + 1:
        if moved and a[2] == b[1]:
            return None  # DETR's [B, Q, C+1] scores moved to [B, C+1, Q] against [B, Q]: as written
        return _shifted_classes_last(row, a, b)
    return None


_Contract = tuple[str, str, Fix] | None  # (message, why, fix)


def _channel_target(row: LayerRecord, a, b, names: tuple[str, ...], _moved: bool) -> _Contract:
    """A target with a class or channel dim of 1: [N, 1] for [N, C], a loader's mask [N, 1, H, W]."""
    if len(a) < 2 or tuple(b) != (a[0], 1, *a[2:]):
        return None
    want = (a[0], *a[2:])
    if len(a) == 2:
        message = f"{ref(row)} gets a target of class indices in a column {shape(b)}: it takes {shape(b[:1])}"
        why = f"a class-index loss takes one class index per sample, [N] for input [N, C] = {shape(a)}"
    else:  # a mask from a loader, with its channel dim: [N, 1, H, W]
        message = f"{ref(row)} gets a target {shape(b)} with a channel dim: it takes {shape(want)}"
        why = (
            f"a class-index loss takes one class index per place, [N, d1, …] = {shape(want)} for input "
            f"[N, C, d1, …] = {shape(a)}: no class or channel dim"
        )
    fix = _argument_fix(
        row, 1, "squeeze", (1,), "squeeze the target's dim 1 so it holds one class index per place", names
    )
    return message, why, fix


def _one_hot_target(row: LayerRecord, a, b, names: tuple[str, ...], _moved: bool) -> _Contract:
    """Integer targets of the scores' shape [N, C]: one-hot rows."""
    if len(a) != 2 or tuple(b) != tuple(a):
        return None
    message = f"{ref(row)} gets one-hot integer targets {shape(b)}: it takes class indices {shape(b[:1])}"
    why = f"integer targets are class indices, one per sample; one-hot rows of {a[1]} are their argmax"
    return message, why, _argument_fix(row, 1, "argmax", (1,), "take each one-hot row's class index", names)


def _classes_last(row: LayerRecord, a, b, names: tuple[str, ...], moved: bool) -> _Contract:
    """Scores [N, L, C] against a target [N, L]: the classes last, where the loss takes them in dim 1
    (unless the code just moved them there and both readings fit)."""
    if len(a) != 3 or tuple(b) != tuple(a[:2]) or (moved and a[1] == a[2]):
        return None
    message = (
        f"{ref(row)} gets input {shape(a)} with the classes last: it takes them in dim 1, "
        f"[{a[0]}, {a[2]}, {a[1]}] against target {shape(b)}"
    )
    why = f"for input [N, C, d1] the target is [N, d1]: N = {a[0]}, d1 = {a[1]}, and the {a[2]} classes are last"
    return message, why, _argument_fix(row, 0, "transpose", (1, 2), "move the classes to dim 1", names)


def _flat_input(row: LayerRecord, a, b, names: tuple[str, ...], _moved: bool) -> _Contract:
    """Scores flattened to one row per token [N*L, C] against a target [N, L] that is not."""
    if len(a) != 2 or len(b) < 2 or prod(b) != a[0]:
        return None
    message = f"{ref(row)} gets input {shape(a)} flattened to one row per token and a target {shape(b)} that is not"
    why = f"the {a[0]} rows of the input take {a[0]} class indices, [{a[0]}]: the target's {shape(b)} flattened"
    return (
        message,
        why,
        _argument_fix(row, 1, "view", (-1,), "flatten the target like the input, one class index per row", names),
    )


def _unshifted_labels(row: LayerRecord, a, b, _names: tuple[str, ...], _moved: bool) -> _Contract:
    """Scores cut to predict the next token against labels one longer: not shifted like them."""
    shift = _shifted(a[:1] + a[2:], b) if len(a) >= 3 and len(b) == len(a) - 1 else None
    if shift is None:
        return None
    message = (
        f"{ref(row)} gets {shift[1]} positions of scores and {shift[1] + 1} labels per sequence "
        f"(input {shape(a)}, target {shape(b)}): the labels are not shifted like the scores"
    )
    why = (
        f"the scores were cut to {shift[1]} positions (each predicts the next token); the target is "
        f"the labels from position 1 on, [:, 1:]"
    )
    return message, why, _shift_fix(row, 1, shift[0], shift[1], "shift the labels by one, as the scores were")


_CONTRACTS = (_channel_target, _one_hot_target, _classes_last, _flat_input, _unshifted_labels)


def _row_counts(ctx: Context, row: LayerRecord) -> Finding | None:
    """A class-index loss given N rows of scores and M targets: when the scores' rows were made
    from M rows upstream (a pooling by index: `index_add`, `scatter`, a readout), the targets
    are one per row before that pooling, where the loss takes one per row after it."""
    a, b = row.inputs[0], row.inputs[1]
    if not row.failed or b.dtype not in _INTEGERS or not a.shape or len(b.shape) != len(a.shape) - 1:
        return None
    n, m = a.shape[0], b.shape[0] if b.shape else 1
    if n == m:
        return None
    pooled = _pooled_at(ctx, a, n, m)
    why = [f"{ref(row)} receives input {shape(a.shape)} and target {shape(b.shape)}: {n} rows of scores, {m} targets"]
    want = shape((n, *b.shape[1:]))
    if pooled is None:
        return _one_target_per_row(row, n, m, why, f"give the loss one target per row of scores, {want}")
    return _pooled_rows(row, pooled, n, m, why, want)


def _pooled_rows(row: LayerRecord, pooled: LayerRecord, n: int, m: int, why: list[str], want: str) -> Finding:
    """N rows of scores that `pooled` made from the M rows the targets are for: a flatten of every
    step against one label per sample, a selection of the rows, else one target per pooled row."""
    before = next(t for t in pooled.inputs if t.shape and t.shape[0] == m and t.rank >= 2)
    why.append(
        f"{ref(pooled)} made the {n} rows from {m} ({shape(before.shape)} → {shape(pooled.outputs[0].shape)}): "
        f"the target has one entry per row before it"
    )
    per_sample = _one_row_per_sample(row, pooled, before, m)
    if per_sample:
        tagging = Fix(
            description=f"or, if every step has a label (tagging), give the loss {n} targets: "
            f"{shape(before.shape[:2])} flattened like the scores",
            safety=DISPLAY_ONLY,
            location=row.called_at,
            check_note="not checked: the targets come from the data",
        )
        return _finding(
            row,
            f"{ref(row)} gets {n} rows of scores and {m} targets: scores for every step, one label per sample",
            why=why,
            fixes=[*per_sample, tagging],
        )
    selected = _same_selection(row, pooled, n, m)
    if selected is not None:
        why.append(f"the scores are a selection of {m} rows; the targets are for all {m}")
        return _finding(
            row,
            f"{ref(row)} gets {n} selected rows of scores and the targets of all {m} rows",
            why=why,
            fixes=[selected],
        )
    description = (
        f"give the loss one target per row that {ref(pooled)} makes, {want}: labels for what it pools into, "
        f"not for its {m} rows"
    )
    return _one_target_per_row(row, n, m, why, description)


def _one_target_per_row(row: LayerRecord, n: int, m: int, why: list[str], description: str) -> Finding:
    """N rows of scores and M targets, with the targets' reading in `description`, display-only."""
    return _finding(
        row,
        f"{ref(row)} gets {n} rows of scores and {m} targets: it takes one class index per row",
        why=why,
        fixes=[
            Fix(
                description=description,
                safety=DISPLAY_ONLY,
                location=row.called_at or row.location,
                check_note="not checked: the targets come from the data",
            )
        ],
    )


def _same_selection(row: LayerRecord, picked: LayerRecord, n: int, m: int) -> Fix | None:
    """Scores selected by a mask or an index (`out[train_mask]`: a node classifier's training
    nodes) against targets for every row: the targets selected the same way (`y[train_mask]`),
    written on the loss's line and checked as written. None unless the selection is one
    subscript by a name or an expression (not a slice or a number) on a line of the user's."""
    if picked.type != "Tensor.__getitem__" or row.called_at is None or picked.called_at is None:
        return None
    index = _selection(picked.called_at.source)
    if index is None:
        return None
    source = row.called_at.source
    callees = {row.name.rpartition(".")[2], row.type.rpartition(".")[2]}
    after = _wrapped_argument(source, callees, 1, f"[{index}]")
    if after is None or f"[{index}][{index}]" in after:
        return None
    return line_fix(
        f"select the targets as the scores are, `[{index}]`: {n} of the {m} rows, one target per row of scores",
        row.called_at,
        source,
        after,
        f"target[{index}]",
    )


def _selection(source: str) -> str | None:
    """The text of the line's one subscript by a name or an expression (`train_mask` of
    `out[train_mask]`); None unless there is exactly one."""
    parsed = parsed_line(source)
    if parsed is None:
        return None
    _, text, tree = parsed
    picks = {
        text[span[0] : span[1]]
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript)
        and isinstance(node.slice, (ast.Name, ast.Attribute, ast.Call, ast.Compare, ast.UnaryOp))
        and (span := char_span(text, node.slice)) is not None
    }
    return next(iter(picks)) if len(picks) == 1 else None


def _one_row_per_sample(row: LayerRecord, flat: LayerRecord, before, m: int) -> list[Fix]:
    """The scores [m, L, C] of every step flattened to [m·L, C] (`out.view(-1, C)`) against one
    label per sample [m]: both readings that give one row per sample, the last step (an RNN's
    summary) and the mean over the steps, written in place of the flatten and checked as
    written. None unless the flatten is a method call on the line of the loss."""
    if flat.type not in _FLATTENS or before.rank != 3 or row.called_at is None or flat.called_at is None:
        return []
    if (flat.called_at.file, flat.called_at.line) != (row.called_at.file, row.called_at.line):
        return []
    source = row.called_at.source
    method = flat.type.rpartition(".")[2]
    found = re.search(rf"\.{method}\(", source)
    span = call_arguments(source[found.start() :], method) if found else None
    if found is None or span is None:
        return []
    start, end = found.start(), found.start() + span[1] + 1
    steps = before.shape[1]
    readings = (
        ("[:, -1]", f"score the last of the {steps} steps only, one row per sample"),
        (".mean(1)", f"or average the scores over the {steps} steps, one row per sample"),
    )
    return [
        line_fix(text, row.called_at, source, source[:start] + part + source[end:], part) for part, text in readings
    ]


def _pooled_at(ctx: Context, tensor, n: int, m: int, depth: int = 0) -> LayerRecord | None:
    """Walking back from `tensor` (its dim 0 is n) through rows that keep dim 0 at n: the first
    that takes an input of m rows, the pooling that made n from m."""
    made = ctx.trace.row(tensor.source) if tensor.source is not None else None
    if made is None or depth > 32 or not _keeps_rows(made, n):
        return None
    if any(t.shape and t.shape[0] == m and t.rank >= 2 for t in made.inputs):
        return made
    onward = next((t for t in made.inputs if t.shape and t.shape[0] == n), None)
    return _pooled_at(ctx, onward, n, m, depth + 1) if onward is not None else None


def _keeps_rows(made: LayerRecord, n: int) -> bool:
    """The row's output has n rows in dim 0."""
    return bool(made.outputs) and bool(made.outputs[0].shape) and made.outputs[0].shape[0] == n


def _shifted(scores: tuple, labels: tuple) -> tuple[int, int] | None:
    """(dim, length) when `labels` is `scores` with one dim (after the batch) one longer."""
    scores, labels = tuple(scores), tuple(labels)
    if len(scores) != len(labels) or len(scores) < 2 or scores[0] != labels[0]:
        return None
    longer = [d for d in range(1, len(scores)) if labels[d] == scores[d] + 1]
    same = all(scores[d] == labels[d] for d in range(1, len(scores)) if d not in longer)
    return (longer[0], scores[longer[0]]) if len(longer) == 1 and same else None


def _slice_text(dim: int) -> str:
    return "[" + ", ".join([":"] * dim + ["1:"]) + "]"


def _shift_fix(row: LayerRecord, index: int, dim: int, length: int, description: str) -> Fix:
    """The labels from position 1 on: `y[:, 1:]` on the line, `y.narrow(1, 1, T-1)` in the re-run."""
    source = row.called_at.source if row.called_at else ""
    names = {row.name.rpartition(".")[2], row.type.rpartition(".")[2]}
    text = _slice_text(dim)
    after = _wrapped_argument(source, names, index, text)
    target = op_site(row) if row.kind == "op" else row.name
    edit = Edit("arg_method", target, params=(("index", index), ("method", "narrow"), ("args", (dim, 1, length))))
    return line_fix(description, row.called_at, source, after, f"target{text}", Rerun(edits=(edit,)))


def _shifted_classes_last(row: LayerRecord, a, b) -> Finding:
    """[B, T-1, V] scores (classes last) against [B, T] labels: both contracts at once."""
    source = row.called_at.source if row.called_at else ""
    names = {row.name.rpartition(".")[2], row.type.rpartition(".")[2]}
    first = _wrapped_argument(source, names, 0, ".transpose(1, 2)")
    after = _wrapped_argument(first, names, 1, "[:, 1:]") if first else None
    target = op_site(row) if row.kind == "op" else row.name
    edits = (
        Edit("arg_method", target, params=(("index", 0), ("method", "transpose"), ("args", (1, 2)))),
        Edit("arg_method", target, params=(("index", 1), ("method", "narrow"), ("args", (1, 1, a[1])))),
    )
    fix = line_fix(
        "move the classes to dim 1 and shift the labels by one, as the scores were",
        row.called_at,
        source,
        after,
        "input.transpose(1, 2), target[:, 1:]",
        Rerun(edits=edits),
    )
    return _finding(
        row,
        f"{ref(row)} gets input {shape(a)} with the classes last and {a[1]} positions against "
        f"{b[1]} labels per sequence {shape(b)}",
        why=[
            f"{ref(row)} receives input {shape(a)} and target {shape(b)} ({row.inputs[1].dtype})",
            f"a class-index loss takes the classes in dim 1, [{a[0]}, {a[2]}, {a[1]}]; the {a[1]} positions "
            f"each predict the next token, so the target is the labels from position 1 on, [:, 1:]",
        ],
        fixes=[fix],
    )


def _flat_base(ctx: Context, tensor) -> tuple[LayerRecord, tuple] | None:
    """The flattening row (`view(-1)`, `reshape(-1, V)`) that made `tensor`, and the shape it flattened."""
    row = ctx.trace.row(tensor.source)
    if row is None or row.type not in _FLATTENS or not row.inputs:
        return None
    return row, tuple(row.inputs[0].shape)


def _flattened_shift(ctx: Context, row: LayerRecord) -> Finding | None:
    """`loss(scores.view(-1, V), labels.view(-1))` where the scores were cut to T-1 positions and
    the labels were not: the labels' flatten gets `[:, 1:]` first."""
    a, b = tuple(row.inputs[0].shape), tuple(row.inputs[1].shape)
    if len(a) != 2 or len(b) != 1 or a[0] == b[0] or row.inputs[1].dtype not in _INTEGERS:
        return None
    scores, labels = _flat_base(ctx, row.inputs[0]), _flat_base(ctx, row.inputs[1])
    if scores is None or labels is None or labels[0].called_at is None:
        return None
    shift = _shifted(scores[1][:-1], labels[1])
    if shift is None or prod(scores[1]) != a[0] * a[1] or prod(labels[1]) != b[0]:
        return None
    dim, length = shift
    view = labels[0]
    text, fix = _shift_before_flatten(view, dim, length)
    return _finding(
        row,
        f"{ref(row)} gets {a[0]} rows of scores and {b[0]} labels: the scores cover {length} positions "
        f"per sequence, the labels {length + 1}",
        why=[
            f"{ref(row)} receives input {shape(a)} flattened from {shape(scores[1])} and target {shape(b)} "
            f"flattened from {shape(labels[1])} by {ref(view)}",
            f"the scores were cut to {length} positions (each predicts the next token); the labels from "
            f"position 1 on, {text}, are what they predict",
        ],
        fixes=[fix],
    )


def _shift_before_flatten(view: LayerRecord, dim: int, length: int) -> tuple[str, Fix]:
    """(the slice, its fix) that shifts the labels by one in `dim` before `view` flattens them."""
    source = view.called_at.source if view.called_at else ""
    text = _slice_text(dim)
    method = view.type.rpartition(".")[2]
    if method == "view":  # the slice is not contiguous: view needs it to be
        text += ".contiguous()"
    after = _receiver_sliced(source, method, text, view.call)
    steps = (("narrow", (dim, 1, length)), ("contiguous", ()))
    params = (("index", 0), ("method", "chain"), ("args", steps), ("integer", True))
    edit = Edit("arg_method", op_site(view), params=params)
    fix = line_fix(
        "shift the labels by one before flattening them, as the scores were",
        view.called_at,
        source,
        after,
        f"labels{text}",
        Rerun(edits=(edit,)),
    )
    return text, fix


def _receiver_sliced(source: str, method: str, text: str, call: int = 1) -> str | None:
    """The line with `text` after the receiver of its `call`-th `.method(...)` call, in the order
    they run (`y.view(-1)` → `y[:, 1:].view(-1)`)."""
    parsed = parsed_line(source)
    if parsed is None:
        return None
    indent, stripped, tree = parsed
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _call_name(n) == method]
    calls.sort(key=lambda n: (n.func.end_lineno or 0, n.func.end_col_offset or 0))  # the order they run
    for node in calls[call - 1 : call]:
        if isinstance(node.func, ast.Attribute):
            span = char_span(stripped, node.func.value)
            if span is None:
                return None
            return indent + stripped[: span[1]] + text + stripped[span[1] :]
    return None


def _ctc_contract(ctx: Context, row: LayerRecord) -> Finding | None:
    """CTC takes log_probs time first, [T, N, C], with input_lengths [N]: scores kept batch first,
    [N, T, C], get `transpose(0, 1)`."""
    a = tuple(row.inputs[0].shape)
    lengths = row.inputs[2]
    if len(a) != 3 or a[0] == a[1]:
        return None
    if lengths.rank == 1:
        n = lengths.shape[0]
        if a[1] == n or a[0] != n:
            return None
    else:
        pmap = provenance(ctx)
        dims = pmap.dims(row, "inputs", 0) if pmap is not None else None
        if not dims or "batch" not in dims[0] or "batch" in dims[1]:
            return None
    fix = _argument_fix(row, 0, "transpose", (0, 1), "put time first: CTC reads log_probs as [T, N, C]")
    return _finding(
        row,
        f"{ref(row)} gets log_probs {shape(a)} batch first: CTC reads them time first, [T, N, C] = "
        f"[{a[1]}, {a[0]}, {a[2]}]",
        why=[
            f"{ref(row)} receives log_probs {shape(a)}; CTC takes (T, N, C) and input_lengths of N values",
            f"dim 0 ({a[0]}) is the batch: the input_lengths hold {a[0]} values, and it reads dim 1 ({a[1]}) as N",
        ],
        notes=["PyTorch reports: input_lengths must be of size batch_size"],
        fixes=[fix],
    )
