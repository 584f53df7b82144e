"""Meta twins of a model's tensors: same shapes, dtypes and strides, no storage, no copied weights.

The one place that makes them, for the meta engine (a state to call the model with), fix
re-runs (a deep copy to edit) and the symbolic engine (a state to hand to its fake mode).
"""

from __future__ import annotations

import copy
import itertools

import torch
from torch import nn


def meta_twin(tensor: torch.Tensor, requires_grad: bool | None = None) -> torch.Tensor:
    """A meta tensor like `tensor`, a Parameter where it is one (keeping its requires_grad
    unless one is given)."""
    twin = torch.empty_like(tensor, device="meta")
    if isinstance(tensor, nn.Parameter):
        keep = tensor.requires_grad if requires_grad is None else requires_grad
        return nn.Parameter(twin, requires_grad=keep)
    return twin


def meta_state(model: nn.Module, requires_grad: bool | None = None) -> dict[str, torch.Tensor]:
    """{name: meta twin} for every parameter and buffer, a tied tensor under each of its names."""
    named = itertools.chain(model.named_parameters(remove_duplicate=False), model.named_buffers(remove_duplicate=False))
    return {name: meta_twin(t, requires_grad) for name, t in named}


def meta_copy(model: nn.Module) -> nn.Module:
    """A deep copy whose parameters and buffers are meta twins: no weight is copied, and tied
    tensors stay tied."""
    memo: dict[int, object] = {id(t): meta_twin(t) for t in itertools.chain(model.parameters(), model.buffers())}
    return copy.deepcopy(model, memo)
