"""Fixes found from the cause on fresh real bugs (issue 30), through the API on models of
fixtures/rules/: what the first fix says, and that a wrong one is not marked verified."""

from conftest import fixture_path

import shapecheck


def test_sc112_a_table_built_for_another_width_is_rebuilt_not_cropped():
    report = shapecheck.check(fixture_path("rules/sc112_broadcast_mismatch.py:RotaryForHidden"), "10x64")
    (finding,) = report.findings
    assert finding.code == "SC112"
    assert not any(f.verified for f in finding.fixes), [f.code for f in finding.fixes]
    first = finding.fixes[0]
    assert first.description.startswith("build `self.cos` [1, 1, 10, 64] for the width")
    assert "16 in dim 3 (not 64)" in first.description


def test_sc109_a_cache_joined_along_the_heads_is_joined_along_the_sequence():
    report = shapecheck.check(
        fixture_path("rules/sc109_concat_mismatch.py:CacheAlongHeads"), ["1x64", "4x7x16", "4x7x16"]
    )
    (finding,) = report.findings
    assert finding.code == "SC109"
    first = finding.fixes[0]
    assert first.verified is True
    assert "k = torch.cat((past_k, k), dim=2)" in first.code and "v = torch.cat((past_v, v), dim=2)" in first.code
    assert not any("interpolate" in f.description for f in finding.fixes)


def test_sc125_scores_pooled_by_index_against_targets_of_the_rows_before():
    report = shapecheck.check(
        fixture_path("rules/sc122_batch_pairs.py:PooledScoresNodeLabels"), ["20x6", "20:long", "20:long"], no_batch=True
    )
    (finding,) = report.findings
    assert finding.code == "SC125" and finding.is_error
    assert (
        finding.message
        == "`F.cross_entropy` at line 126 gets 4 rows of scores and 20 targets: it takes one class index per row"
    )
    assert any("made the 4 rows from 20 ([20, 16] → [4, 16])" in w for w in finding.why)
    assert finding.fixes[0].description.startswith("give the loss one target per row that `Tensor.index_add`")


def test_sc126_an_index_after_a_reduction_is_dropped_and_verified():
    report = shapecheck.check(fixture_path("rules/sc126_batch_lost.py:PooledFirstSample"), "50x16")
    (finding,) = report.findings
    assert finding.code == "SC126"
    first = finding.fixes[0]
    assert first.after.strip() == "pooled = self.lin(x).relu().mean(dim=1)" and first.verified is True


def test_sc126_an_index_of_the_batch_elsewhere_moves_to_the_next_dim():
    report = shapecheck.check(fixture_path("rules/sc126_batch_lost.py:FirstTokenOfBatch"), "10x16")
    (finding,) = report.findings
    assert [f.after.strip() for f in finding.fixes] == ["return self.fc(x[:, 0])", "return self.fc(x)"]
    assert [f.verified for f in finding.fixes] == [True, True]


def test_sc126_a_model_that_fails_at_the_other_batch_is_not_said_to_lose_it():
    report = shapecheck.check(fixture_path("rules/sc126_batch_lost.py:AttentionViewedBack"), "32x8x8")
    assert "SC126" not in [f.code for f in report.findings]


def test_sc121_the_permute_goes_after_a_call_the_view_is_made_on():
    report = shapecheck.check(fixture_path("rules/sc121_view_regroups.py:NormedPixelsAsTokens"), "32x8x8")
    (finding,) = [f for f in report.findings if f.code == "SC121"]
    assert finding.fixes[0].code == "t = self.norm(x).permute(0, 2, 3, 1).reshape(b, h * w, c)"


def test_sc127_a_tensor_unpacked_along_the_wrong_dim_is_transposed():
    path = fixture_path("rules/sc127_structured_output.py:EdgePairsUnpacked")
    report = shapecheck.check(path, ["10x16", "30x2:long"], no_batch=True)
    (finding,) = report.findings
    assert finding.code == "SC127" and finding.message.startswith("`edge_index` [30, 2] is unpacked into 2 names")
    data, fix = finding.fixes  # the data in the layout the code reads first (issue 30), then the code's transpose
    assert data.code == "--input 10x16 --input 2x30:int64" and data.verified is True
    assert fix.after.strip() == "row, col = edge_index.t()" and fix.verified is True
    correct = fixture_path("rules/sc127_structured_output.py:EdgePairsUnpackedCorrect")
    assert shapecheck.check(correct, ["10x16", "30x2:long"], no_batch=True).findings == []


def test_sc102_a_width_written_in_forward_is_the_models_setting():
    path = fixture_path("rules/sc102_in_features.py:TimeEncodedAtWrittenWidth")
    (finding,) = shapecheck.check(path, ["3x32x32", "scalar"]).findings
    assert finding.code == "SC102"
    first = finding.fixes[0]
    assert first.after.strip() == "emb = self.emb_layer(self.encode(t, self.time_dim))[:, :, None, None]"
    assert first.verified is True and first.safety == "safe"


def test_sc125_scores_selected_by_a_mask_get_the_targets_selected_the_same_way():
    """`F.cross_entropy(out[train_mask], y)`: meta has no kernel for the mask, the real engine
    traces it with seeded inputs (the same count of selected nodes at every run), and the fix
    that selects the labels too is checked there, as written."""
    spec = ["20x16", "20x20", "20:long", "20:bool"]
    path = fixture_path("rules/sc122_batch_pairs.py:MaskedNodeLoss")
    reports = [shapecheck.check(path, spec, no_batch=True) for _ in range(2)]
    (finding,) = reports[0].findings
    assert finding.code == "SC125"
    assert reports[0].engine == "real"
    assert finding.message == reports[1].findings[0].message
    assert finding.message.endswith("selected rows of scores and the targets of all 20 rows")
    (fix,) = finding.fixes
    assert fix.after.strip() == "return F.cross_entropy(out[train_mask], y[train_mask])"
    assert fix.verified is True


def test_sc106_whole_samples_grouped_by_a_view_are_no_finding():
    """Prototypical networks: `z.view(-1, k_shot, D).mean(1)` and `view(n_way, k_shot, -1)`
    group whole samples (each keeps its D values); no SC106 'mixes samples' or 'writes the
    batch as 5', and no warning that batch 17 (no multiple of 3) fails."""
    for model, spec in (("SetProtoGroups", ["3x8x8"]), ("SetProtoEpisode", ["3x8x8", "3x8x8"])):
        report = shapecheck.check(fixture_path(f"clean_hard.py:{model}"), spec, batch=15)
        assert report.findings == [], (model, [f.message for f in report.findings])


def test_stylegan_minibatch_groups_need_no_warning_at_a_batch_that_is_no_multiple():
    """`reshape(G, -1, C, H, W)` at batch 4 (G = 4) fails at batch 6 by design: no warning."""
    report = shapecheck.check(fixture_path("clean_hard.py:GanMinibatchStdGroups"), "16x4x4", batch=4)
    assert report.findings == [], [f.message for f in report.findings]


def test_groups_whole_samples_needs_two_sizes_in_front_of_every_sample_dim():
    from helpers import TraceBuilder

    from shapecheck.diagnose.layers import groups_whole_samples

    def view(shape_in, shape_out):
        b = TraceBuilder(shape_in)
        return b.op("Tensor.view", shape_out, {"args": ["<tensor>", *shape_out]}, inputs=[b.last])

    assert groups_whole_samples(view((15, 16), (5, 3, 16)))
    assert not groups_whole_samples(view((15, 16), (15, 16)))  # one size in front: no grouping
    assert not groups_whole_samples(view((32, 8, 4), (32, 32)))  # the sample's dims merged
    assert not groups_whole_samples(view((15, 16), (5, 3, 4, 4)))  # the sample's dims split
    assert not groups_whole_samples(view((15, 16), (15, 1, 16)))  # a unit dim, not groups
    failed = view((6, 8, 4, 4), (4, -1, 8, 4, 4))  # a batch of 6 in groups of 4: read as asked
    failed.outputs = []
    assert groups_whole_samples(failed)
    failed.attrs["args"] = ["<tensor>", 4, -1, 128]  # the sample's dims merged: not whole samples
    assert not groups_whole_samples(failed)


def test_sc102_a_patch_grid_flattened_one_dim_early_is_flattened_from_the_patch_dims():
    """[B, 14, 14, 3, 16, 16].flatten(2) gives 10752 = 14·768 features: the fix flattens from dim
    3 (768 per patch) and merges the grid into 196 tokens, verified through the position table;
    in_features=10752 is not."""
    report = shapecheck.check(fixture_path("rules/sc102_in_features.py:PatchFlattenEarly"), "3x224x224")
    (finding,) = report.findings
    assert finding.code == "SC102"
    first = finding.fixes[0]
    assert first.after.strip().endswith(".permute(0, 2, 4, 1, 3, 5).flatten(3).flatten(1, 2)")
    assert first.verified is True and first.result_shape == (1, 10)
    assert any("10752 = 14·768, dim 2 (14) merged" in w for w in finding.why)
    assert not any(f.verified for f in finding.fixes[1:])


def test_sc104_frames_into_a_conv3d_are_reordered_where_the_model_hands_them_over():
    """A clip as frames [B, T, C, H, W] into a Conv3d inside a Sequential: the first fix is the
    transpose on the user's `self.stem(clip)` line (checked by permuting that module's input),
    the --input is the other way, and in_channels=16 is not first."""
    report = shapecheck.check(fixture_path("rules/sc104_channel_mismatch.py:FramesIntoConv3d"), "16x3x8x8", batch=2)
    (finding,) = report.findings
    assert finding.code == "SC104"
    first = finding.fixes[0]
    assert first.after.strip() == "x = self.stem(clip.transpose(1, 2))"
    assert first.verified is True and first.result_shape == (2, 5)
    assert finding.fixes[1].code == "--input 3x16x8x8" and finding.fixes[1].description.startswith("or, ")


def test_sc105_a_spectrogram_without_its_channel_gets_it_at_the_call():
    report = shapecheck.check(fixture_path("rules/sc105_rank_mismatch.py:SpectrogramNoChannel"), "64x100", batch=4)
    (finding,) = report.findings
    assert finding.code == "SC105"
    first = finding.fixes[0]
    assert first.after.strip() == "h = self.conv(spec.unsqueeze(1))"
    assert first.verified is True and first.result_shape == (4, 10)
    assert finding.fixes[1].code == "--input 1x64x100"


def test_sc105_frames_per_sample_into_a_2d_cnn_are_folded_and_averaged_not_made_the_batch():
    """With a batch given, `--input 8x3x32x32` is 8 frames per sample: the fix folds them into the
    batch for the CNN and averages per clip; reading the 8 as the batch runs but breaks intent
    (8 rows for 2 samples). Neither is marked verified: a batch written into the per-sample input
    (torchsummary's (8, 3, H, W)) looks the same, and which it is, only the data says."""
    report = shapecheck.check(fixture_path("rules/sc105_rank_mismatch.py:FramesIntoConv2d"), "8x3x16x16", batch=2)
    (finding,) = report.findings
    assert finding.code == "SC105" and "8 images per sample" in finding.message
    first = finding.fixes[0]
    assert first.after.strip() == "f = self.cnn(x.flatten(0, 1)).unflatten(0, (x.size(0), -1)).mean(1)"
    assert not first.verified and "only" not in (first.check_note or "x") and "frames" in first.check_note
    batch_fix = finding.fixes[1]
    assert batch_fix.code == "--input 3x16x16 --batch 8"
    assert batch_fix.verified is False and "as the batch" in (batch_fix.runs_but or "")


def test_sc112_a_table_one_longer_than_the_tokens_gets_the_unused_class_token_in_front():
    """pos [1, 65, 64] against tokens [2, 64, 64], and `self.cls` [1, 1, 64] never read: the
    token joined in front is the fix, verified; cropping the table is the other reading, not
    marked verified."""
    report = shapecheck.check(
        fixture_path("rules/sc112_broadcast_mismatch.py:ClassTokenNeverJoined"), "3x32x32", batch=2
    )
    (finding,) = report.findings
    assert finding.code == "SC112"
    first, crop = finding.fixes
    assert first.after.strip() == "x = torch.cat([self.cls.expand(x.size(0), -1, -1), x], dim=1) + self.pos"
    assert first.verified is True and first.result_shape == (2, 10)
    assert crop.description.startswith("or, if the table has positions too many") and not crop.verified
    (unused,) = report.trace.unused_params
    assert (unused.owner, unused.name, unused.shape) == ("", "cls", (1, 1, 64))


def test_a_parameter_read_anywhere_in_its_class_is_not_unused():
    import torch
    from torch import nn

    from shapecheck.trace.containers import unused_parameters

    class ByName(nn.Module):
        def __init__(self):
            super().__init__()
            self.token = nn.Parameter(torch.zeros(1, 1, 4))
            self.spare = nn.Parameter(torch.zeros(3))

        def forward(self, x):
            return x + self.token

    class ByAttribute(nn.Module):
        def __init__(self):
            super().__init__()
            self.token = nn.Parameter(torch.zeros(1, 1, 4))

        def forward(self, x):
            return torch.cat([self.token.expand(x.size(0), -1, -1), x], 1)

    assert [p.name for p in unused_parameters(ByName())] == ["spare"]
    assert unused_parameters(ByAttribute()) == []


def test_sc109_tokens_of_two_towers_at_two_widths_get_a_projection_to_the_shared_one():
    """Image tokens 512 wide joined with text tokens 768 wide: the first fix is a new Linear(768,
    512) on the text (verified: the fusion encoder is 512 wide); the other way is offered second
    and does not fix it."""
    report = shapecheck.check(
        fixture_path("rules/sc109_concat_mismatch.py:TokensOfTwoWidths"), ["49x512", "16x768"], batch=2
    )
    (finding,) = report.findings
    assert finding.code == "SC109"
    first = finding.fixes[0]
    assert first.code.splitlines() == [
        "self.txt_tokens_proj = nn.Linear(768, 512)  # in __init__",
        "x = torch.cat([img_tokens, self.txt_tokens_proj(txt_tokens)], dim=1)",
    ]
    assert first.verified is True and first.result_shape == (2, 4)
    assert finding.fixes[1].description.startswith("or project the first tensor from 512 to 768")
    assert finding.fixes[1].verified is not True


def test_sc109_tokens_joined_with_a_vector_are_pooled_over_the_tokens_not_the_features():
    report = shapecheck.check(
        fixture_path("rules/sc109_concat_mismatch.py:TokensWithVector"), ["3x32x32", "12:long"], batch=4
    )
    (finding,) = report.findings
    assert finding.code == "SC109"
    first = finding.fixes[0]
    assert first.after.strip() == "return self.head(torch.cat([img.mean(1), txt], dim=1))"
    assert first.verified is True and first.result_shape == (4, 2)
    assert first.description.startswith("pool [4, 17, 64] over dim 1 (17)")


def test_sc128_a_similarity_of_two_towers_gets_a_projection_to_one_width():
    report = shapecheck.check(
        fixture_path("rules/sc128_matmul_shape.py:SimilarityOfTwoWidths"), ["3x16x16", "12:long"], batch=4
    )
    (finding,) = report.findings
    assert finding.code == "SC128"
    first = finding.fixes[0]
    assert first.code.splitlines() == [
        "self.txt_proj = nn.Linear(768, 512)  # in __init__",
        "return img @ self.txt_proj(txt).t()",
    ]
    assert first.verified is True and first.result_shape == (4, 4)
    assert any("different inputs" in w for w in finding.why)


def test_a_second_reading_put_first_by_the_retrace_drops_its_or():
    """A map joined with a vector: the tile is written first and the pool as `or pool …`; when the
    re-trace puts the pool first it drops its `or`, and the tile it passed takes it."""
    from shapecheck.diagnose import _first_reads_first
    from shapecheck.diagnose.findings import Fix

    tile, pool = Fix("repeat [4, 48] along dim 2, 3"), Fix("or pool [4, 64, 16, 16] over dim 2, 3 first")
    fixes = [pool, tile]  # as sorted: the verified pool first
    _first_reads_first(fixes, was_first=tile)
    assert [f.description for f in fixes] == [
        "pool [4, 64, 16, 16] over dim 2, 3 first",
        "or repeat [4, 48] along dim 2, 3",
    ]
    kept = [Fix("transpose it"), Fix("or, pass --input 3x8")]
    _first_reads_first(kept, was_first=kept[0])
    assert [f.description for f in kept] == ["transpose it", "or, pass --input 3x8"]


def test_separate_towers_follows_each_tensor_back_to_its_own_input():
    from helpers import TraceBuilder

    from shapecheck.diagnose.rules.widths import input_roots, projected, separate_towers

    b = TraceBuilder((4, 3, 8, 8))
    img = b.module("visual", "Linear", (4, 512)).outputs[0]
    text = b.tensor((4, 12))
    b.trace.inputs.append(text)
    txt = b.op("Tensor.mean", (4, 768), inputs=[text]).outputs[0]
    both = b.op("torch.cat", (4, 1280), inputs=[img, txt]).outputs[0]
    assert input_roots(b.trace, img) == {0} and input_roots(b.trace, txt) == {1}
    assert separate_towers(b.trace, img, txt)
    assert not separate_towers(b.trace, img, both)  # the joined tensor holds the image too
    assert projected("txt.t()", "self.txt_proj", -2) == "self.txt_proj(txt).t()"
    assert projected("txt", "self.txt_proj", -1) == "self.txt_proj(txt)"


def test_sc102_a_mean_over_the_channels_before_a_flatten_is_taken_over_the_map():
    report = shapecheck.check(fixture_path("rules/sc102_in_features.py:ChannelMeanThenFlatten"), "3x32x32", batch=4)
    (finding,) = report.findings
    assert finding.code == "SC102"
    first = finding.fixes[0]
    assert first.after.strip() == "x = x.mean(dim=(2, 3))"
    assert first.verified is True and first.result_shape == (4, 10)
    assert "in_features=64" in finding.fixes[1].description  # the head locked to one size comes after


def test_sc126_a_mean_over_the_batch_of_token_states_goes_over_the_tokens():
    report = shapecheck.check(fixture_path("rules/sc126_batch_lost.py:TokensMeanOverBatch"), "18:long", batch=4)
    (finding,) = report.findings
    assert finding.code == "SC126"
    (fix,) = finding.fixes
    assert fix.after.strip() == "sent = h.mean(dim=1)"
    assert fix.verified is True and fix.result_shape == (4, 6)


def test_sc115_a_crnn_map_flattened_from_the_channels_makes_the_frames_the_steps():
    report = shapecheck.check(
        fixture_path("rules/sc115_rnn_input_size.py:CrnnFlattenedFromChannels"), "1x16x50", batch=2
    )
    (finding,) = report.findings
    assert finding.code == "SC115"
    first = finding.fixes[0]
    assert first.after.strip() == "x = x.permute(0, 3, 1, 2).flatten(2)"
    assert first.verified is True and first.result_shape == (2, 50, 20)
    assert "input_size=200" in finding.fixes[1].description


def test_sc125_scores_of_every_lstm_step_against_one_label_score_the_last_step():
    report = shapecheck.check(
        fixture_path("rules/sc115_rnn_input_size.py:LstmScoresEveryStep"), ["20x8", "scalar:long"], batch=4
    )
    (finding,) = report.findings
    assert finding.code == "SC125"
    first = finding.fixes[0]
    assert first.after.strip() == "return self.crit(logits[:, -1], y)"
    assert first.verified is True
    assert [f.description.startswith("or ") for f in finding.fixes] == [False, True, True]


def test_sc106_a_view_on_a_size_no_other_input_reaches_is_no_coincidence():
    """A factorization machine adds field offsets to its ids: no other field count gets to
    `e.view(-1, F * K)`, so the view's 24 values are the model's own, not a coincidence. LeNet's
    `x.view(-1, 400)`, reached at other image sizes, still warns."""
    report = shapecheck.check(fixture_path("clean_hard.py:RecFmSecondOrder"), "4:long", batch=3)
    assert [f.code for f in report.findings] == []
    lenet = shapecheck.check(fixture_path("rules/sc106_batch_mixing.py:LeNet"), "3x52x52")
    assert [f.code for f in lenet.findings] == ["SC106"]


def test_sc103_a_pool_sized_by_its_own_map_is_global():
    """CBAM's channel gate pools with `F.avg_pool2d(x, (x.size(2), x.size(3)))`: at every doubled
    input size the MLP gets [B, 16], so its Linear is not size-locked. LeNet's head still is."""
    report = shapecheck.check(fixture_path("clean_hard.py:VisionCbam"), "3x12x12", batch=3)
    assert [f.code for f in report.findings] == []
    lenet = shapecheck.check(fixture_path("rules/sc106_batch_mixing.py:LeNet"), "3x32x32")
    assert "SC103" in [f.code for f in lenet.findings]


def test_sc125_detr_scores_moved_to_dim_1_with_one_class_more_than_queries():
    """DETR's [B, Q, C+1] scores given as `logits.transpose(1, 2)` against [B, Q] targets, with
    C+1 = 5 and Q = 6: the input fits as written; not next-token scores one position short."""
    report = shapecheck.check(fixture_path("clean_hard.py:DetDetrSetLoss"), ["3x16x16", "3:long", "3x4"], batch=3)
    assert [f.code for f in report.findings] == []
    from helpers import TraceBuilder

    from shapecheck.diagnose import diagnose
    from shapecheck.trace.records import TensorInfo

    b = TraceBuilder((16,), batch=2)
    moved = b.op("Tensor.transpose", (2, 15, 64), source="loss = F.cross_entropy(logits.transpose(1, 2), y)")
    target = b.tensor((2, 16))
    target = TensorInfo(target.shape, dtype="int64", tid=target.tid, source=None)
    b.op("F.cross_entropy", None, inputs=[moved.outputs[0], target])
    assert "SC125" in [f.code for f in diagnose(b.fail()).findings]  # not moved to fit: still read


def test_sc121_attention_scores_between_heads_are_found_by_what_follows_the_length():
    """q [3, 12, 4, 8] @ kᵀ gives [3, 12, 4, 4]: dim 1 follows the input's 12 tokens, the scored
    dims are the 4 heads (traced at other lengths); the finding is at the scores' line and the
    fix moves the heads in front of the tokens after the split."""
    report = shapecheck.check(fixture_path("rules/sc121_view_regroups.py:HeadsNeverTransposed"), "12x32", batch=3)
    (finding,) = report.findings
    assert finding.code == "SC121"
    assert finding.message.endswith("scores the 4 heads against each other, not the 12 tokens: [3, 12, 4, 4]")
    assert finding.location.source == "att = (q @ k.transpose(-2, -1)).softmax(dim=-1)"
    assert finding.fixes[0].code == "q = q.view(B, T, self.h, C // self.h).transpose(1, 2)"
    assert shapecheck.check(fixture_path("clean_hard.py:VitDeit"), "3x32x32", batch=3).findings == []


def test_sc117_mask_fixes_are_written_on_the_call():
    """A padding mask transposed on the call loses its `.t()`; a mask per sequence is repeated
    for the heads (not replaced by one mask for all): both written on the call, verified."""
    path = fixture_path("rules/sc117_attention_shape.py")
    (pad,) = shapecheck.check(f"{path}:PaddingMaskTransposedOnCall", ["12x32", "12:bool"], batch=3).findings
    assert pad.fixes[0].after.strip() == "out, _ = self.attn(x, x, x, key_padding_mask=mask)"
    assert pad.fixes[0].verified is True
    (per,) = shapecheck.check(f"{path}:MaskPerSequence", ["12x32", "12x12:bool"], batch=3).findings
    assert per.fixes[0].after.strip() == "out, _ = self.attn(x, x, x, attn_mask=attn_mask.repeat_interleave(4, dim=0))"
    assert per.fixes[0].verified is True and per.fixes[0].result_shape == (3, 12, 32)


def test_sc106_a_row_per_token_at_a_decode_step_of_one_token():
    """GPT-2's Conv1D `x.view(-1, x.size(-1))` and a MoE router's `view(-1, hidden_dim)` on one
    new token [B, 1, D]: at more tokens the rows are tokens and the model gives the batch back,
    so the 16 values per sample are no coincidence. A head that keeps the token rows as its
    output (B·T logits) still warns."""
    for model in ("LlmGpt2DecodeStep", "LlmMoeDecodeStep"):
        report = shapecheck.check(fixture_path(f"clean_hard.py:{model}"), "1x16", batch=3)
        assert [f.code for f in report.findings] == [], model
    kept = shapecheck.check(fixture_path("rules/sc106_batch_mixing.py:TokenRowsKept"), "1x16", batch=3)
    assert [f.code for f in kept.findings] == ["SC106"]


def test_batch_from_sample_on_a_hand_built_trace():
    """Frames per sample read as the batch break intent only where a batch was given, and only
    for the request that makes each sample's first dim the batch."""
    from types import SimpleNamespace

    from helpers import TraceBuilder

    from shapecheck.diagnose.intent import batch_from_sample
    from shapecheck.diagnose.requests import Rerun

    given = SimpleNamespace(trace=TraceBuilder((2, 8, 3, 16, 16), batch=2).trace)
    assert "8 rows for each of the 2 samples" in batch_from_sample(given, Rerun(dims=(3, 16, 16), batch=8))
    assert batch_from_sample(given, Rerun(dims=(3, 8, 16, 16))) is None  # a reorder keeps the batch
    assert batch_from_sample(given, Rerun(dims=(3, 16, 16), batch=4)) is None  # not the sample's dim
    default = SimpleNamespace(trace=TraceBuilder((1, 8, 3, 16, 16), batch=1).trace)
    assert batch_from_sample(default, Rerun(dims=(3, 16, 16), batch=8)) is None  # --input held the batch


def test_sc103_gem_pooling_sized_by_the_map_is_global():
    """GeM pooling (`F.avg_pool2d(x.clamp(min=eps).pow(p), (x.size(-2), x.size(-1)))`) on a ResNet
    body: the head gets the 512 channels at every input size, so it is not size-locked."""
    report = shapecheck.check(fixture_path("clean_hard.py:LibGemHead"), "3x64x64", batch=3)
    assert [f.code for f in report.findings] == []


def test_input_roots_reads_an_untraced_transpose_as_the_tensor_it_turns():
    """`v.T` runs no traced op: the operand [128, 4] is read as the latest traced [4, 128], so the
    two towers are still told apart."""
    from helpers import TraceBuilder

    from shapecheck.diagnose.rules.widths import input_roots, separate_towers
    from shapecheck.trace.records import TensorInfo

    b = TraceBuilder((4, 30, 40))
    a = b.module("audio", "Linear", (4, 256)).outputs[0]
    frame = b.tensor((4, 3, 16, 16))
    b.trace.inputs.append(frame)
    b.op("F.normalize", (4, 128), inputs=[frame])
    turned = TensorInfo((128, 4), tid=None)
    assert input_roots(b.trace, turned) == {1}
    assert separate_towers(b.trace, a, turned)


def test_sc103_a_critic_that_also_scores_the_generators_images_is_sized_by_it():
    """StyleGAN2's regularisers score the generator's 8x8 images and the real ones with the same
    critic: the generator makes that size from vectors, so the head's 64 features are the
    model's design. A critic scoring two data inputs still warns."""
    report = shapecheck.check(fixture_path("clean_hard.py:GanPathLengthR1"), ["8", "3x8x8"], batch=3)
    assert [f.code for f in report.findings] == []
    critic = shapecheck.check(fixture_path("rules/sc103_size_locked.py:CriticOnTwoImages"), ["3x16x16", "3x16x16"])
    assert [f.code for f in critic.findings] == ["SC103"]
    wave = shapecheck.check(fixture_path("rules/sc103_size_locked.py:WaveLockedHead"), "100", batch=3)
    assert [f.code for f in wave.findings] == ["SC103"]  # a [B, L] input whose length reaches the head


def test_sc124_a_library_table_expanded_past_its_length_reads_as_an_input_too_long():
    from helpers import TraceBuilder

    from shapecheck.diagnose import diagnose
    from shapecheck.trace.records import Location, TensorInfo

    b = TraceBuilder((2, 20))
    b.trace.inputs[0] = TensorInfo((2, 20), dtype="int64", tid=1)
    table = TensorInfo((1, 16), tid=50, from_input=False)
    row = b.op("Tensor.expand", None, {"args": ["<tensor>", 2, 20]}, inputs=[table])
    row.called_at = Location("/x/site-packages/transformers/models/bert/modeling_bert.py", 95, "t.expand(b, n)")
    (f,) = [f for f in diagnose(b.fail("expand")).findings if f.code == "SC124"]
    assert f.message == "the input has 20 tokens; the model holds positions for 16"
    assert f.fixes[0].code == "--input 16:long"
    row.called_at = Location("model.py", 95, "t.expand(b, n)")  # the user's own table: not this reading
    assert not any(f.code == "SC124" for f in diagnose(b.trace).findings)


def test_sc116_a_packed_sequence_is_no_batch_folded_into_one_sequence():
    """`pack_padded_sequence(..., enforce_sorted=False)` hands the LSTM [sum of lengths, F] with its
    batch_sizes: at batch 4 the lengths summed to 4 per sample and read as 4 samples of 4 steps
    folded into one sequence. Frames folded with a view still are."""
    report = shapecheck.check(fixture_path("clean_hard.py:NlpPackedLstm"), "7:long", batch=4)
    assert [f.code for f in report.findings] == []
    folded = shapecheck.check(fixture_path("rules/sc116_batch_first.py:ClipFrames"), "6x3x16x16", batch=2)
    assert folded.findings[0].code == "SC116" and "folded into one sequence" in folded.findings[0].message


def test_sc106_a_batch_sliced_into_support_and_queries_mixes_no_samples():
    """`sup, qry = z[:half], z[half:]`: the first half of the batch are labelled supports, the
    rest queries scored against their prototypes; the output has a row per query, half the
    batch, and every row is one sample's. Two samples viewed into one row still mix."""
    report = shapecheck.check(fixture_path("clean_hard.py:SetProtoByLabels"), ["10", "scalar:long"], batch=4)
    assert [f.code for f in report.findings] == []
    halved = shapecheck.check(fixture_path("rules/sc106_batch_mixing.py:HalvedBatch"), "3x16x16", batch=4)
    assert [f.code for f in halved.findings] == ["SC106"]


def test_no_projection_between_towers_over_a_size_1_dim_or_a_square_matrix():
    """Features of two inputs at two widths get a projection; an adjacency [N, N] times node
    features with an extra dim of 1 ([N, 1, C]) is no such pair: no new Linear over the nodes."""
    from shapecheck.diagnose.rules.widths import separate_towers
    from shapecheck.trace.records import TensorInfo, Trace

    img, txt = TensorInfo((4, 512), tid=1), TensorInfo((768, 4), tid=2)
    trace = Trace(model="m", inputs=[img, txt], engine="meta")
    assert separate_towers(trace, img, txt, (512, 768))
    adj, feats = TensorInfo((20, 20), tid=1), TensorInfo((20, 1, 32), tid=2)
    trace = Trace(model="m", inputs=[adj, feats], engine="meta")
    assert separate_towers(trace, adj, feats)  # different inputs all the same
    assert not separate_towers(trace, adj, feats, (20, 1))
