"""What a row keeps of its arguments: the tensors inside nested arguments, an op's other arguments
as plain values, and the attributes of a module that explain shapes."""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

# Module attributes worth keeping: they explain shapes.
_ATTRS = (
    "in_features",
    "out_features",
    "in_channels",
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "groups",
    "output_size",
    "num_features",
    "start_dim",
    "end_dim",
    "normalized_shape",
    "num_embeddings",
    "embedding_dim",
    "scale_factor",
    "size",
    "dim",
    "num_groups",
    "num_channels",
    "ceil_mode",
    "embed_dim",
    "num_heads",
    "batch_first",
    "input_size",
    "hidden_size",
    "num_layers",
    "bidirectional",
    "proj_size",
    "kdim",
    "vdim",
    "padding_idx",
    "upscale_factor",
    "downscale_factor",
)


def dtype_name(dtype) -> str:
    return str(dtype).replace("torch.", "")


def tensors_in(obj, key: str = ""):
    """Yield (key, tensor) for each tensor in a nested argument."""
    if isinstance(obj, torch.Tensor):
        yield key, obj
    elif isinstance(obj, (list, tuple)):
        fields = getattr(obj, "_fields", None)
        for i, item in enumerate(obj):
            yield from tensors_in(item, key + (f".{fields[i]}" if fields else f"[{i}]"))
    elif isinstance(obj, dict):
        for k, item in obj.items():
            yield from tensors_in(item, f"{key}[{k!r}]")
    elif isinstance(obj, torch.distributions.Distribution):  # a policy's Normal, a Categorical
        yield from _distribution_tensors(obj, key)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from tensors_in(getattr(obj, f.name, None), f"{key}.{f.name}")


def _distribution_tensors(obj, key: str):
    """The parameters a distribution was given (logits, not probs too)."""
    for name in obj.arg_constraints:
        value = vars(obj).get(name)
        if isinstance(value, torch.Tensor):
            yield key + f".{name}", value


def module_attrs(module: nn.Module) -> dict:
    attrs = {}
    for name in _ATTRS:
        value = getattr(module, name, None)
        if _plain_setting(value):
            attrs[name] = list(value) if isinstance(value, tuple) else value
    # Whether a weighted layer adds a bias: its work counts one add per output at every call
    # (a repeated call holds no parameters of its own to tell).
    if isinstance(module, (nn.Linear, nn.modules.conv._ConvNd, nn.RNNBase, nn.RNNCellBase)):
        bias = getattr(module, "bias", None)
        attrs["bias"] = bias if isinstance(bias, bool) else bias is not None
    if isinstance(module, nn.modules.conv._ConvNd) and module.transposed:  # its output size needs it
        attrs["output_padding"] = list(module.output_padding)
    channels = _weight_in_channels(module)
    if channels is not None:
        attrs["weight_in_channels"] = channels
    for name, value in _attention_attrs(module).items():
        attrs.setdefault(name, value)
    return attrs


def _plain_setting(value) -> bool:
    """A number, a flag, a word, or a tuple of numbers (a kernel size)."""
    if isinstance(value, tuple):
        return all(isinstance(v, (int, float, type(None))) for v in value)
    return isinstance(value, (bool, int, float, str))


def _weight_in_channels(module: nn.Module) -> int | None:
    """A conv whose in_channels attribute was set after construction (`conv.in_channels = 1`)
    still computes with its weight: the channels the weight takes, when they differ."""
    weight = getattr(module, "weight", None)
    if (
        isinstance(module, nn.modules.conv._ConvNd)
        and not module.transposed
        and isinstance(weight, torch.Tensor)
        and weight.dim() >= 3
        and weight.shape[1] * module.groups != module.in_channels
    ):
        return int(weight.shape[1] * module.groups)
    return None


def _attention_attrs(module: nn.Module) -> dict:
    """A Transformer encoder/decoder (or one of its layers) keeps its layout and heads in its
    attention sublayer; it checks masks before any sublayer runs, so they are recorded on it."""
    inner = getattr(module, "self_attn", None)
    layers = getattr(module, "layers", None)
    if inner is None and isinstance(layers, nn.ModuleList) and len(layers):
        inner = getattr(layers[0], "self_attn", None)
    if not isinstance(inner, nn.MultiheadAttention):
        return {}
    return {name: getattr(inner, name) for name in ("batch_first", "num_heads", "embed_dim")}


TENSOR = "<tensor>"  # stands for a tensor argument in `attrs["args"]`, keeping positions


def plain_value(value):
    if isinstance(value, torch.Tensor):
        return TENSOR
    if isinstance(value, (bool, int, float, str, type(None))):
        return value
    if isinstance(value, (list, tuple, torch.Size)):
        return [plain_value(v) for v in value]
    return repr(value)[:40]


def op_args(args, kwargs) -> dict:
    """An op's arguments for display and rules: positions kept, tensors as a marker."""
    out = {"args": [plain_value(a) for a in args]}
    for k, v in kwargs.items():
        out[k] = plain_value(v)
    return out
