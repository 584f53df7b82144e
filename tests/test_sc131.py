"""SC131 on hand-built traces: the dim a row takes, the row upstream that removed it, and the
fix each reading gives; then the owner argument read from the edits of a chain."""

from helpers import TraceBuilder

from shapecheck.diagnose import diagnose
from shapecheck.diagnose.findings import Fix
from shapecheck.diagnose.owners import edited_argument, shared_argument
from shapecheck.diagnose.rules.sc131_dim_out_of_range import given_dims, indexed_dims, out_of_range


def _only(report):
    assert [f.code for f in report.findings] == ["SC131"], [(f.code, f.message) for f in report.findings]
    return report.findings[0]


def test_a_squeeze_that_took_the_batch_is_restored_to_the_dims_meant():
    b = TraceBuilder((1, 3, 8, 8))
    b.module("pool", "AdaptiveAvgPool2d", (1, 32, 1, 1))
    b.op("Tensor.squeeze", (32,), {"args": ["<tensor>"]}, line=9, source="x = self.pool(x).squeeze()")
    b.module("fc", "Linear", (10,), {"in_features": 32, "out_features": 10})
    b.op("F.log_softmax", None, {"args": ["<tensor>"], "dim": 1}, line=11, source="return F.log_softmax(x, dim=1)")
    finding = _only(diagnose(b.fail(), verify=False))
    assert finding.message == "`F.log_softmax` at line 11 takes dim 1 of a tensor with 1 dim"
    assert any("removed the dim: [1, 32, 1, 1] → [32]" in w for w in finding.why), finding.why
    assert finding.notes == ["PyTorch reports: Dimension out of range (expected to be in range of [-1, 0], but got 1)"]
    (fix,) = finding.fixes
    assert fix.after == "x = self.pool(x).squeeze(dim=(2, 3))"


def test_a_reduction_without_keepdim_gets_keepdim():
    b = TraceBuilder((1, 16))
    b.module("a", "Linear", (1, 8), {"in_features": 16, "out_features": 8})
    b.op("Tensor.sum", (1,), {"args": ["<tensor>", 1]}, line=5, source="s = self.a(x).sum(1)")
    b.op("Tensor.unsqueeze", None, {"args": ["<tensor>", 2]}, line=6, source="return s.unsqueeze(2)")
    finding = _only(diagnose(b.fail(), verify=False))
    assert finding.fixes[0].after == "s = self.a(x).sum(1, keepdim=True)"


def test_a_rank_kept_since_the_input_says_the_input_lacks_a_dim_and_offers_the_last_dim():
    b = TraceBuilder((1, 8))
    b.module("fc", "Linear", (1, 4), {"in_features": 8, "out_features": 4})
    b.op("F.softmax", None, {"args": ["<tensor>"], "dim": 2}, line=7, source="return F.softmax(self.fc(x), dim=2)")
    finding = _only(diagnose(b.fail(), verify=False))
    assert any("since the model input [1, 8]" in w and "dim 2 was meant as the last one" in w for w in finding.why)
    assert [f.after for f in finding.fixes] == ["return F.softmax(self.fc(x), dim=-1)"]


def test_two_dims_past_the_end_get_no_last_dim_reading():
    b = TraceBuilder((1, 8))
    b.op("Tensor.transpose", None, {"args": ["<tensor>", 1, 3]}, line=7, source="x = x.transpose(1, 3)")
    finding = _only(diagnose(b.fail(), verify=False))
    assert finding.fixes == []
    assert "expects 4 dims or more" in finding.why[0]


def test_an_index_with_more_entries_than_dims():
    b = TraceBuilder((3, 16), batch=3)
    b.module("fc", "Linear", (3, 1), {"in_features": 16, "out_features": 1})
    b.op("Tensor.squeeze", (3,), {"args": ["<tensor>"]}, line=8, source="score = self.fc(x).squeeze()")
    b.op("Tensor.__getitem__", None, {"args": ["<tensor>", ["slice(None, None, None)", 0]]}, line=9)
    finding = _only(diagnose(b.fail(), verify=False))
    assert finding.message == "`Tensor.__getitem__` at line 9 indexes 2 dims of a tensor with 1 dim"
    assert finding.notes == ["PyTorch reports: too many indices for tensor of dimension 1"]
    assert finding.fixes[0].after == "score = self.fc(x)"


def test_what_counts_as_a_dim_argument():
    b = TraceBuilder((2, 3))
    row = b.op("Tensor.transpose", (3, 2), {"args": ["<tensor>", 0, 1]})
    assert given_dims(row) == [0, 1] and out_of_range(row) is None
    row = b.op("torch.stack", (2, 3, 2), {"args": [["<tensor>", "<tensor>"], 2]}, inputs=[b.tensor((2, 3))])
    assert out_of_range(row) is None  # stack's dim may be one past the last
    row = b.op("torch.cat", None, {"args": [["<tensor>", "<tensor>"]], "dim": -3}, inputs=[b.tensor((2, 3))])
    assert out_of_range(row) == -3
    row = b.op("Tensor.__getitem__", None, {"args": ["<tensor>", [0, 1]]})
    assert indexed_dims(row) is None  # a list of positions or a tuple of them: not told apart
    row = b.op("Tensor.__getitem__", None, {"args": ["<tensor>", [None, "Ellipsis", 0]]})
    assert indexed_dims(row) == 1
    row = b.op("Tensor.__getitem__", None, {"args": ["<tensor>", ["slice(None, None, None)", "<tensor>"]]})
    assert indexed_dims(row) is None  # a tensor index takes as many dims as it has: unknown here


def test_the_argument_an_edit_replaced_is_read_at_any_position():
    norm = Fix(description="", before="self.n1 = nn.GroupNorm(8, cin)", after="self.n1 = nn.GroupNorm(8, 128)")
    conv = Fix(description="", before="self.c1 = nn.Conv2d(cin, cout, 3)", after="self.c1 = nn.Conv2d(128, cout, 3)")
    assert edited_argument(norm) == ("cin", 128)
    assert edited_argument(conv) == ("cin", 128)
    assert shared_argument([norm, conv]) == ("cin", 128)
    # digits shared by the old and new text are not split: 32 → 128 is the whole number
    narrow = Fix(description="", before="nn.Conv2d(32, 64, 3)", after="nn.Conv2d(128, 64, 3)")
    assert edited_argument(narrow) == ("32", 128)
    assert shared_argument([narrow, conv]) is None
    other = Fix(description="", before="nn.Conv2d(c_in, 64, 3)", after="nn.Conv2d(128, 64, 3)")
    assert shared_argument([other, conv]) is None
