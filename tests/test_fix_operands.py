"""A fix written on a line whose flatten or view acts on an expression (`self.conv(img)`), not on a
name: the pool or the flatten goes around that expression, in place (rules/common.operand_text,
wrap_operand, flatten_in_place), and `--fix` writes what was verified."""

import textwrap

from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app
from shapecheck.diagnose.rules.common import flatten_in_place, operand_text, wrap_operand

HEAD = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, 64, 4, 2, 1), nn.Conv2d(64, 256, 4, 2, 1), nn.Conv2d(256, 256, 4, 2, 1))
        self.fc = nn.Linear(256 * 4 * 4, 1)

    def forward(self, img):
        return self.fc({call})
"""


def _model(tmp_path, call: str):
    path = tmp_path / "net.py"
    path.write_text(HEAD.format(call=call))
    return path


def test_the_pool_goes_around_the_conv_output_not_the_image(tmp_path):
    path = _model(tmp_path, "torch.flatten(self.conv(img), 1)")
    report = shapecheck.check(f"{path}:Net", ["3x64x64"], batch=4)
    pool = next(f for f in report.findings[0].fixes if "pool to a fixed size" in f.description)
    assert pool.after == "return self.fc(torch.flatten(F.adaptive_avg_pool2d(self.conv(img), (4, 4)), 1))"
    assert pool.verified is True


def test_fix_writes_the_verified_pool_and_the_model_then_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # --fix edits files under the working directory only
    path = _model(tmp_path, "torch.flatten(self.conv(img), 1)")
    result = CliRunner().invoke(app, ["net.py:Net", "--input", "3x64x64", "--batch", "4", "--fix"])
    assert "adaptive_avg_pool2d(self.conv(img), (4, 4))" in path.read_text(), result.output
    again = CliRunner().invoke(app, ["net.py:Net", "--input", "3x64x64", "--batch", "4"])
    assert again.exit_code == 0, again.output
    assert "no shape problems found" in again.output


def test_a_view_of_an_expression_is_flattened_in_place(tmp_path):
    path = _model(tmp_path, "self.conv(img).view(-1, 256 * 4 * 4)")
    report = shapecheck.check(f"{path}:Net", ["3x64x64"], batch=4)
    texts = [f.after for f in report.findings[0].fixes]
    assert "return self.fc(torch.flatten(self.conv(img), 1))" in texts, texts
    assert "return self.fc(F.adaptive_avg_pool2d(self.conv(img), (4, 4)).view(-1, 256 * 4 * 4))" in texts
    assert not any("img = " in (f.code or "") for f in report.findings[0].fixes)  # the image is never rewritten


def test_the_line_helpers_read_the_syntax_tree():
    assert operand_text("x = torch.flatten(self.conv(x), 1)", "flatten") == "self.conv(x)"
    assert operand_text("return F.relu(x.view(4, -1))", "view") == "x"
    assert operand_text("y = a.view(1) + b.view(2)", "view") is None  # two calls: which one is not said
    assert flatten_in_place("    x = x.view(-1, 16*5*5)", "view") == "    x = torch.flatten(x, 1)"
    assert flatten_in_place("    x = torch.reshape(h, (-1, 5))  # é", "reshape") == "    x = torch.flatten(h, 1)  # é"
    wrapped = wrap_operand("größe = torch.flatten(self.f(x), 1)", "flatten", "g", "2")
    assert wrapped == "größe = torch.flatten(g(self.f(x), 2), 1)"


def test_a_row_size_written_with_the_channel_count_is_one_row_per_sample(tmp_path):
    """`x.view(-1, 16 * 8 * 8)` of a [B, 16, 32, 32] map gives B·16 rows of 1024: the 16 in the
    size says each row was meant to hold every channel (SC106), where `view(-1, F)` of
    [B, T, F] tokens is one row per token by design."""
    path = tmp_path / "cnn.py"
    path.write_text(
        textwrap.dedent(
            """\
            import torch
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv = nn.Conv2d(3, 16, 3, padding=1)
                    self.fc = nn.Linear(16 * 8 * 8, 10)

                def forward(self, x):
                    x = self.conv(x)
                    x = x.view(-1, 16 * 8 * 8)
                    return self.fc(x)

            class Tokens(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(8 * 4, 10)

                def forward(self, x):
                    return self.fc(x.view(-1, 8 * 4))
            """
        )
    )
    report = shapecheck.check(f"{path}:Net", ["3x32x32"], batch=4)
    assert [f.code for f in report.findings] == ["SC106"], [f.message for f in report.findings]
    assert "each sample became 16 rows" in "\n".join(report.findings[0].why)
    tokens = shapecheck.check(f"{path}:Tokens", ["12x32"], batch=4)
    assert [f.code for f in tokens.findings] == [], [f.message for f in tokens.findings]
