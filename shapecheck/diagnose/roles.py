"""Dim roles: which dim of a recorded tensor is the batch, and which one a layer expects it in.

The batch dim is measured, not assumed: the model is traced again at another batch size (on
meta, free) and the dim whose size follows the batch is the batch dim. Each layer's convention
says where the batch, channels, time and features should be (`Conv*`: `[N, C, *]`; RNNs:
`[T, N, F]`, or `[N, T, F]` with `batch_first`; attention: `[L, N, E]` or `[N, L, E]`;
`Linear`: `[..., F]`). Rules reason from the two, not from positions alone.
"""

from __future__ import annotations

from ..trace.records import LayerRecord, TensorInfo, Trace
from .context import Context
from .layers import CONV_MODULE, NORM_MODULE
from .provenance import rerun_any
from .requests import Rerun

RNN_TYPES = ("RNN", "LSTM", "GRU")
ATTENTION_TYPES = ("MultiheadAttention",)
TRANSFORMER_TYPES = (
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerDecoder",
    "Transformer",
)


def channel_attr(row: LayerRecord) -> str | None:
    """The attribute holding the channel count a layer reads from dim 1: `in_channels` for a
    Conv2d, `num_features` for a BatchNorm1d or InstanceNorm2d; None for other layers."""
    if row.kind != "module":
        return None
    if CONV_MODULE.match(row.type):
        return "in_channels"
    if NORM_MODULE.match(row.type) or row.type.removeprefix("Lazy").startswith("InstanceNorm"):
        return "num_features"
    return "num_channels" if row.type == "GroupNorm" else None


def channels_last(row: LayerRecord, t: TensorInfo) -> int | None:
    """The channel count a conv/norm layer wants, when it sits in the input's last dim instead
    of dim 1 (`[B, L, C]`, `[B, H, W, C]`); None otherwise."""
    attr = channel_attr(row)
    want = row.attrs.get(attr) if attr else None
    if not isinstance(want, int) or t.rank < 3 or t.shape[1] == want or t.shape[-1] != want:
        return None
    return want


def expected_batch_dim(row: LayerRecord, rank: int) -> int | None:
    """Where an RNN or attention layer reads the batch in a tensor of this rank (None: unbatched)."""
    if rank != 3:
        return None
    return 0 if row.attrs.get("batch_first") else 1


def twin(ctx: Context) -> Trace | None:
    """The same model traced at another batch size (cached), or None when that is not possible."""
    trace = ctx.trace
    if trace.batch is None or trace.image_list or (ctx.runner is None and ctx.meta_runner is None):
        return None
    try:  # a real-engine trace (meta failed unexplained) is twinned on meta: the same rows
        return rerun_any(ctx, Rerun(batch=trace.batch + 2))
    except (LookupError, TimeoutError):
        return None


def twin_row(ctx: Context, row: LayerRecord) -> LayerRecord | None:
    other = twin(ctx)
    if other is None or row.index >= len(other.layers):
        return None
    match = other.layers[row.index]
    return match if (match.name, match.type, match.call) == (row.name, row.type, row.call) else None


def following_dims(a: TensorInfo, b: TensorInfo) -> list[int]:
    """The dims whose size differs between two traces at different batch sizes."""
    if a.rank != b.rank:
        return []
    return [d for d, (x, y) in enumerate(zip(a.shape, b.shape, strict=True)) if x != y]


def batch_dim(ctx: Context, row: LayerRecord) -> int | None:
    """The dim of the row's first input that follows the batch; None when unknown or when no
    single dim does."""
    other = twin_row(ctx, row)
    if other is None or not row.inputs or not other.inputs:
        return None
    dims = following_dims(row.inputs[0], other.inputs[0])
    return dims[0] if len(dims) == 1 else None


def user_defined(trace: Trace, row: LayerRecord) -> LayerRecord:
    """The row itself or its nearest enclosing module created in the user's code (a layer that
    `nn.TransformerEncoder` cloned was created inside torch)."""
    for current in trace.ancestors(row):
        if current.defined_at is not None and not is_library_file(current.defined_at.file):
            return current
    return row


def layer_owner(trace: Trace, row: LayerRecord) -> LayerRecord:
    """Where the user decides this layer's sizes and flags: the outermost `nn.Transformer*` around
    it (its layers are clones of one `…Layer(...)` call), else the nearest user-built module."""
    outer = [r for r in trace.ancestors(row) if r is not row and r.kind == "module" and r.type in TRANSFORMER_TYPES]
    return outer[-1] if outer else user_defined(trace, row)


def is_library_file(path: str) -> bool:
    """A file of an installed package: by its path, or (a short display path such as
    `torchvision/models/resnet.py`) by its top package when that is imported from site-packages."""
    import sys

    normal = path.replace("\\", "/")
    if "site-packages/" in normal or "/torch/" in normal or normal.startswith("torch/"):
        return True
    top = normal.split("/", 1)[0] if "/" in normal and not normal.startswith((".", "/")) else ""
    module = sys.modules.get(top) if top.isidentifier() else None
    where = (getattr(module, "__file__", None) or "").replace("\\", "/")
    return "site-packages/" in where or "dist-packages/" in where
