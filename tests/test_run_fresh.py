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


def test_a_bare_linear_given_a_pooled_map_is_fixed_at_its_own_lines(tmp_path):
    """Features made by a function of the script's, then given to a bare `nn.Linear`: the fix
    flattens them at the call, or wraps the Linear where it is built; neither the model input
    nor a dropped candidate is spoken of."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn


        def extract(backbone, images):
            with torch.no_grad():
                return backbone(images)


        backbone = nn.Sequential(nn.Conv2d(3, 64, 3), nn.AdaptiveAvgPool2d(1))
        head = nn.Linear(64, 10)
        feats = extract(backbone, torch.randn(4, 3, 32, 32))
        logits = head(feats)
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    diagnosis = _diagnosis(ours.stderr)
    assert "error[SC101]" in diagnosis
    assert "+ logits = head(feats.flatten(1))" in diagnosis
    assert "+ head = nn.Sequential(nn.Flatten(1), nn.Linear(64, 10))" in diagnosis
    assert "the script passes `feats` [4, 64, 1, 1]" in diagnosis
    assert "reaches it directly" not in diagnosis and "candidate fix was dropped" not in diagnosis
    assert ours.stderr.endswith(python.stderr)


def test_a_last_batch_of_one_gets_no_option_of_the_check(tmp_path):
    """A running program has no `--batch` or `--train`: the fixes are to its code only."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn
        from torch.utils.data import DataLoader, TensorDataset

        model = nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 1))
        loader = DataLoader(TensorDataset(torch.randn(17, 6)), batch_size=8)
        for (xb,) in loader:
            model(xb).sum().backward()
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    diagnosis = _diagnosis(ours.stderr)
    assert "error[SC108]" in diagnosis and "drop_last=True" in diagnosis
    assert "--batch" not in diagnosis and "--train" not in diagnosis
    assert "if the model is not training here, put it in eval mode first" in diagnosis


def test_a_feature_extractor_nested_in_the_heads_call_is_checked_as_a_program(tmp_path):
    """`fc(extractor(x))` on one line: two modules, so the program, and the flatten goes around
    the inner call (there is no name to flatten on a line before)."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn

        extractor = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        fc = nn.Linear(8 * 4 * 4, 10)
        output = fc(extractor(torch.randn(2, 3, 16, 16)))
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    diagnosis = _diagnosis(ours.stderr)
    assert "`extractor` outputs [2, 8, 4, 4]" in diagnosis
    assert "+ output = fc(torch.flatten(extractor(torch.randn(2, 3, 16, 16)), 1))" in diagnosis
    assert "output = torch.flatten(output, 1)" not in diagnosis and "reaches it directly" not in diagnosis


def test_features_made_in_a_no_grad_block_are_traced_as_the_program(tmp_path):
    """The extractor runs under `with torch.no_grad():` in the loop, the head after the block:
    the block's statement is part of the program that leads to the failing call."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn

        extractor = nn.Sequential(nn.Conv2d(3, 8, 3), nn.AdaptiveAvgPool2d(4)).eval()
        fc = nn.Linear(8 * 4 * 4, 10)
        for images in [torch.randn(2, 3, 16, 16)]:
            with torch.no_grad():
                features = extractor(images)
            logits = fc(features)
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    diagnosis = _diagnosis(ours.stderr)
    assert "checked the code around script.py:10 that leads to the failing call: extractor, fc" in diagnosis
    assert "`extractor` outputs [2, 8, 4, 4]" in diagnosis
    assert "+ features = torch.flatten(features, 1)" in diagnosis


def test_a_head_passed_to_a_helper_is_wrapped_where_its_caller_built_it(tmp_path):
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn


        def classify(features, head):
            return head(features)


        def main():
            fc = nn.Linear(8 * 4 * 4, 10)
            features = torch.randn(2, 8, 4, 4)
            return classify(features, fc)


        main()
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    diagnosis = _diagnosis(ours.stderr)
    assert "+ return head(features.flatten(1))" in diagnosis
    assert "--> script.py:11\n 11 - fc = nn.Linear(8 * 4 * 4, 10)" in diagnosis
    assert " 11 + fc = nn.Sequential(nn.Flatten(1), nn.Linear(8 * 4 * 4, 10))" in diagnosis


def test_a_loss_in_a_helper_is_fixed_in_the_helpers_call(tmp_path):
    """BCEWithLogitsLoss given [N, 1] logits and [N] targets inside `compute_loss`: the squeeze
    is an edit of the user's call, not `input.squeeze(-1)` with no line."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn

        criterion = nn.BCEWithLogitsLoss()


        def compute_loss(logits, targets):
            return criterion(logits, targets)


        model = nn.Linear(10, 1)
        loss = compute_loss(model(torch.randn(16, 10)), torch.rand(16))
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    diagnosis = _diagnosis(ours.stderr)
    assert "error[SC125]" in diagnosis
    assert "  9 + return criterion(logits.squeeze(-1), targets)" in diagnosis


def test_gray_images_given_to_an_rgb_stem_are_expanded_at_the_call(tmp_path):
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 2))
        batch = torch.rand(4, 1, 28, 28)
        out = model(batch)
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    diagnosis = _diagnosis(ours.stderr)
    assert "error[SC104]" in diagnosis
    assert "  7 + out = model(batch.expand(-1, 3, -1, -1))" in diagnosis


def test_an_op_in_a_library_models_forward_is_not_given_a_line_of_the_users(tmp_path):
    """ResNet's `torch.flatten` runs at line 279 of torchvision's file: "at line 279" in the
    diagnosis of the user's script would read as a line of theirs."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn
        from torchvision import models

        model = models.resnet18(weights=None)
        model.fc = nn.Linear(2048, 4)
        model(torch.randn(1, 3, 64, 64))
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    diagnosis = _diagnosis(ours.stderr)
    assert "`torch.flatten` flattens [1, 512, 1, 1] into 512·1·1 = 512 features per sample" in diagnosis
    assert "`torch.flatten` at line" not in diagnosis
    assert " 7 + model.fc = nn.Linear(512, 4)" in diagnosis


def test_a_warning_placed_past_the_scripts_top_level_is_shown_as_python_shows_it(tmp_path):
    """python has no frame above the script: a warning whose stacklevel reaches past it is
    `sys:1`, never a line of shapecheck's, and a DataLoader's workers change nothing."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import sys
        import warnings

        import torch
        from torch.utils.data import DataLoader, TensorDataset


        def old_helper():
            warnings.warn("old_helper is deprecated", FutureWarning, stacklevel=3)


        old_helper()
        warnings.warn("set at the top", UserWarning, stacklevel=2)
        for (b,) in DataLoader(TensorDataset(torch.arange(8.0).view(4, 2)), batch_size=2, num_workers=2):
            sys.stderr.write("batch\\n")
            print(b.sum().item())
        """,
        "script.py",
    )
    assert (python.returncode, python.stdout, python.stderr) == (ours.returncode, ours.stdout, ours.stderr)
    top = "<sys>:0" if sys.version_info >= (3, 13) else "sys:1"  # where python places it, by release
    assert f"{top}: FutureWarning: old_helper is deprecated\n{top}: UserWarning: set at the top\n" in ours.stderr


def test_a_module_class_with_eq_and_no_hash_runs_as_it_does_under_python(tmp_path):
    """A class that defines `__eq__` has no `__hash__`: its instances are not keys of the record
    of where layers were assigned, and the script runs on."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn


        class Block(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.d = d
                self.fc = nn.Linear(d, d)

            def __eq__(self, other):
                return isinstance(other, Block) and other.d == self.d


        holder = nn.Module()
        holder.block = Block(4)
        print(holder.block.fc(torch.ones(2, 4)).shape)
        """,
        "script.py",
    )
    assert (python.returncode, python.stdout, python.stderr) == (ours.returncode, ours.stdout, ours.stderr)
    assert ours.stdout == "torch.Size([2, 4])\n"


def test_a_join_that_fails_on_the_loaders_short_last_batch_drops_it_at_the_loader(tmp_path):
    """Features of each batch joined with a memory of the full batch size: the last batch of 4
    fails. The fix verified by giving the program a full batch is `drop_last=True` where the
    loader is built, not an input size no script has."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn
        from torch.utils.data import DataLoader, TensorDataset

        enc = nn.Linear(10, 16)
        memory = torch.zeros(8, 16)
        loader = DataLoader(TensorDataset(torch.randn(20, 10)), batch_size=8)
        for (xb,) in loader:
            combined = torch.cat([enc(xb), memory], dim=1)
            print(combined.shape)
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    assert ours.stdout == python.stdout == "torch.Size([8, 32])\ntorch.Size([8, 32])\n"
    diagnosis = _diagnosis(ours.stderr)
    first = diagnosis.split("help: ")[1]
    assert first.startswith("drop the last batch: 20 samples in batches of 8 leave 4")
    assert "+ loader = DataLoader(TensorDataset(torch.randn(20, 10)), batch_size=8, drop_last=True)" in first
    assert "per-sample size" not in diagnosis and "model input `x`" not in diagnosis


def test_the_console_scripts_folder_is_not_on_the_programs_path(tmp_path):
    """`shapecheck` is a console script: python put its `bin/` first on sys.path; the program's
    python would have the script's folder there and nothing else of shapecheck's."""
    console = os.path.join(os.path.dirname(sys.executable), "shapecheck")
    if not os.path.isfile(console):
        pytest.skip("no console script next to this python")
    (tmp_path / "script.py").write_text("import sys\nprint(sys.path)\n")
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    python, ours = (
        subprocess.run(command, cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=120)
        for command in ([sys.executable, "script.py"], [console, "run", "script.py"])
    )
    assert (python.returncode, python.stdout, python.stderr) == (ours.returncode, ours.stdout, ours.stderr)


def test_what_the_model_prints_or_logs_while_it_is_diagnosed_is_not_output(tmp_path):
    """The diagnosis runs the failing model again, dozens of times: its prints, stderr writes
    and log records then are not the program's output. Only the program's own run's are."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import logging
        import sys

        import torch
        import torch.nn as nn

        logging.basicConfig(level=logging.INFO)


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)
                self.fc = nn.Linear(8 * 30 * 30, 10)

            def forward(self, x):
                print("input", tuple(x.shape))
                x = self.conv(x)
                sys.stderr.write(f"after conv {tuple(x.shape)}\\n")
                logging.getLogger("net").info("flat %s", x.flatten(1).shape[1])
                return self.fc(x.flatten(1))


        net = Net()
        net(torch.randn(2, 3, 32, 32))
        net(torch.randn(2, 3, 28, 28))
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    assert ours.stdout == python.stdout == "input (2, 3, 32, 32)\ninput (2, 3, 28, 28)\n"
    own = python.stderr.split("Traceback (most recent call last):")[0]
    assert own == "after conv (2, 8, 30, 30)\nINFO:net:flat 7200\nafter conv (2, 8, 26, 26)\nINFO:net:flat 5408\n"
    assert ours.stderr.startswith(own + "shapecheck: RuntimeError")
    assert "error[SC102]" in ours.stderr and ours.stderr.endswith(python.stderr.split(own, 1)[1])


def test_the_scripts_globals_are_in_pythons_order(tmp_path):
    python, ours = _python_and_run(tmp_path, '"""Doc."""\nprint(list(globals()))\n', "script.py")
    assert (python.returncode, python.stdout, python.stderr) == (ours.returncode, ours.stdout, ours.stderr)
    assert ours.stdout.startswith("['__name__', '__doc__', '__package__', '__loader__', '__spec__', '__annotations__'")
