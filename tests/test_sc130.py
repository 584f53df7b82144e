"""SC130 on `index_add`/`index_copy`: one slice of the source per index entry."""

from helpers import TraceBuilder

from shapecheck.diagnose import diagnose


def _index_add(source_shape, index_len, source_line="out = out.index_add(0, edge_index[0], x)"):
    b = TraceBuilder((3, 8))
    out = b.last
    index = b.tensor((index_len,))
    source = b.tensor(source_shape)
    attrs = {"args": ["<tensor>", 0, "<tensor>", "<tensor>"]}
    b.op("Tensor.index_add", None, attrs, line=21, source=source_line, inputs=[out, index, source])
    return diagnose(b.fail("index_add_(): Number of indices (4) should be equal to source.size(dim): (3), for dim: 0"))


def test_index_add_with_more_indices_than_source_rows_names_both_counts():
    (f,) = [f for f in _index_add((3, 8), 4).findings if f.code == "SC130"]
    assert f.message == (
        "`Tensor.index_add` at line 21 gets 4 indices (`edge_index[0]`) but 3 slices of `x` [3, 8] along dim 0: "
        "it needs one slice per index"
    )
    assert f.fixes[0].description.startswith("give it one slice per index entry, [4, 8]")
    assert "Number of indices (4) should be equal to source.size(dim): (3), for dim: 0" in f.notes[0]


def test_index_add_whose_counts_agree_is_not_sc130():
    assert not any(f.code == "SC130" for f in _index_add((4, 8), 4).findings)


GNN = """import torch
from torch import nn


class Propagate(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.lin = nn.Linear(d_in, d_out)

    def forward(self, x, edge_index):
        src, dst = edge_index[0], edge_index[1]
        msg = self.lin(x)[src]
        out = torch.zeros(x.size(0), msg.size(1))
        return out.scatter_add(0, dst, msg)


class GNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = Propagate(16, 32)
        self.conv2 = Propagate(32, 7)

    def forward(self, x, edge_index):
        return self.conv2(torch.relu(self.conv1(x, edge_index)), edge_index)
"""


def test_a_scatter_index_expanded_per_call_verifies_through_two_layers_of_other_widths(tmp_path):
    """The scatter's line runs twice, with 32 then 7 features: the fix `expand_as(msg)` is
    re-run with each call's own messages, so it is verified to the [20, 7] output (a fixed
    [60, 32] expand would fail at the second layer and be marked 'does not fix it')."""
    import shapecheck

    path = tmp_path / "gnn.py"
    path.write_text(GNN)
    (f,) = shapecheck.check(f"{path}:GNN", ["20x16", "2x60:long"], no_batch=True).findings
    assert f.code == "SC130"
    (fix,) = f.fixes
    assert fix.after == "return out.scatter_add(0, dst.unsqueeze(-1).expand_as(msg), msg)"
    assert fix.verified is True and fix.result_shape == (20, 7)
