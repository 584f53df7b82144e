"""Issue 30's cause-finding helpers on plain values: which written size stands for which dims."""

import pytest
from conftest import fixture_path

import shapecheck
from shapecheck.diagnose.rules.sc106_batch_mixing import _short_size


def test_a_size_written_for_smaller_maps_is_found_with_the_dims_it_stands_for():
    # view(-1, 32, 1024) of [B, 32, 64, 64]: the 1024 stands for 64·64
    assert _short_size([-1, 32, 1024], (32, 64, 64)) == (2, [2, 3])
    # view(-1, 16·16, 8) of [B, 32, 32, 8]: the first size stands for H·W
    assert _short_size([-1, 256, 8], (32, 32, 8)) == (1, [1, 2])


def test_whole_dims_or_a_second_minus_one_are_no_short_size():
    assert _short_size([-1, 32, 4096], (32, 64, 64)) is None  # the merge is whole: nothing short
    assert _short_size([-1, 32, -1], (32, 64, 64)) is None
    assert _short_size([2, 32, 1024], (32, 64, 64)) is None  # the batch is written: SC106's other case
    assert _short_size([-1, 16, 1024], (32, 64, 64)) is None  # two sizes differ: no single cause


# The first fix offered restores the cause and keeps what the user built (through the API, on
# models of fixtures/rules/): not the layer resized to whatever arrived.
FIRST_FIXES = [
    # the data's dims are in another order: the stem keeps its 3 channels, the data is reordered
    # where the model hands it over (the --input that reorders it comes next)
    (
        "rules/sc104_channel_mismatch.py:FramesFirst",
        ["8x3x32x32"],
        {"batch": 2},
        "SC104",
        "self.stem(clip.transpose(1, 2))",
    ),
    # a flat vector of 3 graphs' nodes: the readout keeps its 40 features, one output per graph
    ("rules/sc102_in_features.py:FlatReadout", ["30x2"], {"no_batch": True}, "SC102", "view(-1, 40)"),
    # a producer built with a written size, a layer sized from the model's setting: the number
    ("rules/sc102_in_features.py:FourierTime", ["1"], {}, "SC102", "self.time = Fourier(size=16)"),
    # a sum that paired the samples, upstream of the reshape that fails: the cause, first
    ("rules/sc122_batch_pairs.py:LabelAndTime", ["1", "1:long"], {"batch": 2}, "SC122", "self.label(y).squeeze(1)"),
    # a size written for 16-pixel maps: read from the tensor, the input stays 32 pixels
    (
        "rules/sc106_batch_mixing.py:SizedSelfAttention",
        ["3x32x32", "1"],
        {"batch": 2},
        "SC106",
        "x.view(-1, self.channels, x.shape[2] * x.shape[3])",
    ),
]


@pytest.mark.parametrize("target, inputs, options, code, text", FIRST_FIXES, ids=[c[0] for c in FIRST_FIXES])
def test_the_first_fix_restores_the_cause(target, inputs, options, code, text):
    report = shapecheck.check(fixture_path(target), inputs, **options)
    first = report.findings[0]
    assert first.code == code and first.is_error, [f.message for f in report.findings]
    fix = first.fixes[0]
    assert text in (fix.after or fix.code), fix
    assert fix.verified is True, fix.check_note


def test_the_resizing_fix_is_still_offered_second():
    report = shapecheck.check(fixture_path("rules/sc104_channel_mismatch.py:FramesFirst"), ["8x3x32x32"], batch=2)
    fixes = report.findings[0].fixes
    assert fixes[1].code == "--input 3x8x32x32" and "in_channels=8" in fixes[2].description


def test_edits_that_come_from_one_argument_are_that_argument_where_the_owner_is_built():
    report = shapecheck.check(fixture_path("chains.py:TextConditioned"), ["10x16", "7x512"])
    fix = report.findings[0].fixes[0]
    assert fix.after == "self.attend = CrossAttend(16, context_dim=512)", fix.after
    assert fix.location is not None and fix.location.line == 64
    assert fix.verified is True and len(fix.steps) == 2


def test_edits_with_different_values_stay_a_chain_of_edits():
    report = shapecheck.check(fixture_path("chains.py:Generator"), ["3x64x64"])
    fix = report.findings[0].fixes[0]
    assert fix.description.startswith("4 edits, each revealed by the one before"), fix.description
    assert fix.after is None


def test_an_owner_argument_is_written_as_a_keyword_where_it_can_be():
    from shapecheck.diagnose.owners import _literal_call, _set_keyword

    line = "self.attn = CrossAttention(dim, context_dim)"
    assert (
        _set_keyword(line, "CrossAttention", 1, "context_dim", 768)
        == "self.attn = CrossAttention(dim, context_dim=768)"
    )
    # a positional argument with another after it keeps its place
    line = "self.attn = CrossAttention(dim, context_dim, 8)"
    assert _set_keyword(line, "CrossAttention", 1, "context_dim", 768) == "self.attn = CrossAttention(dim, 768, 8)"
    # left at its default: added
    assert _set_keyword("self.a = Attn(dim)", "Attn", 1, "context_dim", 768) == "self.a = Attn(dim, context_dim=768)"
    assert _literal_call("self.t = Proj(8, scale=1.0)", "Proj") == ([8], {"scale": 1.0})
    assert _literal_call("self.t = Proj(size, scale=1.0)", "Proj") is None  # not all written as numbers


def test_a_resize_after_a_flatten_over_the_batch_in_a_sequential_is_never_verified():
    report = shapecheck.check(fixture_path("rules/sc102_in_features.py:FlattenAllInSequential"), ["10"], batch=3)
    resize = next(x for f in report.findings for x in f.fixes if "in_features=96" in x.description)
    assert resize.verified is False and resize.runs_but and "batch" in resize.runs_but


def test_a_layer_of_a_one_line_sequential_is_edited_in_its_own_argument(tmp_path):
    path = tmp_path / "net.py"
    path.write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(32, 2))\n\n"
        "    def forward(self, x):\n        return self.net(x)\n"
    )
    report = shapecheck.check(f"{path}:Net", ["8"])
    fix = report.findings[0].fixes[0]
    assert fix.after == "self.net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))", fix.after
    assert fix.verified is True


def test_a_projection_written_from_two_settings_is_resized_but_not_verified():
    """Keys split into 2 kv heads: the projection `nn.Linear(dim, heads * head_dim)` is the cause,
    but 16 written over two settings overrides them (which one is wrong the numbers do not say):
    offered first, with the reason it is not verified."""
    report = shapecheck.check(fixture_path("rules/sc113_invalid_view.py:GroupedKeys"), ["12x64"])
    first = report.findings[0]
    assert first.code == "SC113", [f.message for f in report.findings]
    fix = first.fixes[0]
    assert "nn.Linear(dim, 16)" in (fix.after or fix.code), fix
    assert fix.verified is not True
    assert "written from the model's settings (`head_dim` · `heads`)" in (fix.check_note or ""), fix.check_note
