"""A model locked to another input size by its own constructor argument (`img_size=32`, traced at
64x64) gets the argument as the fix, checked by building the model with it: the user's input
stays; booleans and arguments that do not make it run are never offered."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app
from shapecheck.diagnose.findings import FixKind

runner = CliRunner()

VIT = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, img_size=32, patch_size=8, dim=48, num_classes=10, use_cls=True):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, patch_size, patch_size)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.zeros(1, (img_size // patch_size) ** 2 + 1, dim))
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1)
        x = x + self.pos
        return self.head(x[:, 0])
"""


@pytest.fixture(scope="module")
def vit(tmp_path_factory):
    path = tmp_path_factory.mktemp("arguments") / "vit.py"
    path.write_text(VIT)
    return path


def test_the_size_argument_is_the_fix_and_is_verified_by_building_with_it(vit):
    report = shapecheck.check(f"{vit}:Net", "3x64x64")
    (f,) = report.findings
    assert f.code == "SC112"
    built = f.fixes[0]
    assert built.kind == FixKind.OPTION and built.code == "--arg img_size=64"
    assert built.build_args == (("img_size", 64),) and built.verified is True
    assert built.result_shape == (1, 10)
    assert "built for img_size=32" in built.description


def test_the_fix_works_when_given(vit):
    result = runner.invoke(app, [f"{vit}:Net", "--input", "3x64x64", "--arg", "img_size=64"])
    assert result.exit_code == 0, result.output


def test_a_given_argument_is_what_the_search_starts_from(vit):
    # built with img_size=48 and traced at 64: still 64 is the size that runs
    (f,) = shapecheck.check(f"{vit}:Net", "3x64x64", args={"img_size": 48}).findings
    assert f.fixes[0].code == "--arg img_size=64"
    assert "built for img_size=48" in f.fixes[0].description


def test_a_model_that_runs_gets_no_argument_fix(vit):
    assert shapecheck.check(f"{vit}:Net", "3x32x32").findings == []


@pytest.mark.parametrize("name, tried", [("img", True), ("image_dim", True), ("img_channels", False), ("patch", False)])
def test_names_that_are_the_image_itself_are_tried_and_others_are_not(tmp_path, name, tried):
    """`img=224` is the image's size as much as `img_size=224`; `img_channels` or `patch` is not
    (a name matched by its words, not by a list of cases)."""
    path = tmp_path / "vit.py"
    path.write_text(VIT.replace("img_size", name))
    (f,) = shapecheck.check(f"{path}:Net", "3x64x64").findings
    codes = [x.code for x in f.fixes]
    assert (f"--arg {name}=64" in codes) is tried, codes
