"""Graph and diffusion-UNet bugs from public threads, by the cause: an edge list [E, 2] read as
[2, E]; `torch.mm` given a batch of graphs; a GroupNorm group count that comes down from the
model's setting; an attention view written for another image size; node ids with a trailing 1."""

from conftest import fixture_path
from helpers import TraceBuilder

import shapecheck
from shapecheck.diagnose import diagnose
from shapecheck.trace.records import TensorInfo


def _codes(report):
    return [(f.code, str(f.severity)) for f in report.findings]


def test_an_edge_list_of_pairs_read_as_two_rows_is_the_cause_of_the_failing_join():
    """egnn-pytorch#37: edge_index (n_edges, 2) indexed as (2, n_edges); the join with the
    per-edge features fails two lines later. SC130 names the picks, first, with the data given
    as [2, E] (or the columns read) verified to the model's output."""
    report = shapecheck.check(
        fixture_path("rules/sc130_index_shape.py:PairListEdges"), ["10x16", "30x2:long", "30x4"], no_batch=True
    )
    assert _codes(report) == [("SC130", "error"), ("SC109", "error")]
    f = report.findings[0]
    assert f.message.startswith("`edge_index` [30, 2] is a list of 30 pairs, but line 50 reads it as [2, 30]")
    given, columns = f.fixes
    assert given.code == "--input 10x16 --input 2x30:int64 --input 30x4"
    assert given.verified is True and given.result_shape == (10, 32)
    assert columns.after == "src, dst = edge_index[:, 0], edge_index[:, 1]"
    assert columns.verified is True


def test_an_edge_list_read_as_two_rows_that_runs_is_a_warning_and_its_columns_are_clean():
    path = "rules/sc130_index_shape.py:"
    silent = shapecheck.check(fixture_path(path + "PairListSilent"), ["10x16", "30x2:long"], no_batch=True)
    assert _codes(silent) == [("SC130", "warning")] and silent.exit_code() == 0
    assert silent.findings[0].fixes[0].verified is True
    columns = shapecheck.check(fixture_path(path + "PairListColumns"), ["10x16", "30x2:long"], no_batch=True)
    assert columns.findings == []
    rows = shapecheck.check(fixture_path(path + "PairListSilent"), ["10x16", "2x30:long"], no_batch=True)
    assert rows.findings == []


def _pairs_trace(pairs_shape, dtype="int64"):
    """x [10, 16], pairs given as the second input; `pairs[0]`, `pairs[1]`; `x[src]`."""
    b = TraceBuilder((10, 16), batch=None)
    x = b.last
    b._tid += 1
    pairs = TensorInfo(tuple(pairs_shape), dtype=dtype, tid=b._tid)
    b.trace.inputs.append(pairs)
    line = "src, dst = pairs[0], pairs[1]"
    picked = []
    for k in (0, 1):
        row = b.op(
            "Tensor.__getitem__", pairs_shape[1:], {"args": ["<tensor>", k]}, line=5, source=line, inputs=[pairs]
        )
        picked.append(row.outputs[0])
    b.op("Tensor.__getitem__", (pairs_shape[1], 16), {"args": ["<tensor>", "<tensor>"]}, line=6, inputs=[x, picked[0]])
    return b.trace


def test_pair_list_reading_on_a_hand_built_trace():
    (f,) = [f for f in diagnose(_pairs_trace((30, 2))).findings if f.code == "SC130"]
    assert str(f.severity) == "warning" and f.row == 0
    assert "[0]` and `[1]` pick one pair each (2 entries), not the 30 firsts and 30 seconds" in f.message
    assert f.fixes[0].code == "--input 10x16 --input 2x30:int64"
    assert f.fixes[1].after == "src, dst = pairs[:, 0], pairs[:, 1]"


def test_pairs_in_the_two_row_layout_or_not_integers_or_square_are_not_read_as_a_list():
    for trace in (_pairs_trace((2, 30)), _pairs_trace((30, 2), dtype="float32"), _pairs_trace((2, 2))):
        assert not [f for f in diagnose(trace).findings if f.code == "SC130"]


def test_mm_given_a_batch_of_graphs_is_named_with_matmul_verified():
    """pyGAT#36: `torch.mm(h, W)` with h [B, N, F] raised into SC100; it is SC128 now."""
    path = "rules/sc128_matmul_shape.py:"
    report = shapecheck.check(fixture_path(path + "BatchedMM"), ["7x8", "7x7"], batch=2)
    (f,) = report.findings
    assert f.code == "SC128"
    assert f.message == "`torch.mm` at line 92 multiplies 2-D matrices only, and gets 3-D [2, 7, 8] and 2-D [8, 16]"
    assert f.fixes[0].after.strip() == "wh = torch.matmul(h, self.W)"
    assert f.fixes[0].verified is True and f.fixes[0].result_shape == (2, 7, 16)
    assert shapecheck.check(fixture_path(path + "BatchedMatmul"), ["7x8", "7x7"], batch=2).findings == []


def test_mm_rank_finding_on_a_hand_built_trace():
    b = TraceBuilder((4, 7, 8))
    w = b.tensor((8, 16))
    b.op("torch.mm", None, {}, line=18, source="Wh = torch.mm(h, self.W)", inputs=[b.last, w])
    (f,) = [f for f in diagnose(b.fail("self must be a matrix")).findings if f.code == "SC128"]
    assert f.fixes[0].after == "Wh = torch.matmul(h, self.W)"


def test_a_group_count_from_the_models_setting_is_fixed_at_the_setting():
    """diffusers#410: norm_num_groups=32 reaches every block's GroupNorm; the first block has 16
    channels. The fix is the setting's default, once, not a literal in the block."""
    report = shapecheck.check(fixture_path("rules/sc104_channel_mismatch.py:GroupsFromSetting"), "3x16x16")
    (f,) = report.findings
    fix = f.fixes[0]
    assert fix.after == "def __init__(self, widths=(16, 32), norm_num_groups=16):"
    assert fix.before == "def __init__(self, widths=(16, 32), norm_num_groups=32):"
    assert fix.verified is True and fix.result_shape == (1, 32, 16, 16)


def test_an_attention_view_written_for_another_size_is_read_from_the_tensor():
    """dome272/Diffusion-Models-pytorch#7: SelfAttention's `self.size` is for 64x64 images; at 128
    the view cuts each sample into 4 rows. Both the view (SC121) and the add the rows reach at
    batch 1 (SC119) lead with the size read from the tensor."""
    report = shapecheck.check(fixture_path("rules/sc121_view_regroups.py:FixedSizeAttention"), ["3x128x128", "64"])
    assert [f.code for f in report.findings] == ["SC121", "SC119"]
    want = "        x = x.view(-1, self.channels, x.shape[2] * x.shape[3]).swapaxes(1, 2)"
    for f in report.findings:
        assert f.fixes[0].after.strip() == want.strip(), f.code
    assert "the 4 rows come from `Tensor.view` at line 65" in report.findings[1].why[-1]


def test_node_ids_with_a_trailing_one_unbatched_keep_the_other_inputs():
    """pyg#8902: ids [N, 1] embedded as [N, 1, C]. Unbatched, the 1 is no batch: the fix says so
    and its --input keeps the adjacency input."""
    report = shapecheck.check(
        fixture_path("rules/sc128_matmul_shape.py:NodeIdsColumn"), ["20x1:long", "20x20"], no_batch=True
    )
    fix = report.findings[0].fixes[0]
    assert fix.code == "--input 20:int64 --input 20x20"
    assert "`x.squeeze(1)`" in fix.description and "batch of one" not in fix.description
    assert fix.verified is True


def test_a_timestep_given_as_a_map_is_given_as_one_value_per_sample():
    """milad1378yz/MOTFM#2: t passed as [B, 1, 256, 256] — "It should be [Batch_size]". The
    broadcast that fails has no fix of its own; the repair gives input 1 as a scalar, verified."""
    path = fixture_path("rules/sc112_broadcast_mismatch.py:TimestepMap")
    report = shapecheck.check(path, ["1x16x16", "1x16x16"])
    f = report.findings[0]
    assert f.code == "SC112"
    fix = f.fixes[0]
    assert fix.code == "--input 1x16x16 --input scalar"
    assert fix.verified is True and fix.result_shape == (1, 32, 16, 16)
    assert shapecheck.check(path, ["1x16x16", "scalar"]).findings == []


def test_an_edge_list_made_by_nonzero_is_read_by_its_columns():
    """`(adj > 0).nonzero()` is [E, 2]: without `.t()` its `[0]`, `[1]` are one edge each. The
    tensor has no lineage in the trace (nonzero runs on values): its picks on one line are enough."""
    path = "rules/sc130_index_shape.py:"
    report = shapecheck.check(fixture_path(path + "NonzeroEdges"), ["10x16", "10x10"], no_batch=True)
    (f,) = report.findings
    assert (f.code, str(f.severity)) == ("SC130", "warning")
    assert f.fixes[0].after == "src, dst = edge_index[:, 0], edge_index[:, 1]" and f.fixes[0].verified is True
    fine = shapecheck.check(fixture_path(path + "NonzeroEdgesTransposed"), ["10x16", "10x10"], no_batch=True)
    assert fine.findings == []


def test_a_timestep_given_as_a_column_is_given_as_one_value_per_sample():
    """t as [B, 1] (a loader's column): `t[:, None] * freqs` gives [B, 1, 1, D]. The same repair
    drops the 1; a [B, n] input with n > 1 is a vector per sample and is not tried."""
    path = fixture_path("rules/sc112_broadcast_mismatch.py:TimestepMap")
    fix = shapecheck.check(path, ["1x16x16", "1"], batch=3).findings[0].fixes[0]
    assert fix.code == "--input 1x16x16 --input scalar"
    assert fix.verified is True and fix.result_shape == (3, 32, 16, 16)
    vector = shapecheck.check(path, ["1x16x16", "4"], batch=3).findings[0]
    assert not any("scalar" in (f.code or "") for f in vector.fixes)
