"""Fault injection: model code that hangs, exits, writes to fd 1, eats memory or reaches the
network cannot take over a run. These run the real CLI in a subprocess, with its workers."""

import json
import os
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from conftest import ROOT


def shapecheck(*args, cwd=None, env=None, timeout=120):
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "shapecheck", *args],
        cwd=cwd or ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def model_file(tmp_path, name, body, header="import torch.nn as nn\n"):
    path = tmp_path / name
    path.write_text(header + textwrap.dedent(body))
    return str(path)


HANG = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        while True:
            pass
"""


def test_a_forward_that_never_ends_is_stopped_at_the_timeout(tmp_path):
    path = model_file(tmp_path, "hang.py", HANG)
    start = time.monotonic()
    result = shapecheck(path, "--input", "4", "--timeout", "3")
    assert result.returncode == 2
    assert time.monotonic() - start < 60
    assert "error: timed out after 3 s while tracing the model" in result.stderr
    assert "--timeout SECONDS" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            """
     import sys

     class Net(nn.Module):
         def __init__(self):
             super().__init__()
             sys.exit(0)
     """,
            "model code called sys.exit(0) in __init__ (",
        ),
        (
            """
     import sys

     class Net(nn.Module):
         def __init__(self):
             super().__init__()
             self.fc = nn.Linear(4, 4)

         def forward(self, x):
             sys.exit(3)
     """,
            "model code called sys.exit(3) in forward (",
        ),
        (
            """
     import os

     os._exit(0)
     """,
            "model code ended the worker process (exit code 0) while importing and building the model",
        ),
        (
            """
     class Stop(BaseException):
         pass

     class Net(nn.Module):
         def __init__(self):
             super().__init__()
             self.fc = nn.Linear(4, 4)

         def forward(self, x):
             raise Stop("no more")
     """,
            "model code raised Stop: no more in forward (",
        ),
    ],
)
def test_model_code_that_ends_the_run_is_exit_2_with_one_line(tmp_path, body, expected):
    path = model_file(tmp_path, "m.py", body)
    result = shapecheck(path, "--input", "4")
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


NOISY = """
import os
import sys

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        print("built the noisy model")
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        os.write(1, b"raw bytes on fd 1\\n")
        sys.__stdout__.write("to sys.__stdout__\\n")
        print("printed")
        return self.fc(x)
"""


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit"])
def test_machine_output_stays_parseable_whatever_model_code_writes(tmp_path, fmt):
    path = model_file(tmp_path, "noisy.py", NOISY)
    result = shapecheck(path, "--input", "4", "--format", fmt)
    assert result.returncode == 0, result.stderr
    if fmt == "junit":
        ET.fromstring(result.stdout.split("\n", 1)[1])
    else:
        json.loads(result.stdout)
    for text in ("built the noisy model", "raw bytes on fd 1", "to sys.__stdout__", "printed"):
        assert text not in result.stdout and text in result.stderr


def test_memory_over_the_limit_ends_the_check(tmp_path):
    path = model_file(
        tmp_path,
        "big.py",
        """
        import time

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = bytearray(1536 * 1024 * 1024)  # touched: 1.5 GiB resident
                time.sleep(30)
        """,
    )
    result = shapecheck(path, "--input", "4", "--memory-limit", "1024")
    assert result.returncode == 2, result.stderr
    assert "over the limit of 1.0 GiB, while importing and building the model" in result.stderr
    assert "--memory-limit MB" in result.stderr


def test_model_code_cannot_reach_the_network(tmp_path):
    path = model_file(
        tmp_path,
        "net.py",
        """
        import urllib.request

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                urllib.request.urlopen("http://example.com/weights.pth")
        """,
    )
    result = shapecheck(path, "--input", "4")
    assert result.returncode == 2
    assert "network access is off while shapecheck runs model code" in result.stderr


def _project(tmp_path, name, layers_body):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "layers.py").write_text("import torch.nn as nn\n\n" + textwrap.dedent(layers_body))
    (folder / "model.py").write_text(
        "import torch.nn as nn\nfrom layers import Block\n\n\n"
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.block = Block()\n\n    def forward(self, x):\n"
        "        return self.block(x)\n"
    )


def test_config_checks_do_not_share_modules_and_each_outcome_is_kept(tmp_path):
    # Two folders with their own layers.py: in one interpreter the second check got the first's.
    _project(
        tmp_path,
        "a",
        "class Block(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(8, 8)\n\n    def forward(self, x):\n        return self.fc(x)\n",
    )
    _project(
        tmp_path,
        "b",
        "class Block(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(16, 2)\n\n    def forward(self, x):\n        return self.fc(x)\n",
    )
    (tmp_path / "quits.py").write_text("import sys\nsys.exit(0)\n")
    (tmp_path / "shapecheck.toml").write_text(
        '[[checks]]\nmodel = "a/model.py:Net"\ninputs = ["8"]\n\n'
        '[[checks]]\nmodel = "b/model.py:Net"\ninputs = ["16"]\n\n'
        '[[checks]]\nmodel = "quits.py"\ninputs = ["16"]\n\n'
        '[[checks]]\nmodel = "b/model.py:Net"\ninputs = ["8"]\nname = "b with 8 features"\n'
    )
    result = shapecheck("--format", "json", "-j", "2", cwd=tmp_path)
    doc = json.loads(result.stdout)
    assert result.returncode == 2
    assert [c["name"] for c in doc["checks"]] == ["a/model.py:Net", "b/model.py:Net", "quits.py", "b with 8 features"]
    assert [c["exit_code"] for c in doc["checks"]] == [0, 0, 2, 1]
    # a file with no model class is a script: its dry run ended at sys.exit(0)
    assert (
        "quits.py defines no nn.Module class and calls no module (it ended with sys.exit(0))"
        in doc["checks"][2]["error"]["message"]
    )
    assert [f["code"] for f in doc["checks"][3]["report"]["findings"]] == ["SC102"]


def test_a_failed_run_still_writes_a_machine_document():
    sarif = shapecheck("nosuchmodel", "--format", "sarif")
    assert sarif.returncode == 2
    notes = json.loads(sarif.stdout)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert "nosuchmodel" in notes[0]["message"]["text"]
    spec = shapecheck("resnet18", "--input", "3,224,224", "--format", "json")
    assert spec.returncode == 2
    doc = json.loads(spec.stdout)  # one model: the report document, with nothing traced and why
    assert doc["schema"] == "shapecheck/1" and doc["ok"] is False and doc["layers"] == []
    assert doc["error"]["hint"] == "join per-sample dims with 'x': --input 3x224x224"
    jsonschema.validate(doc, json.loads(open(os.path.join(ROOT, "shapecheck", "report.schema.json")).read()))
    junit = shapecheck("resnet18", "--depth", "-1", "--format", "junit")
    assert junit.returncode == 2
    assert ET.fromstring(junit.stdout.split("\n", 1)[1]).find(".//error") is not None


def test_a_terminal_without_utf8_gets_the_report_not_a_crash():
    result = shapecheck("fixtures/vgg_view.py", "--input", "3x300x300", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 1
    assert "error[SC102]" in result.stdout and "Traceback" not in result.stderr


def test_a_broken_config_above_does_not_stop_an_explicit_model(tmp_path):
    (tmp_path / "shapecheck.toml").write_text("this is [not toml\n")
    inner = tmp_path / "project"
    inner.mkdir()
    result = shapecheck(os.path.join(ROOT, "fixtures", "vgg_adaptive.py"), "--input", "3x224x224", cwd=inner)
    assert result.returncode == 0, result.stderr
    assert "warning: ignoring the config" in result.stderr
    assert shapecheck(cwd=inner).returncode == 2  # without MODEL the config is what was asked for


# -- in this process (CliRunner): option values and shapecheck's own failures --------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["resnet18", "--depth", "-1"], "--depth must be 0 or more"),
        (["resnet18", "--budget", "nan"], "--budget must be a positive number of seconds"),
        (["resnet18", "--budget", "0"], "--budget must be a positive number of seconds"),
        (["resnet18", "--device", "meta", "--engine", "real"], "unknown device 'meta'"),
        (["resnet18", "--timeout", "0"], "--timeout must be a positive number of seconds"),
        (["resnet18", "--timeout", "inf"], "--timeout must be a positive number of seconds"),
        (["resnet18", "--memory-limit", "1"], "--memory-limit is in MB and must be at least 64"),
        (["resnet18", "--jobs", "0"], "--jobs must be at least 1"),
        (["resnet18", "--input", "99999999999999999999x3x3"], "is too large"),
        (["resnet18", "--input", "3x999999x999999"], "values per sample"),
        (["resnet18", "--batch", "99999999999999999999"], "is too large"),
    ],
)
def test_option_values_that_cannot_work_are_exit_2(args, message):
    from typer.testing import CliRunner

    from shapecheck.cli import app

    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output


def test_a_bug_in_shapecheck_s_own_hooks_is_an_internal_error_not_a_finding(monkeypatch):
    from typer.testing import CliRunner

    from shapecheck.cli import app
    from shapecheck.trace import recorder

    def broken(module):
        raise KeyError("a bug of shapecheck's")

    monkeypatch.setattr(recorder, "module_attrs", broken)
    result = CliRunner().invoke(app, ["fixtures/vgg_adaptive.py", "--input", "3x64x64", "--format", "json"])
    assert result.exit_code == 2
    assert "internal error: RecorderBug: in shapecheck's recorder (_pre): KeyError" in result.stderr
    assert "SC100" not in result.output
    assert json.loads(result.stdout)["error"]["message"].startswith("internal error")


def test_symbolic_leaves_the_callers_timer_alone():
    import signal

    import shapecheck

    signal.setitimer(signal.ITIMER_REAL, 1000.0)
    previous = signal.signal(signal.SIGALRM, lambda *a: None)
    try:
        shapecheck.check(os.path.join(ROOT, "fixtures", "vgg_adaptive.py"), "3x64x64", symbolic=True)
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 900 < remaining <= 1000
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_deep_nesting_and_huge_layers_trace_on_meta(tmp_path):
    import shapecheck

    path = model_file(
        tmp_path,
        "big.py",
        """
        class Huge(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(100000, 100000)  # 40 GB of weights if they were allocated

            def forward(self, x):
                return self.fc(x)


        def Deep(depth=200):
            layer = nn.Linear(4, 4)
            for _ in range(depth):
                layer = nn.Sequential(layer)
            return layer
        """,
    )
    huge = shapecheck.check(f"{path}:Huge", "100000")
    assert huge.ok and huge.trace.total_params == 100000 * 100000 + 100000
    deep = shapecheck.check(f"{path}:Deep", "4")
    assert deep.ok and len(deep.layers) == 201


def test_a_folder_named_like_a_model_does_not_hide_it(tmp_path, monkeypatch):
    import shapecheck

    (tmp_path / "resnet18").mkdir()
    monkeypatch.chdir(tmp_path)
    assert shapecheck.check("resnet18", "3x64x64").model == "resnet18"


def test_junit_strips_what_xml_cannot_hold():
    import io

    from shapecheck.render.junit import render_results
    from shapecheck.report import CheckResult

    out = io.StringIO()
    render_results([CheckResult("model\x1b[31m", error="printed \x00 and \x1b[0m by model code", hint="\x07")], out)
    root = ET.fromstring(out.getvalue().split("\n", 1)[1])
    error = root.find(".//error")
    assert error.get("message") == "printed  and [0m by model code"
    assert root.find(".//testcase").get("name") == "model[31m"


def test_sarif_locations_are_encoded_repo_paths_and_library_findings_point_at_user_code(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from shapecheck.cli import app

    folder = tmp_path / "my models"
    folder.mkdir()
    (folder / "wrap.py").write_text(
        "import torch.nn as nn\nfrom torchvision.models import resnet18\n\n\nclass Gray(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.backbone = resnet18()\n\n"
        "    def forward(self, x):\n        return self.backbone(x)\n"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["my models/wrap.py", "--input", "1x64x64", "--format", "sarif"])
    assert result.exit_code == 1, result.output
    (finding,) = json.loads(result.stdout)["runs"][0]["results"]
    location = finding["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "my%20models/wrap.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] in (8, 11)  # the user's line that built or called resnet18
    plain = CliRunner().invoke(app, ["resnet18", "--input", "1x64x64", "--format", "sarif"])
    (finding,) = json.loads(plain.stdout)["runs"][0]["results"]
    assert "locations" not in finding  # torchvision by name: no file of the user's to point at


SPAWNS_AND_HANGS = """
import os, subprocess, sys

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        with open(os.environ["PIDS_FILE"], "w") as f:
            f.write(f"{os.getpid()} {child.pid}")
        while True:
            pass
"""


def _running(pid: int) -> bool:
    """Alive and not a zombie (this container's init may not reap orphans)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and the parent-death signal")
@pytest.mark.parametrize("number", ["SIGTERM", "SIGHUP", "SIGKILL", "SIGINT"])
def test_a_cancelled_run_leaves_no_process_behind(tmp_path, number):
    """A CI cancel ends the worker and what model code started, whatever signal the command
    gets; the command dies by that signal (a shell loop sees it), and capture files go."""
    import signal

    path = model_file(tmp_path, "spawns.py", SPAWNS_AND_HANGS)
    pids_file = tmp_path / "pids"
    temp = tmp_path / "tmp"
    temp.mkdir()
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    environ.update(PIDS_FILE=str(pids_file), TMPDIR=str(temp))
    # As from a terminal: SIGINT not ignored. A shell's background job (CI runs suites side by
    # side with `&`) starts with SIGINT ignored, and python keeps it ignored, as it should.
    command = subprocess.Popen(
        [sys.executable, "-m", "shapecheck", path, "--input", "4"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        while not (pids_file.exists() and pids_file.read_text().strip()):
            assert time.monotonic() < deadline and command.poll() is None, "the model never started"
            time.sleep(0.1)
        pids = [int(p) for p in pids_file.read_text().split()]
        assert all(_running(p) for p in pids)
        command.send_signal(getattr(signal, number))
        assert command.wait(30) == -getattr(signal, number)
        deadline = time.monotonic() + 10
        while any(_running(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_running(p) for p in pids), f"left running after {number}: {pids}"
        deadline = time.monotonic() + 10  # after SIGKILL, the worker's guard removes its folder
        while list(temp.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert list(temp.iterdir()) == []
    finally:
        command.kill()
        if pids_file.exists():
            for pid in pids_file.read_text().split():
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass


def test_memory_of_processes_model_code_starts_counts_too(tmp_path):
    """A child process holding 1.5 GiB is part of the check: the limit ends both."""
    path = model_file(
        tmp_path,
        "child_big.py",
        """
        import subprocess, sys, time

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                subprocess.Popen([sys.executable, "-c", "import time; b = bytearray(1536 * 2**20); time.sleep(60)"])
                time.sleep(40)
        """,
    )
    start = time.monotonic()
    result = shapecheck(path, "--input", "4", "--memory-limit", "1024")
    assert result.returncode == 2, result.stderr
    assert "over the limit of 1.0 GiB, while importing and building the model" in result.stderr
    assert time.monotonic() - start < 35


def test_a_timeout_ends_processes_model_code_started(tmp_path):
    path = model_file(tmp_path, "spawns.py", SPAWNS_AND_HANGS)
    pids_file = tmp_path / "pids"
    result = shapecheck(path, "--input", "4", "--timeout", "3", env={"PIDS_FILE": str(pids_file)})
    assert result.returncode == 2 and "timed out after 3 s" in result.stderr
    pids = [int(p) for p in pids_file.read_text().split()]
    deadline = time.monotonic() + 10
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(p) for p in pids)


def test_huge_model_output_is_bounded(tmp_path):
    """20 MB printed: its first and last 64 KB reach stderr, with what was left out said; past
    256 MiB the worker is stopped."""
    path = model_file(
        tmp_path,
        "chatty.py",
        """
        import os

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                os.write(1, b"first line\\n" + b"x" * (20 * 2**20) + b"\\nlast line\\n")

            def forward(self, x):
                return self.fc(x)
        """,
    )
    result = shapecheck(path, "--input", "4")
    assert result.returncode == 0, result.stderr[-2000:]
    # (torch 2.15's triton bindings may print leak reports after it, when the command exits)
    assert result.stderr.startswith("first line") and "last line" in result.stderr
    assert "bytes of model output left out" in result.stderr and len(result.stderr) < 200_000

    flood = model_file(
        tmp_path,
        "flood.py",
        """
        import os

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                while True:
                    os.write(1, b"y" * 2**20)
        """,
    )
    result = shapecheck(flood, "--input", "4")
    assert result.returncode == 2
    assert "model code printed more than 256 MiB while importing and building the model" in result.stderr


def _namespaces_allowed() -> bool:
    """Whether this machine lets a process take a network namespace (shapecheck says in
    docs/security.md that without one only Python's socket functions are blocked)."""
    from shapecheck.worker import _own_network_namespace

    pid = os.fork()
    if pid == 0:
        os._exit(0 if _own_network_namespace() else 1)
    return os.waitpid(pid, 0)[1] == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="network namespaces")
def test_no_packet_leaves_the_worker_whatever_sends_it(tmp_path):
    """Beyond Python's socket functions: the low-level `_socket` module, UDP, and a subprocess
    all try to reach a TCP server this test runs on the loopback. None gets through."""
    import socket

    if not _namespaces_allowed():
        pytest.skip("this machine allows no network namespace")

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    path = model_file(
        tmp_path,
        "sneaky.py",
        f"""
        import _socket, subprocess, sys

        def attempt(what, call):
            try:
                call()
                print(what, "got through")
            except OSError as err:
                print(what, "blocked:", err)

        def raw_tcp():
            s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
            s.settimeout(2)
            s.connect(("127.0.0.1", {port}))

        def udp():
            _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", {port}))

        def child():
            code = "import _socket; s = _socket.socket(); s.settimeout(2); s.connect(('127.0.0.1', {port}))"
            if subprocess.run([sys.executable, "-c", code], capture_output=True).returncode:
                raise OSError("the subprocess could not connect")

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                for what, call in (("raw tcp", raw_tcp), ("udp", udp), ("subprocess", child)):
                    attempt(what, call)

            def forward(self, x):
                return self.fc(x)
        """,
    )
    try:
        result = shapecheck(path, "--input", "4")
        try:
            connection, _ = server.accept()
            connection.close()
            reached = True
        except TimeoutError:
            reached = False
    finally:
        server.close()
    assert result.returncode == 0, result.stderr
    assert not reached, result.stderr
    for what in ("raw tcp", "udp", "subprocess"):
        assert f"{what} blocked" in result.stderr, result.stderr


def test_a_forged_result_cannot_run_code_in_the_command(tmp_path):
    """Model code finds the worker's pipe and sends a pickle that writes a file when
    unpickled. The command reads JSON only: the file never appears."""
    marker = tmp_path / "pwned.txt"
    path = model_file(
        tmp_path,
        "forger.py",
        f"""
        import gc, os, pathlib, pickle
        from multiprocessing.connection import Connection

        class Payload:
            def __reduce__(self):
                return pathlib.Path.write_text, (pathlib.Path({str(marker)!r}), "pwned")

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                for conn in [o for o in gc.get_objects() if isinstance(o, Connection)]:
                    try:
                        conn.send(("result", Payload()))
                        conn.send_bytes(pickle.dumps(("result", Payload())))
                    except OSError:
                        pass
                os._exit(0)
        """,
    )
    result = shapecheck(path, "--input", "4")
    assert result.returncode == 2
    assert not marker.exists()
    assert "its result could not be read (WireError: not JSON" in result.stderr


def test_a_memory_limit_below_a_workers_start_is_refused_before_any_check():
    result = shapecheck("resnet18", "--memory-limit", "100")
    assert result.returncode == 2
    assert "error: --memory-limit 100 MB is below what a check needs to start (" in result.stderr
    assert "MB: Python with torch imported)\n  hint: use at least " in result.stderr


NESTED = """
def Net():
    m = nn.Linear(4, 4)
    for _ in range({depth}):
        m = nn.Sequential(m)
    return m
"""


def test_deeply_nested_models_are_traced_or_refused_in_one_line(tmp_path):
    deep = model_file(tmp_path, "deep.py", NESTED.format(depth=1200))
    result = shapecheck(f"{deep}:Net", "--input", "4")
    assert result.returncode == 0, result.stderr
    assert "✓ no shape problems found" in result.stdout

    deeper = model_file(tmp_path, "deeper.py", NESTED.format(depth=4000))
    result = shapecheck(f"{deeper}:Net", "--input", "4")
    assert result.returncode == 2
    assert "error: the model nests modules deeper than shapecheck can follow" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_timm_pretrained_weights_are_skipped_not_downloaded(tmp_path):
    """timm asks the Hugging Face hub for weights: no retries against a network that is not
    there (they took 100 s), and the model is traced with the weights skipped, as torchvision's."""
    pytest.importorskip("timm")
    result = shapecheck("timm:resnet18", "--arg", "pretrained=True", "--input", "3x64x64")
    assert result.returncode == 0, result.stderr
    assert "note: pretrained weights skipped (offline; weights do not change shapes)" in result.stdout
    path = model_file(
        tmp_path,
        "timm_head.py",
        """
        import timm

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = timm.create_model("resnet18", pretrained=True, num_classes=0)
                self.head = nn.Linear(512, 3)

            def forward(self, x):
                return self.head(self.body(x))
        """,
    )
    result = shapecheck(f"{path}:Net", "--input", "3x64x64")
    assert result.returncode == 0, result.stderr
    assert "pretrained weights skipped (offline; weights do not change shapes): timm/resnet18" in result.stdout
    assert "Retrying" not in result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pseudo-terminal")
def test_work_over_a_second_shows_progress_on_a_terminal_only(tmp_path):
    """On a terminal, a check that takes more than a second says what it is doing (on stderr);
    piped or in CI, nothing but the report."""
    import pty

    path = model_file(
        tmp_path,
        "slow.py",
        """
        import time

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                time.sleep(2.5)
                self.fc = nn.Linear(4, 4)

            def forward(self, x):
                return self.fc(x)
        """,
    )
    environ = {k: v for k, v in os.environ.items() if k not in ("SHAPECHECK_IN_PROCESS", "CI")}
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "shapecheck", f"{path}:Net", "--input", "4"],
        cwd=ROOT,
        env=environ,
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    screen = b""
    out, _ = process.communicate(timeout=120)
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    os.close(leader)
    assert process.returncode == 0
    assert b"importing and building the model" in screen
    assert b"importing" not in out  # the report on stdout is untouched

    piped = shapecheck(f"{path}:Net", "--input", "4")
    assert "importing and building" not in piped.stderr
