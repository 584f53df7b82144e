"""A reduction that took away the features a Linear is built for (a graph readout over the feature
axis instead of the nodes): the reduction over the other axis is the fix, verified, ahead of a
Linear resized to the node count."""

from __future__ import annotations

import shapecheck

READOUT = """import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, in_ch=10, hidden=20, classes=2):
        super().__init__()
        self.gc = nn.Linear(in_ch, hidden)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x, adj):
        h = torch.relu(adj @ self.gc(x))
        out = h.max(dim=-1).values
        return self.fc(out)
"""


def test_a_readout_over_the_features_is_fixed_by_reducing_over_the_nodes(tmp_path):
    path = tmp_path / "readout.py"
    path.write_text(READOUT)
    (f,) = shapecheck.check(f"{path}:Net", ["8x25x10", "8x25x25"], no_batch=True).findings
    assert f.code == "SC102"
    first = f.fixes[0]
    assert (first.before, first.after) == ("out = h.max(dim=-1).values", "out = h.max(dim=1).values")
    assert first.verified is True and first.result_shape == (8, 2)
    assert any("reduced dim 2 of [8, 25, 20]" in line for line in f.why)


def test_a_mean_over_the_right_axis_is_left_alone(tmp_path):
    path = tmp_path / "readout.py"
    path.write_text(READOUT.replace("h.max(dim=-1).values", "h.mean(dim=1)"))
    assert shapecheck.check(f"{path}:Net", ["8x25x10", "8x25x25"], no_batch=True).findings == []
