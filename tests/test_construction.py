"""A model whose constructor raises is diagnosed, not refused: a layer's own size check (groups,
attention heads) or a shape error in the user's `__init__` is a finding at the user's line, and
a fix of a constructor line is verified by building the model again with the line changed."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app
from shapecheck.diagnose.rules.construction import sized_fix
from shapecheck.errors import LoadError
from shapecheck.loading import LinePatch, resolve
from shapecheck.trace.records import Construction, Location
from shapecheck.trace.requests import SourceNotPatched

runner = CliRunner()

BLOCKS = """import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm = nn.GroupNorm(32, cout)

    def forward(self, x):
        return torch.relu(self.norm(self.conv(x)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.b1 = Block(3, 64)
        self.b2 = Block(64, 96)
        self.b3 = Block(96, 100)

    def forward(self, x):
        return self.b3(self.b2(self.b1(x)))
"""


@pytest.fixture(scope="module")
def blocks(tmp_path_factory):
    path = tmp_path_factory.mktemp("construction") / "blocks.py"
    path.write_text(BLOCKS)
    return path


@pytest.fixture(scope="module")
def blocks_json(blocks):
    return runner.invoke(app, [f"{blocks}:Net", "--input", "3x32x32", "--format", "json"])


def test_groups_that_do_not_divide_are_a_finding_with_exit_1(blocks_json):
    assert blocks_json.exit_code == 1, blocks_json.output
    data = json.loads(blocks_json.stdout)
    assert data["error"]["type"] == "ValueError" and data["layers"] == []  # what building it raised
    (finding,) = data["findings"]
    assert finding["code"] == "SC104"
    assert "`GroupNorm(num_groups=32, num_channels=100)` cannot be built" in finding["message"]
    assert finding["location"]["line"] == 9  # the user's GroupNorm line, never torch's source
    assert "called from " in " ".join(finding["why"]) and "Block(96, 100)" in " ".join(finding["why"])


def test_the_size_is_changed_where_it_was_written_and_verified_by_building_again(blocks_json):
    fixes = json.loads(blocks_json.stdout)["findings"][0]["fixes"]
    verified = [(f["location"]["line"], f["after"]) for f in fixes if f["verified"]]
    # 100 was written at the caller (`Block(96, 100)`): the channel counts 32 divides, there
    assert verified == [(20, "self.b3 = Block(96, 96)"), (20, "self.b3 = Block(96, 128)")]
    # 25 groups divide 100 but not the 64 channels of b1: built again, that fails, and says so
    groups = next(f for f in fixes if f["after"] == "self.norm = nn.GroupNorm(25, cout)")
    assert groups["verified"] is False and "64 channels do not split into 25 groups" in groups["check_note"]


def test_fix_writes_the_verified_line_and_the_model_then_passes(tmp_path, monkeypatch):
    path = tmp_path / "blocks.py"
    path.write_text(BLOCKS)
    monkeypatch.chdir(tmp_path)  # --fix edits files of the working tree only
    result = runner.invoke(app, ["blocks.py:Net", "--input", "3x32x32", "--fix", "--unsafe-fixes"])
    assert result.exit_code == 0, result.output
    assert "self.b3 = Block(96, 96)" in path.read_text()
    assert "✓ no shape problems found" in result.stdout


def test_a_shape_error_in_init_is_sc100_at_the_users_line(tmp_path):
    path = tmp_path / "pe.py"
    path.write_text(
        "import math\nimport torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n"
        "    def __init__(self, d_model=33, max_len=50):\n        super().__init__()\n"
        "        pe = torch.zeros(max_len, d_model)\n"
        "        position = torch.arange(0, max_len).unsqueeze(1).float()\n"
        "        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))\n"
        "        pe[:, 0::2] = torch.sin(position * div_term)\n"
        "        pe[:, 1::2] = torch.cos(position * div_term)\n"
        "        self.register_buffer('pe', pe)\n\n"
        "    def forward(self, x):\n        return x + self.pe[: x.size(1)]\n"
    )
    report = shapecheck.check(f"{path}:Net", "20x33")
    (f,) = report.findings
    assert f.code == "SC100" and f.message.startswith(f"building {path}:Net raised RuntimeError: The expanded size")
    assert f.location is not None and f.location.line == 13
    assert not any("meta device" in n for n in f.notes)  # a build runs for real
    assert report.layers == [] and not report.ok


def test_a_constructor_that_fails_for_another_reason_stays_exit_2(tmp_path):
    path = tmp_path / "vocab.py"
    path.write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.words = open('vocab.txt').read().split()\n\n    def forward(self, x):\n        return x\n"
    )
    result = runner.invoke(app, [f"{path}:Net", "--input", "4"])
    assert result.exit_code == 2
    assert "constructing" in result.stderr and "Traceback (your code only)" in result.stderr


def _built(*frames: Location, **arguments: int) -> Construction:
    return Construction("GroupNorm", tuple(arguments.items()), call=frames[-1], frames=frames)


def test_sized_fix_edits_the_one_literal_of_the_old_size_nearest_the_layer():
    call = Location("m.py", 9, "self.norm = nn.GroupNorm(32, cout)")
    caller = Location("m.py", 20, "self.b3 = Block(96, 100)")
    fix = sized_fix(_built(caller, call, num_groups=32, num_channels=100), "num_channels", 1, 128, "d")
    assert fix is not None and (fix.location, fix.after) == (caller, "self.b3 = Block(96, 128)")
    own = sized_fix(_built(caller, call, num_groups=32, num_channels=100), "num_groups", 0, 25, "d")
    assert own is not None and (own.location, own.after) == (call, "self.norm = nn.GroupNorm(25, cout)")


def test_sized_fix_sets_the_argument_on_the_layers_line_when_the_literal_is_ambiguous():
    call = Location("m.py", 9, "self.norm = nn.GroupNorm(groups, cout)")
    caller = Location("m.py", 20, "self.b3 = Block(100, 100)")  # which 100 is cout cannot be told
    fix = sized_fix(_built(caller, call, num_groups=32, num_channels=100), "num_channels", 1, 96, "d")
    assert fix is not None and (fix.location, fix.after) == (call, "self.norm = nn.GroupNorm(groups, 96)")
    assert fix.rerun is not None and fix.rerun.edits[0].action == "source_line"


def test_a_patch_applies_only_to_the_line_as_written(blocks):
    good = LinePatch(str(blocks), 20, "self.b3 = Block(96, 100)", "self.b3 = Block(96, 128)")
    assert resolve(f"{blocks}:Net", patches=(good,)).module.b3.norm.num_channels == 128
    stale = LinePatch(str(blocks), 20, "self.b3 = Block(96, 99)", "self.b3 = Block(96, 128)")
    with pytest.raises(SourceNotPatched):
        resolve(f"{blocks}:Net", patches=(stale,))
    with pytest.raises(LoadError, match="do not split into 32 groups"):
        resolve(f"{blocks}:Net")  # the file itself is untouched


# -- a convolution called as a function ------------------------------------------------------


def _functional(x_shape, w_shape, attrs):
    from helpers import TraceBuilder

    from shapecheck.diagnose import diagnose

    b = TraceBuilder(x_shape)
    weight = b.tensor(w_shape)
    b.op("F.conv2d", None, attrs, source="y = F.conv2d(x, w, padding=1)", inputs=[b.last, weight])
    return diagnose(b.fail("Invalid channel dimensions"))


def test_a_functional_conv_whose_weight_takes_other_channels_is_sc104_with_both_readings():
    (f,) = _functional(
        (4, 3, 32, 32), (16, 1, 3, 3), {"args": ["<tensor>", "<tensor>"], "padding": 1, "category": "layer"}
    ).findings
    assert (
        f.code == "SC104"
        and f.message == "`F.conv2d` at line 10 takes 1 channel (its weight [16, 1, 3, 3], groups=1) but receives 3"
    )
    assert [x.description for x in f.fixes] == [
        "make the weight [16, 3, 3, 3] for 3 channels",
        "or give it input with 1 channel: [4, 1, 32, 32]",
    ]
    assert "expected input[4, 3, 32, 32] to have 1 channels, but got 3 channels instead" in f.notes[0]


def test_a_functional_conv_reads_its_groups():
    # groups=2: a weight [16, 2, 3, 3] takes 4 channels; 4 arrive: no SC104 (the failure is another)
    d = _functional((4, 4, 8, 8), (16, 2, 3, 3), {"args": ["<tensor>", "<tensor>"], "groups": 2, "category": "layer"})
    assert not any(f.code == "SC104" for f in d.findings)
    d = _functional((4, 6, 8, 8), (16, 2, 3, 3), {"args": ["<tensor>", "<tensor>"], "groups": 2, "category": "layer"})
    assert any(f.code == "SC104" and "takes 4 channels" in f.message for f in d.findings)


@pytest.mark.parametrize(
    "line",
    ["raise RuntimeError('unknown activation: gelu2')", "self.w = nn.Parameter(torch.zeros(3).cuda())"],
)
def test_a_runtime_error_the_users_code_raises_or_a_missing_gpu_stays_exit_2(tmp_path, line):
    path = tmp_path / "net.py"
    path.write_text(
        "import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
        f"        super().__init__()\n        {line}\n\n    def forward(self, x):\n        return x\n"
    )
    result = runner.invoke(app, [f"{path}:Net", "--input", "4"])
    if "cuda" in line and result.exit_code == 0:
        pytest.skip("this machine has a GPU")
    assert result.exit_code == 2, result.output
    assert "constructing" in result.stderr and "error[" not in result.stdout


def test_heads_of_a_transformer_layer_are_set_on_its_own_line(tmp_path):
    path = tmp_path / "enc.py"
    path.write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self, d_model=100, nhead=8):\n"
        "        super().__init__()\n        layer = nn.TransformerEncoderLayer(d_model, nhead, batch_first=True)\n"
        "        self.encoder = nn.TransformerEncoder(layer, 2)\n\n"
        "    def forward(self, x):\n        return self.encoder(x)\n"
    )
    (f,) = shapecheck.check(f"{path}:Net", "10x100").findings
    assert f.code == "SC117" and f.location is not None and f.location.line == 7
    verified = [x.after for x in f.fixes if x.verified]
    # the head count comes down from the setting `nhead=8`: the fix changes it there, once
    assert verified == [
        "def __init__(self, d_model=100, nhead=5):",
        "def __init__(self, d_model=100, nhead=10):",
    ]
