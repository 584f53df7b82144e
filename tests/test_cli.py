"""The command line end to end: exit codes, JSON, table text, errors."""

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, asset_path, fixture_path
from typer.testing import CliRunner

from shapecheck.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_vgg16_at_300_is_clean_thanks_to_adaptive_pooling():
    result = run("vgg16", "--input", "3x300x300")
    assert result.exit_code == 0, result.output
    assert "classifier.0" in result.output
    assert "[1, 512, 9, 9]" in result.output  # features at 300×300
    assert "✓ boundary OK" in result.output
    assert "✓ no shape problems found" in result.output
    assert "meta engine" in result.output


def test_missing_flatten_fixture_exits_1_with_rustc_style_finding():
    result = run(fixture_path("vgg_no_flatten.py"), "--input", "3x224x224")
    assert result.exit_code == 1, result.output
    out = result.output
    assert "error[SC101]: `fc` receives a 4-D feature map [1, 512, 7, 7] that was never flattened" in out
    assert "--> fixtures/vgg_no_flatten.py:12" in out
    assert "3584 = 1·512·7" in out
    assert "mat1 and mat2 shapes cannot be multiplied (3584x7 and 25088x100)" in out
    assert "+ x = torch.flatten(x, 1)" in out
    assert "pretrained weights skipped" in out
    # The table stops at the failing row, which shows ✗ instead of an output.
    fc_line = next(line for line in out.splitlines() if line.strip().startswith("fc "))
    assert "✗" in fc_line and "SC101" in fc_line


def test_view_fixture_warns_at_224_and_fails_at_300():
    ok = run(fixture_path("vgg_view.py"), "-i", "3x224x224")
    assert ok.exit_code == 0, ok.output
    assert "warning[SC103]" in ok.output and "H = W from 224 to 255" in ok.output
    strict = run(fixture_path("vgg_view.py"), "-i", "3x224x224", "--strict")
    assert strict.exit_code == 1, strict.output
    bad = run(fixture_path("vgg_view.py"), "-i", "3x300x300")
    assert bad.exit_code == 1, bad.output
    assert "error[SC102]: `fc` expects 25088 input features but receives 41472" in bad.output
    assert "512·9·9 = 41472" in bad.output
    assert "nn.AdaptiveAvgPool2d((7, 7))" in bad.output
    assert "+ self.fc = nn.Linear(512 * 9 * 9, num_classes)" in bad.output


@pytest.mark.parametrize("size", ["3x224x224", "3x300x300"])
def test_adaptive_fixture_is_clean(size):
    result = run(fixture_path("vgg_adaptive.py"), "-i", size)
    assert result.exit_code == 0, result.output
    assert "SC10" not in result.output


def test_json_document_shape():
    result = run(fixture_path("vgg_view.py"), "-i", "3x300x300", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["schema"] == "shapecheck/1"
    assert doc["model"].endswith("vgg_view.py")
    assert doc["inputs"] == [{"shape": [1, 3, 300, 300], "dtype": "float32", "name": None}]
    assert doc["engine"] == "meta" and doc["ok"] is False
    layers = {row["name"]: row for row in doc["layers"]}
    assert layers["features"]["output_shapes"] == [[1, 512, 9, 9]]
    view = next(r for r in doc["layers"] if r["type"] == "Tensor.view")
    assert view["input_shapes"] == [[1, 512, 9, 9]] and view["output_shapes"] == [[1, 41472]]
    assert view["location"] == {"file": "fixtures/vgg_view.py", "line": 15, "source": "x = x.view(x.size(0), -1)"}
    assert layers["fc"]["status"] == "failed"
    (finding,) = doc["findings"]
    assert finding["code"] == "SC102" and finding["severity"] == "error"
    assert finding["location"]["line"] == 11
    assert {"description", "code"} <= set(finding["fixes"][0])
    assert doc["error"]["layer"] == "fc"
    for row in doc["layers"]:
        for key in ("name", "type", "depth", "input_shapes", "output_shapes", "params", "status", "location"):
            assert key in row


def test_json_keeps_model_prints_off_stdout():
    result = run(asset_path("prints.py"), "-i", "4", "--format", "json")
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # stdout is exactly one JSON document
    assert "forward of Chatty" in result.stderr


@pytest.mark.parametrize("spec", ["3x", "axb", "-1x3", "0x3", "", "3x300x300:float99"])
def test_malformed_spec_is_exit_2_one_line(spec):
    result = run("vgg16", "--input", spec)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args, text",
    [
        (["nosuchmodel"], "is not a torchvision model name"),
        (["vgg61"], "closest names: vgg19, vgg16"),
        ([fixture_path("vgg_view.py")], "needs an input size"),
        (["tests/assets/two_nets.py", "-i", "3"], "defines 2 nn.Module classes (A, B)"),
        (["tests/assets/two_nets.py:C", "-i", "3"], "no attribute 'C'"),
        (["tests/assets/missing.py", "-i", "3"], "no such file"),
        (["tests/assets", "-i", "3"], "is a directory"),
        (["tests/assets/needs_args.py:Net", "-i", "8"], "missing 1 required positional argument"),
        (["no_such_pkg.mod:Net", "-i", "8"], "no module named 'no_such_pkg.mod'"),
        (["vgg16", "--batch", "0"], "--batch must be at least 1"),
    ],
)
def test_bad_input_is_exit_2_without_traceback(args, text):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert text in result.stderr
    assert "Traceback (most recent call last)" not in result.output


def test_import_error_shows_only_the_users_frames():
    result = run("tests/assets/import_error.py", "-i", "3")
    assert result.exit_code == 2
    err = result.stderr
    assert "NameError" in err and "Traceback (your code only)" in err
    assert 'File "tests/assets/import_error.py", line 5' in err
    assert "importlib" not in err and "shapecheck/loading.py" not in err


def test_args_are_parsed_as_literals():
    result = run(
        "tests/assets/needs_args.py:Net", "-i", "8", "--arg", "num_classes=3", "--arg", "hidden=(5, 6)", "-f", "json"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["layers"][-1]["output_shapes"] == [[1, 3]]
    assert [r["output_shapes"] for r in doc["layers"] if r["name"] == "fc1"] == [[[1, 5]]]


def test_function_returning_a_module():
    result = run("tests/assets/needs_args.py:build", "-i", "8", "--arg", "width=7")
    assert result.exit_code == 0, result.output
    assert "[1, 7]" in result.output


def test_batch_and_no_batch():
    doc = json.loads(run("tests/assets/needs_args.py:build", "-i", "8", "--batch", "5", "-f", "json").stdout)
    assert doc["inputs"][0]["shape"] == [5, 8]
    doc = json.loads(run("tests/assets/needs_args.py:build", "-i", "3x8", "--no-batch", "-f", "json").stdout)
    assert doc["inputs"][0]["shape"] == [3, 8] and doc["layers"][-1]["output_shapes"] == [[3, 2]]


def test_depth_folds_the_table():
    full = run("resnet18")
    folded = run("resnet18", "--depth", "1")
    assert full.exit_code == folded.exit_code == 0
    assert "layer1.0.conv1" in full.output
    assert "layer1.0.conv1" not in folded.output and "layer1 " in folded.output


def test_list_groups_models_with_default_inputs():
    result = run("list")
    assert result.exit_code == 0
    out = result.output
    import torchvision.models as tvm

    for family in ("detection", "video", "optical_flow", "segmentation", "quantization"):
        count = len(tvm.list_models(module=getattr(tvm, family)))
        assert f"{family} ({count})" in out
    assert f"classification ({len(tvm.list_models(module=tvm))})" in out
    assert any(line.split() == ["inception_v3", "3x299x299"] for line in out.splitlines())
    assert any(line.split() == ["raft_small", "3x224x224", "3x224x224"] for line in out.splitlines())


def _python(code: str) -> str:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True
    ).stdout


def test_help_does_not_import_torch():
    out = _python(
        "import sys\n"
        "from shapecheck.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "try:\n    app(['check', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH')\n"
    )
    assert out.strip().endswith("NO-TORCH")
    assert "--input" in out


def test_python_dash_m_smoke():
    proc = subprocess.run(
        [sys.executable, "-m", "shapecheck", "squeezenet1_1", "-f", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=ROOT),
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ok"] is True


@pytest.mark.parametrize("columns", ["60", "80"])
def test_narrow_terminal_keeps_names_whole(columns, monkeypatch):
    monkeypatch.setenv("COLUMNS", columns)
    result = run(fixture_path("vgg_view.py"), "-i", "3x300x300", "--depth", "1")
    assert result.exit_code == 1
    table = result.stdout.split("\n\n")[0].splitlines()
    assert all(len(line) <= int(columns) for line in table)
    assert any(line.split()[:1] == ["features"] for line in table)
    assert any(line.split()[:1] == ["FeatureHead"] for line in table)


def test_color_always_colours_unless_no_color_is_set(monkeypatch):
    import re

    colour = re.compile(r"\x1b\[[0-9;]*3[0-9]m")
    monkeypatch.delenv("NO_COLOR")
    coloured = run(fixture_path("vgg_view.py"), "-i", "3x300x300", "--color", "always")
    assert colour.search(coloured.stdout)
    assert "\x1b[" not in run(fixture_path("vgg_view.py"), "-i", "3x300x300").stdout  # not a tty
    monkeypatch.setenv("NO_COLOR", "1")
    plain = run(fixture_path("vgg_view.py"), "-i", "3x300x300", "--color", "always")
    assert not colour.search(plain.stdout)


def test_help_names_what_each_option_takes():
    """Metavars say SPEC, KEY=VALUE, CODE, N, FILE: not Python types; flags take nothing; `run`
    offers only the formats it writes."""
    from typer.testing import CliRunner

    from shapecheck.cli import app

    result = CliRunner().invoke(app, ["check", "--help"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    for python_type in ("<list[str]>", "<int>", "<str>  "):
        assert python_type not in result.output.replace("MODEL      <str>", ""), python_type
    for metavar in ("SPEC", "KEY=VALUE", "CODE", "SECONDS", "MB"):
        assert metavar in result.output
    run = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "160"})
    assert "table|json|markdown" in run.output and "sarif" not in run.output


def test_without_torchvision_model_names_say_how_to_get_it(monkeypatch, tmp_path):
    """torchvision is an extra: a project keeps its own torch. Names need it, files do not."""
    import sys

    import shapecheck
    from shapecheck.errors import LoadError

    monkeypatch.setitem(sys.modules, "torchvision", None)
    monkeypatch.setitem(sys.modules, "torchvision.models", None)
    with pytest.raises(LoadError, match="torchvision is not installed") as info:
        shapecheck.check("vgg16", "3x32x32")
    assert "pip install torchvision" in info.value.hint
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 2 and "torchvision is not installed" in result.stderr
    model = tmp_path / "net.py"
    model.write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Sequential):\n    def __init__(self):\n"
        "        super().__init__(nn.Linear(4, 2))\n"
    )
    assert shapecheck.check(f"{model}:Net", "4").ok


def test_an_80_column_table_never_splits_a_layer_name():
    result = runner.invoke(app, ["resnet18", "--input", "3x64x64"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    table = result.output.split("\n\n")[0].splitlines()
    assert table[0].startswith("Layer") and table[1].startswith("ResNet")
    # every other row is an indented name: a folded name would start a line with its tail
    assert all(line.startswith("  ") for line in table[2:]), [line for line in table[2:] if not line.startswith("  ")]
    assert "      conv1" in result.output and "layer1.0.conv1" not in result.output


def test_nothing_is_printed_after_the_output_once_triton_is_imported():
    """Torch 2.15 imports triton, whose bindings print leak reports at interpreter shutdown. A
    stand-in registers such a report at exit, and triton is marked imported once the check is
    done: the command must leave before the report, with its exit code."""
    code = (
        "import atexit, sys, types\n"
        "atexit.register(lambda: print('nanobind: leaked 4 instances!', file=sys.stderr))\n"
        f"sys.argv = ['shapecheck', {str(fixture_path('vgg_view.py'))!r}, '--input', '3x300x300']\n"
        "import shapecheck.cli as cli\n"
        "original = cli.app\n"
        "def app():\n"
        "    try:\n"
        "        original()\n"
        "    finally:\n"
        "        sys.modules.setdefault('triton', types.ModuleType('triton'))\n"
        "cli.app = app\n"
        "cli.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "error[SC102]" in done.stdout and done.stdout.rstrip().endswith("found 1 error")
    assert "leaked" not in done.stderr
