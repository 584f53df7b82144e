"""SC129 plain-container-submodule: modules in a plain list or dict, and the ModuleList fix."""

from __future__ import annotations

import shutil

import torch
from conftest import fixture_path
from torch import nn
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app


def _sc129(report):
    return [f for f in report.findings if f.code == "SC129"]


def test_a_plain_list_of_blocks_is_found_and_the_module_list_is_not():
    report = shapecheck.check(fixture_path("rules/sc129_plain_container.py:ListOfBlocks"), "16")
    (finding,) = _sc129(report)
    assert (
        finding.message == "`self.blocks` holds 3 `Linear` in a plain list: they are not submodules of `ListOfBlocks`"
    )
    assert finding.location.line == 10 and report.trace.total_params == 676
    assert any("3,168 parameters" in line for line in finding.why)
    (fix,) = finding.fixes
    assert fix.safety == "unsafe" and fix.after == "self.blocks = nn.ModuleList([nn.Linear(32, 32) for _ in range(3)])"
    fixed = shapecheck.check(fixture_path("rules/sc129_plain_container.py:ModuleListOfBlocks"), "16")
    assert not fixed.findings and fixed.trace.total_params == 676 + 3 * 32 * 33


def test_a_dict_of_heads_on_a_live_module_and_references_to_held_modules():
    class Heads(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Linear(8, 8)
            self.order = [self.body]  # a reference to a held module: fine
            self.heads = {"cls": nn.Linear(8, 3), "box": nn.Sequential(nn.Linear(8, 4), nn.ReLU())}

        def forward(self, x):
            x = self.order[0](x)
            return torch.cat([self.heads["cls"](x), self.heads["box"](x)], 1)

    report = shapecheck.check(Heads(), "8")
    (finding,) = _sc129(report)
    assert "holds 1 `Linear` and 1 `Sequential` in a plain dict" in finding.message
    assert finding.fixes[0].code.startswith("self.heads = nn.ModuleDict({")
    assert any("63 parameters" in line for line in finding.why)  # 8·3+3 and 8·4+4


def test_diff_with_unsafe_fixes_shows_the_module_list(tmp_path, monkeypatch):
    target = tmp_path / "blocks.py"
    shutil.copy(fixture_path("rules/sc129_plain_container.py"), target)
    monkeypatch.chdir(tmp_path)
    safe_only = CliRunner().invoke(app, ["blocks.py:ListOfBlocks", "--input", "16", "--diff"])
    assert "ModuleList" not in safe_only.stdout  # unsafe: not without --unsafe-fixes
    result = CliRunner().invoke(app, ["blocks.py:ListOfBlocks", "--input", "16", "--diff", "--unsafe-fixes"])
    assert "+        self.blocks = nn.ModuleList([nn.Linear(32, 32) for _ in range(3)])" in result.stdout, result.output
