"""The Python API on real models: tracing details, engines, offline loading."""

import pytest
import torch
import torch.nn as nn
from conftest import fixture_path

import shapecheck
from shapecheck.errors import ShapecheckError


def test_functional_ops_are_rows_with_their_source_line():
    report = shapecheck.check(fixture_path("rules", "sc102_in_features.py:Correct"), "3x32x32")
    ops = [r for r in report.layers if r.kind == "op"]
    assert [r.type for r in ops] == ["F.max_pool2d", "F.max_pool2d", "torch.flatten"]
    flatten = ops[-1]
    assert flatten.inputs[0].shape == (1, 16, 5, 5) and flatten.outputs[0].shape == (1, 400)
    assert flatten.called_at.source == "x = torch.flatten(self.pool(x), 1)"
    assert flatten.called_at.file == "fixtures/rules/sc102_in_features.py"
    # F.relu keeps the shape: not a row, and library internals (F.conv2d in Conv2d) are not rows.
    assert not any(r.type in ("F.relu", "F.conv2d") for r in report.layers)


def test_repeated_calls_nested_outputs_and_depth():
    report = shapecheck.check("tests/assets/deep.py:Net", "3x8x8")
    convs = [r for r in report.layers if r.name == "block.conv"]
    assert [r.call for r in convs] == [1, 2]
    assert convs[1].params == 0 and convs[0].params == 8 * 8 * 9 + 8
    root = report.layers[0]
    assert root.depth == 0 and report.layer("block.conv").depth == 2
    assert [(o.key, o.shape) for o in root.outputs] == [("['logits']", (1, 4)), ("['features']", (1, 8))]
    # `x.mean(dim=(2, 3))` changes rank, so it is listed; the broadcast-free `+ x` is not.
    assert [r.type for r in report.layers if r.kind == "op"] == ["Tensor.mean"]


def test_failing_row_keeps_rows_recorded_so_far():
    report = shapecheck.check(fixture_path("vgg_view.py"), "3x300x300")
    failing = report.trace.failing
    assert failing.name == "fc" and failing.failed and failing.outputs == []
    assert failing.inputs[0].shape == (1, 41472)
    assert report.layers[-1] is failing
    assert report.layers[0].status == "aborted"


def test_user_module_is_left_as_it_was():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    report = shapecheck.check(model, "3x8x8")
    assert report.ok and report.engine == "meta"
    assert report.layers[-1].outputs[0].shape == (1, 2)
    assert model.training
    for module in model.modules():
        assert not module._forward_hooks and not module._forward_pre_hooks
    after = model.state_dict()
    assert all(after[k].device.type == "cpu" and torch.equal(after[k], before[k]) for k in before)
    # The real engine too: mode restored, no hooks left.
    shapecheck.check(model, "3x8x8", engine="real", train=False)
    assert model.training and not model[0]._forward_hooks


def test_real_engine_runs_real_tensors():
    report = shapecheck.check("resnet18", engine="real")
    assert report.engine == "real" and report.ok
    assert report.layer("fc").outputs[0].shape == (1, 1000)


def test_meta_engine_never_allocates_weights():
    report = shapecheck.check("vgg16", "3x64x64")
    assert report.engine == "meta"
    from shapecheck.loading import resolve

    loaded = resolve("vgg16")
    assert all(p.is_meta for p in loaded.module.parameters())
    assert report.trace.total_params == 138_357_544


def test_auto_falls_back_to_real_for_data_dependent_ops():
    report = shapecheck.check("ssdlite320_mobilenet_v3_large")
    assert report.engine == "real" and report.ok
    assert "meta engine" in report.engine_note


def test_forced_meta_engine_on_data_dependent_model_is_a_usage_error():
    with pytest.raises(ShapecheckError, match="meta engine cannot trace"):
        shapecheck.check("ssdlite320_mobilenet_v3_large", engine="meta")


def test_pretrained_weights_are_never_downloaded(no_network):
    report = shapecheck.check("tests/assets/pretrained.py", "3x64x64")
    assert report.ok, report.findings
    skipped = [n for n in report.notes if "pretrained weights skipped" in n]
    assert len(skipped) == 3
    assert any("example.invalid/head.pth" in n for n in skipped)
    # The torchvision loader is restored afterwards.
    import torch.hub
    import torchvision.models._api as api

    assert api.load_state_dict_from_url is torch.hub.load_state_dict_from_url
    assert torch.hub.load_state_dict_from_url.__module__ == "torch.hub"


def test_named_models_never_download(no_network):
    assert shapecheck.check("resnet18", args={"num_classes": 7}).layer("fc").outputs[0].shape == (1, 7)


def test_train_mode_is_recorded():
    report = shapecheck.check("resnet18", train=True)
    assert report.trace.training and report.ok


def test_cuda_request_without_cuda_is_a_usage_error():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ShapecheckError, match="no CUDA device"):
        shapecheck.check("resnet18", engine="real", device="cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_real_engine_on_cuda_restores_the_users_device():
    report = shapecheck.check("resnet18", engine="real", device="cuda")
    assert report.engine == "real" and report.ok
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    failing = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Linear(6, 2), nn.Flatten(), nn.Linear(4 * 6 * 2, 3))
    assert shapecheck.check(model, "3x8x8", engine="real", device="cuda").ok
    assert next(model.parameters()).device.type == "cpu"
    report = shapecheck.check(fixture_path("vgg_view.py"), "3x300x300", engine="real", device="cuda")
    assert [f.code for f in report.findings] == ["SC102"]
    assert shapecheck.check(failing, "3x8x8", engine="real", device="cuda").ok is False


class LazyHead(nn.Module):
    """Sizes inferred from the first batch: nothing to count until then."""

    def __init__(self, out=10):
        super().__init__()
        self.conv = nn.LazyConv2d(8, 3)
        self.bn = nn.LazyBatchNorm2d()
        self.fc = nn.LazyLinear(out)
        self.head = nn.Linear(20, 5)  # reads 20 features; the lazy layer gives `out`

    def forward(self, x):
        return self.head(self.fc(self.bn(self.conv(x)).flatten(1)))


@pytest.mark.parametrize("engine", ["meta", "real"])
def test_lazy_modules_get_their_sizes_from_the_input(engine):
    from torch.nn.parameter import UninitializedParameter

    model = LazyHead(out=20)
    report = shapecheck.check(model, "3x16x16", batch=2, engine=engine)
    assert report.ok, [f.message for f in report.findings]
    assert report.layer("fc").attrs["in_features"] == 8 * 14 * 14
    assert report.trace.total_params == (8 * 3 * 9 + 8) + 16 + (1568 * 20 + 20) + (20 * 5 + 5)
    assert isinstance(model.fc.weight, UninitializedParameter)  # the caller's module is untouched

    broken = shapecheck.check(LazyHead(out=10), "3x16x16", batch=2, engine=engine)
    (finding,) = broken.errors
    assert finding.code == "SC102" and finding.layer == "head"


def test_a_report_in_a_notebook_is_one_plain_block(monkeypatch):
    """In Jupyter, rich shows console output through display(): a report rendered to a stream
    came out as seven display blocks with ANSI codes, and the stream got nothing (so the
    `%load_ext shapecheck` header came after them). It must be one plain text."""
    import io

    import rich.console

    from shapecheck.render.text import render

    monkeypatch.setattr(rich.console, "_is_jupyter", lambda: True)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a), raising=False)
    report = shapecheck.check(fixture_path("vgg_view.py"), "3x300x300")
    out = io.StringIO()
    render(report, out, color="never")
    text = out.getvalue()
    assert "error[SC102]" in text and "\x1b[" not in text and not shown

    class Printer:
        def text(self, value):
            self.value = value

    printer = Printer()
    report._repr_pretty_(printer, False)
    assert printer.value.startswith("Layer") and "error[SC102]" in printer.value
