"""The README's examples are real output, and its test command is what CI runs."""

import glob
import re
import shlex

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from shapecheck.cli import app

README = open(f"{ROOT}/README.md", encoding="utf-8").read()
DOCS = [README] + [open(path, encoding="utf-8").read() for path in sorted(glob.glob(f"{ROOT}/docs/*.md"))]
BLOCKS = [b for text in DOCS for b in re.findall(r"```console\n\$ (shapecheck [^\n]*)\n(.*?)\n```", text, re.S)]
assert BLOCKS, "README lost its console examples"
TIMES = re.compile(r"\d+\.\d\d s \(trace \d+\.\d\d s\)|(?<=, )\d+\.\d\d s\)")


def test_readme_has_examples():
    assert len(BLOCKS) >= 5
    assert README.count("```console\n$ shapecheck") >= 3  # the story, a failing script, memory


def test_readme_reads_in_five_minutes():
    assert len(README.splitlines()) < 400
    for link in re.findall(r"\]\((docs/[\w.-]+\.md)", README):  # every page it sends people to exists
        assert glob.glob(f"{ROOT}/{link}"), link


# Installed packages and the checkout live at other paths on other machines.
PACKAGES = re.compile(r'File "[^"]*?[/\\]site-packages[/\\]')
CHECKOUT = re.compile(r'File "[^"]*?[/\\](?=fixtures[/\\])')


def _portable(text: str) -> str:
    text = PACKAGES.sub('File ".../site-packages/', TIMES.sub("T", text))
    return CHECKOUT.sub('File ".../', text)


# The README's output is that of the versions its first command pins; .ci/versions runs the
# suite on other versions, where timings, simplified expressions and extras may differ.
PINNED = {"torch": "2.14.1", "torchvision": "0.29.1"}


def _other_versions() -> str | None:
    import importlib.metadata

    found = {name: importlib.metadata.version(name).split("+")[0] for name in PINNED}
    return None if found == PINNED else f"the README shows the output of {PINNED}, this is {found}"


@pytest.mark.parametrize("command, expected", BLOCKS, ids=[b[0] for b in BLOCKS])
def test_readme_example_output_is_current(command, expected, monkeypatch):
    other = _other_versions()
    if other:
        pytest.skip(other)
    monkeypatch.setenv("COLUMNS", "110")
    both = command.endswith(" 2>&1")  # stdout and stderr together, as a terminal shows them
    result = CliRunner().invoke(app, shlex.split(command.removesuffix(" 2>&1"))[1:])
    text = result.output if both else result.stdout
    got = "\n".join(line.rstrip() for line in text.splitlines())
    assert _portable(got) == _portable(expected)


def test_ci_runs_the_readme_test_command():
    ci = open(f"{ROOT}/.ci/run", encoding="utf-8").read().strip().splitlines()
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    assert any(line in blocks for line in ci if "pytest" in line)
    assert any("shapecheck vgg16 --input 3x300x300" in b and "pip install" in b for b in blocks)
    pins = " ".join(f"{name}=={version}" for name, version in PINNED.items())
    assert all(pins in b for b in blocks if "pip install" in b), "PINNED is not what the README installs"
