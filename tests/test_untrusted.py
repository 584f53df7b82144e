"""Fault injection: files from a pull request must not run code, whatever they hold.

Each crafted archive is a real `torch.export.save` output with one member replaced. Every
test first shows the attack works (with `--trust-pickle`, or through `torch.export.load`),
so a test cannot pass because the payload was inert.
"""

import io
import json
import os
import pickle
import shutil
import warnings
import zipfile

import pytest
import torch
import torch.nn as nn
from test_saved import Custom as Small  # conv → flatten → Linear, 3x8x8 in
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app
from shapecheck.errors import LoadError

runner = CliRunner()


class Marker:
    """Unpickling this writes a file: what a crafted archive could do instead."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        import pathlib

        return pathlib.Path.write_text, (pathlib.Path(self.target), "pwned")


def _save(path, dynamic=False):
    warnings.simplefilter("ignore")
    shapes = ({0: torch.export.Dim("batch", min=1, max=64)},) if dynamic else None
    program = torch.export.export(Small(), (torch.randn(2, 3, 8, 8),), dynamic_shapes=shapes)
    torch.export.save(program, path)


def _rewrite(src, dst, change):
    """Copy the archive, letting `change(name, data)` return new bytes (or None to keep them),
    and `change.extra` add members."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            replaced = change(info.filename, data)
            new.writestr(info, data if replaced is None else replaced)
        for name, data in getattr(change, "extra", {}).items():
            new.writestr(name, data)


def _evil_pickle(target) -> bytes:
    return pickle.dumps(Marker(str(target)), protocol=2)


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "good.pt2"
    _save(path, dynamic=True)
    return path


def _evil_sample_inputs(src, dst, target):
    """The stored example inputs become a pickle that writes `target` (torch.export.load
    falls back to a full unpickle when the safe one fails)."""
    _rewrite(src, dst, lambda name, data: _evil_pickle(target) if "/sample_inputs/" in name else None)


def _evil_weight(src, dst, target):
    """`fc.bias` is marked `use_pickle`, and its payload is a code-running pickle."""

    def change(name, data):
        if name.endswith("model_weights_config.json"):
            config = json.loads(data)
            entry = config["config"]["fc.bias"]
            entry["use_pickle"] = True
            entry["path_name"] = "evil_weight"
            return json.dumps(config).encode()
        return None

    prefix = _prefix(src)
    change.extra = {f"{prefix}data/weights/evil_weight": _evil_pickle(target)}
    _rewrite(src, dst, change)


def _evil_constant(src, dst, target):
    """A constant stored as an opaque Python object (`pickle.loads` in torch.export.load)."""

    def change(name, data):
        if name.endswith("model_constants_config.json"):
            return json.dumps(
                {
                    "config": {
                        "evil": {
                            "path_name": "opaque_obj_0",
                            "is_param": False,
                            "use_pickle": True,
                            "tensor_meta": None,
                        }
                    }
                }
            ).encode()
        return None

    change.extra = {f"{_prefix(src)}data/constants/opaque_obj_0": _evil_pickle(target)}
    _rewrite(src, dst, change)


def _prefix(path) -> str:
    with zipfile.ZipFile(path) as z:
        first = z.namelist()[0]
    return first.split("/", 1)[0] + "/"


@pytest.mark.parametrize("craft", [_evil_sample_inputs, _evil_weight, _evil_constant])
def test_crafted_pt2_runs_no_code_without_trust_pickle(archive, tmp_path, craft):
    evil = tmp_path / "evil.pt2"
    marker = tmp_path / "marker.txt"
    craft(archive, evil, marker)

    result = runner.invoke(app, [str(evil), "--input", "3x8x8"])
    assert not marker.exists(), result.output
    assert result.exit_code in (0, 2), result.output  # runs (inputs are never read) or is refused
    if result.exit_code == 2:
        assert "--trust-pickle" in result.stderr and "Traceback" not in result.output

    # The same file through torch.export.load runs the payload: the craft is real.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.export.load(str(evil))
        except Exception:
            pass
    assert marker.read_text() == "pwned"


def test_crafted_pt2_runs_code_only_with_trust_pickle(archive, tmp_path):
    evil = tmp_path / "evil.pt2"
    marker = tmp_path / "marker.txt"
    _evil_sample_inputs(archive, evil, marker)
    shapecheck.check(str(evil), "3x8x8")
    assert not marker.exists()
    runner.invoke(app, [str(evil), "--input", "3x8x8", "--trust-pickle"])
    assert marker.read_text() == "pwned"


def test_pt2_with_harmless_inputs_pickle_is_traced_without_it(archive, tmp_path):
    evil = tmp_path / "evil.pt2"
    _evil_sample_inputs(archive, evil, tmp_path / "marker.txt")
    report = shapecheck.check(str(evil), "3x8x8", batch=5)
    assert report.layer("fc").outputs[0].shape == (5, 4)


def test_pickled_weight_that_is_a_plain_tensor_loads_safely(archive, tmp_path):
    """`use_pickle` payloads are legitimate for some tensors: the restricted unpickler reads them."""
    dst = tmp_path / "pickled_weight.pt2"

    def change(name, data):
        if name.endswith("model_weights_config.json"):
            config = json.loads(data)
            config["config"]["fc.bias"].update(use_pickle=True, path_name="pickled_bias")
            return json.dumps(config).encode()
        return None

    buffer = io.BytesIO()
    torch.save(nn.Parameter(torch.zeros(4)), buffer)
    change.extra = {f"{_prefix(archive)}data/weights/pickled_bias": buffer.getvalue()}
    _rewrite(archive, dst, change)
    report = shapecheck.check(str(dst), "3x8x8")
    assert report.layer("fc").outputs[0].shape == (1, 4)
    assert report.findings == []


def test_malicious_weight_is_refused_with_one_line(archive, tmp_path):
    evil = tmp_path / "evil.pt2"
    _evil_weight(archive, evil, tmp_path / "marker.txt")
    result = runner.invoke(app, [str(evil), "--input", "3x8x8"])
    assert result.exit_code == 2, result.output
    assert "pickled weight `fc.bias` that is more than a tensor" in result.stderr
    assert "Traceback" not in result.output


def test_older_pt2_layout_is_refused_without_the_flag(tmp_path):
    """The pre-2.8 zip layout is read only by unpickling; it is refused, not opened."""
    old = tmp_path / "old.pt2"
    with zipfile.ZipFile(old, "w") as z:
        z.writestr("version", "8.0")
        z.writestr("serialized_exported_program.json", "{}")
        z.writestr("archive_format", "pt2")
    result = runner.invoke(app, [str(old), "--input", "3x8x8"])
    assert result.exit_code == 2, result.output
    assert "--trust-pickle" in result.stderr


def test_pt2_without_program_internals_is_refused_not_unpickled(archive, tmp_path, monkeypatch):
    """When torch's archive internals move, shapecheck refuses rather than fall back to torch.export.load."""
    from shapecheck.saved import program

    evil = tmp_path / "evil.pt2"
    marker = tmp_path / "marker.txt"
    _evil_sample_inputs(archive, evil, marker)
    monkeypatch.setattr(program, "_internals", lambda: None)
    result = runner.invoke(app, [str(evil), "--input", "3x8x8"])
    assert result.exit_code == 2 and "only by unpickling" in result.stderr
    assert not marker.exists()


def test_private_archive_internals_are_where_shapecheck_expects_them():
    """Fails loudly when torch moves them (the fallback above is a refusal, not an unsafe load)."""
    from shapecheck.saved import program

    assert program._internals() is not None


def test_copy_of_archive_is_unchanged(archive, tmp_path):
    """Opening reads the archive only."""
    copy = tmp_path / "copy.pt2"
    shutil.copy(archive, copy)
    before = copy.read_bytes()
    shapecheck.check(str(copy), "3x8x8")
    assert copy.read_bytes() == before
    assert os.path.getsize(copy) == len(before)


# -- programs that would write files when run --------------------------------------------------
# A saved program is someone else's code: shapecheck interprets it on meta, and only when every
# op in it is a tensor op. These files hold `from_file(path, shared=True)`, which creates (or
# overwrites) the file when it runs; each test first shows that PyTorch itself runs it.


def _from_file_node(src, dst, target):
    """The exported program gains a node `from_file(target, shared=True, size=16)` before its
    output: only its graph (JSON) changes, there is no pickle in it."""

    def change(name, data):
        if not name.endswith("models/model.json"):
            return None
        program = json.loads(data)
        graph = program["graph_module"]["graph"]
        last = graph["nodes"][-1]
        meta = json.loads(json.dumps(graph["tensor_values"][last["outputs"][0]["as_tensor"]["name"]]))
        meta.update(sizes=[{"as_int": 16}], strides=[{"as_int": 1}])
        graph["tensor_values"]["from_file"] = meta
        graph["nodes"].insert(
            len(graph["nodes"]) - 1,
            {
                "target": "torch.ops.aten.from_file.default",
                "inputs": [
                    {"name": "filename", "arg": {"as_string": str(target)}, "kind": 1},
                    {"name": "shared", "arg": {"as_bool": True}, "kind": 1},
                    {"name": "size", "arg": {"as_int": 16}, "kind": 1},
                ],
                "outputs": [{"as_tensor": {"name": "from_file"}}],
                "metadata": last["metadata"],
                "is_hop_single_tensor_return": None,
                "name": "from_file",
            },
        )
        return json.dumps(program).encode()

    _rewrite(src, dst, change)


def test_pt2_that_creates_a_file_is_refused_at_any_size(archive, tmp_path):
    evil = tmp_path / "evil.pt2"
    marker = tmp_path / "created.bin"
    _from_file_node(archive, evil, marker)

    # at a new batch, at the exported one (2), and with the pickles trusted: refused before running
    for extra in (["--batch", "5"], ["--batch", "2"], ["--batch", "5", "--trust-pickle"]):
        result = runner.invoke(app, [str(evil), "--input", "3x8x8", *extra])
        assert result.exit_code == 2, result.output
        assert (
            "holds `aten.from_file`, which reads and, with shared=True, creates or overwrites a file" in result.stderr
        )
        assert not marker.exists()
    with pytest.raises(LoadError):
        shapecheck.check(str(evil), "3x8x8", batch=5)
    assert not marker.exists()

    # The craft is real: the program PyTorch loads from this file creates the file when run.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.export.load(str(evil))
    program.module()(torch.zeros(5, 3, 8, 8))
    assert marker.exists()


class _WritesAFile(nn.Module):
    def __init__(self, target: str):
        super().__init__()
        self.target = target
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        if x.shape[0] > 0:  # inside a nested block: the check walks every block
            scratch = torch.from_file(self.target, True, 16)
            scratch.fill_(7.0)
            x = x + scratch.sum() * 0
        return self.fc(x)


def test_torchscript_that_creates_a_file_is_refused(tmp_path):
    marker = tmp_path / "created.bin"
    path = tmp_path / "writes.pt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.save(torch.jit.script(_WritesAFile(str(marker))), str(path))

    result = runner.invoke(app, [str(path), "--input", "8"])
    assert result.exit_code == 2, result.output
    assert "holds `aten.from_file`" in result.stderr and "Traceback" not in result.output
    assert not marker.exists()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.load(str(path))(torch.zeros(1, 8))
    assert marker.exists()


def test_saved_programs_run_on_meta_with_factory_ops(tmp_path):
    """At a size other than the exported one the graph is interpreted on meta: a factory op
    (`zeros` on the CPU in the file) is sent to meta too, and weights are never real."""

    class Padded(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 4)

        def forward(self, x):
            return self.fc(x) + torch.zeros(x.shape[0], 4)

    path = tmp_path / "padded.pt2"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch = torch.export.Dim("batch", min=1, max=64)
        torch.export.save(torch.export.export(Padded(), (torch.randn(2, 8),), dynamic_shapes=({0: batch},)), path)
    report = shapecheck.check(str(path), "8", batch=7)
    assert report.engine == "meta"
    assert report.layers[0].outputs[0].shape == (7, 4)
    assert report.findings == []


@pytest.mark.parametrize(
    ("kind", "refused"),
    [
        ("aten::from_file", True),
        ("aten::save", True),
        ("aten::_print", True),
        ("debugprims::load_tensor", True),
        ("_c10d_functional::all_reduce", True),
        ("profiler::_record_function_enter_new", True),
        ("prim::PythonOp", True),
        ("prim::CallMethod", True),
        ("aten::linear", False),
        ("aten::conv2d", False),
        ("prims::convert_element_type", False),
        ("prim::If", False),
        ("prim::GetAttr", False),
    ],
)
def test_op_allow_list(kind, refused):
    from shapecheck.saved import allowed

    assert (allowed.script_refusal(kind) is not None) == refused
