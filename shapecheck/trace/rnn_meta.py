"""The shapes of `torch.lstm`, `torch.gru`, `torch.rnn_tanh` and `torch.rnn_relu` on meta, at
once.

On meta, PyTorch runs these as their decomposition: each layer, direction and time step as
separate ops, with Python meta kernels. An LSTM at 500 tokens took 6 s to trace and 12 s to
check, ten times its time at 50; its outputs' shapes follow from the arguments alone. `nn.LSTM`
and its kin check the input and state sizes in Python before they call these, so nothing a real
run would refuse gets through. Anything unexpected (symbolic sizes, another argument layout)
returns None: the op then runs as it is.
"""

from __future__ import annotations

import torch


def lstm_shapes(args, kwargs):
    return _shapes(args, kwargs, cell_state=True)


def gru_shapes(args, kwargs):
    return _shapes(args, kwargs, cell_state=False)


def _shapes(args, kwargs, cell_state: bool):
    """`(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)`
    or, for a packed sequence, `(data, batch_sizes, hx, params, has_biases, num_layers, dropout,
    train, bidirectional)` → empty meta tensors of the output and final states' shapes."""
    if kwargs or len(args) != 9:
        return None
    x = args[0]
    packed = isinstance(args[1], torch.Tensor) and args[1].dtype == torch.int64
    shift = int(packed)  # a packed sequence's batch sizes come second: the rest one later
    states = _states(args[1 + shift], cell_state)
    if states is None or not all(_concrete(t) for t in (x, *states)):
        return None
    bidirectional = bool(args[7 + shift])
    width = (2 if bidirectional else 1) * states[0].shape[-1]  # proj_size when projected
    out_shape = _output_shape(x, packed, width)
    if out_shape is None:
        return None
    out = torch.empty(out_shape, dtype=x.dtype, device=x.device)
    return (out, *(torch.empty(s.shape, dtype=s.dtype, device=s.device) for s in states))


def _states(hx, cell_state: bool) -> tuple[torch.Tensor, ...] | None:
    """The initial states: (h, c) for an LSTM, h for the others; None when not tensors."""
    states = tuple(hx) if cell_state and isinstance(hx, (list, tuple)) else (hx,)
    if len(states) != (2 if cell_state else 1):
        return None
    return states if all(isinstance(s, torch.Tensor) for s in states) else None


def _output_shape(x: torch.Tensor, packed: bool, width: int) -> tuple[int, ...] | None:
    """The output's shape: the input's steps (and batch), each `width` wide."""
    if packed or x.dim() == 2:  # packed data [sum of lengths, features]; one unbatched sequence
        return (x.shape[0], width)
    if x.dim() == 3:
        return (*x.shape[:2], width)  # [T, N] or, batch first, [N, T]
    return None


def _concrete(t) -> bool:
    """A meta tensor of whole-number sizes (not symbolic ones)."""
    return isinstance(t, torch.Tensor) and t.device.type == "meta" and all(isinstance(d, int) for d in t.shape)


SHAPES = {
    "torch.lstm": lstm_shapes,
    "torch.gru": gru_shapes,
    "torch.rnn_tanh": gru_shapes,
    "torch.rnn_relu": gru_shapes,
}
