"""Unattended use: config, CI output formats, suppression, pre-commit, the pytest helper."""

import io
import json
import os
import re
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import yaml
from conftest import ROOT, asset_path, fixture_path
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app
from shapecheck.config import find_config
from shapecheck.diagnose.registry import CODES
from shapecheck.render import FORMATS, renderer
from shapecheck.report import CheckResult

PROJECT = os.path.join(ROOT, "tests", "assets", "project")
SCHEMA = json.load(open(os.path.join(ROOT, "shapecheck", "report.schema.json"), encoding="utf-8"))
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- config ----------------------------------------------------------------------------------


def test_config_is_found_from_a_subdirectory(monkeypatch):
    monkeypatch.chdir(os.path.join(PROJECT, "sub"))
    assert find_config() == os.path.join(PROJECT, "pyproject.toml")
    result = run()
    assert result.exit_code == 1, result.output  # one of three checks has an error
    assert "3 checks: 2 passed, 1 failed · 1 error, 0 warnings, 1 suppressed" in result.stdout
    assert "../models/head.py:Broken" in result.stdout  # model paths are relative to the config


def test_shapecheck_toml_wins_over_pyproject_in_the_same_folder(tmp_path, monkeypatch):
    write(tmp_path, "pyproject.toml", '[tool.shapecheck]\n[[tool.shapecheck.checks]]\nmodel = "vgg11"\n')
    write(tmp_path, "shapecheck.toml", '[[checks]]\nmodel = "squeezenet1_1"\n')
    monkeypatch.chdir(tmp_path)
    assert find_config() == str(tmp_path / "shapecheck.toml")
    doc = json.loads(run("-f", "json").stdout)
    assert [c["name"] for c in doc["checks"]] == ["squeezenet1_1"]


def test_config_option_points_at_a_file_and_cli_overrides_it(tmp_path):
    path = write(
        tmp_path,
        "ci.toml",
        'format = "json"\nstrict = true\n[[checks]]\n'
        f'model = "{fixture_path("vgg_view.py")}"\ninputs = ["3x224x224"]\n',
    )
    strict = run("--config", path)
    assert strict.exit_code == 1  # strict from the config: the SC103 warning fails
    doc = json.loads(strict.stdout)
    assert doc["schema"] == "shapecheck-run/1"
    jsonschema.validate(doc, SCHEMA)
    relaxed = run("--config", path, "--no-strict", "--format", "table")
    assert relaxed.exit_code == 0 and "warning[SC103]" in relaxed.stdout
    ignored = run("--config", path, "--ignore", "size-locked-head")
    assert ignored.exit_code == 0
    assert json.loads(ignored.stdout)["checks"][0]["report"]["suppressed"][0]["code"] == "SC103"


@pytest.mark.parametrize(
    "text, message",
    [
        ('[[checks]]\nmodel = "vgg11"\ncolour = "red"\n', "ci.toml:3: check 1: unknown key 'colour'"),
        ('strict = "yes"\n[[checks]]\nmodel = "vgg11"\n', "ci.toml:1: 'strict' must be true or false"),
        ('[[checks]]\ninputs = ["3x8x8"]\n', "ci.toml:1: check 1: 'model' is missing"),
        (
            '[[checks]]\nmodel = "vgg11"\n\n[[checks]]\nmodel = "vgg13"\nbatch = 0\n',
            "ci.toml:6: check 2: 'batch' must be a whole number",
        ),
        ('[[checks]]\nmodel = "resnet18"\nweights = 3\n', "ci.toml:3: check 1: 'weights' must be a path"),
        ('format = "pdf"\n[[checks]]\nmodel = "vgg11"\n', "'format' must be one of"),
        ('ignore = "SC103\n', "not valid TOML"),
        ("verbose = true\n", "unknown key 'verbose'"),
    ],
)
def test_bad_config_is_exit_2_naming_key_file_and_line(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "ci.toml", text)
    result = run("--config", "ci.toml")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_check_that_cannot_load_is_reported_and_exits_2(tmp_path):
    path = write(tmp_path, "ci.toml", '[[checks]]\nmodel = "no_such_model"\n[[checks]]\nmodel = "squeezenet1_1"\n')
    result = run("--config", path, "-f", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["checks"][0]["error"]["message"].startswith("'no_such_model' is not a torchvision model name")
    assert doc["checks"][1]["exit_code"] == 0


def test_config_weights_are_compared(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "ci.toml", '[[checks]]\nmodel = "resnet18"\nweights = "missing.pth"\n')
    result = run("--config", "ci.toml")
    assert result.exit_code == 2 and "no such file: missing.pth" in result.stdout


def test_no_model_and_no_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 2 and "no MODEL given and no config found" in result.stderr


# -- suppression -----------------------------------------------------------------------------


def test_suppression_by_flag_name_and_inline_comment(monkeypatch):
    monkeypatch.chdir(PROJECT)
    plain = shapecheck.check("models/head.py:Head", "3x32x32")
    assert [f.code for f in plain.findings] == ["SC103"]
    by_code = shapecheck.check("models/head.py:Head", "3x32x32", ignore=["SC103"])
    by_name = shapecheck.check("models/head.py:Head", "3x32x32", ignore=["size-locked-head"])
    for report in (by_code, by_name):
        assert report.findings == [] and [f.code for f in report.suppressed] == ["SC103"]
    quiet = shapecheck.check("models/head.py:Quiet", "3x32x32")
    assert quiet.findings == [] and sorted(f.code for f in quiet.suppressed) == ["SC103", "SC106"]
    result = run("models/head.py:Quiet", "-i", "3x32x32")
    assert "(2 suppressed: SC103, SC106)" in result.stdout


def test_unknown_rule_to_ignore_is_exit_2():
    result = run("vgg11", "--ignore", "SC999")
    assert result.exit_code == 2 and "unknown rule 'SC999'" in result.stderr


# -- formats ---------------------------------------------------------------------------------


def _results(*specs):
    return [CheckResult(f"{name}@{size}", shapecheck.check(fixture_path(name), size)) for name, size in specs]


@pytest.fixture(scope="module")
def results():
    return _results(("vgg_view.py", "3x300x300"), ("vgg_no_flatten.py", "3x224x224"), ("vgg_view.py", "3x224x224"))


def _render(fmt, results, **options):
    out = io.StringIO()
    renderer(fmt)(results, out, depth=None, color="never", strict=False, **options)
    return out.getvalue()


def test_every_format_is_handled(results):
    for fmt in FORMATS:
        assert _render(fmt, results).strip(), fmt
    with pytest.raises(KeyError):
        renderer("pdf")


def test_github_workflow_commands(results):
    lines = _render("github", results).splitlines()
    assert len(lines) == 3
    pattern = re.compile(r"^::(error|warning) file=([^,]+),line=(\d+),title=(SC\d+)[^:]*::(.+)$")
    parsed = [pattern.match(line).groups() for line in lines]
    assert [(p[0], p[1], p[2], p[3]) for p in parsed] == [
        ("error", "fixtures/vgg_view.py", "11", "SC102"),
        ("error", "fixtures/vgg_no_flatten.py", "12", "SC101"),
        ("warning", "fixtures/vgg_view.py", "11", "SC103"),
    ]
    assert "%0A" in parsed[0][4] and "\n" not in parsed[0][4]


def test_sarif_structure(results):
    doc = json.loads(_render("sarif", results))
    assert doc["version"] == "2.1.0"
    (run_,) = doc["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CODES)
    assert all(r["helpUri"].startswith("https://") and r["help"]["text"] for r in rules)
    assert [r["ruleId"] for r in run_["results"]] == ["SC102", "SC101", "SC103"]
    assert [r["level"] for r in run_["results"]] == ["error", "error", "warning"]
    for r in run_["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        region = r["locations"][0]["physicalLocation"]
        assert region["artifactLocation"]["uri"].startswith("fixtures/") and region["region"]["startLine"] > 0


def test_junit_structure(results):
    root = ET.fromstring(_render("junit", results))
    suite = root.find("testsuite")
    assert suite.get("tests") == "3" and suite.get("failures") == "2"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "vgg_view.py@3x300x300",
        "vgg_no_flatten.py@3x224x224",
        "vgg_view.py@3x224x224",
    ]
    assert [[f.get("type") for f in c.findall("failure")] for c in cases] == [["SC102"], ["SC101"], []]
    assert "SC103" in cases[2].find("system-out").text  # the warning is shown, not failed


def test_markdown_structure(results):
    text = _render("markdown", results)
    assert text.startswith("## shapecheck")
    assert text.count("| Layer | Type | Input | Output | Params | Notes |") == 3
    assert "**error[SC102]**: `fc` expects 25088 input features but receives 41472" in text
    assert "**warning[SC103]**" in text


def test_json_validates_against_the_schema(results):
    for result in results:
        jsonschema.validate(json.loads(_render("json", [result])), SCHEMA)
    run_doc = json.loads(_render("json", results, config_run=True))
    jsonschema.validate(run_doc, SCHEMA)
    broken = json.loads(_render("json", [results[0]]))
    broken["layers"][0]["status"] = "exploded"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


@pytest.mark.parametrize("fmt", ["json", "github", "sarif", "junit", "markdown"])
def test_machine_formats_stay_clean(fmt):
    result = run(asset_path("prints.py"), "-i", "4", "-f", fmt, "--color", "always")
    assert result.exit_code == 0
    assert "forward of Chatty" not in result.stdout and "forward of Chatty" in result.stderr
    assert "\x1b[" not in result.stdout
    assert "━" not in result.stdout and "─" not in result.stdout


# -- pre-commit and the pytest helper --------------------------------------------------------


def test_pre_commit_hook_definition():
    (hook,) = yaml.safe_load(open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8"))
    assert hook["id"] == "shapecheck" and hook["entry"] == "shapecheck"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    scripts = tomllib.load(open(os.path.join(ROOT, "pyproject.toml"), "rb"))["project"]["scripts"]
    assert scripts["shapecheck"] == "shapecheck.cli:main"


def test_assert_shapes_passes_and_fails_with_the_table():
    report = shapecheck.assert_shapes(
        fixture_path("vgg_adaptive.py"), "3x300x300", expect={"fc": [1, 100], "pool": [1, 512, 7, 7]}
    )
    assert report.ok
    with pytest.raises(AssertionError) as wrong:
        shapecheck.assert_shapes(fixture_path("vgg_adaptive.py"), "3x300x300", expect={"fc": [1, 10]})
    text = str(wrong.value)
    assert text.startswith("`fc` outputs [1, 100], expected [1, 10]")
    assert "features.30" in text and "AdaptiveAvgPool2d" in text
    with pytest.raises(AssertionError) as broken:
        shapecheck.assert_shapes(fixture_path("vgg_view.py"), "3x300x300")
    assert "1 error finding(s): SC102" in str(broken.value) and "error[SC102]" in str(broken.value)


def test_markdown_holds_hostile_names_as_text():
    """Layer names are the model's: a pipe, a backtick, HTML or an @mention in one stays text in
    its own cell, and a name with a newline cannot start a line of its own."""
    import torch.nn as nn

    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.add_module("a|b`c<img src=x>@org/team\n::error::x", nn.Linear(8, 4))

        def forward(self, x):
            return next(iter(self.children()))(x.flatten(1))

    report = shapecheck.check(Head(), "2x3", batch=2)  # Linear(8) on 6 features: a finding
    out = io.StringIO()
    renderer("markdown")([CheckResult("Head", report)], out)
    text = out.getvalue()
    # a fenced block and a code span show their text as text (the fix quotes the source line)
    outside_code = re.sub(r"^[ \t]*(`{3,})[^\n]*\n.*?^[ \t]*\1[ \t]*$", "", text, flags=re.S | re.M)
    outside_code = re.sub(r"(`+).+?\1", "", outside_code)
    assert report.findings and "<img" not in outside_code and "@org" not in outside_code
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len({len(re.findall(r"(?<!\\)\|", row)) for row in rows}) == 1, rows  # same number of cells
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())


def test_config_edge_cases_are_one_line_and_exit_2(tmp_path, monkeypatch):
    """A folder for --config, and a pyproject.toml that does not parse under a folder whose
    parent has a config: exit 2 naming the file, never an internal error or the parent's checks."""
    folder = tmp_path / "configs"
    folder.mkdir()
    result = CliRunner().invoke(app, ["--config", str(folder)])
    assert result.exit_code == 2 and "is a folder; --config takes a file" in result.stderr

    (tmp_path / "shapecheck.toml").write_text('[[checks]]\nmodel = "resnet18"\ninputs = ["3x32x32"]\n')
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text("[tool.shapecheck\n")
    monkeypatch.chdir(sub)
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 2, result.output
    assert "pyproject.toml: not valid TOML" in result.stderr and "resnet18" not in result.output


def test_a_config_with_a_byte_order_mark_is_read(tmp_path, monkeypatch):
    (tmp_path / "shapecheck.toml").write_bytes(b'\xef\xbb\xbf[[checks]]\nmodel = "resnet18"\ninputs = ["3x32x32"]\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 0, result.output
    assert "ResNet" in result.output and "✓ no shape problems found" in result.output
