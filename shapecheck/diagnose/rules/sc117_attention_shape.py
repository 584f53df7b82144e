"""SC117 attention-shape.

What it does: checks what reaches a failing `nn.MultiheadAttention` (also the one inside each
`nn.TransformerEncoderLayer`/`DecoderLayer`): the query's last dim against `embed_dim`, key
and value against `kdim`/`vdim`, `key_padding_mask` against `[N, S]` and `attn_mask` against
`[L, S]` or `[N·num_heads, L, S]`. It names the layer that made the wrong size.

Why is this bad? The forward pass fails with `was expecting embedding dimension of 512, but got
256`, or a mask error, far from the line that chose the size.

Example:
    self.embed = nn.Embedding(vocab, 256)
    layer = nn.TransformerEncoderLayer(d_model=512, nhead=8)

Use instead:
    layer = nn.TransformerEncoderLayer(d_model=256, nhead=8)

Fix safety: unsafe: `embed_dim`/`d_model`/`embedding_dim` change the weights' shapes. `embed_dim`
must stay divisible by `num_heads`; a fix that breaks that is not offered.
"""

from __future__ import annotations

from ...trace.records import MODULE, Construction
from ..context import Context, op_site
from ..findings import ERROR, SAFE, UNSAFE, Finding, Fix, FixKind, Label, Safety, line_fix
from ..numbers import char_span, parsed_line, set_argument, shape
from ..registry import rule
from ..requests import Edit, Rerun
from ..roles import ATTENTION_TYPES, layer_owner
from .common import argument_fix, constructor_line, producer_size_fix, ref
from .construction import divisor_above, divisor_below, refused, sized_fix


def _arg(row, index: int, name: str):
    for t in row.inputs:
        if t.key in (f"[{index}]", f"{name}="):
            return t
    return None


# Where an encoder's masks sit: (source, attn_mask, key_padding_mask) as (position, keyword).
_ENCODER_ARGS = {
    "TransformerEncoder": ((0, "src"), (1, "mask"), (2, "src_key_padding_mask")),
    "TransformerEncoderLayer": ((0, "src"), (1, "src_mask"), (2, "src_key_padding_mask")),
}


@rule("SC117", ERROR, intent=True)
def check(ctx: Context) -> list[Finding]:
    if ctx.trace.construction is not None:
        return _heads_refused(ctx.trace.construction, ctx.trace.error)
    findings = []
    for row in ctx.trace.layers:
        finding = _module_finding(ctx, row) if row.kind == MODULE and row.failed else None
        if finding is not None:
            findings.append(finding)
    sdpa = _sdpa_mask(ctx)
    if sdpa is not None:
        findings.append(sdpa)
    return findings


def _module_finding(ctx: Context, row) -> Finding | None:
    """A failed attention layer (its encoder's masks first), or a failed encoder whose masks fail
    before any layer inside it runs."""
    if row.type in ATTENTION_TYPES:
        return _attention_finding(ctx, row)
    if row.type in _ENCODER_ARGS and not _failed_inside(ctx, row):
        return _encoder_masks(ctx, row)
    return None


def _attention_finding(ctx: Context, row) -> Finding | None:
    """Masks given to an encoder, reported where the user passed them; else the layer's own shapes."""
    owner = layer_owner(ctx.trace, row)
    finding = _encoder_masks(ctx, owner) if owner.type in _ENCODER_ARGS else None
    if finding is not None:
        finding.row = row.index  # the row that failed, so SC100 does not explain it again
    return finding or _check_row(ctx, row)


def _sdpa_mask(ctx: Context) -> Finding | None:
    """`F.scaled_dot_product_attention(q, k, v, attn_mask=mask)` with a mask that does not
    broadcast to the scores [B, H, L, S]: a padding mask [B, S] (or a mask per sample [B, L, S])
    lacks the heads' and queries' dims, which broadcasting would take from the right, so it gets
    them as size-1 dims where they belong (`mask[:, None, None, :]`), checked by tracing again."""
    from ..layers import broadcast_mismatch

    row = ctx.trace.failing
    operands = _sdpa_operands(row) if row is not None else None
    if row is None or operands is None:
        return None
    q, k, mask = operands
    scores = (*q.shape[:-1], k.shape[-2])
    if broadcast_mismatch(mask.shape, scores) is None:
        return None
    reading = _mask_reading(tuple(mask.shape), q, k)
    if reading is None:
        return None
    insert, missing, what = reading
    batch = q.shape[0]
    source = row.called_at.source if row.called_at is not None else ""
    after = _mask_line(source, insert)
    steps = tuple(("unsqueeze", (d,)) for d in missing)
    edit = Edit("arg_method", op_site(row), params=(("index", "attn_mask"), ("method", "chain"), ("args", steps)))
    moved = (batch, *([1] * (len(scores) - mask.rank)), *mask.shape[1:])
    fix = line_fix(
        f"give the mask the heads' dim{'s' if len(missing) > 1 else ''} it lacks: {shape(mask.shape)} → "
        f"{shape(moved)}, which broadcasts over the scores {shape(scores)}",
        row.called_at,
        source,
        after,
        f"attn_mask=mask{insert}",
        Rerun(edits=(edit,)),
    )
    return Finding(
        code="SC117",
        severity=ERROR,
        layer=row.name,
        message=f"`attn_mask` of {ref(row)} is {shape(mask.shape)}, {what}; the scores are {shape(scores)}",
        location=row.location,
        row=row.index,
        why=[
            f"the mask must broadcast to the scores [B, H, L, S] = {shape(scores)}; from the right, "
            f"{shape(mask.shape)} meets their last {mask.rank} dims"
        ],
        fixes=[fix],
    )


def _sdpa_operands(row) -> tuple | None:
    """(query, key, attn_mask) of a failing `scaled_dot_product_attention` call given a mask."""
    if row.kind == MODULE or not row.type.endswith("scaled_dot_product_attention"):
        return None
    q, k, mask = _arg(row, 0, "query"), _arg(row, 1, "key"), _arg(row, 3, "attn_mask")
    if q is None or k is None or mask is None or q.rank < 3:
        return None
    return q, k, mask


def _mask_reading(mask: tuple, q, k) -> tuple[str, tuple[int, ...], str] | None:
    """(the indexing that gives the mask its missing dims, where they go, what the mask is) for a
    padding mask [B, S] or a mask per sample [B, L, S]; None for any other mask."""
    batch, length, keys = q.shape[0], q.shape[-2], k.shape[-2]
    if mask == (batch, keys):
        return "[:, None, None, :]", (1, 1), "a padding mask per sample, [B, S]"
    if mask == (batch, length, keys) and q.rank == 4:
        return "[:, None]", (1,), "a mask per sample, [B, L, S]"
    return None


def _mask_line(source: str, insert: str) -> str | None:
    """The call's line with `insert` after its `attn_mask=` argument (in parentheses unless it is
    a name, an attribute, a call or a subscript); None where the line does not have it."""
    import ast

    parsed = parsed_line(source)
    if parsed is None:
        return None
    written = next(
        (
            ast.get_source_segment(parsed[1], kw.value)
            for call in ast.walk(parsed[2])
            if isinstance(call, ast.Call)
            for kw in call.keywords
            if kw.arg == "attn_mask"
        ),
        None,
    )
    if not written:
        return None
    plain = isinstance(ast.parse(written, mode="eval").body, (ast.Name, ast.Attribute, ast.Call, ast.Subscript))
    text = written if plain else f"({written})"
    line = parsed[1].replace(f"attn_mask={written}", f"attn_mask={text}{insert}", 1)
    return parsed[0] + line if line != parsed[1] else None


def _failed_inside(ctx: Context, row) -> bool:
    """Whether a layer inside `row` failed (that layer's own finding explains it)."""
    return any(r.failed and r is not row and row in ctx.trace.ancestors(r) for r in ctx.trace.layers)


def _encoder_masks(ctx: Context, row) -> Finding | None:
    """A TransformerEncoder checks its masks before any sublayer runs ("Mask size should match
    input size"): read them against its input like MultiheadAttention's."""
    src_at, mask_at, pad_at = _ENCODER_ARGS[row.type]
    src = _arg(row, *src_at)
    if src is None or src.rank != 3:
        return None
    heads = next(
        (
            r.attrs.get("num_heads")
            for r in ctx.trace.layers
            if r.type in ATTENTION_TYPES and row in ctx.trace.ancestors(r)
        ),
        None,
    )
    first = bool(row.attrs.get("batch_first"))
    return _masks(
        ctx,
        row,
        src,
        src,
        heads,
        first,
        _arg(row, *pad_at),
        _arg(row, *mask_at),
        pad_name=pad_at[1],
        mask_name=mask_at[1],
    )


def _check_row(ctx: Context, row) -> Finding | None:
    a = row.attrs
    embed, heads = a.get("embed_dim"), a.get("num_heads")
    query, key, value = _arg(row, 0, "query"), _arg(row, 1, "key"), _arg(row, 2, "value")
    if not isinstance(embed, int) or query is None:
        return None
    if query.shape and query.shape[-1] != embed:
        return _embed_finding(ctx, row, query, embed, heads)
    for t, attr, what in ((key, "kdim", "key"), (value, "vdim", "value")):
        want = a.get(attr) or embed
        if t is not None and t.shape and t.shape[-1] != want:
            return _memory_finding(row, key, value, embed, heads, t, attr, what, want)
    return _mask_finding(ctx, row, query, key, embed, heads)


def _memory_finding(row, key, value, embed: int, heads, t, attr: str, what: str, want: int) -> Finding:
    """Keys or values with other features than the query (cross-attention): kdim/vdim."""
    a = row.attrs
    built = f"{attr}={want}" if a.get(attr) not in (None, embed) else f"{attr} unset, so it is embed_dim={embed}"
    finding = _plain(
        row,
        f"{ref(row)} expects {what} features of {want} ({attr}) but receives {t.shape[-1]}",
        [f"the {what} is {shape(t.shape)}; {ref(row)} was built with {built}"],
        [f"or project the {what} to {want} features before {ref(row)}"],
        UNSAFE,
    )
    sizes = {
        "kdim": key.shape[-1] if key is not None else embed,
        "vdim": value.shape[-1] if value is not None else embed,
    }
    params = (
        ("embed_dim", embed),
        ("num_heads", heads),
        ("batch_first", bool(a.get("batch_first"))),
        ("kdim", sizes["kdim"]),
        ("vdim", sizes["vdim"]),
    )
    changed = [name for name in ("kdim", "vdim") if sizes[name] != (a.get(name) or embed)]
    fix = argument_fix(
        row,
        "MultiheadAttention",
        None,
        changed[0],
        sizes[changed[0]],
        f"build {ref(row)} with "
        + ", ".join(f"{n}={sizes[n]}" for n in changed)
        + " (keys and values may have other features than the query)",
        Edit("replace", row.name, "MultiheadAttention", params),
    )
    if len(changed) > 1 and fix.after:
        fix.after = set_argument(fix.after, "MultiheadAttention", None, changed[1], sizes[changed[1]]) or fix.after
        fix.code = fix.after
    finding.fixes.insert(0, fix)
    return finding


def _embed_finding(ctx: Context, row, query, embed: int, heads) -> Finding:
    trace = ctx.trace
    got = query.shape[-1]
    owner = layer_owner(trace, row)
    src = trace.row(query.source)
    labels, fixes = [], []
    why = [f"{ref(row)} was built with embed_dim={embed}; the query {shape(query.shape)} has {got} features"]
    if owner is not row:
        why.append(f"{ref(row)} belongs to {ref(owner)}, whose d_model is {embed}")
    if src is not None:
        made = src.attrs.get("embedding_dim") or src.attrs.get("out_features")
        labels.append(Label(src.name, f"{ref(src)} makes {made if made == got else got} features", src.location))
    moved = _features_moved_fix(row, query, src, embed)
    if moved is not None:
        fixes.append(moved)
        why.append(
            f"the query's dim 1 holds {embed}, the features {ref(row)} is built for, and its last dim the {got} "
            "positions: the dims are swapped, and a layer built for the positions would fit one input size only"
        )
    width = _width_fix(row, owner, got, heads, why)
    if width is not None:
        fixes.append(width)
    if src is not None:
        resize = producer_size_fix(
            src,
            got,
            embed,
            f"set {{attr}}={embed} on {ref(src)}, so it makes the {embed} features {ref(owner)} is built for",
        )
        if resize is not None:
            fixes.append(resize)
    return Finding(
        code="SC117",
        severity=ERROR,
        layer=row.name,
        message=f"{ref(row)} expects embed_dim {embed} but the query has {got} features",
        location=row.called_at or row.location or owner.location,
        row=row.index,
        why=why,
        labels=labels,
        notes=[f"PyTorch reports: was expecting embedding dimension of {embed}, but got {got}"],
        fixes=fixes,
    )


def _width_fix(row, owner, got: int, heads, why: list[str]) -> Fix | None:
    """The layer built for the query's width where it splits into the heads: the attention layer
    itself, or the layer that owns it; where it does not split, why not (on the layer itself)."""
    if not isinstance(heads, int):
        return None
    if got % heads == 0:
        return _embed_dim_fix(row, got, heads) if owner is row else _d_model_fix(owner, got, heads)
    if owner is row:
        why.append(
            f"embed_dim={got} would not divide into {heads} heads ({got} = {heads}·{got // heads} + "
            f"{got % heads}), so it is not offered"
        )
    return None


def _embed_dim_fix(row, got: int, heads: int) -> Fix:
    """The attention layer built for the query's width, checked by rebuilding it."""
    params = (("embed_dim", got), ("num_heads", heads), ("batch_first", bool(row.attrs.get("batch_first"))))
    return argument_fix(
        row,
        "MultiheadAttention",
        0,
        "embed_dim",
        got,
        f"set embed_dim={got} on {ref(row)} ({got} = {heads}·{got // heads} heads)",
        Edit("replace", row.name, "MultiheadAttention", params),
    )


def _d_model_fix(owner, got: int, heads: int) -> Fix:
    """The layer that owns the attention built with d_model of the query's width. Every
    sublayer's size changes with d_model: a change of code, not checked here."""
    cls, loc = constructor_line(owner)
    return argument_fix(
        owner,
        cls,
        0,
        "d_model",
        got,
        f"build the layers of {ref(owner)} with d_model={got} ({got} = {heads}·{got // heads} heads)",
        None,
        location=loc,
    )


def _features_moved_fix(row, query, src, embed: int) -> Fix | None:
    """A batch-first layer given [B, C, L] (`x.view(b, c, -1)` of a feature map, a conv's output)
    whose dim 1 is its embed_dim: the features are in dim 1 and the positions last. The line that
    made the query, `t = h.view(b, c, -1)`, gets `.transpose(1, 2)`: [B, L, C] for any L. Checked
    as written (the line is traced again)."""
    if not row.attrs.get("batch_first") or query.rank != 3 or query.shape[1] != embed or query.shape[2] == embed:
        return None
    at = src.called_at if src is not None and src.kind == "op" else None
    if at is None:
        return None
    after = _transposed_assignment(at.source)
    if after is None:
        return None
    return Fix(
        description=f"move the features last before {ref(row)}: {shape(query.shape)} → "
        f"{shape((query.shape[0], query.shape[2], query.shape[1]))}, one token per position",
        code=after,
        safety=SAFE,
        location=at,
        before=at.source,
        after=after,
    )


def _transposed_assignment(source: str) -> str | None:
    """`t = <value>` written as `t = <value>.transpose(1, 2)`; None for any other line."""
    import ast

    parsed = parsed_line(source)
    if parsed is None:
        return None
    indent, text, tree = parsed
    body = tree.body[0] if len(tree.body) == 1 else None
    if not isinstance(body, ast.Assign) or len(body.targets) != 1 or not isinstance(body.targets[0], ast.Name):
        return None
    value = ast.get_source_segment(text, body.value)
    if value is None or not text.rstrip().endswith(value):
        return None
    if not isinstance(body.value, (ast.Call, ast.Name, ast.Attribute, ast.Subscript)):
        value = f"({value})"
    return f"{indent}{body.targets[0].id} = {value}.transpose(1, 2)"


def _input_fix(ctx: Context, mask, want: tuple[int, ...]) -> list[Fix]:
    """When the mask is a model input given by --input, the fix is in --input: verified by a rerun."""
    trace = ctx.trace
    index = next((i for i, t in enumerate(trace.inputs) if t.tid == mask.tid), None)
    if index is None or index == 0 or not trace.is_model_input(mask):
        return []
    given = trace.inputs[index]
    dims = want[1:] if trace.batch is not None else want
    if trace.batch is not None and want[0] != trace.batch:
        return []
    name = f"{given.key}=" if given.key and given.key.isidentifier() else ""
    dtype = "" if given.dtype == "float32" else f":{given.dtype}"
    flag = f"--input {name}{'x'.join(map(str, dims))}{dtype}"
    return [
        Fix(
            description=f"if the mask comes straight from your data, give it as {flag}",
            code=flag,
            kind=FixKind.INPUT,
            safety=SAFE,
            rerun=Rerun(other_dims=((index, tuple(dims)),)),
        )
    ]


def _mask_finding(ctx: Context, row, query, key, embed: int, heads) -> Finding | None:
    key = key or query
    if query.rank != 3 or key.rank != 3:
        return None
    return _masks(
        ctx,
        row,
        query,
        key,
        heads,
        bool(row.attrs.get("batch_first")),
        _arg(row, 99, "key_padding_mask"),
        _arg(row, 99, "attn_mask"),
    )


def _masks(
    ctx: Context,
    row,
    query,
    key,
    heads,
    batch_first: bool,
    padding,
    mask,
    pad_name: str = "key_padding_mask",
    mask_name: str = "attn_mask",
) -> Finding | None:
    n = query.shape[0 if batch_first else 1]
    length = query.shape[1 if batch_first else 0]
    source = key.shape[1 if batch_first else 0]
    if padding is not None and tuple(padding.shape) != (n, source):
        return _padding_finding(ctx, row, key, padding, (n, source), batch_first, pad_name)
    if mask is not None and isinstance(heads, int):
        return _attn_mask_finding(ctx, row, mask, (n, length, source), heads, mask_name)
    return None


def _padding_finding(
    ctx: Context, row, key, padding, want: tuple[int, int], batch_first: bool, pad_name: str
) -> Finding:
    """A key padding mask that is not [N, S] (transposed, or for other sizes)."""
    n, source = want
    hint = " (it is transposed)" if tuple(padding.shape) == (source, n) else ""
    found = _plain(
        row,
        f"`{pad_name}` of {ref(row)} is {shape(padding.shape)} but must be [N, S] = {shape((n, source))}{hint}",
        [
            f"N = {n} sequences and S = {source} key positions, read from the key {shape(key.shape)} "
            f"with batch_first={batch_first}"
        ],
        [f"pass a mask of shape {shape((n, source))}" + (f": `{pad_name}.T`" if hint else "")],
    )
    found.fixes[:0] = _input_fix(ctx, padding, (n, source))
    if hint:
        found.fixes[:0] = _keyword_fix(
            row, pad_name, _untransposed, f"pass `{pad_name}` as [N, S] = {shape((n, source))}"
        )
    return found


def _attn_mask_finding(
    ctx: Context, row, mask, sizes: tuple[int, int, int], heads: int, mask_name: str
) -> Finding | None:
    """An attention mask that is neither [L, S] nor [N·num_heads, L, S]; a mask per sequence
    [N, L, S] is repeated for the heads."""
    n, length, source = sizes
    allowed = [(length, source), (n * heads, length, source)]
    if tuple(mask.shape) in allowed:
        return None
    found = _plain(
        row,
        f"`{mask_name}` of {ref(row)} is {shape(mask.shape)} but must be [L, S] = "
        f"{shape(allowed[0])} or [N·num_heads, L, S] = {shape(allowed[1])}",
        [f"L = {length} query positions, S = {source} key positions, N = {n}, num_heads = {heads}"],
        [f"build the mask as {shape(allowed[0])} for every sequence alike"],
    )
    if ctx.trace.batch is None:
        found.fixes[:0] = _input_fix(ctx, mask, allowed[0])
    if tuple(mask.shape) == (n, length, source) and heads > 1:
        found.fixes[:0] = _keyword_fix(
            row,
            mask_name,
            lambda text: f"{text}.repeat_interleave({heads}, dim=0)",
            f"keep a mask per sequence: repeat each one for the {heads} heads, [N·num_heads, L, S] = "
            f"{shape(allowed[1])}",
        )
    return found


_TRANSPOSES = (".t()", ".T", ".transpose(0, 1)", ".transpose(1, 0)", ".mT")


def _untransposed(text: str) -> str:
    """The mask's text without the transpose it ends in, or with one."""
    for suffix in _TRANSPOSES:
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return f"{text}.T"


def _keyword_fix(row, keyword: str, change, description: str) -> list[Fix]:
    """The call's `keyword=` argument rewritten by `change` on the user's line (checked as
    written); nothing when the line does not pass it by that keyword once."""
    import ast

    where = row.called_at
    parsed = parsed_line(where.source) if where is not None and where.source else None
    if where is None or parsed is None:
        return []
    indent, text, tree = parsed
    values = [k.value for n in ast.walk(tree) if isinstance(n, ast.Call) for k in n.keywords if k.arg == keyword]
    span = char_span(text, values[0]) if len(values) == 1 else None
    if span is None:
        return []
    new = change(text[span[0] : span[1]])
    return [line_fix(description, where, where.source, indent + text[: span[0]] + new + text[span[1] :], new)]


def _plain(row, message: str, why: list[str], fixes: list[str], safety: Safety = SAFE) -> Finding:
    return Finding(
        code="SC117",
        severity=ERROR,
        layer=row.name,
        message=message,
        location=row.called_at or row.location,
        row=row.index,
        why=why,
        fixes=[
            Fix(description=f, safety=safety, check_note="not checked: a change of code shapecheck cannot apply")
            for f in fixes
        ],
    )


def _heads_refused(built: Construction, error) -> list[Finding]:
    """An attention layer that refused to be built: `embed_dim` does not split into `num_heads`.
    Fixes: the nearest head counts that divide it (the width stays), then the nearest widths the
    heads divide, each written where the size was."""
    embed, heads = built.argument("embed_dim"), built.argument("num_heads")
    if embed is None or not heads or embed % heads == 0:
        return []
    fixes = []
    for value in dict.fromkeys(v for v in (divisor_below(embed, heads), divisor_above(embed, heads)) if v):
        what = f"num_heads={value}: {embed} = {value}·{embed // value}"
        fixes.append(sized_fix(built, "num_heads", 1, value, what))
    for value in dict.fromkeys(v for v in (embed - embed % heads, embed - embed % heads + heads) if v > 0):
        fixes.append(sized_fix(built, "embed_dim", 0, value, f"embed_dim={value} = {heads}·{value // heads}", UNSAFE))
    built_as = f"`{built.layer}(embed_dim={embed}, num_heads={heads})`"
    message = f"{built_as} cannot be built: {embed} does not split into {heads} heads"
    why = f"{embed} = {heads}·{embed // heads} + {embed % heads}: each head takes embed_dim / num_heads features"
    return [refused("SC117", built, error, message, why, [f for f in fixes if f is not None])]
