"""`shapecheck explain`: every message family, decoded without a model or torch."""

import os
import subprocess
import sys

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from shapecheck.cli import app
from shapecheck.diagnose.registry import CODES
from shapecheck.explain import explain

# (message as PyTorch prints it, code, texts the explanation must contain)
FAMILIES = [
    (
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (3584x7 and 25088x100)",
        "SC101",
        ["3584 = 1·512·7", "[1, 512, 7, 7]", "torch.flatten(x, 1)"],
    ),
    ("a and b must have same reduction dim, but got [3584, 7] X [25088, 4096].", "SC101", ["512·7·7 = 25088"]),
    (
        "mat1 and mat2 shapes cannot be multiplied (1x41472 and 25088x100)",
        "SC102",
        ["512·9·9 = 41472", "512·7·7 = 25088", "AdaptiveAvgPool2d((7, 7))"],
    ),
    ("mat1 and mat2 shapes cannot be multiplied (1x64 and 128x2)", "SC102", ["nn.Linear(64, 2)"]),
    ("mat1 and mat2 shapes cannot be multiplied (10x49 and 490x10)", "SC105", ["x.unsqueeze(0)", "10·49 = 490"]),
    (
        "Given groups=1, weight of size [64, 3, 7, 7], expected input[1, 1, 224, 224] to have 3 channels, but got "
        "1 channels instead",
        "SC104",
        ["grayscale", "x.expand(-1, 3, -1, -1)", "out_channels=64"],
    ),
    (
        "Given groups=1, weight of size [16, 1, 3, 3], expected input[1, 8, 28, 28] to have 1 channels, but got 8 "
        "channels instead",
        "SC104",
        ["x.unsqueeze(1)", "SC105"],
    ),
    ("ValueError: expected 4D input (got 3D input)", "SC105", ["batch dim is missing"]),
    ("running_mean should contain 32 elements not 64", "SC104", ["num_features=32"]),
    (
        "Given input size: (1024x4x4). Calculated output size: (1024x0x0). Output size is too small",
        "SC107",
        ["1024 channels of 4×4", "AdaptiveAvgPool2d(1)"],
    ),
    (
        "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than "
        "actual input size",
        "SC107",
        ["(3 x 3)", "frames"],
    ),
    (
        "Expected more than 1 value per channel when training, got input size torch.Size([1, 512, 1, 1])",
        "SC108",
        ["[1, 512, 1, 1]", "GroupNorm", "model.eval()"],
    ),
    (
        "Sizes of tensors must match except in dimension 1. Expected size 30 but got size 31 for tensor number 1 in "
        "the list.",
        "SC109",
        ["multiples of 2^depth", "F.interpolate"],
    ),
    (
        "view size is not compatible with input tensor's size and stride (at least one dimension spans across two "
        "contiguous subspaces). Use .reshape(...) instead.",
        "SC111",
        [".reshape(...)", ".contiguous().view"],
    ),
    (
        "The size of tensor a (7) must match the size of tensor b (10) at non-singleton dimension 3",
        "SC112",
        ["dim 3", "stride 2"],
    ),
    ("shape '[-1, 400]' is invalid for input of size 384", "SC113", ["400 = 16·5·5", "16·2·2 = 64", "a batch of 6"]),
    ("Expected input batch_size (64) to match target batch_size (16).", "SC106", ["4 rows", "torch.flatten(x, 1)"]),
    (
        "Error(s) in loading state_dict for ResNet:\n\tsize mismatch for fc.weight: copying a param with shape "
        "torch.Size([1000, 2048]) from checkpoint, the shape in current model is torch.Size([50, 2048]).",
        "SC110",
        ["num_classes=1000", "strict=False skips missing keys, not size mismatches"],
    ),
    # a rank retyped short, a size a web page dropped: read as PyTorch writes them
    (
        "Expected 3D input for 3D weight [16, 1, 5], but got 2D input of size [32, 100] instead",
        "SC105",
        ["unsqueeze(1)"],
    ),
    (
        "Expected 5-dimensional input for 5-dimensional weight [64, 3, 3, 7, 7], but got 4-dimensional input of size "
        "instead",
        "SC105",
        ["unsqueeze(0)", "lost the input's size"],
    ),
    # a dim the tensor lacks (SC131): the op in the line that raised picks the story
    (
        "    x = torch.cat([h, c], dim=2)\nIndexError: Dimension out of range (expected to be in range of [-2, 1], "
        "but got 2)",
        "SC131",
        ["`cat` along a dim the tensors do not have", "dims 0 … 1", "torch.stack"],
    ),
    (
        "    preds = torch.argmax(labels, dim=1)\nIndexError: Dimension out of range (expected to be in range of "
        "[-1, 0], but got 1)",
        "SC131",
        ["class indices [N] (the labels)"],
    ),
    (
        "    probs = F.softmax(logits, dim=1)\nIndexError: Dimension out of range (expected to be in range of [-1, 0], "
        "but got 1)",
        "SC131",
        ["a single sample without its batch dim", "x.unsqueeze(0)"],
    ),
    ("dimension specified as 1 but tensor has no dimensions", "SC131", ["0-D tensor", "x.item()"]),
    ("x[0, 1]\nIndexError: too many indices for tensor of dimension 1", "SC131", ["more indices"]),
    # a map's width read as features; images flattened; flattened images read as one unbatched sample
    (
        "mat1 and mat2 shapes cannot be multiplied (3584x7 and 4096x10)",
        "SC102",
        ["[N, C, 7, 7] reached the Linear unflattened", "torch.flatten(x, 1)"],
    ),
    (
        "mat1 and mat2 shapes cannot be multiplied (16x49152 and 150528x10)",
        "SC102",
        ["49152 = 3·128·128: a 128×128 RGB image", "150528 = 3·224·224: a 224×224 RGB image"],
    ),
    (
        "Given groups=1, weight of size [8, 3, 3, 3], expected input[1, 16, 3, 1024] to have 3 channels, but got 16 "
        "channels instead",
        "SC104",
        ["1024 = 32·32", "x.view(-1, 3, 32, 32)"],
    ),
    # a flattened map's C·s·s said alone; a weight multiplied untransposed; a Linear's output into a conv
    (
        "mat1 and mat2 shapes cannot be multiplied (32x3136 and 2048x10)",
        "SC102",
        ["3136 = 64·7·7", "in_features must be 3136"],
    ),
    ("mat1 and mat2 shapes cannot be multiplied (16x512 and 10x512)", "SC102", ["x @ W.T", "nn.Linear(512, 10)"]),
    (
        "Expected 3-dimensional input for 3-dimensional weight [64, 16, 3], but got 2-dimensional input of size "
        "[8, 50] instead",
        "SC105",
        ["a 2-D [8, 50] tensor", "the layers are in another order"],
    ),
]


# Messages people post about sequence models and older PyTorch versions (issue 10).
FAMILIES += [
    (
        "input.size(-1) must be equal to input_size. Expected 300, got 100",
        "SC115",
        ["input_size=100", "x.transpose(1, 2)"],
    ),
    ("input must have 3 dimensions, got 2", "SC105", ["[T, N, F]"]),
    (
        "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 8, 3, 512, 512]",
        "SC105",
        ["2·8 = 16 images", "x.flatten(0, 1)", "[16, 3, 512, 512]"],
    ),
    (
        "Expected 4-dimensional input for 4-dimensional weight [64, 3, 7, 7], but got 3-dimensional input of size "
        "[3, 224, 224] instead",
        "SC105",
        ["x.unsqueeze(0)", "[C=3, H, W]"],
    ),
    (
        "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got "
        "torch.FloatTensor instead",
        "SC118",
        ["ids.long()", "--input 128:long"],
    ),
    ("Expected input batch_size (60) to match target batch_size (10)", "SC106", ["6 rows"]),
    (
        "Using a target size (torch.Size([128])) that is different to the input size (torch.Size([128, 1]))",
        "SC125",
        ["output.squeeze(1)", "[128, 128]"],
    ),
    ("size mismatch, m1: [1 x 32768], m2: [25088 x 512]", "SC102", ["32768", "25088"]),
    ("embed_dim must be divisible by num_heads", "SC117", ["divisors of embed_dim"]),
    ("shape '[16, 34, 34, 512]' is invalid for input of size 8921088", "SC113", ["1089 = 33·33", "34·34 = 1156"]),
    (
        "Sizes of tensors must match except in dimension 0. Expected size 77 but got size 154 for tensor number 1 in "
        "the list.",
        "SC109",
        ["padded to different lengths"],
    ),
    ("running_mean should contain 36 elements not 2048", "SC104", ["last dim", "transpose(1, 2)"]),
    ("mat1 and mat2 shapes cannot be multiplied (2x8 and 64x10)", "SC102", ["8 features"]),
    # the widest channel count that makes both sides square maps: 2048 = 512·2·2 against a pooled 512
    ("mat1 and mat2 shapes cannot be multiplied (64x2048 and 512x10)", "SC102", ["512·2·2 = 2048", "global pool"]),
]

# Issue 31, third round: a conv's channel count read from the input's other dims and from the two counts.
FAMILIES += [
    (
        "Given groups=1, weight of size [64, 300, 3], expected input[32, 100, 300] to have 300 channels, "
        "but got 100 channels instead",
        "SC104",
        ["[N, L, C]", "x.transpose(1, 2)"],
    ),
    (
        "Given groups=1, weight of size [64, 3, 3, 3, 3], expected input[2, 16, 3, 112, 112] to have 3 channels, "
        "but got 16 channels instead",
        "SC104",
        ["[N, T, C, H, W]", "permute(0, 2, 1, 3, 4)"],
    ),
    (
        "Given groups=1, weight of size [512, 1024, 3, 3], expected input[1, 512, 64, 64] to have 1024 channels, "
        "but got 512 channels instead",
        "SC104",
        ["1024 = 2·512", "skip connection"],
    ),
    (
        "Given groups=1, weight of size [64, 32, 3, 3], expected input[8, 48, 56, 56] to have 32 channels, "
        "but got 48 channels instead",
        "SC104",
        ["in_channels=48 on this conv", "pretrained"],
    ),
    (
        "Given groups=1, weight of size [1536, 16, 1, 2, 2], expected input[1, 36, 22, 60, 104] to have 16 "
        "channels, but got 36 channels instead",
        "SC104",
        ["image-to-video", "16 latent"],
    ),
    (
        "The size of tensor a (245) must match the size of tensor b (244) at non-singleton dimension 2",
        "SC112",
        ["245 → 122, back up to 244", "multiple of the network's total stride", "F.interpolate"],
    ),
    ("running_mean should contain 50 elements not 128", "SC104", ["50 positions", "transpose(1, 2)"]),
    ("running_mean should contain 1 elements not 100", "SC104", ["[N, 1, 100]", "x.squeeze(1)"]),
    (
        "RuntimeError: stack expects each tensor to be equal size, but got [3, 224, 224] at entry 0 and "
        "[1, 224, 224] at entry 5",
        "SC109",
        ["RGB (3 channels) and grayscale (1 channel) images", ".convert('RGB')"],
    ),
    # a dim of 1 too many in front: the batch or channel dim added twice
    (
        "RuntimeError: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
        "[64, 1, 1, 28, 28]",
        "SC105",
        ["extra dim of 1 at dim 1", "[64, 1, 28, 28]", "x.squeeze(1)"],
    ),
    (
        "RuntimeError: Expected 4-dimensional input for 4-dimensional weight [64, 3, 7, 7], but got 5-dimensional "
        "input of size [1, 8, 3, 224, 224] instead",
        "SC105",
        ["extra dim of 1 at dim 0", "x.squeeze(0)", "one clip of 8 frames"],
    ),
    # an expand's two shapes say what was expanded
    (
        "RuntimeError: The expanded size of the tensor (64) must match the existing size (96) at non-singleton "
        "dimension 1.  Target sizes: [96, 64].  Tensor sizes: [96]",
        "SC112",
        ["one value per row", "keepdim=True"],
    ),
    (
        "RuntimeError: The expanded size of the tensor (100) must match the existing size (99) at non-singleton "
        "dimension 0. Target sizes: [100, 1024]. Tensor sizes: [99, 1024]",
        "SC112",
        ["last batch of an epoch is smaller", "drop_last=True"],
    ),
    (
        "RuntimeError: The expanded size of the tensor (1024) must match the existing size (512) at non-singleton "
        "dimension 1.  Target sizes: [1, 1024].  Tensor sizes: [1, 512]",
        "SC112",
        ["max_position_embeddings", "max_length=512"],
    ),
    (
        "RuntimeError: The expanded size of the tensor (5) must match the existing size (4) at non-singleton "
        "dimension 1.  Target sizes: [32, 5].  Tensor sizes: [4]",
        "SC112",
        ["4 values per class", "5 classes"],
    ),
    # einsum operands that differ in one dim: which dim says why
    (
        "RuntimeError: einsum(): operands do not broadcast with remapped shapes [original->remapped]: "
        "[2, 8, 77, 64]->[2, 8, 77, 1, 64] [2, 4, 77, 64]->[2, 4, 1, 77, 64]",
        "SC112",
        ["grouped-query attention", "repeat_interleave(2, dim=1)"],
    ),
    # a checkpoint's key names what its tensor is
    (
        "size mismatch for model.embed_tokens.weight: copying a param with shape torch.Size([32001, 4096]) from "
        "checkpoint, the shape in current model is torch.Size([32000, 4096]).",
        "SC110",
        ["vocabularies of two sizes", "resize_token_embeddings(32001)"],
    ),
    (
        "size mismatch for base_model.model.q_proj.lora_A.default.weight: copying a param with shape "
        "torch.Size([16, 4096]) from checkpoint, the shape in current model is torch.Size([8, 4096]).",
        "SC110",
        ["r=16", "LoraConfig(r=16"],
    ),
    (
        "size mismatch for h.0.attn.c_attn.weight: copying a param with shape torch.Size([768, 2304]) from "
        "checkpoint, the shape in current model is torch.Size([2304, 768]).",
        "SC110",
        ["transposed", "sd[k].t()"],
    ),
    (
        "size mismatch for pos_embed: copying a param with shape torch.Size([1, 197, 768]) from checkpoint, the "
        "shape in current model is torch.Size([1, 577, 768]).",
        "SC110",
        ["224×224 image", "384×384 image", "resample_abs_pos_embed"],
    ),
    (
        "size mismatch for encoder.layer.0.attention.self.query.weight: copying a param with shape "
        "torch.Size([1024, 1024]) from checkpoint, the shape in current model is torch.Size([768, 768]).",
        "SC110",
        ["another variant", "checkpoint's own config"],
    ),
    # several layers that differ in their inputs too are a model of another width, whatever the last key
    (
        "\tsize mismatch for a.up.0.weight: copying a param with shape torch.Size([64, 64, 8, 8]) from checkpoint, "
        "the shape in current model is torch.Size([64, 64, 6, 6]).\n\tsize mismatch for a.down.0.weight: copying a "
        "param with shape torch.Size([64, 64, 8, 8]) from checkpoint, the shape in current model is "
        "torch.Size([64, 64, 6, 6]).\n\tsize mismatch for fc.weight: copying a param with shape "
        "torch.Size([10, 512]) from checkpoint, the shape in current model is torch.Size([20, 512]).",
        "SC110",
        ["several layers", "checkpoint's own config"],
    ),
    # a dtype mismatch is read by the dtypes it names
    ("RuntimeError: expected scalar type Long but found Float", "", ["class indices", ".long()"]),
    (
        "RuntimeError: Input type (unsigned char) and bias type (float) should be the same",
        "",
        ["uint8", "x.float() / 255"],
    ),
    ("RuntimeError: mat1 and mat2 must have the same dtype", "", ["float64", ".long()", "autocast", "uint8"]),
    # ATen's "Argument #4: " prefix left out, as older releases and quoted pastes do
    (
        "RuntimeError: Padding size should be less than the corresponding input dimension, but got: padding (3, 3) "
        "at dimension 3 of input [1, 64, 2, 2]",
        "SC107",
        ["dim 3 has 2 entries", "at least 4", "(3, 3)"],
    ),
    (
        "RuntimeError: Argument #6: Padding size should be less than the corresponding input dimension, but got: "
        "padding (1, 1) at dimension 2 of input [8, 16, 1, 5]",
        "SC107",
        ["dim 2 has 1 entries", "at least 2"],
    ),
    ("running_mean should contain 4096 elements not 256", "SC104", ["4096 = 256·4·4", "nn.BatchNorm2d(256)"]),
    ("running_mean should contain 64 elements not 3136", "SC104", ["3136 = 64·7·7", "after the flatten"]),
    (
        "mat1 and mat2 shapes cannot be multiplied (512x2304 and 256x4)",
        "SC102",
        ["256·3·3 = 2304", "3×3 feature map", "pooled 256-channel map", "AdaptiveAvgPool2d((1, 1))"],
    ),
]

# Readings an earlier version gave that the numbers do not support: never say them again.
MUST_NOT_SAY = [
    # a conv's in_channels against its own out_channels is no ratio (32 = 2·16 of weight [16, 32, 3, 3])
    (
        "Given groups=1, weight of size [16, 32, 3, 3], expected input[42, 19, 224, 224] to have 32 channels, but got "
        "19 channels instead",
        ["2·16", "exactly 2 times"],
    ),
    # widths that are powers of two are not read as maps' sides (1024 = 16·8·8 is as likely a width)
    ("mat1 and mat2 shapes cannot be multiplied (8x1024 and 512x10)", ["16·8·8", "conv map flattened"]),
    ("shape '[16, 34, 34, 512]' is invalid for input of size 8921088", ["2048·68·68", "68×68"]),
    (
        "Sizes of tensors must match except in dimension 0. Expected size 77 but got size 154 for tensor number 1 in "
        "the list.",
        ["U-Net", "downsample differently", "2^depth"],
    ),
    ("running_mean should contain 36 elements not 2048", ["BatchNorm2d(36)"]),
    # a specific reading fits: the resizing fix is not offered beside it
    (
        "Given groups=1, weight of size [64, 3, 7, 7], expected input[1, 224, 224, 3] to have 3 channels, but got "
        "224 channels instead",
        ["in_channels=224"],
    ),
    (
        "Given groups=1, weight of size [320, 9, 3, 3], expected input[1, 4, 64, 64] to have 9 channels, but got 4 "
        "channels instead",
        ["in_channels=4"],
    ),
    # dtypes the message names pick the reading: no numpy float64 story for Long against Float
    ("RuntimeError: expected scalar type Long but found Float", ["float64", "autocast"]),
    ("Input type (torch.cuda.HalfTensor) and weight type (torch.cuda.FloatTensor) should be the same", ["numpy"]),
    # a batch of 1 broadcasts: it is not repeated
    (
        "RuntimeError: einsum(): operands do not broadcast with remapped shapes [original->remapped]: "
        "[277, 8, 1, 234]->[277, 8, 234, 1, 1] [1, 64, 64]->[1, 1, 64, 1, 64]",
        ["repeat_interleave(277"],
    ),
    # a vocabulary or a LoRA rank is not a classifier head
    (
        "size mismatch for model.embed_tokens.weight: copying a param with shape torch.Size([32001, 4096]) from "
        "checkpoint, the shape in current model is torch.Size([32000, 4096]).",
        ["num_classes"],
    ),
    (
        "size mismatch for base_model.model.q_proj.lora_A.default.weight: copying a param with shape "
        "torch.Size([16, 4096]) from checkpoint, the shape in current model is torch.Size([8, 4096]).",
        ["num_classes"],
    ),
    # two heads of a detector differ only in their outputs: a class count, not a model width
    (
        "\tsize mismatch for roi_heads.box_predictor.cls_score.weight: copying a param with shape "
        "torch.Size([91, 1024]) from checkpoint, the shape in current model is torch.Size([2, 1024]).\n\tsize "
        "mismatch for roi_heads.box_predictor.bbox_pred.weight: copying a param with shape torch.Size([364, 1024]) "
        "from checkpoint, the shape in current model is torch.Size([8, 1024]).",
        ["several layers"],
    ),
    # a singleton dim 1 is an extra dim: no BatchNorm of 1 channel
    ("running_mean should contain 1 elements not 100", ["num_features=1"]),
    # sides far apart, or a sequence's length, are not a rounded map
    ("The size of tensor a (16648) must match the size of tensor b (16384) at non-singleton dimension 2", ["rounded"]),
    ("The size of tensor a (101) must match the size of tensor b (20) at non-singleton dimension 1", ["rounded"]),
    # a width that is a multiple of 8 in dim 1 is read as channels first
    (
        "running_mean should contain 64 elements not 128",
        ["BatchNorm1d reads dim 1, here 64 positions (SC114)\n  - or"],
    ),
    ("mat1 and mat2 shapes cannot be multiplied (2x8 and 64x10)", ["[N, 1, 8, 8]", "2 = N", "unflattened"]),
]


@pytest.mark.parametrize("message, wrong", MUST_NOT_SAY, ids=[m[0][:40] for m in MUST_NOT_SAY])
def test_wrong_readings_are_not_given(message, wrong):
    text = explain(message).text()
    for piece in wrong:
        assert piece not in text, (piece, text)


@pytest.mark.parametrize("message, code, texts", FAMILIES, ids=[f[1] + "-" + f[0][:30] for f in FAMILIES])
def test_every_family_is_explained(message, code, texts):
    found = explain(message)
    assert found is not None and found.code == code
    text = found.text()
    for piece in texts:
        assert piece in text, (piece, text)


def test_cli_reads_argument_or_stdin_and_exits_1_when_unknown():
    runner = CliRunner()
    result = runner.invoke(app, ["explain", FAMILIES[0][0]])
    assert result.exit_code == 0 and result.stdout.startswith("SC101 missing-flatten")
    piped = runner.invoke(app, ["explain"], input=FAMILIES[12][0] + "\n")
    assert piped.exit_code == 0 and "SC109" in piped.stdout
    unknown = runner.invoke(app, ["explain", "the kettle is not boiling"])
    assert unknown.exit_code == 1
    assert "does not recognise" in unknown.stderr


def test_explain_and_rule_do_not_import_torch():
    code = (
        "import sys\nfrom shapecheck.cli import app\n"
        "for args in (['explain', 'mat1 and mat2 shapes cannot be multiplied (1x64 and 128x2)'], ['rule', 'SC101'],"
        " ['rule']):\n"
        "    try:\n        app(args)\n    except SystemExit:\n        pass\n"
        "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=ROOT),
        check=True,
    ).stdout
    assert out.strip().endswith("NO-TORCH")
    assert "What it does" in out


def test_rule_command():
    runner = CliRunner()
    one = runner.invoke(app, ["rule", "missing-flatten"])
    assert one.exit_code == 0
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
        assert heading in one.stdout
    listing = runner.invoke(app, ["rule"])
    assert listing.stdout.count("\n") == len(CODES) and "SC110  checkpoint-mismatch      active" in listing.stdout
    assert runner.invoke(app, ["rule", "SC999"]).exit_code == 2


def test_no_pattern_can_scan_past_its_own_message():
    """A negated class with no bound (`[^\\]]*`) lets each repeat of a message's prefix scan to
    the end of the paste: quadratic (1 MB of `Given groups=1, weight of size [` took 75 s).
    benchmarks/explain_long.py times the worst pastes."""
    import re

    from shapecheck.explain.families import TEMPLATES

    for template in TEMPLATES:
        assert not re.search(r"\[\^[^\]]*\][*+]", template.pattern.pattern), template.text


def test_numbers_with_thousands_of_digits_are_described_not_read():
    found = explain("mat1 and mat2 shapes cannot be multiplied (" + "7" * 5000 + "x7 and 25088x100)")
    assert found is not None and found.code == "SC100"
    assert "larger than any tensor" in found.causes[1]
