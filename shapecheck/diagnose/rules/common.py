"""Pieces several rules share: naming the producer, the adaptive-pool fix."""

from __future__ import annotations

import ast
import linecache
import re

from ...domain.records import dim_names
from ...trace.records import MODULE, LayerRecord, Location
from ..boundaries import Boundary
from ..context import Context, op_site
from ..findings import DISPLAY_ONLY, SAFE, UNSAFE, Fix, FixKind, Label, Safety, line_fix
from ..layers import CONV_MODULE, NORM_MODULE, POOL_MODULE, spatial_rank
from ..numbers import (
    call_argument,
    call_arguments,
    dot,
    module_call_argument,
    parsed_line,
    per_sample_expression,
    per_sample_range,
    pool_size,
    replace_first_argument,
    set_argument,
    shape,
)
from ..probes import required_multiple, with_size
from ..requests import Edit, Rerun
from ..roles import is_library_file


def tensor_name(row, trace=None) -> str:
    """The user's name for the tensor a module row receives, from the line that calls it:
    `feats = self.stem(img)` → `img`; for a model input reached inside a library's module, the
    name the caller passed (`net(img)`, `trace.input_names`) first; `x` when nothing says."""
    if row is None:
        return "x"
    given = _input_name(row, trace)  # a fix to the data goes where the caller made it
    if given or row.called_at is None:
        return given or "x"
    source = row.called_at.source
    arg = module_call_argument(source, row.name) if row.kind == "module" else None
    if arg and arg.isidentifier():
        return arg
    return call_argument(source)


def _input_name(row, trace) -> str | None:
    if trace is None or not trace.input_names or not row.inputs or not trace.is_model_input(row.inputs[0]):
        return None
    tid = row.inputs[0].tid
    index = next((i for i, t in enumerate(trace.inputs) if t.tid == tid), None)
    return trace.input_names[index] if index is not None and index < len(trace.input_names) else None


def layer_name(row) -> str:
    """How findings name a row: `classifier.0`, or `Tensor.view (line 15)` for an op."""
    if row.kind == "op":
        where = f" (line {row.called_at.line})" if _own_line(row) else ""
        return f"{row.type}{where}"
    return row.name


def ref(row) -> str:
    """A row named inside a message, identifiers in backticks."""
    if row.kind == "op":
        where = f" at line {row.called_at.line}" if _own_line(row) else ""
        return f"`{row.type}`{where}"
    return f"`{row.name}`"


def operand_labels(ctx: Context, a, b) -> list[Label]:
    """Where two operands come from: `a = [B, 16] comes from `fc``, for each made by a row."""
    labels = []
    for name, t in (("a", a), ("b", b)):
        src = ctx.trace.row(t.source)
        if src is not None:
            labels.append(Label(src.name, f"{name} = {shape(t.shape)} comes from {ref(src)}", src.location))
    return labels


def _own_line(row) -> bool:
    """An op called from a line of the user's: a line of a library's forward (torchvision's
    `torch.flatten` in ResNet, line 279) would read as a line of the user's file."""
    return row.called_at is not None and not is_library_file(row.called_at.file)


def producer_label(ctx: Context, b: Boundary) -> Label | None:
    """ "`features` outputs [1, 512, 9, 9]" — the outermost row that returned the map."""
    if b.feature is None:
        given = _input_name(b.linear, ctx.trace)  # a running program's own name for what it passes
        if given:
            return Label("input", f"the script passes `{given}` {shape(b.feature_shape)} to it as it is")
        return Label("input", f"the model input {shape(b.feature_shape)} reaches it directly")
    tensor = b.flatten.inputs[0] if b.flatten is not None else b.tensor
    outer = ctx.trace.outermost_producer(tensor) if tensor.tid is not None else None
    row = outer or b.feature
    return Label(layer_name(row), f"{ref(row)} outputs {shape(b.feature_shape)}", row.location)


def adaptive_pool_fix(b: Boundary, target: int, note: str) -> Fix | None:
    """AdaptiveAvgPool to (h, w) with C·h·w == target, inserted before the flatten."""
    fmap = b.feature_shape
    if len(fmap) < 3:
        return None
    channels, spatial = fmap[1], fmap[2:]
    size = pool_size(channels, target, spatial)
    if size is None:
        return None
    nd = len(spatial)
    arg = f"({', '.join(map(str, size))})" if nd > 1 else str(size[0])
    pool = f"nn.AdaptiveAvgPool{nd}d({arg})"
    flatten = b.flatten
    code = ""
    location = None
    after = None
    if flatten is not None and flatten.kind == "op" and flatten.called_at is not None:
        source = flatten.called_at.source
        operand = operand_text(source, flatten.type.rpartition(".")[2])
        if operand is None or operand.isidentifier():
            var = operand or call_argument(source)
            code = f"{var} = nn.functional.adaptive_avg_pool{nd}d({var}, {arg})\n{source}"
        else:  # `self.fc(torch.flatten(self.conv(img), 1))`: the map is an expression, pooled in place
            after = wrap_operand(source, flatten.type.rpartition(".")[2], f"nn.functional.adaptive_avg_pool{nd}d", arg)
            code = after or ""
        location = flatten.called_at
    elif flatten is not None and flatten.defined_at is not None:
        code = f"{pool}, nn.Flatten(1)  # in place of nn.Flatten"
        location = flatten.defined_at
    math_text = f"{channels}·{dot(size)} = {target}"
    edit = None
    if flatten is not None and flatten.kind == "op":
        edit = Edit("op_prepool", op_site(flatten), params=(("output_size", tuple(size)),))
    elif flatten is not None:
        edit = Edit(
            "insert_before",
            flatten.name,
            f"AdaptiveAvgPool{nd}d",
            (("output_size", tuple(size) if nd > 1 else size[0]),),
        )
    return Fix(
        description=f"pool to a fixed size before flattening with `{pool}`: {math_text} {note}",
        code=code or pool,
        safety=SAFE,
        location=location,
        before=flatten.called_at.source if after and flatten is not None and flatten.called_at else None,
        after=after,
        rerun=Rerun(edits=(edit,)) if edit else None,
    )


def _operand_call(source: str, method: str) -> tuple[bytes, ast.expr, ast.Call] | None:
    """(the line as parsed, in UTF-8 as the tree counts, the tensor operand of its one
    `torch.<method>(t, ...)` or `t.<method>(...)` call, that call); None when the line does not
    parse alone, has no such call or two, or the call runs over several lines."""
    text = source.strip()
    for prefix in ("", "def _():\n    "):  # a `return` line parses inside a function
        try:
            tree = ast.parse(prefix + text)
        except SyntaxError:
            continue
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == method
        ]
        if len(calls) != 1 or calls[0].lineno != calls[0].end_lineno:
            return None
        call = calls[0]
        receiver = call.func.value  # type: ignore[attr-defined]
        module = isinstance(receiver, ast.Name) and receiver.id in ("torch", "F")
        if module and not call.args:
            return None
        line = (prefix + text).splitlines()[call.lineno - 1].encode()
        return line, call.args[0] if module else receiver, call
    return None


def _cut(line: bytes, node: ast.expr) -> tuple[str, str, str]:
    """(the line before the node, the node's text, the line after it)."""
    start, end = node.col_offset, node.end_col_offset
    return line[:start].decode(), line[start:end].decode(), line[end:].decode()


def _indented(source: str, edited: str) -> str:
    return source[: len(source) - len(source.lstrip())] + edited.strip()


def operand_text(source: str, method: str) -> str | None:
    """The source text of the tensor that a line's `torch.flatten(t, 1)` / `t.flatten(1)` acts on."""
    found = _operand_call(source, method)
    return _cut(found[0], found[1])[1] if found else None


def flatten_in_place(source: str, method: str) -> str | None:
    """The line with its one `t.view(...)`/`t.reshape(...)` (`method`) call written as
    `torch.flatten(t, 1)`: one row per sample whatever the batch; None when the line has no
    such call on one line."""
    found = _operand_call(source, method)
    if found is None:
        return None
    line, operand, call = found
    before, _, after = _cut(line, call)
    return _indented(source, f"{before}torch.flatten({_cut(line, operand)[1]}, 1){after}")


def wrap_operand(source: str, method: str, func: str, arg: str) -> str | None:
    """The line with that operand passed through `func(operand, arg)` in place, indentation kept."""
    found = _operand_call(source, method)
    if found is None:
        return None
    before, operand, after = _cut(found[0], found[1])
    return _indented(source, f"{before}{func}({operand}, {arg}){after}")


def follow_up_linear(ctx: Context, fix: Fix) -> Fix:
    """If the fix leaves the next Linear with the wrong in_features, fix that in the same step.

    Re-runs the model with the fix; when a Linear then fails on its last dim, its in_features
    is set to what now reaches it (an unsafe change: the layer's weights change shape).
    """
    if fix.rerun is None or ctx.runner is None:
        return fix
    try:
        after = ctx.rerun(fix.rerun)
    except (LookupError, TimeoutError):
        return fix
    failing = after.failing
    if failing is None or failing.type != "Linear" or not failing.inputs:
        return fix
    got, n_out = failing.inputs[0].shape[-1], failing.attrs.get("out_features")
    if not n_out or got == failing.attrs.get("in_features"):
        return fix
    edit = Edit("replace", failing.name, "Linear", (("in_features", got), ("out_features", n_out)))
    fix.rerun = Rerun(dims=fix.rerun.dims, batch=fix.rerun.batch, train=fix.rerun.train, edits=(*fix.rerun.edits, edit))
    fix.description += f", and set in_features={got} on `{failing.name}`"
    fix.safety = UNSAFE
    return fix


_SPATIAL = ("Conv", "MaxPool", "AvgPool", "AdaptiveAvgPool", "AdaptiveMaxPool", "LPPool", "Upsample", "PixelShuffle")
_TOKENS = ("Linear", "Embedding", "EmbeddingBag", "MultiheadAttention", "LSTM", "GRU", "RNN", "LayerNorm")


def spatial_map(ctx: Context, row) -> bool:
    """Row's first input is a map with spatial dims (a conv's or a pool's output, or an image
    input), not tokens or features from a Linear: pooling it to fewer positions keeps its
    meaning; pooling a projection's features to fewer does not."""
    for up in ctx.trace.upstream(row):
        if up.kind != "module":
            continue
        kind = up.type.rsplit(".", 1)[-1]
        if kind.startswith(_SPATIAL):
            return True
        if kind.startswith(_TOKENS):
            return False
    return bool(row.inputs) and row.inputs[0].rank >= 4


def prepool_view_fix(row, size: tuple[int, ...], const: int) -> Fix | None:
    """Adaptive pooling in front of a `view`/`reshape` so one sample always has `const` values;
    None when the view's line is part of a statement over several lines (a line inserted before
    it would land inside the expression)."""
    if parsed_line(row.called_at.source) is None:
        return None
    channels = row.inputs[0].shape[1]
    source = row.called_at.source
    nd = len(size)
    arg = f"({', '.join(map(str, size))})" if nd > 1 else str(size[0])
    method = row.type.rpartition(".")[2]
    operand = operand_text(source, method)
    after = None
    if operand is not None and not operand.isidentifier():  # `self.conv(x).view(...)`: pooled in place
        after = wrap_operand(source, method, f"nn.functional.adaptive_avg_pool{nd}d", arg)
    var = operand if operand is not None and operand.isidentifier() else call_argument(source)
    fix = Fix(
        description=f"pool to a fixed size first, so one sample has {channels}·{dot(size)} = {const} values "
        "at any input size",
        code=after or f"{var} = nn.functional.adaptive_avg_pool{nd}d({var}, {arg})\n{source}",
        safety=SAFE,
        location=row.called_at,
        before=source if after else None,
        after=after,
        rerun=Rerun(edits=(Edit("op_prepool", op_site(row), params=(("output_size", tuple(size)),)),)),
    )
    current = tuple(row.inputs[0].shape[2:])
    if nd > 1 and len(set(current)) == 1 and len(set(size)) > 1:
        # A square map pooled to an oblong one only because the count has no square: the count
        # was written for another map (or other channels), and squashing one axis hides that.
        fix.rerun, fix.safety = None, DISPLAY_ONLY
        fix.check_note = (
            f"not checked: the map is square ({'×'.join(map(str, current))}) and {const} values per sample fit "
            f"only an oblong {'×'.join(map(str, size))} one: the count was written for another map"
        )
    return fix


def in_own_call(source: str, row, rewrite) -> str | None:
    """`rewrite` applied to the part of the line that builds the row's module: for child `k` of an
    `nn.Sequential(...)` written on one line with other layers of its type, the k-th argument
    (`nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(32, 2))`: `net.2` is the second Linear);
    otherwise the whole line."""
    if not source:
        return None
    last = row.name.rpartition(".")[2]
    if last.isdigit() and len(re.findall(rf"\b{re.escape(row.type)}\(", source)) > 1:
        found = call_arguments(source, "Sequential")
        if found is not None and int(last) < len(found[2]):
            begin, end = found[2][int(last)]
            part = rewrite(source[begin:end])
            return None if part is None else source[:begin] + part + source[end:]
    return rewrite(source)


def create_model_option(trace, row, keyword: str, value) -> tuple[Location, str, str] | None:
    """A timm model built on the user's own `timm.create_model(...)` line (the row or a module
    holding it): (the line to edit, its text, its text with `keyword=value` set), the call
    written on one line or over several; None when no such line is the user's, or a
    `**config` unpacked into the call may give the keyword already."""
    built = (r.defined_at for r in trace.ancestors(row) if r.defined_at is not None)
    at = next((where for where in built if "create_model(" in where.source), None)
    if at is None or is_library_file(at.file):
        return None
    source = at.source.strip()
    if "**" in source:  # a dict unpacked into the call may give it already
        return None
    after = set_argument(source, "create_model", None, keyword, value)
    if after is None:  # the call goes on over the next lines: the line of its last argument
        spread = keyword_in_open_call(at, "create_model", keyword, value)
        if spread is None:
            return None
        at, after = spread
        source = at.source
    return None if after == source else (at, source, after)


def keyword_in_open_call(at: Location, call: str, keyword: str, value) -> tuple[Location, str] | None:
    """`keyword=value` set in a call of `call` that opens on `at`'s line and closes on a later one
    (`timm.create_model(\n    name,\n    num_classes=5,\n)`), as a one-line edit: the line that
    gives `keyword` has its value rewritten, or `, keyword=value` follows the last argument on
    the line it ends. The edited line's location (its text as `source`) and its new text."""
    import ast

    from ...trace.sources import source_tree

    tree = source_tree(at.file)
    if tree is None:
        return None
    calls = (
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and node.lineno == at.line
        and (node.end_lineno or 0) > node.lineno
        and ast.unparse(node.func).rpartition(".")[2] == call
    )
    node = next(calls, None)
    if node is None or any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return None  # `*args` or `**config` may hold the keyword already
    given = next((k.value for k in node.keywords if k.arg == keyword), None)
    last = given or max(
        (*node.args, *(k.value for k in node.keywords)), key=lambda n: (n.end_lineno, n.end_col_offset), default=None
    )
    if last is None or (given is not None and last.lineno != last.end_lineno):
        return None
    number = last.end_lineno or last.lineno  # a value is rewritten on its line; a keyword goes after the last one
    line = linecache.getline(at.file, number).rstrip("\r\n")
    data = line.encode()  # ast's columns count UTF-8 bytes
    end = len(data[: last.end_col_offset or 0].decode(errors="replace"))
    text = repr(value) if isinstance(value, (bool, str)) else str(value)
    if given is not None:
        begin = len(data[: last.col_offset].decode(errors="replace"))
        after = line[:begin] + text + line[end:]
    else:
        after = line[:end] + f", {keyword}={text}" + line[end:]
    return Location(at.file, number, line.strip()), after.strip()


_FLATTENS = ("torch.flatten", "Tensor.flatten")


def flattens_the_batch(ctx: Context, row) -> bool:
    """`torch.flatten(x)` / `x.flatten()` with no start_dim, on a batched tensor: the batch goes
    into the vector with everything else."""
    if row is None or row.type not in _FLATTENS or not row.inputs or row.inputs[0].rank < 2:
        return False
    given = [a for a in row.attrs.get("args", [])[1:] if isinstance(a, int) and not isinstance(a, bool)]
    start = row.attrs.get("start_dim", given[0] if given else 0)
    return ctx.trace.batch is not None and start == 0


def flatten_batch_fix(row) -> Fix:
    """`torch.flatten(x, start_dim=1)`: each sample flattened on its own, the batch kept, checked
    by tracing again with the call's start_dim set."""
    site = row.called_at
    source = site.source if site else ""
    position = 0 if row.type.startswith("Tensor.") else 1
    after = set_argument(source, "flatten", position, "start_dim", 1) if source else None
    return line_fix(
        "flatten each sample, not the batch with it: start_dim=1 keeps dim 0 as the batch",
        site if after else None,
        source,
        after,
        "x = torch.flatten(x, 1)",
        Rerun(edits=(Edit("op_args", op_site(row), params=(("start_dim", 1),)),)),
    )


def first_argument_fix(
    row, value: int, description: str, fallback: str, rerun: Rerun | None, factors: tuple[int, ...] | None = None
) -> Fix:
    """Rewrite the first argument of the layer's definition line (`nn.Linear(25088, …)` → 41472;
    `512 * 8 * 8` → `512 * 7 * 7` when `factors` give the map and the user wrote a product).

    Unsafe: the layer's weights change shape, so checkpoints no longer load.
    """
    source = row.defined_at.source if row.defined_at else ""
    after = in_own_call(source, row, lambda part: replace_first_argument(part, row.type, value, factors))
    return Fix(
        description=description,
        code=after or fallback,
        safety=UNSAFE,
        location=row.defined_at,
        before=source if after else None,
        after=after,
        rerun=rerun,
    )


def accepted_dims(ctx: Context, axes: tuple[int, ...]) -> list | None:
    """The accepted sizes (--symbolic) of these per-sample dims, when all were worked out."""
    if ctx.domain is None:
        return None
    names = dim_names(len(ctx.sample_dims), False)
    dims = [ctx.domain.dim(names[a]) for a in axes]
    if not dims or any(d is None or not d.settled or d.min is None for d in dims):
        return None
    return dims


def batch_role(info) -> str | None:
    """What became of the batch dim B in a shape with expressions: None while it is dim 0."""
    texts = info.symbolic
    if not texts:
        return None
    if texts[0] == "B":
        return None
    holding = [i for i, t in enumerate(texts) if re.search(r"\bB\b", t)]
    if not holding:
        return f"B no longer appears in [{', '.join(texts)}]: the batch was reduced away"
    i = holding[0]
    return f"dim {i} is {texts[i]}: the batch B is folded into it ([{', '.join(texts)}])"


def argument_fix(
    row,
    cls: str,
    position: int | None,
    attr: str,
    value,
    description: str,
    edit: Edit | None,
    safety: Safety = UNSAFE,
    location=None,
) -> Fix:
    """Set one constructor argument on the line that built the layer (`nn.LSTM(300, …)` → 100),
    verified by `edit` (None: a change of code that is not checked). `location` overrides the
    row's definition line."""
    loc = location or row.defined_at
    source = loc.source.strip() if loc and loc.source else ""
    after = in_own_call(source, row, lambda part: set_argument(part, cls, position, attr, value))
    text = repr(value) if isinstance(value, (bool, str)) else value
    return Fix(
        description=description,
        code=after or f"nn.{cls}(…, {attr}={text})",
        safety=safety,
        location=loc,
        before=source if after else None,
        after=after,
        rerun=Rerun(edits=(edit,)) if edit is not None else None,
    )


# The size a layer makes, by type: (attribute, its position in the constructor, the other size).
_MADE_SIZE = {"Embedding": ("embedding_dim", 1, "num_embeddings"), "Linear": ("out_features", 1, "in_features")}


def producer_size_fix(src, got: int, want: int, description: str) -> Fix | None:
    """Make the layer that produced `got` features produce `want` instead (an Embedding's
    `embedding_dim`, a Linear's `out_features`); None for other producers."""
    if src is None or src.kind != "module" or src.type not in _MADE_SIZE:
        return None
    attr, position, other = _MADE_SIZE[src.type]
    if src.attrs.get(attr) != got:
        return None
    edit = Edit("replace", src.name, src.type, ((other, src.attrs.get(other)), (attr, want)))
    return argument_fix(src, src.type, position, attr, want, description.format(attr=attr), edit)


def constructor_line(row) -> tuple[str, object]:
    """The class and line to edit for a layer the user built: for `nn.TransformerEncoder(layer, 6)`
    the arguments that matter belong to its `nn.TransformerEncoderLayer(...)` line in the same file."""
    loc = row.defined_at
    if row.type in ("TransformerEncoder", "TransformerDecoder") and loc is not None:
        cls = row.type + "Layer"
        for number, line in enumerate(linecache.getlines(loc.file), start=1):
            if f"{cls}(" in line and not line.lstrip().startswith("#"):
                return cls, Location(loc.file, number, line.strip())
        return cls, loc
    return row.type, loc


def rewrite_call(source: str, name: str, var: str, arg: str, suffix: str = "") -> str | None:
    """`x = self.conv(x)` → `x = self.conv(x.transpose(1, 2))` (plus `suffix` after the call)."""
    match = re.search(rf"\b{re.escape(name)}\(\s*{re.escape(var)}\s*\)", source)  # the argument alone
    if not match:
        return None
    return source[: match.start()] + f"{name}({arg}){suffix}" + source[match.end() :]


# -- shared by SC102, SC103 and SC105 -----------------------------------------------------


def spatial_module(row: LayerRecord) -> bool:
    """A conv (not transposed), pool or norm module: the layers with an unbatched form to check."""
    return row.kind == MODULE and bool(
        (CONV_MODULE.match(row.type) and "Transpose" not in row.type)
        or POOL_MODULE.match(row.type)
        or NORM_MODULE.match(row.type)
    )


def unbatched_rows(ctx: Context) -> list[LayerRecord]:
    """Conv/pool/norm rows that received one rank less than a batch: read as unbatched."""
    out = []
    for row in ctx.trace.layers:
        nd = spatial_rank(row)
        if nd is None or not row.inputs or not spatial_module(row):
            continue
        if NORM_MODULE.match(row.type):
            continue  # BatchNorm has no unbatched form: it fails instead (handled below)
        if row.inputs[0].rank == nd + 1:
            out.append(row)
    return out


def from_unbatched(ctx: Context, row: LayerRecord) -> LayerRecord | None:
    """The unbatched conv/pool this row's input comes from, if any."""
    unbatched = {r.index for r in unbatched_rows(ctx)}
    return next((r for r in ctx.trace.upstream(row) if r.index in unbatched), None)


def fits_range(ctx: Context, b: Boundary, n_in: int) -> str | None:
    """ "in_features 25088 fits inputs with H = W from 224 to 255" — from probes at other sizes."""
    if b.adaptive:
        return None
    # Measured where the map is flattened: its per-sample size grows with the input.
    row = b.flatten if b.flatten is not None else b.linear
    fits = per_sample_range(ctx, row, n_in)
    formula = per_sample_expression(ctx, row)
    if fits and formula:
        fits += f": one sample has {formula} features"
    return fits


def conv_params(row, **changes) -> tuple:
    """A conv row's constructor arguments (as (key, value) pairs for a `replace` Edit), with
    `changes` applied: `conv_params(row, in_channels=64)`."""
    a = row.attrs
    keys = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "dilation", "groups")
    params = {k: tuple(a[k]) if isinstance(a.get(k), list) else a.get(k) for k in keys if k in a}
    params.update(changes)
    return tuple(params.items())


def input_multiple(ctx: Context, axes: tuple[int, ...]) -> tuple[int, int, int] | None:
    """(multiple, nearest valid below, nearest valid above) for the input sizes along `axes`, where
    they are equal: exact from --symbolic, else probed by re-traces (SC109, SC112)."""
    base = list(ctx.sample_dims)
    cur = base[axes[0]]
    accepted = accepted_dims(ctx, axes)
    if accepted is not None and len({(d.multiple, d.offset) for d in accepted}) == 1 and accepted[0].multiple > 1:
        d = accepted[0]  # exact, from the symbolic trace's guards
        near = d.nearest(cur)
        below = max((n for n in near if n < cur), default=0)
        above = min((n for n in near if n > cur), default=None)
        if above is not None:
            return d.multiple, below, above

    try:
        return required_multiple(lambda size: ctx.runs_at(with_size(base, axes, size)), cur)
    except (LookupError, TimeoutError):
        return None


_RESHAPING = ("flatten", "view", "layout", "select", "join", "matmul", "attention", "reduce")
_KEEPS_LAYOUT = (
    "ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Hardswish",
    "Hardsigmoid", "Sigmoid", "Tanh", "Softplus", "Identity",
)  # fmt: skip
_CHANNELS_FIRST = ("Conv", "LazyConv", "MaxPool", "AvgPool", "AdaptiveAvgPool", "AdaptiveMaxPool", "BatchNorm")


def from_channels_first_layer(ctx: Context, row) -> bool:
    """The tensor comes from a conv or pool (through activations and other ops that keep the
    layout): its dim 1 is that layer's channels, so a last dim that happens to equal the count
    the next layer wants is a width, and the layer's own channel count is the bug."""
    for up in ctx.trace.upstream(row):
        if up.kind != MODULE:
            if up.attrs.get("category") in _RESHAPING:
                return False
            continue
        if up.type in _KEEPS_LAYOUT or up.type.startswith("Dropout"):
            continue
        return up.type.startswith(_CHANNELS_FIRST)
    return False


def input_code(ctx: Context, dims: tuple[int, ...], index: int = 0) -> str:
    """`--input` for every input of the model, input `index` with new per-sample `dims`: a fix
    that changes one input still names the others (`--input 1x304 --input 1`)."""
    batched = ctx.trace.batch is not None
    specs = ["x".join(map(str, t.shape[1:] if batched else t.shape)) or "1" for t in ctx.trace.inputs]
    specs[index] = "x".join(map(str, dims)) or "scalar"
    kinds = [t.dtype for t in ctx.trace.inputs]
    specs = [s + (f":{kinds[i]}" if i < len(kinds) and kinds[i] != "float32" else "") for i, s in enumerate(specs)]
    return " ".join(f"--input {s}" for s in specs)


def input_multiple_fix(ctx: Context, axes: tuple[int, ...]) -> tuple[int, Fix] | None:
    """(the multiple, the fix) that resizes the input's equal spatial dims to the nearest size
    where the model's two paths line up (SC109's skip concatenation, SC112's skip addition)."""
    found = input_multiple(ctx, axes)
    if found is None:
        return None
    m, down, up = found
    dims = ctx.sample_dims
    new_dims = tuple(up if i in axes else v for i, v in enumerate(dims))
    options = " or ".join(str(s) for s in (down, up) if s > 0)
    return m, Fix(
        description=f"resize or pad the input to a multiple of {m}: the nearest valid sizes are {options}",
        code=input_code(ctx, new_dims),
        kind=FixKind.INPUT,
        safety=SAFE,
        rerun=Rerun(dims=new_dims),
    )


# Losses as modules that compare input and target element by element.
_ELEMENTWISE_LOSSES = frozenset({"MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss"})


def is_elementwise_loss(row) -> bool:
    """A loss that compares input and target element by element (`F.mse_loss`, `nn.BCELoss`):
    when they differ it is the loss's target (SC125), not an elementwise op's broadcast (SC112)."""
    if row.kind == "module":
        return row.type in _ELEMENTWISE_LOSSES
    return (
        row.kind == "op"
        and (row.type.endswith("_loss") or "binary_cross_entropy" in row.type)
        and not row.type.endswith(("nll_loss", "ctc_loss"))
    )


def class_token(ctx: Context, positions: int) -> LayerRecord | None:
    """The join that put a learned token in front of the tokens (`torch.cat([cls, x], dim=1)`
    with `cls` [B, 1, D] made from a parameter), making `positions` of them; None without one."""
    for r in ctx.trace.layers:
        if r.kind != "op" or r.attrs.get("category") != "join" or len(r.inputs) < 2 or not r.outputs:
            continue
        head, out = r.inputs[0], r.outputs[0]
        joined = head.rank == out.rank == 3 and r.dim_argument() % 3 == 1 and out.shape[1] == positions
        if joined and head.shape[1] == 1 and head.from_input is False:
            return r
    return None


def op_dim_fix(src: LayerRecord, dim, description: str) -> Fix:
    """The op `src` (a reduction, a join) called with `dim` instead, written on its own line
    (`x.mean(0)` → `x.mean((2, 3))`, `torch.cat([a, b], dim=0)` → `dim=1`) and re-run so."""
    call = src.type.rsplit(".", 1)[-1]
    source = src.called_at.source if src.called_at else ""
    after = set_argument(source, call, 0 if src.type.startswith("Tensor.") else 1, "dim", dim) if source else None
    return Fix(
        description=description,
        code=after or f"{call}(..., dim={dim})",
        safety=SAFE,
        location=src.called_at if after else None,
        before=source if after else None,
        after=after,
        rerun=Rerun(edits=(Edit("op_args", op_site(src), params=(("dim", dim),)),)),
    )
