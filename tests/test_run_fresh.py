"""`shapecheck run` on scripts of the kinds people post, compared with `python script.py`: what
ends the process, where paths are shown from, python -m's traceback, and the fixes offered."""

import os
import subprocess
import sys
import textwrap

import pytest


def _python_and_run(tmp_path, text: str, *argv: str, name: str = "script.py", cwd=None):
    """(python's result, run's result) for the same script and arguments, from `cwd`."""
    script = tmp_path / name
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(textwrap.dedent(text))
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}

    def go(*command):
        return subprocess.run(
            [sys.executable, *command], cwd=cwd or tmp_path, env=environ, capture_output=True, text=True, timeout=300
        )

    isolated = ["-P"] if sys.version_info >= (3, 11) else []
    return go(*argv), go(*isolated, "-m", "shapecheck", "run", *argv)


def _diagnosis(stderr: str) -> str:
    assert "Traceback (most recent call last):" in stderr, stderr
    return stderr.split("Traceback (most recent call last):")[0]


def test_a_script_that_imports_torchvision_ends_as_python_ends_it(tmp_path):
    """torchvision imports triton, after which shapecheck leaves without the interpreter's
    shutdown; a script that imported it itself gets python's: its thread finishes, its objects
    are finalized, the log it never closed is written."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import threading
        import time

        import torch
        import torchvision


        def save():
            time.sleep(0.3)
            print("checkpoint saved", flush=True)


        class Tracker:
            def __del__(self):
                print("tracker closed")


        log = open("train.log", "a")
        log.write("epoch 1\\n")
        tracker = Tracker()
        threading.Thread(target=save).start()
        print("training done", torch.ones(2).sum().item())
        """,
        "script.py",
    )
    assert (python.returncode, python.stdout, python.stderr) == (ours.returncode, ours.stdout, ours.stderr)
    assert ours.stdout == "training done 2.0\ncheckpoint saved\ntracker closed\n"
    assert (tmp_path / "train.log").read_text() == "epoch 1\nepoch 1\n"  # written by both


def test_a_script_that_changes_folder_is_located_from_where_it_was_run(tmp_path):
    """The layer's line is recorded while the script runs in the folder it moved to; the
    diagnosis shows it from the folder the user ran the command in, as the traceback does."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import os
        import torch
        import torch.nn as nn

        os.chdir(os.path.dirname(os.path.abspath(__file__)))
        model = nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, 2))
        model(torch.randn(3, 10))
        """,
        "exp/train.py",
        name="exp/train.py",
    )
    assert python.returncode == ours.returncode == 1
    diagnosis = _diagnosis(ours.stderr)
    assert "raised at exp/train.py:8: model(torch.randn(3, 10))" in diagnosis
    assert "--> exp/train.py:7\n" in diagnosis and "--> train.py:" not in diagnosis
    assert ours.stderr.endswith(python.stderr)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="python -P (the console script's sys.path) is 3.11's")
def test_run_dash_m_prints_pythons_traceback_with_runpys_frames(tmp_path):
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "__init__.py").write_text("")
    (tmp_path / "proj" / "model.py").write_text("import torch.nn as nn\n\nhead = nn.LayerNorm(32)\n")
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch

        from .model import head

        if __name__ == "__main__":
            print(head(torch.randn(5, 31)).shape)
        """,
        "-m",
        "proj.main",
        name="proj/main.py",
    )
    assert python.returncode == ours.returncode == 1
    assert "<frozen runpy>" in python.stderr
    assert "error[SC104]" in _diagnosis(ours.stderr)
    assert ours.stderr.endswith(python.stderr)  # runpy's two frames too, and nothing of shapecheck's
