"""Intent on fresh bugs (issue 30, third hunt): a fix that runs is verified only when it keeps
what the model means. A library's layer widened to data that is shaped wrong, a grid's position
table cropped to its first rows, a third projection stacked on a tower's own: each runs, and
none is the fix."""

from conftest import fixture_path

import shapecheck


def test_a_library_stem_widened_to_stacked_frames_is_not_verified():
    report = shapecheck.check(
        fixture_path("rules/sc104_channel_mismatch.py:FramesStackedIntoResnet"), "4x3x32x32", batch=2
    )
    (finding,) = report.findings
    assert finding.code == "SC104"
    assert not any(f.verified for f in finding.fixes)
    widened = next(f for f in finding.fixes if "in_channels=12" in f.description)
    assert widened.verified is False
    assert widened.runs_but.startswith("changes in_channels of `cnn.conv1` from 3 to 12: torchvision builds that layer")


def test_the_users_own_stem_may_still_be_widened():
    """The same change on a layer of the user's own file keeps its verified mark."""
    report = shapecheck.check(fixture_path("rules/sc104_channel_mismatch.py:RgbStem"), "1x64x64", batch=2)
    (finding,) = report.findings
    widened = [f for f in finding.fixes if "in_channels=1" in f.description]
    assert widened and all(f.runs_but is None for f in widened)


def test_library_layer_resized_reads_the_edit_against_the_layer_that_built_it():
    from shapecheck.diagnose.intent import library_layer_resized
    from shapecheck.diagnose.requests import Edit, Rerun

    report = shapecheck.check(
        fixture_path("rules/sc104_channel_mismatch.py:FramesStackedIntoResnet"), "4x3x32x32", batch=2
    )
    ctx = type("Ctx", (), {"trace": report.trace})()
    same = Rerun(edits=(Edit("replace", "cnn.conv1", "Conv2d", (("in_channels", 3), ("out_channels", 64))),))
    wider = Rerun(edits=(Edit("replace", "cnn.conv1", "Conv2d", (("in_channels", 12), ("out_channels", 64))),))
    data = Rerun(dims=(3, 32, 32))
    assert library_layer_resized(ctx, same) is None  # no size changes
    assert library_layer_resized(ctx, data) is None  # the data, not a layer
    assert "torchvision builds that layer" in library_layer_resized(ctx, wider)


def test_a_grid_position_table_is_not_cropped_to_its_first_rows():
    report = shapecheck.check(
        fixture_path("rules/sc112_broadcast_mismatch.py:VitBuiltForLargerImages"), "3x32x32", batch=2
    )
    (finding,) = report.findings
    assert finding.code == "SC112"
    cropped = next(f for f in finding.fixes if "crop it" in f.description)
    assert cropped.verified is not True and cropped.safety == "display-only"
    assert "a grid flattened" in cropped.check_note
    first = finding.fixes[0]
    assert first.verified is True and "crop" not in first.description
    assert first.code in ("--arg img=32", "--input 3x64x64")


def test_a_sequence_position_table_is_still_cropped():
    report = shapecheck.check(
        fixture_path("rules/sc112_broadcast_mismatch.py:GptPositionsForLongerText"), "10:long", batch=2
    )
    (finding,) = report.findings
    first = finding.fixes[0]
    assert first.verified is True
    assert first.after.strip() == "x = x + self.wpe[:, : x.size(-2)]"


def test_towers_with_their_own_projections_get_one_built_to_the_other_width():
    report = shapecheck.check(
        fixture_path("rules/sc128_matmul_shape.py:TowersProjectedToTwoWidths"), ["3x16x16", "6:long"], batch=4
    )
    (finding,) = report.findings
    assert finding.code == "SC128"
    first = finding.fixes[0]
    assert first.verified is True
    assert first.after.strip() == "self.img_proj = nn.Linear(16, 32)"
    assert finding.fixes[1].after.strip() == "self.txt_proj = nn.Linear(24, 64)"


def test_own_width_layer_walks_back_through_rows_that_keep_the_features():
    from shapecheck.diagnose.rules.widths import own_width_layer

    report = shapecheck.check(
        fixture_path("rules/sc128_matmul_shape.py:TowersProjectedToTwoWidths"), ["3x16x16", "6:long"], batch=4
    )
    trace = report.trace
    product = trace.failing
    img, txt = product.inputs[:2]
    assert own_width_layer(trace, img, 64).name == "img_proj"  # through F.normalize
    assert own_width_layer(trace, txt, 32).name == "txt_proj"  # through .t() and F.normalize
    assert own_width_layer(trace, img, 32) is None


def test_dropout2d_on_batched_1d_maps_is_no_finding_but_on_one_image_it_is(tmp_path):
    path = tmp_path / "drop.py"
    path.write_text(
        "import torch.nn as nn\n\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.c = nn.Conv1d(4, 8, 3, padding=1)\n"
        "        self.drop = nn.Dropout2d(0.2)\n\n"
        "    def forward(self, x):\n"
        "        return self.drop(self.c(x))\n"
    )
    batched = shapecheck.check(f"{path}:Net", "4x20", batch=2)
    assert [f.code for f in batched.findings] == []
    one = shapecheck.check(f"{path}:Net", "4x20", no_batch=True)
    assert [f.code for f in one.findings] == ["SC123"]


def test_maps_a_whole_stage_apart_get_the_construction_argument_not_a_stretch():
    report = shapecheck.check(
        fixture_path("rules/sc109_concat_mismatch.py:HybridGridForOtherImages"), "3x256x256", batch=2
    )
    (finding,) = report.findings
    assert finding.code == "SC109"
    first = finding.fixes[0]
    assert first.verified is True and first.code == "--arg grid=16" and first.build_args == (("grid", 16),)
    stretched = next(f for f in finding.fixes if "interpolate" in f.description)
    assert stretched.verified is not True and stretched.safety == "display-only"
    assert "a whole stage apart" in stretched.check_note
    assert not any("image_size" in f.code for f in finding.fixes)  # the input's own size is not re-told


def test_a_skip_a_pixel_apart_is_still_resized_before_joining():
    report = shapecheck.check(fixture_path("rules/sc109_concat_mismatch.py:UNet"), "3x100x100")
    (finding,) = report.findings
    resized = [f for f in finding.fixes if "interpolate" in f.description]
    assert resized and resized[0].verified is True and resized[0].safety == "safe"


def test_a_map_reduced_over_its_channels_is_reduced_over_its_positions_instead(tmp_path):
    path = tmp_path / "reduced.py"
    path.write_text(
        "import torch.nn as nn\nimport torch.nn.functional as F\n\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.c = nn.Conv2d(3, 16, 3, padding=1)\n"
        "        self.fc = nn.Linear(16, 4)\n\n"
        "    def forward(self, x):\n"
        "        return self.fc(F.relu(self.c(x)).mean(dim=1))\n"
    )
    report = shapecheck.check(f"{path}:Net", "3x12x10", batch=2)
    (finding,) = report.findings
    assert finding.code == "SC102"
    first = finding.fixes[0]
    assert first.verified is True and first.safety == "safe"
    assert first.after.strip() == "return self.fc(F.relu(self.c(x)).mean(dim=(2, 3)))"


def test_a_rotary_table_is_put_at_its_own_dim_not_cropped_to_the_heads():
    report = shapecheck.check(
        fixture_path("rules/sc112_broadcast_mismatch.py:RotaryComplexReadFromTheRight"), "6:long", batch=2
    )
    (finding,) = report.findings
    assert finding.code == "SC112"
    first = finding.fixes[0]
    assert first.verified is True
    assert first.after.strip() == "return torch.view_as_real(qc * fc[None, :, None, :]).flatten(3)"
    assert not any("crop" in f.description for f in finding.fixes)


def test_rotary_tables_are_cropped_at_every_line_that_uses_them():
    report = shapecheck.check(
        fixture_path("rules/sc112_broadcast_mismatch.py:RotaryTablesNotSliced"), "10:long", batch=2
    )
    (finding,) = report.findings
    first = finding.fixes[0]
    assert first.verified is True and first.result_shape == (2, 4, 10, 8)
    lines = first.code.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("q = q * self.cos[: q.size(-2)]") and lines[1].startswith(
        "k = k * self.cos[: k.size(-2)]"
    )
    assert "[:10]" not in first.code  # the length read from the tensor, not the traced 10


def test_a_fix_that_leaves_a_silent_regroup_on_its_line_is_not_verified():
    report = shapecheck.check(
        fixture_path("rules/sc111_view_non_contiguous.py:HeadsSplitWithoutTranspose"), "6:long", batch=2
    )
    finding = report.findings[0]
    assert finding.code == "SC111"
    reshaped = next(f for f in finding.fixes if "reshape" in f.description)
    assert reshaped.verified is False
    assert reshaped.runs_but.startswith("line ") and "then has SC121" in reshaped.runs_but


def test_silent_at_the_line_reads_only_the_failing_line():
    from shapecheck.diagnose import Diagnosis, Finding, Fix, _silent_at_the_line
    from shapecheck.trace.records import Location

    here, other = Location("m.py", 22, "q = q.view(b, h, t, d)"), Location("m.py", 30, "y = y.view(b, -1)")
    failed = Finding("SC111", "error", "view", "needs a contiguous tensor", location=here)
    regroup = Finding("SC121", "warning", "reshape", "regroups dims 1, 2", location=here)
    elsewhere = Finding("SC121", "warning", "view", "regroups dims 1, 2", location=other)
    unused = Finding("SC132", "warning", "proj", "is never used", location=here)
    fix = Fix("use reshape")
    assert _silent_at_the_line(failed, fix, Diagnosis([elsewhere, unused])) is None
    assert _silent_at_the_line(failed, fix, Diagnosis([regroup])) == "line 22 then has SC121: regroups dims 1, 2"


def test_a_narrower_own_table_is_built_at_the_width_it_is_added_to():
    report = shapecheck.check(
        fixture_path("rules/sc112_broadcast_mismatch.py:TokenTypesOfAnotherWidth"), ["7:long", "7:long"], batch=2
    )
    first = report.findings[0].fixes[0]
    assert first.verified is True and first.after.strip() == "self.token_type = nn.Embedding(4, 16)"
    report = shapecheck.check(
        fixture_path("rules/sc112_broadcast_mismatch.py:TimeProjectionForTheInputWidth"), ["3x16x16", "scalar"], batch=2
    )
    first = report.findings[0].fixes[0]
    assert first.verified is True and first.after.strip() == "self.t_proj = nn.Linear(temb, 32)"


def test_a_padding_mask_given_to_sdpa_gets_the_heads_and_queries_dims(tmp_path):
    path = tmp_path / "sdpa.py"
    path.write_text(
        "import torch.nn as nn\nimport torch.nn.functional as F\n\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.emb = nn.Embedding(30, 32)\n"
        "        self.qkv = nn.Linear(32, 96)\n\n"
        "    def forward(self, ids, mask):\n"
        "        b, t = ids.shape\n"
        "        q, k, v = self.qkv(self.emb(ids)).view(b, t, 3, 4, 8).permute(2, 0, 3, 1, 4)\n"
        "        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask.bool())\n"
    )
    report = shapecheck.check(f"{path}:Net", ["7:long", "7:long"], batch=2)
    (finding,) = report.findings
    assert finding.code == "SC117"
    first = finding.fixes[0]
    assert first.verified is True and first.result_shape == (2, 4, 7, 8)
    assert (
        first.after.strip() == "return F.scaled_dot_product_attention(q, k, v, attn_mask=mask.bool()[:, None, None, :])"
    )


def test_a_square_map_is_not_pooled_to_an_oblong_one_to_fit_a_count(tmp_path):
    path = tmp_path / "view.py"
    path.write_text(
        "import torch.nn as nn\nimport torch.nn.functional as F\n\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.c = nn.Conv2d(3, 16, 3, 2, 1)\n"
        "        self.fc = nn.Linear(128, 4)\n\n"
        "    def forward(self, x):\n"
        "        h = F.adaptive_avg_pool2d(self.c(x), 4)\n"
        "        return self.fc(h.view(-1, 128))\n"
    )
    report = shapecheck.check(f"{path}:Net", "3x16x16", batch=2)
    finding = report.findings[0]
    assert finding.code == "SC106"
    pooled = next(f for f in finding.fixes if f.description.startswith("pool to a fixed size"))
    assert pooled.verified is not True and pooled.safety == "display-only" and "oblong 2×4" in pooled.check_note
    assert finding.fixes[0].verified is True and "flatten" in finding.fixes[0].description


def test_an_input_the_model_is_built_for_is_not_moved_to_fit_its_table():
    report = shapecheck.check(
        fixture_path("rules/sc112_broadcast_mismatch.py:PositionsForAnotherPatch"), "3x32x32", batch=2
    )
    finding = report.findings[0]
    moved = [f for f in finding.fixes if f.code.startswith("--input")]
    assert moved and not any(f.verified for f in moved)
    assert "built with img=32, the size you give" in moved[0].runs_but


def test_configured_for_input_reads_the_image_size_argument():
    from shapecheck.diagnose.intent import configured_for_input

    report = shapecheck.check(
        fixture_path("rules/sc112_broadcast_mismatch.py:PositionsForAnotherPatch"), "3x32x32", batch=2
    )
    ctx = type("Ctx", (), {"trace": report.trace})()
    assert configured_for_input(ctx, (0, (3, 32, 32), (3, 16, 16))) == ("img", 32)
    assert configured_for_input(ctx, (0, (3, 64, 64), (3, 32, 32))) is None  # the model built for another size
