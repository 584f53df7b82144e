"""Mechanisms for the weak families of the blind set (diffusion UNets, reductions over the wrong
dim, index ops, graph edge lists, multimodal joins), each on a model rebuilt from a public thread
(fixtures/v3/families.py), with a correct twin that must stay silent. Each test fails without
its mechanism: the first fix was another one, or there was no finding."""

from conftest import fixture_path

import shapecheck

V3 = "v3/families.py:"


def _check(name, inputs, **kw):
    return shapecheck.check(fixture_path(V3 + name), inputs, **kw)


def test_a_channel_count_set_by_the_models_own_argument_is_fixed_there():
    """dome272 #31: UNet(c_in=3) given 32 channels. The stem's in_channels comes down from
    `c_in` (`DoubleConv(c_in, 32)`): built with c_in=32 it runs, where an edit of the conv line
    would write 32 into a block every DoubleConv shares."""
    report = _check("TimeUNet", ["32x16x16", "scalar"])
    (finding,) = report.findings
    assert finding.code == "SC104"
    first = finding.fixes[0]
    assert first.code == "--arg c_in=32" and first.verified is True
    assert first.build_args == (("c_in", 32),)


def test_a_setting_not_named_where_the_layer_is_built_is_not_offered():
    """`c_out=3` has the stem's value too, but is not written on the lines that build it."""
    report = _check("TimeUNet", ["32x16x16", "scalar"])
    assert all("c_out" not in (f.code or "") for f in report.findings[0].fixes)


def test_a_sum_that_drops_its_dim_beside_a_kept_one_gets_keepdim():
    """FBA_Matting #7: `alpha * la + torch.sum(x, 1)` is [B, B, H, W]; the cause is the sum."""
    report = _check("MattingNoKeepdim", ["3x8x10"], batch=4)
    (finding,) = report.findings
    assert finding.code == "SC122"
    first = finding.fixes[0]
    assert "keepdim=True" in first.after and first.verified is True
    assert first.after.count("keepdim=True") == 1
    assert _check("MattingNoKeepdim", ["3x8x10"], batch=4, args={"keepdim": True}).findings == []


def test_a_column_picked_with_one_index_per_sample_pairs_the_samples():
    """sherjilozair/dqn #4: `vs[:, a]` with `a` [B] is [B, B]; each row by its own action."""
    report = _check("ColumnPick", ["6", "scalar:long", "scalar"], batch=5)
    picks = [f for f in report.findings if f.layer == "__getitem__"]
    assert [f.code for f in picks] == ["SC122"]
    assert picks[0].fixes[0].after.strip() == "q = vs[torch.arange(vs.size(0)), a]"
    assert _check("RowPick", ["6", "scalar:long", "scalar"], batch=5).findings == []


def test_a_softmax_over_one_side_of_a_conv_map_gets_both_readings():
    """InsightFace #65: softmax over the width of P-Net's [B, 2, H, W] map."""
    report = _check("PNet", ["3x12x16"], batch=3)
    (finding,) = report.findings
    assert finding.code == "SC120" and "width" in finding.message
    channels, spatial = finding.fixes
    assert channels.after.strip() == "return F.softmax(a, dim=1)" and channels.verified is True
    assert "H × W" in spatial.description and spatial.verified is None
    assert _check("PNet", ["3x12x16"], batch=3, args={"dim": 1}).findings == []
    assert _check("Heatmap", ["3x12x16"], batch=3).findings == []


def test_a_gather_index_longer_than_the_data_is_expanded_to_the_datas_size():
    """nmt-seq2seq #2: the index expanded to 300 for hiddens [B, T, 128]."""
    report = _check("LastHidden", ["6:long", "scalar:long"], batch=4)
    (finding,) = report.findings
    assert finding.code == "SC130"
    first = finding.fixes[0]
    assert first.after.strip().endswith(".expand(x.size(0), 1, hiddens.size(2))")
    assert first.verified is True
    assert _check("LastHidden", ["6:long", "scalar:long"], batch=4, args={"hidden_size": 128}).findings == []


def test_an_edge_list_given_as_rows_is_given_transposed_first():
    """TLC-GNN #3: edge_index [E, 2] joined with self-loops [2, N]: the data's layout."""
    report = _check("GCN", ["20x16", "40x2:long"], no_batch=True)
    (finding,) = report.findings
    assert finding.code == "SC109"
    data, code = finding.fixes[:2]
    assert data.code == "--input 20x16 --input 2x40:int64" and data.verified is True
    assert "edge_index.transpose(0, 1)" in code.after and code.verified is True
    assert _check("GCN", ["20x16", "2x40:long"], no_batch=True).findings == []


def test_a_join_whose_one_side_is_an_inputs_length_offers_the_input_at_the_others():
    """MultiModalMamba #3: 224 text tokens joined feature-wise with 196 image patches."""
    report = _check("TextImage", ["224:long", "3x224x224"])
    (finding,) = report.findings
    assert finding.code == "SC109"
    first = finding.fixes[0]
    assert first.code == "--input 196:int64 --input 3x224x224" and first.verified is True
    assert _check("TextImage", ["196:long", "3x224x224"]).findings == []


def test_a_model_whose_forward_names_dim_0_the_time_is_not_told_batch_first():
    """world-models #10: `seq_len, bs = actions.size(0), actions.size(1)` declares [T, N, F];
    traced with the batch in dim 0, batch_first=True was a verified fix that breaks the model."""
    assert _check("MixtureRNN", ["6x3", "6x8"], batch=7).findings == []
    report = _check("BatchFirstData", ["6x11"], batch=4)
    assert [f.code for f in report.findings] == ["SC116"]


def test_a_width_passed_down_by_a_block_is_set_where_the_block_is_built():
    """pyg #1939: `self.lin = nn.Linear(in_channels, out_channels)` in a block the model builds
    twice; the 50 came in as `in_channels` on `self.conv1 = GraphLayer(num_nodes, ...)`. Writing
    12 into the block's Linear would resize every GraphLayer; the fix is on conv1's line."""
    report = _check("NodeCountWidth", ["50x12"], no_batch=True)
    (finding,) = report.findings
    assert finding.code == "SC102"
    first = finding.fixes[0]
    assert first.after.strip() == "self.conv1 = GraphLayer(12, num_features)" and first.verified is True
    unet = _check("TimeUNet", ["32x16x16", "scalar"]).findings[0]
    assert unet.fixes[1].after.strip() == "self.inc = DoubleConv(32, 32)"
