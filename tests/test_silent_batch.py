"""Silent batch bugs that show only at a batch size other than the traced one (issue 30): what
each looks like through the API, on models of fixtures/rules/."""

from conftest import fixture_path
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app


def test_sc122_pairs_samples_when_the_other_operand_has_a_size_one_input_dim():
    # y [B, 1] is an input whose dim of size 1 provenance doubles: the pairing dim follows it too
    report = shapecheck.check(fixture_path("rules/sc122_batch_pairs.py:SampleWeights"), ["8", "1", "scalar"])
    (finding,) = [f for f in report.findings if f.code == "SC122"]
    assert finding.message.endswith("[1] and [1, 1] broadcast to [1, 1]")
    afters = [f.after for f in finding.fixes]
    # the result is a loss's weight beside [B, 1] input and target: it keeps the rank, first
    assert afters == ["w = sample_w.unsqueeze(1) * y + 1.0", "w = sample_w * y.squeeze(1) + 1.0"]


def test_sc119_a_loss_weight_per_sample_spread_over_the_classes_at_batch_one():
    report = shapecheck.check(fixture_path("rules/sc119_batch_broadcast.py:SampleWeightedLoss"), ["20", "5", "scalar"])
    (finding,) = report.findings
    assert finding.code == "SC119"
    assert finding.message.endswith(
        "runs at batch 1 only: the per-sample [1] lines its batch dim up with dim 1 of [1, 5]"
    )
    (fix,) = finding.fixes
    assert fix.after == "return F.binary_cross_entropy_with_logits(self.fc(x), target, weight=w.unsqueeze(-1))"
    assert fix.verified is True  # at batch 3, where the misaligned weight fails


def test_sc119_a_weight_already_per_sample_is_not_flagged():
    report = shapecheck.check(
        fixture_path("rules/sc119_batch_broadcast.py:SampleWeightedLossCorrect"), ["20", "5", "scalar"]
    )
    assert report.findings == []


def test_a_model_that_fails_only_at_a_larger_batch_is_diagnosed_there():
    report = shapecheck.check(fixture_path("rules/sc119_batch_broadcast.py:QueriesExpandedToOne"), "10x16")
    (finding,) = report.findings
    assert not finding.is_error and report.exit_code() == 0
    assert finding.message.startswith("at batch 3, `torch.bmm` at line")
    assert finding.why[0] == "the model runs at batch 1; traced at batch 3 it fails here"


def test_a_model_that_runs_at_both_batches_gets_nothing_more():
    report = shapecheck.check(
        fixture_path("rules/sc119_batch_broadcast.py:SampleWeightedLossCorrect"), ["20", "5", "scalar"]
    )
    assert report.findings == []


def test_sc120_an_l2_normalisation_over_the_batch_is_moved_to_the_features():
    report = shapecheck.check(fixture_path("rules/sc120_softmax_dim.py:EmbeddingsNormalisedOverBatch"), "32")
    (finding,) = report.findings
    assert finding.code == "SC120" and finding.message.endswith("normalises over the batch dim (dim 0)")
    (fix,) = finding.fixes
    assert fix.after.strip() == "return nn.functional.normalize(self.enc(x), dim=1)" and fix.verified is True


def test_sc120_an_l2_normalisation_over_the_features_is_left_alone():
    report = shapecheck.check(fixture_path("rules/sc120_softmax_dim.py:EmbeddingsNormalised"), "32")
    assert report.findings == []


def test_sc120_a_padding_mask_over_the_queries_is_moved_to_the_keys():
    report = shapecheck.check(fixture_path("rules/sc120_softmax_dim.py:PadMaskOverQueries"), "10:long")
    (finding,) = report.findings
    assert finding.code == "SC120" and "along which the mask of `Tensor.masked_fill`" in finding.message
    (fix,) = finding.fixes
    assert "masked_fill(mask.transpose(2, 3) == 0, -1e10)" in fix.after and fix.verified is True


def test_sc120_a_padding_mask_over_the_keys_is_left_alone():
    assert shapecheck.check(fixture_path("rules/sc120_softmax_dim.py:PadMaskOverKeys"), "10:long").findings == []


def test_a_finding_from_the_larger_batch_points_at_a_row_of_this_trace_or_none():
    # the trace at batch 3 has rows this one does not: the finding must not point past them
    path = fixture_path("rules/sc119_batch_broadcast.py:KeepFlagsPerSample")
    report = shapecheck.check(path, ["20", "scalar"])
    (finding,) = report.findings
    assert finding.message.startswith("at batch 3, `torch.where` at line")
    assert finding.row is None or finding.row < len(report.trace.layers)
    result = CliRunner().invoke(app, ["check", path, "--input", "20", "--input", "scalar"])
    assert result.exit_code == 0, result.output
    assert "found 1 warning" in result.output


def test_sc120_a_mask_from_the_input_that_shares_its_length_with_the_scores():
    report = shapecheck.check(fixture_path("rules/sc120_softmax_dim.py:LengthMaskOverQueries"), ["10x32", "10"])
    (finding,) = report.findings
    assert finding.code == "SC120" and finding.fixes[0].verified is True
