"""What a row's layer does to shapes: conv/pool arithmetic, broadcasting, view strides."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..trace.records import MODULE, LayerRecord

_ND = re.compile(r"(\d)d$")
# The one table of conv and pool types, by module class name and by functional op name.
CONV_MODULE = re.compile(r"^(Lazy)?Conv(Transpose)?[123]d$")
POOL_MODULE = re.compile(r"^(Max|Avg|LP)Pool[123]d$")  # kernel_size, stride, padding
FRACTIONAL_POOL_MODULE = re.compile(r"^FractionalMaxPool[23]d$")  # output_size or output_ratio
ADAPTIVE_POOL_MODULE = re.compile(r"^Adaptive(Avg|Max)Pool[123]d$")
NORM_MODULE = re.compile(r"^(Lazy)?BatchNorm[123]d$|^SyncBatchNorm$")
CONV_OP = re.compile(r"^(F\.|torch\.)conv[123]d$")
CONV_TRANSPOSE_OP = re.compile(r"^(F\.|torch\.)conv_transpose[123]d$")
POOL_OP = re.compile(r"^(F\.|torch\.)(max|avg)_pool[123]d$")
ADAPTIVE_POOL_OP = re.compile(r"^(F\.|torch\.)adaptive_(avg|max)_pool[123]d$")


def follows_input_size(row: LayerRecord) -> bool:
    """A convolution or fixed-window pooling: its output size follows its input size."""
    if row.kind == MODULE:
        return any(p.match(row.type) for p in (CONV_MODULE, POOL_MODULE, FRACTIONAL_POOL_MODULE))
    return any(p.match(row.type) for p in (CONV_OP, CONV_TRANSPOSE_OP, POOL_OP))


def is_adaptive_pool(row: LayerRecord) -> bool:
    """Adaptive pooling, module or functional."""
    pattern = ADAPTIVE_POOL_MODULE if row.kind == MODULE else ADAPTIVE_POOL_OP
    return bool(pattern.match(row.type))


def spatial_rank(row: LayerRecord) -> int | None:
    """2 for Conv2d / F.max_pool2d; None for layers without spatial dims."""
    match = _ND.search(row.type)
    return int(match.group(1)) if match else None


def _tuple(value, n: int, default: int) -> tuple[int, ...]:
    if value is None or value == "<tensor>":
        return (default,) * n
    if isinstance(value, (list, tuple)):
        return tuple(int(v) for v in value) if len(value) == n else (int(value[0]),) * n
    return (int(value),) * n


@dataclass
class Window:
    """A sliding window over the spatial dims: conv or pool."""

    nd: int
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    ceil_mode: bool = False
    is_pool: bool = False
    in_channels: int | None = None
    out_channels: int | None = None
    groups: int = 1

    def out_size(self, size: int, i: int) -> int:
        span = size + 2 * self.padding[i] - self.dilation[i] * (self.kernel[i] - 1) - 1
        if span < 0:
            return 0
        q = -(-span // self.stride[i]) if self.ceil_mode else span // self.stride[i]
        return q + 1

    def pool_output_size(self, size: int, i: int) -> int:
        """The output size PyTorch's pooling computes (and prints), zero or negative included:
        floor division, and in ceil mode the last window must start inside the input."""
        s = self.stride[i]
        num = size + 2 * self.padding[i] - self.dilation[i] * (self.kernel[i] - 1) - 1
        if self.ceil_mode:
            num += s - 1
        out = num // s + 1
        if self.ceil_mode and (out - 1) * s >= size + self.padding[i]:
            out -= 1
        return out

    def padded(self, size: int, i: int) -> int:
        return size + 2 * self.padding[i]

    def effective_kernel(self, i: int) -> int:
        return self.dilation[i] * (self.kernel[i] - 1) + 1


def window(row: LayerRecord) -> Window | None:
    """The sliding window of a conv/pool module or functional call, or None."""
    nd = spatial_rank(row)
    if nd is None:
        return None
    if row.kind == MODULE:
        if CONV_MODULE.match(row.type) and "Transpose" not in row.type:
            return _conv_module_window(row.attrs, nd)
        if POOL_MODULE.match(row.type):
            return _pool_module_window(row.attrs, nd)
        return None
    if CONV_OP.match(row.type):
        return _conv_op_window(row, nd)
    if POOL_OP.match(row.type):
        return _pool_op_window(row.attrs, nd)
    return None


def _conv_module_window(a: dict, nd: int) -> Window | None:
    padding = a.get("padding")
    if isinstance(padding, str):
        return None  # "same"/"valid": sizes follow from the kernel, handled elsewhere
    return Window(
        nd,
        _tuple(a.get("kernel_size"), nd, 1),
        _tuple(a.get("stride"), nd, 1),
        _tuple(padding, nd, 0),
        _tuple(a.get("dilation"), nd, 1),
        # the channels its weight takes: they differ from the attribute when the
        # attribute was set after construction (the weight decides)
        in_channels=a.get("weight_in_channels", a.get("in_channels")),
        out_channels=a.get("out_channels"),
        groups=a.get("groups", 1) or 1,
    )


def _pool_module_window(a: dict, nd: int) -> Window:
    kernel = _tuple(a.get("kernel_size"), nd, 1)
    stride = a.get("stride")
    return Window(
        nd,
        kernel,
        _tuple(stride, nd, 1) if stride else kernel,
        _tuple(a.get("padding"), nd, 0),
        _tuple(a.get("dilation"), nd, 1),
        bool(a.get("ceil_mode")),
        True,
    )


def _conv_op_window(row: LayerRecord, nd: int) -> Window | None:
    """conv(input, weight, bias, stride, padding, dilation, groups): the kernel from the weight."""
    a = row.attrs
    weight = row.inputs[1].shape if len(row.inputs) > 1 else None
    if weight is None or len(weight) != nd + 2:
        return None
    opt = list(a.get("args", []))[1:][2:] + [None] * 4  # after the input, the weight and the bias
    stride = a.get("stride", opt[0])
    padding = a.get("padding", opt[1])
    if isinstance(padding, str):
        return None
    groups = int(a.get("groups", opt[3]) or 1)
    return Window(
        nd,
        tuple(weight[2:]),
        _tuple(stride, nd, 1),
        _tuple(padding, nd, 0),
        _tuple(a.get("dilation", opt[2]), nd, 1),
        in_channels=weight[1] * groups,
        out_channels=weight[0],
        groups=groups,
    )


def _pool_op_window(a: dict, nd: int) -> Window:
    """pool(input, kernel_size, stride=None, padding=0, …)"""
    opt = list(a.get("args", []))[1:] + [None] * 4  # after the input
    kernel = _tuple(a.get("kernel_size", opt[0]), nd, 1)
    stride = a.get("stride", opt[1])
    ceil = a.get("ceil_mode", False)
    return Window(
        nd,
        kernel,
        _tuple(stride, nd, 1) if stride not in (None, []) else kernel,
        _tuple(a.get("padding", opt[2]), nd, 0),
        (1,) * nd,
        bool(ceil),
        True,
    )


def broadcast_mismatch(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, int, int] | None:
    """(dim in the result, size in a, size in b) of the first dim, from the right, that does not
    broadcast; None when the shapes broadcast."""
    rank = max(len(a), len(b))
    for offset in range(1, rank + 1):
        x = a[-offset] if offset <= len(a) else 1
        y = b[-offset] if offset <= len(b) else 1
        if x != y and x != 1 and y != 1:
            return rank - offset, x, y
    return None


def broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape `a` and `b` broadcast to; None when they do not broadcast."""
    if broadcast_mismatch(a, b) is not None:
        return None
    rank = max(len(a), len(b))
    padded_a, padded_b = (1,) * (rank - len(a)) + tuple(a), (1,) * (rank - len(b)) + tuple(b)
    return tuple(max(x, y) for x, y in zip(padded_a, padded_b, strict=True))


def view_shape(row: LayerRecord) -> list[int] | None:
    """The shape asked of `view`/`reshape`: `x.view(-1, 400)` → [-1, 400]."""
    args = list(row.attrs.get("args", []))
    if row.type in ("torch.reshape",) or row.type.startswith("Tensor."):
        args = args[1:]
    shape = row.attrs.get("shape", args[0] if len(args) == 1 and isinstance(args[0], list) else args)
    if not isinstance(shape, list) or not all(isinstance(v, int) for v in shape):
        return None
    return shape


def _sizes(shape, new) -> tuple[int, int]:
    """(values in the tensor, product of the sizes asked for, a -1 left out)."""
    numel = 1
    for d in shape:
        numel *= d
    known = 1
    for d in new:
        if d != -1:
            known *= d
    return numel, known


def view_fits(shape, new) -> bool:
    """The sizes asked for fit the number of values (a -1 takes what is left)."""
    numel, known = _sizes(shape, new)
    return (known > 0 and numel % known == 0) if -1 in new else known == numel


def view_compatible(shape: tuple[int, ...], stride: tuple[int, ...], new: list[int]) -> bool:
    """Whether `view(new)` can share storage with a tensor of this shape and stride.

    Each run of new dims must map onto a run of old dims that is contiguous in memory
    (stride[i] == stride[i + 1] · shape[i + 1] inside the run).
    """
    numel, known = _sizes(shape, new)
    new = [numel // known if d == -1 and known else d for d in new]
    if numel == 0:
        return True
    old = [(d, s) for d, s in zip(shape, stride, strict=True) if d != 1]
    target = [d for d in new if d != 1]
    i = j = 0
    while i < len(old) and j < len(target):
        ends = _run_ends(old, target, i, j)
        if ends is None or not _contiguous(old[i : ends[0] + 1]):
            return False
        i, j = ends[0] + 1, ends[1] + 1
    return True


def _run_ends(old: list[tuple[int, int]], target: list[int], i: int, j: int) -> tuple[int, int] | None:
    """The last old dim and the last new dim of the run that starts at old dim `i` and new dim
    `j`, where their sizes multiply to the same; None when the dims end first."""
    chunk_old, chunk_new = old[i][0], target[j]
    while chunk_old != chunk_new:
        if chunk_old < chunk_new:
            i += 1
            if i >= len(old):
                return None
            chunk_old *= old[i][0]
        else:
            j += 1
            if j >= len(target):
                return None
            chunk_new *= target[j]
    return i, j


def _contiguous(run: list[tuple[int, int]]) -> bool:
    """The old dims (size, stride) merged into one new run lie together in memory."""
    return all(run[k][1] == run[k + 1][1] * run[k + 1][0] for k in range(len(run) - 1))


def groups_whole_samples(row: LayerRecord) -> bool:
    """The view splits the batch into groups of whole samples and keeps every sample's dims as
    they are: [B, D] → [B/k, k, D] (a prototypical network's k shots of each class, a bag of
    instances, an episode's support set `view(n_way, k_shot, -1)`, StyleGAN's minibatch groups
    `reshape(G, -1, C, H, W)`). No value of one sample lands in another's row; a later reduction
    over the group is the design, and so is a batch that must be a multiple of the group. A
    single written size in front of whole samples (`view(32, -1)` of [B, D]) is no grouping, nor
    a group size that is the batch itself. A view that failed is read from the sizes it asked
    for (a batch that is no multiple of the group)."""
    if not row.inputs or not row.inputs[0].shape:
        return False
    t = row.inputs[0].shape
    per_sample = tuple(t[1:])
    if not row.outputs:
        return _asks_for_groups(row, per_sample)
    out = row.outputs[0].shape
    lead = len(out) - len(per_sample)
    if lead < 2 or tuple(out[lead:]) != per_sample or math.prod(out[:lead]) != t[0]:
        return False
    return all(1 < size < t[0] for size in out[:lead])


def _asks_for_groups(row: LayerRecord, per_sample: tuple[int, ...]) -> bool:
    """A view that failed asked for two or more sizes in front of the sample's own dims."""
    asked = view_shape(row) if row.type in ("Tensor.view", "Tensor.reshape", "torch.reshape") else None
    if not asked:
        return False
    lead = len(asked) - len(per_sample)
    return lead >= 2 and tuple(asked[lead:]) == per_sample and asked.count(-1) <= 1
