"""Intent invariants: what a fix must keep besides making the model run.

A fix that makes a model run can still be wrong: `in_features` set to the size a `view(-1, 400)`
or a `flatten()` produces when it folds the samples of a batch together, a decoder "fixed" by
feeding it another input size. Every fix is checked here (`broken`) before it is marked
verified; a fix that runs but breaks one is shown as such (`Fix.runs_but`), never as verified:

- **the batch survives**: when the model keeps the batch in dim 0 up to where it failed, the
  fixed model runs at a second batch size too, and its output has a dim that is the batch at
  both (one row per sample). A scalar output (a loss) says nothing against a fix.
- **the samples stay the samples**: a fix that makes the first dim of each sample (a clip's
  frames) the batch, where a batch was given, gives rows that are parts of a sample.
- **the input stays**: a fix that changes how many values one sample of an input has (the
  input size: 3x28x28 → 3x32x32) keeps intent only when the finding is about the input: its own
  rule names the input as the cause (offers an input change itself), the failing layer reads
  the model input directly, or the model is written for one input size (a fixed size that the
  input must produce), and not when the failing op holds the model input against what the model
  computed from it (a decoder whose output must have the input's size: the model is wrong).
- **no layer built for the positions**: a width (in_features, embed_dim, a LayerNorm's shape)
  set to a size that follows the input's length, height or width where the layer's input keeps
  the features in another dim ([B, C, H·W] into attention built for C), or to a count of token
  ids: the layer would fit one input size, and moving or pooling the positions is the fix.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace

from ..trace.records import Trace
from .context import Context
from .findings import Finding, Fix
from .provenance import provenance
from .requests import SAME, EditAction, Rerun

BATCH_LOST = "output has lost the batch dim"


def batch_led(trace: Trace, ctx: Context | None = None) -> bool:
    """The model's first module rows keep the batch in dim 0 (so its output should carry it):
    as the batch itself, or (with `ctx`, from provenance) folded with another dim, the frames of
    a clip run through a 2-D CNN as `x.view(B * T, C, H, W)`."""
    batch = trace.batch
    if batch is None:
        return False
    rows = [r for r in trace.layers if r.kind == "module" and r.index > 0 and r.outputs and r.status == "ok"]
    # The first layers, not their containers: a Sequential's own output is its last layer's, which
    # may be the very one that folds the batch away (`nn.Flatten(0)` third in the chain).
    leaves = [r for r in rows if not any(c.kind == "module" for c in trace.children(r.index))][:2]
    if not leaves:
        return False
    if all(r.outputs[0].shape[:1] == (batch,) for r in leaves):
        return True
    return ctx is not None and all(_follows_batch(ctx, r) for r in leaves)


def _follows_batch(ctx: Context, row) -> bool:
    """Dim 0 of the row's output follows the batch size (provenance at other batch sizes)."""
    prov = provenance(ctx)
    dims = prov.dims(row, "outputs", 0) if prov is not None else None
    return dims is not None and bool(dims) and "batch" in dims[0]


def output_shape(trace: Trace) -> tuple[int, ...] | None:
    """The model's (first) output shape in a trace; None without one."""
    root = trace.layers[0] if trace.layers else None
    return root.outputs[0].shape if root is not None and root.outputs else None


def broken(
    ctx: Context,
    finding: Finding | None,
    request: Rerun,
    after: Trace,
    rerun: Callable[[Rerun], Trace],
    own: list[Fix] | None = None,
) -> str | None:
    """The first invariant that the fixed model (`after`, traced with `request`) breaks, as the
    words after "runs, but" (`output has lost the batch dim`); None when it keeps them all.
    `rerun` traces again with the context's model (a request carries its fix); `own` are the
    fixes the finding's rule made (default: the finding's fixes). A second trace that fails in
    model code says nothing against the fix; LookupError and TimeoutError propagate: the caller
    says what an unchecked fix is."""
    moved = (
        batch_from_sample(ctx, request)
        or input_moved(ctx, finding, request, own)
        or library_layer_resized(ctx, request)
        or width_from_input_length(ctx, request)
        or width_from_positions(ctx, request)
        or width_meant_flattened(ctx, request)
        or channels_from_positions(ctx, request)
        or setting_overridden(ctx, request)
        or join_moved(ctx, request, after)
    )
    if moved is not None:
        return moved
    return batch_lost(ctx, request, after, rerun)


def width_meant_flattened(ctx: Context, request: Rerun | None) -> str | None:
    """`in_features=4` on a Linear built for 256 that receives [B, 64, 4], where 256 = 64·4: the
    layer was written for its input's last dims flattened into one, and the fix builds it for the
    last dim alone, so the output keeps a dim per sample the model meant to fold ([B, 64, 10] where
    [B, 10] was meant). Flattening those dims is the fix. None for any other change."""
    batch = 1 if ctx.trace.batch is not None else 0
    rows = {r.name: r for r in ctx.trace.layers if r.kind == "module"}
    for edit in request.edits if request is not None else ():
        row = rows.get(edit.target)
        if edit.action != EditAction.REPLACE or row is None or not row.inputs:
            continue
        was, value = row.attrs.get("in_features"), dict(edit.params).get("in_features")
        shape = row.inputs[0].shape
        if not isinstance(was, int) or not isinstance(value, int) or not shape or value != shape[-1] or was == value:
            continue
        start = next((j for j in range(batch, len(shape) - 1) if math.prod(shape[j:]) == was), None)
        if start is None:
            continue
        kept = "·".join(str(d) for d in shape[start:])
        return (
            f"sets in_features={value} on `{row.name}`, built for {kept} = {was}, the last {len(shape) - start} "
            f"dims of its input {list(shape)} flattened: the output keeps {list(shape[start:-1])} per sample that the "
            "layer was meant to fold"
        )
    return None


def channels_from_positions(ctx: Context, request: Rerun | None) -> str | None:
    """`h.permute(0, 3, 1, 2)` before a conv built for 16 channels that receives [B, 32, 16, 16]
    from the model's own layers: the 32 in dim 1 is a width the code built (it follows no input
    dim), and the dim moved there is the input's width in pixels (provenance), which fits only
    where it happens to equal the channels. A channels-last input keeps its own dims: its dim 1
    follows the input's height, so it is not held here."""
    prov = provenance(ctx) if request is not None else None
    if prov is None or request is None:
        return None
    rows = {r.name: r for r in ctx.trace.layers if r.kind == "module"}
    for edit in request.edits:
        row = rows.get(edit.target)
        dims = dict(edit.params).get("dims")
        if edit.action != EditAction.PERMUTE or row is None or not row.inputs or not isinstance(dims, tuple):
            continue
        at = 1 if _READS_FIRST.match(row.type) else len(dims) - 1
        follows = prov.dims(row, "inputs", 0)
        if follows is None or len(follows) != len(dims) or at >= len(dims) or dims[at] == at:
            continue
        moved = follows[dims[at]]
        if follows[at] or not moved or not all(_INPUT_DIM.fullmatch(s) for s in moved):
            continue
        shape = row.inputs[0].shape
        return (
            f"moves dim {dims[at]} ({shape[dims[at]]}, {_named(ctx, moved)}) where `{row.name}` reads its "
            f"channels, and the {shape[at]} there is a width the model built: positions read as channels fit "
            "this input size only"
        )
    return None


# Which positional argument of a layer's constructor sets each size (`nn.Linear(in, out)`).
_ARGUMENT_AT = {
    "in_features": 0,
    "in_channels": 0,
    "embed_dim": 0,
    "normalized_shape": 0,
    "num_features": 0,
    "input_size": 0,
    "num_embeddings": 0,
    "out_features": 1,
    "out_channels": 1,
    "num_heads": 1,
    "hidden_size": 1,
    "embedding_dim": 1,
}


def setting_overridden(ctx: Context, request: Rerun | None) -> str | None:
    """`out_features=64` on `self.k = nn.Linear(d, n_kv_heads * self.hd)`: the size is written as a
    product of the model's settings (names only, no number), so it is what the author meant for
    this layer; a fix that writes another number there overrides the settings (the number of
    key/value heads) instead of the code that reads the layer's output. None for a size written
    as a number or with one (`16 * 5 * 5`), or as one name alone (the setting may be the mistake,
    and the fix of its value is the fix)."""
    from .roles import is_library_file

    rows = {r.name: r for r in ctx.trace.layers if r.kind == "module"}
    for edit in request.edits if request is not None else ():
        row = rows.get(edit.target)
        at = row.defined_at if row is not None else None
        if edit.action != EditAction.REPLACE or row is None or at is None or is_library_file(at.file):
            continue
        for key, value in edit.params:
            if key not in _ARGUMENT_AT or row.attrs.get(key) == value or not isinstance(value, int):
                continue
            names = _setting_names(at.source, row, key)
            if names is not None and len(names) >= 2:
                return (
                    f"sets {key}={value} on `{row.name}`, written from the model's settings "
                    f"({' · '.join(f'`{n}`' for n in names)}): the fix overrides them instead of the code that "
                    "reads the layer"
                )
    return None


def _setting_names(source: str, row, key: str) -> list[str] | None:
    """The names (`n_kv_heads`, `self.hd`) the layer's argument `key` is written with on its line,
    when it holds names only; None when it holds a number or cannot be read."""
    import ast

    from .numbers import parsed_line
    from .rules.blocks import instance_call

    parsed = parsed_line(source or "")
    call = instance_call(parsed[2], row.type, row.name.rpartition(".")[2]) if parsed is not None else None
    if call is None:
        return None
    position = _ARGUMENT_AT[key]
    arg = call.args[position] if position < len(call.args) else None
    arg = arg or next((k.value for k in call.keywords if k.arg == key), None)
    if arg is None or any(isinstance(n, ast.Constant) for n in ast.walk(arg)):
        return None
    names = sorted({ast.unparse(n) for n in ast.walk(arg) if isinstance(n, (ast.Name, ast.Attribute))})
    return [n for n in names if not any(m.startswith(n + ".") for m in names)]  # `self.hd`, not `self`


_JOINS = ("torch.cat", "torch.concat", "torch.concatenate", "torch.stack")


def join_moved(ctx: Context, request: Rerun | None, after: Trace) -> str | None:
    """`torch.cat([a, b], 0)` fixed by joining along dim 3: the failing join's output, as its call
    asks for it (rows of both stacked: 2 per sample), against the fixed join's at the same line. A
    fix that changes its rank or its dim 0 (the rows per sample) changes what the model means, not
    only a size. None when the failing op is no join or the fix leaves the join as called."""
    row = ctx.trace.failing
    if request is None or row is None or row.kind != "op" or row.type not in _JOINS or not row.inputs:
        return None
    wanted = _joined(row)
    now = _same_site(after, row)
    if wanted is None or now is None or not now.outputs:
        return None
    got = now.outputs[0].shape
    rank = len(row.inputs[0].shape)
    if not -rank <= row.dim_argument() < rank:
        return None  # joined along a dim the inputs lack (1-D scores `cat(…, dim=1)`): the call asks for more rank
    dim = row.dim_argument() % rank
    rows = {t.shape[0] for t in row.inputs if t.shape}
    if len(got) == len(wanted) and (got[:1] == wanted[:1] or (dim != 0 and len(rows) > 1)):
        return None  # the same rows, or a shared item joined with per-sample ones (its rows are theirs)
    if len(got) == len(wanted) and dim == 0 and _read_at_width(after, now, got):
        return None  # the layer that reads the join is built for the joined width: rows were the slip
    return (
        f"makes `{row.type}` at line {row.called_at.line if row.called_at else '?'} give {list(got)} where its call "
        f"(dim {dim}) gives {wanted[0]} rows of rank {len(wanted)}: the rows per sample (or the rank) change, not only "
        "a size"
    )


def _read_at_width(trace: Trace, join, got: tuple[int, ...]) -> bool:
    """A layer that takes the join's output as it is was built for a width the join now gives
    in a dim it joins along (a head `nn.Linear(56, …)` reading text 24 + image 32)."""
    out = join.outputs[0]
    joined = {size for size, was in zip(got, join.inputs[0].shape, strict=False) if size != was}
    for other in trace.layers:
        if other.kind == "module" and other.inputs and other.inputs[0].tid == out.tid:
            built = {v for k, v in other.attrs.items() if k in _FEATURE_DIM and isinstance(v, int)}
            if built & joined:
                return True
    return False


def _joined(row) -> tuple[int, ...] | None:
    """The shape the join's call asks for, dims outside the join taken from the first tensor."""
    first = row.inputs[0].shape
    if not first or any(len(t.shape) != len(first) for t in row.inputs):
        return None
    stack = row.type == "torch.stack"
    dim = row.dim_argument() % (len(first) + stack)
    if stack:
        return (*first[:dim], len(row.inputs), *first[dim:])
    return (*first[:dim], sum(t.shape[dim] for t in row.inputs), *first[dim + 1 :])


def _same_site(trace: Trace, row):
    """The row of `trace` at the same call (op, file, line, call number) as `row`, ok."""
    loc = row.called_at
    for other in trace.layers:
        at = other.called_at
        if other.kind != "op" or at is None or loc is None or other.status != "ok":
            continue
        if (at.file, at.line, other.call) == (loc.file, loc.line, row.call) and other.type in _JOINS:
            return other
    return None


_WIDTH_DIM = {"in_features": -1, "in_channels": 1}  # where a layer reads the width it is built for


def width_from_input_length(ctx: Context, request: Rerun | None) -> str | None:
    """`in_features=12` where the 12 that reaches the layer follows a per-sample dim of the input
    (a sequence length moved last by a transpose): the layer is then built for this one input
    size and fails at any other (provenance from re-runs at other sizes). None when the width
    is set in the code (a model setting, a layer's output) or nothing is known of it."""
    for row, key, value, at, follows in _width_changes(ctx, request, _WIDTH_DIM):
        if not _is_input_length(ctx, follows[at], value, at % len(follows)):
            continue
        (source,) = follows[at]
        return (
            f"sets {key}={value} on `{row.name}`, and {value} is the input's {source} (a length, not a "
            "width set in the code): the layer would fit this input size only"
        )
    return None


def _width_changes(ctx: Context, request: Rerun | None, reads: dict[str, int]):
    """(row, argument, new value, the dim it reads the width from, what each dim of its input
    follows) for each layer the request builds again with another whole-number width; nothing
    without provenance."""
    prov = provenance(ctx) if request is not None else None
    if prov is None or request is None:
        return
    rows = {r.name: r for r in ctx.trace.layers if r.kind == "module"}
    for edit in request.edits:
        row = rows.get(edit.target)
        if edit.action != EditAction.REPLACE or row is None or not row.inputs:
            continue
        for key, value in edit.params:
            at = reads.get(key)
            if at is None or row.attrs.get(key) == value or not isinstance(value, int):
                continue
            follows = prov.dims(row, "inputs", 0)
            if follows is not None and len(follows) >= 2:
                yield row, key, value, at, follows


# Where a layer reads the width it is built for, beyond in_features/in_channels: attention's
# embed_dim, a LayerNorm's last dim, a BatchNorm's channels, an RNN's features.
_FEATURE_DIM = {**_WIDTH_DIM, "embed_dim": -1, "normalized_shape": -1, "num_features": 1, "input_size": -1}
_INPUT_DIM = re.compile(r"(?:input (\d+) )?dim \d+")  # a provenance source that is a dim of a model input


def width_from_positions(ctx: Context, request: Rerun | None) -> str | None:
    """`embed_dim=36` on an attention layer that receives [B, 16, 36] from `x.view(b, c, -1)`: the
    36 follows the input's height and width (provenance), while the layer's input keeps another
    dim of a size no input dim changes (the 16 channels the model built), or of the very width the
    layer was built for (a graph's [F, N] where [N, F] was meant). Positions arrived where
    the layer reads features, and the fix builds the layer for the positions of this one input
    size; moving the dims is the fix. Not a flattened map ([B, C·H·W], no other dim: a head made
    for one size on purpose), nor a width that follows nothing (set in the code)."""
    batch = 0 if ctx.trace.batch is not None else None
    for row, key, value, at, follows in _width_changes(ctx, request, _FEATURE_DIM):
        shape = row.inputs[0].shape
        if len(follows) != len(shape) or shape[at] != value:
            continue
        at %= len(follows)
        sources = follows[at]
        if not sources or not all(_INPUT_DIM.fullmatch(s) for s in sources):
            continue
        was = row.attrs.get(key)
        built = [
            d for d, f in enumerate(follows) if d not in (at, batch) and shape[d] > 1 and (not f or shape[d] == was)
        ]
        if built and not _where_the_input_has_it(ctx, sources, at):
            features = f"the features are the {shape[built[0]]} in dim {built[0]}"
        elif _counts_ids(ctx, sources, value):
            features = "the input holds integer ids, whose dims are positions"
        else:
            continue
        return (
            f"sets {key}={value} on `{row.name}`, and {value} follows {_named(ctx, sources)} (positions, not "
            f"features: {features}): the layer would fit this input size only"
        )
    return None


def _source_dims(ctx: Context, sources: frozenset[str]) -> list[tuple[int, int]]:
    """(input index, per-sample dim) of each source `dim 1` / `input 0 dim 1`."""
    out = []
    for source in sorted(sources):
        match = _INPUT_DIM.fullmatch(source)
        if match is not None:
            out.append((int(match.group(1) or 0), int(source.rsplit(" ", 1)[1])))
    return out


def _where_the_input_has_it(ctx: Context, sources: frozenset[str], position: int) -> bool:
    """One input dim, read at the position the input has it: the input's own features in place
    ([N, F] into Linear(F)), however the other dims came to be."""
    dims = _source_dims(ctx, sources)
    offset = 1 if ctx.trace.batch is not None else 0
    return len(dims) == 1 and dims[0][1] + offset == position


def _named(ctx: Context, sources: frozenset[str]) -> str:
    """`the input's dims 1 · 2`, `input 1's dim 0`."""
    dims = _source_dims(ctx, sources)
    inputs = {i for i, _ in dims}
    owner = "the input's" if len(ctx.trace.inputs) < 2 or len(inputs) != 1 else f"input {next(iter(inputs))}'s"
    if len(inputs) != 1:
        return "the inputs' " + " · ".join(f"input {i} dim {d}" for i, d in dims)
    return f"{owner} dim{'s' if len(dims) > 1 else ''} " + " · ".join(str(d) for _, d in dims)


def _counts_ids(ctx: Context, sources: frozenset[str], value: int) -> bool:
    """Every source is a dim of an integer input (token ids, an edge list), and `value` is those
    dims' sizes multiplied: a number of tokens or edges, never a feature width."""
    dims = _source_dims(ctx, sources)
    sizes = []
    for index, dim in dims:
        if index >= len(ctx.trace.inputs):
            return False
        t = ctx.trace.inputs[index]
        sample = t.shape[1:] if ctx.trace.batch is not None else t.shape
        if "int" not in t.dtype or dim >= len(sample):
            return False
        sizes.append(sample[dim])
    return bool(sizes) and math.prod(sizes) == value


def _is_input_length(ctx: Context, sources: frozenset[str], value: int, position: int) -> bool:
    """The width follows one per-sample dim of the input, is that dim's size itself, and sits at
    another position than the input has it (a length moved into the feature position by a
    transpose); not the input's own channels or features reaching the layer where they are, nor
    a product of several dims (a flattened map)."""
    if len(sources) != 1:
        return False
    (source,) = sources
    if not source.startswith("dim ") or not source[4:].isdigit():
        return False
    sample = list(ctx.sample_dims)
    k = int(source[4:])
    where = k + (1 if ctx.trace.batch is not None else 0)
    if k >= len(sample) or sample[k] != value:
        return False
    # at its own position, a length still: the model's first layers read the input's features
    # from another dim ([B, T, 8] into a Linear(8, …), then a Linear built for the T)
    features = _features_read(ctx)
    return position != where or (bool(features) and k not in features)


# Where a layer that takes the model input directly reads its features, per sample: the last
# dim (a Linear, a LayerNorm, a batch-first RNN) or the first (a conv's or a norm's channels).
_READS_LAST = re.compile(r"^(Lazy)?Linear$|^LayerNorm$|^(LSTM|GRU|RNN)$")
_READS_FIRST = re.compile(r"^(Lazy)?Conv(Transpose)?[123]d$|^(Lazy)?BatchNorm[123]d$|^GroupNorm$|^InstanceNorm[123]d$")


def _features_read(ctx: Context) -> set[int]:
    """The per-sample dims of input 0 that the model's layers read as its features, where the
    input reaches them as it is; empty when no such layer does (token ids, a structure)."""
    trace = ctx.trace
    if not trace.inputs:
        return set()
    first = trace.inputs[0]
    rank = len(ctx.sample_dims)
    read = set()
    for row in trace.layers:
        if row.kind != "module" or not row.inputs or row.inputs[0].tid != first.tid or row.inputs[0].source is not None:
            continue
        if _READS_LAST.match(row.type) and (row.type not in ("LSTM", "GRU", "RNN") or row.attrs.get("batch_first")):
            read.add(rank - 1)
        elif _READS_FIRST.match(row.type) and trace.batch is not None:
            read.add(0)
    return read


def library_layer_resized(ctx: Context, request: Rerun | None) -> str | None:
    """`changes in_channels of `cnn.conv1` from 3 to 12: torchvision builds that layer …` for a
    fix that builds a layer an installed library made (torchvision's `conv1`, a timm stem, a
    Hugging Face projection) again with other sizes: the weights trained for it no longer load,
    and the library's own code around it was written for the sizes it had. The data, or a layer
    of the user's own code, is what such a fix should change. None for the user's own layers
    (built in a file that is not a library's) and for edits that change no size."""
    from .roles import is_library_file

    if request is None or request.library_option is not None:
        return None
    rows = {r.name: r for r in ctx.trace.layers if r.kind == "module"}
    for edit in request.edits:
        if edit.action != EditAction.REPLACE:
            continue
        row = rows.get(edit.target)
        if row is None or row.defined_at is None or not is_library_file(row.defined_at.file):
            continue
        changed = [(k, v) for k, v in edit.params if k in row.attrs and row.attrs[k] != v and isinstance(v, int)]
        if not changed:
            continue
        key, value = changed[0]
        return (
            f"changes {key} of `{row.name}` from {row.attrs[key]} to {value}: {_library(row.defined_at.file)} "
            "builds that layer, and its trained weights would no longer load; the data or your own layer is "
            "what to change"
        )
    return None


def _library(path: str) -> str:
    """`torchvision` for …/site-packages/torchvision/models/resnet.py; `the library` otherwise."""
    parts = path.replace("\\", "/").split("/")
    for marker in ("site-packages", "dist-packages"):
        if marker in parts and parts.index(marker) + 1 < len(parts):
            return parts[parts.index(marker) + 1].removesuffix(".py")
    top = parts[0] if len(parts) > 1 and parts[0].isidentifier() else ""
    return top or "the library"


def batch_from_sample(ctx: Context, request: Rerun | None) -> str | None:
    """`reads the 8 in dim 1 of each sample as the batch …` for a fix that replaces the batch the
    user gave (not 1) with the first dim of each sample (frames, a stack of images): its rows are
    the parts of a sample, not the samples. None otherwise."""
    given = ctx.trace.batch
    if request is None or request.dims is None or request.batch == SAME or not isinstance(given, int) or given == 1:
        return None
    before = _per_sample(ctx)[0] if ctx.trace.inputs else ()
    if request.batch == given or len(before) != len(request.dims) + 1 or before[0] != request.batch:
        return None
    if tuple(before[1:]) != tuple(request.dims):
        return None
    return (
        f"reads the {before[0]} in dim 1 of each sample as the batch: {before[0]} rows for each of the "
        f"{given} samples given"
    )


def batch_lost(ctx: Context, request: Rerun, after: Trace, rerun: Callable[[Rerun], Trace]) -> str | None:
    """`output has lost the batch dim (…)` when the fixed model folds the batch away: it fails at
    the batch + 2 where the model itself gets past its failure, or its output has no dim that
    is the batch at both sizes. A scalar output (a loss) is checked for the first only: a
    `squeeze` of the size-1 batch runs at batch 1 alone. None when it keeps it, or when nothing
    can be said: the model does not keep the batch in dim 0 itself, or the model fails at the
    second batch size before the failing layer too."""
    if ctx.trace.batch is None or not batch_led(ctx.trace, ctx):
        return None
    batch = ctx.trace.batch if request.batch == SAME else request.batch  # a fix may set the batch
    out = output_shape(after)
    if not isinstance(batch, int) or out is None:
        return None
    try:
        other = rerun(replace(request, batch=batch + 2))
    except (LookupError, TimeoutError):
        raise
    except Exception:  # model code failing at that batch in a way the tracer did not record
        return None
    if other.error is not None:
        if _fails_first_at(ctx, batch + 2, rerun, None if request.batch == SAME else batch):
            return None  # the model is batch-locked before the fix: a second size says nothing
        return f"{BATCH_LOST}: it runs at batch {batch}, and at batch {batch + 2} it fails"
    out2 = output_shape(other)
    if not out or out2 is None or len(out2) != len(out):
        return None
    if any(a == batch and b == batch + 2 for a, b in zip(out, out2, strict=True)):
        return None
    return f"{BATCH_LOST}: output {list(out)} at batch {batch}, {list(out2)} at batch {batch + 2}"


def batch_survives(ctx: Context, request: Rerun, after: Trace, rerun: Callable[[Rerun], Trace]) -> bool:
    """True unless the fixed model loses the batch (`batch_lost`)."""
    return batch_lost(ctx, request, after, rerun) is None


def _fails_first_at(ctx: Context, batch: int, rerun: Callable[[Rerun], Trace], found_at: int | None = None) -> bool:
    """The unfixed model at `batch` fails before the row where it fails as traced (or fails
    where it ran): the model itself holds a batch size, not the fix. A fix of a failure found
    at another batch (`found_at`: the model runs as traced, and fails there) is held to the row
    where it fails at that batch."""
    try:
        other = rerun(Rerun(batch=batch))
        mine = ctx.trace.error
        if mine is None and found_at is not None:
            mine = rerun(Rerun(batch=found_at)).error
    except (LookupError, TimeoutError):
        raise
    except Exception:  # model code failing at that batch in a way the tracer did not record
        return True
    if other.error is None:
        return False
    if mine is None or mine.layer is None or other.error.layer is None:
        return True
    return other.error.layer < mine.layer


def _per_sample(ctx: Context) -> list[tuple[int, ...]]:
    trace = ctx.trace
    return [t.shape[1:] if trace.batch is not None and t.shape else t.shape for t in trace.inputs]


def input_change(ctx: Context, request: Rerun | None) -> tuple[int, tuple[int, ...], tuple[int, ...]] | None:
    """(input index, per-sample dims as traced, as the request has them) for the first input
    whose size (values per sample) the request changes; None when it changes none. A reshape
    of the same values (784 → 1x28x28, 1x13 → 13, HWC → CHW) or another dtype is not a change of size."""
    if request is None:
        return None
    given = _per_sample(ctx)
    wanted = ([(0, request.dims)] if request.dims is not None else []) + list(request.other_dims)
    for index, dims in wanted:
        if index >= len(given):
            continue
        if math.prod(dims) != math.prod(given[index]):
            return index, tuple(given[index]), tuple(dims)
    return None


def about_input(ctx: Context, finding: Finding | None, fixes: list[Fix] | None = None) -> bool:
    """The finding is about the input, so a fix may change the input's size: its rule names the
    input as the cause (one of `fixes`, the rule's own, changes it), the failing layer reads the
    model input with nothing else the model computed, or the model is written for one input size
    (repair.size_locked) and the failing op does not hold the model input against what the model
    computed from it."""
    from .repair import size_locked

    if finding is None:
        return True
    own = finding.fixes if fixes is None else fixes
    if any(input_change(ctx, f.rerun) is not None for f in own if f.runs_but is None):
        return True
    trace = ctx.trace
    row = trace.row(finding.row) if finding.row is not None and finding.row < len(trace.layers) else None
    if row is None:
        return size_locked(ctx, finding)
    reads_input = [t for t in row.inputs if trace.is_model_input(t)]
    computed = [t for t in row.inputs if t.source is not None and t.from_input is not False]
    if reads_input and not computed:
        return True  # a stem: the input against the layer's own sizes
    if reads_input and computed:
        return False  # the model's own result must have the input's size: the model is wrong, not the input
    return size_locked(ctx, finding)


def configured_for_input(ctx: Context, change) -> tuple[str, int] | None:
    """(name, value) of the model's image-size constructor argument (`img_size=32`) when it equals
    a spatial size of the input as given and the fix moves that size: the model was built for
    the user's input, so the input is not what is wrong (a position table or patch grid built
    from another number is). None otherwise."""
    from .repair import _input_size_name

    index, before, now = change
    if index != 0 or len(before) < 2:
        return None
    moved = (
        {b for b, n in zip(before[1:], now[1:], strict=False) if b != n} if len(now) == len(before) else set(before[1:])
    )
    for name, value in ctx.trace.arguments:
        if isinstance(value, bool) or not isinstance(value, int) or not _input_size_name(name):
            continue
        if value in moved:
            return name, value
    return None


def input_moved(
    ctx: Context, finding: Finding | None, request: Rerun | None, own: list[Fix] | None = None
) -> str | None:
    """`changes your input from 3x28x28 to 3x32x32, and the finding is not about the input`
    for a fix that does so; None otherwise."""
    change = input_change(ctx, request)
    if change is None:
        return None
    configured = configured_for_input(ctx, change)
    if configured is None and about_input(ctx, finding, own):
        return None
    index, before, now = change
    if configured is not None:
        return (
            f"changes your input from {'x'.join(map(str, before))} to {'x'.join(map(str, now))}, and the model "
            f"is built with {configured[0]}={configured[1]}, the size you give: the model's own sizes are wrong"
        )
    which = "your input" if len(ctx.trace.inputs) < 2 else f"input {index}"
    return (
        f"changes {which} from {'x'.join(map(str, before))} to {'x'.join(map(str, now))}, "
        "and the finding is not about the input"
    )
