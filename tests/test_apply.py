"""`--fix` and `--diff`: verified fixes written into copies of the fixtures."""

import json
import os
import shutil

import pytest
from conftest import FIXTURES
from test_fixtures import CASES, _options
from typer.testing import CliRunner

import shapecheck
from shapecheck import apply
from shapecheck.cli import app
from shapecheck.report import CheckResult

BROKEN = sorted({(fixture, size) for code, fixture, size, expected in CASES if expected and code != "SC100"})


def _copy(tmp_path, fixture):
    path, _, name = fixture.partition(":")
    target = tmp_path / os.path.basename(path)
    shutil.copy(os.path.join(FIXTURES, path), target)
    return os.path.basename(path) + (f":{name}" if name else ""), target


@pytest.mark.parametrize("fixture, size", BROKEN, ids=[f"{f}-{s}" for f, s in BROKEN])
def test_fix_turns_a_fixture_clean_and_a_second_run_changes_nothing(tmp_path, monkeypatch, fixture, size):
    monkeypatch.chdir(tmp_path)
    target, path = _copy(tmp_path, fixture)
    spec, options = _options(size)
    report = shapecheck.check(target, spec, **options)
    edits = apply.planned_edits([CheckResult(target, report)])
    if not edits:
        pytest.skip("no safe verified fix that edits a line of the file")
    before = path.read_text()
    expected_diff = apply.diff(edits)
    written, _ = apply.write(edits)
    assert written and path.read_text() != before
    # --diff showed exactly what --fix wrote
    import difflib

    assert expected_diff == "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            path.read_text().splitlines(keepends=True),
            fromfile=f"a/{path.name}",
            tofile=f"b/{path.name}",
        )
    )
    again = shapecheck.check(target, spec, **options)
    fixed = {e.code for e in written}
    assert not [f for f in again.errors if f.code in fixed], [f.message for f in again.errors]
    # a second --fix finds nothing more to do for what the first one fixed
    assert not [e for e in apply.planned_edits([CheckResult(target, again)]) if e.code in fixed]


def test_fix_keeps_line_endings_and_adds_a_missing_import(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = (
        "import torch.nn as nn\r\n\r\n\r\nclass Net(nn.Module):\r\n    def __init__(self):\r\n"
        "        super().__init__()\r\n        self.conv = nn.Conv2d(3, 8, 3)\r\n"
        "        self.fc = nn.Linear(8 * 30 * 30, 10)\r\n\r\n    def forward(self, x):\r\n"
        "        x = self.conv(x)\r\n        return self.fc(x)\r\n"
    )
    (tmp_path / "net.py").write_bytes(source.encode())
    result = CliRunner().invoke(app, ["net.py", "--input", "3x32x32", "--fix"])
    assert result.exit_code == 0, result.output
    data = (tmp_path / "net.py").read_bytes().decode()
    assert "\r\n" in data and "\n" not in data.replace("\r\n", "")
    assert data.startswith("import torch.nn as nn\r\nimport torch\r\n")
    assert "        x = torch.flatten(x, 1)\r\n        return self.fc(x)\r\n" in data
    assert "fixed SC101 at net.py:12" in result.stderr
    second = CliRunner().invoke(app, ["net.py", "--input", "3x32x32", "--fix"])
    assert second.exit_code == 0 and "fixed" not in second.stderr
    assert (tmp_path / "net.py").read_bytes().decode() == data


def test_diff_changes_nothing_and_unsafe_fixes_need_their_flag(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(os.path.join(FIXTURES, "rules", "sc104_channel_mismatch.py"), tmp_path / "m.py")
    before = (tmp_path / "m.py").read_text()
    safe = CliRunner().invoke(app, ["m.py:MidNetwork", "--input", "3x32x32", "--diff"])
    assert safe.stdout == "" and safe.exit_code == 1  # its only fix is unsafe (the layer's weights change)
    unsafe = CliRunner().invoke(app, ["m.py:MidNetwork", "--input", "3x32x32", "--diff", "--unsafe-fixes"])
    assert "-        self.conv2 = nn.Conv2d(64, 64, 3, padding=1)" in unsafe.stdout
    assert "+        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)" in unsafe.stdout
    assert (tmp_path / "m.py").read_text() == before


def test_a_file_that_is_not_utf8_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = (
        "# -*- coding: latin-1 -*-\n"
        + open(os.path.join(FIXTURES, "vgg_view.py"), encoding="utf-8").read().replace('"""', '"""caf\xe9 ', 1)
    ).encode("latin-1")
    (tmp_path / "vgg_view.py").write_bytes(source)
    report = shapecheck.check("vgg_view.py", "3x300x300")
    edits = apply.planned_edits([CheckResult("vgg_view.py", report)])
    assert edits and apply.write(edits)[0] == [] and (tmp_path / "vgg_view.py").read_bytes() == source


def test_library_files_and_input_changes_are_never_edited():
    report = shapecheck.check("resnet18", "1x64x64")  # its fixes: torchvision's lines and --input
    assert report.errors
    assert apply.planned_edits([CheckResult("resnet18", report)], unsafe=True) == []


def test_machine_formats_carry_the_fix():
    result = CliRunner().invoke(app, ["fixtures/vgg_view.py", "--input", "3x300x300", "--format", "sarif"])
    (finding,) = json.loads(result.stdout)["runs"][0]["results"]
    change = finding["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "fixtures/vgg_view.py"
    (replacement,) = change["replacements"]
    assert replacement["deletedRegion"]["startLine"] == 15
    assert replacement["insertedContent"]["text"] == (
        "        x = nn.functional.adaptive_avg_pool2d(x, (7, 7))\n        x = x.view(x.size(0), -1)"
    )
    github = CliRunner().invoke(app, ["fixtures/vgg_view.py", "--input", "3x300x300", "--format", "github"])
    assert "```suggestion" in github.stdout
    markdown = CliRunner().invoke(app, ["fixtures/vgg_view.py", "--input", "3x300x300", "--format", "markdown"])
    assert "+        x = nn.functional.adaptive_avg_pool2d(x, (7, 7))" in markdown.stdout


# SARIF 2.1.0's definitions of the objects a fix is made of (from the OASIS schema): the
# properties each may have, and those it must have.
SARIF_FIX = {
    "fix": ({"description", "artifactChanges", "properties"}, {"artifactChanges"}),
    "artifactChange": ({"artifactLocation", "replacements", "properties"}, {"artifactLocation", "replacements"}),
    "replacement": ({"deletedRegion", "insertedContent", "properties"}, {"deletedRegion"}),
    "region": (
        {
            "startLine",
            "startColumn",
            "endLine",
            "endColumn",
            "charOffset",
            "charLength",
            "byteOffset",
            "byteLength",
            "snippet",
            "message",
            "sourceLanguage",
            "properties",
        },
        set(),
    ),
    "artifactContent": ({"text", "binary", "rendered", "properties"}, set()),
    "message": ({"text", "markdown", "id", "arguments", "properties"}, set()),
    "artifactLocation": ({"uri", "uriBaseId", "index", "description", "properties"}, set()),
}


def _conforms(kind, value):
    allowed, required = SARIF_FIX[kind]
    assert set(value) <= allowed and required <= set(value), (kind, sorted(value))


def test_sarif_fixes_follow_the_2_1_0_definitions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(os.path.join(FIXTURES, "chains.py"), tmp_path / "chains.py")
    fixes = []
    for target, size in (("chains.py:Generator", "1x64x64"), ("chains.py:TwoLevelUNet", "3x51x71")):
        result = CliRunner().invoke(app, [target, "--input", size, "--format", "sarif"])
        fixes += [fix for r in json.loads(result.stdout)["runs"][0]["results"] for fix in r.get("fixes", [])]
    assert fixes
    for fix in fixes:
        _conforms("fix", fix)
        _conforms("message", fix["description"])
        assert len(fix["artifactChanges"]) >= 1
        for change in fix["artifactChanges"]:
            _conforms("artifactChange", change)
            _conforms("artifactLocation", change["artifactLocation"])
            assert change["replacements"]
            for replacement in change["replacements"]:
                _conforms("replacement", replacement)
                _conforms("region", replacement["deletedRegion"])
                _conforms("artifactContent", replacement["insertedContent"])
                assert all(isinstance(v, int) and v >= 1 for v in replacement["deletedRegion"].values())


MULTI_LINE = """\
import torch
import torch.nn as nn


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8 * 6 * 6, 4)

    def forward(self, x):
        x = self.conv(x)
        return torch.relu(
            self.fc(x)
        )
"""


def test_fix_never_writes_inside_a_statement_over_several_lines(tmp_path, monkeypatch):
    """The verified fix inserts a line before `self.fc(x)`, which is inside the parentheses of
    `torch.relu(...)`: written there, the file would no longer parse. It is left alone, and
    the command says so."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "multi.py").write_text(MULTI_LINE)
    result = CliRunner().invoke(app, ["multi.py:Head", "--input", "3x8x8", "--fix"])
    assert result.exit_code == 1, result.output
    assert (tmp_path / "multi.py").read_text() == MULTI_LINE
    assert "not fixed SC101 at multi.py:14" in result.stderr
    assert (
        apply.diff(apply.planned_edits([CheckResult("multi.py:Head", shapecheck.check("multi.py:Head", "3x8x8"))]))
        == ""
    )


def test_whole_statement_lines():
    text = "a = 1\nb = f(\n    2,\n)\nc = 3; d = 4\nif a:\n    e = [1,\n         2]\n    g = 5\n"
    assert apply._whole_statement_lines(text) == {1, 5, 6, 9}  # not 2-4, 7-8: inside brackets


NEEDS_FLATTEN = (
    "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
    "        super().__init__()\n        self.conv = nn.Conv2d(3, 8, 3)\n"
    "        self.fc = nn.Linear(8 * 30 * 30, 10)\n\n    def forward(self, x):\n"
    "        x = self.conv(x)\n        return self.fc(x)\n"
)


def test_fix_keeps_a_byte_order_mark_and_adds_the_import_after_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.py").write_bytes(b"\xef\xbb\xbf" + NEEDS_FLATTEN.encode())
    result = CliRunner().invoke(app, ["net.py", "--input", "3x32x32", "--fix"])
    assert result.exit_code == 0, result.output
    data = (tmp_path / "net.py").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfimport torch.nn as nn\nimport torch\n") and data.count(b"\xef\xbb\xbf") == 1
    assert "        x = torch.flatten(x, 1)\n" in data.decode("utf-8-sig")
    compile(data, "net.py", "exec")


def test_fix_writes_through_a_symlink_and_never_outside_the_tree(tmp_path, monkeypatch):
    inside, outside = tmp_path / "tree", tmp_path / "elsewhere"
    inside.mkdir()
    outside.mkdir()
    monkeypatch.chdir(inside)
    (inside / "real.py").write_text(NEEDS_FLATTEN)
    (inside / "link.py").symlink_to(inside / "real.py")
    result = CliRunner().invoke(app, ["link.py", "--input", "3x32x32", "--fix"])
    assert result.exit_code == 0, result.output
    assert (inside / "link.py").is_symlink() and "torch.flatten(x, 1)" in (inside / "real.py").read_text()

    (outside / "net.py").write_text(NEEDS_FLATTEN)
    (inside / "lib").symlink_to(outside)  # a folder of the tree that is a link to one outside it
    result = CliRunner().invoke(app, ["lib/net.py", "--input", "3x32x32", "--fix"])
    assert result.exit_code == 1, result.output
    assert (outside / "net.py").read_text() == NEEDS_FLATTEN


def test_fix_leaves_read_only_files_alone_and_says_so(tmp_path, monkeypatch):
    import stat

    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "src"
    folder.mkdir()
    path = folder / "net.py"
    path.write_text(NEEDS_FLATTEN)
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        result = CliRunner().invoke(app, ["src/net.py", "--input", "3x32x32", "--fix", "--format", "sarif"])
        assert result.exit_code == 1, result.output
        assert path.read_text() == NEEDS_FLATTEN
        assert "not fixed SC101 at src/net.py:12: the file is read-only" in result.stderr
        assert json.loads(result.stdout)["runs"][0]["results"]  # the report is still written
    finally:
        path.chmod(stat.S_IRWXU)


TWO_ROUNDS = (
    "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass Net(nn.Module):\n"
    "    def __init__(self):\n        super().__init__()\n        self.conv = nn.Conv2d(3, 8, 3)\n"
    "        self.fc = nn.Linear(8 * 30 * 30, 10)\n\n    def forward(self, x):\n"
    "        x = self.conv(x)\n        x = self.fc(x)\n        return F.softmax(x, dim=0)\n"
)


def test_fix_runs_to_a_fixpoint(tmp_path, monkeypatch):
    """The softmax over the batch is only reached once the flatten is fixed: one --fix does both."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.py").write_text(TWO_ROUNDS)
    result = CliRunner().invoke(app, ["net.py", "--input", "3x32x32", "--batch", "2", "--fix"])
    assert result.exit_code == 0, result.output
    assert "fixed SC101 at net.py:14" in result.stderr and "fixed SC120 at net.py:16" in result.stderr
    assert "not fixed" not in result.stderr
    text = (tmp_path / "net.py").read_text()
    assert "x = torch.flatten(x, 1)" in text and "F.softmax(x, dim=1)" in text
    again = CliRunner().invoke(app, ["net.py", "--input", "3x32x32", "--batch", "2", "--fix"])
    assert again.exit_code == 0 and "fixed" not in again.stderr
