"""SC118 embedding-input.

What it does: finds an `nn.Embedding` (or `F.embedding`) that receives a tensor of floats
instead of integer indices: a dummy `--input` without `:long`, or token ids that went through
a float op (a division, a `.float()`, a normalization) on their way.

Why is this bad? The lookup fails: `Expected tensor for argument #1 'indices' to have one of the
following scalar types: Long, Int; but got torch.FloatTensor instead`.

Example:
    shapecheck model.py:TextNet --input 128          # float32 dummy tokens

Use instead:
    shapecheck model.py:TextNet --input 128:long

Fix safety: safe: only the input's dtype changes. Dummy integer inputs are zeros and ones on
the real engine, below any `num_embeddings`.
"""

from __future__ import annotations

from ...trace.records import MODULE
from ..context import Context
from ..findings import ERROR, SAFE, Finding, Fix, FixKind, Label
from ..numbers import module_call_argument, shape
from ..registry import rule
from ..requests import Rerun
from .common import ref, rewrite_call

_INTEGER = ("int64", "int32", "int16", "int8", "uint8")


@rule("SC118", ERROR, intent=True)
def check(ctx: Context) -> list[Finding]:
    findings = []
    for row in ctx.trace.layers:
        if not row.failed or not row.inputs:
            continue
        if not ((row.kind == MODULE and row.type == "Embedding") or row.type == "F.embedding"):
            continue
        t = row.inputs[0]
        if t.dtype in _INTEGER:
            continue
        findings.append(_finding(ctx, row, t))
    return findings


def _finding(ctx: Context, row, t) -> Finding:
    trace = ctx.trace
    n = row.attrs.get("num_embeddings")
    why = [
        f"{ref(row)} looks up rows of its table by index: it needs int64 (or int32) indices"
        + (f" below num_embeddings={n}" if n else ""),
        f"it receives {t.dtype} {shape(t.shape)}",
    ]
    fixes, labels = [], []
    if trace.is_model_input(t) and any(i.tid == t.tid and i.dtype == t.dtype for i in trace.inputs):
        labels.append(Label("input", f"the model input is {t.dtype} {shape(t.shape)}"))
        dims = tuple(t.shape[1:] if trace.batch is not None else t.shape)
        spec = "x".join(map(str, dims)) + ":long"
        fixes.append(
            Fix(
                description="give the model token ids: an int64 input",
                code=f"--input {spec}",
                kind=FixKind.INPUT,
                safety=SAFE,
                rerun=Rerun(dtype="int64"),
            )
        )
    else:
        src = trace.row(t.source)
        if src is not None:
            labels.append(Label(src.name, f"{ref(src)} returns {t.dtype}", src.location))
        source = row.called_at.source if row.called_at else ""
        var = module_call_argument(source, row.name) or "x"
        after = rewrite_call(source, row.name.rsplit(".", 1)[-1], var, f"{var}.long()")
        fixes.append(
            Fix(
                description="convert the indices to int64 where they reach the lookup",
                code=after or f"{var} = {var}.long()",
                safety=SAFE,
                location=row.called_at,
                before=source if after else None,
                after=after,
            )
        )
    return Finding(
        code="SC118",
        severity=ERROR,
        layer=row.name,
        message=f"{ref(row)} receives {t.dtype} values where it needs integer indices",
        location=row.called_at or row.location,
        row=row.index,
        why=why,
        labels=labels,
        notes=[
            "PyTorch reports: Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got torch.{_tensor_type(t.dtype)} instead (while checking arguments for "
            "embedding)"
        ],
        fixes=fixes,
    )


def _tensor_type(dtype: str) -> str:
    return {
        "float32": "FloatTensor",
        "float64": "DoubleTensor",
        "float16": "HalfTensor",
        "bfloat16": "BFloat16Tensor",
        "bool": "BoolTensor",
    }.get(dtype, "FloatTensor")
