"""SC115 rnn-input-size.

What it does: finds an `nn.RNN`, `nn.LSTM` or `nn.GRU` whose `input_size` differs from the
size of the last dim that reaches it, and names the layer that made that size (an
`Embedding`'s `embedding_dim`, a `Linear`'s `out_features`, a conv's channels).

Why is this bad? The forward pass fails: `input.size(-1) must be equal to input_size.
Expected 300, got 100`.

Example:
    self.embed = nn.Embedding(vocab, 100)
    self.lstm = nn.LSTM(input_size=300, hidden_size=64)   # the embedding makes 100

Use instead:
    self.lstm = nn.LSTM(input_size=100, hidden_size=64)

When the expected size sits in another dim (a conv's `[B, C, L]` output into an LSTM that
reads `[B, L, C]`), the fix is a transpose, never an `input_size` equal to a length.

Fix safety: unsafe for `input_size`/`embedding_dim`/`out_features` (weights change shape);
safe for a transpose.
"""

from __future__ import annotations

from ...trace.records import MODULE
from ..context import Context
from ..findings import ERROR, SAFE, Finding, Fix, Label
from ..numbers import module_call_argument, shape
from ..registry import rule
from ..requests import Edit, Rerun
from ..roles import RNN_TYPES
from .common import argument_fix, producer_size_fix, ref, rewrite_call


@rule("SC115", ERROR, intent=True)
def check(ctx: Context) -> list[Finding]:
    findings = []
    for row in ctx.trace.layers:
        if row.kind != MODULE or row.type not in RNN_TYPES or not row.failed or not row.inputs:
            continue
        t = row.inputs[0]
        want = row.attrs.get("input_size")
        if not isinstance(want, int) or t.rank not in (2, 3) or t.shape[-1] == want:
            continue
        findings.append(_finding(ctx, row, t, want))
    return findings


def _rnn_params(row, **changes) -> tuple:
    a = row.attrs
    keys = ("input_size", "hidden_size", "num_layers", "batch_first", "bidirectional")
    params = {k: a[k] for k in keys if k in a}
    if a.get("proj_size"):
        params["proj_size"] = a["proj_size"]
    params.update(changes)
    return tuple(params.items())


def _finding(ctx: Context, row, t, want: int) -> Finding:
    got = t.shape[-1]
    src = ctx.trace.row(t.source)
    labels, fixes = [], []
    origin = "the model input"
    if src is not None:
        made = src.attrs.get("embedding_dim") or src.attrs.get("out_features") or src.attrs.get("hidden_size")
        what = (
            f"makes {made} features" if made == got else f"outputs {shape(src.outputs[0].shape if src.outputs else ())}"
        )
        labels.append(Label(src.name, f"{ref(src)} {what}", src.location))
        origin = ref(src)
    elif ctx.trace.is_model_input(t):
        labels.append(Label("input", f"the model input is {shape(t.shape)}"))
    why = [f"{ref(row)} was built with input_size={want}; the last dim of {shape(t.shape)} from {origin} is {got}"]
    other = [d for d in range(1, t.rank - 1) if t.shape[d] == want]
    source = row.called_at.source if row.called_at else ""
    var = module_call_argument(source, row.name) or "x"
    if other:
        d = other[0]
        perm = list(range(t.rank))
        perm[d], perm[-1] = perm[-1], perm[d]
        moved = tuple(t.shape[p] for p in perm)
        why.append(
            f"{want} sits in dim {d}: the features arrive channels-first; {got} is a length, not a feature "
            "count, so input_size must not become it"
        )
        code = f"{var}.transpose({d}, {t.rank - 1})"
        after = rewrite_call(source, row.name.rsplit(".", 1)[-1], var, code)
        fixes.append(
            Fix(
                description=f"move the features to the last dim before {ref(row)}: {shape(t.shape)} → {shape(moved)}",
                code=after or f"{var} = {code}",
                safety=SAFE,
                location=row.called_at,
                before=source if after else None,
                after=after,
                rerun=Rerun(edits=(Edit("permute", row.name, params=(("dims", tuple(perm)), ("back", None))),)),
            )
        )
    else:
        fixes.append(
            argument_fix(
                row,
                row.type,
                0,
                "input_size",
                got,
                f"set input_size={got} on {ref(row)} to take what {origin} makes",
                Edit("replace", row.name, row.type, _rnn_params(row, input_size=got)),
            )
        )
        resize = (
            None
            if src is None
            else producer_size_fix(
                src, got, want, f"set {{attr}}={want} on {ref(src)} instead, if {want} features is what the model means"
            )
        )
        if resize is not None:
            fixes.append(resize)
    return Finding(
        code="SC115",
        severity=ERROR,
        layer=row.name,
        message=f"{ref(row)} expects {want} input features but receives {got}",
        location=row.location,
        row=row.index,
        why=why,
        labels=labels,
        notes=[f"PyTorch reports: input.size(-1) must be equal to input_size. Expected {want}, got {got}"],
        fixes=fixes,
    )
