"""`shapecheck diff A B`: what differs between two models, by name, file or git commit."""

from __future__ import annotations

import json
import subprocess

import pytest
import torch.nn as nn
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app
from shapecheck.diff import compare

runner = CliRunner()

NET = """import torch.nn as nn


class Net(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        self.fc = nn.Linear(256, classes)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))
"""


def test_rows_are_matched_by_name_and_an_inserted_block_is_one_row():
    a = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    b = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    same = compare(shapecheck.check(a, "8"), shapecheck.check(b, "8"))
    assert same.same and same.compared == 4 and same.changes == []
    wider = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4))
    found = compare(shapecheck.check(a, "8"), shapecheck.check(wider, "8"))
    by_name = {c.name: c for c in found.changes}
    assert set(by_name) == {"(model)", "0", "1", "2"}
    assert by_name["0"].differs == ["output", "params", "mult_adds"] and by_name["0"].b.outputs == ((1, 32),)
    assert by_name["2"].differs == ["params", "mult_adds"]  # same output, more weights


def test_two_torchvision_models_fold_added_blocks_and_exit_1():
    result = runner.invoke(app, ["diff", "resnet18", "resnet34"])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "layer3.5 (BasicBlock, +6 inside)" in out and "layer3.5.conv1" not in out
    assert out.rstrip().endswith("params 11,689,512 → 21,797,672 (+86.5%) · Mult-Adds 1.81 G → 3.66 G (+102.0%)")
    doc = json.loads(runner.invoke(app, ["diff", "resnet18", "resnet34", "-f", "json"]).stdout)
    assert doc["schema"] == "shapecheck-diff/1" and doc["same"] is False
    added = [x for x in doc["layers"] if x["change"] == "added"]
    assert len(added) == 8 and all(x["a"] is None and x["inside"] == 6 for x in added)
    assert runner.invoke(app, ["diff", "resnet18", "resnet18"]).exit_code == 0
    top = runner.invoke(app, ["diff", "resnet18", "resnet34", "--depth", "1"]).stdout
    assert "layer3 (Sequential)" in top and "layer3.5" not in top and "8 added" in top


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], check=True)
    (tmp_path / "net.py").write_text(NET)
    subprocess.run([*git, "add", "net.py"], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    # the working tree: a smaller pooled map and a two-layer head whose first Linear is now wrong
    edited = NET.replace("AdaptiveAvgPool2d(4)", "AdaptiveAvgPool2d(2)").replace(
        "nn.Linear(256, classes)", "nn.Sequential(nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, classes))"
    )
    (tmp_path / "net.py").write_text(edited)
    return tmp_path


def test_a_file_at_a_commit_against_the_working_tree(repo):
    result = runner.invoke(app, ["diff", "HEAD:net.py:Net", "net.py:Net", "-i", "3x32x32", "-f", "markdown"])
    assert result.exit_code == 1, result.output
    out = result.stdout
    # the message holds backticks: its span is fenced with two, as markdown_code fences any text
    assert "B's forward pass failed: `` SC102 `fc.0` expects 256 input features but receives 64 ``" in out
    assert "| ~ | `features.2 (AdaptiveAvgPool2d)` | [1, 16, 4, 4] | [1, 16, 2, 2] |" in out
    assert "| + | `fc.0 (Linear)` |  | ✗ |" in out
    assert (repo / "net.py").read_text().count("AdaptiveAvgPool2d(2)") == 1  # the working tree is untouched
    same = runner.invoke(app, ["diff", "HEAD:net.py:Net", "HEAD:net.py:Net", "-i", "3x32x32"])
    assert same.exit_code == 0 and "no layer differs (7 compared)" in same.stdout


@pytest.mark.parametrize(
    "a, message",
    [
        ("nope:net.py:Net", "error: 'nope' is not a commit, branch or tag of this repository"),
        ("HEAD:other.py:Net", "error: other.py does not exist at HEAD"),
        ("HEAD:net.py:Nett", "error: HEAD:net.py:Nett: no attribute 'Nett' in HEAD:net.py"),
    ],
)
def test_a_bad_commit_or_file_is_one_line_exit_2(repo, a, message):
    result = runner.invoke(app, ["diff", a, "net.py:Net", "-i", "3x32x32"])
    assert result.exit_code == 2 and result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.output
