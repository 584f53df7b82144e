"""Mult-Adds: repeated calls, einsum, recurrent cells and biases, and PyTorch's own flop counter."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import shapecheck
from shapecheck.trace.costs import total_macs


def _macs(model, inputs, batch=1) -> int:
    return total_macs(shapecheck.check(model, inputs, batch=batch).trace)


class Twice(nn.Module):
    def __init__(self, bias=True):
        super().__init__()
        self.fc = nn.Linear(8, 8, bias=bias)

    def forward(self, x):
        return self.fc(self.fc(x))


def test_a_module_called_twice_is_counted_fully_each_time():
    # weights and the bias add at both calls: the second call's row holds no parameters
    assert _macs(Twice(), "8", batch=3) == 2 * (3 * 8 * 8 + 3 * 8)
    assert _macs(Twice(bias=False), "8", batch=3) == 2 * (3 * 8 * 8)


def test_einsum_is_counted_as_the_contraction_it_is():
    class Scores(nn.Module):
        def forward(self, q, k):
            return torch.einsum("bhid,bhjd->bhij", q, k)

    class Project(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.zeros(6, 7))

        def forward(self, x):
            return torch.einsum("...i,ij->...j", x, self.w)

    assert _macs(Scores(), ["4x10x16", "4x12x16"], batch=2) == 2 * 4 * 10 * 12 * 16
    assert _macs(Project(), "5x6", batch=2) == 2 * 5 * 6 * 7  # the ellipsis stands for [2, 5]


@pytest.mark.parametrize("cell, gates", [(nn.LSTMCell, 4), (nn.GRUCell, 3), (nn.RNNCell, 1)])
def test_recurrent_cells_count_their_gates_and_biases(cell, gates):
    batch, size, hidden = 2, 3, 5
    work = batch * gates * hidden * (size + hidden)
    assert _macs(cell(size, hidden), str(size), batch=batch) == work + batch * 2 * gates * hidden
    assert _macs(cell(size, hidden, bias=False), str(size), batch=batch) == work


def test_rnn_biases_are_counted_as_linear_biases_are():
    steps, batch, size, hidden, layers = 7, 2, 4, 6, 2
    with_bias = _macs(nn.LSTM(size, hidden, num_layers=layers, batch_first=True), f"{steps}x{size}", batch=batch)
    without = _macs(
        nn.LSTM(size, hidden, num_layers=layers, batch_first=True, bias=False), f"{steps}x{size}", batch=batch
    )
    # b_ih and b_hh: one add per gate value each, at every step of every layer
    assert with_bias - without == layers * steps * batch * 2 * 4 * hidden
    assert without == steps * batch * 4 * hidden * ((size + hidden) + (hidden + hidden))


# PyTorch's counter (torch.utils.flop_counter) counts 2 FLOPs per multiply-add of matmul and
# convolution, and no bias adds, normalisation or elementwise work; shapecheck counts bias adds
# and normalisation layers too, so it is a little higher, never lower.
FLOP_MODELS = ["resnet18", "mobilenet_v3_small", "vit_b_16", "swin_t", "maxvit_t"]


@pytest.mark.parametrize("name", FLOP_MODELS)
def test_mult_adds_agree_with_pytorchs_flop_counter(name):
    torchvision = pytest.importorskip("torchvision")
    from torch.utils.flop_counter import FlopCounterMode

    with torch.device("meta"):
        model = getattr(torchvision.models, name)().eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.empty(1, 3, 224, 224, device="meta"))
    theirs = counter.get_total_flops() / 2
    ours = _macs(name, "3x224x224")
    assert theirs <= ours <= theirs * 1.005, (name, ours, theirs)
