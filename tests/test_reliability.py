"""Reliability (issue 32): values that cannot be sizes are one line and exit 2, a model that
recurses without end is one line and its trimmed frames, the parent never waits on a worker
without a deadline, and cleanup runs on every exit path. Each test fails on the code before
its change (see docs/security.md)."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from shapecheck.cli import app
from shapecheck.errors import ShapecheckError
from shapecheck.spec import parse_bytes, parse_input

runner = CliRunner()


def shapecheck(*args, cwd=None, env=None, timeout=120, stdin=None):
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "shapecheck", *args],
        cwd=cwd or ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
    )


def model_file(tmp_path, name, body, header="import torch.nn as nn\n"):
    path = tmp_path / name
    path.write_text(header + textwrap.dedent(body))
    return str(path)


# -- values that cannot be sizes ------------------------------------------------------------------


def test_a_fit_of_400_digits_is_one_line_about_the_size():
    with pytest.raises(ShapecheckError, match="401 digits is more memory than any machine has"):
        parse_bytes("1" + "0" * 400)
    with pytest.raises(ShapecheckError, match="more memory than any machine has"):
        parse_bytes("2000000TiB")  # past 1 EiB
    assert parse_bytes("1.5GiB") == 3 * 2**29
    result = runner.invoke(app, ["resnet18", "-i", "3x32x32", "--fit", "9" * 400])
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output and "digits is more memory" in result.output


def test_an_input_size_of_thousands_of_digits_is_one_line_about_the_size():
    with pytest.raises(ShapecheckError, match="a dimension of 5000 digits in --input is too large"):
        parse_input("3x" + "9" * 5000)
    result = runner.invoke(app, ["resnet18", "-i", "3x" + "9" * 5000])
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output and len(result.output) < 300


def test_an_hf_config_with_a_word_for_a_size_is_one_line_exit_2(tmp_path):
    pytest.importorskip("transformers")
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": "big"}))
    result = shapecheck(f"hf:{folder}")
    assert result.returncode == 2, result.stderr
    assert "internal error" not in result.stderr
    assert "config.json has a value transformers refuses" in result.stderr and "hidden_size" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- a model that recurses without end --------------------------------------------------------------

RECURSES = """
def down(n):
    return down(n + 1)

def ping(n):
    return pong(n + 1)

def pong(n):
    return ping(n + 1)

class Net(nn.Module):
    def __init__(self, mutual=False):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        ping(0) if mutual else down(0)

    def forward(self, x):
        return self.fc(x)
"""


@pytest.mark.parametrize("mutual", [False, True])
def test_a_constructor_that_recurses_forever_is_one_line_and_trimmed_frames(tmp_path, mutual):
    model_file(tmp_path, "recurses.py", RECURSES)
    args = ["--arg", "mutual=True"] if mutual else []
    result = shapecheck("recurses.py", "--input", "4", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: constructing recurses.py raised RecursionError")
    assert len(lines) < 60, f"{len(lines)} lines of stderr"
    assert "ping(0) if mutual else down(0)" in result.stderr  # the user's own frame stays
    assert ("more times]" in result.stderr) != mutual and ("frames left out" in result.stderr) == mutual
