"""Read a checkpoint's tensor shapes without materialising its weights."""

from __future__ import annotations

import pickle
import zipfile

from ..errors import LoadError
from ..saved.records import CheckpointReport
from . import EXPORT, LEGACY, SAFETENSORS, SCRIPT, TORCH_ZIP, kind_of, safetensors_shapes

# Keys that training scripts wrap a state dict in, most specific first.
WRAPPERS = ("state_dict", "model_state_dict", "model", "net", "model_ema", "ema", "module", "network")
PREFIXES = ("module.", "_orig_mod.", "model.")


def load_weights_only(path: str, kind: str):
    """torch.load with weights_only=True (and mmap for the zip format): runs no code from the file."""
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True, mmap=kind == TORCH_ZIP)
    except pickle.UnpicklingError:
        raise LoadError(
            f"{path} holds pickled Python objects, not only tensors: unpickling them runs code from the file",
            hint="if you trust where the file comes from, pass --trust-pickle; otherwise save a state dict "
            "(torch.save(model.state_dict(), …)) and use --weights",
        ) from None
    except (EOFError, zipfile.BadZipFile, RuntimeError, OSError, ValueError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise LoadError(f"{path} is truncated or corrupt: {first[:160]}") from None


def _is_state(obj) -> bool:
    import torch

    return isinstance(obj, dict) and bool(obj) and all(isinstance(v, torch.Tensor) for v in obj.values())


def unwrap(obj, path: str) -> tuple[dict, str | None]:
    """The state dict inside a checkpoint: bare, or under one of the usual wrapper keys."""
    import torch

    found = _state_in(obj) if isinstance(obj, dict) else None
    if found is not None:
        return found
    if isinstance(obj, torch.nn.Module):
        raise LoadError(f"{path} holds a whole model, not a state dict; run `shapecheck {path} --trust-pickle`")
    keys = ", ".join(list(obj)[:8]) if isinstance(obj, dict) else type(obj).__name__
    raise LoadError(
        f"no state dict found in {path} (top level: {keys})",
        hint="expected tensors by name, or under one of: " + ", ".join(WRAPPERS),
    )


def _state_in(obj: dict) -> tuple[dict, str | None] | None:
    """The dict itself when it is a state dict, or the one under a wrapper key (one level, or
    two: `{"model": {"state_dict": …}}`), with that key."""
    if _is_state(obj):
        return dict(obj), None
    for key in WRAPPERS:
        inner = obj.get(key)
        if not isinstance(inner, dict):
            continue
        if _is_state(inner):
            return dict(inner), key
        sub = next((sub for sub in WRAPPERS if _is_state(inner.get(sub))), None)
        if sub is not None:
            return dict(inner[sub]), f"{key}.{sub}"
    return None


def strip_prefix(state: dict, model_keys) -> tuple[dict, str | None]:
    """Remove a prefix every key carries (`module.` from DataParallel/DDP) when the model lacks it."""
    model_keys = set(model_keys)
    for prefix in PREFIXES:
        if state and all(k.startswith(prefix) for k in state) and not any(k.startswith(prefix) for k in model_keys):
            return {k[len(prefix) :]: v for k, v in state.items()}, prefix
    return state, None


def checkpoint_shapes(path: str) -> tuple[dict, str | None, str]:
    """(key → shape, wrapper key, format) for a checkpoint file."""
    kind = kind_of(path)
    if kind == SAFETENSORS:
        return safetensors_shapes(path), None, "safetensors"
    if kind in (SCRIPT, EXPORT):
        raise LoadError(
            f"{path} is a {'TorchScript' if kind == SCRIPT else 'torch.export'} program, not a checkpoint",
            hint=f"run `shapecheck {path}` on it directly",
        )
    if kind not in (TORCH_ZIP, LEGACY):
        raise LoadError(f"{path} is not a checkpoint (a .py file?)")
    state, wrapper = unwrap(load_weights_only(path, kind), path)
    return {k: tuple(v.shape) for k, v in state.items()}, wrapper, "torch"


def compare(path: str, model) -> CheckpointReport:
    """The checkpoint's shapes next to the model's state dict (meta tensors: free)."""
    shapes, wrapper, fmt = checkpoint_shapes(path)
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    shapes, prefix = strip_prefix(shapes, expected)
    notes = []
    if wrapper:
        notes.append(f"the state dict sits under '{wrapper}'")
    if prefix:
        notes.append(f"every key starts with '{prefix}' (DataParallel/DDP or torch.compile); it was removed")
    return CheckpointReport(
        path=path, model=expected, checkpoint=shapes, wrapper=wrapper, prefix=prefix, format=fmt, notes=notes
    )
