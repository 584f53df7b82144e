"""Saved models and checkpoints: TorchScript, torch.export, pickles, state dicts, bad files.

Every file is built at test time from small models; nothing large is committed.
"""

import json
import struct
import warnings

import pytest
import torch
import torch.nn as nn
import torchvision
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app
from shapecheck.errors import LoadError

runner = CliRunner()


def small():
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 4))


class Custom(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8 * 6 * 6, 4)

    def forward(self, x):
        return self.fc(torch.flatten(self.conv(x), 1))


class Payload:
    """Unpickling this writes a file: what a malicious checkpoint could do."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        import pathlib

        return pathlib.Path.write_text, (pathlib.Path(self.target), "pwned")


def write_safetensors(path, shapes):
    header, offset = {}, 0
    for name, shape in shapes.items():
        size = 4
        for d in shape:
            size *= d
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(raw)) + raw + b"\0" * offset)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("saved")
    warnings.simplefilter("ignore")
    torch.manual_seed(0)
    f = {}
    f["script"] = d / "seq_script.pt"
    torch.jit.save(torch.jit.script(small()), f["script"])
    f["custom_script"] = d / "custom_script.pt"
    torch.jit.save(torch.jit.script(Custom()), f["custom_script"])
    f["export"] = d / "static.pt2"
    torch.export.save(torch.export.export(small(), (torch.randn(1, 3, 8, 8),)), f["export"])
    f["dynamic"] = d / "dynamic.pt2"
    batch = torch.export.Dim("batch", min=1, max=64)
    torch.export.save(
        torch.export.export(small(), (torch.randn(2, 3, 8, 8),), dynamic_shapes=({0: batch},)), f["dynamic"]
    )
    f["whole"] = d / "whole.pth"
    torch.save(small(), f["whole"])
    f["evil"] = d / "evil.pth"
    f["evil_target"] = d / "pwned.txt"
    torch.save({"state_dict": {}, "note": Payload(str(f["evil_target"]))}, f["evil"])
    r18 = torchvision.models.resnet18().state_dict()
    f["r18"] = d / "r18.pth"
    torch.save(r18, f["r18"])
    f["r18_ddp"] = d / "r18_ddp.pth"
    torch.save({"epoch": 3, "state_dict": {"module." + k: v for k, v in r18.items()}}, f["r18_ddp"])
    for wrapper in ("model", "model_state_dict", "net", "ema", "model_ema"):
        f[wrapper] = d / f"r18_{wrapper}.pth"
        torch.save({wrapper: r18, "optimizer": {"lr": 0.1}}, f[wrapper])
    gray = dict(r18)
    gray["conv1.weight"] = torch.zeros(64, 1, 7, 7)
    f["gray"] = d / "gray.pth"
    torch.save(gray, f["gray"])
    f["headless"] = d / "headless.pth"
    torch.save({k: v for k, v in r18.items() if not k.startswith("fc.")}, f["headless"])
    f["extra"] = d / "extra.pth"
    torch.save({**r18, "aux.weight": torch.zeros(10, 512), "aux.bias": torch.zeros(10)}, f["extra"])
    f["safetensors"] = d / "r18.safetensors"
    write_safetensors(f["safetensors"], {k: tuple(v.shape) for k, v in r18.items()})
    f["safetensors_50"] = d / "r18_50.safetensors"
    write_safetensors(
        f["safetensors_50"], {**{k: tuple(v.shape) for k, v in r18.items()}, "fc.weight": (50, 512), "fc.bias": (50,)}
    )
    f["empty"] = d / "empty.pth"
    f["empty"].write_bytes(b"")
    f["truncated"] = d / "truncated.pth"
    f["truncated"].write_bytes(f["r18"].read_bytes()[:5000])
    f["corrupt"] = d / "corrupt.pth"
    f["corrupt"].write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    f["text"] = d / "notes.pth"
    f["text"].write_text("these are not weights\n")
    f["dir"] = d
    return {k: str(v) for k, v in f.items()}


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


# -- programs ----------------------------------------------------------------------------------


def test_torchscript_sequential_shows_each_step(files):
    report = shapecheck.check(files["script"], "3x8x8")
    assert [(r.name, r.type, r.outputs[0].shape) for r in report.layers] == [
        ("Sequential", "Sequential", (1, 4)),
        ("0", "Conv2d", (1, 8, 6, 6)),
        ("1", "ReLU", (1, 8, 6, 6)),
        ("2", "Flatten", (1, 288)),
        ("3", "Linear", (1, 4)),
    ]
    assert "TorchScript" in report.engine_note


def test_torchscript_failure_is_localized_and_diagnosed(files):
    report = shapecheck.check(files["script"], "3x9x9")
    assert report.trace.failing.name == "3"
    (f,) = report.findings
    assert f.code == "SC102" and f.message == "`3` expects 288 input features but receives 392"
    # The program ran on meta: the interpreter's last line is the meta kernel's, not its stack.
    assert report.engine == "meta"
    message = report.trace.error.message
    assert message.startswith("RuntimeError: ") and "[1, 392] X [288, 4]" in message


def test_torchscript_custom_forward_reports_the_whole_module(files):
    report = shapecheck.check(files["custom_script"], "3x9x9")
    assert [r.name for r in report.layers] == ["Custom"]
    assert report.trace.failing.name == "Custom"
    (finding,) = report.findings
    assert finding.code == "SC100" and "[1, 392] X [288, 4]" in finding.message
    # A meta message is not passed off as what a real run prints.
    assert "the message is the meta device's (shapes only); a real run words it differently" in finding.notes


def test_torchscript_weights_are_never_read(files):
    report = shapecheck.check(files["script"], "3x8x8")
    assert report.engine == "meta" and report.layers[-1].outputs[0].shape == (1, 4)
    assert report.trace.total_params == 8 * 3 * 9 + 8 + 288 * 4 + 4


def test_export_program_rows_come_from_its_graph(files):
    report = shapecheck.check(files["export"])
    modules = [(r.name, r.type, r.outputs[0].shape) for r in report.layers if r.kind == "module"][1:]
    assert modules == [
        ("0", "Conv2d", (1, 8, 6, 6)),
        ("1", "ReLU", (1, 8, 6, 6)),
        ("2", "Flatten", (1, 288)),
        ("3", "Linear", (1, 4)),
    ]
    assert [r.type for r in report.layers if r.kind == "op"] == [
        "aten.conv2d",
        "aten.relu",
        "aten.flatten.using_ints",
        "aten.linear",
    ]
    assert report.layer("3").attrs == {"in_features": 288, "out_features": 4}


def test_export_program_with_fixed_sizes_names_them(files):
    result = run(files["export"], "-i", "3x9x9")
    assert result.exit_code == 2
    assert "was exported with fixed sizes: input 0 is [1, 3, 8, 8], and --input asks for [1, 3, 9, 9]" in result.stderr


def test_export_program_with_a_dynamic_batch_runs_again(files):
    report = shapecheck.check(files["dynamic"], "3x8x8", batch=5)
    assert report.layer("3").outputs[0].shape == (5, 4)
    assert report.inputs[0].shape == (5, 3, 8, 8)
    with pytest.raises(LoadError, match="fixed sizes"):
        shapecheck.check(files["dynamic"], "3x9x9", batch=5)


# -- pickles -----------------------------------------------------------------------------------


def test_whole_pickled_model_is_refused_without_the_flag(files):
    result = run(files["whole"], "-i", "3x8x8")
    assert result.exit_code == 2
    assert "unpickling them runs code from the file" in result.stderr and "--trust-pickle" in result.stderr
    trusted = shapecheck.check(files["whole"], "3x8x8", trust_pickle=True)
    assert trusted.layers[-1].outputs[0].shape == (1, 4)


def test_malicious_pickle_runs_nothing_without_the_flag(files, tmp_path):
    import os

    target = files["evil_target"]
    for args in ([files["evil"], "-i", "3"], ["resnet18", "--weights", files["evil"]]):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert "runs code from the file" in result.stderr
        assert not os.path.exists(target)
    # The file really is malicious: with the flag, unpickling writes the file.
    run(files["evil"], "-i", "3", "--trust-pickle")
    assert open(target).read() == "pwned"
    os.remove(target)


# -- checkpoints -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["r18", "model", "model_state_dict", "net", "ema", "model_ema", "safetensors"])
def test_checkpoint_that_matches_is_traced_and_said_to_match(files, name):
    report = shapecheck.check("resnet18", weights=files[name])
    assert report.ok and report.findings == []
    assert any("matches the model: 122 tensors" in n for n in report.notes)
    assert report.engine == "meta"


def test_data_parallel_prefix_and_wrapper_are_removed(files):
    report = shapecheck.check("resnet18", weights=files["r18_ddp"])
    (note,) = [n for n in report.notes if "matches" in n]
    assert "under 'state_dict'" in note and "'module.'" in note


def test_sc110_infers_num_classes_and_verifies_the_fix(files):
    for key in ("r18", "safetensors"):
        report = shapecheck.check("resnet18", weights=files[key], args={"num_classes": 50})
        (f,) = report.findings
        assert f.code == "SC110" and f.message.endswith("does not fit the model: 2 shape differences")
        assert f.why[0] == "the checkpoint was trained with num_classes=1000 (the model has 50)"
        assert f.fixes[0].code == "--arg num_classes=1000" and f.fixes[0].verified is True
        assert "strict=False alone does not skip size mismatches" in f.fixes[-1].description
    reverse = shapecheck.check("resnet18", weights=files["safetensors_50"])
    assert reverse.findings[0].why[0] == "the checkpoint was trained with num_classes=50 (the model has 1000)"


def test_sc110_grayscale_stem(files):
    (f,) = shapecheck.check("resnet18", weights=files["gray"]).findings
    assert "`conv1` takes 1 channel in the checkpoint: it was trained on grayscale images" in f.why
    assert "`conv1.weight` is [64, 1, 7, 7] in the checkpoint, [64, 3, 7, 7] in the model" in f.why


def test_sc110_missing_and_extra_head(files):
    (missing,) = shapecheck.check("resnet18", weights=files["headless"]).findings
    assert "it was saved without its head" in " ".join(missing.why)
    assert missing.message.endswith("2 missing keys")
    (extra,) = shapecheck.check("resnet18", weights=files["extra"]).findings
    assert "the checkpoint has modules the model lacks: `aux`" in extra.why
    assert extra.message.endswith("2 unexpected keys")


# -- bad files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, args, text",
    [
        ("missing", None, "no such file"),
        ("empty", None, "is empty (0 bytes)"),
        ("truncated", None, "truncated or corrupt"),
        ("corrupt", None, "truncated or corrupt"),
        ("text", None, "is not a PyTorch file"),
        ("dir", None, "is a directory"),
        ("r18", None, "holds weights only (a state dict of 122 tensors)"),
        ("safetensors", None, "holds weights only (safetensors)"),
        ("truncated", "weights", "truncated or corrupt"),
        ("text", "weights", "is not a PyTorch file"),
        ("script", "weights", "is a TorchScript program, not a checkpoint"),
    ],
)
def test_bad_files_are_exit_2_with_one_line(files, tmp_path, key, args, text):
    path = files.get(key, str(tmp_path / "nothing.pth"))
    cmd = ["resnet18", "--weights", path] if args == "weights" else [path, "-i", "3x8x8"]
    result = run(*cmd)
    assert result.exit_code == 2, result.output
    assert text in result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) <= 2  # the message and at most a hint
    assert not any(p.name not in ("nothing.pth",) for p in tmp_path.iterdir())  # nothing written


HOSTILE_KEYS = {
    "aux\n::error title=pwned::owned.weight": (10, 512),
    "x'}; import os; os.system('id'); {'.weight": (10, 512),
}


@pytest.mark.parametrize("fmt", ["table", "markdown", "junit", "json"])
def test_checkpoint_keys_cannot_inject_ci_commands_or_code(files, tmp_path, fmt):
    """Keys are data from the file: no output line reads as a GitHub workflow command, and the
    suggested Python holds them as string literals, nothing more."""
    import ast

    path = tmp_path / "hostile.safetensors"
    shapes = {k: tuple(v.shape) for k, v in torchvision.models.resnet18().state_dict().items()}
    write_safetensors(path, {**shapes, **HOSTILE_KEYS})
    result = run("resnet18", "--weights", path, "--format", fmt)
    assert result.exit_code == 1, result.output
    for line in result.stdout.splitlines():
        assert not line.lstrip().startswith(("::", "##[")), line
    report = shapecheck.check("resnet18", weights=str(path))
    (finding,) = report.findings
    (drop,) = [f for f in finding.fixes if f.code and f.code.startswith("state = ")]
    tree = ast.parse(drop.code)
    (literal,) = [n for n in ast.walk(tree) if isinstance(n, ast.Set)]
    assert {ast.literal_eval(e) for e in literal.elts} == set(HOSTILE_KEYS)
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Import)]
    assert any("aux\\n::error" in line for line in finding.why)  # shown with the escape, on one line


@pytest.mark.parametrize("entry", [b'{"a": {"shape": 5}}', b'{"a": {"shape": ["x", null]}}', b'{"a": 3}'])
def test_a_malformed_safetensors_header_is_one_line(tmp_path, entry):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(struct.pack("<Q", len(entry)) + entry)
    result = run("resnet18", "--weights", path)
    assert result.exit_code == 2, result.output
    assert "the safetensors header gives tensor 'a' no shape" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("member", ["data/sample_inputs/model.pt", "data/weights/weight_0"])
def test_a_broken_pt2_with_trust_pickle_is_one_line_not_torchs_logged_traceback(files, tmp_path, member, capfd):
    """torch.export.load logs the reader's error with its traceback (16-42 lines of `W… Traceback`,
    written by torch's own handler straight to the process's stderr) and raises "check the
    warnings above": the error's own first line is what is said."""
    import zipfile

    broken = tmp_path / "broken.pt2"
    with zipfile.ZipFile(files["export"]) as good, zipfile.ZipFile(broken, "w") as out:
        for name in good.namelist():
            data = good.read(name)
            out.writestr(name, data[: len(data) // 2] + b"\x00garbage" if name.endswith(member) else data)
    capfd.readouterr()
    result = run(broken, "-i", "1x3x8x8", "--trust-pickle")
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "does not load" in lines[0], lines[:5]
    assert "warnings above" not in lines[0]
    leaked = capfd.readouterr()
    assert "Traceback" not in leaked.err and "Ran into the following error" not in leaked.err, leaked.err[:500]
