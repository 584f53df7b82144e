"""A table the user's module builds at the model's width where a head's features arrive: the
fix is the module's construction argument, written with the model's own settings."""

import pytest
from conftest import fixture_path

import shapecheck

FILE = "tables/rotary_width.py"


@pytest.mark.parametrize(
    ("model", "after"),
    [
        ("RotaryModelWidth", "self.rotary = Rotary(d_model // heads)"),
        ("RotaryLiteralWidth", "self.rotary = Rotary(16, max_len=32)"),
    ],
)
def test_a_rotary_table_built_for_the_model_width_is_built_for_the_head(model, after):
    report = shapecheck.check(fixture_path(f"{FILE}:{model}"), "16x64")
    (finding,) = report.findings
    assert finding.code == "SC112"
    fix = finding.fixes[0]
    assert fix.after.strip() == after
    assert "self.rotary = Rotary(" in fix.before
    assert fix.verified is True and fix.result_shape == (1, 16, 64)
    assert "not d_model = 64)" in fix.description or "(not 64)" in fix.description


def test_no_finding_on_a_table_built_at_the_head_dim():
    assert shapecheck.check(fixture_path(f"{FILE}:RotaryHeadDim"), "16x64").findings == []


def test_the_cli_writes_the_argument_with_the_settings():
    from typer.testing import CliRunner

    from shapecheck.cli import app

    result = CliRunner().invoke(app, [fixture_path(f"{FILE}:RotaryModelWidth"), "--input", "16x64"])
    assert result.exit_code == 1
    assert "+ self.rotary = Rotary(d_model // heads)" in result.output
    assert "verified" in result.output


def test_grayscale_into_a_timm_backbone_offers_timms_in_chans_on_the_users_line():
    """The data-side fix first; then timm's own option on the user's `create_model` line (timm
    adapts pretrained RGB weights), verified and not called a broken intent, never an edit of
    timm's `self.conv1 = nn.Conv2d(in_chans, ...)`."""
    pytest.importorskip("timm")
    report = shapecheck.check(fixture_path("tables/timm_gray.py:GrayTimm"), "1x64x64")
    (finding,) = report.findings
    assert finding.code == "SC104"
    data, timm_fix = finding.fixes
    assert data.code.startswith("x = x.expand(-1, 3, -1, -1)") and data.verified is True
    assert timm_fix.after.strip() == (
        'self.backbone = timm.create_model("resnet18", pretrained=False, num_classes=num_classes, in_chans=1)'
    )
    assert timm_fix.location.file.endswith("timm_gray.py")
    assert timm_fix.verified is True and timm_fix.result_shape == (1, 10)
    assert shapecheck.check(fixture_path("tables/timm_gray.py:GrayTimmInChans"), "1x64x64").findings == []


@pytest.mark.parametrize(
    "name, line, after",
    [
        ("GrayTimmSpread", "num_classes=num_classes,", "num_classes=num_classes, in_chans=1,"),
        ("GrayTimmSpreadInChans", "in_chans=3,", "in_chans=1,"),
        ("GrayTimmSpreadLastArg", "),", "), in_chans=1,"),
    ],
)
def test_a_create_model_call_over_several_lines_gets_in_chans_on_the_line_of_its_arguments(name, line, after):
    """The call's first line cannot hold a keyword after its later arguments: the line of the
    last argument gets `, in_chans=1`, or the line that gives `in_chans` has its value set."""
    pytest.importorskip("timm")
    report = shapecheck.check(fixture_path(f"tables/timm_gray.py:{name}"), "1x64x64")
    timm_fix = next(x for f in report.findings for x in f.fixes if "in_chans" in x.description)
    assert (timm_fix.before, timm_fix.after) == (line, after)
    assert timm_fix.location.file.endswith("timm_gray.py") and timm_fix.location.source == line
    assert timm_fix.verified is True and timm_fix.result_shape == (1, 10)


def test_a_create_model_call_unpacking_a_config_gets_no_in_chans_beside_it():
    """`timm.create_model("resnet18", **CONFIG)` where CONFIG may hold in_chans: adding it to the
    call could give it twice, so the line is not edited."""
    pytest.importorskip("timm")
    report = shapecheck.check(fixture_path("tables/timm_gray.py:GrayTimmFromConfig"), "1x64x64")
    (finding,) = report.findings
    assert finding.fixes[0].code.startswith("x = x.expand(-1, 3, -1, -1)")
    assert not [f for f in finding.fixes if "in_chans=1" in (f.after or "")]


@pytest.mark.parametrize(
    "name, line, after",
    [
        (
            "BigImageVit",
            'self.vit = timm.create_model("vit_tiny_patch16_224", pretrained=False, num_classes=num_classes)',
            'self.vit = timm.create_model("vit_tiny_patch16_224", pretrained=False, num_classes=num_classes, '
            "img_size=448)",
        ),
        ("BigImageVitSpread", "num_classes=num_classes,", "num_classes=num_classes, img_size=448,"),
    ],
)
def test_a_timm_vit_given_larger_images_is_built_for_them_with_timms_img_size(name, line, after):
    """The input size stays: timm's `img_size` on the user's line builds the patch grid and the
    position table for 448x448, checked by building the model again from the edited line; the
    other input size is still offered after it."""
    pytest.importorskip("timm")
    report = shapecheck.check(fixture_path(f"tables/timm_size.py:{name}"), "3x448x448")
    (finding,) = report.findings
    first, *others = finding.fixes
    assert "img_size=448" in first.description and (first.before, first.after) == (line, after)
    assert first.location.file.endswith("timm_size.py")
    assert first.verified is True and first.result_shape == (1, 5)
    assert any(f.code == "--input 3x224x224" for f in others)
    assert shapecheck.check(fixture_path("tables/timm_size.py:BigImageVitSized"), "3x448x448").findings == []


def test_a_timm_model_built_in_a_script_gets_in_chans_at_that_line(tmp_path):
    pytest.importorskip("timm")
    import subprocess
    import sys

    script = tmp_path / "train.py"
    script.write_text(
        "import timm\nimport torch\n\n"
        'model = timm.create_model("resnet18", pretrained=False, num_classes=10)\n'
        "x = torch.randn(4, 1, 64, 64)\n"
        "out = model(x)\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "shapecheck", "run", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )
    assert result.returncode == 1
    assert '4 + model = timm.create_model("resnet18", pretrained=False, num_classes=10, in_chans=1)' in result.stderr
    line = next(s for s in result.stderr.splitlines() if "timm's `in_chans=1`" in s)
    assert "verified: output [4, 10]" in line


def test_a_rotary_table_for_an_odd_width_is_not_cropped_as_verified():
    """3 features against a table 4 wide (two halves of 2): a crop runs but pairs dims that do not
    line up; the reading is an even rotated width, and the crop is display-only."""
    report = shapecheck.check(fixture_path(f"{FILE}:OddRotaryWidth"), "6x32", batch=2)
    (finding,) = report.findings
    assert finding.code == "SC112"
    (fix,) = finding.fixes
    assert fix.description.startswith("make the rotated width even (2 or 4, not 3)")
    assert fix.verified is not True and fix.safety == "display-only"
