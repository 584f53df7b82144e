"""`shapecheck run` beside `python script.py` on a fourth set of scripts: what is not a shape
error gets nothing added (stdout, stderr and exit code byte for byte python's), and a recursion
has the depth it has under python."""

import os
import subprocess
import sys
import textwrap

import pytest
from helpers import python_and_run


def _python_and_run(tmp_path, text: str, *argv: str):
    return python_and_run(tmp_path, text, *argv)


def _same(python, ours) -> None:
    assert (ours.returncode, ours.stdout, ours.stderr) == (python.returncode, python.stdout, python.stderr), ours.stderr


def test_a_recursion_without_end_stops_where_python_stops_it(tmp_path):
    """shapecheck's own frames above the script took 16 levels of the recursion limit: the
    traceback was shorter and said `[Previous line repeated 980 more times]`."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch

        def depth(n):
            return depth(n + 1) + 1

        print("go")
        depth(0)
        """,
    )
    assert python.returncode == 1 and "[Previous line repeated 996 more times]" in python.stderr
    _same(python, ours)


def test_a_deep_recursion_python_runs_runs(tmp_path):
    """A recursion as deep as python's limit lets a script go (998 levels of 1000 on 3.11; how
    many, the script measures first, as python releases count differently): so it does under
    run."""
    python, ours = _python_and_run(
        tmp_path,
        """
        def free(n=0):
            try:
                return free(n + 1)
            except RecursionError:
                return n

        def walk(n):
            return 0 if n == 0 else 1 + walk(n - 1)

        print(walk(free() - 1))
        """,
    )
    assert python.returncode == 0, python.stderr
    _same(python, ours)


@pytest.mark.parametrize("as_module", [False, True], ids=["script", "dash-m"])
def test_the_script_has_the_recursion_depth_python_gives_it(tmp_path, as_module):
    """How many nested calls fit from the top level, measured by the script: python's number,
    for a script and for `-m` (which python calls through runpy from C)."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "depth.py").write_text(
        "def free(n=0):\n    try:\n        return free(n + 1)\n    except RecursionError:\n        return n\n\n"
        "print(free())\n"
    )
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    target = ["-m", "pkg.depth"] if as_module else ["pkg/depth.py"]
    python, ours = (
        subprocess.run([sys.executable, *command, *target], cwd=tmp_path, env=environ, capture_output=True, text=True)
        for command in ([], ["-m", "shapecheck", "run"])
    )
    assert python.returncode == 0 and int(python.stdout) > 900, python.stderr
    _same(python, ours)


NOT_SHAPE_ERRORS = {
    "dtype": """
        import numpy as np
        model = nn.Linear(3, 1)
        print(model(torch.from_numpy(np.ones((2, 3)))))
        """,
    "backward-twice": """
        x = torch.randn(3, requires_grad=True)
        y = (x ** 2).sum()
        y.backward()
        y.backward()
        """,
    "numpy-of-grad": """
        t = torch.randn(2, requires_grad=True)
        print(t.numpy())
        """,
    "in-place": """
        x = torch.randn(3, 4, requires_grad=True)
        y = x.sigmoid()
        y.mul_(2)
        y.sum().backward()
        """,
    "no-forward": """
        class Base(nn.Module):
            pass

        Base()(torch.ones(1))
        """,
    "own-raise-in-forward": """
        class Block(nn.Module):
            def __init__(self, act="gelu"):
                super().__init__()
                self.fc = nn.Linear(8, 8)
                self.act = act

            def forward(self, x):
                x = self.fc(x)
                if self.act == "relu":
                    return torch.relu(x)
                raise ValueError(f"unsupported activation {self.act!r}")

        Block()(torch.randn(2, 8))
        """,
    "own-assert-in-forward": """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)

            def forward(self, x):
                assert not self.training, "call model.eval() before predicting"
                return self.conv(x)

        Net()(torch.randn(2, 3, 8, 8))
        """,
    "own-check-of-values": """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                if torch.isnan(x).any():
                    raise RuntimeError("NaN in input")
                return self.fc(x)

        x = torch.randn(2, 4)
        x[0, 0] = float("nan")
        Net()(x)
        """,
    "recursion-in-forward": """
        class Net(nn.Module):
            def forward(self, x):
                return self(x)

        Net()(torch.randn(2, 4))
        """,
    "allocation": """
        x = torch.empty(2**62, dtype=torch.uint8)
        """,
}


@pytest.mark.parametrize("body", NOT_SHAPE_ERRORS.values(), ids=NOT_SHAPE_ERRORS.keys())
def test_an_error_that_is_not_a_shape_error_gets_nothing_added(tmp_path, body):
    """A dtype or autograd error, a module without forward, a recursion, an allocation too
    large, or an error the script raises itself (no rule finds a shape problem on the way to
    it): the output is python's, byte for byte."""
    python, ours = _python_and_run(tmp_path, "import torch\nimport torch.nn as nn\n" + textwrap.dedent(body))
    assert python.returncode == 1, python.stderr
    _same(python, ours)


def test_a_shape_error_raised_inside_a_forward_with_its_own_raise_nearby_is_still_diagnosed(tmp_path):
    """The raise rule is about who raised: a matmul torch refuses, in a forward that also has
    a raise of its own, is diagnosed at the layer's line."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(10, 20)
                self.fc2 = nn.Linear(30, 2)

            def forward(self, x):
                if x.dim() != 2:
                    raise ValueError("expected a batch of vectors")
                return self.fc2(torch.relu(self.fc1(x)))

        Net()(torch.randn(4, 10))
        """,
    )
    assert python.returncode == ours.returncode == 1
    assert ours.stderr.endswith(python.stderr)
    diagnosis = ours.stderr[: -len(python.stderr)]
    assert "error[SC102]: `fc2` expects 30 input features but receives 20" in diagnosis
    assert "--> script.py:9\n" in diagnosis


def _diagnosis_of(tmp_path, text: str) -> str:
    """The text run adds before python's own traceback, which it prints unchanged."""
    python, ours = _python_and_run(tmp_path, text)
    assert python.returncode == ours.returncode == 1, ours.stderr
    assert ours.stdout == python.stdout and ours.stderr.endswith(python.stderr), ours.stderr
    return ours.stderr[: -len(python.stderr)]


def test_an_unexplained_error_read_on_meta_as_the_real_run_read_it_is_not_said_to_differ(tmp_path):
    """SC100 notes that meta may word a message otherwise than a real run; run has the real
    message, and where it is the same the note would be false."""
    diagnosis = _diagnosis_of(
        tmp_path,
        """
        import torch
        import torch.nn.functional as F

        img = torch.randn(3, 32, 32)
        up = F.interpolate(img, size=(64, 64), mode="bilinear")
        """,
    )
    assert "error[SC100]: `F.interpolate` at line 6 raised ValueError: Input and output must have" in diagnosis
    assert "a real run words it differently" not in diagnosis


def test_a_keyword_inputs_size_fix_names_the_keyword(tmp_path):
    """SC117's fix for a padding mask of the wrong length, passed by keyword to torch's encoder:
    the input it resizes is the mask the script passes, not the first input under another name."""
    diagnosis = _diagnosis_of(
        tmp_path,
        """
        import torch
        import torch.nn as nn

        layer = nn.TransformerEncoderLayer(d_model=64, nhead=4, batch_first=True)
        enc = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        x = torch.randn(2, 10, 64)
        mask = torch.zeros(2, 12, dtype=torch.bool)
        print(enc(x, src_key_padding_mask=mask).shape)
        """,
    )
    assert "error[SC117]" in diagnosis
    assert "give the model input `src_key_padding_mask` the per-sample size [10]" in diagnosis
    assert "`x` the per-sample size" not in diagnosis


def test_an_assert_of_the_users_on_a_shape_gets_the_table_of_what_made_it(tmp_path):
    """The script's own check of a shape is a shape error: the program that made the tensor is
    traced, so the table shows where 31 came from."""
    diagnosis = _diagnosis_of(
        tmp_path,
        """
        import torch
        import torch.nn as nn

        encoder = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.ReLU())
        x = torch.randn(2, 3, 64, 64)
        z = encoder(x)
        assert z.shape == (2, 8, 32, 32), f"unexpected latent shape {tuple(z.shape)}"
        print("ok")
        """,
    )
    assert "AssertionError: unexpected latent shape (2, 8, 31, 31)" in diagnosis
    assert "[2, 8, 31, 31]" in diagnosis and "encoder" in diagnosis
