"""Sizes written into `split`, `unflatten` and `permute` calls that do not fit the tensor, on
real models through the API and the CLI (SC113, SC131)."""

from conftest import fixture_path

import shapecheck

FILE = "tables/sizes.py"


def test_a_qkv_split_with_one_part_short_is_fixed_on_the_line_and_verified():
    report = shapecheck.check(fixture_path(f"{FILE}:QkvSplit"), "10x32")
    (finding,) = report.findings
    assert finding.code == "SC113"
    assert any(label.message == "96 comes from `qkv`" for label in finding.labels)
    (fix,) = finding.fixes
    assert fix.after.strip() == "q, k, v = self.qkv(x).split([32, 32, 32], dim=-1)"
    assert fix.verified is True and fix.result_shape == (1, 10, 32)


def test_an_unflatten_into_heads_gives_the_reading_that_divides():
    report = shapecheck.check(fixture_path(f"{FILE}:HeadsUnflatten"), "16")
    (finding,) = report.findings
    assert finding.code == "SC113" and "64 values into 4 × 10 = 40" in finding.message
    (fix,) = finding.fixes
    assert fix.after.strip() == "return self.proj(x).unflatten(-1, (4, -1))"
    assert fix.verified is not True  # which size is right is the user's to say


def test_the_cli_says_a_permute_counts_a_dim_the_input_lacks():
    from typer.testing import CliRunner

    from shapecheck.cli import app

    result = CliRunner().invoke(app, [fixture_path(f"{FILE}:ImageFirstPermute"), "--input", "8x8"])
    assert result.exit_code == 1
    assert "error[SC131]: `Tensor.permute` at line 35 orders 4 dims of a tensor with 3 dims" in result.output
    assert "the input lacks a dim the code expects" in result.output


def test_in_features_set_to_the_inputs_length_runs_but_is_not_verified():
    """The 12 reaching `fc` is the sequence length (moved last by a transpose): a Linear built
    for 12 fits this input only, so that fix is not verified."""
    report = shapecheck.check(fixture_path(f"{FILE}:TransposedTokens"), "12:int64", batch=4)
    (finding,) = report.findings
    assert finding.code == "SC102"
    resized = next(f for f in finding.fixes if "in_features=12" in f.description)
    assert resized.verified is False
    assert "12 is the input's dim 0 (a length, not a width set in the code)" in resized.check_note


def test_in_features_set_to_a_length_left_at_its_own_position_is_not_verified():
    """[B, 12, 8] whose features `emb` reads from the last dim: averaged over the features, the
    12 positions reach the head at dim 1, where the input has them too. A head built for 12 fits
    this length only; reducing over dim 1 is the verified fix."""
    report = shapecheck.check(fixture_path(f"{FILE}:MeanOverFeatures"), "12x8", batch=4)
    (finding,) = report.findings
    reduce, resized = finding.fixes[0], next(f for f in finding.fixes if "in_features=12" in f.description)
    assert "mean(dim=1)" in reduce.after and reduce.verified is True
    assert resized.verified is False
    assert "12 is the input's dim 0 (a length, not a width set in the code)" in resized.check_note


def test_in_features_equal_to_an_images_channels_at_their_own_position_stays_verified():
    """The converse: a head given the image's channels after a global pool (they are the
    features a conv reads from dim 1) is fixed by in_features=3 without the length reading."""
    import torch.nn as nn

    class PooledHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.BatchNorm2d(3)
            self.head = nn.Linear(16, 5)

        def forward(self, x):
            return self.head(self.norm(x).mean(dim=(2, 3)))

    report = shapecheck.check(PooledHead(), ["3x8x8"], batch=2)
    (finding,) = report.findings
    resized = next(f for f in finding.fixes if "in_features=3" in f.description)
    assert resized.verified is True, resized.check_note
