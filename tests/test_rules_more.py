"""SC104-SC113 on hand-built traces, and the shape arithmetic they rely on."""

import pytest
import torch
from helpers import TraceBuilder

from shapecheck.diagnose import diagnose
from shapecheck.diagnose.layers import broadcast_mismatch, view_compatible, window
from shapecheck.trace.records import Location, TensorInfo

CONV2 = Location("model.py", 4, "self.conv2 = nn.Conv2d(64, 64, 3, padding=1)")


def codes(d):
    return [f.code for f in d.findings]


def test_sc104_mid_network_channels():
    b = TraceBuilder((1, 3, 32, 32))
    b.module(
        "conv1",
        "Conv2d",
        (1, 32, 32, 32),
        {
            "in_channels": 3,
            "out_channels": 32,
            "kernel_size": [3, 3],
            "stride": [1, 1],
            "padding": [1, 1],
            "dilation": [1, 1],
            "groups": 1,
        },
    )
    b.module(
        "conv2",
        "Conv2d",
        None,
        {
            "in_channels": 64,
            "out_channels": 64,
            "kernel_size": [3, 3],
            "stride": [1, 1],
            "padding": [1, 1],
            "dilation": [1, 1],
            "groups": 1,
        },
        defined_at=CONV2,
    )
    d = diagnose(b.fail())
    assert codes(d) == ["SC104"]
    f = d.findings[0]
    assert f.message == "`conv2` expects 64 input channels but receives 32"
    assert "weight of size [64, 64, 3, 3], expected input[1, 32, 32, 32] to have 64 channels, but got 32" in f.notes[0]
    assert f.fixes[0].after == "self.conv2 = nn.Conv2d(32, 64, 3, padding=1)"
    assert "`conv1` makes 32 channels" in f.labels[0].message


def test_sc107_pool_bigger_than_map():
    b = TraceBuilder((1, 3, 64, 64))
    b.module(
        "features",
        "Conv2d",
        (1, 128, 2, 2),
        {
            "in_channels": 3,
            "out_channels": 128,
            "kernel_size": [3, 3],
            "stride": [32, 32],
            "padding": [1, 1],
            "dilation": [1, 1],
        },
    )
    b.module("avgpool", "AvgPool2d", None, {"kernel_size": 7, "stride": 7, "padding": 0})
    d = diagnose(b.fail())
    assert codes(d) == ["SC107"]
    assert (
        "Given input size: (128x2x2). Calculated output size: (128x0x0). Output size is too small"
        in d.findings[0].notes[0]
    )
    assert any("AdaptiveAvgPool2d(1)" in x.description for x in d.findings[0].fixes)


def test_sc108_needs_training_mode():
    b = TraceBuilder((1, 3, 8, 8))
    b.module("pool", "AdaptiveAvgPool2d", (1, 32, 1, 1), {"output_size": [1, 1]})
    b.module("bn", "BatchNorm2d", None, {"num_features": 32})
    trace = b.fail()
    assert codes(diagnose(trace)) == ["SC100"]  # in eval mode it is not this error
    trace.training = True
    assert codes(diagnose(trace)) == ["SC108"]


def test_sc109_cat_mismatch_message():
    b = TraceBuilder((1, 3, 100, 100))
    up = b.module("up", "ConvTranspose2d", (1, 32, 24, 24))
    skip = b.tensor((1, 32, 25, 25))
    b.op(
        "torch.cat",
        None,
        {"category": "join", "args": [["<tensor>", "<tensor>"]], "dim": 1},
        inputs=[up.outputs[0], skip],
        source="x = torch.cat([x, skip], dim=1)",
    )
    d = diagnose(b.fail())
    assert codes(d) == ["SC109"]
    assert (
        d.findings[0]
        .notes[0]
        .endswith(
            "Sizes of tensors must match except in dimension 1. Expected size 24 but got size 25 for tensor "
            "number 1 in the list"
        )
    )
    assert "x = F.interpolate(x, size=skip.shape[-2:])" in d.findings[0].fixes[-1].code


def test_sc111_view_on_permuted_tensor_even_when_meta_ran():
    b = TraceBuilder((1, 3, 8, 8))
    b.module("proj", "Conv2d", (1, 16, 8, 8))
    permuted = TensorInfo((1, 8, 8, 16), tid=99, source=0, contiguous=False, stride=(1024, 8, 1, 64))
    b.op(
        "Tensor.view",
        (1, 1024),
        {"category": "view", "args": ["<tensor>", 1, -1]},
        inputs=[permuted],
        source="x = x.view(x.shape[0], -1)",
    )
    d = diagnose(b.trace)
    assert codes(d) == ["SC111"]
    assert d.findings[0].fixes[0].after == "x = x.reshape(x.shape[0], -1)"


def test_sc112_broadcast():
    b = TraceBuilder((1, 3, 32, 32))
    a = b.module("conv", "Conv2d", (1, 16, 16, 16))
    c = b.tensor((1, 16, 32, 32))
    b.op(
        "Tensor.__add__", None, {"category": "elementwise"}, inputs=[a.outputs[0], c], source="return self.conv(x) + x"
    )
    d = diagnose(b.fail())
    assert codes(d) == ["SC112"]
    assert (
        d.findings[0]
        .notes[0]
        .endswith("The size of tensor a (16) must match the size of tensor b (32) at non-singleton dimension 3")
    )
    assert d.findings[0].message.startswith("`+` at line 10 combines")


def test_sc113_decodes_the_constant():
    b = TraceBuilder((1, 3, 20, 20))
    b.module("conv", "Conv2d", (1, 16, 2, 2))
    b.op("Tensor.view", None, {"category": "view", "args": ["<tensor>", -1, 400]}, source="x = x.view(-1, 16 * 5 * 5)")
    d = diagnose(b.fail())
    assert codes(d) == ["SC113"]
    why = " ".join(d.findings[0].why)
    assert "16·2·2 = 64" in why and "400 = 16·5·5" in why
    assert d.findings[0].notes[0].endswith("shape '[-1, 400]' is invalid for input of size 64")


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ((1, 16, 16, 16), (1, 16, 32, 32), (3, 16, 32)),
        ((4, 1, 7), (10,), (2, 7, 10)),
        ((4, 1, 7), (7,), None),
        ((2, 3), (1, 3), None),
    ],
)
def test_broadcast_mismatch(a, b, expected):
    assert broadcast_mismatch(a, b) == expected
    if expected is None:
        torch.empty(a) + torch.empty(b)
    else:
        with pytest.raises(RuntimeError, match=f"at non-singleton dimension {expected[0]}"):
            torch.empty(a) + torch.empty(b)


@pytest.mark.parametrize(
    "perm, new",
    [
        ((0, 2, 3, 1), [1, -1]),
        ((0, 2, 3, 1), [1, 64, 16]),
        ((0, 1, 3, 2), [1, 16, 64]),
        ((0, 1, 2, 3), [-1]),
        ((1, 0, 2, 3), [16, -1]),
        ((0, 3, 1, 2), [1, 8, 128]),
    ],
)
def test_view_compatible_agrees_with_pytorch(perm, new):
    t = torch.empty(1, 16, 8, 8).permute(*perm)
    try:
        t.view(new)
        ok = True
    except RuntimeError:
        ok = False
    assert view_compatible(tuple(t.shape), tuple(t.stride()), new) == ok


@pytest.mark.parametrize(
    "kernel, stride, padding, size, ceil",
    [
        (3, 2, 1, 7, False),
        (7, 7, 0, 13, False),
        (3, 2, 0, 8, True),
        (2, 2, 0, 9, False),
        (5, 1, 2, 5, False),
    ],
)
def test_window_matches_pytorch_pool_output(kernel, stride, padding, size, ceil):
    from shapecheck.trace.records import LayerRecord

    row = LayerRecord(
        0,
        "p",
        "MaxPool2d",
        "module",
        0,
        attrs={"kernel_size": kernel, "stride": stride, "padding": padding, "dilation": 1, "ceil_mode": ceil},
    )
    w = window(row)
    out = torch.nn.MaxPool2d(kernel, stride, padding, ceil_mode=ceil)(torch.empty(1, 1, size, size))
    assert w.out_size(size, 0) == out.shape[-1]


def test_sc102_changes_the_layer_not_upsamples_the_map(tmp_path):
    """A head sized for an 8×8 map meets 7×7: pooling up to 8×8 would repeat values, so the fix
    is in_features, written the way the user wrote it (512 * 8 * 8 → 512 * 7 * 7)."""
    import shapecheck

    path = tmp_path / "head.py"
    path.write_text(
        "import torch\nimport torch.nn as nn\n\n\nclass Head(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.conv = nn.Conv2d(3, 16, 3)\n"
        "        self.fc = nn.Linear(16 * 8 * 8, 10)\n\n    def forward(self, x):\n"
        "        return self.fc(torch.flatten(self.conv(x), 1))\n"
    )
    (finding,) = shapecheck.check(f"{path}:Head", "3x9x9").errors
    assert finding.code == "SC102"
    assert [f.after for f in finding.fixes] == ["self.fc = nn.Linear(16 * 7 * 7, 10)"]
    assert finding.fixes[0].verified is True


def test_a_library_models_input_mistakes_are_fixed_in_the_input():
    """vgg16 with `--input 3x224` or `224x224x3`: the fix is --input, never a line of
    torchvision's file or code like `self.0(...)`."""
    import shapecheck

    (short,) = shapecheck.check("vgg16", "3x224").errors
    assert short.code == "SC105" and short.fixes[0].code == "--input 3x224x224"
    assert short.fixes[0].verified is True
    (last,) = shapecheck.check("vgg16", "224x224x3").errors
    assert last.code == "SC114"
    assert [f.code for f in last.fixes] == [
        "--input 3x224x224",
        "images = images.permute(0, 3, 1, 2)  # before model(images)",
    ]
    assert all(f.location is None for f in last.fixes) and all("self." not in f.code for f in last.fixes)


def _in_place_trace(type_, a_shape, b_shape, source):
    b = TraceBuilder(a_shape)
    m = b.tensor(b_shape)
    b.op(type_, None, {"category": "elementwise"}, inputs=[b.last, m], source=source)
    return diagnose(b.fail("output with shape doesn't match the broadcast shape"))


def test_sc112_an_in_place_result_cannot_grow():
    """`x.sub_(m)` with m [3, 1, 1] on x [1, 28, 28]: the shapes broadcast, to [3, 28, 28], which
    an in-place op cannot write into x. Both readings, display-only, with the line's own names."""
    d = _in_place_trace("Tensor.sub_", (1, 28, 28), (3, 1, 1), "return x.sub_(self.mean)")
    assert codes(d) == ["SC112"]
    finding = d.findings[0]
    assert (
        finding.message
        == "`Tensor.sub_` at line 10 cannot write a [3, 28, 28] result into a [1, 28, 28] tensor in place"
    )
    assert "dim 0 is 1 in a and 3 in b" in finding.why[0]
    assert (
        finding.notes[0]
        == "PyTorch reports: output with shape [1, 28, 28] doesn't match the broadcast shape [3, 28, 28]"
    )
    first, second = finding.fixes
    assert first.code == "self.mean  # of shape [1, 1, 1]"
    assert second.after == "return (x - self.mean)"
    assert {f.safety for f in finding.fixes} == {"display-only"}


def test_sc112_an_augmented_assignment_written_out_of_place():
    d = _in_place_trace("Tensor.__iadd__", (1, 8), (4, 8), "x += self.bias")
    assert codes(d) == ["SC112"]
    assert d.findings[0].message.startswith("`+=` cannot write a [4, 8] result into a [1, 8] tensor")
    assert d.findings[0].fixes[1].after == "x = x + self.bias"


def test_sc112_an_op_that_is_not_in_place_may_grow():
    """`x - m` makes a new tensor: a result larger than x is no error (whatever failed, it is
    not this)."""
    d = _in_place_trace("Tensor.sub", (1, 28, 28), (3, 1, 1), "return x - self.mean")
    assert "SC112" not in codes(d)
    d = _in_place_trace("Tensor.sub_", (3, 28, 28), (3, 1, 1), "return x.sub_(self.mean)")
    assert "SC112" not in codes(d)


def _failing_op(type_, input_shape, args, source, **attrs):
    b = TraceBuilder(input_shape)
    b.op(type_, None, {"args": ["<tensor>", *args], **attrs}, source=source)
    return diagnose(b.fail("boom"))


def test_sc113_a_split_whose_parts_miss_one_equal_part_is_rewritten_on_the_line():
    d = _failing_op(
        "Tensor.split", (1, 10, 96), [[32, 32, 16]], "q, k, v = self.qkv(x).split([32, 32, 16], dim=-1)", dim=-1
    )
    assert codes(d) == ["SC113"]
    finding = d.findings[0]
    assert finding.message == "`Tensor.split` at line 10 splits 96 values into parts that sum to 80"
    assert "96 = 3 × 32: every part but part 2 is 32" in finding.why
    assert finding.fixes[0].after == "q, k, v = self.qkv(x).split([32, 32, 32], dim=-1)"


def test_sc113_a_split_with_no_pattern_in_its_parts_gets_no_fix():
    d = _failing_op("Tensor.split", (1, 10, 96), [[40, 30]], "a, b = x.split([40, 30], dim=-1)", dim=-1)
    assert codes(d) == ["SC113"] and d.findings[0].fixes == []


def test_sc113_unflatten_sizes_that_do_not_multiply_to_the_dim():
    d = _failing_op("Tensor.unflatten", (1, 32), [-1, [4, 10]], "return x.unflatten(-1, (4, 10))")
    assert codes(d) == ["SC113"]
    finding = d.findings[0]
    assert finding.message == "`Tensor.unflatten` at line 10 splits 32 values into 4 × 10 = 40"
    (fix,) = finding.fixes  # 10 does not divide 32: one reading
    assert fix.after == "return x.unflatten(-1, (4, -1))" and fix.safety == "display-only"


def test_sc113_expand_of_a_dim_that_is_not_one():
    d = _failing_op("Tensor.expand", (1, 16, 32), [1, 20, -1], "return self.pos.expand(1, x.shape[1], -1)")
    assert codes(d) == ["SC113"]
    assert d.findings[0].message == "`Tensor.expand` at line 10 cannot expand dim 1 from 16 to 20"
    assert "expand only repeats a dim of size 1; it cannot grow 16 to 20" in d.findings[0].why[0]


def test_sc113_sizes_that_fit_are_no_finding():
    assert "SC113" not in codes(_failing_op("Tensor.unflatten", (1, 32), [-1, [4, 8]], "x.unflatten(-1, (4, 8))"))
    assert "SC113" not in codes(_failing_op("Tensor.expand", (1, 1, 32), [1, 20, -1], "x.expand(1, 20, -1)"))


def test_sc131_permute_given_more_dims_than_the_tensor_has():
    d = _failing_op("Tensor.permute", (1, 3, 4), [0, 2, 1, 3], "return x.permute(0, 2, 1, 3)", category="layout")
    assert codes(d) == ["SC131"]
    finding = d.findings[0]
    assert finding.message == "`Tensor.permute` at line 10 orders 4 dims of a tensor with 3 dims"
    assert finding.why[0].endswith("so the code here expects 4 dims")


def test_sc131_repeat_with_fewer_counts_than_dims():
    d = _failing_op("Tensor.repeat", (1, 3, 4), [2, 1], "return x.repeat(2, 1)")
    assert codes(d) == ["SC131"]
    assert "the tensor has 1 more than the code counts" in d.findings[0].why[0]
    assert "SC131" not in codes(_failing_op("Tensor.repeat", (3, 4), [2, 1, 1], "return x.repeat(2, 1, 1)"))


def test_sc112_out_of_place_reading_assigns_a_bare_statement_and_skips_a_slice():
    d = _in_place_trace("Tensor.sub_", (1, 28, 28), (3, 1, 1), "x.sub_(self.mean)")
    assert d.findings[0].fixes[1].after == "x = x - self.mean"
    d = _in_place_trace("Tensor.__iadd__", (2, 1), (2, 3), "out[:, :1] += self.offset")
    assert len(d.findings[0].fixes) == 1  # a slice cannot hold the larger result: no out-of-place reading


def test_sc131_permute_with_more_dims_says_the_call_may_list_too_many():
    d = _failing_op("Tensor.permute", (1, 32, 10), [0, 3, 2, 1], "return h.permute(0, 3, 2, 1)", category="layout")
    assert "or the call lists 1 dim more than the tensor has" in d.findings[0].why


def test_sc113_expand_cannot_shrink():
    d = _failing_op("Tensor.expand", (1, 2, 32), [4, 1, -1], "return t.expand(4, 1, -1)")
    assert "it cannot change 2 to 1" in d.findings[0].why[0]
