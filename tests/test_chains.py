"""Fix chains: one fix reveals the next failure, so the fix is several edits verified together."""

import os
import shutil

from conftest import FIXTURES
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app


def test_three_convs_built_with_the_same_wrong_argument():
    report = shapecheck.check(os.path.join(FIXTURES, "chains.py:Generator"), "1x64x64")
    (finding,) = report.findings
    chain = finding.fixes[0]
    assert chain.verified is True and chain.result_shape == (1, 256, 16, 16) and chain.safety == "unsafe"
    assert chain.description.startswith(
        "3 edits, each revealed by the one before: set in_channels=64 on `c2` "
        "at line 14; set in_channels=128 on `c3` at line 15; set in_channels=256 "
        "on `c4` at line 16"
    )
    assert "all 3 lines pass `input_nc` as the first argument" in chain.description
    assert "the likely intent is `ngf`, `ngf * 2`, `ngf * 4`" in chain.description
    single = finding.fixes[1]
    assert single.verified is False and "`c3` expects 1 input channels but receives 128" in single.check_note


def test_two_skip_connections_at_an_odd_size():
    report = shapecheck.check(os.path.join(FIXTURES, "chains.py:TwoLevelUNet"), "3x51x71")
    (finding,) = report.findings
    chain = next(f for f in finding.fixes if f.steps)
    assert chain.verified is True and chain.safety == "safe" and chain.result_shape == (1, 1, 51, 71)
    assert [step.location.line for step in chain.steps] == [41, 42]
    sizes = next(f for f in finding.fixes if f.code.startswith("--input"))
    assert (
        sizes.code == "--input 3x52x72" and "(or 48×68)" in sizes.description and "multiple of 4" in sizes.description
    )


def test_non_square_inputs_get_the_nearest_size_per_dim():
    report = shapecheck.check(os.path.join(FIXTURES, "rules", "sc109_concat_mismatch.py:UNet"), "3x540x760")
    fix = next(f for f in report.findings[0].fixes if f.code.startswith("--input"))
    assert fix.code == "--input 3x544x768" and fix.verified is True
    assert "540×760 → 544×768 (or 528×752)" in fix.description and "multiple of 16" in fix.description


def test_fix_applies_a_whole_chain(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(os.path.join(FIXTURES, "chains.py"), tmp_path / "chains.py")
    safe = CliRunner().invoke(app, ["chains.py:TwoLevelUNet", "--input", "3x51x71", "--fix"])
    assert safe.exit_code == 0, safe.output
    text = (tmp_path / "chains.py").read_text()
    assert "torch.cat([F.interpolate(self.u1(y), size=s1.shape[-2:]), s1], dim=1)" in text
    unsafe = CliRunner().invoke(app, ["chains.py:Generator", "--input", "1x64x64", "--fix"])
    assert unsafe.exit_code == 1  # the chain changes layer sizes: unsafe, so not without --unsafe-fixes
    done = CliRunner().invoke(app, ["chains.py:Generator", "--input", "1x64x64", "--fix", "--unsafe-fixes"])
    assert done.exit_code == 0, done.output
    assert "self.c4 = nn.Conv2d(256, ngf * 4, 3, padding=1)" in (tmp_path / "chains.py").read_text()
    again = CliRunner().invoke(app, ["chains.py:Generator", "--input", "1x64x64", "--fix", "--unsafe-fixes"])
    assert again.exit_code == 0 and "fixed" not in again.stderr
