"""Every rule on its fixtures: the broken form is found, the correct form is clean."""

import pytest
from conftest import fixture_path

import shapecheck

CASES = [
    # (code, fixture, input, expected codes); "+nobatch" / "+train" after the input set options
    ("SC101", "rules/sc101_missing_flatten.py:Broken", "3x32x32", ["SC101"]),
    ("SC101", "rules/sc101_missing_flatten.py:Silent", "3x32x32", ["SC101"]),
    ("SC101", "rules/sc101_missing_flatten.py:InSequential", "3x32x32", ["SC101"]),
    ("SC101", "rules/sc101_missing_flatten.py:Correct", "3x32x32", []),
    ("SC101", "vgg_no_flatten.py", "3x224x224", ["SC101"]),
    ("SC101", "vgg_no_flatten.py", "3x300x300", ["SC101"]),
    ("SC102", "rules/sc102_in_features.py:Broken", "3x32x32", ["SC102"]),
    ("SC102", "rules/sc102_in_features.py:MlpBroken", "20", ["SC102"]),
    ("SC102", "rules/sc102_in_features.py:Correct", "3x32x32", []),
    ("SC102", "rules/sc102_in_features.py:Correct", "3x100x100", []),
    ("SC102", "vgg_view.py", "3x300x300", ["SC102"]),
    ("SC103", "rules/sc103_size_locked.py:Broken", "3x32x32", ["SC103"]),
    ("SC102", "rules/sc103_size_locked.py:Broken", "3x48x48", ["SC102"]),
    ("SC103", "rules/sc103_size_locked.py:GlobalMean", "3x32x32", []),
    ("SC103", "rules/sc103_size_locked.py:Correct", "3x32x32", []),
    ("SC103", "rules/sc103_size_locked.py:Correct", "3x77x50", []),
    ("SC103", "vgg_view.py", "3x224x224", ["SC103"]),
    ("SC103", "vgg_adaptive.py", "3x224x224", []),
    ("SC103", "vgg_adaptive.py", "3x300x300", []),
    ("SC100", "rules/sc100_unclassified.py:Broken", "3x32x32", ["SC100"]),
    ("SC100", "rules/sc100_unclassified.py:Correct", "3x32x32", []),
    ("SC104", "rules/sc104_channel_mismatch.py:RgbStem", "1x64x64", ["SC104"]),
    ("SC104", "rules/sc104_channel_mismatch.py:RgbStem", "3x64x64", []),
    ("SC104", "rules/sc104_channel_mismatch.py:MidNetwork", "3x32x32", ["SC104"]),
    ("SC104", "rules/sc104_channel_mismatch.py:NormChannels", "3x32x32", ["SC104"]),
    ("SC104", "rules/sc104_channel_mismatch.py:Correct", "3x32x32", []),
    ("SC104", "rules/sc104_channel_mismatch.py:UnevenGroups", "3x32x32", ["SC104"]),
    ("SC104", "rules/sc104_channel_mismatch.py:UnevenGroupsCorrect", "3x32x32", []),
    ("SC105", "rules/sc105_rank_mismatch.py:SqueezedBatch", "1x28x28", ["SC105"]),
    ("SC105", "rules/sc105_rank_mismatch.py:SqueezedBatch", "1x28x28+batch2", []),
    ("SC105", "rules/sc105_rank_mismatch.py:FlattenMergesChannels", "1x9x9+nobatch", ["SC105"]),
    ("SC105", "rules/sc105_rank_mismatch.py:NoChannelDim", "8x28x28+nobatch", ["SC105"]),
    ("SC105", "rules/sc105_rank_mismatch.py:SilentUnbatched", "1x9x9+nobatch", ["SC105"]),
    ("SC105", "rules/sc105_rank_mismatch.py:Correct", "1x9x9+nobatch", ["SC105"]),
    ("SC105", "rules/sc105_rank_mismatch.py:Correct", "1x9x9", []),
    ("SC105", "rules/sc105_rank_mismatch.py:Correct", "1x1x9x9", ["SC105"]),
    ("SC105", "rules/sc105_rank_mismatch.py:Correct", "4x1x9x9", ["SC105"]),
    ("SC106", "rules/sc106_batch_mixing.py:LeNet", "3x32x32", ["SC106", "SC103"]),
    ("SC106", "rules/sc106_batch_mixing.py:LeNet", "3x52x52", ["SC106"]),
    ("SC106", "rules/sc106_batch_mixing.py:CatBranches", "3x32x32", ["SC106"]),
    ("SC106", "rules/sc106_batch_mixing.py:Correct", "3x32x32", []),
    ("SC107", "rules/sc107_input_too_small.py:FixedPool", "3x64x64", ["SC107"]),
    ("SC107", "rules/sc107_input_too_small.py:FixedPool", "3x224x224", ["SC103"]),
    ("SC107", "rules/sc107_input_too_small.py:FunctionalPool", "3x16x16", ["SC107"]),
    ("SC107", "rules/sc107_input_too_small.py:Clip", "3x4x32x32", ["SC107"]),
    ("SC107", "rules/sc107_input_too_small.py:Clip", "3x7x32x32", []),
    ("SC107", "rules/sc107_input_too_small.py:Correct", "3x64x64", []),
    ("SC107", "rules/sc107_input_too_small.py:Sequence", "4x16", ["SC107"]),
    ("SC107", "rules/sc107_input_too_small.py:Sequence", "4x32", []),
    ("SC107", "rules/sc107_input_too_small.py:CeilPool", "3x4x4", ["SC107"]),
    ("SC107", "rules/sc107_input_too_small.py:CeilPool", "3x7x7", ["SC103"]),
    ("SC108", "rules/sc108_batchnorm_single.py:PooledNorm", "3x32x32+train", ["SC108"]),
    ("SC108", "rules/sc108_batchnorm_single.py:PooledNorm", "3x32x32", []),
    ("SC108", "rules/sc108_batchnorm_single.py:VectorNorm", "16+train", ["SC108"]),
    ("SC108", "rules/sc108_batchnorm_single.py:VectorNorm", "16+train+batch2", []),
    ("SC108", "rules/sc108_batchnorm_single.py:Correct", "3x32x32+train", []),
    ("SC109", "rules/sc109_concat_mismatch.py:ClassTokenPerBatch", "3x32x32", ["SC109"]),  # runs at batch 1
    ("SC109", "rules/sc109_concat_mismatch.py:ClassTokenPerBatch", "3x32x32+batch4", ["SC109"]),
    ("SC109", "rules/sc109_concat_mismatch.py:ClassTokenPerBatchCorrect", "3x32x32", []),
    ("SC109", "rules/sc109_concat_mismatch.py:ClassTokenPerBatchCorrect", "3x32x32+batch4", []),
    ("SC109", "rules/sc109_concat_mismatch.py:TokenFusion", "77x300&154x768", ["SC109"]),
    ("SC109", "rules/sc109_concat_mismatch.py:TokenFusionCorrect", "77x300&154x768", []),
    ("SC109", "rules/sc109_concat_mismatch.py:UNet", "3x100x100", ["SC109"]),
    ("SC109", "rules/sc109_concat_mismatch.py:UNet", "3x96x96", []),
    ("SC109", "rules/sc109_concat_mismatch.py:Correct", "3x100x100", []),
    ("SC111", "rules/sc111_view_non_contiguous.py:Tokens", "3x8x8", ["SC111"]),
    ("SC111", "rules/sc111_view_non_contiguous.py:Correct", "3x8x8", []),
    ("SC112", "rules/sc112_broadcast_mismatch.py:Residual", "3x32x32", ["SC112"]),
    ("SC112", "rules/sc112_broadcast_mismatch.py:Correct", "3x32x32", []),
    ("SC112", "rules/sc112_broadcast_mismatch.py:TimeEmbedding", "32x8x8&16", ["SC112"]),
    ("SC112", "rules/sc112_broadcast_mismatch.py:TimeEmbeddingCorrect", "32x8x8&16", []),
    ("SC112", "rules/sc112_broadcast_mismatch.py:CausalMask", "10x32", ["SC112"]),
    ("SC112", "rules/sc112_broadcast_mismatch.py:CausalMaskCropped", "10x32", []),
    ("SC112", "rules/sc112_broadcast_mismatch.py:CachedKeysMask", "3x64&4x9x16&4x9x16", ["SC112"]),
    ("SC112", "rules/sc112_broadcast_mismatch.py:CachedKeysMaskOffset", "3x64&4x9x16&4x9x16+batch2", []),
    ("SC113", "rules/sc113_invalid_view.py:LeNet", "3x20x20", ["SC113"]),
    ("SC113", "rules/sc113_invalid_view.py:LeNet", "3x32x32", ["SC106", "SC103"]),
    ("SC113", "rules/sc113_invalid_view.py:Correct", "3x20x20", []),
    ("SC114", "rules/sc114_channels_last.py:SensorConv", "100x12", ["SC114"]),
    ("SC114", "rules/sc114_channels_last.py:SensorConvCorrect", "100x12", []),
    ("SC114", "rules/sc114_channels_last.py:TokenNorm", "50x8", ["SC114"]),
    ("SC114", "rules/sc114_channels_last.py:TokenNormCorrect", "50x8", []),
    ("SC114", "rules/sc114_channels_last.py:PatchStem", "64x64x3", ["SC114"]),
    ("SC114", "rules/sc114_channels_last.py:PatchStem", "3x64x64", []),
    ("SC115", "rules/sc115_rnn_input_size.py:Tagger", "20:long", ["SC115"]),
    ("SC115", "rules/sc115_rnn_input_size.py:TaggerCorrect", "20:long", []),
    ("SC115", "rules/sc115_rnn_input_size.py:ConvGru", "8x60", ["SC115"]),
    ("SC115", "rules/sc115_rnn_input_size.py:ConvGruCorrect", "8x60", []),
    ("SC116", "rules/sc116_batch_first.py:Forecaster", "50x32+batch4", ["SC116"]),
    ("SC116", "rules/sc116_batch_first.py:ForecasterCorrect", "50x32+batch4", []),
    ("SC116", "rules/sc116_batch_first.py:Encoder", "30x64+batch4", ["SC116"]),
    ("SC116", "rules/sc116_batch_first.py:EncoderCorrect", "30x64+batch4", []),
    ("SC116", "rules/sc116_batch_first.py:SeqFirstCorrect", "30x16+batch4", []),
    ("SC116", "rules/sc116_batch_first.py:ClipFrames", "6x3x16x16+batch2", ["SC116", "SC102"]),
    ("SC116", "rules/sc116_batch_first.py:ClipFramesCorrect", "6x3x16x16+batch2", []),
    ("SC116", "rules/sc116_batch_first.py:CrossAttentionBatchFirst", "10x64&49x64+batch4", []),
    ("SC117", "rules/sc117_attention_shape.py:Attend", "10x16", ["SC117"]),
    ("SC117", "rules/sc117_attention_shape.py:AttendCorrect", "10x16", []),
    ("SC117", "rules/sc117_attention_shape.py:TextEncoder", "20:long", ["SC117"]),
    ("SC117", "rules/sc117_attention_shape.py:MaskedAttend", "10x16&10:bool+batch2", ["SC117"]),
    ("SC117", "rules/sc117_attention_shape.py:MaskedAttendCorrect", "10x16&10:bool+batch2", []),
    ("SC117", "rules/sc117_attention_shape.py:MaskedAttendCorrect", "10x16&pad=8:bool+batch2", ["SC117"]),
    ("SC117", "rules/sc117_attention_shape.py:MaskedAttendCorrect", "10x16&pad=10:bool+batch2", []),
    ("SC117", "rules/sc117_attention_shape.py:CrossAttend", "10x64&30x32", ["SC117"]),
    ("SC117", "rules/sc117_attention_shape.py:CrossAttendCorrect", "10x64&30x32", []),
    ("SC117", "rules/sc117_attention_shape.py:CausalAttend", "10x16", ["SC117"]),
    ("SC117", "rules/sc117_attention_shape.py:CausalAttend", "20x16", []),
    ("SC117", "rules/sc117_attention_shape.py:CausalAttendCorrect", "10x16", []),
    ("SC117", "rules/sc117_attention_shape.py:PaddedEncoder", "12:long&mask=12:bool", []),
    ("SC117", "rules/sc117_attention_shape.py:PaddedEncoder", "12:long&mask=10:bool", ["SC117"]),
    ("SC117", "rules/sc117_attention_shape.py:PaddedEncoder", "12:long", []),
    ("SC118", "rules/sc118_embedding_input.py:Bag", "10", ["SC118"]),
    ("SC118", "rules/sc118_embedding_input.py:Bag", "10:long", []),
    ("SC118", "rules/sc118_embedding_input.py:ScaledIds", "10:long", ["SC118"]),
    ("SC118", "rules/sc118_embedding_input.py:ScaledIdsCorrect", "10:long", []),
    ("SC119", "rules/sc119_batch_broadcast.py:TutorialBatchFirst", "50x64+batch4", ["SC119"]),
    ("SC119", "rules/sc119_batch_broadcast.py:TutorialBatchFirstCorrect", "50x64+batch4", []),
    ("SC119", "rules/sc119_batch_broadcast.py:TutorialSeqFirst", "50x64+batch4", []),
    ("SC119", "rules/sc119_batch_broadcast.py:SlicedByLength", "50x64", ["SC119"]),
    ("SC120", "rules/sc120_softmax_dim.py:BatchSoftmax", "16+batch4", ["SC120"]),
    ("SC120", "rules/sc120_softmax_dim.py:BatchSoftmax", "16", ["SC120"]),
    ("SC120", "rules/sc120_softmax_dim.py:BatchSoftmaxCorrect", "16+batch4", []),
    ("SC120", "rules/sc120_softmax_dim.py:ScoreSoftmax", "20x32", ["SC120"]),
    ("SC120", "rules/sc120_softmax_dim.py:ScoreSoftmaxCorrect", "20x32", []),
    ("SC120", "rules/sc120_softmax_dim.py:LogitsLogSoftmax", "16", []),
    # the batch as one set, pooled by attention over its samples: by design
    ("SC120", "rules/sc120_softmax_dim.py:TilesAsBag", "16+batch5", []),
    ("SC120", "rules/sc120_softmax_dim.py:SetSummary", "16+batch3", []),
    ("SC120", "rules/sc120_softmax_dim.py:RankedList", "16&scalar+batch4", []),
    ("SC120", "rules/sc120_softmax_dim.py:BagBranches", "16+batch5", []),
    ("SC120", "rules/sc120_softmax_dim.py:BagBranchesProperty", "16+batch5", []),
    ("SC120", "rules/sc120_softmax_dim.py:ColumnCorrelation", "16&16+batch4", []),
    ("SC120", "rules/sc120_softmax_dim.py:SinkhornCodes", "16+batch3", []),
    ("SC121", "rules/sc121_view_regroups.py:MergeHeads", "50x64", ["SC121"]),
    ("SC121", "rules/sc121_view_regroups.py:MergeHeads", "8x64", ["SC121"]),  # 8 tokens, 8 heads
    ("SC121", "rules/sc121_view_regroups.py:MergeHeadsCorrect", "50x64", []),
    ("SC121", "rules/sc121_view_regroups.py:MergeHeadsCorrect", "8x64", []),
    ("SC122", "rules/sc122_batch_pairs.py:SquaredError", "8+batch4", ["SC122"]),
    ("SC122", "rules/sc122_batch_pairs.py:SquaredErrorCorrect", "8+batch4", []),
    ("SC122", "rules/sc122_batch_pairs.py:Similarity", "8+batch4", []),
    ("SC122", "rules/sc122_batch_pairs.py:SquaredDistances", "8+batch4", []),
    ("SC125", "rules/sc122_batch_pairs.py:MseLoss", "8+batch4", ["SC125"]),  # SC123's warning, explained
    ("SC125", "rules/sc122_batch_pairs.py:MseLossCorrect", "8+batch4", []),
    ("SC125", "rules/sc122_batch_pairs.py:MseLossModule", "3+batch4", ["SC125"]),  # the module's warning too
    ("SC125", "rules/sc122_batch_pairs.py:MseLossTwoOutputs", "3+batch4", ["SC125"]),  # fails: no broadcast
    ("SC123", "rules/sc122_batch_pairs.py:ImplicitSoftmax", "8+batch4", ["SC123"]),
    ("SC123", "rules/sc123_pytorch_warning.py:LegacyLossArgs", "3x16x16", []),
    ("SC123", "rules/sc123_pytorch_warning.py:DefaultAlignCorners", "3x16x16+batch2", []),
    ("SC123", "rules/sc123_pytorch_warning.py:InclusiveRange", "3x16x16", []),
    ("SC123", "rules/sc123_pytorch_warning.py:CrossWithoutDim", "16x16x3", ["SC123"]),
    ("SC106", "rules/sc106_batch_mixing.py:HalvedBatch", "3x16x16+batch4", ["SC106"]),
    ("SC104", "rules/sc104_channel_mismatch.py:WidthLikeChannels", "3x32x32+batch2", ["SC104"]),
    ("SC106", "rules/sc106_batch_mixing.py:PixelLogits", "3x16x16+batch2", []),
    ("SC101", "rules/sc101_missing_flatten.py:TokenGridMlp", "4x49x96+batch2", []),
    ("SC106", "rules/sc106_batch_mixing.py:SizedSelfAttention", "3x32x32&1+batch2", ["SC106", "SC112", "SC121"]),
    # right at 16 pixels only: the regrouping shows at other sizes
    ("SC121", "rules/sc106_batch_mixing.py:SizedSelfAttention", "3x16x16&1+batch2", ["SC121"]),
    ("SC102", "rules/sc106_batch_mixing.py:TokenFoldThenMismatch", "10x16+batch2", ["SC102"]),
    ("SC106", "rules/sc106_batch_mixing.py:OneRowView", "3x32x32+batch3", ["SC106", "SC102"]),
    ("SC124", "rules/sc124_embedding_range.py:Tagger", "600:long", ["SC124"]),
    ("SC126", "rules/sc126_batch_lost.py:MeanOverBatch", "10x16+batch4", ["SC126"]),
    ("SC126", "rules/sc126_batch_lost.py:MeanOverBatch", "10x16", ["SC126"]),  # at batch 1 too
    ("SC126", "rules/sc126_batch_lost.py:MeanOverTime", "10x16+batch4", []),
    ("SC127", "rules/sc127_structured_output.py:LastStep", "10x8", ["SC127"]),
    ("SC127", "rules/sc127_structured_output.py:LastStepUnpacked", "10x8", []),
    ("SC127", "rules/sc127_structured_output.py:Stacked", "8", ["SC127"]),
    ("SC127", "rules/sc127_structured_output.py:StackedByName", "8", []),
    ("SC127", "rules/sc127_structured_output.py:SequentialLstm", "10x8", ["SC127"]),
    ("SC127", "rules/sc127_structured_output.py:MaxOverTime", "8x50+batch4", ["SC127"]),
    ("SC127", "rules/sc127_structured_output.py:MaxOverTimeValues", "8x50+batch4", []),
    ("SC127", "rules/sc127_structured_output.py:InlineHeads", "8", ["SC127"]),
    ("SC127", "rules/sc127_structured_output.py:InlineHeadsLogits", "8", []),
    ("SC104", "rules/sc104_channel_mismatch.py:GroupNormWidth", "3x16x16", ["SC104"]),
    ("SC104", "rules/sc104_channel_mismatch.py:LayerNormWidth", "10x64", ["SC104"]),
    ("SC104", "rules/sc104_channel_mismatch.py:LayerNormWidthCorrect", "10x64", []),
    ("SC109", "rules/sc109_concat_mismatch.py:FuseImageText", "512&7:long+batch2", ["SC109"]),
    ("SC109", "rules/sc109_concat_mismatch.py:FuseImageTextPooled", "512&7:long+batch2", []),
    ("SC109", "rules/sc109_concat_mismatch.py:SummaryToken", "16&5x32+batch2", ["SC109"]),
    ("SC130", "rules/sc130_index_shape.py:MeanAggregate", "10x16&2x40:long+nobatch", ["SC130"]),
    ("SC130", "rules/sc130_index_shape.py:MeanAggregateExpanded", "10x16&2x40:long+nobatch", []),
    ("SC130", "rules/sc130_index_shape.py:PickTokens", "7x16&3:long+batch2", ["SC130"]),
    ("SC112", "rules/sc112_broadcast_mismatch.py:PositionsWithoutClassToken", "3x32x32+batch2", ["SC112"]),
    ("SC112", "rules/sc112_broadcast_mismatch.py:PositionsWithClassToken", "3x32x32+batch2", []),
    ("SC128", "rules/sc128_matmul_shape.py:Scores", "10x32+batch2", ["SC128"]),
    ("SC128", "rules/sc128_matmul_shape.py:ScoresCorrect", "10x32+batch2", []),
    ("SC128", "rules/sc128_matmul_shape.py:GroupedQuery", "10x64+batch2", ["SC128"]),
    ("SC128", "rules/sc128_matmul_shape.py:GroupedQueryRepeated", "10x64+batch2", []),
    ("SC128", "rules/sc128_matmul_shape.py:LearnedQueries", "7x16+batch4", ["SC128"]),
    ("SC128", "rules/sc128_matmul_shape.py:LearnedQueriesCorrect", "7x16+batch4", []),
    ("SC128", "rules/sc128_matmul_shape.py:LearnedQueriesCorrect", "7x16", []),
    ("SC124", "rules/sc124_embedding_range.py:Tagger", "512:long", []),
    ("SC124", "rules/sc124_embedding_range.py:TaggerCorrect", "600:long", []),
    ("SC124", "rules/sc124_embedding_range.py:OffsetPositions", "512:long+batch2", ["SC124"]),
    ("SC124", "rules/sc124_embedding_range.py:OffsetPositions", "510:long+batch2", []),
    ("SC104", "rules/sc104_channel_mismatch.py:Decoder", "3x32x32", ["SC104"]),
    ("SC104", "rules/sc104_channel_mismatch.py:DecoderCorrect", "3x32x32", []),
    ("SC102", "rules/sc102_in_features.py:FlattenAll", "3x16x16+batch4", ["SC102"]),
    ("SC126", "rules/sc102_in_features.py:FlattenAll", "3x16x16", ["SC126"]),
    ("SC106", "rules/sc106_batch_mixing.py:FusedOnBatch", "32&20+batch2", ["SC106"]),
    ("SC106", "rules/sc106_batch_mixing.py:TwoViews", "32&32+batch2", []),
    # pooled to a fixed size before `view(-1, C)`: the batch holds at every input size
    ("SC106", "rules/sc106_batch_mixing.py:PooledView", "3x32x32", []),
    ("SC106", "rules/sc106_batch_mixing.py:PooledView", "3x40x24+batch3", []),
    ("SC106", "rules/sc106_batch_mixing.py:PointMaxView", "3x50+batch2", []),
    ("SC106", "rules/sc106_batch_mixing.py:GroupedBySample", "4x8x8&6+batch3", []),
    ("SC112", "rules/sc112_broadcast_mismatch.py:BlockCausal", "20x32+batch2", ["SC112"]),
    ("SC112", "rules/sc112_broadcast_mismatch.py:BlockCausal", "16x32+batch2", []),
    ("SC109", "rules/sc109_concat_mismatch.py:EdgeMessages", "10x16&2x40:long&40+nobatch", ["SC109"]),
    ("SC109", "rules/sc109_concat_mismatch.py:EdgeMessagesCorrect", "10x16&2x40:long&40+nobatch", []),
    ("SC131", "rules/sc131_dim_out_of_range.py:SqueezedHead", "3x16x16", ["SC131"]),
    ("SC131", "rules/sc131_dim_out_of_range.py:SqueezedHead", "3x16x16+batch2", []),
    ("SC131", "rules/sc131_dim_out_of_range.py:SqueezedHeadCorrect", "3x16x16", []),
    ("SC131", "rules/sc131_dim_out_of_range.py:TwoScores", "16", ["SC131"]),
    ("SC131", "rules/sc131_dim_out_of_range.py:TwoScoresCorrect", "16", []),
    ("SC131", "rules/sc131_dim_out_of_range.py:ProbabilityHead", "16", ["SC131"]),
    ("SC131", "rules/sc131_dim_out_of_range.py:ProbabilityHeadCorrect", "16", []),
    ("SC131", "rules/sc131_dim_out_of_range.py:ScoreColumn", "16+batch3", ["SC131"]),
    ("SC131", "rules/sc131_dim_out_of_range.py:ScoreColumnCorrect", "16+batch3", []),
]


def _options(size: str):
    size, *flags = size.split("+")
    options = {"no_batch": "nobatch" in flags, "train": "train" in flags}
    for flag in flags:
        if flag.startswith("batch") and flag[5:].isdigit():
            options["batch"] = int(flag[5:])
    return (size.split("&") if "&" in size else size), options


@pytest.mark.parametrize("code, fixture, size, expected", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_rule_on_fixture(code, fixture, size, expected):
    size, options = _options(size)
    report = shapecheck.check(fixture_path(fixture), size, **options)
    assert [f.code for f in report.findings] == expected, [f.message for f in report.findings]
    assert report.exit_code() == (1 if report.errors else 0)
    assert report.engine == ("real" if expected == ["SC100"] else "meta"), report.engine_note
    for finding in report.findings:
        assert finding.location is not None and finding.location.line > 0
        assert finding.message[0].islower() or finding.message[0] == "`"
        assert not finding.message.endswith(".")
        if finding.is_error and code != "SC100" and finding.code == code:
            # Every error comes with at least one fix, and fixes that could be checked come first.
            assert finding.fixes, finding.message
            verified = [f.verified is True for f in finding.fixes]
            assert verified == sorted(verified, reverse=True)


def test_sc103_reports_the_exact_range():
    report = shapecheck.check(fixture_path("rules/sc103_size_locked.py:Broken"), "3x32x32")
    assert any("H = W from 32 to 39" in w for w in report.findings[0].why)


def test_sc102_size_range_and_fix_numbers():
    report = shapecheck.check(fixture_path("rules/sc102_in_features.py:Broken"), "3x32x32")
    (f,) = report.findings
    assert f.message == "`fc` expects 400 input features but receives 1024"
    assert any("H = W from 20 to 23" in w for w in f.why)
    assert f.fixes[0].description.startswith(
        "pool to a fixed size before flattening with `nn.AdaptiveAvgPool2d((5, 5))`"
    )
    assert f.fixes[1].after == "self.fc = nn.Linear(16 * 8 * 8, 10)"


def test_sc103_non_square_input_probes_each_dim():
    report = shapecheck.check(fixture_path("rules/sc103_size_locked.py:Broken"), "3x32x36")
    (f,) = report.findings
    assert any("H from 32 to 39 and W from 32 to 39" in w for w in f.why), f.why


VERIFIED = [
    # A fix of each kind that the re-trace must confirm, with the model's output shape after it.
    ("rules/sc101_missing_flatten.py:Broken", "3x32x32", "", "flatten", (1, 10)),
    ("vgg_view.py", "3x300x300", "", "AdaptiveAvgPool2d((7, 7))", (1, 100)),
    ("vgg_view.py", "3x300x300", "", "in_features=41472", (1, 100)),
    ("rules/sc104_channel_mismatch.py:RgbStem", "1x64x64", "", "repeat the gray channel", (1, 10)),
    ("rules/sc104_channel_mismatch.py:MidNetwork", "3x32x32", "", "in_channels=32", (1, 64, 32, 32)),
    ("rules/sc105_rank_mismatch.py:NoChannelDim", "8x28x28", "nobatch", "add the channel dim", (8, 16, 28, 28)),
    ("rules/sc106_batch_mixing.py:CatBranches", "3x32x32", "", "dim", (1, 2)),
    ("rules/sc107_input_too_small.py:FixedPool", "3x64x64", "", "AdaptiveAvgPool2d(1)", (1, 10)),
    ("rules/sc107_input_too_small.py:FixedPool", "3x64x64", "", "H = W ≥ 193", (1, 10)),
    ("rules/sc107_input_too_small.py:Clip", "3x4x32x32", "", "T ≥ 7", (1, 8, 1, 32, 32)),
    ("rules/sc107_input_too_small.py:Sequence", "4x16", "", "L ≥ 29", (1, 8, 1)),
    ("rules/sc107_input_too_small.py:Sequence", "4x16", "", "AdaptiveAvgPool1d(1)", (1, 8, 1)),
    ("rules/sc108_batchnorm_single.py:PooledNorm", "3x32x32", "train", "GroupNorm", (1, 10)),
    ("rules/sc109_concat_mismatch.py:UNet", "3x100x100", "", "96 or 112", (1, 1, 112, 112)),
    ("rules/sc109_concat_mismatch.py:UNet", "3x100x100", "", "interpolate", (1, 1, 100, 100)),
    ("rules/sc109_concat_mismatch.py:TokenFusion", "77x300&154x768", "", "dim=1", (1, 10)),
    ("rules/sc111_view_non_contiguous.py:Tokens", "3x8x8", "", "reshape", (1, 4)),
    ("rules/sc113_invalid_view.py:LeNet", "3x20x20", "", "--input 3x32x32", (1, 120)),  # not a pool up to 5x5
    ("rules/sc113_invalid_view.py:LeNet", "3x40x40", "", "pool to a fixed size", (1, 120)),  # 7x7 down to 5x5
    ("rules/sc114_channels_last.py:SensorConv", "100x12", "", "move the channels to dim 1", (1, 4)),
    ("rules/sc114_channels_last.py:TokenNorm", "50x8", "", "and move them back", (1, 50, 12)),
    ("rules/sc114_channels_last.py:PatchStem", "64x64x3", "", "--input 3x64x64", (1, 16, 64, 64)),
    ("rules/sc115_rnn_input_size.py:Tagger", "20:long", "", "input_size=100", (1, 20, 5)),
    ("rules/sc115_rnn_input_size.py:Tagger", "20:long", "", "embedding_dim=300", (1, 20, 5)),
    ("rules/sc115_rnn_input_size.py:ConvGru", "8x60", "", "move the features to the last dim", (1, 16)),
    ("rules/sc116_batch_first.py:Forecaster", "50x32", "batch4", "batch_first=True", (4, 5)),
    ("rules/sc116_batch_first.py:Encoder", "30x64", "batch4", "batch_first=True", (4, 3)),
    ("rules/sc116_batch_first.py:ClipFrames", "6x3x16x16", "batch2", "unfold the samples", (2, 4)),
    ("rules/sc116_batch_first.py:CrossAttention", "10x64&49x64", "batch4", "batch_first=True", (4, 3)),
    ("rules/sc117_attention_shape.py:Attend", "10x16", "", "embed_dim=64", (1, 10, 64)),
    ("rules/sc117_attention_shape.py:TextEncoder", "20:long", "", "embedding_dim=512", (1, 20, 512)),
    ("rules/sc118_embedding_input.py:Bag", "10", "", "int64 input", (1, 2)),
    ("rules/sc117_attention_shape.py:CrossAttend", "10x64&30x32", "", "kdim=32, vdim=32", (1, 10, 64)),
    (
        "rules/sc117_attention_shape.py:MaskedAttendCorrect",
        "10x16&pad=8:bool",
        "batch2",
        "--input pad=10:bool",
        (2, 10, 16),
    ),
    ("rules/sc117_attention_shape.py:PaddedEncoder", "12:long&mask=10:bool", "", "--input mask=12:bool", (1, 12, 32)),
    ("rules/sc105_rank_mismatch.py:Correct", "1x1x9x9", "", "--input 1x9x9", (1, 10)),
    ("rules/sc105_rank_mismatch.py:Correct", "4x1x9x9", "", "--input 1x9x9 --batch 4", (4, 10)),
    ("rules/sc120_softmax_dim.py:BatchSoftmax", "16", "batch4", "dim=1", (4, 10)),
    ("rules/sc120_softmax_dim.py:ScoreSoftmax", "20x32", "", "dim=1", (1, 32)),
    ("rules/sc112_broadcast_mismatch.py:PaddingMaskPerHead", "6x16", "batch2", "(~pad).unsqueeze(1)", (2, 4, 6, 6)),
    ("rules/sc112_broadcast_mismatch.py:OddSkipAdd", "2x50", "", "--input 2x52", (1, 8, 26)),
    ("rules/sc104_channel_mismatch.py:WidthLikeChannels", "3x32x32", "batch2", "in_channels=16", (2, 64, 32, 32)),
    ("rules/sc120_softmax_dim.py:BranchWeights", "16", "batch4", "Softmax(dim=0)", (4, 16)),
    ("rules/sc120_softmax_dim.py:TokenPooling", "10x8", "batch4", "dim=1", (4, 8)),
    ("rules/sc106_batch_mixing.py:HalvedBatch", "3x16x16", "batch4", "flatten everything", (4, 10)),
    ("rules/sc102_in_features.py:FlatReadout", "30x2", "nobatch", "keep the rows apart", (3, 1)),
    ("rules/sc104_channel_mismatch.py:FramesFirst", "8x3x32x32", "batch2", "--input 3x8x32x32", (2, 16)),
    ("rules/sc106_batch_mixing.py:SizedSelfAttention", "3x32x32&1", "batch2", "x.shape[2] * x.shape[3]", (2, 1024, 8)),
    ("rules/sc124_embedding_range.py:Tagger", "600:long", "", "--input 512:long", (1, 512, 5)),
    ("rules/sc124_embedding_range.py:OffsetPositions", "512:long", "batch2", "--input 510:long", (2, 510, 5)),
    ("rules/sc112_broadcast_mismatch.py:TimeEmbedding", "32x8x8&16", "batch2", "[:, :, None, None]", (2, 32, 8, 8)),
    ("rules/sc128_matmul_shape.py:Scores", "10x32", "batch2", "k.transpose(-2, -1)", (2, 4, 10, 8)),
    (
        "rules/sc130_index_shape.py:PickTokens",
        "7x16&3:long",
        "batch2",
        "idx.unsqueeze(-1).expand(-1, -1, h.size(2))",
        (2, 3, 32),
    ),
    (
        "rules/sc109_concat_mismatch.py:FuseImageText",
        "512&7:long",
        "batch2",
        "torch.cat([a, b.mean(1)], dim=-1)",
        (2, 2),
    ),
    (
        "rules/sc109_concat_mismatch.py:FuseTowersAlongDim1",
        "3x16x16&7:long",
        "batch2",
        "torch.cat([a, b.mean(1)], dim=1)",
        (2, 10),
    ),
    (
        "rules/sc109_concat_mismatch.py:ClassTokenPerBatch",
        "3x32x32",
        "batch4",
        "repeat it for every sample",
        (4, 10),
    ),
    (
        "rules/sc109_concat_mismatch.py:SummaryToken",
        "16&5x32",
        "batch2",
        "torch.cat([z.unsqueeze(1), seq], dim=1)",
        (2, 6, 32),
    ),
    ("rules/sc128_matmul_shape.py:GroupedQuery", "10x64", "batch2", "v = v.repeat_interleave(4, dim=1)", (2, 10, 64)),
    ("rules/sc128_matmul_shape.py:LearnedQueries", "7x16", "batch4", "multiply with `matmul`", (4, 64)),
    ("rules/sc127_structured_output.py:MaxOverTime", "8x50", "batch4", "`[0]` [4, 32]", (4, 3)),
    ("rules/sc127_structured_output.py:InlineHeads", "8", "", "`.logits` [1, 4]", (1, 2)),
    ("rules/sc112_broadcast_mismatch.py:CausalMask", "10x32", "batch2", ": att.size(-2), : att.size(-1)]", (2, 10, 10)),
    (
        "rules/sc112_broadcast_mismatch.py:CachedKeysMask",
        "3x64&4x9x16&4x9x16",
        "batch2",
        "self.mask[att.size(-1) - t : att.size(-1), : att.size(-1)]",
        (2, 3, 64),
    ),
    ("rules/sc104_channel_mismatch.py:Decoder", "3x32x32", "", "ConvTranspose2d(128, 64, 4, 2, 1)", (1, 3, 32, 32)),
    ("rules/sc102_in_features.py:FlattenAll", "3x16x16", "batch4", "start_dim=1", (4, 10)),
    ("rules/sc102_in_features.py:FlattenAll", "3x16x16", "", "start_dim=1", (1, 10)),
    ("rules/sc102_in_features.py:FlattenAllFromZero", "3x16x16", "batch4", "start_dim=1", (4, 10)),
    ("rules/sc112_broadcast_mismatch.py:BlockCausal", "20x32", "batch2", "--input 16x32", (2, 16, 32)),
    (
        "rules/sc109_concat_mismatch.py:EdgeMessages",
        "10x16&2x40:long&40",
        "nobatch",
        "edge_weight.unsqueeze(1)",
        (10, 32),
    ),
    ("rules/sc131_dim_out_of_range.py:SqueezedHead", "3x16x16", "", "squeeze(dim=(2, 3))", (1, 10)),
    ("rules/sc131_dim_out_of_range.py:TwoScores", "16", "", "sum(1, keepdim=True)", (1, 2)),
    ("rules/sc131_dim_out_of_range.py:ProbabilityHead", "16", "", "Softmax(dim=-1)", (1, 5)),
    ("rules/sc131_dim_out_of_range.py:ScoreColumn", "16", "batch3", "drop the `squeeze()`", (3,)),
]


@pytest.mark.parametrize("fixture, size, flags, text, result", VERIFIED, ids=[f"{v[0]}-{v[3]}" for v in VERIFIED])
def test_fix_is_verified_with_output_shape(fixture, size, flags, text, result):
    options = {"no_batch": "nobatch" in flags, "train": "train" in flags}
    if flags.startswith("batch"):
        options["batch"] = int(flags[5:])
    report = shapecheck.check(fixture_path(fixture), size.split("&"), **options)
    fixes = [x for f in report.findings for x in f.fixes if text in x.description or text in (x.code or "")]
    assert fixes, [x.description for f in report.findings for x in f.fixes]
    assert fixes[0].verified is True, fixes[0].check_note
    assert fixes[0].result_shape == result


def test_a_causal_mask_in_cross_attention_is_not_cropped_as_a_cache():
    """Keys from another sequence (their length follows the second input, not the queries'):
    the offset crop for cached keys is not offered."""
    fixture = fixture_path("rules/sc112_broadcast_mismatch.py:CrossAttentionCausalMask")
    (finding,) = shapecheck.check(fixture, ["5x64", "20x64"], batch=2).findings
    assert finding.code == "SC112"
    assert not [f for f in finding.fixes if "cached" in f.description or "att.size(-1) -" in (f.code or "")]


def test_a_join_read_two_ways_shows_the_reading_a_retrace_confirms_first():
    """[B, 64] with [B, T, 64] along dim 1: one more token, or the tokens pooled first. The head
    decides; the confirmed reading leads and the other says why it does not fix it."""
    report = shapecheck.check(fixture_path("rules/sc109_concat_mismatch.py:FuseTowersAlongDim1"), ["3x16x16", "7:long"])
    pool, token = report.findings[0].fixes
    assert pool.after.strip() == "return self.head(torch.cat([a, b.mean(1)], dim=1))" and pool.verified is True
    assert token.verified is False and "SC102" in token.check_note
    assert not pool.description.startswith("or ")


def test_frames_folded_into_the_batch_are_unfolded_before_the_rnn():
    """[B·T, F] reaches the LSTM as one sequence across the samples; the fix unfolds it at the
    call, and the head's in_features resized to the folded width is shown as breaking intent."""
    report = shapecheck.check(fixture_path("rules/sc116_batch_first.py:ClipFrames"), "6x3x16x16", batch=2)
    folded, head = report.findings
    assert folded.code == "SC116" and "2 samples of 6 steps folded into one sequence" in folded.message
    assert folded.fixes[0].after.strip() == "out, _ = self.lstm(f.view(-1, 6, f.size(-1)))"
    assert head.code == "SC102" and head.fixes[0].verified is False
    assert "lost the batch dim" in (head.fixes[0].runs_but or "")


def test_a_shared_token_joined_with_per_sample_ones_is_found_at_batch_1():
    """The model runs at batch 1, where [1, 1, D] meets [1, N, D]; at any other batch it fails.
    Diagnosed at batch 3, the fix expands the token to the batch read from the other item."""
    (f,) = shapecheck.check(fixture_path("rules/sc109_concat_mismatch.py:ClassTokenPerBatch"), "3x32x32").findings
    assert f.code == "SC109" and f.message.startswith("at batch 3, ") and "one for the whole batch" in f.message
    assert f.fixes[0].after.strip() == "x = torch.cat([self.cls.expand(x.size(0), -1, -1), x], dim=1) + self.pos"
    assert f.fixes[0].verified is True and f.fixes[0].result_shape == (3, 10)


def test_a_structure_passed_inline_is_taken_apart_at_the_inner_call():
    (f,) = shapecheck.check(fixture_path("rules/sc127_structured_output.py:MaxOverTime"), "8x50", batch=4).findings
    assert f.code == "SC127" and "gets the whole tuple `torch.max` at line" in f.message
    assert f.fixes[0].after.strip() == "return self.fc(torch.max(h, 2)[0])"
    (g,) = shapecheck.check(fixture_path("rules/sc127_structured_output.py:InlineHeads"), "8").findings
    assert g.fixes[0].after.strip() == "return self.head(self.backbone(x).logits)"


def test_a_view_written_for_one_sample_is_found_at_batch_1():
    """`x.view(1, -1)` runs at batch 1 (where SC103 warns about the input size only) and folds the
    batch into one row at batch 3: the batch-3 diagnosis names the view, and the head resized to
    the folded width is not verified (at batch 5 it fails where the unfixed model fails at 3)."""
    findings = shapecheck.check(fixture_path("rules/sc106_batch_mixing.py:OneRowView"), "3x32x32").findings
    view = next(f for f in findings if f.code == "SC106")
    assert view.message.startswith("at batch 3, ") and view.fixes[0].after.strip() == "x = x.view(x.size(0), -1)"
    assert view.fixes[0].verified is True
    head = next(f for f in findings if f.code == "SC102")
    assert head.fixes[0].verified is False and "lost the batch" in (head.fixes[0].runs_but or "")


def test_a_position_table_one_short_of_a_class_token_is_built_for_it():
    """[B, 17, D] (16 patches and a class token) + [1, 16, D]: the table is built where the model
    makes it, for 17 positions, and checked by building the model from that line."""
    (f,) = shapecheck.check(
        fixture_path("rules/sc112_broadcast_mismatch.py:PositionsWithoutClassToken"), "3x32x32", batch=2
    ).findings
    fix = f.fixes[0]
    assert fix.after == "self.pos_embedding = nn.Parameter(torch.zeros(1, n + 1, dim))"
    assert fix.verified is True and fix.result_shape == (2, 10)


def test_attention_that_fails_inside_torch_is_twinned_and_fixed_on_meta():
    """Cross-attention without batch_first fails in torch's own view when L ≠ S: no rule reads the
    meta failure alone, so the real engine traces it; SC116 then compares with a meta trace at
    another batch, and its fix is verified on meta as the repair search's are."""
    report = shapecheck.check(fixture_path("rules/sc116_batch_first.py:CrossAttention"), ["10x64", "49x64"], batch=4)
    (f,) = report.findings
    assert report.engine == "real" and f.code == "SC116"
    assert f.fixes[0].after.endswith("nn.MultiheadAttention(64, 4, batch_first=True)")
    assert f.fixes[0].verified is True and f.fixes[0].result_shape == (4, 3)


def test_fix_that_does_not_help_says_why():
    report = shapecheck.check(fixture_path("rules/sc105_rank_mismatch.py:SilentUnbatched"), "1x9x9", no_batch=True)
    (fix,) = report.findings[0].fixes
    assert fix.verified is False
    assert "SC102" in fix.check_note and "expects 49 input features but receives 490" in fix.check_note


BROKEN = [c for c in CASES if c[3] and c[3] != ["SC100"]]


@pytest.mark.parametrize("code, fixture, size, expected", BROKEN, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in BROKEN])
def test_quoted_pytorch_messages_are_what_a_real_run_prints(code, fixture, size, expected):
    """Each "PyTorch reports:" line is composed from shapes on meta; a real run (random weights,
    CPU) must print the same words."""
    size, options = _options(size)
    meta = shapecheck.check(fixture_path(fixture), size, **options)
    quoted = [
        n.removeprefix("PyTorch reports: ") for f in meta.findings for n in f.notes if n.startswith("PyTorch reports: ")
    ]
    if not quoted:
        pytest.skip("no PyTorch message quoted: the model runs, or the rule quotes none")
    real = shapecheck.check(fixture_path(fixture), size, engine="real", **options)
    assert real.trace.error is not None, "the real run did not fail"
    for text in quoted:
        assert text in real.trace.error.message


def test_a_warn_once_pytorch_warning_is_found_at_every_check():
    """`torch.cross` without `dim` warns once per process in PyTorch: a second check in the same
    process (a test run, a notebook, `watch()`) must still find it."""
    fixture = fixture_path("rules/sc123_pytorch_warning.py:CrossWithoutDim")
    first = shapecheck.check(fixture, "16x16x3").findings
    again = shapecheck.check(fixture, "16x16x3").findings
    assert [f.code for f in first] == [f.code for f in again] == ["SC123"]
