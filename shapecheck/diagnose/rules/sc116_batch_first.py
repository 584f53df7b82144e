"""SC116 batch-first-confusion.

What it does: traces the model at two batch sizes and finds an RNN (`nn.RNN`/`LSTM`/`GRU`) or
attention layer (`nn.MultiheadAttention`, inside `nn.Transformer*` too) whose batch arrives in
the dim the layer reads as time: `[B, T, F]` into an LSTM built without `batch_first=True`
(which reads `[T, N, F]`), or `[T, B, F]` into one built with it. A warning when the model
still runs, an error when it fails.

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
from ..findings import ERROR, SAFE, WARNING, Finding, Fix, Label
from ..numbers import module_call_argument, shape
from ..registry import rule
from ..requests import Edit, Rerun
from ..roles import ATTENTION_TYPES, RNN_TYPES, batch_dim, expected_batch_dim, layer_owner, twin
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
        expected = expected_batch_dim(row, t.rank)
        found = batch_dim(ctx, row)
        if expected is None or found is None or found == expected or found not in (0, 1):
            continue
        owner = layer_owner(trace, row)
        if owner.index in reported:
            continue  # one finding per layer the user built: its copies share the cause
        reported.add(owner.index)
        findings.append(_finding(ctx, row, owner, t, found))
    return findings


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
        code=f"{var} = {var}.transpose(0, 1)",
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
