"""Rules on hand-built traces: no torch run involved."""

import pytest
from helpers import TraceBuilder

from shapecheck.diagnose import diagnose
from shapecheck.diagnose.numbers import matmul_message, pool_size, replace_first_argument
from shapecheck.diagnose.registry import ACTIVE, CHECKS, CODES, RESERVED
from shapecheck.trace.records import Location, TensorInfo, Trace

LINEAR_AT = Location("model.py", 5, "self.fc = nn.Linear(512 * 7 * 7, 100)")
CALL_AT = Location("model.py", 12, "x = self.fc(x)")


def conv_stack(b: TraceBuilder, out_hw: int):
    b.module("features", "Conv2d", (1, 512, out_hw, out_hw), {"in_channels": 3, "out_channels": 512})


def codes(diagnosis):
    return [f.code for f in diagnosis.findings]


def test_sc101_unflattened_map_into_linear():
    b = TraceBuilder((1, 3, 224, 224))
    conv_stack(b, 7)
    b.module("fc", "Linear", None, {"in_features": 25088, "out_features": 100}, defined_at=LINEAR_AT, called_at=CALL_AT)
    d = diagnose(b.fail())
    assert codes(d) == ["SC101"]
    f = d.findings[0]
    assert f.severity == "error" and f.layer == "fc"
    text = "\n".join(f.why + f.notes)
    assert "3584 = 1·512·7" in text
    assert "mat1 and mat2 shapes cannot be multiplied (3584x7 and 25088x100)" in text
    assert f.fixes[0].code.splitlines() == ["x = torch.flatten(x, 1)", "x = self.fc(x)"]
    assert f.fixes[0].safety == "safe"


def test_sc101_silent_form_when_last_dim_equals_in_features():
    b = TraceBuilder((1, 3, 224, 224))
    conv_stack(b, 7)
    b.module("fc", "Linear", (1, 512, 7, 10), {"in_features": 7, "out_features": 10})
    d = diagnose(b.trace)
    assert codes(d) == ["SC101"]
    assert "leak" in " ".join(d.findings[0].why)


def test_transformer_tokens_into_linear_are_not_sc101():
    # [N, L, D] from a reshape (not a conv) is how transformers use Linear.
    b = TraceBuilder((1, 3, 224, 224))
    conv_stack(b, 14)
    b.op("Tensor.permute", (1, 14, 14, 512), {"category": "layout"})
    b.module("mlp", "Linear", (1, 14, 14, 2048), {"in_features": 512, "out_features": 2048})
    assert diagnose(b.trace).findings == []


def test_sc102_after_flatten_explains_numbers_and_offers_pool():
    b = TraceBuilder((1, 3, 300, 300))
    conv_stack(b, 9)
    b.op("torch.flatten", (1, 41472), {"category": "flatten"}, line=11, source="x = torch.flatten(x, 1)")
    b.module("fc", "Linear", None, {"in_features": 25088, "out_features": 100}, defined_at=LINEAR_AT)
    d = diagnose(b.fail())
    assert codes(d) == ["SC102"]
    f = d.findings[0]
    assert f.message == "`fc` expects 25088 input features but receives 41472"
    assert any("512·9·9 = 41472" in w for w in f.why)
    assert any("512·7·7" in w and "7×7" in w for w in f.why)
    pool, resize = f.fixes
    assert "AdaptiveAvgPool2d((7, 7))" in pool.description and pool.safety == "safe"
    assert resize.before == LINEAR_AT.source
    assert resize.after == "self.fc = nn.Linear(512 * 9 * 9, 100)"
    assert resize.safety == "unsafe"


def test_sc102_plain_mlp():
    b = TraceBuilder((1, 20))
    b.module("fc1", "Linear", (1, 64), {"in_features": 20, "out_features": 64})
    b.module("fc2", "Linear", None, {"in_features": 128, "out_features": 2})
    d = diagnose(b.fail())
    assert codes(d) == ["SC102"]
    assert "(1x64 and 128x2)" in d.findings[0].notes[0]


def test_sc103_size_locked_uses_probe_to_find_range():
    b = TraceBuilder((1, 3, 224, 224))
    conv_stack(b, 7)
    b.op("torch.flatten", (1, 25088), {"category": "flatten"})
    b.module("fc", "Linear", (1, 100), {"in_features": 25088, "out_features": 100})

    def runner(request):  # five 2× poolings: H // 32, measured where the map is flattened
        if request.stop is None:
            return Trace("Hand", [], "meta")
        assert request.stop == ("op", "torch.flatten", "model.py", 10, 1)
        h, w = request.dims[1] // 32, request.dims[2] // 32
        probe = [TensorInfo((1, 512, h, w))] if h >= 1 and w >= 1 else None
        return Trace("Hand", [], "meta", probe_inputs=probe)

    d = diagnose(b.trace, runner=runner)
    assert codes(d) == ["SC103"]
    assert d.findings[0].severity == "warning"
    assert any("H = W from 224 to 255" in w for w in d.findings[0].why)


def test_adaptive_pool_boundary_is_ok_and_silent():
    b = TraceBuilder((1, 3, 300, 300))
    conv_stack(b, 9)
    b.module("pool", "AdaptiveAvgPool2d", (1, 512, 7, 7), {"output_size": [7, 7]})
    b.op("torch.flatten", (1, 25088), {"category": "flatten"})
    fc = b.module("fc", "Linear", (1, 100), {"in_features": 25088, "out_features": 100})
    d = diagnose(b.trace)
    assert d.findings == []
    assert d.ok_rows == [fc.index]


def test_sc100_for_unexplained_failure():
    b = TraceBuilder((1, 3, 32, 32))
    b.module("conv", "Conv2d", None, {"in_channels": 3})
    d = diagnose(b.fail("something odd"))
    assert codes(d) == ["SC100"]
    assert "something odd" in d.findings[0].message


def test_no_findings_on_a_clean_trace():
    b = TraceBuilder((1, 20))
    b.module("fc1", "Linear", (1, 64), {"in_features": 20, "out_features": 64})
    assert diagnose(b.trace).findings == []


def test_registry_reserves_every_code_once():
    expected = {f"SC{n}" for n in range(100, 100 + len(CODES))}  # no gaps: see test_registry
    assert set(CODES) == expected
    names = [info.name for info in CODES.values()]
    assert len(names) == len(set(names))
    assert set(CHECKS) == expected  # every code has a rule: none is only reserved
    for code in sorted(expected):
        assert CODES[code].status == ACTIVE and code in CHECKS
        doc = CHECKS[code].__module__
        import importlib

        text = importlib.import_module(doc).__doc__
        for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
            assert heading in text, (code, heading)
    assert not [c for c in CODES if CODES[c].status == RESERVED]


@pytest.mark.parametrize(
    "channels, target, current, expected",
    [
        (512, 25088, (9, 9), (7, 7)),
        (16, 400, (8, 8), (5, 5)),
        (10, 30, (5, 5), (1, 3)),
        (7, 30, (4, 4), None),
        (64, 640, (20,), (10,)),
    ],
)
def test_pool_size(channels, target, current, expected):
    assert pool_size(channels, target, current) == expected


def test_matmul_message_matches_pytorch_real_run():
    assert (
        matmul_message((1, 512, 7, 7), 25088, 100) == "mat1 and mat2 shapes cannot be multiplied (3584x7 and 25088x100)"
    )


@pytest.mark.parametrize(
    "source, value, expected",
    [
        ("self.fc = nn.Linear(512 * 7 * 7, 100)", 41472, "self.fc = nn.Linear(41472, 100)"),
        ("fc = nn.Linear(in_features=400, out_features=10)", 1024, "fc = nn.Linear(in_features=1024, out_features=10)"),
        ("self.fc = nn.Linear(f(a, b), 10)", 7, "self.fc = nn.Linear(7, 10)"),
        ("self.fc = make_head()", 7, None),
    ],
)
def test_replace_first_argument(source, value, expected):
    assert replace_first_argument(source, "Linear", value) == expected


@pytest.mark.parametrize(
    "channels, code", [(1, "img = img.unsqueeze(0).unsqueeze(0)"), (3, "img = img.expand(3, *img.shape).unsqueeze(0)")]
)
def test_sc105_conv_given_its_spatial_dims_only(channels, code):
    b = TraceBuilder((28, 28), batch=28)  # one image: the batch a guess from its first dim
    b.trace.input_names = ("img",)
    b.module("conv", "Conv2d", None, {"in_channels": channels, "out_channels": 8, "kernel_size": [3, 3]})
    (f,) = diagnose(b.fail()).findings
    assert f.code == "SC105" and "receives [28, 28], 2 dims" in f.message
    assert len(f.fixes) == 1  # 28 is no square: not a row of a flattened image
    assert f.fixes[0].code == code
    assert f.notes == [
        "PyTorch reports: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [28, 28]"
    ]


def test_sc105_flattened_images_into_a_conv_offer_both_readings():
    b = TraceBuilder((32, 784), batch=32)
    b.module("conv", "Conv2d", None, {"in_channels": 1, "out_channels": 8, "kernel_size": [5, 5]})
    (f,) = diagnose(b.fail()).findings
    assert "784 = 28·28" in f.why[1]
    assert [fix.code for fix in f.fixes] == ["x = x.view(-1, 1, 28, 28)", "x = x.unsqueeze(0).unsqueeze(0)"]


def _structured(line_source, outputs):
    b = TraceBuilder((1, 10, 8))
    row = b.module("lstm", "LSTM", None, {}, called_at=Location("m.py", 9, "        h = self.lstm(x)"))
    row.outputs = [TensorInfo(shape, key=key, tid=10 + i, source=row.index) for i, (key, shape) in enumerate(outputs)]
    b.last = TensorInfo((1, 10, 16), tid=9)  # what reaches fc fits it: only the structure is wrong
    b.module("fc", "Linear", None, {"in_features": 16, "out_features": 2})
    trace = b.fail()
    trace.error.type = "TypeError"
    trace.error.user_frames = [Location("m.py", 10, line_source)]
    return diagnose(trace).findings


LSTM_OUT = [("[0]", (1, 10, 16)), ("[1][0]", (1, 1, 16)), ("[1][1]", (1, 1, 16))]


def test_sc127_a_tuple_sliced_like_a_tensor():
    (f,) = _structured("        return self.fc(h[:, -1])", LSTM_OUT)
    assert f.code == "SC127" and f.layer == "lstm" and f.row == 1  # explains the failing row
    assert f.fixes[0].after == "        h, _ = self.lstm(x)"


@pytest.mark.parametrize("line", ["        return self.fc(h[0][:, -1])", "        return h.logits"])
def test_sc127_quiet_when_the_line_takes_a_part(line):
    outputs = LSTM_OUT if "h[0]" in line else [(".logits", (1, 2)), (".aux", (1, 2))]
    assert [f.code for f in _structured(line, outputs)] == ["SC100"]


def test_sc127_named_output_prefers_logits():
    (f,) = _structured("        return self.fc(h)", [(".aux", (1, 2)), (".logits", (1, 2))])
    assert f.fixes[0].after == "        h = self.lstm(x).logits"


def test_sc104_four_channels_into_an_rgb_stem_offers_dropping_alpha_first():
    b = TraceBuilder((1, 4, 32, 32))
    b.module("conv1", "Conv2d", None, {"in_channels": 3, "out_channels": 8, "kernel_size": [3, 3]})
    (f,) = diagnose(b.fail()).findings
    assert f.fixes[0].code == "x = x[:, :3]"
    assert "perhaps an image with an alpha channel" in f.why[-1]
    assert "in_channels=4" in f.fixes[1].description


def test_sc125_segmentation_mask_with_a_channel_dim_is_squeezed():
    b = TraceBuilder((2, 6, 8, 8), batch=2)
    row = b.op("torch.nn.functional.nll_loss", None, line=12, source="loss = F.nll_loss(out, masks)")
    row.type = "F.nll_loss"
    row.inputs = [row.inputs[0], TensorInfo((2, 1, 8, 8), dtype="int64", tid=40)]
    (f,) = [f for f in diagnose(b.fail()).findings if f.code == "SC125"]
    assert "with a channel dim: it takes [2, 8, 8]" in f.message
    assert f.fixes[0].after == "loss = F.nll_loss(out, masks.squeeze(1))"


def test_sc125_a_loss_that_refuses_is_placed_at_its_call_and_says_so():
    b = TraceBuilder((16, 1), batch=16)
    row = b.op("torch.nn.functional.binary_cross_entropy_with_logits", None, line=12, source="loss = crit(logits, y)")
    row.attrs["category"] = "loss"
    row.inputs = [row.inputs[0], TensorInfo((16,), tid=41)]
    (f,) = [f for f in diagnose(b.fail()).findings if f.code == "SC125"]
    assert f.message.endswith("it needs the same shape") and f.location.line == 12
    assert f.notes[0].startswith("PyTorch reports: Target size (torch.Size([16])) must be the same")
