"""SC115 rnn-input-size.

What it does: finds an `nn.RNN`, `nn.LSTM` or `nn.GRU` whose `input_size` differs from the
size of the last dim that reaches it, and names the layer that made that size (an
`Embedding`'s `embedding_dim`, a `Linear`'s `out_features`, a conv's channels). Also an
initial state (`h0`, `c0`) the layer cannot read: made batch-first (states are always
`[num_layers · directions, N, hidden]`), made for another batch size, or with one state per
layer where a bidirectional layer needs two.

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

import math
import re
from dataclasses import dataclass

from ...trace.records import MODULE, LayerRecord, TensorInfo
from ..context import Context
from ..findings import ERROR, SAFE, Finding, Fix, Label, line_fix
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
        if not isinstance(want, int) or t.rank not in (2, 3):
            continue
        if t.shape[-1] != want:
            findings.append(_finding(ctx, row, t, want))
            continue
        state = _state_finding(ctx, row, t)
        if state is not None:
            findings.append(state)
    return findings


def _expected_states(row, t) -> list[tuple[str, tuple[int, ...]]] | None:
    """(name, shape) of the initial states the layer reads for input `t`: h0 (and c0 for an
    LSTM) are [num_layers · directions, N, hidden] whatever `batch_first` says; [layers · D,
    hidden] for an unbatched sequence."""
    a = row.attrs
    layers, hidden = a.get("num_layers", 1), a.get("hidden_size")
    if not isinstance(layers, int) or not isinstance(hidden, int):
        return None
    stack = layers * (2 if a.get("bidirectional") else 1)
    batch = () if t.rank == 2 else (t.shape[0 if a.get("batch_first") else 1],)
    out = a.get("proj_size") or hidden
    states = [("h0", (stack, *batch, out))]
    if row.type == "LSTM":
        states.append(("c0", (stack, *batch, hidden)))
    return states


def _given_names(ctx: Context, row) -> tuple[str, ...]:
    """The user's names for the sequence and the states, from the caller or the calling line."""
    if row.index == 0 and ctx.trace.input_names:
        return ctx.trace.input_names
    source = row.called_at.source if row.called_at else ""
    attr = row.name.rsplit(".", 1)[-1]
    match = re.search(rf"\b{re.escape(attr)}\(\s*(\w+)\s*,\s*\(?\s*(\w+)(?:\s*,\s*(\w+))?", source)
    return tuple(g for g in match.groups() if g) if match else ()


def _state_finding(ctx: Context, row, t) -> Finding | None:
    """An initial hidden state the layer cannot read: batch-first order, built for another batch
    size, or a layer count that leaves out the second direction."""
    wrong = _wrong_state(row, t)
    if wrong is None:
        return None
    name, want, got, index = wrong
    state = _named_state(ctx, row, t, name, want, got, index)
    why = [
        f"{ref(row)} reads {name} as [num_layers · directions, N, hidden] = {shape(want)} ({_stack_text(row)}), "
        f"whatever batch_first says"
    ]
    cause, fixes = next(
        (found for case in _STATE_CASES if (found := case(state)) is not None), (f"{name} is {shape(got)}", [])
    )
    why.append(cause)
    which = f"[{index}]" if row.type == "LSTM" else ""
    return ctx.finding(
        layer=row.name,
        message=f"{ref(row)} expects its initial state {name} as {shape(want)} but receives {shape(got)}",
        location=row.called_at or row.location,
        row=row.index,
        why=why,
        notes=[f"PyTorch reports: Expected hidden{which} size {tuple(want)}, got {list(got)}"],
        fixes=fixes,
    )


def _wrong_state(row, t) -> tuple[str, tuple[int, ...], tuple[int, ...], int] | None:
    """(its name, the shape the layer reads, the shape given, its place among the states) of
    the first initial state given in a shape the layer cannot read."""
    expected = _expected_states(row, t)
    given = row.inputs[1:]
    if expected is None or len(given) != len(expected):
        return None
    wrong = [(name, want, g) for (name, want), g in zip(expected, given, strict=True) if tuple(g.shape) != want]
    if not wrong:
        return None
    name, want, g = wrong[0]
    index = next(i for i, (n, _) in enumerate(expected) if n == name)
    return name, want, tuple(g.shape), index


def _named_state(ctx: Context, row, t, name: str, want: tuple[int, ...], got: tuple[int, ...], index: int) -> _State:
    """The state at `index` of those the layer takes, with the user's names from the calling line."""
    given_names = _given_names(ctx, row)
    pair = row.type == "LSTM" and len(given_names) == 2  # `lstm(x, hidden)`: one name for (h0, c0)
    return _State(
        row=row,
        t=t,
        name=name,
        want=want,
        got=got,
        var=given_names[1 + index] if len(given_names) > 1 + index and not pair else name,
        pair=given_names[1] if pair else None,
        seq=given_names[0] if given_names else "x",
    )


def _stack_text(row) -> str:
    """ "num_layers=2 × 2 directions": how many states the layer stacks."""
    a = row.attrs
    return f"num_layers={a.get('num_layers', 1)}" + (" × 2 directions" if a.get("bidirectional") else "")


@dataclass(frozen=True)
class _State:
    """An initial state (`h0` or `c0`) the layer cannot read, and the user's names around it."""

    row: LayerRecord
    t: TensorInfo  # the input sequence
    name: str
    want: tuple[int, ...]
    got: tuple[int, ...]
    var: str  # the user's name for this state
    pair: str | None  # the user's name for (h0, c0) when the code holds them as one tuple
    seq: str  # the user's name for the sequence

    @property
    def batch_first(self) -> bool:
        return bool(self.row.attrs.get("batch_first"))

    @property
    def keeps_layers_and_hidden(self) -> bool:
        """A batched [layers, N, hidden] state whose layers and hidden size are right."""
        got, want = self.got, self.want
        return self.t.rank == 3 and len(got) == 3 and got[0] == want[0] and got[2] == want[2]

    def each(self, code: str) -> str:
        """The statement for this state, or for both when the user's code holds them as one tuple."""
        if self.pair is None:
            return f"{self.var} = {code.format(s=self.var)}"
        if "{s}" in code:
            return f"{self.pair} = tuple({code.format(s='s')} for s in {self.pair})"
        return f"{self.pair} = ({code}, {code})"


_Cause = tuple[str, list[Fix]]


def _batch_first_state(s: _State) -> _Cause | None:
    """[N, layers, hidden]: the state made batch-first, as the input is."""
    got, want = s.got, s.want
    if s.t.rank != 3 or len(got) != 3 or got != (want[1], want[0], want[2]) or want[0] == want[1]:
        return None
    fix = Fix(
        description=f"put the layers first: {s.name} {shape(got)} → {shape(want)}",
        code=s.each("{s}.transpose(0, 1).contiguous()") + f"  # or build it as torch.zeros{want}",
        safety=SAFE,
        location=s.row.called_at,
    )
    return f"{s.name} {shape(got)} has the batch first: batch_first applies to the input and output only", [fix]


def _input_layout(s: _State) -> _Cause | None:
    """The state's batch is the size of the input's other dim: the input's layout is what is wrong."""
    t, got = s.t, s.got
    if not s.keeps_layers_and_hidden or got[1] != t.shape[1 if s.batch_first else 0] or t.shape[0] == t.shape[1]:
        return None
    other = 1 if s.batch_first else 0
    cause = (
        f"{s.name}'s batch {got[1]} is the input's dim {other} ({shape(t.shape)}): the input arrives "
        f"{'time-first [T, N, F]' if s.batch_first else 'batch-first [N, T, F]'}, but {ref(s.row)} was "
        f"built with batch_first={s.batch_first} and reads dim {1 - other} as the batch"
    )
    fix = argument_fix(
        s.row,
        s.row.type,
        None,
        "batch_first",
        not s.batch_first,
        f"build {ref(s.row)} with batch_first={not s.batch_first}: the batch then reaches the dim "
        "it reads as the batch, and h0 fits",
        Edit("set_attrs", s.row.name, params=(("batch_first", not s.batch_first),)),
        safety=SAFE,
    )
    return cause, [fix]


def _other_batch(s: _State) -> _Cause | None:
    """A state made for another batch size (a smaller last batch, a size fixed in the code)."""
    got, want = s.got, s.want
    if not s.keeps_layers_and_hidden or got[1] == want[1]:
        return None
    cause = (
        f"{s.name} {shape(got)} was made for a batch of {got[1]}; this input has {want[1]} sequences (a last batch "
        "that is smaller, or a size fixed in the code)"
    )
    fix = Fix(
        description=f"make {s.name} where it is created, for the batch that arrives: its size from the input",
        code=s.each(f"torch.zeros({want[0]}, {s.seq}.size({0 if s.batch_first else 1}), {want[2]})"),
        safety=SAFE,
    )
    return cause, [fix]


def _layer_count(s: _State) -> _Cause | None:
    """One state per layer where the layer stacks more (a second direction)."""
    got, want = s.got, s.want
    if len(got) != len(want) or got[1:] != want[1:] or got[0] == want[0]:
        return None
    fix = Fix(
        description=f"make {s.name} with {want[0]} states: {shape(want)}",
        code=s.each(f"torch.zeros{want}"),
        safety=SAFE,
    )
    return f"{s.name} has {got[0]} layer states; the layer has {want[0]} ({_stack_text(s.row)})", [fix]


def _hidden_size(s: _State) -> _Cause | None:
    if len(s.got) != len(s.want) or s.got[:-1] != s.want[:-1]:
        return None
    return f"{s.name}'s last dim {s.got[-1]} is not the layer's hidden size {s.want[-1]}", []


def _no_layers_dim(s: _State) -> _Cause | None:
    """[N, hidden] for a one-layer state: the layers dim is missing."""
    if s.t.rank != 3 or len(s.got) != 2 or s.want[0] != 1 or s.got != s.want[1:]:
        return None
    fix = Fix(
        description=f"add the layers dim: {shape(s.want)}",
        code=s.each("{s}.unsqueeze(0)"),
        safety=SAFE,
        location=s.row.called_at,
    )
    return f"{s.name} {shape(s.got)} lacks the layers dim", [fix]


# The readings of a wrong initial state, in the order they are tried: the first that fits is the cause.
_STATE_CASES = (_batch_first_state, _input_layout, _other_batch, _layer_count, _hidden_size, _no_layers_dim)


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
    origin, labels = _origin(ctx, t, src)
    why = [f"{ref(row)} was built with input_size={want}; the last dim of {shape(t.shape)} from {origin} is {got}"]
    other = [d for d in range(1, t.rank - 1) if t.shape[d] == want]
    if other:
        why.append(
            f"{want} sits in dim {other[0]}: the features arrive channels-first; {got} is a length, not a feature "
            "count, so input_size must not become it"
        )
        fixes = [_features_last_fix(row, t, other[0])]
    else:
        fixes = _size_fixes(row, src, origin, got, want)
        steps = _steps_before_flatten(row, t, src, want)
        if steps is not None:
            why.append(steps[0])
            fixes.insert(0, steps[1])
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


def _origin(ctx: Context, t, src) -> tuple[str, list[Label]]:
    """Where the features come from, and a label on it: the layer that made them (its size), or
    the model input."""
    if src is not None:
        got = t.shape[-1]
        made = src.attrs.get("embedding_dim") or src.attrs.get("out_features") or src.attrs.get("hidden_size")
        what = (
            f"makes {made} features" if made == got else f"outputs {shape(src.outputs[0].shape if src.outputs else ())}"
        )
        return ref(src), [Label(src.name, f"{ref(src)} {what}", src.location)]
    if ctx.trace.is_model_input(t):
        return "the model input", [Label("input", f"the model input is {shape(t.shape)}")]
    return "the model input", []


def _features_last_fix(row, t, d: int) -> Fix:
    """The features in dim `d` (channels-first) moved to the last dim before the layer."""
    source = row.called_at.source if row.called_at else ""
    var = module_call_argument(source, row.name) or "x"
    perm = list(range(t.rank))
    perm[d], perm[-1] = perm[-1], perm[d]
    moved = tuple(t.shape[p] for p in perm)
    code = f"{var}.transpose({d}, {t.rank - 1})"
    after = rewrite_call(source, row.name.rsplit(".", 1)[-1], var, code)
    return Fix(
        description=f"move the features to the last dim before {ref(row)}: {shape(t.shape)} → {shape(moved)}",
        code=after or f"{var} = {code}",
        safety=SAFE,
        location=row.called_at,
        before=source if after else None,
        after=after,
        rerun=Rerun(edits=(Edit("permute", row.name, params=(("dims", tuple(perm)), ("back", None))),)),
    )


_FLATTENS = ("Tensor.flatten",)


def _steps_before_flatten(row, t, src, want: int) -> tuple[str, Fix] | None:
    """A map [B, C, F, T] flattened from dim 2 into [B, C, F·T] before an RNN built for C·F
    features (a CRNN over a spectrogram): the time dim goes to dim 1 and the others are merged into
    the features, `x.permute(0, 3, 1, 2).flatten(2)`. Only when exactly one dim after the batch is
    left over and the rest multiply to input_size. Checked as written."""
    if not _flatten_on_a_line(src):
        return None
    x = src.inputs[0].shape
    k = _steps_dim(x, t, want)
    if k is None:
        return None
    rest = range(1, len(x))
    perm = (0, k, *(j for j in rest if j != k))
    source = src.called_at.source
    text = f".permute({', '.join(map(str, perm))})"
    if source.count(".flatten(") != 1:
        return None
    after = source.replace(".flatten(", f"{text}.flatten(", 1)
    why = (
        f"{ref(src)} merged the last dims of {shape(x)} into {t.shape[-1]} features; the {want} {ref(row)} is built "
        f"for are {' · '.join(str(x[j]) for j in perm[2:])} (dims {', '.join(map(str, perm[2:]))}), with dim {k} "
        f"({x[k]}) left as the steps"
    )
    fix = line_fix(
        f"make dim {k} the steps and merge the others into the {want} features: "
        f"{shape(x)} → {shape((x[0], x[k], want))}",
        src.called_at,
        source,
        after,
        after.strip(),
    )
    return why, fix


def _flatten_on_a_line(src) -> bool:
    """`x.flatten(…)` called from a known line, on an input."""
    if src is None or src.kind != "op" or src.type not in _FLATTENS or src.type != "Tensor.flatten":
        return False
    return bool(src.inputs) and src.called_at is not None


def _steps_dim(x: tuple[int, ...], t, want: int) -> int | None:
    """The one dim after the batch of a map of rank 4 or more whose others multiply to `want`,
    when the flattened [B, …, F] keeps the batch."""
    if len(x) < 4 or t.rank != 3 or t.shape[0] != x[0]:
        return None
    rest = range(1, len(x))
    found = [k for k in rest if math.prod(x[j] for j in rest if j != k) == want]
    return found[0] if len(found) == 1 else None


def _size_fixes(row, src, origin: str, got: int, want: int) -> list[Fix]:
    """input_size set to what arrives; or the layer that made it resized to the input_size."""
    fixes = [
        argument_fix(
            row,
            row.type,
            0,
            "input_size",
            got,
            f"set input_size={got} on {ref(row)} to take what {origin} makes",
            Edit("replace", row.name, row.type, _rnn_params(row, input_size=got)),
        )
    ]
    if src is not None:
        resize = producer_size_fix(
            src, got, want, f"set {{attr}}={want} on {ref(src)} instead, if {want} features is what the model means"
        )
        if resize is not None:
            fixes.append(resize)
    return fixes
