"""The rough edges of a newcomer's first hour (issue 34), each as it was met."""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
import textwrap

import yaml
from typer.testing import CliRunner

import shapecheck
from shapecheck import cli
from shapecheck.cli import app

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
runner = CliRunner()


def test_dir_lists_the_lazily_imported_api():
    assert {"check", "summary", "watch", "assert_shapes", "Report"} <= set(dir(shapecheck))


def test_help_shows_no_type_for_the_help_flag():
    for args in (["--help"], ["check", "--help"], ["explain", "-h"], ["rule", "--help"]):
        result = runner.invoke(app, args, env={"COLUMNS": "120"})
        assert result.exit_code == 0, result.output
        (line,) = [x for x in result.output.splitlines() if "--help" in x and "Show this message" in x]
        assert "<bool>" not in line, line


def test_every_relative_link_of_the_docs_resolves():
    missing = []
    for path in [os.path.join(ROOT, "README.md"), *glob.glob(os.path.join(ROOT, "docs", "*.md"))]:
        for link in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", open(path, encoding="utf-8").read()):
            if "://" not in link and not os.path.exists(os.path.join(os.path.dirname(path), link)):
                missing.append(f"{os.path.relpath(path, ROOT)}: {link}")
    assert not missing  # docs/ci.md linked the schema as shapecheck/report.schema.json (from docs/)


def test_a_name_in_other_case_gets_its_suggestion():
    result = runner.invoke(app, ["VGG16"])
    assert result.exit_code == 2
    assert "closest names: vgg16" in result.stderr


def test_a_module_in_the_current_folder_is_found_without_pythonpath(tmp_path, monkeypatch):
    (tmp_path / "cifar_cnn.py").write_text(
        textwrap.dedent(
            """
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv = nn.Conv2d(3, 6, 5)
                    self.fc = nn.Linear(6 * 28 * 28, 10)

                def forward(self, x):
                    return self.fc(self.conv(x).flatten(1))
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    # the `shapecheck` command's path: its own folder first, not the current one
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "cifar_cnn", raising=False)
    report = shapecheck.check("cifar_cnn:Net", "3x32x32")
    assert report.layer("fc").outputs[0].shape == (1, 10)


def test_the_pre_commit_hook_brings_torchvision():
    (hook,) = yaml.safe_load(open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8"))
    assert "torchvision" in hook["additional_dependencies"]


def test_the_html_page_puts_the_finding_above_the_graph_and_keeps_the_notes():
    result = runner.invoke(app, ["fixtures/vgg_view.py", "--input", "3x300x300", "--format", "html"])
    assert result.exit_code == 1, result.output
    page = result.stdout
    assert page.index("<h2>Findings</h2>") < page.index("<h2>Graph</h2>") < page.index("<h2>Layers</h2>")
    table = page[page.index("<h2>Layers</h2>") :]
    assert "<th>Notes</th>" in table and re.search(r"<td>[^<]*vgg_view\.py:\d+[^<]*</td></tr>", table)


def test_the_readme_names_the_fix_options_and_the_vision_extra():
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    for option in ("`--fix`", "`--diff`", "`--unsafe-fixes`", "[vision]"):
        assert option in readme, option


def test_a_missing_file_or_input_is_answered_before_torch(monkeypatch):
    def no_worker(self, work):
        raise AssertionError("a worker started")

    monkeypatch.setattr(cli._RunSettings, "run", no_worker)
    missing = runner.invoke(app, ["no_such_model.py:Net", "--input", "3x32x32"])
    assert missing.exit_code == 2 and "no such file: no_such_model.py" in missing.stderr
    no_input = runner.invoke(app, ["fixtures/vgg_view.py:FeatureHead"])
    assert no_input.exit_code == 2 and "fixtures/vgg_view.py:FeatureHead needs an input size" in no_input.stderr
    assert "--input" in no_input.stderr
    code = textwrap.dedent(
        """
        import sys
        from shapecheck.cli import main
        try:
            main()
        except SystemExit as e:
            print('torch' in sys.modules, e.code)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "no_such_model.py"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.stdout.split() == ["False", "2"], done.stderr
