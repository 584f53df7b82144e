"""The op catalogue: which torch functions become rows (by category), which need tensor values,
and the public names they are shown under (`torch.flatten`, `Tensor.view`, `F.linear`)."""

from __future__ import annotations

import torch

# Functional ops listed as rows when model code calls them, by category.
CATEGORIES = {
    "flatten": ("torch.flatten", "torch.Tensor.flatten", "torch.Tensor.unflatten", "torch.unflatten"),
    "view": (
        "torch.Tensor.view",
        "torch.Tensor.reshape",
        "torch.reshape",
        "torch.Tensor.view_as",
        "torch.Tensor.reshape_as",
        "torch.Tensor.expand",
        "torch.Tensor.repeat",
        "torch.Tensor.expand_as",
    ),
    "layout": (
        "torch.permute",
        "torch.Tensor.permute",
        "torch.transpose",
        "torch.Tensor.transpose",
        "torch.t",
        "torch.Tensor.t",
        "torch.swapaxes",
        "torch.Tensor.swapaxes",
        "torch.movedim",
        "torch.Tensor.movedim",
        "torch.squeeze",
        "torch.Tensor.squeeze",
        "torch.unsqueeze",
        "torch.Tensor.unsqueeze",
        "torch.Tensor.contiguous",
    ),
    # Taking part of a tensor: indexing (`x[:, 0]`), splitting, padding, filling by a mask.
    "select": (
        "torch.Tensor.__getitem__",
        "torch.split",
        "torch.Tensor.split",
        "torch.chunk",
        "torch.Tensor.chunk",
        "torch.nn.functional.pad",
        "torch.masked_fill",
        "torch.Tensor.masked_fill",
        "torch.Tensor.masked_fill_",
    ),
    "join": ("torch.cat", "torch.concat", "torch.concatenate", "torch.stack", "torch.hstack", "torch.vstack"),
    "matmul": (
        "torch.matmul",
        "torch.Tensor.matmul",
        "torch.Tensor.__matmul__",
        "torch.Tensor.__rmatmul__",
        "torch.mm",
        "torch.Tensor.mm",
        "torch.bmm",
        "torch.Tensor.bmm",
        "torch.addmm",  # transformers' Conv1D (GPT-2): bias + x @ w
        "torch.baddbmm",
        "torch.einsum",
    ),
    "attention": ("torch.nn.functional.scaled_dot_product_attention", "torch._C._nn.scaled_dot_product_attention"),
    "reduce": (
        "torch.mean",
        "torch.Tensor.mean",
        "torch.sum",
        "torch.Tensor.sum",
        "torch.amax",
        "torch.Tensor.amax",
        "torch.amin",
        "torch.Tensor.amin",
        "torch.max",  # with a dim: (values, indices); of two tensors, elementwise
        "torch.Tensor.max",
        "torch.min",
        "torch.Tensor.min",
        "torch.logsumexp",
        "torch.Tensor.logsumexp",
        "torch.argmax",  # class predictions: an index per row along the dim reduced
        "torch.Tensor.argmax",
        "torch.argmin",
        "torch.Tensor.argmin",
    ),
    "softmax": (
        "torch.softmax",
        "torch.Tensor.softmax",
        "torch.nn.functional.softmax",
        "torch.log_softmax",
        "torch.Tensor.log_softmax",
        "torch.nn.functional.log_softmax",
    ),
    # An Lp normalisation over one dim (embeddings to unit length): over the batch by mistake, SC120.
    "normalize": ("torch.nn.functional.normalize",),
    "layer": tuple(
        f"torch.nn.functional.{n}"
        for n in (
            "linear",
            "conv1d",
            "conv2d",
            "conv3d",
            "conv_transpose1d",
            "conv_transpose2d",
            "conv_transpose3d",
            "max_pool1d",
            "max_pool2d",
            "max_pool3d",
            "avg_pool1d",
            "avg_pool2d",
            "avg_pool3d",
            "adaptive_avg_pool1d",
            "adaptive_avg_pool2d",
            "adaptive_avg_pool3d",
            "adaptive_max_pool1d",
            "adaptive_max_pool2d",
            "adaptive_max_pool3d",
            "interpolate",
            "batch_norm",
            "embedding",
        )
    )
    + (
        "torch.conv2d",
        "torch.conv1d",
        "torch.conv3d",
        "torch.max_pool2d",
        "torch.avg_pool1d",
        "torch.adaptive_avg_pool1d",
        "torch._C._nn.linear",
        "torch._C._nn.adaptive_avg_pool2d",
        "torch._C._nn.avg_pool2d",
    ),
    # Elementwise losses: input and target must have the same shape (PyTorch broadcasts them
    # with a UserWarning otherwise).
    "loss": tuple(
        f"torch.nn.functional.{n}"
        for n in (
            "mse_loss",
            "l1_loss",
            "smooth_l1_loss",
            "huber_loss",
            "binary_cross_entropy",
            "binary_cross_entropy_with_logits",
        )
    ),
    # Reads and writes through an index tensor: gather and scatter take an index with the data's
    # dims (SC130); index_select and index_add a 1-D index along one dim.
    "index": tuple(
        f"torch.{n}"
        for n in ("gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_put")
    )
    + tuple(
        f"torch.Tensor.{n}"
        for n in (
            "gather",
            "scatter",
            "scatter_",
            "scatter_add",
            "scatter_add_",
            "scatter_reduce",
            "scatter_reduce_",
            "index_select",
            "index_add",
            "index_add_",
            "index_put",
            "index_put_",
        )
    ),
    # Losses over class indices: input [N, C, ...], target [N, ...] (SC125 reads their contract).
    "class_loss": ("torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss"),
    # CTC: log_probs [T, N, C], targets and lengths per sample (SC125 reads its layout).
    "sequence_loss": ("torch.nn.functional.ctc_loss",),
    "elementwise": tuple(
        f"torch.Tensor.__{n}__"
        for n in (
            "add",
            "radd",
            "iadd",
            "sub",
            "rsub",
            "isub",
            "mul",
            "rmul",
            "imul",
            "truediv",
            "rtruediv",
            "itruediv",
        )
    )
    + tuple(f"torch.{n}" for n in ("add", "sub", "mul", "div"))
    + tuple(f"torch.Tensor.{n}" for n in ("add", "sub", "mul", "div", "add_", "mul_")),
}
CATEGORY_OF = {name: cat for cat, names in CATEGORIES.items() for name in names}

# Ops whose result depends on tensor values: the meta engine cannot run them.
VALUE_OPS = {
    "torch.Tensor.item",
    "torch.Tensor.tolist",
    "torch.Tensor.__bool__",
    "torch.Tensor.__int__",
    "torch.Tensor.__float__",
    "torch.Tensor.__index__",
    "torch.Tensor.__contains__",  # `value in tensor`: (tensor == value).any().item()
    "torch.Tensor.numpy",
    "torch.nonzero",
    "torch.Tensor.nonzero",
    "torch.masked_select",
    "torch.Tensor.masked_select",
    "torch.unique",
    "torch.Tensor.unique",
    "torch.argwhere",
    "torch.equal",
    "torch.allclose",
    "torch.is_nonzero",
    "torch.Tensor.__array__",
    "torch.unique_consecutive",
}


_OTHER_NAMES = ("torch.where", "torch.repeat_interleave", "torch.Tensor.repeat_interleave")
_KNOWN: dict | None = None


def _lookup(full: str):
    obj: object = torch
    for part in full.split(".")[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _known() -> dict:
    """function object → its public name, for the functions shapecheck treats specially.

    torch.overrides.resolve_name would do, but its first call builds a table of every
    overridable function (0.15 s); this table is a few dozen entries.
    """
    global _KNOWN
    if _KNOWN is None:
        _KNOWN = {}
        for full in (*CATEGORY_OF, *sorted(VALUE_OPS), *_OTHER_NAMES):
            obj = _lookup(full)
            if obj is not None:
                try:
                    _KNOWN.setdefault(obj, full)
                except TypeError:  # unhashable callables are not in the table
                    pass
    return _KNOWN


def function_name(func) -> str:
    """The public name of a torch function: `torch.flatten`, `torch.Tensor.view`, `torch.nn.functional.linear`."""
    try:
        known = _known().get(func)
    except TypeError:
        known = None
    if known is not None:
        return known
    name = getattr(func, "__name__", None) or repr(func)
    owner = getattr(func, "__objclass__", None)
    if isinstance(owner, type) and issubclass(owner, torch._C.TensorBase):
        return f"torch.Tensor.{name}"
    qual = getattr(func, "__qualname__", "") or ""
    if qual.split(".")[0] in ("Tensor", "TensorBase"):
        return f"torch.Tensor.{qual.split('.', 1)[1]}"
    return f"{_public_module(getattr(func, '__module__', None) or 'torch')}.{name}"


def _public_module(module: str) -> str:
    """The module torch's C functions are known by: `torch`, `torch.nn.functional`."""
    if module.startswith("torch._C._VariableFunctions"):
        return "torch"
    return "torch.nn.functional" if module == "torch._C._nn" else module


def short_op_name(full: str) -> str:
    for prefix, short in (("torch.nn.functional.", "F."), ("torch.Tensor.", "Tensor."), ("torch._C._nn.", "F.")):
        if full.startswith(prefix):
            return short + full[len(prefix) :]
    return full
