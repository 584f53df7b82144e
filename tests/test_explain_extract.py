"""`explain` past its hand-written templates: the table extracted from PyTorch's sources, the
families it reads, the not-shape families, paste variations, the numbers' relations and the
traceback's code lines (issue 31)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from shapecheck.explain import explain
from shapecheck.explain import extract as extraction
from shapecheck.explain.explanation import NOT_SHAPE, UNDECODED
from shapecheck.explain.extracted import rows
from shapecheck.explain.relations import relate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))


def test_rerunning_the_extraction_reproduces_the_committed_table():
    from shapecheck.explain.table import TORCH

    if extraction.torch_version() != TORCH:  # another release has other messages: the CI's version matrix
        pytest.skip(f"the table was extracted from torch {TORCH}, torch {extraction.torch_version()} is installed")
    assert extraction.render(extraction.extract()) == extraction.TABLE.read_text(encoding="utf-8")


def test_the_extraction_reads_python_and_cpp_messages():
    source = (
        "def meta_bmm(a, b):\n"
        "    torch._check(a.dim() == 3, lambda: f'batch1 must be a 3D tensor, got {a.dim()}')\n"
        "    if a.size(0) != b.size(0):\n"
        "        raise RuntimeError('wrong batch ' + str(a.size(0)) + ' and %d' % b.size(0))\n"
    )
    path = ROOT / "tests" / "corpus" / "_extract_probe.py"
    path.write_text(source)
    try:
        found = extraction.python_messages(path, "probe.py")
    finally:
        path.unlink()
    assert ("batch1 must be a 3D tensor, got {}", "torch/probe.py: meta_bmm") in found
    assert ("wrong batch {} and {}", "torch/probe.py: meta_bmm") in found
    cpp = 'void check_it(const Tensor& t) {\n  TORCH_CHECK(t.dim() == 2, "expected 2D, got ", t.dim(), "D input");\n}\n'
    assert extraction.cpp_messages(cpp, "x.cpp") == [("expected 2D, got {}D input", "x.cpp: check_it")]
    assert extraction.family_of("index {} is out of bounds for dimension {} with size {}") == "index-range"
    assert extraction.family_of("the kettle is cold") is None


@pytest.mark.parametrize("row", rows(), ids=lambda r: r.text[:60])
def test_every_extracted_message_filled_with_values_is_read_back(row):
    message = row.text.replace("{}", "7")
    e = explain(f"Traceback (most recent call last):\n  ...\nRuntimeError: {message}")
    assert e is not None and e.title != UNDECODED, message
    assert e.causes or e.fixes


# (message as pasted, code, texts the explanation must contain)
FAMILIES = [
    (
        "RuntimeError: Expected size for first two dimensions of batch2 tensor to be: [32, 64] but got: [32, 128].",
        "SC102",
        ["bmm", "transpose(-2, -1)"],
    ),
    ("RuntimeError: self must be a matrix", "SC105", ["torch.matmul"]),
    (
        "RuntimeError: matrices expected, got 3D, 2D tensors at /pytorch/aten/src/TH/generic/THTensorMath.cpp:131",
        "SC105",
        ["2-D"],
    ),
    (
        "Given transposed=1, weight of size [64, 32, 4, 4], expected input[1, 128, 8, 8] to have 64 channels, but "
        "got 128 channels instead",
        "SC104",
        ["in_channels=64 first", "skip connection"],
    ),
    (
        "ValueError: Expected more than 1 spatial element when training, got input size torch.Size([1, 64, 1, 1])",
        "SC108",
        ["InstanceNorm", "1×1"],
    ),
    ("ValueError: expected 2D or 3D input (got 4D input)", "SC105", ["BatchNorm2d"]),
    ("IndexError: index 10 is out of bounds for dimension 0 with size 10", "SC124", ["off by one"]),
    ("IndexError: Target 10 is out of bounds.", "SC125", ["num_classes", "ignore_index"]),
    (
        "IndexError: The shape of the mask [4] at index 0 does not match the shape of the indexed tensor [8, 3] at "
        "index 0",
        "SC112",
        ["[4]", "[8, 3]"],
    ),
    (
        "RuntimeError: split_with_sizes expects split_sizes to sum exactly to 768 (input tensor's size at dimension "
        "-1), but got split_sizes=[256, 256, 512]",
        "SC113",
        ["add up to 1024", "768"],
    ),
    ("RuntimeError: zero-dimensional tensor (at position 0) cannot be concatenated", "SC109", ["torch.stack"]),
    (
        "RuntimeError: shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [2]",
        "SC112",
        ["[3]", "[2]"],
    ),
    ("RuntimeError: maximum size for tensor at dimension 2 is 3 but size is 4", "SC107", ["unfold"]),
    (
        "einsum(): the number of subscripts in the equation (2) does not match the number of dimensions (3) for "
        "operand 0 and no ellipsis was given",
        "SC112",
        ["3 dims", "2 subscripts"],
    ),
    (
        "ValueError: Attention mask should be of size (1, 1, 5, 5), but is torch.Size([1, 1, 5, 10])",
        "SC117",
        ["key length"],
    ),
    (
        "torch._dynamo.exc.UserError: Constraints violated (batch)! For more information, run with "
        'TORCH_LOGS="+dynamic".',
        "SC100",
        ["specialized", "Dim("],
    ),
    (
        "RuntimeError: output with shape [1, 28, 28] doesn't match the broadcast shape [3, 28, 28]",
        "SC112",
        ["grayscale", "Normalize"],
    ),
    ("RuntimeError: For batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) tensors", "SC116", ["hx"]),
    ("RuntimeError: Tensors must have same number of dimensions: got 2 and 3", "SC109", ["unsqueeze"]),
    (
        "RuntimeError: Argument #4: Padding size should be less than the corresponding input dimension, but got: "
        "padding (2, 2) at dimension 3 of input [1, 3, 1, 1]",
        "SC107",
        ["reflect"],
    ),
]


@pytest.mark.parametrize("message, code, texts", FAMILIES, ids=[f[0][:50] for f in FAMILIES])
def test_families_missing_before_are_read(message, code, texts):
    e = explain(message)
    assert e is not None and e.code == code, (message, e and e.code)
    story = e.text()
    for text in texts:
        assert text in story, (text, story)


NOT_SHAPE_MESSAGES = [
    ("RuntimeError: mat1 and mat2 must have the same dtype, but got Double and Float", "dtype"),
    ("RuntimeError: expected scalar type Float but found Double", "dtype"),
    ("RuntimeError: Found dtype Long but expected Float", "dtype"),
    ("RuntimeError: Input type (double) and bias type (float) should be the same", "dtype"),
    (
        "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!",
        "device",
    ),
    (
        "RuntimeError: Input type (torch.cuda.FloatTensor) and weight type (torch.FloatTensor) should be the same",
        "device",
    ),
    (
        "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 7.79 GiB total "
        "capacity; 6.52 GiB already allocated)",
        "out of memory",
    ),
    (
        "RuntimeError: one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [64, 10]], which is output 0 of ReluBackward0, is at version 2; expected "
        "version 1 instead.",
        "in place",
    ),
    ("RuntimeError: CUDA error: device-side assert triggered", "device-side assert"),
]


@pytest.mark.parametrize("message, word", NOT_SHAPE_MESSAGES, ids=[m[0][:50] for m in NOT_SHAPE_MESSAGES])
def test_not_shape_families_say_so_with_their_fix(message, word):
    e = explain(message)
    assert e is not None and e.code == NOT_SHAPE, (message, e and e.code)
    assert e.text().startswith("not a shape problem") and word in e.text() and e.fixes


def test_the_device_side_assert_names_the_assertion_the_paste_shows():
    e = explain(
        "../Loss.cu:242: nll_loss_forward: block: [0,0,0] Assertion `t >= 0 && t < n_classes` failed.\n"
        "RuntimeError: CUDA error: device-side assert triggered"
    )
    assert e.code == NOT_SHAPE and "num_classes" in e.causes[0]


@pytest.mark.parametrize(
    "paste",
    [
        "E   RuntimeError: Given groups=1, weight of size [64, 3, 7, 7], expected input[1, 1, 224, 224] to have "
        "3 channels,\nE   but got 1 channels instead",
        "2024-03-01 10:22:31,114 - ERROR - Given groups=1, weight of size [64, 3, 7, 7], expected "
        "input[1, 1, 224, 224] to have 3 channels, but got 1 channels instead",
        "[rank0]: Given groups=1, weight of size \\[64, 3, 7, 7\\], expected input\\[1, 1, 224, 224\\] to have 3 "
        "channels, but got 1 channels instead",
    ],
)
def test_log_prefixes_and_markdown_escapes_are_read_through(paste):
    e = explain(paste)
    assert e is not None and e.code == "SC104" and "grayscale" in e.text()


def test_old_wordings_with_c_paths_and_lost_punctuation():
    old_cat = (
        "invalid argument 0: Sizes of tensors must match except in dimension 1. Got 2 and 3 in dimension 0 at "
        "/pytorch/aten/src/THC/generic/THCTensorMath.cu:83"
    )
    assert explain(old_cat).code == "SC109"
    assert (
        explain(
            "size mismatch, m1: [64 x 2048], m2: [512 x 10] at /pytorch/aten/src/TH/generic/THTensorMath.cpp:197"
        ).code
        == "SC102"
    )
    layer = explain(
        "Given normalized_shape=[2560], expected input with shape [*2560], but got input of size[1, 77, 1280]"
    )
    assert layer is not None and layer.code == "SC104"
    mask = explain("The shape of the 2D attn_mask is torch.Size([77, 77]), but should be (25, 25)")
    assert mask is not None and mask.code == "SC117"


def test_numbers_are_related_to_each_other():
    facts = " ".join(relate([197, 768, 201728], tokens=True))
    assert "197 = 14² + 1" in facts and "224×224" in facts and "class token" in facts
    assert "6272 = 32·196" in " ".join(relate([6272, 32, 196]))
    assert "25088 = 512·7·7" in " ".join(relate([1, 25088, 512]))
    assert relate([3, 1, 2]) == []
    # alone, a square (+ 1) is as likely a class count or FFT bins: said only of tokens, or of two grids
    assert relate([101, 4]) == [] and relate([257, 64]) == []
    assert "257 = 16² + 1" in " ".join(relate([257, 197]))
    # coincidences are not said: a 132×132 map of a [16, 1089, 512] tensor, a width it does not name
    assert "132" not in " ".join(relate([16, 34, 512, 8921088])) and relate([13, 26624]) == []
    e = explain("RuntimeError: shape '[-1, 197, 768]' is invalid for input of size 301056")
    assert "197 = 14² + 1" in e.text()


def test_a_view_with_a_constant_batch_says_the_last_batch_is_smaller():
    e = explain("RuntimeError: shape '[64, 3, 32, 32]' is invalid for input of size 49152")
    assert "holds 16 samples" in e.causes[0] and "x.size(0)" in e.fixes[0]
    traced = explain(
        'Traceback (most recent call last):\n  File "train.py", line 40, in forward\n'
        "    x = x.view(batch_size, -1, 7, 7)\n"
        "RuntimeError: shape '[32, -1, 7, 7]' is invalid for input of size 25000"
    )
    assert "batch_size" in traced.causes[0]
    plain = explain("RuntimeError: shape '[-1, 400]' is invalid for input of size 384")
    assert "last batch" not in plain.causes[0]


def test_the_loss_called_in_the_paste_chooses_the_story():
    message = (
        "ValueError: Using a target size (torch.Size([16])) that is different to the input size (torch.Size([16, 1]))"
    )
    traced = explain(
        'Traceback (most recent call last):\n  File "train.py", line 12, in <module>\n'
        "    loss = nn.MSELoss()(out, y)\n" + message
    )
    assert traced.causes[0].startswith("the paste calls MSELoss")
    assert not explain(message).causes[0].startswith("the paste calls")


def test_an_einsum_equation_in_the_paste_is_read_against_the_shapes():
    e = explain(
        'File "attn.py", line 3, in forward\n    out = torch.einsum("bhqd,bhkd->bhqk", q, k)\n'
        "RuntimeError: einsum(): operands do not broadcast with remapped shapes [original->remapped]: "
        "[2, 8, 77, 64]->[2, 8, 77, 1, 64] [2, 4, 77, 64]->[2, 4, 1, 77, 64]"
    )
    assert "'bhqd,bhkd->bhqk'" in e.causes[0] and "h is 4 and 8" in e.causes[0]


def test_the_held_out_set_is_kept_apart_and_scored():
    from explain_corpus import FAMILIES, MESSAGES
    from explain_heldout import FAMILIES as MORE
    from explain_heldout import HELD_OUT
    from explain_score import grade

    corpus = {m for _, m, _ in MESSAGES}
    assert len(HELD_OUT) >= 40 and not corpus & {m for _, m, _ in HELD_OUT}
    graded = [grade(explain(m), f, {**FAMILIES, **MORE}) for f, m, _ in HELD_OUT]
    assert sum(r for _, r, _ in graded) >= 0.8 * len(HELD_OUT)
    assert sum(w for _, _, w in graded) <= 2
