"""A fix is checked as it will be written: an edit on a line that builds several layers (a line in
a block's `__init__`) changes every instance, so it is checked by building the model again from
the file with the line changed; when that breaks another instance, the same size is written
where the block is built instead, and checked the same way."""

from __future__ import annotations

import pytest

import shapecheck
from shapecheck.diagnose.owners import _common_parent

BLOCKS = """import torch.nn as nn


class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.conv(x))


class Net(nn.Module):
    def __init__(self, c_in=3):
        super().__init__()
        self.stem = Block(c_in, 16)
        self.body = Block(16, 32)
        self.head = nn.Conv2d(32, 2, 1)

    def forward(self, x):
        return self.head(self.body(self.stem(x)))


class Wide(nn.Module):
    \"\"\"A block whose first argument feeds two layers; the skip joins 16 + 8 channels where 32 were
    planned.\"\"\"

    def __init__(self, dim, dim_out):
        super().__init__()
        self.conv = nn.Conv2d(dim, dim_out, 3, padding=1)
        self.skip = nn.Conv2d(dim, dim_out, 1)

    def forward(self, x):
        return self.conv(x) + self.skip(x)


class Joined(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 16, 3, padding=1)
        self.b = nn.Conv2d(3, 8, 3, padding=1)
        self.mid = Wide(16, 16)
        self.last = Wide(32, 4)

    def forward(self, x):
        import torch

        return self.last(torch.cat([self.mid(self.a(x)), self.b(x)], dim=1))
"""


@pytest.fixture(scope="module")
def blocks(tmp_path_factory):
    path = tmp_path_factory.mktemp("shared") / "blocks.py"
    path.write_text(BLOCKS)
    return path


def test_an_edit_of_a_line_two_blocks_share_is_not_offered(blocks):
    """Line 7 builds `stem.conv` and `body.conv`: the size goes where `stem` is built, never on
    the shared line (rules/blocks.py)."""
    (f,) = shapecheck.check(f"{blocks}:Net", "1x16x16").findings
    assert f.code == "SC104" and f.layer == "stem.conv"
    assert all(x.location is None or x.location.line != 7 for x in f.fixes)


def test_the_size_goes_where_the_block_is_built_and_is_verified_as_written(blocks):
    (f,) = shapecheck.check(f"{blocks}:Net", "1x16x16").findings
    owner = next(x for x in f.fixes if x.location is not None and x.location.line == 17)
    assert (owner.before, owner.after) == ("self.stem = Block(c_in, 16)", "self.stem = Block(1, 16)")
    assert owner.verified is True and owner.result_shape == (1, 2, 16, 16)
    assert "passed down when `stem` is built" in owner.description


def test_a_chain_over_one_blocks_layers_is_written_as_the_blocks_argument(blocks):
    findings = shapecheck.check(f"{blocks}:Joined", "3x16x16").findings
    f = next(x for x in findings if x.code == "SC104")
    first = f.fixes[0]
    assert first.verified is True and first.location is not None and first.location.line == 44
    assert first.after == "self.last = Wide(24, 4)"
    # the two lines inside Wide are shared with `mid`: written there they would break it
    assert all(x.verified is not True for x in f.fixes if x.location is not None and x.location.line in (31, 32))


def test_a_live_model_says_the_check_covered_one_layer():
    import torch.nn as nn

    class Block(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.conv = nn.Conv2d(cin, cout, 3, padding=1)

        def forward(self, x):
            return self.conv(x)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem, self.body = Block(3, 16), Block(16, 32)

        def forward(self, x):
            return self.body(self.stem(x))

    (f,) = shapecheck.check(Net(), "1x8x8").findings
    inside = next((x for x in f.fixes if x.after and "Conv2d(1, cout" in x.after), None)
    assert inside is not None
    # no file to build it again from: not checked as written, and it says so
    assert inside.verified is None and "not checked as written: line" in (inside.check_note or "")


def test_common_parent_is_the_innermost_module_holding_every_target():
    assert _common_parent(["block.conv1.0", "block.res_conv"]) == "block"
    assert _common_parent(["inc.double_conv.0"]) == "inc.double_conv"
    assert _common_parent(["a.x", "b.y"]) == ""


def test_fix_writes_the_blocks_argument_not_the_shared_lines(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from shapecheck.cli import app

    path = tmp_path / "blocks.py"
    path.write_text(BLOCKS)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["blocks.py:Joined", "--input", "3x16x16", "--fix", "--unsafe-fixes"])
    text = path.read_text()
    assert "self.last = Wide(24, 4)" in text, result.output
    assert "self.conv = nn.Conv2d(dim, dim_out, 3, padding=1)" in text  # the shared lines stay
    assert result.exit_code == 0, result.output
