"""Programs: the code around a failing call (a script's top level, a function, a `watch()` block,
a notebook cell, a test) is traced like a model, at the user's own lines (loading/program.py)."""

import ast
import os
import re
import subprocess
import sys
import textwrap

import pytest
from conftest import FIXTURES, ROOT
from typer.testing import CliRunner

from shapecheck.cli import app
from shapecheck.loading.program import backward_slice
from shapecheck.loading.script import defines_modules

PROGRAMS = os.path.join("fixtures", "programs")
REAL_MESSAGE = "mat1 and mat2 shapes cannot be multiplied (3584x7 and 25088x100)"


def _slice(source: str, line: int) -> list[int]:
    tree = ast.parse(textwrap.dedent(source))
    before = [s for s in tree.body if s.lineno < line]
    failing = next(s for s in tree.body if s.lineno == line)
    kept, _ = backward_slice(before, failing, frozenset({"fc", "extractor", "other"}))
    return [s.lineno for s in kept]


def test_the_slice_keeps_what_the_failing_line_reads_and_no_more():
    source = """\
        x = torch.randn(1, 3)
        y = other(x)
        f = extractor(x)
        print(f.shape)
        f = f.relu()
        out = fc(f)
    """
    assert _slice(source, 6) == [1, 3, 5, 6]  # not `y = other(x)`, not the print


def test_the_slice_follows_in_place_changes_and_augmented_assignments():
    source = """\
        f = extractor(x)
        f[:, 0] = 0
        g = other(x)
        f += g
        out = fc(f)
    """
    assert _slice(source, 5) == [1, 2, 3, 4, 5]


def test_modules_are_taken_as_they_are_not_rebuilt():
    source = """\
        fc = nn.Linear(10, 2)
        out = fc(x)
    """
    assert _slice(source, 2) == [2]


def test_a_file_defines_modules_when_a_class_derives_from_one():
    assert defines_modules("import torch.nn as nn\nclass Net(nn.Module):\n    pass\n")
    assert defines_modules("class A(pl.LightningModule): pass\nclass B(A): pass\n")
    assert defines_modules("class Head(nn.Sequential): pass\n")
    assert not defines_modules("class Data(torch.utils.data.Dataset): pass\nx = 1\n")
    assert not defines_modules("import torch\nx = torch.randn(3)\n")


def _check(*args):
    result = CliRunner().invoke(app, [*args, "--depth", "1"])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("name", "built", "called"),
    [("seed_script.py", 10, 11), ("seed_verbatim.py", 11, 12), ("seed_function.py", 11, 12)],
)
def test_a_script_is_dry_run_and_the_missing_flatten_is_found_at_its_own_lines(name, built, called, no_network):
    code, out = _check(os.path.join(PROGRAMS, name))
    assert code == 1, out
    path = os.path.join(PROGRAMS, name)
    assert "error[SC101]: `fc` receives a 4-D feature map" in out
    assert f"--> {path}:{built}\n" in out  # the line that built the Linear, never torch's source
    assert "torch/nn/modules" not in out
    assert f"help: flatten everything but the batch dim before line {called} [safe · verified: output [" in out
    assert f"--> {path}:{called}\n    + features = torch.flatten(features, 1)" in out
    if name != "seed_function.py":  # batch 2 there
        assert f"PyTorch reports: {REAL_MESSAGE}" in out
    # the table shows the extractor, then the Linear that fails
    assert out.index("feature_extractor") < out.index("  fc ")


def test_the_program_table_shows_the_extractor_then_the_linear():
    code, out = _check(os.path.join(PROGRAMS, "seed_script.py"))
    assert code == 1
    rows = [line.split()[:2] for line in out.splitlines()[1:4]]
    assert rows == [["Program", "Program"], ["feature_extractor", "Sequential"], ["fc", "Linear"]], out
    assert "pretrained weights skipped" in out  # pretrained=True, nothing downloaded


@pytest.mark.parametrize("name", ["seed_fixed.py", "seed_adaptive.py"])
def test_a_correct_script_exits_0_with_its_program_table(name, no_network):
    code, out = _check(os.path.join(PROGRAMS, name))
    assert code == 0, out
    assert "✓ no shape problems found" in out
    assert "✓ boundary OK" in out  # the head is checked where the program calls it
    assert "error[" not in out and "warning[" not in out


def test_the_adaptive_script_keeps_its_own_batch_and_size():
    code, out = _check(os.path.join(PROGRAMS, "seed_adaptive.py"))
    assert code == 0
    assert "input [4, 3, 300, 300] float32" in out, out
    assert "[4, 512, 9, 9]" in out and "[4, 100]" in out


def test_a_script_that_reads_a_value_says_where_the_dry_run_stopped(tmp_path):
    script = tmp_path / "reads.py"
    script.write_text("import torch\nx = torch.randn(3)\nprint(x.sum().item())\n")
    code, out = _check(str(script))
    assert code == 0, out
    assert f"the dry run stopped at {script}:3: .item(): it reads a tensor's value" in out
    assert "Traceback" not in out


def test_a_training_loop_that_prints_its_loss_is_checked_up_to_the_print(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import torch\nimport torch.nn as nn\nmodel = nn.Linear(8, 1)\nx, y = torch.randn(4, 8), torch.randn(4, 1)\n"
        "loss = nn.functional.mse_loss(model(x), y)\nprint('loss', loss.item())\n"
    )
    code, out = _check(str(script))
    assert code == 0, out
    assert f"the dry run stopped at {script}:6: .item()" in out and "the code after it was not run" in out
    assert "✓ no shape problems found" in out


def test_a_script_that_reads_a_data_file_says_so_in_one_line(tmp_path):
    script = tmp_path / "data.py"
    script.write_text("import torch\nrows = open('missing.csv').read()\n")
    code, out = _check(str(script))
    assert code == 2
    assert "stopped before any shape error" in out and "FileNotFoundError" in out
    assert "it is not a shape error" in out


def test_input_does_not_apply_to_a_script():
    result = CliRunner().invoke(app, [os.path.join(PROGRAMS, "seed_script.py"), "--input", "3x224x224"])
    assert result.exit_code == 2
    assert "makes its own tensors" in result.output


def test_a_file_with_a_model_class_is_still_a_model_file():
    code, out = _check(os.path.join("fixtures", "vgg_no_flatten.py"), "--input", "3x224x224")
    assert code == 1 and "FeatureHead" in out and "dry run" not in out


# -- the program around an error raised while the program runs -------------------------------------


def _run(*args, cwd=ROOT):
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=environ, capture_output=True, text=True, timeout=300)


def _diagnosis(stderr: str) -> str:
    assert "Traceback (most recent call last):" in stderr, stderr
    return stderr.split("Traceback (most recent call last):")[0]


def test_run_finds_the_missing_flatten_at_the_users_line(tmp_path):
    script = tmp_path / "seed.py"
    source = open(os.path.join(FIXTURES, "programs", "seed_script.py")).read()
    script.write_text(source.replace("pretrained=True", "weights=None"))  # run really runs it
    result = _run("-m", "shapecheck", "run", str(script), cwd=tmp_path)
    assert result.returncode == 1
    found = _diagnosis(result.stderr)
    # torch 2.15 names the op first: `RuntimeError: addmm: mat1 and mat2 ...`
    assert re.search(rf"RuntimeError: (addmm: )?{re.escape(REAL_MESSAGE)}", found)
    assert "--> seed.py:10\n" in found and "torch/nn/modules/linear.py" not in found
    assert "from: `feature_extractor` outputs [1, 512, 7, 7] (seed.py:7)" in found
    assert "[safe · verified: output [1, 100]]" in found
    assert "--> seed.py:11\n    + features = torch.flatten(features, 1)" in found
    assert "could not apply" not in found


def test_run_diagnoses_an_error_raised_from_a_shape_error_in_a_function():
    result = _run("-m", "shapecheck", "run", os.path.join(PROGRAMS, "seed_function.py"))
    assert result.returncode == 1
    found = _diagnosis(result.stderr)
    message = "mat1 and mat2 shapes cannot be multiplied (7168x7 and 25088x100)"
    assert re.search(rf"RuntimeError: (addmm: )?{re.escape(message)}", found)
    assert f"--> {os.path.join(PROGRAMS, 'seed_function.py')}:12\n    + features = torch.flatten(features, 1)" in found
    assert "ValueError: classification failed" in result.stderr  # the program's own error, unchanged


def test_watch_diagnoses_the_block_it_wraps():
    result = _run(os.path.join(PROGRAMS, "seed_watch.py"))
    assert result.returncode == 1
    assert "error[SC101]: `fc` receives a 4-D feature map [1, 512, 7, 7]" in result.stderr
    assert "seed_watch.py:14\n    + features = torch.flatten(features, 1)" in result.stderr


def test_an_ipython_cell_is_a_program(capsys):
    pytest.importorskip("IPython")
    import torch.nn as nn
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_cell("%load_ext shapecheck")
        shell.user_ns["extractor"] = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())
        shell.user_ns["head"] = nn.Linear(8 * 30 * 30, 10)
        shell.run_cell("import torch\nx = torch.randn(2, 3, 32, 32)\nf = extractor(x)\nout = head(f)\n")
        out = capsys.readouterr().out
    finally:
        shell.run_cell("%unload_ext shapecheck")
        InteractiveShell.clear_instance()
    assert "error[SC101]: `head` receives a 4-D feature map [2, 8, 30, 30]" in out, out
    assert "+ f = torch.flatten(f, 1)" in out
    assert "[safe · verified: output [2, 10]]" in out


def test_a_program_that_only_calls_its_own_model_keeps_the_models_diagnosis(tmp_path):
    """`model(x)` alone tells nothing more than the model: the class's own check and command."""
    script = tmp_path / "one.py"
    script.write_text(
        textwrap.dedent(
            f"""\
            import sys
            import torch
            sys.path.insert(0, {os.path.join(FIXTURES, "rules")!r})
            from sc101_missing_flatten import Broken

            model = Broken()
            out = model(torch.randn(1, 3, 32, 32))
            """
        )
    )
    result = _run("-m", "shapecheck", "run", str(script), cwd=tmp_path)
    found = _diagnosis(result.stderr)
    assert "sc101_missing_flatten.py:14" in found  # self.fc = nn.Linear(...)
    assert "Program" not in found
    assert "to check it on its own (in CI): shapecheck" in found


# -- `run` is the python it claims to be ---------------------------------------------------------

FAITHFUL = {
    "file": "import os, warnings\nprint(__file__ == os.path.abspath(__file__))\nwarnings.warn('w')\n",
    "chdir": ("import os, torch\nos.chdir('/')\ntorch.nn.Linear(4, 2)(torch.randn(3, 5))\n"),
    "excepthook": (
        "import sys\nsys.excepthook = lambda t, e, tb: print('hook saw', t.__name__)\nraise KeyError('k')\n"
    ),
    "atexit": (
        "import atexit, sys, types\nsys.modules['triton'] = types.ModuleType('triton')  # as torch 2.15 does\n"
        "atexit.register(lambda: print('bye', flush=False))\nprint('buffered', end='')\n"
    ),
    "exit": "import sys\nprint('out')\nsys.exit(3)\n",
}


@pytest.mark.parametrize("name", sorted(FAITHFUL))
def test_run_prints_and_exits_as_python_does(tmp_path, name):
    script = tmp_path / f"{name}.py"
    script.write_text(FAITHFUL[name])
    python = _run(script.name, cwd=tmp_path)
    ours = _run("-m", "shapecheck", "run", script.name, cwd=tmp_path)
    assert ours.stdout == python.stdout
    assert ours.returncode == python.returncode
    assert ours.stderr.splitlines()[-1] == python.stderr.splitlines()[-1] if python.stderr else not ours.stderr
    if name == "file":
        assert f"{script}:3: UserWarning: w" in ours.stderr  # the absolute path python prints
    if name == "chdir":  # the file is still found after the script changes folder
        assert "error[SC102]" in ours.stderr and "--> chdir.py:3\n" in ours.stderr  # not torch's linear.py
        assert "+ torch.nn.Linear(5, 2)(torch.randn(3, 5))" in ours.stderr


# -- live objects get the CLI's diagnosis ----------------------------------------------------------


def _findings_text(report) -> str:
    from shapecheck.render.text import finding_text

    return "\n".join(finding_text(f).plain for f in report.findings)


def test_a_live_model_is_diagnosed_at_its_construction_lines_as_the_cli_does(monkeypatch):
    import shapecheck

    monkeypatch.syspath_prepend(os.path.join(FIXTURES, "programs"))
    from cifar_net import Net

    cli = shapecheck.check(os.path.join(PROGRAMS, "cifar_net.py:Net"), ["3x32x32"])
    live = shapecheck.check(Net(), ["3x32x32"])
    assert _findings_text(live) == _findings_text(cli)
    conv2 = next(r for r in live.trace.layers if r.name == "conv2")
    assert conv2.defined_at is not None and conv2.defined_at.line == 12
    assert conv2.defined_at.source == "self.conv2 = nn.Conv2d(6, 16, 5)"
    assert "cifar_net.py:20" in _findings_text(live)  # the view with the constant
    assert any(fix.verified for f in live.findings for fix in f.fixes)


def test_assignment_sites_read_add_module_and_base_classes():
    import torch.nn as nn

    from shapecheck.loading.sites import assignment_sites

    class Base(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(3, 8, 3)

    class Child(Base):
        def __init__(self):
            super().__init__()
            self.add_module("head", nn.Linear(8, 2))

    model = Child()
    sites = assignment_sites(model)
    assert sites[model.stem].source == "self.stem = nn.Conv2d(3, 8, 3)"
    assert sites[model.head].source == 'self.add_module("head", nn.Linear(8, 2))'
    assert sites.get(nn.Linear(1, 1)) is None


def test_the_pytest_plugin_names_the_layers_line_and_offers_the_clis_fix(pytester):
    pytester.makepyfile(
        test_cifar="""
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(3, 6, 5)
                self.pool = nn.MaxPool2d(2, 2)
                self.conv2 = nn.Conv2d(6, 16, 5)
                self.fc1 = nn.Linear(16 * 6 * 6, 120)
                self.fc2 = nn.Linear(120, 10)

            def forward(self, x):
                x = self.pool(F.relu(self.conv1(x)))
                x = self.pool(F.relu(self.conv2(x)))
                x = torch.flatten(x, 1)
                return self.fc2(F.relu(self.fc1(x)))


        def test_net():
            Net()(torch.randn(4, 3, 32, 32))
        """
    )
    # In this process (tests/test_run.py runs the plugin in a fresh one)
    result = pytester.runpytest_inprocess("-p", "shapecheck")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "error[SC102]: `fc1` expects 576 input features but receives 400" in out
    assert "--> test_cifar.py:12" in out
    assert "+ self.fc1 = nn.Linear(16 * 5 * 5, 120)" in out


# -- errors outside modules: a loss or a matmul on what the model returned -------------------------

OUTSIDE = {
    "bce": (
        "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"
        "model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())\n"
        "x = torch.randn(8, 10)\ny = torch.randint(0, 2, (8,)).float()\nout = model(x)\n"
        "loss = F.binary_cross_entropy(out, y)\n"
    ),
    "matmul": (
        "import torch\nimport torch.nn as nn\n\nencoder = nn.Linear(32, 16)\n"
        "a = torch.randn(4, 32)\nb = torch.randn(5, 32)\nza = encoder(a)\nzb = encoder(b)\n"
        "scores = za @ zb\n"
    ),
}


def test_a_loss_on_the_models_output_is_explained_by_its_rule_with_a_verified_squeeze(tmp_path):
    script = tmp_path / "bce.py"
    script.write_text(OUTSIDE["bce"])
    found = _diagnosis(_run("-m", "shapecheck", "run", script.name, cwd=tmp_path).stderr)
    assert "error[SC125]" in found and "SC100" not in found  # the rule that names it, as an error
    assert "+ loss = F.binary_cross_entropy(out.squeeze(-1), y)" in found
    assert "[safe · verified" in found


def test_a_matmul_of_two_encodings_gets_the_transpose_in_the_users_expression(tmp_path):
    script = tmp_path / "mm.py"
    script.write_text(OUTSIDE["matmul"])
    found = _diagnosis(_run("-m", "shapecheck", "run", script.name, cwd=tmp_path).stderr)
    assert "--> mm.py:9" in found
    assert "+ scores = za @ zb.T" in found, found
    assert "[safe · verified: output [4, 5]]" in found


# -- a model file with a program below its classes -----------------------------------------------

TRAINING_FILE = """\
import torch
import torch.nn as nn

HIDDEN = 32
torch.set_default_dtype(torch.float32)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, HIDDEN)
        self.out = nn.Linear(HIDDEN, 2)

    def forward(self, x):
        return self.out(torch.relu(self.fc(x)))


model = Net()
data = torch.load("train.pt")
for epoch in range(10):
    print("epoch", epoch)
"""


def test_definitions_only_keeps_what_the_classes_read_and_setters():
    from shapecheck.loading.script import definitions_only

    tree, skipped = definitions_only(TRAINING_FILE)
    kept = ast.unparse(tree)
    assert "HIDDEN = 32" in kept and "torch.set_default_dtype" in kept and "class Net" in kept
    assert "torch.load" not in kept and "model = Net()" not in kept
    assert skipped == [(18, 18), (19, 19), (20, 21)]
    assert definitions_only("import torch\nclass A: pass\n") is None


def test_a_named_class_is_built_without_running_the_files_training_code(tmp_path):
    (tmp_path / "train.py").write_text(TRAINING_FILE)
    code, out = _check(f"{tmp_path / 'train.py'}:Net", "--input", "10")
    assert code == 0, out
    assert "not run: the top-level code of" in out and "at lines 18, 19, 20-21" in out
    assert "No such file" not in out and "epoch" not in out


def test_a_real_jupyter_kernel_diagnoses_the_failing_cell_as_a_program():
    """The seed example split over notebook cells, run by a real kernel (nbclient): the failing
    cell's diagnosis names the extractor of the cell before and fixes the cell's own line."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    cells = [
        "%load_ext shapecheck",
        "import torch\nimport torch.nn as nn\nimport torchvision.models as models",
        "vgg16 = models.vgg16(weights=None)\nfeature_extractor = nn.Sequential(*list(vgg16.children())[:-1])",
        "dummy_input = torch.randn(1, 3, 224, 224)\nfeatures = feature_extractor(dummy_input)\n"
        "fc = nn.Linear(512 * 7 * 7, 100)\noutput = fc(features)",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(notebook, timeout=240, kernel_name="python3", allow_errors=True)
    client.execute(cwd=ROOT)
    last = notebook.cells[-1]
    text = "".join(o.get("text", "") for o in last.outputs if o.output_type == "stream")
    errors = [o for o in last.outputs if o.output_type == "error"]
    assert errors and errors[0]["ename"] == "RuntimeError"  # the cell's own error is still shown
    assert "error[SC101]: `fc` receives a 4-D feature map [1, 512, 7, 7]" in text, text
    assert "from: `feature_extractor` outputs [1, 512, 7, 7]" in text
    assert "+ features = torch.flatten(features, 1)" in text
    assert "[safe · verified: output [1, 100]]" in text


# -- loss contracts, a DataLoader in a dry run, programs that make their own tensors ---------------

LOSSES = {
    "column": (
        "model = nn.Linear(20, 3)\nx = torch.randn(16, 20)\ny = torch.randint(0, 3, (16, 1))\n"
        "criterion = nn.CrossEntropyLoss()\nloss = criterion(model(x), y)\n",
        "+ loss = criterion(model(x), y.squeeze(1))",
    ),
    "one_hot": (
        "model = nn.Linear(8, 5)\nx = torch.randn(6, 8)\ny = F.one_hot(torch.randint(0, 5, (6,)), 5)\n"
        "criterion = nn.CrossEntropyLoss()\nloss = criterion(model(x), y)\n",
        "+ loss = criterion(model(x), y.argmax(1))",
    ),
    "classes_last": (
        "emb = nn.Embedding(100, 32)\nhead = nn.Linear(32, 100)\ntokens = torch.randint(0, 100, (4, 10))\n"
        "targets = torch.randint(0, 100, (4, 10))\nlogits = head(emb(tokens))\n"
        "loss = F.cross_entropy(logits, targets)\n",
        "+ loss = F.cross_entropy(logits.transpose(1, 2), targets)",
    ),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_a_class_loss_gets_the_fix_its_contract_asks_for(tmp_path, name):
    body, expected = LOSSES[name]
    script = tmp_path / f"{name}.py"
    script.write_text("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n" + body)
    code, out = _check(str(script))
    assert code == 1, out
    assert "error[SC125]" in out and "SC100" not in out and "SC112" not in out, out
    assert expected in out and "[safe · verified" in out


def test_a_dry_run_goes_through_a_dataloader_loop(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader, TensorDataset\n\n"
        "data = TensorDataset(torch.randn(100, 20), torch.randint(0, 3, (100, 1)))\n"
        "loader = DataLoader(data, batch_size=16, shuffle=True)\n"
        "model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 3))\n"
        "criterion = nn.CrossEntropyLoss()\n"
        "for xb, yb in loader:\n    loss = criterion(model(xb), yb)\n    loss.backward()\n"
    )
    code, out = _check(str(script))
    assert code == 1, out
    assert "input [16, 20] float32, [16, 1] int64" in out
    assert "+ loss = criterion(model(xb), yb.squeeze(1))" in out


def test_a_program_whose_tensors_are_made_in_the_failing_line(tmp_path):
    script = tmp_path / "inline.py"
    script.write_text("import torch\nimport torch.nn as nn\nm = nn.Linear(3, 2)\nprint(m(torch.randn(1, 4)).shape)\n")
    code, out = _check(str(script))
    assert code == 1, out
    assert "no input · meta engine" in out
    assert f"--> {script}:3\n" in out and "+ m = nn.Linear(4, 2)" in out
    found = _diagnosis(_run("-m", "shapecheck", "run", script.name, cwd=tmp_path).stderr)
    assert "--> inline.py:3\n" in found and "bin/shapecheck" not in found
    assert "torch.Size" not in found  # the replayed print prints nothing


def test_a_view_with_a_constant_batch_is_replayed_from_the_tensor_it_viewed(tmp_path):
    """`images = images.view(64, -1)` in a loop whose last batch has 36: the program's input is
    the batch as the loader gave it (the view's base), so the view's row shows what it did."""
    script = tmp_path / "loop.py"
    script.write_text(
        "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader, TensorDataset\n\n"
        "data = TensorDataset(torch.randn(100, 1, 28, 28), torch.randint(0, 10, (100,)))\n"
        "model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))\n"
        "for images, labels in DataLoader(data, batch_size=64):\n"
        "    images = images.view(64, -1)\n    outputs = model(images)\n"
    )
    found = _diagnosis(_run("-m", "shapecheck", "run", script.name, cwd=tmp_path).stderr)
    assert re.search(r"Program +Program +\[36, 1, 28, 28\]", found), found
    assert re.search(r"view +Tensor\.view +\[36, 1, 28, 28\] +\[64, 441\]", found)
    assert "error[SC106]: `Tensor.view` at line 8 writes the batch as 64, but this batch has 36 samples" in found
    assert "+ images = images.view(images.size(0), -1)" in found
    assert "[safe · verified: output [36, 10]]" in found
    assert "set in_features=441 on `model.0` [unsafe · verified" not in found  # 36 samples, 64 rows
    assert "runs, but the batch is already mixed by `view` (line 8)" in found


def test_a_dry_run_changes_no_file(tmp_path):
    import torch

    torch.save({"weight": torch.ones(2)}, tmp_path / "ckpt.pt")
    (tmp_path / "results.txt").write_text("trained\n")
    script = tmp_path / "save.py"
    script.write_text(
        "import os, torch\nimport torch.nn as nn\nmodel = nn.Linear(4, 2)\nout = model(torch.randn(3, 4))\n"
        f"torch.save(model.state_dict(), {str(tmp_path / 'ckpt.pt')!r})\n"
        f"with open({str(tmp_path / 'results.txt')!r}, 'w') as f:\n    f.write('dry')\n"
        f"os.remove({str(tmp_path / 'results.txt')!r})\n"
    )
    code, out = _check(str(script))
    assert code == 0, out
    assert torch.load(tmp_path / "ckpt.pt")["weight"].device.type == "cpu"  # not overwritten with meta tensors
    assert (tmp_path / "results.txt").read_text() == "trained\n"
    assert "dry run: torch.save(" in out and "skipped (a dry run changes no file)" in out


# -- a layer inside a container written over several lines ----------------------------------------

MULTILINE = """\
import torch
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1),
    nn.BatchNorm2d(32),
    nn.ReLU(),
)
out = model(torch.randn(4, 3, 16, 16))
"""


def test_a_child_of_a_multiline_sequential_is_at_its_own_line(tmp_path):
    script = tmp_path / "seq.py"
    script.write_text(MULTILINE)
    found = _diagnosis(_run("-m", "shapecheck", "run", script.name, cwd=tmp_path).stderr)
    assert "--> seq.py:6\n" in found and "6 + nn.BatchNorm2d(16)," in found, found
    code, out = _check(str(script))
    assert code == 1 and f"--> {script}:6\n" in out and "6 + nn.BatchNorm2d(16)," in out


def test_a_live_models_container_children_are_at_their_own_lines(tmp_path, monkeypatch):
    import importlib

    import shapecheck

    (tmp_path / "seqnet.py").write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.features = nn.Sequential(\n            nn.Conv2d(3, 16, 3, padding=1),\n"
        "            nn.BatchNorm2d(32),\n        )\n\n    def forward(self, x):\n        return self.features(x)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    net = importlib.import_module("seqnet").Net()
    report = shapecheck.check(net, ["3x16x16"])
    assert report.findings[0].location.line == 9
    assert report.findings[0].fixes[0].after.strip() == "nn.BatchNorm2d(16),"


def test_fix_writes_the_line_of_a_child_inside_a_multiline_sequential(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seq.py").write_text(MULTILINE)
    result = CliRunner().invoke(app, ["seq.py", "--fix", "--unsafe-fixes"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "seq.py").read_text()
    assert "    nn.BatchNorm2d(16),\n" in text and "BatchNorm2d(32)" not in text


def test_run_names_the_callers_tensor_in_a_data_fix(tmp_path):
    script = tmp_path / "digit.py"
    script.write_text(
        "import torch\nimport torch.nn as nn\n"
        "net = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 26 * 26, 10))\n"
        "img = torch.randn(28, 28)\n"
        "print(net(img).shape)\n"
    )
    result = CliRunner().invoke(app, ["run", str(script)])
    assert "error[SC105]" in result.output, result.output
    assert "img = img.unsqueeze(0).unsqueeze(0)" in result.output
    assert "verified: output [1, 10]" in result.output


NAMED_OUTPUT_SCRIPT = """\
import collections

import torch
import torch.nn as nn

Outputs = collections.namedtuple("Outputs", ["logits", "aux_logits"])


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Linear(8, 5)
        self.aux = nn.Linear(8, 5)

    def forward(self, x):
        return Outputs(self.main(x), self.aux(x)) if self.training else self.main(x)


model = TwoHeads()
criterion = nn.CrossEntropyLoss()
images, labels = torch.randn(4, 8), torch.randint(0, 5, (4,))
outputs = model(images)
loss = criterion(outputs, labels)
"""


def test_run_finds_a_train_mode_named_output_given_to_the_loss(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(NAMED_OUTPUT_SCRIPT)
    result = CliRunner().invoke(app, ["run", str(script)])
    assert "error[SC127]" in result.output, result.output
    assert "outputs = model(images).logits" in result.output
    assert "must be Tensor, not Outputs" in result.output  # python's own traceback follows


def _run_script(tmp_path, name: str, text: str) -> str:
    script = tmp_path / name
    script.write_text(text)
    return CliRunner().invoke(app, ["run", str(script)]).output


def test_run_h0_with_the_inputs_first_dim_is_batch_first_confusion(tmp_path):
    out = _run_script(
        tmp_path,
        "gru.py",
        "import torch\nimport torch.nn as nn\n"
        "gru = nn.GRU(input_size=16, hidden_size=32)\n"
        "x = torch.randn(5, 20, 16)\nh0 = torch.zeros(1, 5, 32)\nout, h_n = gru(x, h0)\n",
    )
    assert "error[SC115]" in out, out
    assert "gru = nn.GRU(input_size=16, hidden_size=32, batch_first=True)" in out  # not h0 resized to 20
    assert "verified" in out


def test_run_a_scaled_similarity_is_a_matmul_finding_not_a_value(tmp_path):
    out = _run_script(
        tmp_path,
        "clip.py",
        "import torch\nimg = torch.randn(8, 512)\ntxt = torch.randn(8, 512)\nscale = 100.0\n"
        "logits = scale * img @ txt\n",
    )
    assert "error[SC128]" in out, out
    assert "logits = scale * img @ txt.T" in out
    assert "about values" not in out


def test_run_gather_of_one_action_per_step_keeps_one_value(tmp_path):
    out = _run_script(
        tmp_path,
        "policy.py",
        "import torch\nlog_probs = torch.randn(4, 12, 50).log_softmax(-1)\n"
        "actions = torch.randint(0, 50, (4, 12))\nchosen = log_probs.gather(-1, actions)\n",
    )
    assert "error[SC130]" in out, out
    assert "chosen = log_probs.gather(-1, actions.unsqueeze(-1))" in out
    assert "verified: output [4, 12, 1]" in out


def test_run_grouped_query_fix_repeats_keys_and_values(tmp_path):
    out = _run_script(
        tmp_path,
        "gqa.py",
        "import torch\nq = torch.randn(2, 8, 16, 32)\nk = torch.randn(2, 2, 16, 32)\nv = torch.randn(2, 2, 16, 32)\n"
        "def attention(q, k, v):\n    scores = torch.matmul(q, k.transpose(-2, -1))\n"
        "    return torch.matmul(scores, v)\n"
        "out = attention(q, k, v)\n",
    )
    assert "error[SC128]" in out, out
    assert "k = k.repeat_interleave(4, dim=1)" in out and "v = v.repeat_interleave(4, dim=1)" in out


def test_run_an_lstm_inside_a_sequential_hands_on_its_tuple(tmp_path):
    out = _run_script(
        tmp_path,
        "sentiment.py",
        "import torch\nimport torch.nn as nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.encoder = nn.Sequential(nn.LSTM(8, 16, batch_first=True), nn.Dropout(0.2))\n"
        "        self.fc = nn.Linear(16, 2)\n"
        "    def forward(self, x):\n"
        "        return self.fc(self.encoder(x)[:, -1])\n"
        "Net()(torch.randn(4, 10, 8))\n",
    )
    assert "error[SC127]" in out, out
    assert "sentiment.py:6" in out and "return x[0]" in out and "verified" in out


def test_run_an_inline_loss_names_the_callers_target(tmp_path):
    out = _run_script(
        tmp_path,
        "seg.py",
        "import torch\nimport torch.nn as nn\n"
        "out = torch.randn(2, 6, 16, 16).log_softmax(1)\nmasks = torch.randint(0, 6, (2, 1, 16, 16))\n"
        "loss = nn.NLLLoss()(out, masks)\n",
    )
    assert "error[SC125]" in out, out
    assert "masks.squeeze(1)" in out and "verified" in out


def test_run_an_input_size_fix_resizes_the_programs_tensor_after_the_code_fixes(tmp_path):
    out = _run_script(
        tmp_path,
        "unet.py",
        "import torch\nimport torch.nn as nn\n"
        "class UNet(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.down = nn.Conv2d(3, 8, 3, stride=2, padding=1)\n"
        "        self.up = nn.ConvTranspose2d(8, 8, 2, stride=2)\n"
        "    def forward(self, x):\n"
        "        return torch.cat([self.up(self.down(x)), x], dim=1)\n"
        "img = torch.randn(2, 3, 101, 101)\nUNet()(img)\n",
    )
    assert "error[SC109]" in out, out
    assert "    | --input" not in out  # no fix is an --input: a running script has none
    assert "img = F.interpolate(img, size=(" in out
    assert out.index("interpolate `") < out.index("here `img` resized to")  # the code's fix first


def test_run_a_channels_last_one_hot_against_scores_is_permuted(tmp_path):
    out = _run_script(
        tmp_path,
        "dice.py",
        "import torch\nimport torch.nn.functional as F\n"
        "probs = torch.randn(2, 3, 32, 32).softmax(1)\nmask = torch.randint(0, 3, (2, 32, 32))\n"
        "onehot = F.one_hot(mask, 3).float()\ninter = (probs * onehot).sum(dim=(2, 3))\n",
    )
    assert "error[SC112]" in out, out
    assert "inter = (probs * onehot.permute(0, 3, 1, 2)).sum(dim=(2, 3))" in out and "verified" in out


def test_run_a_flat_reconstruction_against_images_gets_their_shape(tmp_path):
    out = _run_script(
        tmp_path,
        "ae.py",
        "import torch\nimport torch.nn.functional as F\n"
        "recon = torch.randn(16, 784)\nimgs = torch.randn(16, 1, 28, 28)\nloss = F.mse_loss(recon, imgs)\n",
    )
    assert "loss = F.mse_loss(recon.view_as(imgs), imgs)" in out, out
    # a loss function's input against its target, as for a loss module: SC125, not any broadcast
    assert "error[SC125]: `F.mse_loss` at line 5 gets input [16, 784] and target [16, 1, 28, 28]" in out
    assert "SC112" not in out


def test_run_a_new_key_joined_to_the_cache_with_two_dims_swapped(tmp_path):
    out = _run_script(
        tmp_path,
        "cache.py",
        "import torch\npast_k = torch.randn(1, 4, 10, 16)\nk_new = torch.randn(1, 1, 4, 16)\n"
        "k_all = torch.cat([past_k, k_new], dim=2)\n",
    )
    assert "error[SC109]" in out, out
    assert "k_all = torch.cat([past_k, k_new.transpose(1, 2)], dim=2)" in out and "verified" in out


def test_run_a_layer_that_cannot_be_built_says_which_sizes_work(tmp_path):
    out = _run_script(
        tmp_path,
        "blocks.py",
        "import torch.nn as nn\ndef block(c_in, c_out):\n"
        "    return nn.Sequential(nn.Conv2d(c_in, c_out, 3), nn.GroupNorm(32, c_out))\n"
        "net = nn.Sequential(block(3, 64), block(64, 48))\n",
    )
    assert "builds GroupNorm(num_groups=32, num_channels=48): 48 channels do not split into 32 groups" in out, out
    assert "num_groups=24 or num_groups=48" in out


def test_run_channels_last_images_into_a_torchvision_model_fix_the_data_not_torchvision(tmp_path):
    out = _run_script(
        tmp_path,
        "hwc.py",
        "import torch\nfrom torchvision import models\nmodel = models.resnet18(weights=None).eval()\n"
        "batch = torch.rand(1, 224, 224, 3)\nout = model(batch)\n",
    )
    assert "error[SC114]" in out, out
    assert "resnet.py:" not in out.split("Traceback")[0]
    # the data is the bug: located at the call that passes it, the model's line as a note
    assert "hwc.py:5\n" in out.split("help:")[0] and "hwc.py:3: model = models.resnet18" in out
    assert "5 + out = model(batch.permute(0, 3, 1, 2))" in out
    assert "batch = batch.permute(0, 3, 1, 2)" in out and "help: or, if your images" in out


def test_run_the_flatten_goes_before_the_layers_own_line_in_the_sequential(tmp_path):
    out = _run_script(
        tmp_path,
        "trainer.py",
        "import torch\nimport torch.nn as nn\n"
        "class Trainer:\n    def __init__(self, model):\n        self.model = model\n"
        "    def step(self, x):\n        return self.model(x)\n"
        "model = nn.Sequential(\n    nn.Conv1d(12, 32, 5),\n    nn.AdaptiveAvgPool1d(1),\n    nn.Linear(32, 4),\n)\n"
        "Trainer(model).step(torch.randn(16, 12, 100))\n",
    )
    assert "error[SC101]" in out, out
    assert "trainer.py:11" in out and "+ nn.Flatten(1)," in out


# -- a dry run of the scripts people post ----------------------------------------------------------


def _dry_run(tmp_path, text: str, name: str = "script.py"):
    """`shapecheck script.py` from the script's folder, as a user types it: (exit code, output)."""
    (tmp_path / name).write_text(textwrap.dedent(text))
    result = _run("-m", "shapecheck", name, "--depth", "1", cwd=tmp_path)
    return result.returncode, result.stdout + result.stderr


def test_a_dry_run_shows_paths_from_where_it_started_after_the_script_moves(tmp_path):
    code, out = _dry_run(
        tmp_path,
        """
        import os
        import torch
        import torch.nn as nn

        os.makedirs("out", exist_ok=True)
        os.chdir("out")
        conv = nn.Conv2d(3, 8, 3)
        y = conv(torch.randn(2, 1, 32, 32))
        """,
    )
    assert code == 1, out
    assert "the code around script.py:9" in out and "--> script.py:8" in out
    assert str(tmp_path) not in out


def test_a_dry_run_loads_a_dataloader_with_workers_in_its_own_process(tmp_path):
    """num_workers=2 (and `set_start_method("spawn")` first, as Windows scripts do): the dry
    run's process may not start children, and a worker could not send meta tensors back."""
    code, out = _dry_run(
        tmp_path,
        """
        import torch
        import torch.multiprocessing as mp
        import torch.nn as nn
        from torch.utils.data import DataLoader, Dataset

        class Toy(Dataset):
            def __len__(self):
                return 8

            def __getitem__(self, i):
                return torch.randn(3, 16, 16), i % 2

        if __name__ == "__main__":
            mp.set_start_method("spawn")
            loader = DataLoader(Toy(), batch_size=4, num_workers=2, persistent_workers=True)
            net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(4 * 16 * 16, 2))
            for x, y in loader:
                out = net(x)
        """,
    )
    assert code == 1, out
    assert "error[SC102]" in out and "the code around script.py:19" in out
    assert "DataLoaders load in the main process (num_workers=0)" in out
    assert "daemonic" not in out and "context has already been set" not in out


def test_a_dry_run_saves_into_memory_and_reads_it_back(tmp_path):
    code, out = _dry_run(
        tmp_path,
        """
        import io
        import torch

        buf = io.BytesIO()
        torch.save({"w": torch.ones(9, 4)}, buf)
        buf.seek(0)
        w = torch.load(buf)["w"]
        x = torch.randn(2, 8)
        print(x.mm(w))
        """,
    )
    assert code == 1, out
    assert "error[SC128]" in out and "the code around script.py:10" in out
    assert "EOFError" not in out


def test_a_dry_run_that_fails_with_no_shape_error_after_torch_calls_says_so(tmp_path):
    """A ValueError of the script's own after its torch calls: one line, exit 2, not the table of
    the last torch call with exit 0."""
    code, out = _dry_run(tmp_path, "import torch\nx = torch.randn(3)\nn = int('abc')\nprint(n)\n")
    assert code == 2, out
    assert "stopped before any shape error" in out and "ValueError: invalid literal" in out
    assert "no shape problems found" not in out


def test_a_dry_run_says_a_checkpoints_sizes_do_not_fit(tmp_path):
    code, out = _dry_run(
        tmp_path,
        """
        import torch.nn as nn
        import torchvision

        model = torchvision.models.resnet18(weights=None)
        state = model.state_dict()
        model.fc = nn.Linear(512, 5)
        model.load_state_dict(state)
        """,
    )
    assert code == 2, out
    assert "failed with RuntimeError: Error(s) in loading state_dict for ResNet" in out
    assert "hint: a checkpoint's `fc." in out and 'File "script.py", line 8' in out
    assert "it is not a shape error" not in out


def test_a_dry_run_of_a_gpu_script_needs_no_gpu(tmp_path):
    """`.cuda()` and `.to("cuda")` keep the tensors on meta, in the script and in the replay."""
    code, out = _dry_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn

        device = torch.device("cuda")
        model = nn.Linear(4, 2).cuda()
        x = torch.randn(3, 5).to(device)
        out = model(x)
        """,
    )
    assert code == 1, out
    assert "error[SC102]" in out and "the code around script.py:8" in out
    assert "stayed on meta" in out and "NVIDIA" not in out and "CUDA" not in out


@pytest.mark.parametrize(
    ("failing", "code", "line"),
    [
        (
            "loss = nn.BCELoss()(torch.sigmoid(model(x)), y)",
            "error[SC125]: `BCELoss` gets input [8, 1] and target [8]",
            8,
        ),
        ("outs = [model(v) for v in (x, torch.randn(8, 12))]", "error[SC102]", 5),
    ],
)
def test_a_dry_run_checks_the_failing_module_when_its_line_cannot_be_replayed(tmp_path, failing, code, line):
    """A loss built on the failing line, a model called in a list comprehension: the code around
    it is not replayed, so the module is checked with the tensors it got (as `run` does), at the
    user's line; the dry run used to end "in code shapecheck cannot replay on its own", exit 2."""
    code_, out = _dry_run(
        tmp_path,
        f"""
        import torch
        import torch.nn as nn

        model = nn.Linear(10, 1)
        x = torch.randn(8, 10)
        y = torch.randint(0, 2, (8,)).float()
        {failing}
        """,
    )
    assert code_ == 1, out
    assert code in out and f"--> script.py:{line}" in out
    assert "cannot replay" not in out


def test_run_maps_of_single_images_catted_into_a_batch_are_flattened_before_the_head(tmp_path):
    """`torch.cat([backbone(img) for img in images])` gives the Linear a batch of maps: the
    feature maps are still unflattened after the join (SC101), not a Linear of the wrong size."""
    out = _run_script(
        tmp_path,
        "feats.py",
        "import torch\nimport torch.nn as nn\n"
        "backbone = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.AdaptiveAvgPool2d(4))\n"
        "images = [torch.randn(1, 3, 32, 32) for _ in range(5)]\n"
        "feats = torch.cat([backbone(img) for img in images], dim=0)\n"
        "head = nn.Linear(8 * 4 * 4, 2)\nout = head(feats)\n",
    )
    assert "error[SC101]: `head` receives a 4-D feature map [5, 8, 4, 4]" in out, out
    assert "+ feats = torch.flatten(feats, 1)" in out and "set in_features=4" not in out
