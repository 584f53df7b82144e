"""What a model holds in memory, measured on meta (no arithmetic, nothing allocated).

Two passes at each of two batch sizes:

- training: a forward pass with gradients on, where `saved_tensors_hooks` sees every tensor
  autograd keeps for backward; each is counted once (by storage), and charged to the module
  that was running when it was saved. Parameters are not activations and are left out.
- inference: a forward pass under `no_grad`, where a dispatch mode adds each new storage's bytes
  as an op makes it and takes them off when Python frees it: the most bytes alive at once.

Both grow linearly with the batch (every activation has the batch as a dim), so two batch sizes
give every other: `MemoryUse` (plain data, in `records`) extrapolates and answers `--fit`.
"""

from __future__ import annotations

import contextlib
import itertools
import warnings
import weakref
from collections import defaultdict

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

from ..spec import InputSpec
from .engines import META, make_inputs, no_fastpath, restore_flags, split_call, training_flags
from .records import MemoryUse

_BATCHES = (1, 2)


def measure(model: nn.Module, specs: list[InputSpec], *, batch: int | None, as_list: bool = False) -> MemoryUse:
    """Training and inference memory of `model` on inputs `specs`, per batch size.

    The passes run on fake CPU tensors, so kernels are chosen as on a real device (fused
    attention keeps a log-sum-exp, not the attention matrix); a model whose code reads tensor
    values cannot run there, and is measured on meta instead. Without a batch dim (`batch`
    None) the passes run once and nothing grows with a batch."""
    named = list(
        itertools.chain(model.named_parameters(remove_duplicate=False), model.named_buffers(remove_duplicate=False))
    )
    unique = {id(t): t for _, t in named}
    weights = sum(_nbytes(t) for t in unique.values())
    trainable = sum(_nbytes(t) for t in unique.values() if _trained(t))
    sizes = _BATCHES if batch is not None else (None,)
    try:
        saved, live, per_layer, forward = _passes(model, named, specs, sizes, as_list, fake=True)
    except Exception:
        saved, live, per_layer, forward = _passes(model, named, specs, sizes, as_list, fake=False)
    return MemoryUse(
        weight_bytes=weights,
        trainable_bytes=trainable,
        saved_fixed=saved[0] - _slope(saved),
        saved_per_sample=_slope(saved),
        live_fixed=live[0] - _slope(live),
        live_per_sample=_slope(live),
        segments=_segments(per_layer[0], per_layer[-1], _gradient_bytes(model)),
        batch_dim=batch is not None,
        forward_fixed=forward[0] - _slope(forward),
        forward_per_sample=_slope(forward),
    )


def _slope(values: list[int]) -> int:
    """Bytes per sample: the growth from a batch of 1 to a batch of 2 (0 with one pass)."""
    return values[1] - values[0] if len(values) == 2 else 0


def _trained(t) -> bool:
    """A parameter the optimizer updates: trainable, of a floating dtype."""
    return isinstance(t, nn.Parameter) and t.requires_grad and t.is_floating_point()


def _segments(first: dict[str, int], last: dict[str, int], grads: dict[str, int]) -> list[tuple]:
    """(module, bytes kept for backward at no batch, per sample, its gradients) for each module."""
    out = []
    for name, size in last.items():
        per_sample = _slope([first.get(name, 0), size])
        out.append((name, first.get(name, 0) - per_sample, per_sample, grads.get(name, 0)))
    return out


def _gradient_bytes(model: nn.Module) -> dict[str, int]:
    """Bytes of the gradients of each module's own parameters (a tied one at its first module)."""
    seen: set[int] = set()
    out: dict[str, int] = {}
    for name, module in model.named_modules():
        for p in module.parameters(recurse=False):
            if id(p) not in seen and p.requires_grad and p.is_floating_point():
                seen.add(id(p))
                out[name] = out.get(name, 0) + _nbytes(p)
    return out


def _passes(model, named, specs, sizes, as_list, *, fake: bool):
    """The training and inference pass at each size, on fake CPU tensors or on meta."""
    if fake:
        from torch._subclasses.fake_tensor import FakeTensorMode

        mode: contextlib.AbstractContextManager = FakeTensorMode()
        device = "cpu"
    else:
        mode, device = contextlib.nullcontext(), META
    twins: dict[int, torch.Tensor] = {}
    with mode:
        for _, t in named:
            if id(t) not in twins:
                twins[id(t)] = _twin(t, device)
    state = {name: twins[id(t)] for name, t in named}
    fixed = {t.untyped_storage()._cdata for t in twins.values()}
    saved, live, per_layer, forward = [], [], [], []
    for size in sizes:
        with mode:
            inputs = make_inputs(specs, size, device=device, as_list=as_list)
            kept, layers, peak = _training_pass(model, state, specs, inputs, fixed, device)
            saved.append(kept)
            per_layer.append(layers)
            forward.append(peak)
            live.append(_inference_pass(model, state, specs, inputs, fixed, device))
        del inputs
    return saved, live, per_layer, forward


def _twin(t: torch.Tensor, device: str) -> torch.Tensor:
    empty = torch.empty(t.shape, dtype=t.dtype, device=device)
    return nn.Parameter(empty, requires_grad=t.requires_grad) if isinstance(t, nn.Parameter) else empty


def _nbytes(t: torch.Tensor) -> int:
    return t.numel() * t.element_size()


def _forward(model, state, specs, inputs):
    args, kwargs = split_call(specs, inputs)
    return torch.func.functional_call(model, state, args, kwargs, strict=False)


@contextlib.contextmanager
def _quiet_pass(model: nn.Module, train: bool, device: str):
    flags = training_flags(model)
    grad = torch.is_grad_enabled()
    model.train(train)
    try:
        # On fake CPU tensors ops run as on a CPU, the attention fast path (eval) included:
        # no device context there (it is a torch-function mode, which turns the fast path off).
        # On meta, new tensors must be meta, and the fast path cannot run.
        places = contextlib.nullcontext() if device != META else torch.device(META)
        fast = contextlib.nullcontext() if device != META else no_fastpath()
        with warnings.catch_warnings(), places, fast:
            warnings.simplefilter("ignore")
            yield
    finally:
        restore_flags(flags)
        torch.set_grad_enabled(grad)


def _training_pass(model, state, specs, inputs, fixed: set, device: str) -> tuple[int, dict[str, int], int]:
    """Bytes kept for backward, in all and by module, and the most activation bytes alive at
    once in this forward (what is kept so far with the temporaries of the moment)."""
    running = [""]
    names = {id(m): name for name, m in model.named_modules()}
    handles = []

    def enter(module, args):
        running.append(names.get(id(module), running[-1]))
        by_layer.setdefault(running[-1], 0)  # in the order modules first run: backward's reverse

    def leave(module, args, output):
        if len(running) > 1:
            running.pop()

    seen: set[int] = set()
    by_layer: dict[str, int] = defaultdict(int)
    for module in model.modules():
        handles.append(module.register_forward_pre_hook(enter))
        handles.append(module.register_forward_hook(leave, always_call=True))

    def pack(t: torch.Tensor):
        key = t.untyped_storage()._cdata
        if key not in fixed and key not in seen:
            seen.add(key)
            by_layer[running[-1]] += t.untyped_storage().nbytes()
        return t

    live = _Live(fixed)
    for value in tree_leaves(inputs):
        if isinstance(value, torch.Tensor):
            live.add(value)
    try:
        with _quiet_pass(model, True, device), torch.enable_grad():
            with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t), live:
                out = _forward(model, state, specs, inputs)
            del out
    finally:
        for handle in handles:
            handle.remove()
    return sum(by_layer.values()), dict(by_layer), live.peak


class _Live(TorchDispatchMode):
    """Bytes of the storages ops make, while Python holds them; the most at once."""

    def __init__(self, fixed: set):
        super().__init__()
        self.fixed = fixed
        self.alive: set[int] = set()
        self.now = 0
        self.peak = 0

    def add(self, t: torch.Tensor) -> None:
        storage = t.untyped_storage()
        key = storage._cdata
        if key in self.fixed or key in self.alive:
            return
        self.alive.add(key)
        size = storage.nbytes()
        self.now += size
        self.peak = max(self.peak, self.now)
        weakref.finalize(storage, self._free, key, size)

    def _free(self, key: int, size: int) -> None:
        if key in self.alive:
            self.alive.discard(key)
            self.now -= size

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for value in tree_leaves(out):
            if isinstance(value, torch.Tensor):
                self.add(value)
        return out


def _inference_pass(model, state, specs, inputs, fixed: set, device: str) -> int:
    live = _Live(fixed)
    for value in tree_leaves(inputs):
        if isinstance(value, torch.Tensor):
            live.add(value)
    with _quiet_pass(model, False, device), torch.no_grad(), live:
        out = _forward(model, state, specs, inputs)
        del out
    return live.peak
