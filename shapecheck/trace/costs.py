"""What each row of a trace costs, from its shapes alone: Mult-Adds, parameter and output bytes.

Counted on meta (no arithmetic), in torchinfo's conventions where it has one, so the totals
compare: a convolution or Linear costs one multiply-add per weight per output position, plus
one per output element for its bias; a normalisation layer costs its parameters once per
sample. Beyond torchinfo, the work of `matmul`/`bmm`/`@`, `F.linear`/`F.conv*` called from
model code, `F.scaled_dot_product_attention` and `nn.MultiheadAttention` is counted too (a
Linear applied to [N, L, E] counts all N·L rows, where torchinfo counts N).
"""

from __future__ import annotations

from math import prod

from .records import MODULE, OP, LayerRecord, Trace

_BYTES = {
    "float64": 8,
    "int64": 8,
    "complex64": 8,
    "float32": 4,
    "int32": 4,
    "float16": 2,
    "bfloat16": 2,
    "int16": 2,
    "int8": 1,
    "uint8": 1,
    "bool": 1,
}
_NORMS = (
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "LayerNorm",
    "GroupNorm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "RMSNorm",
    "LocalResponseNorm",
)
_MATMUL = (
    "torch.matmul",
    "Tensor.matmul",
    "torch.bmm",
    "Tensor.bmm",
    "torch.mm",
    "Tensor.mm",
    "Tensor.__matmul__",
    "Tensor.__rmatmul__",
)
_ADD_MATMUL = ("torch.addmm", "torch.baddbmm")
_GATES = {"LSTM": 4, "GRU": 3, "RNN": 1, "LSTMCell": 4, "GRUCell": 3, "RNNCell": 1}


def tensor_bytes(info) -> int:
    return prod(info.shape) * _BYTES.get(info.dtype, 4)


def _out(row: LayerRecord) -> int:
    return prod(row.outputs[0].shape) if row.outputs else 0


def _kernel(row: LayerRecord) -> int:
    k = row.attrs.get("kernel_size")
    return prod(k) if isinstance(k, list) else (k or 1)


def row_macs(row: LayerRecord) -> int:
    """Multiply-adds of one row itself (0 for containers: their children carry the work)."""
    if row.failed or not row.outputs or not row.inputs:
        return 0
    if row.kind == MODULE:
        return _module_macs(row)
    if row.kind == OP:
        return _op_macs(row)
    return 0


def _module_macs(row: LayerRecord) -> int:
    kind = row.type
    if kind.startswith("Conv") and "Transpose" not in kind:
        return _conv(row)
    if kind.startswith("ConvTranspose"):
        return _conv_transpose(row)
    macs = _MODULE_MACS.get(kind)
    return macs(row) if macs is not None else 0


def _conv(row: LayerRecord) -> int:
    a = row.attrs
    if not a.get("in_channels"):
        return 0
    per = a["in_channels"] // max(a.get("groups", 1), 1) * _kernel(row)
    return _out(row) * per + (_out(row) if _has_bias(row, per * a.get("out_channels", 0)) else 0)


def _conv_transpose(row: LayerRecord) -> int:
    """Each input element is spread over a kernel's worth of outputs per output channel."""
    a = row.attrs
    if not a.get("out_channels"):
        return 0
    per = a["out_channels"] // max(a.get("groups", 1), 1) * _kernel(row)
    return prod(row.inputs[0].shape) * per + _out(row)


def _linear(row: LayerRecord) -> int:
    a = row.attrs
    if not a.get("in_features"):
        return 0
    out = _out(row)
    return out * a["in_features"] + (out if _has_bias(row, a["in_features"] * a.get("out_features", 0)) else 0)


def _op_macs(row: LayerRecord) -> int:
    op = row.type
    macs = _OP_MACS.get(op)
    if macs is not None:
        return macs(row)
    if op.startswith("F.conv") and "transpose" not in op:
        return _functional_conv(row)
    if op.endswith("einsum"):
        return _einsum(row)
    if op.endswith("scaled_dot_product_attention"):
        return _scaled_dot_product_attention(row)
    return 0


def _add_matmul(row: LayerRecord) -> int:
    """addmm(bias, a, b): a @ b, then the add."""
    if len(row.inputs) < 3:
        return 0
    return _out(row) * (row.inputs[1].shape[-1] if row.inputs[1].shape else 1) + _out(row)


def _matmul(row: LayerRecord) -> int:
    if len(row.inputs) < 2:
        return 0
    return _out(row) * (row.inputs[0].shape[-1] if row.inputs[0].shape else 1)


def _functional_linear(row: LayerRecord) -> int:
    """F.linear(x, weight[, bias]): a third input is the bias, one add per output."""
    if len(row.inputs) < 2:
        return 0
    return _out(row) * row.inputs[1].shape[-1] + (_out(row) if len(row.inputs) > 2 else 0)


def _functional_conv(row: LayerRecord) -> int:
    if len(row.inputs) < 2:
        return 0
    w = row.inputs[1].shape
    return _out(row) * prod(w[1:]) + (_out(row) if len(row.inputs) > 2 else 0)


def _scaled_dot_product_attention(row: LayerRecord) -> int:
    """Q·Kᵀ and then the weights · V: each query row meets every key."""
    if len(row.inputs) < 3:
        return 0
    q, k, v = (t.shape for t in row.inputs[:3])
    return prod(q[:-1]) * k[-2] * (q[-1] + v[-1])


def _einsum(row: LayerRecord) -> int:
    """A contraction of two operands (`bhid,bhjd->bhij`): one multiply-add for each combination
    of every index's values, as the matmul it becomes. One operand (a sum, a transpose): 0."""
    args = row.attrs.get("args", [])
    equation = args[0] if args and isinstance(args[0], str) else row.attrs.get("equation")
    if not isinstance(equation, str) or len(row.inputs) != 2:
        return 0
    operands = equation.replace(" ", "").split("->")[0].split(",")
    if len(operands) != 2:
        return 0
    sizes: dict[str, int] = {}
    for letters, tensor in zip(operands, row.inputs, strict=True):
        shape = tensor.shape
        letters = _without_ellipsis(letters, len(shape))
        if len(letters) != len(shape):
            return 0
        for letter, size in zip(letters, shape, strict=True):
            sizes[letter] = max(sizes.get(letter, 1), size)  # a broadcast dim of 1 takes the other's size
    return prod(sizes.values())


def _without_ellipsis(letters: str, rank: int) -> str:
    """An operand's letters with the dims an ellipsis stands for named, by position from the end."""
    if "..." not in letters:
        return letters
    head, tail = letters.split("...")
    return head + "".join(chr(0x2460 + i) for i in range(rank - len(head) - len(tail))) + tail


def _has_bias(row: LayerRecord, weights: int) -> bool:
    """From the layer's own flag (every call of it), else from its parameter count (a first
    call's row holds the parameters; later calls hold none)."""
    if "bias" in row.attrs:
        return bool(row.attrs["bias"])
    return bool(row.params) and row.params > weights


def _attention_module(row: LayerRecord) -> int:
    a = row.attrs
    e = a.get("embed_dim")
    q = row.inputs[0].shape
    if not e or len(q) != 3:
        return 0
    key = row.inputs[1].shape if len(row.inputs) > 1 and len(row.inputs[1].shape) == 3 else q
    first = a.get("batch_first")
    n, length, source = (q[0], q[1], key[1]) if first else (q[1], q[0], key[0])
    kdim, vdim = a.get("kdim") or e, a.get("vdim") or e
    projections = length * e * e + source * kdim * e + source * vdim * e + length * e * e
    weights = e * e + kdim * e + vdim * e + e * e
    # in_proj_bias and out_proj.bias: one add per projected value, as a Linear's bias is counted
    biases = (2 * length + 2 * source) * e if _has_bias(row, weights) else 0
    return n * (projections + biases + 2 * length * source * e)


def _recurrent(row: LayerRecord) -> int:
    a = row.attrs
    x = row.inputs[0].shape
    hidden, size = a.get("hidden_size"), a.get("input_size")
    if not hidden or not size or len(x) not in (2, 3):
        return 0
    steps = prod(x[:-1])  # time × batch, whichever way round (a cell: batch)
    gates = _GATES[row.type] * hidden
    # as a Linear's: one add per gate value for each of the two biases (b_ih and b_hh)
    biases = 2 * gates if a.get("bias", True) else 0
    total, width = 0, size
    for _ in range(a.get("num_layers", 1)):
        directions = 2 if a.get("bidirectional") else 1
        total += directions * steps * (gates * (width + hidden) + biases)
        width = hidden * directions
    return total


def _norm(row: LayerRecord) -> int:
    """A norm's scale and shift: a multiply per parameter for each sample."""
    batch = row.outputs[0].shape[0] if row.outputs[0].shape else 1
    return (row.params or 0) * batch


# The work of the modules and ops whose type alone says how to count it.
_MODULE_MACS = {
    "Linear": _linear,
    "MultiheadAttention": _attention_module,
    **dict.fromkeys(_NORMS, _norm),
    **dict.fromkeys(_GATES, _recurrent),
}
_OP_MACS = {
    **dict.fromkeys(_ADD_MATMUL, _add_matmul),
    **dict.fromkeys(_MATMUL, _matmul),
    **dict.fromkeys(("F.linear", "torch.nn.functional.linear"), _functional_linear),
}


def leaves(trace: Trace) -> list[LayerRecord]:
    """Rows that do work of their own: modules without child rows, and ops."""
    parents = {r.parent for r in trace.layers if r.parent is not None}
    return [r for r in trace.layers if r.kind == OP or r.index not in parents]


def subtree_macs(trace: Trace) -> dict[int, int]:
    """Each row's Mult-Adds including everything called inside it."""
    out = {r.index: 0 for r in trace.layers}
    for row in leaves(trace):
        cost = row_macs(row)
        if not cost:
            continue
        for owner in trace.ancestors(row):
            out[owner.index] += cost
    return out


def total_macs(trace: Trace) -> int:
    return sum(row_macs(r) for r in leaves(trace))


def activation_bytes(trace: Trace) -> int:
    """Bytes of every leaf row's outputs: what a training step keeps for backward, roughly."""
    return sum(tensor_bytes(t) for r in leaves(trace) if not r.failed for t in r.outputs)


def memory_estimate(trace: Trace, param_bytes: int = 4) -> dict[str, int]:
    """A training step's memory with Adam, in bytes: weights, gradients, two moment buffers, and
    the leaf rows' outputs kept for backward. Assumes float32 parameters and no checkpointing."""
    weights = trace.total_params * param_bytes
    grads = trace.trainable_params * param_bytes
    # measured (--memory): what autograd keeps, each tensor once; else every leaf output
    kept = trace.memory.saved(trace.batch or 1) if trace.memory is not None else activation_bytes(trace)
    return {
        "weights": weights,
        "gradients": grads,
        "adam_state": 2 * grads,
        "activations": kept,
        "total": weights + 3 * grads + kept,
    }
