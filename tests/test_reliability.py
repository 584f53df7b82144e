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
    given = shapecheck("hf:bert", "--arg", "hidden_size=" + "big" * 2000)
    assert given.returncode == 2, given.stderr
    assert "--arg hidden_size='bigbig" in given.stderr and "is refused by the config" in given.stderr
    assert len(given.stderr.strip().splitlines()) == 1 and len(given.stderr) < 400


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


# -- the worker's end, however it comes --------------------------------------------------------------


def _running(pid: int) -> bool:
    """Alive and not a zombie (this container's init may not reap orphans)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _gone(pids, within=10.0) -> bool:
    import time

    deadline = time.monotonic() + within
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(_running(p) for p in pids)


def _kill_all(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass


HELPER_THEN = """
import ctypes, os, signal, subprocess, sys, time

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # model code may catch what it can
        helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        with open(os.environ["PIDS_FILE"], "w") as f:
            f.write(f"{{os.getpid()}} {{helper.pid}}")
        {end}

    def forward(self, x):
        return self.fc(x)
"""

ENDS = {
    "SIGKILL": "os.kill(os.getpid(), signal.SIGKILL)",
    "segfault": "ctypes.string_at(0)",
    "os._exit": "os._exit(3)",
}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups")
@pytest.mark.parametrize("end", list(ENDS))
def test_a_helper_process_dies_with_its_worker_however_the_worker_ends(tmp_path, end):
    path = model_file(tmp_path, "ends.py", HELPER_THEN.format(end=ENDS[end]))
    pids_file = tmp_path / "pids"
    result = shapecheck(path, "--input", "4", env={"PIDS_FILE": str(pids_file)})
    pids = [int(p) for p in pids_file.read_text().split()]
    try:
        assert result.returncode == 2, result.stderr
        assert _gone(pids), f"left running after the worker's {end}: {pids}"
    finally:
        _kill_all(pids)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal")
def test_a_killed_command_takes_a_worker_that_ignores_sigterm_with_it(tmp_path):
    """The parent-death signal is SIGKILL, which model code cannot catch; what model code
    started goes too."""
    import signal
    import time

    path = model_file(tmp_path, "stays.py", HELPER_THEN.format(end="while True: time.sleep(1)"))
    pids_file, temp = tmp_path / "pids", tmp_path / "tmp"
    temp.mkdir()
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    environ.update(PIDS_FILE=str(pids_file), TMPDIR=str(temp))
    command = subprocess.Popen(
        [sys.executable, "-m", "shapecheck", path, "--input", "4"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pids: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not (pids_file.exists() and len(pids_file.read_text().split()) == 2):
            assert time.monotonic() < deadline and command.poll() is None, "the model never started"
            time.sleep(0.1)
        pids = [int(p) for p in pids_file.read_text().split()]
        command.send_signal(signal.SIGKILL)
        command.wait(30)
        assert _gone(pids), f"left running after the command was killed: {pids}"
        deadline = time.monotonic() + 10
        while list(temp.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert list(temp.iterdir()) == []  # the worker's capture file and TMPDIR
    finally:
        command.kill()
        _kill_all(pids)


HEADER_ONLY = """
import gc, os, struct, time
from multiprocessing.connection import Connection

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        for conn in [o for o in gc.get_objects() if isinstance(o, Connection)]:
            try:
                os.write(conn.fileno(), struct.pack("!i", 1000))  # a header, and no body
            except OSError:
                pass
        time.sleep(600)
"""


def test_a_worker_that_sends_a_header_without_its_body_cannot_hang_the_command(tmp_path):
    import time

    path = model_file(tmp_path, "header.py", HEADER_ONLY)
    start = time.monotonic()
    result = shapecheck(path, "--input", "4", "--timeout", "5", timeout=90)
    assert result.returncode == 2, result.stderr
    assert "timed out after 5 s while importing and building the model" in result.stderr
    assert time.monotonic() - start < 60


# -- diff REF: ------------------------------------------------------------------------------------


def _repository(tmp_path, files: dict[str, str], links: dict[str, str] | None = None):
    def git(*args):
        subprocess.run(
            ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=tmp_path, check=True, capture_output=True
        )

    git("init", "-q")
    for name, body in files.items():
        model_file(tmp_path, name, body)
    for name, target in (links or {}).items():
        os.symlink(target, tmp_path / name)
    git("add", ".")
    git("commit", "-q", "-m", "models")


LINEAR = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x)
"""

HANGS = """
import os

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        open(os.environ["STARTED"], "w").close()
        while True:
            pass
"""


def test_a_commit_holding_an_absolute_symlink_is_one_line_exit_2(tmp_path):
    _repository(tmp_path, {"model.py": LINEAR}, links={"neighbour.py": "/etc/hostname", "linked.py": "/etc/hostname"})
    same = shapecheck("diff", "HEAD:model.py:Net", "model.py:Net", "--input", "4", cwd=tmp_path)
    assert same.returncode == 0, same.stderr  # the link beside the model is left out of the copy
    linked = shapecheck("diff", "HEAD:linked.py:Net", "model.py:Net", "--input", "4", cwd=tmp_path)
    assert linked.returncode == 2, linked.stderr
    assert linked.stderr.strip().splitlines() == [
        "error: linked.py at HEAD is not a file shapecheck copies out of git: 'linked.py' is a link to an absolute path"
    ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals")
def test_diff_removes_its_copy_of_a_commit_on_sigterm(tmp_path):
    import signal
    import time

    _repository(tmp_path, {"model.py": LINEAR, "hangs.py": HANGS})
    temp, started = tmp_path / "tmp", tmp_path / "started"
    temp.mkdir()
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    environ.update(TMPDIR=str(temp), STARTED=str(started))
    command = subprocess.Popen(
        [sys.executable, "-m", "shapecheck", "diff", "HEAD:model.py:Net", "hangs.py:Net", "--input", "4"],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert time.monotonic() < deadline and command.poll() is None, "the model never started"
            time.sleep(0.1)
        assert any(p.name.startswith("shapecheck-diff-") for p in temp.iterdir())
        command.send_signal(signal.SIGTERM)
        assert command.wait(30) == -signal.SIGTERM
        assert list(temp.iterdir()) == []
    finally:
        command.kill()


# -- explain's stdin ------------------------------------------------------------------------------

MATMUL = "RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x3 and 4x5)\n"


class _Counted:
    """A pipe-like stream that counts what is read from it, endless unless `size` is given."""

    def __init__(self, size=None):
        self.read_bytes, self.size = 0, size

    def seekable(self):
        return False

    def read(self, n=-1):
        n = 2**16 if n is None or n < 0 else n
        if self.size is not None:
            n = min(n, self.size - self.read_bytes)
        self.read_bytes += n
        return (MATMUL.encode() * (n // len(MATMUL) + 1))[:n]


def test_explain_reads_stdin_only_as_far_as_it_uses_it(tmp_path):
    from shapecheck.cli import STDIN_LIMIT, STDIN_TAIL, _stdin_tail

    endless = _Counted()
    text, cut = _stdin_tail(endless)
    assert cut and endless.read_bytes <= STDIN_LIMIT + 1 and len(text) <= STDIN_TAIL
    short = _Counted(size=1000)
    assert _stdin_tail(short) == ((MATMUL * 20)[:1000], False)
    big = tmp_path / "paste.txt"
    with open(big, "wb") as f:  # 256 MB of a log (a sparse file), the error at its end
        f.seek(256 * 2**20)
        f.write(MATMUL.encode())
    with open(big, "rb") as f:
        text, cut = _stdin_tail(f)
        assert f.tell() == os.path.getsize(big) and len(text) <= STDIN_TAIL and not cut
    assert text.endswith(MATMUL)
    with open(big, "rb") as f:
        result = subprocess.run(
            [sys.executable, "-m", "shapecheck", "explain"], stdin=f, capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 0 and result.stdout.startswith("SC102"), result.stderr


def test_explain_of_an_endless_pipe_ends():
    """`yes MESSAGE | shapecheck explain` never reaches the end of its input: it stops at
    STDIN_LIMIT and says so."""
    command = subprocess.Popen(
        [sys.executable, "-m", "shapecheck", "explain"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    import threading

    def feed():
        try:
            while True:
                command.stdin.write(MATMUL * 1000)
        except (BrokenPipeError, OSError, ValueError):
            pass

    threading.Thread(target=feed, daemon=True).start()
    try:
        code = command.wait(60)
    finally:
        command.kill()
    assert code == 0
    assert command.stdout.read().startswith("SC102")
    assert "read the first 16 MiB of stdin only" in command.stderr.read()


# -- memory and --fit -----------------------------------------------------------------------------

MiB = 2**20


def _memory(**kw):
    from shapecheck.trace.records import MemoryUse

    figures = dict(
        weight_bytes=100 * MiB,
        trainable_bytes=100 * MiB,
        saved_fixed=0,
        saved_per_sample=30 * MiB,
        live_fixed=0,
        live_per_sample=5 * MiB,
        segments=[(f"block{i}", 0, 1 * MiB, 1 * MiB) for i in range(30)],
    )
    figures.update(kw)
    return MemoryUse(**figures)


def test_the_fit_search_is_a_bisection(monkeypatch):
    """Measured figures need not agree (here the total kept per sample says 1 byte, the modules
    30 MiB): the search never steps one batch at a time from a wrong guess."""
    from shapecheck.trace.records import MemoryUse

    use = _memory(saved_per_sample=1)
    calls = [0]
    training = MemoryUse.training

    def counted(self, batch, optimizer_states=2):
        calls[0] += 1
        return training(self, batch, optimizer_states)

    monkeypatch.setattr(MemoryUse, "training", counted)
    budget = 2**40
    largest = use.largest_batch(budget, training=True)
    assert largest is not None and use.training(largest) <= budget < use.training(largest + 1)
    assert calls[0] < 64, f"{calls[0]} peaks computed"


def test_the_search_cap_is_not_reported_as_an_answer():
    import io

    import jsonschema

    from shapecheck.render.memory import fits, memory_lines
    from shapecheck.trace.records import SEARCH_LIMIT

    flat = _memory(saved_per_sample=0, live_per_sample=0, segments=[("fc", 0, 0, MiB)], budget=2**30)
    assert flat.largest_batch(2**30, training=True) is None
    assert fits(flat) == {"training": None, "inference": None}
    report = shapecheck_check_flat()
    report.trace.memory = flat
    text = "\n".join(memory_lines(report))
    assert f"training none found (every batch up to {SEARCH_LIMIT:,} fits)" in text
    assert f"{SEARCH_LIMIT:,}," not in text and "not even one sample" not in text
    from shapecheck.render import renderer
    from shapecheck.report import CheckResult

    out = io.StringIO()
    renderer("json")([CheckResult("flat", report)], out)
    document = json.loads(out.getvalue())
    with open(os.path.join(ROOT, "shapecheck", "report.schema.json")) as f:
        jsonschema.validate(document, json.load(f))
    assert '"largest_batch": {"training": null, "inference": null}' in json.dumps(document)


def shapecheck_check_flat():
    import torch.nn as nn

    import shapecheck

    return shapecheck.check(nn.Linear(4, 4), "4")


class _Wide:
    """A forward whose widest tensor is a temporary autograd never keeps."""

    @staticmethod
    def build():
        import torch.nn as nn

        class Wide(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(16, 16)

            def forward(self, x):
                wide = x.repeat(1, 10_000)
                return self.fc(x) + wide.sum(1, keepdim=True)

        return Wide()


def test_the_training_peak_includes_the_forwards_temporaries():
    import shapecheck

    report = shapecheck.check(_Wide.build(), "16", memory=True)
    memory = report.trace.memory
    for batch in (1, 8, 1024):
        assert memory.training(batch) >= memory.inference(batch) > memory.weight_bytes + 16 * 10_000 * 4 * batch


# -- --fix: the text that was traced, placed and written as Python and the file system expect -----

NEEDS_FLATTEN = (
    "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
    "        super().__init__()\n        self.conv = nn.Conv2d(3, 8, 3)\n"
    "        self.fc = nn.Linear(8 * 30 * 30, 10)\n\n    def forward(self, x):\n"
    "        x = self.conv(x)\n        return self.fc(x)\n"
)


def _fix(*args):
    # SC103 (the head is locked to one input size) would add a pool in a second round
    return runner.invoke(app, ["net.py", "--input", "3x32x32", "--fix", "--ignore", "SC103", *args])


def _fixed_module(path):
    """The fixed file runs: imported fresh and called on a batch."""
    import importlib.util

    import torch

    spec = importlib.util.spec_from_file_location("fixed_net", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Net()(torch.zeros(2, 3, 32, 32)).shape


def test_fix_refuses_a_file_that_changed_since_it_was_traced(tmp_path, monkeypatch):
    """The anchor line still reads as traced, but the file is not the one traced: no edit."""
    import shapecheck
    from shapecheck import apply
    from shapecheck.report import CheckResult

    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.py").write_text(NEEDS_FLATTEN)
    results = [CheckResult("net.py", shapecheck.check("net.py", "3x32x32"))]
    assert results[0].report.sources["net.py"]
    changed = NEEDS_FLATTEN.replace("nn.Conv2d(3, 8, 3)", "nn.Conv2d(3, 8, 5)")
    (tmp_path / "net.py").write_text(changed)
    edits = apply.planned_edits(results)
    assert edits and apply.diff(edits) == ""
    done, refused = apply.write(edits)
    assert done == [] and {why for _, why in refused} == {"the file changed since it was traced"}
    assert (tmp_path / "net.py").read_text() == changed


def test_fix_quotes_and_edits_the_text_imported_not_a_later_save(tmp_path, monkeypatch):
    """The file is saved again after it was imported, before its lines are quoted: the report
    quotes the text that ran, and --fix refuses the file that is there now."""
    import linecache

    import shapecheck
    from shapecheck import apply, snapshot
    from shapecheck.report import CheckResult

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "net.py"
    path.write_text(NEEDS_FLATTEN)
    take = snapshot.take

    def saved_again_after_import(paths=(), modules=()):
        take(paths, modules)
        if paths:
            path.write_text("\\n" * 3 + NEEDS_FLATTEN)  # three lines more at the top, same lines

    monkeypatch.setattr(snapshot, "take", saved_again_after_import)
    report = shapecheck.check("net.py", "3x32x32")
    linecache.checkcache()
    fix = report.findings[0].fixes[0]
    assert fix.location.line == 12 and fix.location.source == "return self.fc(x)"
    done, refused = apply.write(apply.planned_edits([CheckResult("net.py", report)]))
    assert done == [] and refused and refused[0][1] == "the file changed since it was traced"
    assert path.read_text() == "\\n" * 3 + NEEDS_FLATTEN


DOCSTRING_WITH_FROM = (
    '"""A small model.\n\nfrom the paper, section 3:\nthe head reads a flat map.\n"""\n' + NEEDS_FLATTEN
)


def test_fix_puts_an_import_after_the_docstring_never_inside_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.py").write_text(DOCSTRING_WITH_FROM)
    result = _fix()
    assert result.exit_code == 0, result.output
    text = (tmp_path / "net.py").read_text()
    assert text.startswith('"""A small model.\n\nfrom the paper, section 3:\nthe head reads a flat map.\n"""\n')
    assert "import torch.nn as nn\nimport torch\n" in text
    assert tuple(_fixed_module(tmp_path / "net.py")) == (2, 10)


MAIN_ONLY = NEEDS_FLATTEN + (
    '\n\nif __name__ == "__main__":\n    import torch\n\n    print(Net()(torch.zeros(1, 3, 32, 32)))\n'
)


def test_fix_adds_a_top_level_import_when_torch_is_imported_only_under_main(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.py").write_text(MAIN_ONLY)
    result = _fix()
    assert result.exit_code == 0, result.output
    text = (tmp_path / "net.py").read_text()
    assert text.startswith("import torch.nn as nn\nimport torch\n")
    assert tuple(_fixed_module(tmp_path / "net.py")) == (2, 10)  # NameError before


def test_fix_numbers_lines_as_python_does_past_a_form_feed(tmp_path, monkeypatch):
    """A form feed on a line of its own (a page break) is one line to Python, two to
    str.splitlines: the edit used to be refused, the line numbers off by one."""
    monkeypatch.chdir(tmp_path)
    source = NEEDS_FLATTEN.replace("\n\n\nclass Net", "\n\n\x0c\nclass Net")
    (tmp_path / "net.py").write_text(source)
    result = _fix()
    assert result.exit_code == 0, result.output
    text = (tmp_path / "net.py").read_text()
    assert "\n\x0c\nclass Net" in text and "        x = torch.flatten(x, 1)\n        return self.fc(x)\n" in text


@pytest.mark.skipif(not hasattr(os, "chown") or os.geteuid() != 0, reason="chown to another user needs root")
def test_fix_writes_in_place_keeping_owner_mode_and_hard_links(tmp_path, monkeypatch):
    import stat

    monkeypatch.chdir(tmp_path)
    path, link = tmp_path / "net.py", tmp_path / "same.py"
    path.write_text(NEEDS_FLATTEN)
    os.link(path, link)
    os.chown(path, 4321, 4321)
    path.chmod(0o640)
    inode = path.stat().st_ino
    result = _fix()
    assert result.exit_code == 0, result.output
    info = path.stat()
    assert (info.st_ino, info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (inode, 4321, 4321, 0o640)
    assert "torch.flatten(x, 1)" in link.read_text() and info.st_nlink == 2


def test_diff_prints_exactly_what_fix_writes(tmp_path, monkeypatch):
    import difflib
    import stat

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "net.py"
    path.write_text(DOCSTRING_WITH_FROM)
    (tmp_path / "data.txt").write_text("a file the model does not read")
    # two rounds: the flatten, then (SC103, found once it runs) a pool for other input sizes
    shown = runner.invoke(app, ["net.py", "--input", "3x32x32", "--diff"])
    assert path.read_text() == DOCSTRING_WITH_FROM and sorted(p.name for p in tmp_path.iterdir()) == [
        "data.txt",
        "net.py",
    ]
    assert "torch.flatten(x, 1)" in shown.stdout and "adaptive_avg_pool2d" in shown.stdout
    assert runner.invoke(app, ["net.py", "--input", "3x32x32", "--fix"]).exit_code == 0
    written = difflib.unified_diff(
        DOCSTRING_WITH_FROM.splitlines(keepends=True),
        path.read_text().splitlines(keepends=True),
        fromfile="a/net.py",
        tofile="b/net.py",
    )
    assert shown.stdout == "".join(written) != ""
    # what --fix refuses, --diff does not show (it says why on stderr)
    path.write_text(NEEDS_FLATTEN)
    path.chmod(stat.S_IRUSR)
    try:
        shown = runner.invoke(app, ["net.py", "--input", "3x32x32", "--diff"])
        assert shown.stdout == "" and "would not fix SC101 at net.py:12: the file is read-only" in shown.stderr
    finally:
        path.chmod(stat.S_IRWXU)


# -- the API from several threads -----------------------------------------------------------------

PRINTS = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        print("model code printed this")
        self.fc = nn.Linear(4, 4)
        self.bn = nn.BatchNorm1d(4)

    def forward(self, x):
        return self.bn(self.fc(x))
"""


def test_four_threads_checking_leave_the_process_as_it_was_and_others_never_see_a_patch(tmp_path, capsys):
    import threading

    import torch
    import torch.nn as nn

    import shapecheck

    path = model_file(tmp_path, "prints.py", PRINTS)
    limit, stdout = sys.getrecursionlimit(), sys.stdout
    errors: list = []
    seen: list = []
    loaded: list = []
    done = threading.Event()
    torch.save({"w": torch.ones(1)}, tmp_path / "weights.pth")
    url = (tmp_path / "weights.pth").as_uri()

    def check(target, spec):
        try:
            for _ in range(2):
                assert shapecheck.check(target, spec).ok
        except BaseException as exc:  # reported below
            errors.append(exc)

    def bystander():
        """Another thread of the caller, building layers and printing while the checks run."""
        while not done.is_set():
            linear, norm = nn.Linear(3, 3), nn.BatchNorm1d(3)
            seen.append((linear.weight.device.type, norm.running_mean.device.type))
            print("bystander printed this")
            # torch.hub's loader is the real one here (a check's stand-in returns no weights)
            loaded.append(type(torch.hub.load_state_dict_from_url(url, model_dir=str(tmp_path / "hub"))).__name__)

    workers = [
        threading.Thread(target=check, args=(path, "4")),
        threading.Thread(target=check, args=("resnet18", "3x32x32")),
        threading.Thread(target=check, args=(nn.Sequential(nn.Linear(4, 4), nn.ReLU()), "4")),
        threading.Thread(target=check, args=(path, "4")),
    ]
    watcher = threading.Thread(target=bystander)
    watcher.start()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    done.set()
    watcher.join()
    assert not errors, errors
    assert sys.getrecursionlimit() == limit and sys.stdout is stdout
    assert len(seen) > 10 and set(seen) == {("cpu", "cpu")} and set(loaded) == {"dict"}
    captured = capsys.readouterr()
    assert "model code printed this" not in captured.out and "model code printed this" in captured.err
    assert "bystander printed this" in captured.out and "bystander printed this" not in captured.err
    assert torch.empty(2).device.type == "cpu" and nn.Linear(2, 2).weight.device.type == "cpu"


def test_every_test_docs_security_names_exists():
    """docs/security.md says what holds per test: each test it names is one."""
    import glob
    import re

    with open(os.path.join(ROOT, "docs", "security.md"), encoding="utf-8") as f:
        named = set(re.findall(r"`(?:tests/\w+\.py::)?(test_\w+)`", f.read()))
    source = ""
    for path in glob.glob(os.path.join(ROOT, "tests", "test_*.py")):
        with open(path, encoding="utf-8") as f:
            source += f.read()
    assert len(named) > 20
    assert sorted(n for n in named if f"def {n}(" not in source) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals")
def test_ctrl_c_in_run_ends_by_sigint_as_python_does(tmp_path):
    """A shell loop over `shapecheck run` stops on Ctrl-C only if the command dies by SIGINT
    (python does), not if it exits with status 130."""
    import signal

    script = tmp_path / "sleeps.py"
    script.write_text("import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    command = subprocess.Popen(
        [sys.executable, "-m", "shapecheck", "run", "sleeps.py"],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as from a terminal
    )
    try:
        assert command.stdout.readline() == b"started\n"
        command.send_signal(signal.SIGINT)
        assert command.wait(30) == -signal.SIGINT
        assert b"KeyboardInterrupt" in command.stderr.read()
    finally:
        command.kill()
