"""`shapecheck run`, `watch()`, the IPython extension and the pytest plugin: a shape error is
diagnosed where it happens, from the traceback's frames."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from conftest import FIXTURES

HEADER = """\
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F
sys.path.insert(0, {fixtures!r})
"""


def run(tmp_path, body, *args, name="script.py"):
    path = tmp_path / name
    path.write_text(HEADER.format(fixtures=FIXTURES) + textwrap.dedent(body))
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    result = subprocess.run(
        [sys.executable, "-m", "shapecheck", "run", *args, str(path)],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result


def _before_traceback(stderr: str) -> str:
    assert "Traceback (most recent call last):" in stderr, stderr
    return stderr.split("Traceback (most recent call last):")[0]


VGG_HEAD = """
    from torchvision.models import vgg16

    class FeatureHead(nn.Module):
        def __init__(self, num_classes=100):
            super().__init__()
            self.features = nn.Sequential(*list(vgg16().children())[:-1])  # convs + avgpool
            self.fc = nn.Linear(512 * 7 * 7, num_classes)

        def forward(self, x):
            x = self.features(x)
            x = self.fc(x)
            return x

"""


def test_error_in_forward_the_vgg_story(tmp_path):
    result = run(
        tmp_path,
        VGG_HEAD
        + """
    if __name__ == "__main__":
        model = FeatureHead()
        images = torch.randn(2, 3, 224, 224)
        print("before the model")
        model(images)
    """,
    )
    assert result.returncode == 1
    assert result.stdout == "before the model\n"
    diagnosis = _before_traceback(result.stderr)
    assert "error[SC101]: `fc` receives a 4-D feature map [2, 512, 7, 7] that was never flattened" in diagnosis
    assert "raised at script.py:17: x = self.fc(x)" in diagnosis and "verified" in diagnosis
    assert "to check it on its own (in CI): shapecheck script.py:FeatureHead --input 3x224x224 --batch 2\n" in diagnosis
    traceback = result.stderr.split("Traceback (most recent call last):")[1]
    assert 'script.py", line 25, in <module>' in traceback and "runpy" not in traceback
    assert traceback.rstrip().endswith("mat1 and mat2 shapes cannot be multiplied (7168x7 and 25088x100)")


def test_loss_after_a_batch_mixing_view_points_at_the_view(tmp_path):
    result = run(
        tmp_path,
        """
        from rules.sc106_batch_mixing import LeNet

        def train():
            model = LeNet()
            images = torch.randn(10, 3, 52, 52)
            labels = torch.randint(0, 10, (10,))
            logits = model(images)
            loss = F.cross_entropy(logits, labels)

        train()
        """,
    )
    assert result.returncode == 1
    diagnosis = _before_traceback(result.stderr)
    assert "raised by F.cross_entropy at script.py:" in diagnosis
    assert ": loss = F.cross_entropy(logits, labels)" in diagnosis
    assert "input: [40, 10] float32" in diagnosis and "target: [10] int64" in diagnosis
    assert "`model(images)` returns [40, 10]: that is the `input` of the failing call" in diagnosis
    assert "error[SC106]" in diagnosis and "sc106_batch_mixing.py:" in diagnosis


def test_unet_cat_at_an_odd_size(tmp_path):
    result = run(
        tmp_path,
        """
        from rules.sc109_concat_mismatch import UNet

        UNet().eval()(torch.randn(1, 3, 100, 100))
        """,
    )
    diagnosis = _before_traceback(result.stderr)
    assert result.returncode == 1
    assert "error[SC109]" in diagnosis and "multiple of 16" in diagnosis


def test_lstm_fed_the_wrong_feature_size_inside_a_two_step_dataloader_loop(tmp_path):
    result = run(
        tmp_path,
        """
        from torch.utils.data import DataLoader, TensorDataset

        class Tagger(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn.LSTM(64, 32, batch_first=True)
                self.head = nn.Linear(32, 5)

            def forward(self, x):
                out, _ = self.lstm(x)
                return self.head(out)

        data = TensorDataset(torch.randn(8, 20, 100), torch.randint(0, 5, (8, 20)))
        model = Tagger()
        for step, (x, y) in enumerate(DataLoader(data, batch_size=4)):
            print("step", step)
            loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        """,
    )
    assert result.returncode == 1
    assert result.stdout == "step 0\n"
    diagnosis = _before_traceback(result.stderr)
    assert "error[SC115]" in diagnosis and "input_size=100" in diagnosis
    assert "script.py:Tagger --input 20x100 --batch 4" in diagnosis


def test_a_library_module_called_through_a_library_is_placed_at_the_users_line(tmp_path):
    """Normalize built for 3 channels, called by transforms.Compose inside a Dataset that
    DataLoader calls: no frame of the user's calls the module itself, and the finding goes to the
    user's last line on the way to it, never to torchvision's class."""
    result = run(
        tmp_path,
        """
        from torchvision import transforms

        transform = transforms.Compose([transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])


        class Gray(torch.utils.data.Dataset):
            def __len__(self):
                return 4

            def __getitem__(self, i):
                img = torch.rand(1, 28, 28)
                return transform(img), i

        for imgs, labels in torch.utils.data.DataLoader(Gray(), batch_size=2):
            pass
        """,
    )
    diagnosis = _before_traceback(result.stderr)
    assert result.returncode == 1
    assert "error[SC112]" in diagnosis, diagnosis
    assert "--> script.py:18" in diagnosis and "return transform(img), i" in diagnosis
    assert "transforms.py" not in diagnosis


def test_a_finding_inside_a_library_modules_code_goes_to_the_users_line_with_no_edit_of_the_library(tmp_path):
    """Normalize given four channels' statistics for RGB images fails inside torchvision's
    functional code: the finding is placed at the user's call, and no fix edits torchvision."""
    result = run(
        tmp_path,
        """
        from torchvision import transforms

        normalize = transforms.Normalize((0.5, 0.5, 0.5, 0.5), (0.5, 0.5, 0.5, 0.5))
        img = torch.rand(3, 32, 32)
        out = normalize(img)
        """,
    )
    diagnosis = _before_traceback(result.stderr)
    assert result.returncode == 1
    assert "--> script.py:" in diagnosis and "out = normalize(img)" in diagnosis, diagnosis
    assert "--> torchvision" not in diagnosis and "_functional_tensor.py:928 +" not in diagnosis
    assert "928 +" not in diagnosis


@pytest.mark.parametrize("reads_a_value", [False, True], ids=["meta", "real-copy"])
def test_an_embedding_given_ids_past_its_table_is_told_with_the_programs_own_ids(tmp_path, reads_a_value):
    """The shapes fit (on meta, or on a copy where the model reads a value): the note says so, on
    which tensors, and gives the table's size and the largest id the program passed."""
    scale = "int(ids.max().item()) + 1" if reads_a_value else "1"
    result = run(
        tmp_path,
        f"""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(50, 16)

            def forward(self, ids):
                return self.emb(ids).mean(1) * ({scale})

        ids = torch.arange(60).reshape(4, 15) + 20
        Net()(ids)
        """,
    )
    diagnosis = _before_traceback(result.stderr)
    assert result.returncode == 1
    checked = "a copy given tensors of the same shapes" if reads_a_value else "meta tensors"
    assert f"the shapes fit when checked on {checked}: this error is about values" in diagnosis, diagnosis
    assert "nn.Embedding(50, 16) was given ids from 20 to 79: 79 ≥ num_embeddings 50" in diagnosis
    assert "num_embeddings=80 (the largest id + 1)" in diagnosis


def test_a_lookup_that_fails_before_a_shape_error_says_the_error_raised_is_about_values(tmp_path):
    """The program dies at the embedding (ids past its table); the check of the model finds a
    shape error further on. The report says which one was raised, before the finding."""
    result = run(
        tmp_path,
        """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(50, 16)
                self.fc = nn.Linear(32, 2)

            def forward(self, ids):
                return self.fc(self.emb(ids).mean(1))

        Net()(torch.arange(60).reshape(4, 15) + 20)
        """,
    )
    diagnosis = _before_traceback(result.stderr)
    assert result.returncode == 1
    values = diagnosis.index("note: the error raised is about values, not shapes: nn.Embedding(50, 16) was given ids")
    assert values < diagnosis.index("error[SC102]")
    assert "the shape error below is further on" in diagnosis


def test_a_negative_id_is_not_told_to_grow_the_table(tmp_path):
    result = run(
        tmp_path,
        """
        emb = nn.Embedding(10, 4)
        ids = torch.tensor([[1, 2, -100]])
        emb(ids)
        """,
    )
    diagnosis = _before_traceback(result.stderr)
    assert "nn.Embedding(10, 4) was given ids from -100 to 2: -100 < 0" in diagnosis, diagnosis
    assert "num_embeddings=" not in diagnosis.replace("num_embeddings)", "")


def test_a_model_called_with_keyword_arguments(tmp_path):
    result = run(
        tmp_path,
        """
        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Embedding(100, 32)
                self.attn = nn.MultiheadAttention(32, 4, batch_first=True)

            def forward(self, ids, mask=None):
                x = self.embed(ids)
                out, _ = self.attn(x, x, x, key_padding_mask=mask)
                return out

        if __name__ == "__main__":
            ids = torch.randint(0, 100, (2, 12))
            pad = torch.zeros(2, 10, dtype=torch.bool)
            Encoder()(ids, mask=pad)
        """,
    )
    assert result.returncode == 1
    diagnosis = _before_traceback(result.stderr)
    assert "error[SC117]: `key_padding_mask` of `attn` is [2, 10] but must be [N, S] = [2, 12]" in diagnosis
    assert "--input mask=12:bool" in diagnosis
    assert "script.py:Encoder --input 12:int64 --input mask=10:bool --batch 2" in diagnosis


def test_a_model_called_with_a_dict_and_a_list_of_tensors(tmp_path):
    result = run(
        tmp_path,
        """
        class Fusion(nn.Module):
            def __init__(self):
                super().__init__()
                self.image = nn.Linear(64, 32)
                self.text = nn.Linear(300, 32)
                self.head = nn.Linear(64, 4)

            def forward(self, batch):
                a = self.image(batch["image"])
                b = self.text(batch["text"][0])
                return self.head(torch.cat([a, b], dim=0))

        Fusion()({"image": torch.randn(8, 64), "text": [torch.randn(8, 300)]})
        """,
    )
    assert result.returncode == 1
    diagnosis = _before_traceback(result.stderr)
    assert "[0]['image']: [8, 64]" in diagnosis and "[0]['text'][0]: [8, 300]" in diagnosis
    assert "error[SC102]: `head` expects 64 input features but receives 32" in diagnosis
    assert "no command to repeat this check: --input has no syntax for a list or dict" in diagnosis


def test_a_script_that_succeeds_is_untouched(tmp_path):
    body = """
        print("hello", sys.argv[1:])
        print("to stderr", file=sys.stderr)
        """
    result = run(tmp_path, body, name="ok.py")
    assert result.returncode == 0
    assert result.stdout == "hello []\n" and result.stderr == "to stderr\n"
    path = tmp_path / "args.py"
    path.write_text("import sys\nprint(sys.argv)\nsys.exit(3)\n")
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}
    result = subprocess.run(
        [sys.executable, "-m", "shapecheck", "run", str(path), "--lr", "0.1", "-x"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3 and result.stdout == f"[{str(path)!r}, '--lr', '0.1', '-x']\n"


def test_json_report_says_where_it_was_raised_and_how_to_repeat_it(tmp_path):
    import json

    result = run(
        tmp_path,
        VGG_HEAD
        + """
    FeatureHead()(torch.randn(1, 3, 224, 224))
    """,
        "--format",
        "json",
        "--report",
        str(tmp_path / "report.json"),
    )
    assert result.returncode == 1
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["raised_at"] == "script.py:17: x = self.fc(x)"
    assert doc["command"].startswith("shapecheck script.py:FeatureHead --input 3x224x224  (this imports")
    assert doc["report"]["findings"][0]["code"] == "SC101"


# -- in this process --------------------------------------------------------------------------


class Head(__import__("torch").nn.Module):
    def __init__(self):
        import torch.nn as nn

        super().__init__()
        self.fc = nn.Linear(400, 10)

    def forward(self, x):
        return self.fc(x)


def test_watch_adds_the_diagnosis_as_a_note_and_keeps_the_exception():
    import torch

    import shapecheck

    model = Head()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError, match="mat1 and mat2") as info, shapecheck.watch():
        model(torch.randn(4, 16, 5, 5))
    note = "\n".join(getattr(info.value, "__notes__", []))
    assert "error[SC101]" in note and "Head --input 16x5x5 --batch 4" in note
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())

    @shapecheck.watch()
    def step(x):
        return model(x)

    with pytest.raises(RuntimeError) as again:
        step(torch.randn(2, 300))
    assert "error[SC102]" in "\n".join(again.value.__notes__)


def test_ipython_extension_diagnoses_a_failing_cell_before_its_traceback(capsys):
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_cell("%load_ext shapecheck")
        shell.user_ns["Head"] = Head
        shell.run_cell("import torch\nHead()(torch.randn(3, 16, 5, 5))")
        out = capsys.readouterr().out
    finally:
        shell.run_cell("%unload_ext shapecheck")
        InteractiveShell.clear_instance()
    assert "error[SC101]" in out
    assert out.index("error[SC101]") < out.rindex("RuntimeError")  # before the cell's own traceback


def test_pytest_plugin_adds_a_section(pytester):
    pytester.makepyfile(
        test_model="""
        import torch
        import torch.nn as nn

        def test_head():
            nn.Sequential(nn.Conv2d(3, 8, 3), nn.Linear(8 * 30 * 30, 10))(torch.randn(2, 3, 32, 32))
        """
    )
    # Without the plugin, in this process (torch is imported already); with it, as a user runs it.
    plain = pytester.runpytest_inprocess()
    plain.assert_outcomes(failed=1)
    assert "- shapecheck -" not in plain.stdout.str() and "SC101" not in plain.stdout.str()
    result = pytester.runpytest_subprocess("-p", "shapecheck")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*- shapecheck -*", "*error?SC101?*was never flattened*"])
    assert "to check it on its own" not in result.stdout.str()  # an inline nn.Sequential has no file to name


EXITS_WHEN_RERUN = """
    class Quits(nn.Module):
        '''Fails like a real model, then ends the process when shapecheck runs it again on meta.'''

        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 4)

        def forward(self, x):
            if x.device.type == "meta":
                raise {raised}
            return self.fc(x)

"""


@pytest.mark.parametrize("raised", ["SystemExit(0)", "GeneratorExit()"])
def test_a_base_exception_in_the_rerun_keeps_the_programs_own_error(tmp_path, raised):
    result = run(
        tmp_path,
        EXITS_WHEN_RERUN.format(raised=raised)
        + """
    if __name__ == "__main__":
        Quits()(torch.randn(2, 9))
    """,
    )
    assert result.returncode == 1, result.stderr
    assert f"shapecheck: could not diagnose this error ({raised.split('(')[0]}" in result.stderr
    assert result.stderr.rstrip().endswith("mat1 and mat2 shapes cannot be multiplied (2x9 and 8x4)")


def test_pytest_plugin_survives_a_base_exception_in_the_rerun(pytester):
    pytester.makepyfile(
        test_model="import torch\nimport torch.nn as nn\n"
        + textwrap.dedent(EXITS_WHEN_RERUN.format(raised="SystemExit(3)"))
        + "\ndef test_quits():\n    Quits()(torch.randn(2, 9))\n"
    )
    # In this process: a SystemExit let through would end the inner run with no outcomes.
    result = pytester.runpytest_inprocess("-p", "shapecheck")
    result.assert_outcomes(failed=1)
    assert "INTERNALERROR" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*could not diagnose this error (SystemExit: 3)*"])


class _Gated(__import__("torch").nn.Module):
    """Reads a value (`.item()`): meta cannot trace it."""

    def __init__(self):
        super().__init__()
        import torch

        self.fc = torch.nn.Linear(8, 4)

    def forward(self, x):
        if x.sum().item() > -1e9:
            x = x.flatten(1)
        return self.fc(x)


def test_a_small_model_meta_cannot_trace_is_diagnosed_on_a_copy():
    """A live model of at most REAL_RERUN_PARAMS parameters that needs values is traced on the
    real engine, on a copy: the finding is the real one, and the caller's model is unchanged."""
    import torch

    import shapecheck

    model = _Gated()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError) as info, shapecheck.watch():
        model(torch.randn(2, 3, 3))
    note = "\n".join(getattr(info.value, "__notes__", []))
    assert "meta engine cannot trace" not in note
    assert "error[SC102]" in note and "nn.Linear(9, 4)" in note, note
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_diagnosis_never_copies_the_live_weights_of_a_large_model(monkeypatch):
    """A model above REAL_RERUN_PARAMS that needs values (`.item()`) cannot be traced on meta:
    the diagnosis says so instead of running a real-engine copy of the caller's weights (twice
    the memory)."""
    import torch

    import shapecheck
    from shapecheck import api
    from shapecheck.trace import meta

    monkeypatch.setattr(api, "REAL_RERUN_PARAMS", 10)

    class Gated(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(8, 4)

        def forward(self, x):
            if x.sum().item() > -1e9:  # a value: meta cannot give one
                x = x.flatten(1)
            return self.fc(x)

    clones = []
    original = meta._clone
    monkeypatch.setattr(meta, "_clone", lambda t: clones.append(t) or original(t))
    with pytest.raises(RuntimeError) as info, shapecheck.watch():
        Gated()(torch.randn(2, 3, 3))
    assert clones == []
    note = "\n".join(getattr(info.value, "__notes__", []))
    assert "could not check Gated" in note and "meta engine cannot trace" in note


def test_a_replaced_head_is_fixed_at_the_users_line(tmp_path):
    """`model.fc = nn.Linear(...)` in the script: the finding and its fix point at that line,
    not at torchvision's file; the table is folded to the model's own layers; and the missing
    reproduce command says why."""
    result = run(
        tmp_path,
        """
    from torchvision.models import resnet18

    model = resnet18()
    model.fc = nn.Linear(1024, 10)
    model.eval()
    model(torch.randn(2, 3, 64, 64))
    """,
    )
    assert result.returncode == 1
    diagnosis = _before_traceback(result.stderr)
    assert "error[SC102]: `fc` expects 1024 input features but receives 512" in diagnosis
    assert "--> script.py:10" in diagnosis and "10 + model.fc = nn.Linear(512, 10)" in diagnosis
    assert "resnet.py:" not in diagnosis.split("error[SC102]")[1].split("= note")[0].split("why:")[0]
    assert "layer1.0.conv1" not in diagnosis and "  layer4 " in diagnosis
    assert "no command to repeat this check: `ResNet` is torchvision's class" in diagnosis


# -- `run` builds the script's __main__ as python does --------------------------------------------


def _python_and_run(tmp_path, text: str, *argv: str, name: str = "script.py", run_args=()):
    """(python's result, run's result) for the same script, run by the same path from tmp_path.
    shapecheck runs as its console script does: `-P`, the working directory not on sys.path."""
    script = tmp_path / name
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(textwrap.dedent(text))
    environ = {k: v for k, v in os.environ.items() if k != "SHAPECHECK_IN_PROCESS"}

    def go(*command):
        return subprocess.run(
            [sys.executable, *command], cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=300
        )

    isolated = ["-P"] if sys.version_info >= (3, 11) else []
    return go(*argv), go(*isolated, "-m", "shapecheck", "run", *run_args, *argv)


def test_run_gives_the_script_pythons_argv_builtins_and_loader(tmp_path):
    """`sys.argv[0]` as typed, `__file__` as python joins it, `__builtins__` the module (old scripts
    set `__builtins__.profile` for kernprof), a SourceFileLoader: runpy.run_path gave none of these."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import sys
        import torch
        try:
            profile
        except NameError:
            __builtins__.profile = lambda f: f

        @profile
        def step(a, b):
            return a @ b

        print(sys.argv, __file__, type(__builtins__).__name__, type(__loader__).__name__)
        print(__package__, __spec__, sorted(k for k in globals() if k.startswith("__")))
        print(sys.modules["__main__"].__dict__ is globals())
        print(step(torch.ones(2, 3), torch.ones(4, 2)))
        """,
        "./script.py",
        "--lr",
        "0.1",
    )
    assert python.returncode == ours.returncode == 1
    assert ours.stdout == python.stdout
    assert "['./script.py', '--lr', '0.1']" in ours.stdout and "/./script.py module SourceFileLoader" in ours.stdout
    diagnosis = _before_traceback(ours.stderr)
    assert "raised at script.py:11: return a @ b" in diagnosis
    assert ours.stderr.endswith(python.stderr)


def test_run_prints_a_syntax_error_as_python_does(tmp_path):
    python, ours = _python_and_run(tmp_path, "import torch\nx = torch.randn(3\nprint(x)\n", "script.py")
    assert python.returncode == ours.returncode == 1
    assert ours.stderr == python.stderr  # no runpy or shapecheck frames, no "Traceback" header
    assert "SyntaxError: '(' was never closed" in ours.stderr


@pytest.mark.skipif(sys.version_info < (3, 11), reason="python -P (the console script's sys.path) is 3.11's")
def test_run_dash_m_finds_the_package_in_the_working_directory(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn

        if __name__ == "__main__":
            print("running", __name__, __package__)
            net = nn.Sequential(nn.Linear(6, 3))
            net(torch.randn(2, 5))
        """,
        "-m",
        "pkg.train",
        name="pkg/train.py",
    )
    assert python.returncode == ours.returncode == 1
    assert ours.stdout == python.stdout == "running __main__ pkg\n"
    assert "error[SC102]" in _before_traceback(ours.stderr)
    # python -m's traceback opens with two of runpy's frames; from the module's own frame on, the same
    assert ours.stderr.endswith(python.stderr.split("in _run_code\n", 1)[1])
    missing = subprocess.run(
        [sys.executable, "-P", "-m", "shapecheck", "run", "-m", "nopkg.train"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 1
    assert missing.stderr.endswith(
        ": Error while finding module specification for 'nopkg.train' (ModuleNotFoundError: No module named 'nopkg')\n"
    )


@pytest.mark.parametrize(
    "failing",
    ["n = int('abc')", "raise RuntimeError('the config has no key lr')"],
)
def test_run_adds_nothing_to_an_error_that_is_not_a_shape_error(tmp_path, failing):
    """A ValueError or RuntimeError of the script's own, in a script that uses torch: no model, no
    program, and a message shapecheck does not know; it is not claimed as a shape error."""
    python, ours = _python_and_run(
        tmp_path,
        f"""
        import torch

        def configure():
            x = torch.randn(3)
            {failing}

        print("configuring")
        configure()
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    assert ours.stdout == python.stdout
    assert ours.stderr == python.stderr


def test_run_a_known_shape_error_outside_any_model_says_what_it_is(tmp_path):
    """A DataLoader whose samples differ in size: no model feeds the failing call, so the note
    is what the message means, not that no model returns an operand."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        from torch.utils.data import DataLoader, Dataset

        class Images(Dataset):
            def __len__(self):
                return 4

            def __getitem__(self, i):
                size = 32 if i != 3 else 28
                return torch.randn(3, size, size)

        for x in DataLoader(Images(), batch_size=4):
            print(x.shape)
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    diagnosis = _before_traceback(ours.stderr)
    assert "raised by torch.utils.data.dataloader.__next__ at script.py:13: for x in DataLoader" in diagnosis
    assert "torch.stack got tensors of different shapes: [3, 32, 32] (entry 0) and [3, 28, 28] (entry 3)" in diagnosis
    assert "no model in that frame" not in diagnosis
    # the message's reading is a finding with its code, at the user's line
    assert "error[SC109]: torch.stack got tensors" in diagnosis and "--> script.py:13\n" in diagnosis


def test_run_a_checkpoint_for_another_head_is_sc110_at_the_load(tmp_path):
    """`load_state_dict` with a checkpoint whose head has another size: no model call fails, and
    the message says which key differs; the finding is at the line that loads it."""
    result = run(
        tmp_path,
        """
    net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 10))
    torch.save(net.state_dict(), "model.pt")
    net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 5))
    net.load_state_dict(torch.load("model.pt"))
    """,
    )
    assert result.returncode == 1
    diagnosis = _before_traceback(result.stderr)
    assert "error[SC110]: a checkpoint's `2." in diagnosis and "the model's is [5" in diagnosis, diagnosis
    assert "--> script.py:10\n" in diagnosis


def test_run_a_warning_of_a_loss_built_on_the_line_is_at_the_users_line(tmp_path):
    """`nn.MSELoss()(out, target)` warns, then fails: the finding's line is the script's, not
    the line of whatever called shapecheck (typer's main.py); SC125 reads the loss, so PyTorch's
    warning is not said again (SC123)."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(12, 6), nn.ReLU(), nn.Linear(6, 2))
        out = model(torch.randn(5, 12))
        target = torch.randn(5)
        loss = nn.MSELoss()(out, target)
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    diagnosis = _before_traceback(ours.stderr)
    assert "error[SC125]" in diagnosis and "SC123" not in diagnosis
    assert "--> script.py:8\n" in diagnosis and "typer" not in diagnosis


@pytest.mark.parametrize(
    "hook",
    ["sys.exit(2)", "raise ValueError('in the hook')"],
)
def test_run_an_excepthook_that_exits_or_fails_as_python_has_it(tmp_path, hook):
    """A hook that calls sys.exit(2) ends the program with 2, nothing more printed; one that raises
    is python's 'Error in sys.excepthook' and then the original traceback."""
    python, ours = _python_and_run(
        tmp_path,
        f"""
        import sys

        def hook(*args):
            {hook}

        sys.excepthook = hook
        print("hooked")
        raise KeyError("k")
        """,
        "script.py",
    )
    assert ours.returncode == python.returncode == (2 if "exit" in hook else 1)
    assert ours.stdout == python.stdout
    assert ours.stderr == python.stderr


def test_run_a_compiled_model_is_checked_as_the_model_it_wraps(tmp_path):
    """torch.compile's OptimizedModule: its `_orig_mod` is checked on meta, not compiled again
    (dynamo tracing shapecheck's own hooks, recompile warnings, `_orig_mod.2` in every name)."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(32, 2))
        compiled = torch.compile(model)
        out = compiled(torch.randn(4, 8))
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    # dynamo logs a traceback of its own first: the diagnosis is the part that shapecheck wrote
    diagnosis = ours.stderr.split("\nshapecheck: ", 1)[1].split("\nTraceback (most recent call last):")[0]
    assert "error[SC102]: `2` expects 32 input features but receives 16" in diagnosis
    assert "_orig_mod" not in diagnosis and "recompile_limit" not in ours.stderr


def test_run_writes_a_relative_report_where_it_was_asked_after_the_script_moves(tmp_path):
    python, ours = _python_and_run(
        tmp_path,
        """
        import os
        import torch
        import torch.nn as nn

        os.makedirs("runs", exist_ok=True)
        os.chdir("runs")
        nn.Linear(4, 2)(torch.randn(3, 5))
        """,
        "script.py",
        run_args=("--format", "json", "--report", "diagnosis.json"),
    )
    assert python.returncode == ours.returncode == 1
    assert (tmp_path / "diagnosis.json").exists() and not (tmp_path / "runs" / "diagnosis.json").exists()
    assert ours.stderr.endswith(python.stderr)


def test_run_a_transform_meta_cannot_trace_is_diagnosed_on_the_real_engine(tmp_path):
    """Normalize with three channels' mean on grayscale images, inside a Dataset: Normalize reads
    its std's values, so meta cannot trace it; the real engine does (no weights to copy), and
    SC112 says the in-place result cannot grow, with both readings (one channel's statistics, or
    3-channel images) at the user's line, none checked."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        from torch.utils.data import DataLoader, Dataset
        from torchvision import transforms

        class Gray(Dataset):
            def __init__(self):
                self.transform = transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])

            def __len__(self):
                return 4

            def __getitem__(self, i):
                return self.transform(torch.rand(1, 28, 28))

        for images in DataLoader(Gray(), batch_size=2):
            print(images.shape)
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    diagnosis = _before_traceback(ours.stderr)
    assert "raised at script.py:14: return self.transform(torch.rand(1, 28, 28))" in diagnosis
    assert "error[SC112]: `Tensor.sub_`" in diagnosis
    assert "cannot write a [3, 28, 28] result into a [1, 28, 28] tensor in place" in diagnosis
    assert "--> script.py:14" in diagnosis
    assert "transforms.Normalize(mean=(m,), std=(s,))" in diagnosis
    assert "transforms.Grayscale(num_output_channels=3)" in diagnosis
    assert "verified" not in diagnosis and "torchvision/transforms" not in diagnosis.split("error[SC112]")[1]


def test_run_an_accuracy_count_added_into_a_counter_is_checked_as_the_program(tmp_path):
    """`correct += (outputs == labels).sum().item()`: the replayed slice assigns `correct`, a
    constant of the frame; it used to be unbound in the replay (UnboundLocalError), so the model
    that feeds the metric was shown alone with "no shape problems found"."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import torch
        import torch.nn as nn

        model = nn.Linear(20, 10)
        correct = 0
        for _ in range(2):
            x = torch.randn(64, 20)
            labels = torch.randint(0, 10, (64,))
            outputs = model(x)
            correct += (outputs == labels).sum().item()
        print(correct)
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    diagnosis = _before_traceback(ours.stderr)
    assert "error[SC112]: `Tensor.__eq__` at line 11 combines [64, 10] and [64]" in diagnosis
    assert "--> script.py:11" in diagnosis and "no shape problems found" not in diagnosis


def test_run_hooks_nothing_while_the_script_runs(tmp_path):
    """Why `run` costs a working script nothing beyond its start-up (benchmarks/run_overhead.py
    measures that start-up): while the script runs, no tracer, profiler, torch function or
    dispatch mode, or forward or parameter hook is installed; shapecheck is called only once
    something fails (and where a submodule is assigned, to know its line)."""
    result = run(
        tmp_path,
        """
        import json
        from torch.nn.modules import module as m
        from torch.overrides import _get_current_function_mode_stack
        from torch.utils._python_dispatch import _get_current_dispatch_mode_stack

        net = nn.Linear(4, 2)
        net(torch.randn(3, 4))
        state = dict(
            trace=sys.gettrace() is None,
            profile=sys.getprofile() is None,
            function_modes=len(_get_current_function_mode_stack()),
            dispatch_modes=len(_get_current_dispatch_mode_stack()),
            hooks=[len(h) for h in (m._global_forward_hooks, m._global_forward_pre_hooks,
                                   m._global_parameter_registration_hooks, m._global_buffer_registration_hooks)],
            registration=sorted({getattr(h, "__module__", "") for h in m._global_module_registration_hooks.values()}),
        )
        print(json.dumps(state))
        """,
    )
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout.strip().splitlines()[-1])
    # one hook runs where a submodule is assigned (the line a finding points at), never per call
    assert state.pop("registration") in ([], ["shapecheck.loading.sites"], ["shapecheck.live"]), state
    assert state == dict(trace=True, profile=True, function_modes=0, dispatch_modes=0, hooks=[0, 0, 0, 0]), state


# -- the model input as the bug: the fix is to the call that passes it -----------------------------


def test_an_image_without_its_batch_dim_is_fixed_at_the_call(tmp_path):
    """A model of torch's classes given one image [3, H, W]: located at the user's call, not at
    the line that built the model, with the repair of the argument that makes it run."""
    result = run(
        tmp_path,
        """
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 2))
    model.eval()
    image = torch.rand(3, 32, 32)
    with torch.no_grad():
        logits = model(image)
    """,
    )
    assert result.returncode == 1
    diagnosis = _before_traceback(result.stderr)
    assert "error[SC105]" in diagnosis
    assert "--> script.py:11\n" in diagnosis, diagnosis
    assert "11 + logits = model(image.unsqueeze(0))" in diagnosis
    assert "is defined at script.py:7" in diagnosis


def test_float_ids_and_a_transposed_mask_are_fixed_in_the_call(tmp_path):
    """An input fix that `shapecheck MODEL` words as `--input` (a dtype, the shape of a keyword
    argument) is, in a running script, an edit of the argument on the calling line."""
    ids = run(
        tmp_path,
        """
    class Bag(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(100, 8)

        def forward(self, ids):
            return self.embed(ids).mean(1)

    ids = torch.rand(4, 5) * 100
    out = Bag()(ids)
    """,
    )
    diagnosis = _before_traceback(ids.stderr)
    assert "error[SC118]" in diagnosis and "--> script.py:16\n" in diagnosis, diagnosis
    assert "16 + out = Bag()(ids.long())" in diagnosis
    mask = run(
        tmp_path,
        """
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, batch_first=True), 1)
    x = torch.randn(3, 7, 16)
    padding_mask = torch.zeros(7, 3, dtype=torch.bool)
    h = encoder(x, src_key_padding_mask=padding_mask)
    """,
    )
    diagnosis = _before_traceback(mask.stderr)
    assert "error[SC117]" in diagnosis and "--> script.py:10\n" in diagnosis, diagnosis
    assert "10 + h = encoder(x, src_key_padding_mask=padding_mask.T)" in diagnosis


def test_a_last_batch_of_one_sample_is_dropped_at_the_loader(tmp_path):
    """BatchNorm in training mode meets the one sample a loader leaves last: the fix is the
    loader's `drop_last=True`, on the line that built it, in the caller that did."""
    result = run(
        tmp_path,
        """
    from torch.utils.data import DataLoader, TensorDataset

    def train(model, loader):
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)

    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))
    loader = DataLoader(TensorDataset(torch.randn(9, 4), torch.randint(0, 2, (9,))), batch_size=4)
    train(model, loader)
    """,
    )
    diagnosis = _before_traceback(result.stderr)
    assert "error[SC108]" in diagnosis and "--> script.py:14\n" in diagnosis, diagnosis
    assert "batch_size=4, drop_last=True)" in diagnosis and "9 samples in batches of 4 leave one" in diagnosis


def test_a_script_that_prints_the_error_and_exits_is_diagnosed_after_it(tmp_path):
    """`except Exception: traceback.print_exc(); sys.exit(1)`: python prints the script's own
    traceback and exits 1; the shape error it handled is diagnosed, and nothing else changes."""
    python, ours = _python_and_run(
        tmp_path,
        """
        import sys
        import traceback
        import torch
        import torch.nn as nn

        try:
            print("start")
            fc = nn.Linear(12, 3)
            fc(torch.randn(4, 10))
        except Exception:
            traceback.print_exc()
            sys.exit(1)
        """,
        "script.py",
    )
    assert python.returncode == ours.returncode == 1
    assert python.stdout == ours.stdout == "start\n"
    assert python.stderr in ours.stderr
    assert "error[SC102]" in ours.stderr and "script.py:9" in ours.stderr.split(python.stderr)[1]


def test_flat_pixels_given_to_a_cnn_are_viewed_as_images_at_the_call(tmp_path):
    """A CSV of 784 pixels per row fed to a Conv2d: the repair that runs is viewing each row as a
    28×28 grayscale image, on the line that passes it."""
    result = run(
        tmp_path,
        """
    pixels = torch.rand(16, 784)
    cnn = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 10))
    logits = cnn(pixels)
    """,
    )
    diagnosis = _before_traceback(result.stderr)
    assert "error[SC105]" in diagnosis and "--> script.py:9\n" in diagnosis, diagnosis
    assert "9 + logits = cnn(pixels.view(-1, 1, 28, 28))" in diagnosis


def test_the_argument_repairs_are_bounded_by_a_count_not_seconds():
    """A slow probe (a large model on a busy machine) tries the same candidates as a fast one:
    the search stops after a number of checks, never after a time."""
    import ast

    from shapecheck import call_input
    from shapecheck.trace.records import Location

    tried = []

    def probe(shapes):
        tried.append(shapes[0])
        return False

    call = ast.parse("model(x)").body[0].value
    at = Location("train.py", 3, "out = model(x)")
    assert call_input._searched([(2, 3, 8, 8, 4)], call.args, "out = model(x)", at, probe) is None
    assert 0 < len(tried) <= call_input._MAX_TRIED
    assert not hasattr(call_input, "time")


WORKER_JOIN = """
    from torch.utils.data import DataLoader, Dataset

    class Pairs(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            a = torch.randn(3, 8)
            b = torch.randn(3, 9)
            return torch.cat([a, b], dim=0)

    if __name__ == "__main__":
        for batch in DataLoader(Pairs(), batch_size=2, num_workers=2):
            print(batch.shape)
"""


def test_an_error_in_a_dataloader_worker_is_read_from_its_original_traceback(tmp_path):
    """The main process sees `Caught RuntimeError in DataLoader worker process 0.`; the worker's
    own message heads the diagnosis, and the finding is at the dataset's line that raised there
    (the `for` loop is only where the main process re-raised it)."""
    result = run(tmp_path, WORKER_JOIN)
    assert result.returncode == 1
    head = _before_traceback(result.stderr)
    assert head.startswith(
        "shapecheck: RuntimeError: Sizes of tensors must match except in dimension 0. "
        "Expected size 8 but got size 9 for tensor number 1 in the list."
    ), head
    assert "error[SC109]" in head
    assert "--> script.py:16\n" in head and "return torch.cat([a, b], dim=0)" in head
    assert "Caught RuntimeError in DataLoader worker process 0." in result.stderr  # python's traceback, kept


BERT_TOO_LONG = """
    from transformers import BertConfig, BertModel

    cfg = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=4,
                     intermediate_size=64, max_position_embeddings=16)
    model = BertModel(cfg)
    ids = torch.randint(0, 100, (2, 20))
    out = model(ids)
"""


def test_tokens_longer_than_a_library_model_takes_are_truncated_at_the_call(tmp_path):
    """BERT's token-type buffer holds max_position_embeddings = 16 positions; 20 tokens fail in
    transformers' code (`expand`). The finding is at the script's call, with the input kept to
    16 tokens there, verified."""
    pytest.importorskip("transformers")
    result = run(tmp_path, BERT_TOO_LONG)
    assert result.returncode == 1
    head = _before_traceback(result.stderr)
    assert "error[SC124]: the input has 20 tokens; the model holds positions for 16" in head, head
    assert "--> script.py:13\n" in head
    assert "+ out = model(ids[:, :16])" in head and "[safe · verified: output [2, 16, 32]]" in head


def test_a_failure_no_rule_explains_says_what_the_message_means():
    """`x.unfold(2, 40, 1)` on 8 values: SC100 (no rule explains it); the report adds explain's
    reading of the real message, with its numbers."""
    import torch

    import shapecheck

    class Windows(torch.nn.Module):
        def forward(self, x):
            return x.unfold(2, 40, 1)

    with pytest.raises(RuntimeError) as info, shapecheck.watch():
        Windows()(torch.randn(1, 3, 8, 8))
    note = "\n".join(getattr(info.value, "__notes__", []))
    assert "error[SC100]" in note
    assert "note: the message means: unfold asks for windows of 40 along dim 2, which has 8" in note, note
