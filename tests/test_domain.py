"""--symbolic: shape expressions per row, and which input sizes a model accepts.

Every domain here is also checked against brute force: a plain meta forward pass at each size
of a grid (`engines.prober`), with no symbolic tracing involved.
"""

import json

import jsonschema
import pytest
from conftest import ROOT, fixture_path
from typer.testing import CliRunner

import shapecheck
from shapecheck.cli import app
from shapecheck.domain import symbolic
from shapecheck.loading import resolve
from shapecheck.spec import parse_input
from shapecheck.trace.engines import prober

SCHEMA = json.load(open(f"{ROOT}/shapecheck/report.schema.json"))


def domain(model, spec, budget=10.0, **kw):
    report = shapecheck.check(model, spec, symbolic=True, budget_s=budget, **kw)
    assert report.accepted is not None
    return report, report.accepted


def brute_force(model, spec, accepted, name, sizes):
    """The sizes where domain and a plain meta forward pass disagree (others held at the base)."""
    loaded = resolve(model, {})
    runs = prober(loaded.module, [parse_input(spec)], batch=1)
    dim = accepted.dim(name)
    wrong = []
    for size in sizes:
        shape = accepted.base[: dim.index] + (size,) + accepted.base[dim.index + 1 :]
        if runs(shape) != dim.accepts(size):
            wrong.append(size)
    return wrong


def test_vgg16_accepts_three_channels_and_h_w_from_32():
    report, acc = domain("vgg16", "3x224x224")
    assert acc.method == "symbolic" and acc.given_ok and acc.complete
    assert acc.sentence() == "accepts C = 3, H ≥ 32, W ≥ 32, any batch"
    h = acc.dim("H")
    assert (h.min, h.max, h.multiple) == (32, None, 1)
    assert h.min_by == "features.30 (MaxPool2d)"
    assert acc.dim("C").values == (3,) and acc.dim("C").imposed_by == "features.0 (Conv2d)"
    assert acc.dim("B").min == 1 and acc.dim("B").max is None
    assert report.layer("features").outputs[0].symbolic == ("B", "512", "H//32", "W//32")
    assert report.layer("features.4").outputs[0].symbolic == ("B", "64", "H//2", "W//2")
    assert report.layer("classifier.0").outputs[0].symbolic == ("B", "4096")
    assert brute_force("vgg16", "3x224x224", acc, "H", [1, 16, 31, 32, 33, 63, 64, 300, 1000]) == []


def test_fixed_head_accepts_224_to_255_and_names_the_linear():
    report, acc = domain(fixture_path("vgg_view.py"), "3x224x224")
    h, w = acc.dim("H"), acc.dim("W")
    assert (h.min, h.max, w.min, w.max) == (224, 255, 224, 255)
    assert h.max_by == "fc (Linear)" and h.min_by == "fc (Linear)"
    texts = {c.text: c for c in acc.constraints}
    exact = texts["512·(H//32)·(W//32) = 25088"]
    assert exact.kind == "exact" and exact.layer == "fc (Linear)" and exact.dims == ("H", "W")
    assert acc.sentence() == "accepts C = 3, H from 224 to 255, W from 224 to 255, any batch"
    assert report.layer("fc").inputs[0].symbolic == ("B", "512·(H//32)·(W//32)")
    # SC103 reads the range from the expression instead of probing.
    sc103 = next(f for f in report.findings if f.code == "SC103")
    assert (
        "`fc` accepts only inputs with H = W from 224 to 255: one sample has 512·(H//32)·(W//32) features" in sc103.why
    )
    sizes = list(range(200, 280)) + [32, 448]
    assert brute_force(fixture_path("vgg_view.py"), "3x224x224", acc, "H", sizes) == []


def test_fixed_head_at_an_input_it_rejects_finds_a_working_size_first():
    report, acc = domain(fixture_path("vgg_view.py"), "3x300x300")
    assert not acc.given_ok and acc.method == "symbolic"
    assert acc.base == (1, 3, 255, 255)  # the size nearest 300 where `fc` fits
    assert (acc.dim("H").min, acc.dim("H").max) == (224, 255)
    assert any("the given input [1, 3, 300, 300] does not run" in n for n in acc.notes)
    sc102 = next(f for f in report.findings if f.code == "SC102")
    assert any("H = W from 224 to 255" in line for line in sc102.why)


def test_unet_needs_multiples_of_16():
    model = fixture_path("rules", "sc109_concat_mismatch.py:UNet")
    _report, acc = domain(model, "3x96x96")
    h = acc.dim("H")
    assert (h.min, h.max, h.multiple, h.offset) == (16, None, 16, 0)
    assert h.text() == "H a multiple of 16" and h.imposed_by == "torch.cat at line 30"
    assert any(c.text == "H % 16 = 0" and c.kind == "multiple" for c in acc.constraints)
    assert h.nearest(100) == [96, 112]
    assert brute_force(model, "3x96x96", acc, "H", range(1, 130)) == []


def test_sc109_takes_the_multiple_and_nearest_sizes_from_the_domain():
    report, acc = domain(fixture_path("rules", "sc109_concat_mismatch.py:UNet"), "3x100x100")
    assert not acc.given_ok and acc.dim("H").multiple == 16
    finding = next(f for f in report.findings if f.code == "SC109")
    assert "the sizes line up only when the input's spatial dims are multiples of 16" in finding.why
    assert finding.fixes[0].code == "--input 3x112x112" and finding.fixes[0].verified


def test_resnet50_accepts_any_size_once_path_guards_are_checked():
    _report, acc = domain("resnet50", "3x224x224")
    h = acc.dim("H")
    # The guards stop at H = 33 ((H-1)//32 + 1 ≠ 1, a size-1 branch); probes find it runs below.
    assert h.min == 1 and h.max is None and "the traced path changes" in h.note
    assert acc.sentence() == "accepts C = 3, any H, any W, any batch"
    assert brute_force("resnet50", "3x224x224", acc, "H", [1, 2, 7, 32, 33, 500]) == []


def test_vit_with_fixed_position_embedding_accepts_exactly_its_image_size():
    _report, acc = domain("vit_b_32", "3x224x224")
    assert acc.dim("H").values == (224,) and acc.dim("W").values == (224,)
    assert acc.sentence() == "accepts C = 3, H = 224, W = 224, any batch"
    assert brute_force("vit_b_32", "3x224x224", acc, "H", [192, 223, 225, 256]) == []


def test_one_dimensional_conv_net_over_sequences():
    model = fixture_path("domain", "sequence.py")
    report, acc = domain(model, "4x100")
    assert [d.name for d in acc.dims] == ["B", "C", "L"]
    assert acc.sentence() == "accepts C = 4, L ≥ 24, any batch"
    # 1-D pools are traced as 2-D ones so that L stays symbolic.
    assert report.layer("body").outputs[0].symbolic == ("B", "64", "L//4 - 5")
    assert brute_force(model, "4x100", acc, "L", range(1, 60)) == []


def test_video_clip_needs_seven_frames():
    model = fixture_path("rules", "sc107_input_too_small.py:Clip")
    report, acc = domain(model, "3x4x32x32")
    t = acc.dim("T")
    assert t.min == 7 and t.max is None and t.min_by == "body.4 (Conv3d)"
    finding = next(f for f in report.findings if f.code == "SC107")
    assert any(line.startswith("the symbolic trace gives the exact minimum: T ≥ 7") for line in finding.why)
    assert "it needs at least 7 frames" in finding.message
    assert brute_force(model, "3x4x32x32", acc, "T", range(1, 20)) == []


def test_sc106_shows_the_batch_folded_into_a_dim():
    report, _ = domain(fixture_path("rules", "sc106_batch_mixing.py:CatBranches"), "3x32x32")
    finding = next(f for f in report.findings if f.code == "SC106")
    assert "symbolically, dim 0 is 2·B: the batch B is folded into it ([2·B, 8])" in finding.why


def test_slow_symbolic_trace_stops_at_its_safety_cap_and_probes_instead():
    """The symbolic trace has no budget of its own but the safety cap (CPU seconds, 10× --budget,
    60 % of it for the trace): slow.py needs about 8 s, --budget 0.2 allows it 1.2 s."""
    model = fixture_path("domain", "slow.py")
    _report, acc = domain(model, "3x32x32", budget=0.2)
    assert acc.method == "probing"
    assert any("the symbolic trace was stopped at its safety cap of 1.2 s of CPU time" in n for n in acc.notes)
    assert acc.sentence() == "accepts C = 3, any H, any W, any batch"
    assert acc.complete


def test_without_symbolic_apis_it_probes_and_says_so(monkeypatch):
    def missing():
        raise symbolic.Unavailable("torch 0.0 has no torch.fx.experimental.symbolic_shapes")

    monkeypatch.setattr(symbolic, "_api", missing)
    report, acc = domain(fixture_path("vgg_view.py"), "3x224x224")
    assert acc.method == "probing"
    assert any("symbolic shapes are unavailable (torch 0.0 has no" in n for n in acc.notes)
    assert (acc.dim("H").min, acc.dim("H").max) == (224, 255)
    assert all(o.symbolic is None for row in report.layers for o in row.outputs)


def test_a_budget_too_small_leaves_dims_unsettled_not_wrong():
    _, acc = domain("vgg16", "3x224x224", max_probes=1)  # probes are counted: the same on every machine
    assert not acc.complete
    assert any("the probe budget (1 trace) ran out" in n for n in acc.notes)
    unsettled = [d for d in acc.dims if not d.settled]
    assert unsettled  # the budget ran out before every dim was worked out
    for d in unsettled:
        assert d.accepts(d.given) is None  # no answer claimed for a dim that was not worked out
    for d in acc.dims:
        if d.settled:
            assert d.accepts(d.given) is True  # vgg16 runs at 3x224x224: a settled dim must accept it


# -- command line -----------------------------------------------------------------------------

runner = CliRunner()


def test_cli_symbolic_table_and_sentence():
    result = runner.invoke(
        app, [fixture_path("vgg_view.py"), "--input", "3x224x224", "--symbolic"], env={"COLUMNS": "130"}
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Symbolic output" in out and "[B, 512, H//32, W//32]" in out
    assert "accepted inputs: accepts C = 3, H from 224 to 255, W from 224 to 255, any batch" in out
    assert "needs 512·(H//32)·(W//32) = 25088  (fc (Linear))" in out


def test_cli_symbolic_json_validates_and_carries_the_domain():
    result = runner.invoke(app, ["vgg16", "--input", "3x64x64", "--symbolic", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    jsonschema.validate(doc, SCHEMA)
    acc = doc["accepted_inputs"]
    assert acc["sentence"] == "accepts C = 3, H ≥ 32, W ≥ 32, any batch"
    h = next(d for d in acc["dims"] if d["name"] == "H")
    assert (h["min"], h["max"], h["given"]) == (32, None, 64)
    features = next(r for r in doc["layers"] if r["name"] == "features")
    assert features["symbolic_output_shapes"] == [["B", "512", "H//32", "W//32"]]


def test_cli_without_symbolic_has_null_domain():
    result = runner.invoke(app, ["vgg16", "--input", "3x64x64", "--format", "json"])
    doc = json.loads(result.output)
    jsonschema.validate(doc, SCHEMA)
    assert doc["accepted_inputs"] is None and doc["layers"][0]["symbolic_output_shapes"] is None


@pytest.mark.parametrize("budget", ["0", "-1", "abc"])
def test_cli_bad_budget_is_exit_2(budget):
    result = runner.invoke(app, ["vgg16", "--input", "3x64x64", "--symbolic", "--budget", budget])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_batchnorm_in_training_restricts_the_batch():
    model = fixture_path("rules", "sc108_batchnorm_single.py:PooledNorm")
    _report, acc = domain(model, "3x32x32", train=True)
    assert acc.sentence() == "accepts C = 3, any H, any W, B ≥ 2"
    assert acc.base == (2, 3, 32, 32) and not acc.given_ok
    _, eval_acc = domain(model, "3x32x32")
    assert eval_acc.dim("B").min == 1


def test_a_changed_private_api_degrades_to_probing(monkeypatch):
    def changed(run, env):
        raise AttributeError("'ShapeEnv' object has no attribute 'simplify'")

    monkeypatch.setattr(symbolic, "_finish_texts", changed)
    _, acc = domain(fixture_path("rules", "sc109_concat_mismatch.py:UNet"), "3x96x96")
    assert acc.method == "probing"
    assert any("the symbolic trace broke inside torch" in n and "no attribute 'simplify'" in n for n in acc.notes)
    h = acc.dim("H")
    assert (h.min, h.multiple) == (16, 16)


def test_markdown_carries_the_sentence():
    result = runner.invoke(app, ["vgg16", "--input", "3x64x64", "--symbolic", "--format", "markdown"])
    assert "**accepted inputs**: accepts C = 3, H ≥ 32, W ≥ 32, any batch" in result.output


def test_symbolic_on_a_model_that_needs_real_tensors_says_why_it_is_skipped():
    import torch
    from torch import nn

    class Gated(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            return self.fc(x) * (x.sum().item() > 0)

    report = shapecheck.check(Gated(), "4", symbolic=True)
    assert report.engine == "real" and report.accepted is None
    assert "--symbolic needs the meta engine" in report.engine_note
    assert isinstance(report.layers[0].outputs[0].shape, tuple) and torch.is_grad_enabled()
