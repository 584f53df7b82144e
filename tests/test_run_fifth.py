"""`shapecheck run` beside `python script.py` on a fifth set of scripts: what the script reads of
its own process (its stack, the recursion limit, the modules already imported, sys.excepthook)
is what python shows it, and nothing is added to its output."""

import os
import subprocess
import sys
import textwrap

from helpers import python_and_run

from shapecheck import live


def _python_and_run(tmp_path, text: str, *argv: str):
    """(python's result, run's result) for the same script, OMP_NUM_THREADS unset in both."""
    return python_and_run(tmp_path, text, *argv, unset=("SHAPECHECK_IN_PROCESS", "OMP_NUM_THREADS"))


def _same(python, ours) -> None:
    assert (ours.returncode, ours.stdout, ours.stderr) == (python.returncode, python.stdout, python.stderr), ours.stderr


def test_the_stack_a_script_prints_ends_at_its_top_level(tmp_path):
    """`traceback.print_stack()`, `inspect.stack()` and a log record's `stack_info` showed
    shapecheck's frames (the console script, typer, as_main) below the script's own."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import inspect
        import logging
        import traceback

        def where():
            traceback.print_stack()
            print([(f.function, f.filename.rsplit("/", 1)[-1]) for f in inspect.stack()])
            print(len(traceback.extract_stack()), len(traceback.format_stack()))
            logging.getLogger().warning("here", stack_info=True)

        where()
        """,
    )
    assert "shapecheck" not in python.stderr + python.stdout and "in where" in python.stderr
    _same(python, ours)


def test_the_recursion_limit_reads_and_sets_as_under_python(tmp_path):
    """The headroom given back for shapecheck's frames showed as `sys.getrecursionlimit()` 1016,
    and a limit the script set itself (100) stopped 16 levels early."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import sys

        print(sys.getrecursionlimit())
        sys.setrecursionlimit(100)
        print(sys.getrecursionlimit())

        def down(n):
            return down(n + 1)

        down(0)
        """,
    )
    assert python.stdout == "1000\n100\n" and "[Previous line repeated 96 more times]" in python.stderr
    _same(python, ours)


def test_torch_is_not_imported_before_the_script_imports_it(tmp_path):
    """torch was imported before the script ran: `OMP_NUM_THREADS` set by the script before its
    own `import torch` had no effect, and the script found torch already in sys.modules."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import os
        import sys

        print("torch" in sys.modules, "numpy" in sys.modules)
        os.environ["OMP_NUM_THREADS"] = "1"
        import torch

        print(torch.get_num_threads())
        """,
    )
    assert python.stdout == "False False\n1\n"
    _same(python, ours)


def test_the_line_that_built_a_layer_is_known_when_torch_is_imported_by_the_script(tmp_path):
    """Recording where each layer was assigned starts at the script's own `import torch`: the
    fix still edits the line that built `fc`."""
    (tmp_path / "script.py").write_text(
        textwrap.dedent(
            """
            import torch
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv = nn.Conv2d(3, 8, 3)
                    self.fc = nn.Linear(8 * 30 * 30, 10)

                def forward(self, x):
                    return self.fc(self.conv(x).flatten(1))

            Net()(torch.randn(2, 3, 28, 28))
            """
        )
    )
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    ours = subprocess.run(
        [sys.executable, "-m", "shapecheck", "run", "script.py"],
        cwd=tmp_path,
        env=environ,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ours.returncode == 1, ours.stderr
    assert "+ self.fc = nn.Linear(8 * 26 * 26, 10)" in ours.stderr, ours.stderr


def test_the_script_starts_with_pythons_excepthook(tmp_path):
    """typer's own hook was in sys.excepthook while the script ran."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import sys

        print(sys.excepthook is sys.__excepthook__)
        raise ValueError("not a shape")
        """,
    )
    assert python.stdout == "True\n"
    _same(python, ours)


def test_a_script_that_is_not_there_gets_pythons_line_and_exit_2(tmp_path, monkeypatch, capsys):
    """python says `python: can't open file '/abs/x.py': [Errno 2] No such file or directory`
    and exits 2; the path is joined to the working directory as typed, not normalized."""
    monkeypatch.chdir(tmp_path)
    code = live.run_program(os.path.join(".", "missing.py"), [], as_module=False, emit=print)
    expected = subprocess.run(
        [sys.executable, os.path.join(".", "missing.py")], cwd=tmp_path, capture_output=True, text=True
    )
    assert (code, capsys.readouterr().err) == (expected.returncode, expected.stderr)
    assert code == 2


def _combined(tmp_path, text: str):
    """(python's, run's) (exit code, stdout and stderr on one pipe), stdout block-buffered as in
    a pipe to `tee` or a CI log."""
    (tmp_path / "script.py").write_text(textwrap.dedent(text))
    environ = {k: v for k, v in os.environ.items() if k not in ("SHAPECHECK_IN_PROCESS", "PYTHONUNBUFFERED")}

    def go(*command):
        done = subprocess.run(
            [sys.executable, *command],
            cwd=tmp_path,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
        )
        return done.returncode, done.stdout

    return go("script.py"), go("-m", "shapecheck", "run", "script.py")


def test_buffered_output_comes_before_the_traceback_as_under_python(tmp_path):
    """python flushes stderr, then stdout, when the script ends and before it prints the error:
    `start` came after the traceback (and a stderr line without newline after stdout's)."""
    python, ours = _combined(
        tmp_path,
        """
        import sys

        print("start")
        sys.stderr.write("no newline")
        raise ValueError("not a shape")
        """,
    )
    assert python[1].index("no newline") < python[1].index("start") < python[1].index("Traceback")
    assert ours == python


def test_the_traceback_is_pythons_own_display(tmp_path):
    """python's display suggests a name (`Did you mean: 'weight'?`, 3.10 and 3.11 print it only
    from the interpreter's own display); the traceback module's did not."""
    python, ours = _python_and_run(
        tmp_path,
        """
        class Layer:
            weight = 1

        Layer().weights
        """,
    )
    assert "Did you mean: 'weight'?" in python.stderr
    _same(python, ours)


def test_run_of_a_script_that_is_not_there_prints_pythons_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "shapecheck", "run", "missing.py"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "can't open file" in done.stderr and "missing.py" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


LOCKED = """\
import threading
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8 * 30 * 30, 10)

    def forward(self, x):
        with self.lock:
            return self.fc(self.conv(x).flatten(1))

Net()(torch.randn(2, 3, 28, 28))
"""


def test_a_model_holding_a_lock_keeps_its_verified_fix(tmp_path):
    """A `threading.Lock` cannot be deep-copied: the meta copy the fix is checked on shares it."""
    (tmp_path / "locked.py").write_text(LOCKED)
    done = subprocess.run(
        [sys.executable, "-m", "shapecheck", "run", "locked.py"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "+ self.fc = nn.Linear(8 * 26 * 26, 10)" in done.stderr, done.stderr
    assert "verified: output [2, 10]" in done.stderr
