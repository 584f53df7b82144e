"""SC116 batch-first-confusion.

What it does: traces the model at two batch sizes and finds an RNN (`nn.RNN`/`LSTM`/`GRU`) or
attention layer (`nn.MultiheadAttention`, inside `nn.Transformer*` too) whose batch arrives in
the dim the layer reads as time: `[B, T, F]` into an LSTM built without `batch_first=True`
(which reads `[T, N, F]`), or `[T, B, F]` into one built with it. A warning when the model
still runs, an error when it fails. An attention layer whose batch slot holds a size-1 dim that
no input size moves (`self.bf(f.unsqueeze(1))`: BatchFormer, samples attending to each other)
is given the batch as one sequence on purpose, and is not flagged.

Why is this bad? Nothing fails when the shapes happen to fit: the LSTM runs 50 sequences of 4
steps instead of 4 sequences of 50, attention mixes the samples of a batch, and the model
trains badly. The table shows the evidence (`h_n` of `[2, 50, 32]` at batch 4), but no error
says so.

Example:
    self.lstm = nn.LSTM(32, 64)          # fed x of shape [batch, time, features]

Use instead:
    self.lstm = nn.LSTM(32, 64, batch_first=True)

Fix safety: safe: `batch_first` changes no parameter; every checkpoint still loads. The fix is
verified by tracing again at two batch sizes: the batch must then reach the layer's batch dim.
"""

from __future__ import annotations

from ...trace.records import MODULE
from ..context import Context
from ..findings import ERROR, SAFE, WARNING, Finding, Fix, Label, line_fix
from ..numbers import call_arguments, module_call_argument, shape
from ..provenance import matching_row
from ..registry import rule
from ..requests import Edit, Rerun
from ..roles import ATTENTION_TYPES, RNN_TYPES, expected_batch_dim, following_dims, layer_owner, twin
from .common import argument_fix, constructor_line, ref

_LAYOUT = {True: "[N, T, F]", False: "[T, N, F]"}


@rule("SC116", WARNING, intent=True)
def check(ctx: Context) -> list[Finding]:
    trace = ctx.trace
    if twin(ctx) is None:
        return []
    findings, reported = [], set()
    for row in trace.layers:
        if row.kind != MODULE or row.type not in RNN_TYPES + ATTENTION_TYPES or not row.inputs:
            continue
        t = row.inputs[0]
        if row.type in RNN_TYPES and _packed(row):
            continue  # a PackedSequence: its data is every sample's steps by design
        found = _batch_dim(ctx, row)
        if row.type in RNN_TYPES and t.rank == 2 and found == 0 and layer_owner(trace, row).index not in reported:
            folded = _folded(ctx, row, t)
            if folded is not None:
                reported.add(layer_owner(trace, row).index)
                findings.append(folded)
            continue
        expected = expected_batch_dim(row, t.rank)
        if expected is None or found is None or found == expected or found not in (0, 1):
            continue
        if _on_purpose(ctx, row, expected, found):
            continue
        owner = layer_owner(trace, row)
        if owner.index in reported:
            continue  # one finding per layer the user built: its copies share the cause
        reported.add(owner.index)
        findings.append(_finding(ctx, row, owner, t, found))
    return findings


def _on_purpose(ctx: Context, row, expected: int, found: int) -> bool:
    """The batch reaches the layer's time dim because the code says so."""
    t = row.inputs[0]
    if found == 0 and expected == 1 and _declared_time_first(row):
        return True  # the code names dim 0 the time and dim 1 the batch: the traced batch is the time
    if row.type in ATTENTION_TYPES and _set_of_samples(ctx, row, expected):
        return True  # BatchFormer: samples attend to each other, the batch made one sequence on purpose
    # the batch is one sequence (a video's frames, a bag): the model answers once for it, or the
    # layer was built batch_first=True and given [1, B, F] (`gru(feats.unsqueeze(0))`): the code
    # knows dim 0 is the batch and made it one
    return t.shape[expected] == 1 and (_one_answer_for_the_batch(ctx) or (expected == 0 and found == 1))


def _twin_row(ctx: Context, row):
    """The same call at the other batch size, matched by its call rather than its position."""
    other = twin(ctx)
    return matching_row(other, row) if other is not None else None


def _batch_dim(ctx: Context, row) -> int | None:
    """The one dim of the row's first input that follows the batch; None when unknown or several."""
    other = _twin_row(ctx, row)
    if other is None or not row.inputs or not other.inputs:
        return None
    dims = following_dims(row.inputs[0], other.inputs[0])
    return dims[0] if len(dims) == 1 else None


def _set_of_samples(ctx: Context, row, expected: int) -> bool:
    """An attention layer whose batch slot holds a dim of size 1 that no input size moves (dim
    provenance): the code gave the whole batch as one sequence by adding that dim itself
    (`self.bf(f.unsqueeze(1))`, BatchFormer: each sample attends to the others). A layer fed
    [B, T, E] by mistake has the tokens in its batch slot, and they follow the input's length."""
    from ..provenance import provenance

    t = row.inputs[0]
    if t.shape[expected] != 1:
        return False
    prov = provenance(ctx)
    dims = prov.dims(row, "inputs") if prov is not None else None
    return dims is not None and len(dims) > expected and not dims[expected]


def _one_answer_for_the_batch(ctx: Context) -> bool:
    """The model's output has no dim that follows the batch (provenance), and is not a loss: the
    frames of one clip, or the instances of one bag, given as the batch and read by the layer as
    one sequence (`lstm(feats.unsqueeze(0))`, batch slot 1), with one prediction for all of them.
    A batch of samples read as one sequence by mistake keeps one output per sample."""
    from ..provenance import BATCH, provenance

    root = ctx.trace.layers[0] if ctx.trace.layers else None
    if root is None or not root.outputs or root.outputs[0].rank == 0:
        return False
    prov = provenance(ctx)
    if prov is None or BATCH not in prov.sources:
        return False
    dims = prov.dims(root, "outputs")
    return dims is not None and not any(BATCH in f for f in dims)


_TIME_NAMES = frozenset({"seq_len", "seqlen", "seq_length", "sequence_length", "time_steps", "timesteps", "n_steps"})
_TIME_NAMES |= {"num_steps", "steps", "t", "T", "time", "length", "seq", "n_frames", "num_frames", "frames"}
_BATCH_NAMES = frozenset({"bs", "batch", "batch_size", "bsz", "b", "B", "n", "N", "n_batch", "nbatch"})


def _declared_time_first(row) -> bool:
    """The forward that calls the layer names its data's dims, time first: `seq_len, bs =
    actions.size(0), actions.size(1)` (or `x.shape[:2]`, or one `= x.size(k)` each). A model
    written for [T, N, F] (world-models' MDRNN) traced with the batch in dim 0 gets the time as
    the batch: the layout is the model's declaration, and batch_first=True would break it."""
    import ast
    import linecache

    at = row.called_at
    if at is None or not at.file:
        return False
    text = "".join(linecache.getlines(at.file))
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    methods = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef) and n.lineno <= at.line <= (n.end_lineno or n.lineno)
    ]
    if not methods:
        return False
    names: dict[int, set[str]] = {}
    for node in ast.walk(methods[-1]):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        pairs: list[tuple[ast.expr, ast.expr]] = []
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
            pairs = list(zip(target.elts, value.elts, strict=True))
        elif isinstance(target, ast.Tuple) and _shape_slice(value) is not None:
            pairs = [(elt, ast.Constant(k)) for k, elt in enumerate(target.elts)]
        else:
            pairs = [(target, value)]
        for name, expr in pairs:
            dim = expr.value if isinstance(expr, ast.Constant) and type(expr.value) is int else _size_dim(expr)
            if isinstance(name, ast.Name) and dim is not None:
                names.setdefault(dim, set()).add(name.id)
    return bool(names.get(0, set()) & _TIME_NAMES) and bool(names.get(1, set()) & _BATCH_NAMES)


def _size_dim(expr) -> int | None:
    """k for `x.size(k)` and `x.shape[k]`."""
    import ast

    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "size"
        and len(expr.args) == 1
        and isinstance(expr.args[0], ast.Constant)
        and type(expr.args[0].value) is int
    ):
        return expr.args[0].value
    if (
        isinstance(expr, ast.Subscript)
        and isinstance(expr.value, ast.Attribute)
        and expr.value.attr == "shape"
        and isinstance(expr.slice, ast.Constant)
        and type(expr.slice.value) is int
    ):
        return expr.slice.value
    return None


def _shape_slice(expr) -> int | None:
    """The start of `x.shape[:k]` / `x.size()[:k]` (0), for `t, b = x.shape[:2]`."""
    import ast

    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Slice) and expr.slice.lower is None:
        inner = expr.value
        if isinstance(inner, ast.Attribute) and inner.attr == "shape":
            return 0
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr == "size":
            return 0
    return None


def _finding(ctx: Context, row, owner, t, found: int) -> Finding:
    trace = ctx.trace
    batch_first = bool(row.attrs.get("batch_first"))
    batch = t.shape[found]
    other = t.shape[1 - found]
    layout = _LAYOUT[batch_first]
    why = [
        f"{'with' if batch_first else 'without'} batch_first=True, {ref(row)} ({row.type}) reads {layout}: "
        f"dim {1 - found} as the batch and dim {found} as time",
        f"dim {found} of {shape(t.shape)} follows the batch size ({batch} here; it changes when the batch does)",
        f"so it sees {other} sequences of {batch} steps instead of {batch} sequences of {other} steps",
    ]
    if row.type in RNN_TYPES and len(row.outputs) >= 2:
        h = row.outputs[1]
        why.append(f"its final hidden state h_n is {shape(h.shape)}: one for each of {other} sequences")
    returned = _other_batch_returned(trace)
    if returned is not None:
        why.append(returned)
    fixes = [_flag_fix(owner, not batch_first)]
    if row.type in RNN_TYPES and owner is row:
        fixes.append(_transpose_fix(row))
    failed = row.failed or (trace.failing is not None and any(r is row for r in trace.ancestors(trace.failing)))
    return Finding(
        code="SC116",
        severity=ERROR if failed else WARNING,
        layer=row.name,
        message=f"the batch reaches {ref(row)} in dim {found}, which it reads as time ({layout})",
        location=row.called_at or owner.called_at or owner.location,
        row=row.index,
        why=why,
        labels=[Label(owner.name, f"{ref(owner)} is built with batch_first={batch_first}", owner.location)]
        if owner is not row
        else [],
        fixes=fixes,
    )


def _packed(row) -> bool:
    """The RNN got a PackedSequence (`pack_padded_sequence`): its data [sum of lengths, F] comes
    with `batch_sizes`, a 1-D integer tensor, as the next input; the samples' steps are packed
    together by design, with the lengths that keep them apart."""
    return len(row.inputs) >= 2 and row.inputs[0].rank == 2 and row.inputs[1].rank == 1 and "int" in row.inputs[1].dtype


def _folded(ctx: Context, row, t) -> Finding | None:
    """[B·T, F] into an RNN: the frames of every sample folded into the batch for a per-frame
    layer (`x.view(B * T, C, H, W)` into a CNN) reach the RNN as ONE unbatched sequence of B·T
    steps. Only when dim 0 is the batch times a per-sample count (the same at both batch sizes)."""
    batch, other = ctx.trace.batch, _twin_row(ctx, row)
    if not batch or other is None or not other.inputs or other.inputs[0].rank != 2:
        return None
    steps, rest = divmod(t.shape[0], batch)
    if rest or steps < 2 or other.inputs[0].shape[0] != steps * (batch + 2):
        return None
    features = t.shape[1]
    why = [
        f"{ref(row)} ({row.type}) takes [L, F] as one sequence of L steps (unbatched) and [N, L, F] as a batch",
        f"dim 0 of {shape(t.shape)} is the batch times {steps} (it is {other.inputs[0].shape[0]} at batch "
        f"{batch + 2}): the {steps} steps of each sample were folded into the batch for an earlier layer",
        f"so it reads the {batch} samples' steps as one sequence of {t.shape[0]} steps, across samples",
    ]
    return Finding(
        code="SC116",
        severity=ERROR if row.failed or ctx.trace.error is not None else WARNING,
        layer=row.name,
        message=f"{ref(row)} receives {shape(t.shape)}: {batch} samples of {steps} steps folded into one sequence",
        location=row.called_at or row.location,
        row=row.index,
        why=why,
        fixes=[_unfold_fix(row, steps, features)],
    )


def _unfold_fix(row, steps: int, features: int) -> Fix:
    """`self.lstm(f.view(-1, 6, f.size(-1)))`: the samples' steps unfolded again, [B, T, F]."""
    source = row.called_at.source if row.called_at else ""
    var = module_call_argument(source, row.name) or "x"
    plain = var.replace(".", "").replace("_", "").isalnum()
    size = f"{var}.size(-1)" if plain else str(features)
    text = f"{var if plain else f'({var})'}.view(-1, {steps}, {size})"
    chain: tuple = (("view", (-1, steps, features)),)
    layout = f"[N, {steps}, {features}]"
    if not row.attrs.get("batch_first"):  # it reads [T, N, F]: time first
        text, chain, layout = f"{text}.transpose(0, 1)", (*chain, ("transpose", (0, 1))), f"[{steps}, N, {features}]"
    found = call_arguments(source, row.name.rsplit(".", 1)[-1])
    after = source[: found[2][0][0]] + text + source[found[2][0][1] :] if found and found[2] else None
    edit = Edit("arg_method", row.name, params=(("index", 0), ("method", "chain"), ("args", chain)))
    return line_fix(
        f"unfold the samples again before {ref(row)}: {layout}, one sequence per sample",
        row.called_at,
        source,
        after,
        text,
        Rerun(edits=(edit,)),
    )


def _other_batch_returned(trace) -> str | None:
    """ "the model returns [5, 10] for a batch of 4": a model that runs and returns another batch."""
    root = trace.layers[0] if trace.layers else None
    if root is None or not root.outputs or trace.error is not None:
        return None
    out = root.outputs[0]
    if out.shape and trace.batch is not None and out.shape[0] != trace.batch:
        return f"the model returns {shape(out.shape)} for a batch of {trace.batch}"
    return None


def _transpose_fix(row) -> Fix:
    """`x = x.transpose(0, 1)` before the RNN (and of its output after it): the layer unchanged."""
    var = module_call_argument(row.called_at.source if row.called_at else "", row.name) or "x"
    return Fix(
        description=f"or swap dims 0 and 1 before {ref(row)} (and of its output after it)",
        code=f"{var} = {var}.transpose(0, 1)" if var.isidentifier() else f"x = ({var}).transpose(0, 1)",
        safety=SAFE,
        location=row.called_at,
        rerun=Rerun(edits=(Edit("permute", row.name, params=(("dims", (1, 0, 2)), ("back", (1, 0, 2)))),)),
    )


def _flag_fix(owner, value: bool) -> Fix:
    """`batch_first=value` where the user built the layer (for a Transformer, on its layer line)."""
    cls, loc = constructor_line(owner)
    return argument_fix(
        owner,
        cls,
        None,
        "batch_first",
        value,
        f"build {'the layer' if cls == owner.type else f'its `{cls}`'} with batch_first={value}: "
        "the batch then reaches the dim the layer reads as the batch",
        Edit("set_attrs", owner.name, params=(("batch_first", value),)),
        safety=SAFE,
        location=loc,
    )
