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
    pids_file = tmp_path / "pids"
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    environ["PIDS_FILE"] = str(pids_file)
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
