"""Rows for taking part of a tensor: indexing, split and chunk, F.pad, masked_fill."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

import shapecheck


def test_vit_takes_the_class_token_in_a_row_of_its_own():
    report = shapecheck.check("vit_b_16", "3x224x224")
    index = [r for r in report.layers if r.type == "Tensor.__getitem__"]
    assert [(r.inputs[0].shape, r.outputs[0].shape) for r in index] == [((1, 197, 768), (1, 768))]
    assert report.layers[index[0].index + 1].name == "heads"
    assert not report.findings


def test_split_chunk_pad_and_masked_fill_are_rows():
    class Parts(nn.Module):
        def forward(self, x):
            a, _ = x.split(4, dim=1)
            c, _ = torch.chunk(x, 2, 1)
            padded = F.pad(a + c, (1, 1))
            return padded.masked_fill(padded > 0, 0.0)

    report = shapecheck.check(Parts(), "8x6", batch=2)
    rows = {r.type: r for r in report.layers if r.kind == "op"}
    assert [o.shape for o in rows["Tensor.split"].outputs] == [(2, 4, 6), (2, 4, 6)]
    assert [o.shape for o in rows["torch.chunk"].outputs] == [(2, 4, 6), (2, 4, 6)]
    assert rows["F.pad"].outputs[0].shape == (2, 4, 8)
    assert rows["Tensor.masked_fill"].outputs[0].shape == (2, 4, 8)
    assert all(r.attrs["category"] == "select" for t, r in rows.items() if t != "Tensor.__add__")


def test_a_distribution_and_a_dataclass_output_are_recorded():
    import dataclasses

    class Policy(nn.Module):
        def __init__(self):
            super().__init__()
            self.mu = nn.Linear(4, 2)
            self.log_std = nn.Parameter(torch.zeros(2))

        def forward(self, x):
            return torch.distributions.Normal(self.mu(x), self.log_std.exp())

    @dataclasses.dataclass
    class Out:
        logits: torch.Tensor
        aux: tuple

    class Heads(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)

        def forward(self, x):
            y = self.fc(x)
            return Out(y, (y.sum(1),))

    policy = shapecheck.check(Policy(), "4", batch=5)
    assert policy.engine == "meta"  # the Normal's value checks are off while tracing on meta
    assert [(o.key, o.shape) for o in policy.layers[0].outputs] == [(".loc", (5, 2)), (".scale", (5, 2))]
    heads = shapecheck.check(Heads(), "4", batch=5)
    assert [(o.key, o.shape) for o in heads.layers[0].outputs] == [(".logits", (5, 3)), (".aux[0]", (5,))]
    assert torch.distributions.Distribution._validate_args  # put back
