"""SC120 softmax-dim.

What it does: finds a softmax (`F.softmax`, `Tensor.softmax`, `log_softmax`, `nn.Softmax`,
`nn.LogSoftmax`) taken over a dim that cannot be the one meant: the batch dim (its size
follows the batch, measured by tracing at two batch sizes), or a dim of size 1 that no input
size changes.

Why is this bad? Nothing fails. Over the batch, each class score is divided by the same
class's scores in the other samples: predictions depend on what else is in the batch, and
change with the batch size. Over a dim of size 1, every output is exactly 1 (0 for
log_softmax): the loss has no gradient through it.

Example:
    probs = F.softmax(logits, dim=0)     # logits is [batch, classes]

Use instead:
    probs = F.softmax(logits, dim=1)     # over the classes of each sample

Fix safety: safe: no parameter changes. Offered and verified (traced again) only when one
other dim is left to normalise over.
"""

from __future__ import annotations

from ...trace.records import LayerRecord
from ..context import Context, op_site
from ..findings import SAFE, WARNING, Finding, Fix
from ..numbers import set_argument, shape
from ..provenance import BATCH, provenance
from ..registry import rule
from ..requests import Edit, Rerun
from .common import ref

_OPS = ("torch.softmax", "Tensor.softmax", "F.softmax", "torch.log_softmax", "Tensor.log_softmax", "F.log_softmax")
_MODULES = ("Softmax", "LogSoftmax", "Softmin")


def softmax_dim(row: LayerRecord) -> int | None:
    """The dim a softmax row normalises over, counted from 0; None when not given (PyTorch then
    picks one and warns) or not readable."""
    if not row.inputs:
        return None
    if row.kind == "module":
        dim = row.attrs.get("dim") if row.type in _MODULES else None
    elif row.type in _OPS:
        dim = row.attrs.get("dim")
        args = row.attrs.get("args", [])
        if dim is None and len(args) > 1 and isinstance(args[1], int) and not isinstance(args[1], bool):
            dim = args[1]
    else:
        return None
    rank = row.inputs[0].rank
    if not isinstance(dim, int) or isinstance(dim, bool) or not -rank <= dim < rank or rank == 0:
        return None
    return dim % rank


@rule("SC120", WARNING)
def check(ctx: Context) -> list[Finding]:
    findings = []
    rows: list[tuple[LayerRecord, int]] = []
    for row in ctx.trace.layers:
        dim = softmax_dim(row)
        if dim is not None and not row.failed:
            rows.append((row, dim))
    prov = provenance(ctx) if rows else None
    for row, dim in rows:
        follows = prov.dims(row, "inputs") if prov is not None else None
        finding = _over_batch(ctx, row, dim, follows) or _over_one(ctx, row, dim, follows)
        if finding is not None:
            findings.append(finding)
    return findings


def _over_batch(ctx: Context, row: LayerRecord, dim: int, follows) -> Finding | None:
    if follows is None or follows[dim] != {BATCH}:
        return None
    size = row.inputs[0].shape[dim]
    why = [
        f"dim {dim} of {shape(row.inputs[0].shape)} follows the batch size ({size} here; "
        "it changes when the batch does)",
        "so each value is divided by the values at the same position in the other samples: the "
        "result depends on what else is in the batch",
    ]
    return _finding(ctx, row, dim, follows, f"{ref(row)} normalises over the batch dim (dim {dim})", why)


def _over_one(ctx: Context, row: LayerRecord, dim: int, follows) -> Finding | None:
    size = row.inputs[0].shape[dim]
    if size != 1:
        return None
    if follows is None:
        if dim == 0 and ctx.trace.batch == 1:  # may be the batch dim at batch 1: not known
            return None
    elif follows[dim]:
        return None  # a size that changes with some input: 1 only at this input
    log = "log" in row.type.lower()
    value = "0" if log else "1"
    why = [
        f"dim {dim} of {shape(row.inputs[0].shape)} has size 1 at every input size",
        f"a softmax over one value is {value} everywhere: the output carries no information "
        "and no gradient flows through it",
    ]
    return _finding(ctx, row, dim, follows, f"{ref(row)} normalises over a dim of size 1 (dim {dim})", why)


def _finding(ctx: Context, row: LayerRecord, dim: int, follows, message: str, why: list[str]) -> Finding:
    fixes = []
    target = _other_dim(row, dim, follows)
    if target is not None:
        fixes.append(_fix(row, target, follows))
    return ctx.finding(
        layer=row.name,
        message=message,
        location=row.location,
        row=row.index,
        why=why,
        fixes=fixes,
    )


def _other_dim(row: LayerRecord, dim: int, follows) -> int | None:
    """The one dim left to normalise over: not the batch, not of size 1."""
    shape_ = row.inputs[0].shape
    left = [
        d
        for d, size in enumerate(shape_)
        if d != dim and size != 1 and (follows is None or BATCH not in follows[d]) and not (follows is None and d == 0)
    ]
    return left[0] if len(left) == 1 else None


def _fix(row: LayerRecord, target: int, follows) -> Fix:
    """`dim=target` where the user wrote the dim: the module's constructor line, or the call."""
    if row.kind == "module":
        site, call, position = row.defined_at, row.type, 0
        fallback = f"nn.{row.type}(dim={target})"
        edit = Edit("set_attrs", row.name, params=(("dim", target),))
    else:
        site, call = row.called_at, row.type.split(".")[-1]
        position = 0 if row.type.startswith("Tensor.") else 1
        fallback = f"{row.type}(x, dim={target})"
        edit = Edit("op_args", op_site(row), params=(("dim", target),))
    source = site.source if site else ""
    after = set_argument(source, call, position, "dim", target) if source else None
    return Fix(
        description=f"normalise over dim {target}, the only dim that is neither the batch nor of size 1",
        code=after or fallback,
        safety=SAFE,
        location=site if after else None,
        before=source if after else None,
        after=after,
        rerun=Rerun(edits=(edit,)),
    )
