"""Find conv→linear boundaries: where a feature map reaches a Linear, flattened or not."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..trace.records import MODULE, OP, LayerRecord, TensorInfo, Trace
from .layers import follows_input_size, is_adaptive_pool

_FLATTEN_OPS = {"torch.flatten", "Tensor.flatten", "Tensor.view", "Tensor.reshape", "torch.reshape"}
_LINEAR_OPS = {"F.linear"}


def is_conv_like(row: LayerRecord) -> bool:
    """A convolution or fixed-size pooling: its output size follows the input size."""
    return follows_input_size(row)


def is_adaptive(row: LayerRecord) -> bool:
    """Adaptive pooling to a fixed size (no None in output_size): any input size fits."""
    if not is_adaptive_pool(row):
        return False
    size = row.attrs.get("output_size") if row.kind == MODULE else None
    return not (isinstance(size, list) and None in size)


def is_global_reduce(row: LayerRecord) -> bool:
    """`x.mean((2, 3))` and friends: spatial dims averaged away."""
    return (
        row.kind == OP
        and row.attrs.get("category") == "reduce"
        and bool(row.inputs)
        and bool(row.outputs)
        and row.outputs[0].rank < row.inputs[0].rank
    )


def is_flatten(row: LayerRecord) -> bool:
    if row.kind == MODULE:
        return row.type == "Flatten"
    return (
        row.type in _FLATTEN_OPS and bool(row.outputs) and bool(row.inputs) and row.outputs[0].rank < row.inputs[0].rank
    )


def is_linear(row: LayerRecord) -> bool:
    return (row.kind == MODULE and row.type in ("Linear", "LazyLinear")) or (row.kind == OP and row.type in _LINEAR_OPS)


def in_features(row: LayerRecord) -> int | None:
    if row.kind == MODULE:
        value = row.attrs.get("in_features")
        return value if isinstance(value, int) and value > 0 else None
    if len(row.inputs) >= 2 and row.inputs[1].rank == 2:
        return row.inputs[1].shape[1]
    return None


def out_features(row: LayerRecord) -> int | None:
    if row.kind == MODULE:
        return row.attrs.get("out_features")
    if len(row.inputs) >= 2 and row.inputs[1].rank == 2:
        return row.inputs[1].shape[0]
    return None


# Ops that resample to a fixed size whatever they receive: RoI pooling in detection heads.
_RESAMPLERS = re.compile(r"^(MultiScaleRoIAlign|RoIAlign|RoIPool|PSRoIAlign|PSRoIPool)$")


def size_fixed_upstream(trace: Trace, row: LayerRecord | None) -> bool:
    """True when some row between the model input and `row` fixes the spatial size."""
    if row is None:
        return False
    return any(
        is_adaptive(r) or _RESAMPLERS.match(r.type) or (r.type == "F.interpolate" and r.attrs.get("size") is not None)
        for r in (row, *trace.upstream(row))
    )


# Rows that move dims around: the same shape out (a [1, 64, 64, 64] map permuted) is not the
# same layout, so they are never looked through.
_REORDER = ("permute", "transpose", "movedim", "moveaxis", "swapaxes", "swapdims", "Permute")


def _shape_preserving(row: LayerRecord) -> bool:
    if is_linear(row) or not row.inputs or not row.outputs:
        return False
    if row.type.rsplit(".", 1)[-1] in _REORDER:
        return False
    return row.outputs[0].shape == row.inputs[0].shape


def producer(trace: Trace, tensor: TensorInfo) -> LayerRecord | None:
    """The row that shaped this tensor, looking through shape-preserving rows (ReLU, BatchNorm)."""
    row = trace.row(tensor.source)
    seen = 0
    while row is not None and _shape_preserving(row) and not is_conv_like(row) and not is_adaptive(row) and seen < 1000:
        row = trace.row(row.inputs[0].source)
        seen += 1
    return row


@dataclass
class Boundary:
    """A feature map on its way into a Linear."""

    linear: LayerRecord
    tensor: TensorInfo  # what reaches the Linear
    in_features: int
    flattened: bool  # False: the map arrives with its spatial dims (SC101)
    feature: LayerRecord | None  # the conv/pool row that produced the map (None: the model input)
    feature_shape: tuple[int, ...]  # the map before flattening
    flatten: LayerRecord | None = None
    adaptive: bool = False  # a fixed-size pool before the flatten: any input size fits


def find_boundaries(trace: Trace) -> list[Boundary]:
    """Each Linear fed from a feature map: unflattened (rank 3 or more), through a global
    reduction (a mean over the spatial dims), or through a flatten that keeps the batch."""
    found = []
    for row in trace.layers:
        if not is_linear(row) or not row.inputs:
            continue
        n_in = in_features(row)
        if n_in is None:
            continue
        tensor = row.inputs[0]
        src = producer(trace, tensor)
        if tensor.rank >= 3:
            boundary = _unflattened(trace, row, tensor, n_in, src)
        elif src is None or tensor.rank != 2:
            boundary = None
        elif is_global_reduce(src):
            boundary = _reduced(trace, row, tensor, n_in, src)
        else:
            boundary = _flattened(trace, row, tensor, n_in, src) if is_flatten(src) else None
        if boundary is not None:
            found.append(boundary)
    return found


def _is_map_layer(row: LayerRecord | None) -> bool:
    return row is not None and (is_conv_like(row) or is_adaptive(row))


def _unflattened(trace: Trace, row: LayerRecord, tensor, n_in: int, src: LayerRecord | None) -> Boundary | None:
    """A map of rank 3 or more straight from a conv-like layer, or the model's own 4-D/5-D input."""
    if _is_map_layer(src) and src is not None and src.outputs and src.outputs[0].rank == tensor.rank:
        return Boundary(row, tensor, n_in, False, src, tensor.shape)
    if src is None and tensor.rank in (4, 5) and trace.is_model_input(tensor):
        return Boundary(row, tensor, n_in, False, None, tensor.shape)
    joined = _batch_join_of(trace, src, tensor)
    if joined is not None:  # maps of single images put together into a batch, then not flattened
        return Boundary(row, tensor, n_in, False, joined, tensor.shape)
    return None


def _batch_join_of(trace: Trace, src: LayerRecord | None, tensor) -> LayerRecord | None:
    """The conv-like layer behind a `torch.cat` along dim 0 of its maps (`torch.cat([backbone(img)
    for img in images])`): every piece that map's rank and size but for dim 0."""
    if src is None or src.type not in ("torch.cat", "torch.concat", "torch.concatenate") or not src.inputs:
        return None
    pieces = list(src.inputs)
    if any(p.rank != tensor.rank or tuple(p.shape[1:]) != tuple(tensor.shape[1:]) for p in pieces):
        return None
    if sum(p.shape[0] for p in pieces) != tensor.shape[0]:
        return None
    feature = producer(trace, pieces[0])
    if not _is_map_layer(feature) or feature is None or not feature.outputs or feature.outputs[0].rank != tensor.rank:
        return None
    return feature


def _reduced(trace: Trace, row: LayerRecord, tensor, n_in: int, src: LayerRecord) -> Boundary | None:
    feature = producer(trace, src.inputs[0])
    if not _is_map_layer(feature):
        return None
    return Boundary(row, tensor, n_in, True, feature, src.inputs[0].shape, src, True)


def _flattened(trace: Trace, row: LayerRecord, tensor, n_in: int, src: LayerRecord) -> Boundary | None:
    fmap = src.inputs[0]
    feature = producer(trace, fmap)
    if feature is None or fmap.rank < 3 or tensor.shape[0] != fmap.shape[0]:
        return None  # not a flatten that keeps the batch: SC106's business
    if is_adaptive(feature):
        return Boundary(row, tensor, n_in, True, feature, fmap.shape, src, True)
    if is_conv_like(feature):
        return Boundary(row, tensor, n_in, True, feature, fmap.shape, src, size_fixed_upstream(trace, feature))
    return None
