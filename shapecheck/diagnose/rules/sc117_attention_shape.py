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

from ..context import Context
from ..findings import ERROR, SAFE, UNSAFE, Finding, Fix, Label
from ..numbers import shape
from ..registry import rule
from ..roles import ATTENTION_TYPES, layer_owner
from .common import argument_fix, constructor_line, producer_size_fix, ref
from ...trace.records import MODULE, Edit

def _arg(row, index: int, name: str):
    for t in row.inputs:
        if t.key in (f"[{index}]", f"{name}="):
            return t
    return None


@rule("SC117", ERROR, intent=True)
def check(ctx: Context) -> list[Finding]:
    findings = []
    for row in ctx.trace.layers:
        if row.kind != MODULE or row.type not in ATTENTION_TYPES or not row.failed:
            continue
        finding = _check_row(ctx, row)
        if finding is not None:
            findings.append(finding)
    return findings


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
            return _plain(row, f"{ref(row)} expects {what} features of {want} ({attr}) but receives {t.shape[-1]}",
                          [f"the {what} is {shape(t.shape)}; {ref(row)} was built with {attr}={want}"],
                          [f"build it with {attr}={t.shape[-1]} (keys and values may differ from embed_dim), or "
                           f"project the {what} to {want} features"], UNSAFE)
    return _mask_finding(row, query, key, embed, heads)


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
    if owner is row:
        if isinstance(heads, int) and got % heads == 0:
            params = (("embed_dim", got), ("num_heads", heads), ("batch_first", bool(row.attrs.get("batch_first"))))
            fixes.append(argument_fix(row, "MultiheadAttention", 0, "embed_dim", got,
                              f"set embed_dim={got} on {ref(row)} ({got} = {heads}·{got // heads} heads)",
                              Edit("replace", row.name, "MultiheadAttention", params)))
        elif isinstance(heads, int):
            why.append(f"embed_dim={got} would not divide into {heads} heads ({got} = {heads}·{got // heads} + "
                       f"{got % heads}), so it is not offered")
    elif isinstance(heads, int) and got % heads == 0:
        cls, loc = constructor_line(owner)
        # Every sublayer's size changes with d_model: a change of code, not checked here.
        fixes.append(argument_fix(owner, cls, 0, "d_model", got,
                                  f"build the layers of {ref(owner)} with d_model={got} "
                                  f"({got} = {heads}·{got // heads} heads)", None, location=loc))
    if src is not None:
        resize = producer_size_fix(src, got, embed, f"set {{attr}}={embed} on {ref(src)}, so it makes the {embed} "
                                                    f"features {ref(owner)} is built for")
        if resize is not None:
            fixes.append(resize)
    return Finding(
        code="SC117", severity=ERROR, layer=row.name,
        message=f"{ref(row)} expects embed_dim {embed} but the query has {got} features",
        location=row.called_at or row.location or owner.location, row=row.index, why=why, labels=labels,
        notes=[f"PyTorch reports: was expecting embedding dimension of {embed}, but got {got}"], fixes=fixes,
    )


def _mask_finding(row, query, key, embed: int, heads) -> Finding | None:
    batch_first = bool(row.attrs.get("batch_first"))
    key = key or query
    if query.rank != 3 or key.rank != 3:
        return None
    n = query.shape[0 if batch_first else 1]
    length = query.shape[1 if batch_first else 0]
    source = key.shape[1 if batch_first else 0]
    padding = _arg(row, 99, "key_padding_mask")
    if padding is not None and tuple(padding.shape) != (n, source):
        hint = " (it is transposed)" if tuple(padding.shape) == (source, n) else ""
        return _plain(row, f"`key_padding_mask` of {ref(row)} is {shape(padding.shape)} but must be [N, S] = "
                           f"{shape((n, source))}{hint}",
                      [f"N = {n} sequences and S = {source} key positions, read from the key {shape(key.shape)} "
                       f"with batch_first={batch_first}"],
                      [f"pass a mask of shape {shape((n, source))}" + (": `key_padding_mask.T`" if hint else "")])
    mask = _arg(row, 99, "attn_mask")
    if mask is not None and isinstance(heads, int):
        allowed = [(length, source), (n * heads, length, source)]
        if tuple(mask.shape) not in allowed:
            return _plain(row, f"`attn_mask` of {ref(row)} is {shape(mask.shape)} but must be [L, S] = "
                               f"{shape(allowed[0])} or [N·num_heads, L, S] = {shape(allowed[1])}",
                          [f"L = {length} query positions, S = {source} key positions, N = {n}, num_heads = {heads}"],
                          [f"build the mask as {shape(allowed[0])} for every sequence alike"])
    return None


def _plain(row, message: str, why: list[str], fixes: list[str], safety: str = SAFE) -> Finding:
    return Finding(code="SC117", severity=ERROR, layer=row.name, message=message,
                   location=row.called_at or row.location, row=row.index, why=why,
                   fixes=[Fix(description=f, safety=safety,
                              check_note="not checked: a change of code shapecheck cannot apply") for f in fixes])

