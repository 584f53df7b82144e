"""The repair search: candidate edits for the first error, each verified by tracing again.

Rules write fixes from what they know about one kind of failure. Some failures have a cause no
rule can see from the failing row alone: the model was written for one input size (a view with
a constant, a position table, in_features written as C·s·s, an attention map sized for a 60×60
feature map) and is traced at another. Those models are right as they are; what is wrong is the
input. This module searches the inputs instead of the model:

- **input size**: the per-sample dims after the channels of input 0, set to sizes near the
  traced ones (every spatial dim the same size, or each one rounded to a multiple of 8, 16 or
  32), nearest first. A size counts when the model runs at it with no error left.
- **input rank**: a per-sample dim of size 1 dropped (`--input 1x13` where the model reads 13:
  a batch of one written into the spec).
- **producer size**, for a pixel shuffle whose channels are no multiple of its factor squared:
  the conv before it set to the nearest multiple.
- **layout**, for a failure no rule explains: `batch_first=True` on the attention or RNN
  layer that failed; the second operand of a failing `mm`/`matmul`/`bmm` transposed.

A found size is a fix that changes nothing in the model; it keeps the model's intent when the
finding is about the input (intent.about_input: a size-locked model, a failing stem). It goes
first for the failures that mean a size-locked model (after a verified safe fix of the rules for
a Linear head: an adaptive pool keeps the user's input size too), and last otherwise. A size
the model runs at while the finding is about something else is shown as such, never verified.

Every search here counts its tries (MAX_TRIES re-traces, each also counted by the context): the
same model gives the same fixes on every machine, however busy.
"""

from __future__ import annotations

import math
import re

from ..trace.records import Trace
from .context import Context, RerunFailed, op_site
from .findings import SAFE, UNSAFE, Finding, Fix, FixKind, line_fix
from .numbers import char_span, parsed_line
from .requests import Edit, Rerun

# Input sizes people train at: the search tries these for every spatial dim at once.
COMMON_SIZES = (
    16,
    28,
    32,
    48,
    56,
    64,
    96,
    112,
    128,
    160,
    192,
    224,
    256,
    288,
    299,
    320,
    384,
    448,
    480,
    512,
    576,
    640,
    768,
    800,
    1024,
)
MAX_TRIES = 24  # candidate sizes one search may try (each a meta trace: milliseconds for most models)
# Failures that mean "written for one input size" when the model runs at some other size.
SIZE_LOCKED = {"SC100", "SC112", "SC113", "SC117"}


def input_candidates(dims: tuple[int, ...], floats: bool = True) -> list[tuple[int, ...]]:
    """Per-sample dims to try, nearest to `dims` first (summed log ratio of the changed dims).

    Only dims after the first (the channels) of an image or a volume change: a sequence
    [L, features] or a token input has no spatial dims to search.
    """
    if len(dims) < 3 or not floats:
        return []  # a sequence's last dim is its features: never a size to search
    axes = range(1, len(dims))
    found: set[tuple[int, ...]] = set()
    for size in COMMON_SIZES:
        found.add(tuple(size if i in axes else d for i, d in enumerate(dims)))
    for step in (8, 16, 32):
        found |= _multiples_near(dims, step)
    found.discard(tuple(dims))

    square = len(set(dims[1:])) == 1

    def distance(cand: tuple[int, ...]) -> float:
        far = sum(abs(math.log(c / d)) for c, d in zip(cand, dims, strict=True) if d > 0 and c > 0)
        return far + (0.25 if square and len(set(cand[1:])) > 1 else 0.0)  # a square input stays square

    return sorted(found, key=lambda c: (distance(c), c))


def _multiples_near(dims: tuple[int, ...], step: int) -> set[tuple[int, ...]]:
    """Each dim after the channels rounded down or up to a multiple of `step` (at least `step`),
    alone and all together."""
    rounded: list[tuple[int, ...]] = [(dims[0],)]
    for d in dims[1:]:
        low = max(step, d // step * step)
        rounded.append((low, low + step))
    found: set[tuple[int, ...]] = set()
    for i in range(1, len(dims)):
        for value in rounded[i]:
            found.add(tuple(value if k == i else d for k, d in enumerate(dims)))
    for pick in (0, 1):
        found.add(tuple(d if i == 0 else rounded[i][pick] for i, d in enumerate(dims)))
    return found


def _runs(ctx: Context, request: Rerun, finding: Finding | None = None) -> bool:
    """The model runs with this request, no rule finds an error in the new trace, and it keeps
    the model's intent (intent.broken): a repair must keep what the model means, not only make
    it run. `finding` None: the input invariant is left to the caller."""
    return _check(ctx, request, finding) == (True, None)


def _check(ctx: Context, request: Rerun, finding: Finding | None = None) -> tuple[bool, str | None]:
    """(the model runs with this request and no rule finds an error, the invariant it breaks
    then: intent.broken; None when it keeps them all). A request whose re-run raises is a
    candidate that does not run (RerunFailed, from model code or an edit: never the report's
    end); the budgets' TimeoutErrors and LookupError("no runner") propagate."""
    from . import diagnose  # the package: a whole diagnosis of the new trace, without re-runs
    from .intent import batch_lost, broken
    from .provenance import rerun_any

    def again(r: Rerun) -> Trace:
        return rerun_any(ctx, r)

    try:
        after: Trace = again(request)
        if after.error is not None or diagnose(after, verify=False).errors:
            return False, None
        if finding is None:
            return True, batch_lost(ctx, request, after, again)
        return True, broken(ctx, finding, request, after, again)
    except RerunFailed:
        return False, None
    except (LookupError, TimeoutError, KeyboardInterrupt):
        raise
    except BaseException:  # model code failing at that size in a way the tracer did not record
        return False, None


def input_size_fix(ctx: Context, finding: Finding) -> Fix | None:
    """The nearest input size (per-sample dims of input 0) at which the model runs. When the
    finding is not about the input (intent.about_input), the first size it runs at is shown as
    such: not verified, with what it changes."""
    from .intent import about_input, configured_for_input, input_moved

    trace = ctx.trace
    if not trace.inputs or trace.image_list or (ctx.runner is None and ctx.meta_runner is None):
        return None
    if not trace.inputs[0].dtype.startswith("float"):
        return None
    dims = ctx.sample_dims
    working: list[tuple[int, ...]] = []
    # a model built with an image-size argument equal to the input's size is built for this input
    ours = about_input(ctx, finding) and configured_for_input(ctx, (0, tuple(dims), ())) is None
    try:
        for tries, cand in enumerate(input_candidates(dims)):
            if tries >= MAX_TRIES or len(working) == 2 or (working and not ours):
                break
            if _runs(ctx, Rerun(dims=cand)):
                working.append(cand)
    except (LookupError, TimeoutError):
        pass
    if not working:
        return None
    text = "x".join(map(str, working[0]))
    if not ours:
        why = input_moved(ctx, finding, Rerun(dims=working[0])) or "the finding is not about the input"
        return Fix(
            description=f"the model runs at --input {text}, the nearest size tried where it does, but that changes "
            f"your input while the finding is about the model: at {'x'.join(map(str, dims))} fix `{finding.layer}`",
            code=f"--input {text}",
            kind=FixKind.INPUT,
            safety=SAFE,
            rerun=Rerun(dims=working[0]),
            verified=False,
            runs_but=why,
            check_note=f"runs, but {why}",
        )
    other = f" (or {'x'.join(map(str, working[1]))})" if len(working) > 1 else ""
    return Fix(
        description=f"the model is written for another input size: it runs at --input {text}{other}, "
        f"the nearest size tried where it does; at {'x'.join(map(str, dims))} `{finding.layer}` fails",
        code=f"--input {text}",
        kind=FixKind.INPUT,
        safety=SAFE,
        rerun=Rerun(dims=working[0]),
        verified=True,  # checked here, re-run and diagnosed
    )


# Words in a constructor argument's name that say it is the size of the input image: the only
# arguments tried (a patch, window or kernel size, a head count or a maximum length changes what
# the model is, not which input it takes).
_INPUT_SIZE_WORDS = ("img_size", "image_size", "img_res", "image_res", "resolution", "input_size", "input_res")
# … and names that are the image itself, alone or with a size word (`img=224`, `image_dim=32`)
_IMAGE_WORDS = frozenset({"img", "image"})
_SIZE_SUFFIXES = frozenset({"dim", "hw", "side", "shape", "height", "width"})


def _input_size_name(name: str) -> bool:
    words = name.lower().split("_")
    if any(w in name.lower() for w in _INPUT_SIZE_WORDS):
        return True
    return len(words) <= 2 and words[0] in _IMAGE_WORDS and all(w in _SIZE_SUFFIXES for w in words[1:])


def argument_fix(ctx: Context, finding: Finding) -> Fix | None:
    """The model built with its own image-size constructor argument set to the input's size
    instead (`img_size=32` traced at 224x224: built with img_size=224, it runs): the user's input
    stays, the configuration that locked the model to another size changes. Only where the rules
    have no verified fix; MAX_TRIES builds at most."""
    trace = ctx.trace
    dims = ctx.sample_dims if trace.inputs else ()
    if not trace.arguments or len(dims) != 3 or ctx.runner is None or any(f.verified for f in finding.fixes):
        return None  # an image's [C, H, W], and no verified fix of the rules'
    sizes = [d for d in dict.fromkeys(dims[1:]) if d > 1]  # its height and width, not its channels
    named = [a for a in trace.arguments if _input_size_name(a[0])]
    tried = 0
    for name, value in named:
        for size in sizes:
            if size == value:
                continue
            if tried >= MAX_TRIES:
                return None
            tried += 1
            try:
                runs = _runs(ctx, Rerun(args=((name, size),)), finding)
            except (LookupError, TimeoutError):
                return None
            if runs:
                return Fix(
                    description=f"the model is built for {name}={value}; built with {name}={size} (a size of your "
                    f"input) it runs: construct it with `{name}={size}`",
                    code=f"--arg {name}={size}",
                    kind=FixKind.OPTION,
                    safety=UNSAFE,  # the weights' shapes follow the argument: a checkpoint no longer loads
                    rerun=Rerun(args=((name, size),)),
                    build_args=((name, size),),
                    verified=True,  # checked here, re-run and diagnosed
                )
    return None


def library_size_fix(ctx: Context, finding: Finding) -> Fix | None:
    """A timm model built on the user's `timm.create_model(...)` line for another image size (a
    ViT's patch grid and position table): timm's own `img_size` builds it for the input's size,
    and resamples pretrained position embeddings to the new grid. The user's input stays; the
    line is edited and the model built again from it (one candidate), kept only when it then
    runs with no finding."""
    from .rules.common import create_model_option

    trace = ctx.trace
    dims = ctx.sample_dims if trace.inputs else ()
    row = trace.row(finding.row) if finding.row is not None else None
    if len(dims) != 3 or row is None or (ctx.runner is None and ctx.meta_runner is None):
        return None
    size = dims[1] if dims[1] == dims[2] else (dims[1], dims[2])
    found = create_model_option(trace, row, "img_size", size)
    if found is None:
        return None
    at, source, after = found
    params = (("file", at.file), ("line", at.line), ("before", source), ("after", after))
    request = Rerun(edits=(Edit("source_line", params=params),), library_option="img_size")
    try:
        if not _runs(ctx, request, finding):
            return None
    except (LookupError, TimeoutError):
        return None
    shown = "x".join(map(str, dims[1:]))
    return Fix(
        description=f"build the model for {shown} images with timm's `img_size={size}` (timm resamples "
        "pretrained position embeddings to the new patch grid)",
        code=after,
        safety=UNSAFE,  # the position table's shape changes: a checkpoint saved at the old size no longer loads
        location=at,
        before=source,
        after=after,
        rerun=request,
        verified=True,  # checked here, re-run and diagnosed
    )


def drop_unit_dim_fix(ctx: Context, finding: Finding) -> Fix | None:
    """`--input 1x13` → `--input 13` when the model then runs: the 1 was a batch written into
    the per-sample dims."""
    dims = ctx.sample_dims
    if 1 not in dims or len(dims) < 2 or (ctx.runner is None and ctx.meta_runner is None):
        return None
    for i, d in enumerate(dims):
        if d != 1:
            continue
        cand = dims[:i] + dims[i + 1 :]
        try:
            if _runs(ctx, Rerun(dims=cand), finding):
                text = "x".join(map(str, cand))
                from .rules.common import input_code

                # unbatched (--no-batch), the 1 is not a batch: a dim of the data the model does not read
                said = (
                    "(a batch of one written into the per-sample dims; --batch sets the batch)"
                    if ctx.trace.batch is not None
                    else f"(the model reads no dim {i}: `x.squeeze({i})` in the data, or where the model takes it)"
                )
                return Fix(
                    description=f"drop the size-1 dim {i} of the input: the model runs at --input {text} {said}",
                    code=input_code(ctx, tuple(cand), 0),
                    kind=FixKind.INPUT,
                    safety=SAFE,
                    rerun=Rerun(dims=cand),
                    verified=True,
                )
        except (LookupError, TimeoutError):
            return None
    return None


def transposed_input_fix(ctx: Context, finding: Finding) -> Fix | None:
    """`edge_index` given as [30, 2] where the code takes [2, E]: a rule's fix that transposes a
    model input as it arrives (`src, dst = edge_index.t()`) says the data's layout is the cause,
    since the code reads it in another; the input given with its two dims exchanged is offered
    first, checked by tracing with it, and the code's transpose stays as the other reading."""
    first = finding.fixes[0] if finding.fixes else None
    if first is None or not first.verified or first.location is None or not first.before or not first.after:
        return None
    found = _transposed_name(first.before, first.after)
    index = _forward_input(ctx, first.location.file, found) if found is not None else None
    batched = ctx.trace.batch is not None
    if index is None or index >= len(ctx.trace.inputs):
        return None
    t = ctx.trace.inputs[index]
    dims = tuple(t.shape[1:] if batched else t.shape)
    if len(dims) != 2:
        return None
    swapped = dims[::-1]
    request = Rerun(dims=swapped) if index == 0 else Rerun(other_dims=((index, swapped),))
    try:
        if not _runs(ctx, request, finding):
            return None
    except (LookupError, TimeoutError):
        return None
    from .rules.common import input_code

    first.description = "or, in the code: " + first.description
    return Fix(
        description=f"give `{found}` as {'x'.join(map(str, swapped))}, the layout the code reads it in (it arrives "
        f"{'x'.join(map(str, dims))}): the data's layout is the cause, the code stays as written",
        code=input_code(ctx, swapped, index),
        kind=FixKind.INPUT,
        safety=SAFE,
        rerun=request,
        verified=True,
    )


def _transposed_name(before: str, after: str) -> str | None:
    """The name a fix writes transposed (`edge_index` → `edge_index.t()`), the line otherwise kept."""
    for match in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)(?![\w(.\[])", before):
        name = match.group(1)
        for suffix in (".t()", ".T", ".transpose(0, 1)"):
            if before[: match.end()] + suffix + before[match.end() :] == after:
                return name
    return None


def _forward_input(ctx: Context, file: str, name: str) -> int | None:
    """The position of `name` among the model's forward parameters (its input index), read from
    the root class in `file`; None when it is not one."""
    import ast
    import linecache

    root = ctx.trace.layers[0] if ctx.trace.layers else None
    try:
        tree = ast.parse("".join(linecache.getlines(file)))
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and root is not None and node.name == root.type:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "forward":
                    names = [a.arg for a in item.args.args[1:]]
                    return names.index(name) if name in names else None
    return None


def per_sample_value_fix(ctx: Context, finding: Finding) -> Fix | None:
    """`--input scalar` for an input after the first that the failing row is made from and the
    model reads as one value per sample: a diffusion timestep given as a map shaped like the
    image ([B, 1, H, W]), which `t[:, None] * freqs` spreads into a rank no layer takes."""
    trace = ctx.trace
    if trace.batch is None or finding.row is None or (ctx.runner is None and ctx.meta_runner is None):
        return None
    failing = trace.row(finding.row)
    if failing is None:
        return None
    made_from = _model_inputs_upstream(trace, failing)
    for i, t in enumerate(trace.inputs):
        if i == 0 or t.tid not in made_from or t.rank < 2 or (t.rank < 3 and math.prod(t.shape[1:]) != 1):
            continue  # input 0 is the data; a [B, n] input is a vector per sample ([B, 1] is one value)
        request = Rerun(other_dims=((i, ()),))
        try:
            if not _runs(ctx, request, finding):
                continue
        except (LookupError, TimeoutError):
            return None
        from .rules.common import input_code

        code = input_code(ctx, (), i)
        return Fix(
            description=f"give input {i} as one value per sample (a timestep, a noise level): --input scalar, "
            f"shape [B]; the model spreads each value into an embedding, and a per-sample "
            f"{'x'.join(map(str, t.shape[1:]))} becomes a tensor no layer takes",
            code=code,
            kind=FixKind.INPUT,
            safety=SAFE,
            rerun=request,
            verified=True,
        )
    return None


def _model_inputs_upstream(trace: Trace, row) -> set:
    """The tids of the model inputs that `row` is made from, through any of its inputs."""
    found: set = set()
    todo, seen = [row], set[int]()
    while todo and len(seen) < 2000:
        current = todo.pop()
        for t in current.inputs:
            if t.source is None:
                found.add(t.tid)
            elif t.source not in seen:
                seen.add(t.source)
                up = trace.row(t.source)
                if up is not None:
                    todo.append(up)
    return found


BATCH_FIRST = (
    "MultiheadAttention",
    "LSTM",
    "GRU",
    "RNN",
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
    "Transformer",
    "TransformerEncoder",
    "TransformerDecoder",
)
MATMULS = ("torch.mm", "Tensor.mm", "torch.matmul", "Tensor.matmul", "torch.bmm", "Tensor.bmm", "@")


def layout_fixes(ctx: Context, finding: Finding) -> list[Fix]:
    """batch_first=True on a failing attention/RNN layer built without it; the second operand
    of a failing matrix product transposed. Each kept only when the model then runs."""
    row = ctx.trace.row(finding.row) if finding.row is not None else None
    if row is None:
        return []
    found = (_batch_first_fix(row), _mm_to_matmul_fix(row), _transpose_fix(row))
    candidates = [fix for fix in found if fix is not None]
    kept = []
    for fix in candidates:
        try:
            if fix.rerun is not None and _runs(ctx, fix.rerun, finding):
                fix.verified = True
                kept.append(fix)
        except (LookupError, TimeoutError):
            break
    return kept


def _batch_first_fix(row) -> Fix | None:
    """An attention or RNN layer built without batch_first that reads the batch as dim 1."""
    if not (row.kind == "module" and row.type in BATCH_FIRST and row.attrs.get("batch_first") is False):
        return None
    source = row.defined_at.source if row.defined_at else ""
    after = re.sub(r"\)\s*$", ", batch_first=True)", source.rstrip()) if source.rstrip().endswith(")") else None
    return line_fix(
        f"build `{row.name}` with batch_first=True: it reads dim 1 of its inputs as the batch, "
        "and they arrive batch first",
        row.defined_at,
        source,
        after,
        "batch_first=True",
        Rerun(edits=(Edit("set_attrs", row.name, params=(("batch_first", True),)),)),
    )


def _mm_to_matmul_fix(row) -> Fix | None:
    """`mm` given a batch of matrices: `matmul` broadcasts over the batch."""
    if not (row.type in ("torch.mm", "Tensor.mm") and len(row.inputs) >= 2 and max(t.rank for t in row.inputs[:2]) > 2):
        return None
    source = row.called_at.source if row.called_at else ""
    after = re.sub(r"\b(torch\.mm|\.mm)\(", lambda m: m.group(1).replace("mm", "matmul") + "(", source, count=1)
    ranks = " and ".join(f"{t.rank}-D {list(t.shape)}" for t in row.inputs[:2])
    return line_fix(
        f"`mm` multiplies 2-D matrices only, and gets {ranks}: `matmul` multiplies the last two dims "
        "and broadcasts the rest (the batch)",
        row.called_at,
        source,
        after if after != source else None,
        "torch.matmul(a, b)",
        Rerun(edits=(Edit("op_method", op_site(row), params=(("method", "matmul"),)),)),
    )


def _transpose_fix(row) -> Fix | None:
    """A matrix product whose second operand is the wrong way round."""
    if not (row.kind == "op" and row.type in MATMULS and len(row.inputs) >= 2 and row.inputs[1].rank >= 2):
        return None
    swap = ".t()" if row.inputs[1].rank == 2 else ".transpose(-2, -1)"
    source = row.called_at.source if row.called_at else ""
    return line_fix(
        f"transpose the second operand of {row.type}: {'×'.join(map(str, row.inputs[1].shape))} "
        f"is the wrong way round for {'×'.join(map(str, row.inputs[0].shape))}",
        row.called_at,
        source,
        _transpose_second(source, swap),
        f"b{swap}",
        Rerun(edits=(Edit("op_transpose_arg", op_site(row), params=(("index", 1),)),)),
    )


def _transpose_second(source: str, swap: str) -> str | None:
    """`hidden.mm(energy)` → `hidden.mm(energy.t())`; `torch.bmm(a, b)` → `torch.bmm(a, b.t())`;
    `za @ zb` → `za @ zb.T`."""
    product = _matmul_operator(source)
    if product is not None:
        start, end, text = product
        simple = re.fullmatch(r"[\w.\[\]]+", text) is not None
        wrapped = text if simple else f"({text})"
        return source[:start] + wrapped + (".T" if swap == ".t()" else swap) + source[end:]
    method = re.search(r"\.(mm|matmul|bmm)\(\s*([\w.\[\]]+)\s*\)", source)
    if method is not None:
        start, end = method.span(2)
        return source[:start] + method.group(2) + swap + source[end:]
    func = re.search(r"torch\.(mm|matmul|bmm)\(\s*[^,()]+,\s*([\w.\[\]]+)\s*\)", source)
    if func is not None:
        start, end = func.span(2)
        return source[:start] + func.group(2) + swap + source[end:]
    return None


def _matmul_operator(source: str) -> tuple[int, int, str] | None:
    """(start, end, text) of the right operand of the first `@` in a (stripped) source line."""
    import ast

    parsed = parsed_line(source)
    if parsed is None or parsed[1] != source:
        return None
    for node in ast.walk(parsed[2]):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            span = char_span(source, node.right)
            return None if span is None else (*span, source[span[0] : span[1]])
    return None


def unflatten_input_fix(ctx: Context, finding: Finding) -> Fix | None:
    """A conv given the model input flat (`--input 784` into Conv2d(1, …)): the input as C×s×s
    when its size is the conv's channels times a square."""
    row = ctx.trace.row(finding.row) if finding.row is not None else None
    if row is None or row.kind != "module" or not row.type.startswith("Conv") or not row.inputs:
        return None
    channels = row.attrs.get("in_channels")
    dims = ctx.sample_dims
    if not ctx.trace.is_model_input(row.inputs[0]) or len(dims) != 1 or not isinstance(channels, int):
        return None
    nd = {"1d": 1, "2d": 2, "3d": 3}.get(row.type[-2:])
    if nd is None or nd < 2 or dims[0] % channels:
        return None
    side = round((dims[0] // channels) ** (1 / nd))
    if side**nd * channels != dims[0]:
        return None
    wanted = (channels, *([side] * nd))
    text = "x".join(map(str, wanted))
    try:
        if not _runs(ctx, Rerun(dims=wanted), finding):
            return None
    except (LookupError, TimeoutError):
        return None
    return Fix(
        description=f"the input arrives flat: {dims[0]} = {channels}·{'·'.join([str(side)] * nd)}, and `{row.name}` "
        f"reads C, then {nd} spatial dims: --input {text} (in code, x.view(-1, {', '.join(map(str, wanted))}))",
        code=f"--input {text}",
        kind=FixKind.INPUT,
        safety=SAFE,
        rerun=Rerun(dims=wanted),
        verified=True,
    )


def _shuffle_after_conv(ctx: Context, finding: Finding):
    """(the pixel shuffle row, the conv row that feeds it, the upscale factor, the channels it
    gets) when the finding is on a pixel shuffle fed by a conv; None otherwise."""
    row = ctx.trace.row(finding.row) if finding.row is not None else None
    if row is None or row.type not in ("PixelShuffle", "F.pixel_shuffle", "torch.pixel_shuffle") or not row.inputs:
        return None
    factor = row.attrs.get("upscale_factor")
    t = row.inputs[0]
    producer = ctx.trace.row(t.source) if t.source is not None else None
    if not isinstance(factor, int) or t.rank < 3 or producer is None or not producer.type.startswith("Conv"):
        return None
    return row, producer, factor, t.shape[-3]


def pixel_shuffle_fix(ctx: Context, finding: Finding) -> Fix | None:
    """PixelShuffle(r) after a conv with C channels, C not a multiple of r²: the conv's
    out_channels set to the nearest multiple (the other one named)."""
    from .numbers import set_argument
    from .rules.common import conv_params

    found = _shuffle_after_conv(ctx, finding)
    if found is None:
        return None
    row, producer, factor, channels = found
    square = factor * factor
    below, above = channels // square * square, (channels // square + 1) * square
    options = sorted((m for m in (below, above) if m > 0), key=lambda m: (abs(m - channels), m))
    for value in options:
        rerun = Rerun(edits=(Edit("replace", producer.name, producer.type, conv_params(producer, out_channels=value)),))
        try:
            if not _runs(ctx, rerun, finding):
                continue
        except (LookupError, TimeoutError):
            return None
        source = producer.defined_at.source if producer.defined_at else ""
        after = set_argument(source, producer.type, 1, "out_channels", value) if source else None
        other = [m for m in options if m != value]
        fix = line_fix(
            f"`{row.name}` (factor {factor}) needs channels in multiples of {factor}² = {square}; "
            f"`{producer.name}` makes {channels}: set its out_channels to {value} "
            f"({value // square} channels after the shuffle)" + (f", or {other[0]}" if other else ""),
            producer.defined_at,
            source,
            after,
            f"out_channels={value}",
            rerun,
            UNSAFE,
        )
        fix.verified = True
        return fix
    return None


def _whole_factor(row) -> int | None:
    """The one whole factor (2 or more) between the spatial sizes of a join's two maps; None when
    they are not maps of one rank a whole factor apart."""
    maps = [t.shape for t in row.inputs if t.rank >= 3]
    if len(maps) < 2 or len({len(m) for m in maps}) != 1:
        return None
    pairs = [(a, b) for a, b in zip(maps[0][2:], maps[1][2:], strict=True) if min(a, b) > 0]
    ratios = {max(a, b) // min(a, b) for a, b in pairs if a != b}
    factor = next(iter(ratios)) if len(ratios) == 1 else 0
    if factor < 2 or any(max(a, b) % min(a, b) for a, b in pairs):
        return None
    return factor


def stage_argument_fix(ctx: Context, finding: Finding) -> Fix | None:
    """Two maps joined a whole factor apart (SC109: a 32x32 map against a 64x64 skip): a stage
    count, grid or stride of the model's construction is set for another size. Each whole-number
    constructor argument is tried at that factor times its value and divided by it (`grid=16` →
    32); the first build that runs, with the user's input as given, is the fix. Only where the
    rules have no verified fix; MAX_TRIES builds at most."""
    trace = ctx.trace
    row = trace.row(finding.row) if finding.row is not None else None
    if finding.code != "SC109" or row is None or ctx.runner is None or any(f.verified for f in finding.fixes):
        return None
    factor = _whole_factor(row)
    if factor is None:
        return None
    tried = 0
    for name, value in trace.arguments:
        if isinstance(value, bool) or not isinstance(value, int) or value < 2 or _input_size_name(name):
            continue  # an image-size argument says the input's size: only the input's own (argument_fix)
        for size in (value * factor, value // factor if value % factor == 0 else 0):
            if size < 1 or tried >= MAX_TRIES:
                continue
            tried += 1
            try:
                runs = _runs(ctx, Rerun(args=((name, size),)), finding)
            except (LookupError, TimeoutError):
                return None
            if runs:
                return Fix(
                    description=f"the model is built with {name}={value}, which puts the two maps {factor}× apart; "
                    f"built with {name}={size} they line up at your input's size: construct it with `{name}={size}`",
                    code=f"--arg {name}={size}",
                    kind=FixKind.OPTION,
                    safety=UNSAFE,  # the weights' shapes may follow the argument: a checkpoint may not load
                    rerun=Rerun(args=((name, size),)),
                    build_args=((name, size),),
                    verified=True,  # checked here, re-run and diagnosed
                )
    return None


def search(ctx: Context, finding: Finding, size_locked: bool) -> None:
    """Add the repairs found for `finding`: first when the failure means a size-locked model
    (or the rules had no fix), last otherwise. A size the model runs at that breaks an intent
    invariant comes after every other fix, never in front."""
    shown: list[Fix] = []  # runs, but breaks an invariant: shown as such, last
    found = _repairs(ctx, finding, size_locked, shown)
    finding.fixes.extend(shown)
    if not found:
        return
    _result_shapes(ctx, found)
    own = [f for f in finding.fixes if all(f is not x for x in shown)]
    checked = found[0].verified and not any(f.verified for f in own)  # a verified repair before unchecked readings
    # the data's layout found as the cause: the rule's code change is then the other reading
    checked = checked or (
        found[0].kind == FixKind.INPUT and bool(own) and own[0].description.startswith("or, in the code: ")
    )
    if size_locked or not own or checked or (found[0].kind == FixKind.INPUT and _drops_dim(found[0], ctx)):
        # A head sized for one map (SC102) keeps a verified safe fix of the rules in front (an
        # adaptive pool keeps the weights and the user's input size); the input size comes
        # before any change of weights.
        at = 0
        if finding.code == "SC102":
            while at < len(finding.fixes) and finding.fixes[at].verified and finding.fixes[at].safety == SAFE:
                at += 1
        finding.fixes[at:at] = found
    else:
        finding.fixes[len(own) : len(own)] = found


def _repairs(ctx: Context, finding: Finding, size_locked: bool, shown: list[Fix]) -> list[Fix]:
    """The first kind of repair that finds one, in order: a unit dim dropped; for a failure no
    rule explains, the input unflattened or a pixel shuffle; another input size (one that runs
    but breaks intent goes to `shown`); for a failure no rule explains, the input's layout."""
    found = [fix for fix in (drop_unit_dim_fix(ctx, finding), transposed_input_fix(ctx, finding)) if fix is not None]
    if not found and not finding.fixes:
        found = [fix for fix in (per_sample_value_fix(ctx, finding),) if fix is not None]
    if not found and finding.code == "SC100":
        flat = unflatten_input_fix(ctx, finding) or pixel_shuffle_fix(ctx, finding)
        found = [flat] if flat is not None else []
    built = (argument_fix(ctx, finding) or library_size_fix(ctx, finding)) if not found and size_locked else None
    if built is None and not found:
        built = stage_argument_fix(ctx, finding)
    if not found and (size_locked or not finding.fixes):
        fix = input_size_fix(ctx, finding)
        if fix is not None:
            (found if fix.verified else shown).append(fix)
    if built is not None:  # the model built for the user's input: before the input made to fit the model
        found.insert(0, built)
    if not found and finding.code == "SC100":
        found = layout_fixes(ctx, finding)
    return found


def _result_shapes(ctx: Context, found: list[Fix]) -> None:
    """Each repair's output shape, from its re-run (cached: it ran a moment ago)."""
    from .intent import output_shape
    from .provenance import rerun_any

    for fix in found:
        try:
            shape = output_shape(rerun_any(ctx, fix.rerun)) if fix.rerun is not None else None
        except KeyboardInterrupt:
            raise
        except BaseException:  # cached: it ran a moment ago
            shape = None
        fix.result_shape = shape


def size_locked(ctx: Context, finding: Finding) -> bool:
    """The failure means a model written for one input size: a view constant, a broadcast
    against a fixed table, an unexplained failure, or a Linear whose in_features is C·s·s for
    the channels C of the map that reaches it (written for an s×s map)."""
    if finding.code in SIZE_LOCKED:
        return True
    if finding.code != "SC102" or finding.row is None:
        return False
    boundary = next((b for b in ctx.boundaries if b.linear.index == finding.row), None)
    if boundary is None:
        return False
    wanted = boundary.in_features
    shape = boundary.feature_shape
    fmap = shape[1:] if ctx.trace.batch is not None else shape
    if len(fmap) != 3 or not fmap[0] or wanted % fmap[0]:
        return False
    side = math.isqrt(wanted // fmap[0])
    return side * side == wanted // fmap[0] and (fmap[1], fmap[2]) != (side, side)


def _drops_dim(fix: Fix, ctx: Context) -> bool:
    return fix.rerun is not None and fix.rerun.dims is not None and len(fix.rerun.dims) < len(ctx.sample_dims)
