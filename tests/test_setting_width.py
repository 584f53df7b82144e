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
