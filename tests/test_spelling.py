"""Fixes are written in the names the user's file imports and the user's own variables."""

import pytest

import shapecheck
from shapecheck.diagnose import spelling


def _imports(tmp_path, text):
    path = tmp_path / "m.py"
    path.write_text(text)
    return spelling.file_imports(str(path))


@pytest.mark.parametrize(
    "header, code, expected, needed",
    [
        ("import torch.nn as nn\n", "nn.Flatten(1)", "nn.Flatten(1)", []),
        ("from torch import nn\n", "nn.Flatten(1)", "nn.Flatten(1)", []),
        ("import torch\n", "nn.Flatten(1)", "torch.nn.Flatten(1)", []),
        ("import torch.nn\n", "nn.Flatten(1)", "torch.nn.Flatten(1)", []),
        ("from torch.nn import Conv2d, Linear\n", "nn.Flatten(1)", "Flatten(1)", ["from torch.nn import Flatten"]),
        ("from torch.nn import Flatten as Flat\n", "nn.Flatten(1)", "Flat(1)", []),
        ("from torch.nn import *\n", "nn.Flatten(1)", "Flatten(1)", []),
        ("import numpy as np\n", "nn.Flatten(1)", "nn.Flatten(1)", ["import torch.nn as nn"]),
        ("import torch.nn as nn\n", "torch.flatten(h, 1)", "torch.flatten(h, 1)", ["import torch"]),
        ("import torch.nn.functional as F\n", "nn.functional.interpolate(a)", "F.interpolate(a)", []),
        ("from torch.nn import functional as fn\n", "F.interpolate(a)", "fn.interpolate(a)", []),
        ("import torch.nn as nn\n", "F.interpolate(a)", "nn.functional.interpolate(a)", []),
        ("import torch\nF = 3\n", "F.interpolate(a)", "torch.nn.functional.interpolate(a)", []),
    ],
)
def test_torch_names_are_spelled_as_the_file_imports_them(tmp_path, header, code, expected, needed):
    assert spelling.respell(code, _imports(tmp_path, header)) == (expected, needed)


def test_the_users_own_text_is_kept(tmp_path):
    imports = _imports(tmp_path, "import torch\n")
    line = "F.shape  # F is a local here"
    assert spelling.respell(line, imports, keep=line)[0] == line


FROM_IMPORTS = """\
from torch.nn import Conv2d, Linear, Module, ReLU, Sequential


class Net(Module):
    def __init__(self):
        super().__init__()
        self.body = Sequential(Conv2d(3, 8, 3), ReLU(), Linear(8 * 30 * 30, 10))

    def forward(self, img):
        return self.body(img)
"""

TORCH_ONLY = """\
import torch


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3)
        self.fc = torch.nn.Linear(8 * 30 * 30, 10)

    def forward(self, image):
        out = torch.relu(self.conv(image))
        out = out.view(out.size(0), -1)
        return self.fc(out)
"""


def test_sequential_fix_uses_the_files_from_import(tmp_path):
    path = tmp_path / "net.py"
    path.write_text(FROM_IMPORTS)
    report = shapecheck.check(str(path), "3x32x32")
    fix = next(x for f in report.findings for x in f.fixes if "Flatten" in x.code)
    assert fix.code == "Flatten(1)," and "`Flatten(1)`" in fix.description
    assert fix.imports == ["from torch.nn import Flatten"] and fix.verified


def test_pool_fix_uses_torch_and_the_users_variable(tmp_path):
    path = tmp_path / "net.py"
    path.write_text(TORCH_ONLY)
    report = shapecheck.check(str(path), "3x48x48")
    fix = next(x for f in report.findings for x in f.fixes if "pool to a fixed size" in x.description)
    assert fix.code.splitlines()[0] == "out = torch.nn.functional.adaptive_avg_pool2d(out, (30, 30))"
    assert "`torch.nn.AdaptiveAvgPool2d((30, 30))`" in fix.description
    assert fix.imports == [] and fix.verified


def test_gray_input_fix_names_the_users_variable(tmp_path):
    path = tmp_path / "net.py"
    path.write_text(
        "import torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.stem = nn.Conv2d(3, 8, 3)\n\n"
        "    def forward(self, photo):\n        return self.stem(photo)\n"
    )
    report = shapecheck.check(str(path), "1x16x16")
    codes = [x.code for f in report.findings for x in f.fixes]
    assert "photo = photo.expand(-1, 3, -1, -1)  # or photo.repeat(1, 3, 1, 1)" in codes
