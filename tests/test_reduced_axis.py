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


POOLED = """import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.features(x)
        x = x.mean(0)
        return self.fc(x)
"""


def test_a_mean_over_the_batch_is_moved_to_the_map_around_the_channels(tmp_path):
    """`x.mean(0)` of [B, 64, 8, 8] averages the samples; the channels `fc` is built for stay
    when the map (2, 3) is averaged instead: verified, ahead of in_features=8 (which loses the
    batch)."""
    path = tmp_path / "pooled.py"
    path.write_text(POOLED)
    (f,) = shapecheck.check(f"{path}:Net", "3x32x32", batch=4).findings
    first, resized = f.fixes
    assert (first.before, first.after) == ("x = x.mean(0)", "x = x.mean((2, 3))")
    assert first.verified is True and first.result_shape == (4, 10)
    assert resized.verified is False
    assert any("reduced dim 0 of [4, 64, 8, 8], the batch" in line for line in f.why)


TOWERS = """import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(100, 256)
        self.b = nn.Linear(300, 256)
        self.head = nn.Linear(512, 2)

    def forward(self, img, txt):
        z = torch.cat([self.a(img), self.b(txt)], dim=0)
        return self.head(z)
"""


def test_features_joined_along_the_batch_are_joined_side_by_side(tmp_path):
    """Two towers' [B, 256] joined along dim 0 double the rows; side by side they are the 512
    features the head is built for: the join along dim 1, verified, ahead of in_features=256."""
    path = tmp_path / "towers.py"
    path.write_text(TOWERS)
    (f,) = shapecheck.check(f"{path}:Net", ["100", "300"], batch=4).findings
    first, resized = f.fixes
    assert first.after == "z = torch.cat([self.a(img), self.b(txt)], dim=1)"
    assert first.verified is True and first.result_shape == (4, 2)
    assert resized.verified is False
    assert any("along dim 0, the batch: 2·4 rows" in line for line in f.why)


EDGES = """import torch
from torch import nn


class EdgeMLP(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.mlp = nn.Linear(2 * dim, dim)

    def forward(self, x, edge_index):
        row, col = edge_index
        h = self.mlp(torch.cat([x[row], x[col]], dim=0))
        return torch.zeros_like(x).index_add_(0, row, h)
"""


def test_edge_features_joined_along_the_edges_are_joined_side_by_side(tmp_path):
    """A graph's two endpoint features [E, 16] joined along dim 0 (the edges, no batch here)
    against an MLP built for 2·16: the join along dim 1, verified, ahead of in_features=16 (which
    only moves the error to the index_add_)."""
    path = tmp_path / "edges.py"
    path.write_text(EDGES)
    (f,) = shapecheck.check(f"{path}:EdgeMLP", ["20x16", "2x60:long"], no_batch=True).findings
    assert f.code == "SC102"
    first, resized = f.fixes
    assert first.after == "h = self.mlp(torch.cat([x[row], x[col]], dim=1))"
    assert first.verified is True and first.result_shape == (20, 16)
    assert resized.verified is False
    assert any("along dim 0, not the features: 2·60 rows" in line for line in f.why)


ACCURACY = """from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(20, 10)

    def forward(self, x, y):
        out = self.fc(x)
        preds = out.argmax(dim=0)
        return (preds == y).float().mean()
"""


def test_an_argmax_over_the_batch_compared_with_labels_is_taken_over_the_classes(tmp_path):
    """[B, 10].argmax(dim=0) is one index per class, [10], against labels [B]: over dim 1 it is
    one per sample. Found at batch 1 too (where [10] against [1] broadcasts), at batch 3."""
    path = tmp_path / "acc.py"
    path.write_text(ACCURACY)
    (f,) = shapecheck.check(f"{path}:Net", ["20", "scalar:long"], batch=4).findings
    assert f.code == "SC112" and f.fixes[0].after == "preds = out.argmax(dim=1)" and f.fixes[0].verified is True
    (g,) = shapecheck.check(f"{path}:Net", ["20", "scalar:long"]).findings
    assert g.message.startswith("at batch 3, ") and g.fixes[0].after == "preds = out.argmax(dim=1)"
