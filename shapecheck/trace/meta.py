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
    try:
        return copy.deepcopy(model, dict(memo))
    except Exception:  # an attribute that cannot be copied (a `threading.Lock`, a file): share that one
        return _structural_copy(model, memo, {})


# Hooks that belong to torch itself (weight_norm's recomputation, parametrizations) change what
# the module computes and stay on a copy; the caller's own hooks (activation captures) do not.
_HOOK_DICTS = ("_forward_pre_hooks", "_forward_hooks", "_backward_pre_hooks", "_backward_hooks")


def callers_copy(model: nn.Module, weights: str = "meta") -> nn.Module:
    """A copy of a module someone else owns (passed to `check`, met in a test or a notebook), to
    run instead of it: what forward assigns to attributes lands on the copy, and the caller's
    own hooks are left off it, so no meta tensor reaches the caller's objects. `weights`:
    "meta" (twins, nothing copied) or "clone" (real copies, for the real engine)."""
    tensors = itertools.chain(model.parameters(), model.buffers())
    twin = meta_twin if weights == "meta" else _clone
    twins = {id(t): _unsized(t, weights) if _is_unsized(t) else twin(t) for t in tensors}
    try:
        clone = copy.deepcopy(model, dict(twins))
    except Exception:  # an attribute that cannot be copied (a lock, a file): share that one
        clone = _structural_copy(model, dict(twins), {})
    for module in clone.modules():
        _drop_callers_hooks(module)
    return clone


def _drop_callers_hooks(module: nn.Module) -> None:
    """Hooks of the caller's own (not torch's) are left off a copy."""
    for name in _HOOK_DICTS:
        hooks = getattr(module, name, None) or {}
        for key, hook in list(hooks.items()):
            if not str(getattr(hook, "__module__", "") or "").startswith("torch."):
                del hooks[key]


def _is_unsized(tensor: torch.Tensor) -> bool:
    from torch.nn.parameter import UninitializedBuffer, UninitializedParameter

    return isinstance(tensor, (UninitializedParameter, UninitializedBuffer))


def _unsized(tensor, weights: str):
    """A lazy layer's parameter has no size yet: a new one, on meta for a meta copy (the copy's
    first pass sizes it there)."""
    device = "meta" if weights == "meta" else tensor.device
    return type(tensor)(requires_grad=tensor.requires_grad, device=device, dtype=tensor.dtype)


def _clone(tensor: torch.Tensor) -> torch.Tensor:
    twin = tensor.detach().clone()
    return nn.Parameter(twin, requires_grad=tensor.requires_grad) if isinstance(tensor, nn.Parameter) else twin


def _twinned(tensors: dict, twins: dict) -> dict:
    """A table of tensors with each one's twin in its place (None slots kept)."""
    return {k: twins.get(id(v), v) if v is not None else None for k, v in tensors.items()}


def _structural_copy(module: nn.Module, twins: dict, done: dict) -> nn.Module:
    """Each module copied with its own attribute, parameter, buffer, child and hook tables, and
    each attribute value deep-copied where it can be (`memo` holds the weights' twins); the
    values that cannot be copied are shared."""
    if id(module) in done:
        return done[id(module)]
    clone = copy.copy(module)
    done[id(module)] = clone
    clone.__dict__ = {}
    for name, value in module.__dict__.items():
        if name in ("_parameters", "_buffers", "_modules"):
            continue
        try:
            clone.__dict__[name] = copy.deepcopy(value, twins)
        except Exception:
            clone.__dict__[name] = value
    clone._parameters = _twinned(module._parameters, twins)
    clone._buffers = _twinned(module._buffers, twins)
    clone._modules = {
        k: _structural_copy(v, twins, done) if v is not None else None for k, v in module._modules.items()
    }
    return clone
