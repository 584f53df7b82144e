"""Names and messages from a model or a file are data in every output: HTML, markdown, CI logs
and stderr (shapecheck/render/escape.py). Each test names what it guards against; the models
are written at test time with the names an attacker would choose."""

from __future__ import annotations

import ast
import json
import re
import struct
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shapecheck import wire
from shapecheck.cli import app
from shapecheck.render.escape import (
    CommandFree,
    Markup,
    encodable,
    html,
    html_join,
    markdown_cell,
    markdown_code,
    markdown_text,
    neutralized,
    one_line,
)
from shapecheck.report import CheckResult

runner = CliRunner()
FORMATS = ["table", "json", "github", "sarif", "junit", "markdown", "html"]

# -- the models ---------------------------------------------------------------------------------

# A run of identical blocks (folded into one box ×3 in the HTML graph) named with markup, of a
# class whose name is markup too.
MARKUP_MODEL = """import torch.nn as nn

Block = type("<script>alert(1)</script>", (nn.Linear,), {})


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential()
        for i in range(3):
            self.blocks.add_module(f"<img src=x onerror=alert({i})>", Block(8, 8))
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        return self.head(self.blocks(x))
"""

# Layer names that try each output: markdown out of its code span, CI commands mid-line and
# after a CR or LF (a `.py` model's names are whatever `add_module` was given).
HOSTILE_NAMES = [
    "x`![pic](//evil/p)[link](//evil)@org",
    "cr\r::error::pwned",
    "mid ##[error]pwned ##vso[task-setvariable variable=x]1",
    "lf\n::warning::pwned",
]
NAMES_MODEL = f"""import torch.nn as nn

NAMES = {HOSTILE_NAMES!r}


class A(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential()
        for name in NAMES:
            self.body.add_module(name, nn.Linear(8, 8))

    def forward(self, x):
        return self.body(x)


class B(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 8))

    def forward(self, x):
        return self.body(x)
"""

SMALL_MODEL = """import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        return self.fc(x)
"""


def _write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _safetensors(path: Path, shapes: dict) -> str:
    """A safetensors file whose header is written by `json.dumps`, which escapes a lone
    surrogate as `\\udc80`: a reader gets the surrogate back."""
    header, offset = {}, 0
    for name, shape in shapes.items():
        size = 4
        for d in shape:
            size *= d
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * offset)
    return str(path)


# -- what a CI runner or a browser would read ---------------------------------------------------


def _runner_lines(text: str) -> list[str]:
    """The lines as the Actions runner splits them: at CR as well as LF."""
    return re.split(r"\r\n|\r|\n", text)


def _commands(text: str, line_starts: bool = True) -> list[str]:
    """What a CI runner would read as a command: `##[` or `##vso[` anywhere, `::` at a line start."""
    found = re.findall(r"##(?:vso)?\[[^\n\r]*", text, re.IGNORECASE)
    if line_starts:
        found += [line for line in _runner_lines(text) if line.lstrip().startswith("::")]
    return found


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


# The elements the page is made of: anything else came from a name.
PAGE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "hr", "pre", "table", "tr", "th", "td",
    "svg", "defs", "marker", "path", "line", "text", "g", "rect",
}  # fmt: skip


def _assert_no_markup_of_theirs(page: str) -> None:
    assert "<script" not in page.lower() and "<img" not in page.lower()
    parsed = _Tags()
    parsed.feed(page)
    assert parsed.tags <= PAGE_TAGS, parsed.tags - PAGE_TAGS
    assert not [a for a in parsed.attributes if a.startswith("on")], parsed.attributes


# -- HTML ---------------------------------------------------------------------------------------


def test_a_py_model_puts_no_markup_into_the_html_page(tmp_path):
    """The folded run's label ("first – last (×3)") used to be written unescaped: a module named
    `<img src=x onerror=…>` ran script in whoever opened the page."""
    model = _write(tmp_path, "evil.py", MARKUP_MODEL)
    result = runner.invoke(app, [f"{model}:Net", "-i", "8", "--format", "html"])
    assert result.exit_code == 0, result.output
    page = result.stdout
    _assert_no_markup_of_theirs(page)
    # the names and the class are there, as text: the folded run (×3) and the table's rows
    assert "&lt;img src=x onerror=alert(2)&gt; (×3)</text>" in page
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page


def test_a_torchscript_archive_puts_no_markup_into_the_html_page(tmp_path):
    """The critical case of issue 32: a saved program is data, and its module names reach the page."""
    import torch
    import torch.nn as nn

    blocks = nn.Sequential()
    for i in range(3):
        blocks.add_module(f"<img src=x onerror=alert({i})>", nn.Linear(8, 8))
    path = tmp_path / "evil.pt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.save(torch.jit.script(blocks), str(path))
    result = runner.invoke(app, [str(path), "-i", "8", "--format", "html"])
    assert result.exit_code == 0, result.output
    _assert_no_markup_of_theirs(result.stdout)
    assert "&lt;img src=x onerror=alert(2)&gt; (×3)" in result.stdout


def test_html_is_built_only_by_the_html_helper():
    """The mechanism: in render/html.py every piece of markup is a template given to `html()`
    (which escapes each value), never an f-string, `%` or `.format` that could take a name as
    it is; `Markup` is made by hand only for the style sheet."""
    source = Path(__file__).parent.parent / "shapecheck" / "render" / "html.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    templates = {
        id(call.args[0])
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "html" and call.args
    }
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and any(
            isinstance(v, ast.Constant) and "<" in str(v.value) for v in node.values
        ):
            problems.append(f"line {node.lineno}: markup in an f-string")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "<" in node.value:
            if id(node) not in templates:
                problems.append(f"line {node.lineno}: markup outside html(): {node.value[:40]!r}")
        elif isinstance(node, ast.Attribute) and node.attr == "format":
            problems.append(f"line {node.lineno}: str.format")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
            problems.append(f"line {node.lineno}: % formatting")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "Markup"
            and not (len(node.args) == 1 and isinstance(node.args[0], ast.Constant))
        ):
            problems.append(f"line {node.lineno}: Markup() of a value")
    assert not problems, problems
    assert sum(isinstance(n, ast.Name) and n.id == "Markup" and isinstance(n.ctx, ast.Load) for n in ast.walk(tree))


def test_html_escapes_every_value_but_markup():
    value = "\"'><script>alert(1)</script>&"
    assert html('<p title="{}">{}</p>', value, value) == (
        '<p title="&quot;&#x27;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;">'
        "&quot;&#x27;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;</p>"
    )
    inner = html("<b>{name}</b>", name="<i>")
    assert isinstance(inner, Markup) and html("<p>{}</p>", inner) == "<p><b>&lt;i&gt;</b></p>"
    # str operations give plain text back: escaped where it is used, never markup by accident
    assert (
        not isinstance(inner + "<u>", Markup)
        and html("{}", inner + "<u>") == "&lt;b&gt;&amp;lt;i&amp;gt;&lt;/b&gt;&lt;u&gt;"
    )
    assert html_join(["<a>", html("<br>")], "\n") == "&lt;a&gt;\n<br>"
    assert html_join([html("<p>")], "<hr>") == "<p>"
    assert html("{}", 3) == "3" and html("{}", "k\udc80") == "k\\udc80"


# -- markdown -----------------------------------------------------------------------------------


def _outside_code_spans(text: str) -> str:
    """The text with each code span cut out, as CommonMark reads spans."""
    return re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", text)


def test_markdown_code_spans_hold_any_backticks():
    assert markdown_code("fc") == "`fc`"
    assert markdown_code("a`b") == "`` a`b ``"
    assert markdown_code("a``b`") == "``` a``b` ```"
    assert markdown_code("a|b\nc", cell=True) == "`a\\|b c`"
    assert markdown_code("a\\|b", cell=True) == "`a\\\u200b\\|b`"  # the backslash cannot escape the escape
    for name in HOSTILE_NAMES:
        span = markdown_code(name)
        assert _outside_code_spans(span) == "", span


def test_markdown_text_makes_no_html_link_image_or_mention():
    text = "![pic](//evil/p) [link](https://evil) [x][ref] [ref]: //evil <img src=x> &amp; @org/team www.evil.com"
    out = markdown_text(text)
    assert not re.search(r"(?<!\\)\](?=[(\[:])", out), out  # no `](`, `][` or `]:` left unescaped
    assert "<" not in out and "&amp;amp;" in out and "@org" not in out and "www." not in out and "://" not in out
    # a backslash cannot undo an escape, and a message's own code spans stay spans
    assert markdown_text("a\\](b)") == "a\\\\\\](b)"
    assert markdown_text("`fc` expects 8 but gets [1, 4]") == "`fc` expects 8 but gets [1, 4]"
    # a name with a backtick closes the message's span early: what follows is escaped text
    broken = markdown_text("`x`![pic](//evil/p)@org` expects 8")
    assert broken == "`x`![pic\\](//evil/p)@\u200borg` expects 8"
    assert markdown_cell("a|b") == "a\\|b" and "\n" not in markdown_text("a\r\nb")


def test_diff_markdown_keeps_a_backtick_name_in_its_code_span(tmp_path):
    """`diff --format markdown` wrapped each layer in single backticks: a name holding one broke
    out, and the rest of it was live markdown in the PR comment (an image, a link, a mention)."""
    model = _write(tmp_path, "m.py", NAMES_MODEL)
    result = runner.invoke(app, ["diff", f"{model}:A", f"{model}:B", "-i", "8", "-f", "markdown"])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "| - | `` body.x`![pic](//evil/p)[link](//evil)@org (Linear) `` | [1, 8] |" in out
    outside = _outside_code_spans(out)
    assert "](" not in outside and "@org" not in outside and "<" not in outside


# -- CI commands --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_diff_output_reads_as_no_ci_command(tmp_path, fmt):
    """`diff` did not go through the neutraliser at all: a name with CR or LF started a
    `::error` line, and `##[error]` ran anywhere in one. JSON keeps the names exact."""
    model = _write(tmp_path, "m.py", NAMES_MODEL)
    result = runner.invoke(app, ["diff", f"{model}:A", f"{model}:B", "-i", "8", "-f", fmt])
    assert result.exit_code == 1, result.output
    assert _commands(result.stdout) == [], _commands(result.stdout)
    if fmt == "json":
        names = {layer["name"] for layer in json.loads(result.stdout)["layers"]}
        assert {f"body.{name}" for name in HOSTILE_NAMES} <= names


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "html"])  # the formats that list layers
def test_check_output_reads_as_no_ci_command(tmp_path, fmt):
    """Layer names with `##[error]` mid-line, or `::error` after a CR: the neutraliser used to
    look at line starts only, and split lines at LF only."""
    model = _write(tmp_path, "m.py", NAMES_MODEL)
    result = runner.invoke(app, [f"{model}:A", "-i", "8", "-f", fmt])
    assert result.exit_code == 0, result.output
    assert "pwned" in result.stdout and _commands(result.stdout) == []
    if fmt == "json":  # broken with JSON's own escapes: the same names come back
        names = {layer["name"] for layer in json.loads(result.stdout)["layers"]}
        assert {f"body.{name}" for name in HOSTILE_NAMES} <= names


@pytest.mark.parametrize("fmt", FORMATS)
def test_checkpoint_keys_with_a_command_mid_line(tmp_path, fmt):
    """Checkpoint keys from `--weights` put `##[error]` in the middle of a `why:` line. `github`
    writes commands of its own, at its line starts; in the middle of one, none."""
    model = _write(tmp_path, "small.py", SMALL_MODEL)
    weights = _safetensors(
        tmp_path / "keys.safetensors",
        {"fc.weight": (4, 8), "fc.bias": (4,), "aux ##[error]pwned ##VSO[task-complete]x.weight": (2, 2)},
    )
    result = runner.invoke(app, [f"{model}:Net", "-i", "8", "--weights", weights, "-f", fmt])
    assert result.exit_code == 1, result.output
    assert "pwned" in result.stdout and _commands(result.stdout, line_starts=fmt != "github") == []


def test_the_neutraliser_breaks_commands_anywhere_and_after_cr():
    text = "ok ##[error]a ##VSO[task]b ###[c\r::error::d\r\n  ::warning::e\n::f"
    plain = neutralized(text)
    assert _commands(plain) == [] and plain.replace("\u200b", "") == text
    assert _commands(neutralized(text, kind="json")) == [] and _commands(neutralized(text, kind="xml")) == []
    assert json.loads(neutralized(json.dumps(text), kind="json")) == text  # the same string, read back
    own = neutralized("::error file=a.py::x ##[error]y\n", line_starts=False)
    assert own.startswith("::error file=a.py::") and "##[" not in own
    assert neutralized("a::b ## [c] #[d]") == "a::b ## [c] #[d]"  # no command, no change


def test_command_free_sees_commands_split_across_writes():
    class Sink:
        def __init__(self):
            self.text = ""

        def write(self, text):
            self.text += text

        def flush(self):
            pass

    sink = Sink()
    stream = CommandFree(sink)
    for piece in ["x #", "#[err", "or] y\r:", ":error::z\n", ":", ":warning::w", "\udc80"]:
        stream.write(piece)
    stream.close()
    assert (
        _commands(sink.text) == []
        and sink.text.replace("\u200b", "") == "x ##[error] y\r::error::z\n::warning::w\\udc80"
    )


# -- stderr -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["timm:no_such_model\n::error::pwned\r##[error]x", "no_such\r##[error]pwned\nx"])
def test_a_model_name_is_echoed_on_one_line(name):
    """A name from the command line or a config (timm's included) is quoted in the error: it
    used to reach stderr raw, its LF or CR starting a `::error` line."""
    if name.startswith("timm:"):
        pytest.importorskip("timm")
    result = runner.invoke(app, [name])
    assert result.exit_code == 2, result.output
    lines = _runner_lines(result.stderr.strip())
    assert lines[0].startswith("error: ") and "pwned" in lines[0] and len(lines) <= 2, lines
    assert _commands(result.stderr) == []


def test_one_line_shows_control_characters_as_escapes():
    assert one_line("a\nb\r\x1b[31m\u2028\tc\udc80") == "a\\nb\\r\\x1b[31m\\u2028\tc\\udc80"


# -- text UTF-8 cannot hold ---------------------------------------------------------------------


SURROGATE_MODEL = """import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential()
        self.body.add_module("sur\\udc80x", nn.Linear(6, 4))  # a lone surrogate: UTF-8 cannot hold it

    def forward(self, x):
        return self.body(x)
"""


@pytest.mark.parametrize("fmt", ["table", "github", "markdown", "html"])  # JSON and XML escape it themselves
def test_a_name_with_a_lone_surrogate_renders_in_every_format(tmp_path, fmt):
    """Where no worker is in between (the API, SHAPECHECK_IN_PROCESS), a name with `\\udc80`
    reaches the renderers as it is: each format writes it, escaped, to a strict UTF-8 stream
    (the finding names the layer, so `github` shows it too)."""
    import io

    import shapecheck
    from shapecheck.render import renderer

    report = shapecheck.check(f"{_write(tmp_path, 'm.py', SURROGATE_MODEL)}:Net", "8")
    assert report.errors and "body.sur\udc80x" in [row.name for row in report.layers]
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")
    renderer(fmt)([CheckResult("Net", report)], stream)
    stream.flush()
    assert "sur\\udc80x" in raw.getvalue().decode("utf-8").replace("\\\\", "\\")


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit"])
def test_a_surrogate_key_crosses_from_the_worker(tmp_path, fmt):
    """A checkpoint key with `\\udc80` (JSON can say it) made the worker's report unsendable:
    every format was "internal error: the report could not be sent (UnicodeEncodeError …)". The
    tests' CLI runs checks in process, so this one runs the command with its worker."""
    import os
    import subprocess
    import sys

    model = _write(tmp_path, "small.py", SMALL_MODEL)
    weights = _safetensors(
        tmp_path / "keys.safetensors", {"fc.weight": (4, 8), "fc.bias": (4,), "sur\udc80x.weight": (2, 2)}
    )
    env = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    done = subprocess.run(
        [sys.executable, "-m", "shapecheck", f"{model}:Net", "-i", "8", "--weights", weights, "-f", fmt],
        capture_output=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr.decode(errors="replace")
    out = done.stdout.decode("utf-8")
    assert "internal error" not in out and "SC110" in out and "sur\\udc80x" in out.replace("\\\\", "\\")
    if fmt == "json":
        (finding,) = json.loads(out)["findings"]
        assert any("sur\\udc80x" in why for why in finding["why"])


def test_the_wire_sends_text_utf8_cannot_hold():
    result = CheckResult("sur\udc80x", error="key 'a\udc80' {'\udc81': 1}")
    back = wire.loads(wire.dumps(result))
    assert back.name == "sur\\udc80x" and back.error == "key 'a\\udc80' {'\\udc81': 1}"
    assert wire.loads(wire.dumps({"k\udc80": "v"})) == {"k\\udc80": "v"}
    assert encodable("plain ✓") == "plain ✓" and encodable("\ud800x") == "\\ud800x"
