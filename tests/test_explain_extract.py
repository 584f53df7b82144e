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
    # the kernel's name says which tensor has the dtype
    ("RuntimeError: \"nll_loss2d_forward_out_cpu\" not implemented for 'Float'", "target.long()"),
    ("RuntimeError: \"nll_loss_forward_reduce_cuda_kernel_2d_index\" not implemented for 'Int'", "int32 integers"),
    ("RuntimeError: \"addmm_impl_cpu_\" not implemented for 'Half'", "half precision) on the CPU"),
    ("RuntimeError: \"addmm_cuda\" not implemented for 'Byte'", "x.float()"),
    ("RuntimeError: \"index_select_out_cuda_impl\" not implemented for 'Float'", "ids.long()"),
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


def test_the_held_out_sets_are_kept_apart_and_scored():
    from explain_corpus import FAMILIES, MESSAGES
    from explain_heldout import FAMILIES as MORE
    from explain_heldout import HELD_OUT, LATER
    from explain_score import grade

    corpus = {m for _, m, _ in MESSAGES} | {s for *_, s in MESSAGES}
    for held, floor in ((HELD_OUT, 0.8), (LATER, 0.9)):
        assert len(held) >= 20 and not corpus & {m for _, m, _ in held} and not corpus & {s for *_, s in held}
        graded = [grade(explain(m), f, {**FAMILIES, **MORE}) for f, m, _ in held]
        assert sum(r for _, r, _ in graded) >= floor * len(held)
        assert sum(w for _, _, w in graded) <= 2
    from explain_heldout import FOURTH, THIRD

    for held in (THIRD, FOURTH):
        assert not corpus & {m for _, m, _ in held} and not corpus & {s for *_, s in held}
        graded = [grade(explain(m), f, {**FAMILIES, **MORE}) for f, m, _ in held]
        assert sum(r for _, r, _ in graded) >= 0.8 * len(held) and not any(w for _, _, w in graded)
    from explain_heldout import FIFTH, FIFTH_ANSWERS, FIFTH_FAMILIES, FIFTH_MUST
    from explain_score import story_right

    # the fifth set: each message with its thread's answer and the words a right story holds
    assert not corpus & {m for _, m, _ in FIFTH} and not corpus & {s for *_, s in FIFTH}
    assert {s for *_, s in FIFTH} == set(FIFTH_ANSWERS) == set(FIFTH_MUST)
    explained = [(explain(m), f, s) for f, m, s in FIFTH]
    graded = [grade(e, f, {**FAMILIES, **MORE, **FIFTH_FAMILIES}) for e, f, _ in explained]
    assert sum(r for _, r, _ in graded) >= 0.95 * len(FIFTH) and not any(w for _, _, w in graded)
    assert sum(story_right(e, FIFTH_MUST[s]) for e, _, s in explained) >= 0.9 * len(FIFTH)


def test_the_paste_s_latest_error_answers_a_warning_only_alone():
    warning = (
        "UserWarning: Using a target size (torch.Size([64])) that is different to the input size "
        "(torch.Size([64, 1])). This will likely lead to incorrect results due to broadcasting.\n"
    )
    e = explain(warning + "RuntimeError: shape '[64, -1]' is invalid for input of size 1000")
    assert e.code == "SC113"
    assert explain(warning).code == "SC125"
    chained = explain(
        "RuntimeError: stack expects each tensor to be equal size, but got [3, 32, 32] at entry 0 and [1, 32, 32] "
        "at entry 3\n\nDuring handling of the above exception, another exception occurred:\n\n"
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x100 and 200x10)"
    )
    assert chained.code == "SC102"


def test_the_traceback_names_a_loss_or_an_attention():
    broadcast = (
        "RuntimeError: The size of tensor a (32) must match the size of tensor b (64) at non-singleton dimension 0"
    )
    in_loss = explain(
        '  File "/usr/lib/python3.10/site-packages/torch/nn/modules/loss.py", line 536, in forward\n'
        "    return F.mse_loss(input, target, reduction=self.reduction)\n" + broadcast
    )
    assert in_loss.code == "SC125" and "MSELoss" in in_loss.causes[0]
    ipython = explain(
        "File ~/lib/python3.10/site-packages/torch/nn/modules/loss.py:536, in MSELoss.forward(self, input, target)\n"
        "--> 536     return F.mse_loss(input, target, reduction=self.reduction)\n" + broadcast
    )
    assert ipython.code == "SC125"
    user_line = explain('  File "train.py", line 9, in step\n    loss = criterion(out, y)\n' + broadcast)
    assert user_line.code == "SC125"
    assert explain(broadcast).code == "SC112"
    attention = explain(
        '  File "/x/site-packages/torch/nn/functional.py", line 5300, in multi_head_attention_forward\n'
        "    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)\n"
        "RuntimeError: shape '[10, 64, 32]' is invalid for input of size 40960"
    )
    assert attention.code == "SC117" and "batch_first" in attention.causes[0]


def test_position_embeddings_say_the_image_size_or_the_length():
    vit = explain(
        '  File "vit.py", line 12, in forward\n    x = x + self.pos_embed\n'
        "RuntimeError: The size of tensor a (257) must match the size of tensor b (197) at non-singleton dimension 1"
    )
    assert "256×256" in vit.causes[0] and "224×224" in vit.causes[0]
    text = explain(
        '  File "bert.py", line 12, in forward\n    embeddings = inputs_embeds + position_embeddings\n'
        "RuntimeError: The size of tensor a (1024) must match the size of tensor b (512) at non-singleton dimension 1"
    )
    assert "max_position_embeddings" in text.causes[0]


def test_an_invalid_view_is_read_dim_by_dim():
    grid = explain("RuntimeError: shape '[-1, 13, 13, 384]' is invalid for input of size 67968")
    assert "177 = 13² + 8" in grid.causes[0] and "flatten" not in " ".join(grid.causes)
    heads = explain("RuntimeError: shape '[1, 13, 8, 128]' is invalid for input of size 26624")
    story = " ".join(heads.causes)
    assert "dim 1 is off: it holds 26" in story and "dim 2 is off: it holds 16" in story  # two readings, not one
    qkv = explain("RuntimeError: shape '[64, 197, 3, 3, -1]' is invalid for input of size 9682944")
    assert "256 values, which do not split into 3" in qkv.causes[0]
    flatten = explain("RuntimeError: shape '[-1, 400]' is invalid for input of size 2704")
    assert "view(-1, constant)" in " ".join(flatten.causes)


def test_interpolate_says_which_side_lacks_dims():
    unbatched = explain(
        "ValueError: Input and output must have the same number of spatial dimensions, but got input with spatial "
        "dimensions of [32] and output size of (256, 256)."
    )
    assert unbatched.code == "SC105" and "unsqueeze(0)" in unbatched.fixes[0]
    hwc = explain(
        "ValueError: Input and output must have the same number of spatial dimensions, but got input with with "
        "spatial dimensions of [28, 28] and output size of torch.Size([281, 500, 3])."
    )
    assert "[H, W, C]" in hwc.causes[0]


def test_conv_channel_counts_name_the_input_they_come_from():
    hwc = explain(
        "RuntimeError: Given groups=1, weight of size 64 3 3 3, expected input[1, 512, 512, 3] to have 3 channels, "
        "but got 512 channels instead"
    )
    assert "channels-last" in hwc.causes[0] and "permute(0, 3, 1, 2)" in hwc.fixes[0]
    rgba = explain(
        "RuntimeError: Given groups=1, weight of size [16, 3, 3, 3], expected input[1, 4, 345, 514] to have 3 "
        "channels, but got 4 channels instead"
    )
    assert "RGBA" in rgba.causes[0]
    inpaint = explain(
        "RuntimeError: Given groups=1, weight of size [320, 9, 3, 3], expected input[1, 4, 64, 64] to have 9 "
        "channels, but got 4 channels instead"
    )
    assert "inpainting" in inpaint.causes[0]
    flat = explain(
        "RuntimeError: Expected 4-dimensional input for 4-dimensional weight 6 1 5 5, but got 2-dimensional input "
        "of size [64, 784] instead"
    )
    assert "784 = 1·28·28" in flat.causes[0]


def test_two_model_families_in_one_product():
    e = explain("mat1 and mat2 shapes cannot be multiplied (154x2048 and 768x320)")
    assert e.code == "SC102" and "SDXL" in e.causes[0] and "154 = 2·77" in e.causes[0]
    plain = explain("mat1 and mat2 shapes cannot be multiplied (64x2048 and 512x10)")
    assert "model families" not in " ".join(plain.causes)


def test_what_no_template_reads_is_not_shape_when_its_words_say_so():
    for message in (
        "RuntimeError: CUDA error: CUBLAS_STATUS_NOT_SUPPORTED when calling `cublasGemmStridedBatchedExFix(...)`",
        "IndexError: tensors used as indices must be long, int, byte or bool tensors",
        "RuntimeError: Index put requires the source and destination dtypes match, got Float for the destination "
        "and Double for the source.",
    ):
        assert explain(message).code == NOT_SHAPE, message
    assert explain("RuntimeError: the kettle is cold") is None


def test_paste_variations_guards_first_sentences_and_log_prefixes():
    guard = explain(
        "Constraints violated (batch)!\nNot all values of batch = L['x'].size()[0] in the specified range batch <= 128 "
        "are valid because batch was inferred to be a constant (3)."
    )
    assert guard.code == "SC100"
    glog = explain(
        "E1118 11:34:26.548000 1260768 venv/lib/python3.10/site-packages/torch/_guards.py:300] [0/0] "
        "RuntimeError: Expected input at *args[0].shape[0] to be equal to 4, but got 2"
    )
    assert glog is not None and glog.code == "SC100"
    remapped = explain(
        "RuntimeError: einsum() operands do not broadcast with remapped shapes (original->remapped): "
        "[10, 20]->[10, 20, 1] [30, 20]->[1, 20, 30]"
    )
    assert remapped.code == "SC112"


def test_a_matmul_says_a_batch_folded_into_the_features_or_samples_split_into_rows():
    folded = explain("mat1 and mat2 shapes cannot be multiplied (1x4096 and 512x10)")
    assert "4096 = 8·512" in folded.causes[0] and "flatten(x, 1)" in folded.fixes[0]
    square = explain("mat1 and mat2 shapes cannot be multiplied (1x25088 and 512x10)")  # 49 = 7²: a map, or 49 samples
    assert "7×7" in square.causes[0] and square.causes[1].startswith("or 25088 = 49·512")
    bert = explain("RuntimeError: mat1 and mat2 shapes cannot be multiplied (16x768 and 1024x2)")
    assert "model families" not in bert.text() and "16·8·8" not in bert.text()  # 768/1024 outside diffusion
    split = explain("mat1 and mat2 shapes cannot be multiplied (256x512 and 2048x10)")
    assert "split into 4 rows" in split.causes[0] and "2 times" not in split.text()  # no ratio of rows to features


def test_a_yolo_head_is_read_from_anchors_times_classes():
    e = explain(
        "size mismatch for model.24.m.0.weight: copying a param with shape torch.Size([255, 128, 1, 1]) from "
        "checkpoint, the shape in current model is torch.Size([18, 128, 1, 1])."
    )
    assert "80 classes" in e.text() and "1 class +" in e.text()
    assert "YOLO" not in explain("RuntimeError: running_mean should contain 18 elements not 24").text()


def test_a_loss_s_row_counts_say_how_output_and_target_differ():
    shift = explain("ValueError: Expected input batch_size (1216) to match target batch_size (1280)")
    assert "64 sequences of 19 and 20 positions" in shift.causes[0]
    one_hot = explain("ValueError: Expected input batch_size (8) to match target batch_size (32).")
    assert "one-hot" in one_hot.causes[0] and "argmax(1)" in one_hot.fixes[0]
    pixels = explain("ValueError: Expected input batch_size (183000) to match target batch_size (187500).")
    assert "pixels or tokens" in pixels.causes[0]
    folded = explain("ValueError: Expected input batch_size (4096) to match target batch_size (64).")
    assert "64 rows of scores" in folded.causes[0] and "64·8·8" not in folded.text()


def test_a_cat_of_a_doubled_batch_is_not_a_u_net_skip():
    e = explain(
        "RuntimeError: Sizes of tensors must match except in dimension 1. Expected size 2 but got size 1 for tensor "
        "number 1 in the list."
    )
    assert "guidance" in e.causes[0] and "U-Net" not in e.text()
    skip = explain(
        "RuntimeError: Sizes of tensors must match except in dimension 1. Expected size 56 but got size 55 for "
        "tensor number 1 in the list."
    )
    assert "U-Net" in skip.causes[0]
    head = explain(
        "size mismatch for fc.weight: copying a param with shape torch.Size([10, 512]) from checkpoint, the shape in "
        "current model is torch.Size([1000, 512])."
    )
    assert "10·10·10" not in head.text()


def test_a_broadcast_of_three_and_four_channels_is_an_rgba_image():
    e = explain(
        "RuntimeError: The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 0"
    )
    assert "RGBA" in e.causes[0] and "convert('RGB')" in e.fixes[0] and "batches differ" not in e.text()


def test_a_view_with_a_constant_batch_and_an_inferred_rest():
    e = explain("RuntimeError: shape '[32, -1]' is invalid for input of size 1000")
    assert "fixes the batch at 32" in e.causes[0] and "x.size(0)" in e.fixes[0]
    lenet = explain("RuntimeError: shape '[-1, 400]' is invalid for input of size 2704")
    assert "20×20" not in lenet.text() and "52×52" not in lenet.text()  # two squares are not two grids


def test_fake_tensor_broadcasts_and_sdpa_kernel_warnings_are_read():
    fake = explain(
        "RuntimeError: Attempting to broadcast a dimension of length 2 at -1! Mismatching argument at index 1 had "
        "torch.Size([2]); but expected shape should be broadcastable to [1, 3]"
    )
    assert fake.code == "SC112"
    sdpa = explain(
        "UserWarning: For dense inputs, both fused kernels require query, key and value to have the same batch_size. "
        "Query.sizes(): torch.Size([2, 8, 77, 64]), Key.sizes(): torch.Size([1, 8, 77, 64]), Value.sizes(): "
        "torch.Size([1, 8, 77, 64]) instead. To broadcast dense inputs, try using unsqueeze and expand_to before "
        "passing them into the kernel."
    )
    assert sdpa.code == "SC117"


def test_the_traceback_names_which_lookup_table_an_index_overran():
    e = explain(
        '  File "/x/transformers/models/bert/modeling_bert.py", line 230, in forward\n'
        "    position_embeddings = self.position_embeddings(position_ids)\n"
        '  File "/x/torch/nn/functional.py", line 2210, in embedding\n'
        "    return torch.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)\n"
        "IndexError: index out of range in self"
    )
    assert "position" in e.causes[0] and "truncation=True" in e.fixes[0]
    types = explain(
        "    embeddings += self.token_type_embeddings(token_type_ids)\nIndexError: index out of range in self"
    )
    assert "type_vocab_size" in types.causes[0]


@pytest.mark.parametrize(
    "message",
    [
        "RuntimeError: unsupported operation: more than one element of the written-to tensor refers to a single "
        "memory location. Please clone() the tensor before performing the operation.",
        "RuntimeError: Function 'MulBackward0' returned nan values in its 0th output.",
        "NotImplementedError: Cannot copy out of meta tensor; no data!",
        "RuntimeError: FlashAttention only supports Ampere GPUs or newer.",
        "ValueError: optimizer got an empty parameter list",
        "ValueError: Attempting to unscale FP16 gradients.",
        "RuntimeError: probability tensor contains either `inf`, `nan` or element < 0",
        "RuntimeError: No CUDA GPUs are available",
    ],
)
def test_more_families_are_said_not_to_be_shape_problems(message):
    e = explain(message)
    assert e is not None and e.code == NOT_SHAPE and e.fixes


def test_a_data_dependent_guard_is_read():
    e = explain(
        "torch.fx.experimental.symbolic_shapes.GuardOnDataDependentSymNode: Could not guard on data-dependent "
        "expression Eq(u0, 1) (unhinted: Eq(u0, 1)).  (Size-like symbols: u0)"
    )
    assert e.code == "SC100" and "torch._check" in e.fixes[0]


def test_a_matmul_of_twice_the_features_is_a_bidirectional_rnn_or_a_concatenation():
    e = explain("mat1 and mat2 shapes cannot be multiplied (32x512 and 256x2)")
    assert "bidirectional" in e.causes[0] and "256·2" not in e.text()


@pytest.mark.parametrize(
    "paste",
    [
        "RuntimeError: shape &#39;[64, -1]&#39; is invalid for input of size 1000",  # a web page's source
        "RuntimeError: shape ‘[64, -1]’ is invalid for input of size 1000",  # smart quotes
        "RuntimeError：shape '[64, -1]' is invalid for input of size 1000",  # a full-width colon
    ],
)
def test_web_and_chat_punctuation_is_read_through(paste):
    assert explain(paste).code == "SC113"


def test_a_transposed_conv_given_a_latent_vector_is_a_generator_s_noise_size():
    e = explain(
        "RuntimeError: Given transposed=1, weight of size [512, 256, 4, 4], expected input[64, 100, 1, 1] to have "
        "512 channels, but got 100 channels instead"
    )
    assert "nz = 512" in e.causes[0] and "U-Net" not in e.text()
    fewer = explain(
        "RuntimeError: Given transposed=1, weight of size [256, 128, 2, 2], expected input[12, 64, 256, 256] to have "
        "256 channels, but got 64 channels instead"
    )
    assert "U-Net" not in fewer.causes[0]  # a skip adds channels; fewer is not a skip


def test_an_rnn_state_says_which_of_its_dims_differs():
    missing = explain("RuntimeError: Expected hidden[0] size (1, 64, 256), got (64, 256)")
    assert "unsqueeze(0)" in missing.causes[0]
    layers = explain("RuntimeError: Expected hidden[0] size (1, 32, 32), got (2, 32, 32)")
    assert "bidirectional" in layers.causes[0]
    batch = explain("RuntimeError: Expected hidden[0] size (1, 70, 1150), got (1, 10, 1150)")
    assert "batch differs" in batch.causes[0]


@pytest.mark.parametrize(
    "message, sizes",
    [
        # today's gather and scatter wordings, and the 1.5 and TH ones people still paste
        (
            "RuntimeError: Size does not match at dimension 0 expected index [64, 5] to be smaller than self "
            "[32, 10] apart from dimension 1",
            ("[64, 5]", "[32, 10]", "dim 0"),
        ),
        (
            "RuntimeError: Expected index [2, 5, 512] to be smaller than self [2, 7, 256] apart from dimension 1 and "
            "to be smaller size than src [2, 5, 512]",
            ("[2, 5, 512]", "[2, 7, 256]", "dim 2"),
        ),
        (
            "RuntimeError: Expected tensor [16 x 1 x 512], src [16 x 40 x 256] and index [16 x 1 x 512] to have the "
            "same size apart from dimension 1",
            ("[16, 1, 512]", "[16, 40, 256]", "dim 2"),
        ),
    ],
)
def test_gather_and_scatter_index_sizes_are_read_against_the_tensor_indexed(message, sizes):
    e = explain(message)
    assert e.code == "SC130" and all(s in e.title for s in sizes)
    assert explain("RuntimeError: Size does not match at dimension 0 get 2 vs 1").code == "SC130"


@pytest.mark.parametrize(
    "paste, code",
    [
        # a paste cut inside the message's first word (a tracker's title, a copy from a terminal)
        (
            "xpected 4-dimensional input for 4-dimensional weight [32, 1, 5, 5], but got 3-dimensional input of size "
            "[16, 28, 28] instead",
            "SC105",
        ),
        (
            "iven groups=1, weight of size [64, 3, 7, 7], expected input[8, 1, 224, 224] to have 3 channels, but got 1 "
            "channels instead",
            "SC104",
        ),
        (
            "RuntimeError: he number of subscripts in the equation (4) does not match the number of dimensions (3) for "
            "operand 0 and no ellipsis was given",
            "SC112",
        ),
        # and without the op's name ATen puts first
        (
            "RuntimeError: subscript j has size 12 for operand 1 which does not broadcast with previously seen size 8",
            "SC112",
        ),
        ("xpected hidden[0] size (2, 16, 128), got [1, 16, 128]", "SC116"),
    ],
)
def test_a_message_cut_in_its_first_word_is_still_read(paste, code):
    assert explain(paste).code == code


def test_a_word_run_into_the_message_does_not_hide_it():
    e = explain(
        "I don't know whyExpected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 8]"
    )
    assert e is not None and e.code == "SC105"


@pytest.mark.parametrize(
    "paste",
    [
        # PyTorch 0.4-1.0's wording, and the copy that fails (0.3's, and load_state_dict's since)
        "size mismatch for fc.weight: copying a param of torch.Size([100, 2048]) from checkpoint, where the shape is "
        "torch.Size([7, 2048]) in current model.",
        "RuntimeError: While copying the parameter named fc.weight, whose dimensions in the model are "
        "torch.Size([7, 2048]) and whose dimensions in the checkpoint are torch.Size([100, 2048]).",
    ],
)
def test_older_state_dict_wordings_are_read_as_the_checkpoint_s_and_the_model_s(paste):
    e = explain(paste)
    assert e.code == "SC110" and "num_classes=100" in e.causes[0] and "built with 7" in e.causes[0]


@pytest.mark.parametrize(
    "key",
    [
        "roi_heads.box_predictor.cls_score.bias",
        "bbox_head.fc_cls.bias",
        "decoder.class_embed.0.bias",
        "back_end_cls.2.bias",
    ],
)
def test_a_class_word_ending_a_key_names_a_classifier_head(key):
    e = explain(
        f"size mismatch for {key}: copying a param with shape torch.Size([91]) from checkpoint, the shape in "
        "current model is torch.Size([5])."
    )
    assert "num_classes=91" in e.causes[0]
    norm = explain(
        "size mismatch for norm_out.bias: copying a param with shape torch.Size([320]) from checkpoint, the shape in "
        "current model is torch.Size([640])."
    )
    assert "num_classes" not in norm.text()


@pytest.mark.parametrize("batch", [1, 10, 512])
def test_clip_s_77_token_mask_against_another_length_is_batch_and_sequence_swapped(batch):
    e = explain(
        f"RuntimeError: The shape of the 2D attn_mask is torch.Size([77, 77]), but should be ({batch}, {batch})."
    )
    assert "swapped" in e.causes[0] and "77 is CLIP's text context" in e.causes[0] and "batch_first" in e.text()


def test_a_mask_longer_than_an_attention_that_is_no_batch_is_a_mask_for_another_length():
    e = explain("RuntimeError: The shape of the 2D attn_mask is torch.Size([420, 420]), but should be (300, 300).")
    assert "swapped" not in e.text() and e.causes[0].startswith("the mask was made for another sequence length")
    small = explain("RuntimeError: The shape of the 2D attn_mask is torch.Size([300, 300]), but should be (8, 8).")
    assert "swapped" in small.causes[0]


@pytest.mark.parametrize(
    "line, dim, first",
    [
        ("    out = (x.float() * cos + x_rotated.float() * sin).to(x.dtype)", 2, "one side has"),
        ("    q_embed = (q * cos) + (rotate_half(q) * sin)", 2, "one side has"),
        (
            "    x_rope = (x_rope * self.cos_cached[:x.shape[0]]) + (neg_half_x * self.sin_cached[:x.shape[0]])",
            3,
            "across the head dim",
        ),
    ],
)
def test_a_broadcast_at_a_rotary_embedding_line_is_cos_sin_for_another_length(line, dim, first):
    e = explain(
        f'  File "model.py", line 91, in apply_rotary_pos_emb\n{line}\n'
        "RuntimeError: The size of tensor a (369) must match the size of tensor b (370) at non-singleton "
        f"dimension {dim}"
    )
    assert e.code == "SC112" and first in e.causes[0] and "rotary" in e.causes[0]
    assert "U-Net" not in e.text() and "rounded differently" not in e.text()


def test_a_loss_target_differing_in_one_inner_dim_is_the_class_count():
    e = explain(
        "ValueError: Target size (torch.Size([4, 13, 13, 3, 25])) must be the same as input size "
        "(torch.Size([4, 13, 13, 3, 85]))"
    )
    assert "only dim 4 differs" in e.causes[0] and "classes" in e.causes[0]


def test_an_old_conv_weight_is_read_to_the_rank_the_message_states():
    # releases before 1.5 printed the weight bare, some with a stray number after it
    e = explain(
        "RuntimeError: Expected 4-dimensional input for 4-dimensional weight 32 3 3 3 140213889662912, but got "
        "3-dimensional input of size [3, 64, 64] instead"
    )
    assert "4-D conv weight [32, 3, 3, 3]" in e.title and "without its batch dim" in e.causes[0]
    # 1.0 left the input's rank to its size
    old = explain(
        "Expected 4-dimensional input for 4-dimensional weight [16, 1, 5, 5], but got input of size [8, 28, 28] instead"
    )
    assert old.code == "SC105" and "single-channel" in old.causes[0]


def test_frames_folded_into_a_3d_conv_s_channels_are_said():
    e = explain(
        "RuntimeError: Expected 5-dimensional input for 5-dimensional weight [64, 3, 3, 7, 7], but got 4-dimensional "
        "input of size [8, 24, 112, 112] instead"
    )
    assert "24 = 8·3" in e.causes[0] and "T=8" in e.causes[0]
    assert "how the numbers relate" not in e.text()  # ranks and kernels: no ratios


@pytest.mark.parametrize(
    "message, says",
    [
        # a vision encoder's tokens grouped k at a time for a projector
        (
            "RuntimeError: shape '[2, -1, 4096]' is invalid for input of size 1181696",
            ["577 tokens of width 1024", "577 = 24² + 1"],
        ),
        (
            "RuntimeError: shape '[16, -1, 2304]' is invalid for input of size 13436928",
            ["729 tokens of width 1152", "27×27 grid"],
        ),
    ],
)
def test_a_view_grouping_tokens_says_how_many_tokens_of_what_width(message, says):
    e = explain(message)
    assert all(s in e.causes[0] for s in says) and "-channel" not in e.text()  # the batch is no map's channels


def test_a_square_number_of_score_rows_per_target_is_an_unpooled_map():
    e = explain("ValueError: Expected input batch_size (3136) to match target batch_size (16).")
    assert "196 = 14²" in e.causes[0] and "pooling" in e.causes[0]
    folded = explain("ValueError: Expected input batch_size (4096) to match target batch_size (64).")
    assert "pooling" not in folded.causes[0]  # 64 = 8² is as often a folding view


@pytest.mark.parametrize(
    "call, name",
    [
        ("loss = F.margin_ranking_loss(s1, s2, y)", "MarginRankingLoss"),
        ("loss = nn.CosineEmbeddingLoss()(a, b, labels)", "CosineEmbeddingLoss"),
    ],
)
def test_a_pair_loss_named_in_the_paste_tells_its_own_target_story(call, name):
    e = explain(
        f'  File "train.py", line 40, in step\n    {call}\n'
        "RuntimeError: 0D or 1D target tensor expected, multi-target not supported"
    )
    assert e.title.startswith(name) and "one-hot" not in e.text() and "1 or -1" in e.causes[1]
    classifier = explain(
        '  File "train.py", line 40, in step\n    loss = criterion(outputs, targets)\n'
        "RuntimeError: 0D or 1D target tensor expected, multi-target not supported"
    )
    assert "one-hot" in classifier.text()


@pytest.mark.parametrize(
    "message, first",
    [
        ("RuntimeError: mat1 and mat2 must have the same dtype, but got Half and Float", "half-precision"),
        ("RuntimeError: self and mat2 must have the same dtype, but got Double and Float", "numpy arrays are float64"),
        (
            "RuntimeError: Expected tensor for argument #1 'indices' to have scalar type Long; but got "
            "torch.cuda.FloatTensor instead (while checking arguments for embedding)",
            "a target or an index",
        ),
    ],
)
def test_a_dtype_message_without_fields_is_read_by_the_dtypes_its_text_names(message, first):
    e = explain(message)
    assert e.code == NOT_SHAPE and e.causes[0].startswith(first) and len(e.causes) == 1


def test_a_loss_target_that_differs_by_a_dim_of_one_says_so():
    e = explain(
        "UserWarning: Using a target size (torch.Size([1, 64])) that is different to the input size "
        "(torch.Size([64])). This will likely lead to incorrect results due to broadcasting."
    )
    assert "but for a dim of 1" in e.causes[0] and "target.squeeze()" in e.fixes[0]


def test_a_bias_is_read_by_its_layer_s_weight_and_class_counts_by_what_they_are():
    paste = (
        "RuntimeError: Error(s) in loading state_dict for DeepLab:\n"
        "\tsize mismatch for decoder.last_conv.8.weight: copying a param with shape torch.Size([21, 256, 1, 1]) "
        "from checkpoint, the shape in current model is torch.Size([6, 256, 1, 1]).\n"
        "\tsize mismatch for decoder.last_conv.8.bias: copying a param with shape torch.Size([21]) from "
        "checkpoint, the shape in current model is torch.Size([6])."
    )
    assert "num_classes=21" in explain(paste).causes[0]
    kxk = explain(
        "size mismatch for aspp.conv_list.0.weight: copying a param with shape torch.Size([19, 2048, 3, 3]) from "
        "checkpoint, the shape in current model is torch.Size([12, 2048, 3, 3])."
    )
    assert "num_classes=19" in kxk.causes[0]
    widths = explain(
        "size mismatch for proj.2.weight: copying a param with shape torch.Size([256, 64]) from checkpoint, the "
        "shape in current model is torch.Size([512, 64])."
    )
    assert "num_classes" not in widths.text()  # two widths, not class counts


@pytest.mark.parametrize(
    "message, says",
    [
        ("RuntimeError: Expected target size [64, 30522], got [64, 128]", "class scores are in the last dim"),
        ("RuntimeError: Expected target size [8, 512, 512], got [8, 3, 512, 512]", "color image"),
        ("RuntimeError: Expected target size [16, 200], got [16, 12, 200]", "one-hot or multi-label"),
        ("RuntimeError: Expected target size [32, 1], got [32]", "a dim more than [N, C]"),
        ("RuntimeError: Expected target size [4, 128, 128], got [4, 512, 512]", "positions"),
    ],
)
def test_a_cross_entropy_target_size_is_read_back_into_the_scores_shape(message, says):
    e = explain(message)
    assert e.code == "SC125" and says in e.causes[0]


def test_features_a_large_multiple_of_in_features_are_positions_flattened_into_a_row():
    e = explain("RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x1966080 and 768x768)")
    assert "2560 positions (tokens, pixels) of 768 features" in e.causes[0]
    square = explain("RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x131072 and 512x10)")
    assert "16×16 feature map" in square.causes[0] and "256 positions" in square.causes[1]


@pytest.mark.parametrize(
    "paste, code",
    [
        # a message retyped by hand with a word dropped or misspelt: read when nothing reads it as written
        (
            "RuntimeError :Given normalized_shape=[768] ,expected input with [*,768],but got input of size[8,197,1024]",
            "SC104",
        ),
        ("Runtime error:zero-dimensional tensor(at position 1) cannot be contatenated", "SC109"),
        (
            "RuntimeError: Given groups=1, weight of size [64, 3, 7, 7], expected input[2, 1, 224, 224] to have 3 "
            "channels, but got 1 channel instead",
            "SC104",
        ),
    ],
)
def test_a_message_with_one_word_dropped_or_misspelt_is_read(paste, code):
    assert explain(paste).code == code


def test_loose_reading_is_only_a_fallback_and_needs_the_message_s_other_words():
    assert explain("some text about tensors and sizes that names no PyTorch message") is None
    e = explain(
        "RuntimeError: Given normalized_shape=[768], expected input with shape [*, 768], but got input of "
        "size[8, 197, 1024]"
    )
    assert e.code == "SC104" and "1024" in e.title


def test_a_flattened_sequence_into_a_layernorm_is_positions_in_one_dim():
    e = explain(
        "RuntimeError: Given normalized_shape=[1024], expected input with shape [*, 1024], but got input of "
        "size[1, 1, 524288]"
    )
    assert "512 positions (tokens) of 1024 features" in e.causes[0]


def test_two_encoder_widths_expanded_into_each_other_are_two_model_families():
    e = explain(
        "RuntimeError: The expanded size of the tensor (768) must match the existing size (1024) at non-singleton "
        "dimension 2.  Target sizes: [1, 77, 768].  Tensor sizes: [1, 77, 1024]"
    )
    assert "two model families" in e.causes[0] and "77 = CLIP's tokens" in e.causes[0]
    plain = explain(
        "RuntimeError: The size of tensor a (768) must match the size of tensor b (1024) at non-singleton dimension 2"
    )
    assert "model families" not in plain.text()  # no prompt tokens, no diffusion words: BERT-base and -large too


def test_a_3d_mask_per_sample_where_one_per_head_is_wanted():
    e = explain("RuntimeError: The shape of the 3D attn_mask is torch.Size([4, 77, 77]), but should be (48, 77, 77).")
    assert "48 = 4·12" in e.causes[0] and "repeat_interleave(12" in e.fixes[0]


def test_a_transposed_key_padding_mask():
    e = explain("AssertionError: expecting key_padding_mask shape of (8, 120), but got torch.Size([120, 8])")
    assert "transposed" in e.causes[0]


def test_a_view_that_fits_a_whole_number_of_times_leaves_out_a_leading_dim():
    e = explain("RuntimeError: shape '[256, 256]' is invalid for input of size 1048576")
    assert e.causes[0].startswith("1048576 = 16·65536") and "positions per row" not in e.text()


@pytest.mark.parametrize(
    "message, says",
    [
        ("RuntimeError: target_lengths must be of size batch_size", "one length per sample"),
        (
            "RuntimeError: Expected input_lengths to have value at most 75, but got value 300 (while checking "
            "arguments for ctc_loss_gpu)",
            "300 > T = 75",
        ),
        (
            "RuntimeError: Expected tensor to have size at least 31 at dimension 1, but got size 27 for argument #2 "
            "'targets' (while checking arguments for ctc_loss_cpu)",
            "S = 27 wide",
        ),
        # a size run into the next word, as a paste joins lines
        (
            "RuntimeError: Expected tensor to have size at least 31 at dimension 1, but got size 27for argument #2 "
            "'targets' (while checking arguments for ctc_loss_gpu)",
            "S = 27 wide",
        ),
    ],
)
def test_ctc_loss_lengths_are_read_against_the_tensors(message, says):
    e = explain(message)
    assert e.code == "SC125" and "CTC" in e.title and says in e.causes[0]


def test_maps_joined_along_the_channels_with_other_sides_are_an_input_size_the_network_was_not_built_for():
    e = explain(
        "RuntimeError: Sizes of tensors must match except in dimension 1. Expected size 40 but got size 48 for "
        "tensor number 1 in the list."
    )
    assert "40 = 5·8, 48 = 6·8" in e.causes[0] and "input size" in e.causes[0]
    tokens = explain(
        "RuntimeError: Sizes of tensors must match except in dimension 0. Expected size 40 but got size 48 for "
        "tensor number 1 in the list."
    )
    assert "skip connection" not in tokens.text()


def test_the_seventh_held_out_set_is_kept_apart_and_scored():
    from explain_corpus import FAMILIES, MESSAGES
    from explain_heldout import FAMILIES as MORE
    from explain_heldout import (
        FIFTH,
        FIFTH_FAMILIES,
        SEVENTH,
        SEVENTH_ANSWERS,
        SEVENTH_FAMILIES,
        SEVENTH_MUST,
        SIXTH,
        SIXTH_FAMILIES,
    )
    from explain_score import grade, story_right

    earlier = {m for _, m, _ in MESSAGES + FIFTH + SIXTH} | {s for *_, s in MESSAGES + FIFTH + SIXTH}
    assert not earlier & {m for _, m, _ in SEVENTH} and not earlier & {s for *_, s in SEVENTH}
    assert len(SEVENTH) >= 45 and {s for *_, s in SEVENTH} == set(SEVENTH_ANSWERS) == set(SEVENTH_MUST)
    families = {**FAMILIES, **MORE, **FIFTH_FAMILIES, **SIXTH_FAMILIES, **SEVENTH_FAMILIES}
    explained = [(explain(m), f, s) for f, m, s in SEVENTH]
    graded = [grade(e, f, families) for e, f, _ in explained]
    assert sum(r for _, r, _ in graded) >= 0.95 * len(SEVENTH) and not any(w for _, _, w in graded)
    assert sum(story_right(e, SEVENTH_MUST[s]) for e, _, s in explained) >= 0.9 * len(SEVENTH)


def test_the_eighth_held_out_set_is_kept_apart_and_scored():
    from explain_corpus import FAMILIES, HELD_OUT, MESSAGES
    from explain_heldout import EIGHTH, EIGHTH_ANSWERS, EIGHTH_MUST, FIFTH, LATER, SEVENTH, SIXTH, THIRD
    from explain_heldout import FAMILIES as MORE
    from explain_heldout import HELD_OUT as ISSUE31
    from explain_score import grade, story_right

    # no thread twice; two of the commonest messages are word for word those of other threads (64 vs [64, 1]
    # targets, a 4-D segmentation target), kept as their threads paste them
    earlier = MESSAGES + HELD_OUT + ISSUE31 + LATER + THIRD + FIFTH + SIXTH + SEVENTH
    assert not {s for *_, s in earlier} & {s for *_, s in EIGHTH}
    assert len({m for _, m, _ in earlier} & {m for _, m, _ in EIGHTH}) <= 2
    assert len(EIGHTH) >= 50 and {s for *_, s in EIGHTH} == set(EIGHTH_ANSWERS) == set(EIGHTH_MUST)
    explained = [(explain(m), f, s) for f, m, s in EIGHTH]
    graded = [grade(e, f, {**FAMILIES, **MORE}) for e, f, _ in explained]
    assert sum(r for _, r, _ in graded) >= 0.95 * len(EIGHTH)
    # the one graded wrong: a Linear's rows × features = in_features, told (tested above) as an unbatched
    # image (SC105) while the set labels its family by the message's op; its story is the thread's answer
    wrong = [s for (_, _, w), (_, _, s) in zip(graded, explained, strict=True) if w]
    assert wrong == ["https://github.com/mrdbourke/pytorch-deep-learning/issues/763"]
    assert sum(story_right(e, EIGHTH_MUST[s]) for e, _, s in explained) >= 0.9 * len(EIGHTH)


def test_the_ninth_held_out_set_is_kept_apart_and_scored():
    from explain_corpus import FAMILIES, HELD_OUT, MESSAGES
    from explain_heldout import (
        EIGHTH,
        FIFTH,
        FIFTH_FAMILIES,
        LATER,
        NINTH,
        NINTH_ANSWERS,
        NINTH_FAMILIES,
        NINTH_MUST,
        SEVENTH,
        SEVENTH_FAMILIES,
        SIXTH,
        SIXTH_FAMILIES,
        THIRD,
    )
    from explain_heldout import FAMILIES as MORE
    from explain_heldout import HELD_OUT as ISSUE31
    from explain_score import grade, story_right

    earlier = MESSAGES + HELD_OUT + ISSUE31 + LATER + THIRD + FIFTH + SIXTH + SEVENTH + EIGHTH
    # no thread twice; three of the commonest messages (a bare `index out of range in self`, one value per channel at
    # [1, 100], an RGBA image's 4 against 3) are word for word those of other threads, kept as their threads paste them
    assert not {s for *_, s in earlier} & {s for *_, s in NINTH}
    assert len({m for _, m, _ in earlier} & {m for _, m, _ in NINTH}) <= 3
    assert len(NINTH) >= 50 and {s for *_, s in NINTH} == set(NINTH_ANSWERS) == set(NINTH_MUST)
    families = {**FAMILIES, **MORE, **FIFTH_FAMILIES, **SIXTH_FAMILIES, **SEVENTH_FAMILIES, **NINTH_FAMILIES}
    explained = [(explain(m), f, s) for f, m, s in NINTH]
    graded = [grade(e, f, families) for e, f, _ in explained]
    # scored before this round: 41 recognised, 41 right, 36 right stories, none known-wrong; after it every one
    assert all(r and ok and not w for r, ok, w in graded)
    assert all(story_right(e, NINTH_MUST[s]) for e, _, s in explained)


def test_the_tenth_held_out_set_is_kept_apart_and_scored():
    from explain_corpus import FAMILIES, HELD_OUT, MESSAGES
    from explain_heldout import (
        EIGHTH,
        FIFTH,
        FIFTH_FAMILIES,
        LATER,
        NINTH,
        NINTH_FAMILIES,
        SEVENTH,
        SEVENTH_FAMILIES,
        SIXTH,
        SIXTH_FAMILIES,
        TENTH,
        TENTH_ANSWERS,
        TENTH_FAMILIES,
        TENTH_MUST,
        THIRD,
    )
    from explain_heldout import FAMILIES as MORE
    from explain_heldout import HELD_OUT as ISSUE31
    from explain_score import grade, story_right

    earlier = MESSAGES + HELD_OUT + ISSUE31 + LATER + THIRD + FIFTH + SIXTH + SEVENTH + EIGHTH + NINTH
    # no thread twice; three of the commonest messages (a bare `index out of range in self`, an RGBA image's 4
    # against 3, `expected scalar type Long but found Float`) are word for word those of other threads, kept as
    # their threads paste them
    assert not {s for *_, s in earlier} & {s for *_, s in TENTH}
    assert len({m for _, m, _ in earlier} & {m for _, m, _ in TENTH}) <= 3
    assert len(TENTH) >= 50 and {s for *_, s in TENTH} == set(TENTH_ANSWERS) == set(TENTH_MUST)
    families = {
        **FAMILIES,
        **MORE,
        **FIFTH_FAMILIES,
        **SIXTH_FAMILIES,
        **SEVENTH_FAMILIES,
        **NINTH_FAMILIES,
        **TENTH_FAMILIES,
    }
    explained = [(explain(m), f, s) for f, m, s in TENTH]
    graded = [grade(e, f, families) for e, f, _ in explained]
    # scored before this round: 51 recognised, 49 right, 38 right stories, 2 confidently wrong; after it every one
    assert all(r and ok and not w for r, ok, w in graded)
    assert all(story_right(e, TENTH_MUST[s]) for e, _, s in explained)


def test_a_view_whose_batch_comes_from_the_tensor_blames_the_per_sample_constant():
    message = "x = x.view(x.size(0), 5 * 5 * 16)\nRuntimeError: shape '[16, 400]' is invalid for input of size 9600"
    e = explain(message)
    assert "9600 = 16·600" in e.causes[0] and "nn.Linear(600" in e.fixes[0]
    assert not any(c.startswith("if only the batch is off") for c in e.causes)
    bare = explain("RuntimeError: shape '[16, 400]' is invalid for input of size 9600")
    assert any("each sample holds 600 values" in f and "x.view(x.size(0), -1)" in f for f in bare.fixes)
    constant = explain("x = x.view(16, 400)\nRuntimeError: shape '[16, 400]' is invalid for input of size 9600")
    assert "takes the batch from the tensor" not in " ".join(constant.causes)


def test_stacked_samples_of_permuted_sizes_or_a_missing_channel_dim():
    swapped = explain(
        "RuntimeError: stack expects each tensor to be equal size, but got [24, 32, 64] at entry 0 and [24, 64, 32] "
        "at entry 1"
    )
    assert "same sizes in another order" in swapped.causes[0] and "resize" in swapped.fixes[0]
    gray = explain(
        "RuntimeError: stack expects each tensor to be equal size, but got [224, 224] at entry 0 and [3, 224, 224] "
        "at entry 29"
    )
    assert "grayscale" in gray.causes[0] and "convert('RGB')" in gray.fixes[0]
    short = explain(
        "RuntimeError: stack expects each tensor to be equal size, but got [5, 7] at entry 0 and [2, 5, 7] at entry 1"
    )
    assert "lacks the leading dim of 2" in short.causes[0] and "grayscale" not in " ".join(short.causes)


def test_element_counts_read_as_one_batch_of_two_per_sample_counts():
    e = explain(
        "ValueError: Target and input must have the same number of elements. target nelement (448) != input "
        "nelement (512)"
    )
    assert "448 = 64·7 and 512 = 64·8" in e.causes[0] and "out_features = 7" in e.fixes[0]
    odd = explain(
        "ValueError: Target and input must have the same number of elements. target nelement (7) != input nelement (11)"
    )
    assert "batch of" not in odd.causes[0]


def test_multi_target_names_the_multi_label_loss():
    e = explain("RuntimeError: multi-target not supported for CrossEntropyLoss")
    assert any("multi-label" in c for c in e.causes) and any("BCEWithLogitsLoss" in f for f in e.fixes)


def test_a_dim_one_mismatch_is_a_one_hot_target_only_where_the_line_compares_one():
    bare = explain(
        "RuntimeError: The size of tensor a (16) must match the size of tensor b (10) at non-singleton dimension 1"
    )
    assert any("one-hot" in c for c in bare.causes[1:])
    seg = explain(
        "    tp = torch.sum(targets*preds, dim=(2, 3))\nRuntimeError: The size of tensor a (4) must match the size "
        "of tensor b (18) at non-singleton dimension 1"
    )
    assert "one-hot" in seg.causes[0] and "F.one_hot" in seg.fixes[0]
    other = explain(
        "    q = q * cos[:, :, -1, :]\nRuntimeError: The size of tensor a (32) must match the size of tensor b (12) "
        "at non-singleton dimension 1"
    )
    assert "one-hot" not in other.text()
    last = explain(
        "    neg = (1 - mask) * dist + mask * args.margin\nRuntimeError: The size of tensor a (1024) must match the "
        "size of tensor b (97) at non-singleton dimension 1"
    )
    assert "last batch" in last.text() and "drop_last" in last.text()


def test_a_cat_whose_mismatching_dim_is_unsaid_may_differ_in_rows():
    e = explain(
        "    x = torch.cat((x, x_3D_features), dim = 1)\nRuntimeError: Sizes of tensors must match except in dimension "
        "1. Expected size 7 but got size 8 for tensor number 1 in the list."
    )
    assert any(c.startswith("or, for 2-D [rows, features] tensors") for c in e.causes)
    said = explain(
        "RuntimeError: invalid argument 0: Sizes of tensors must match except in dimension 1. Got 16 and 15 in "
        "dimension 2 at /pytorch/aten/src/THC/generic/THCTensorMath.cu:87"
    )
    assert not any("[rows, features]" in c for c in said.causes)


def test_a_loss_line_asking_dim_one_of_a_vector_says_the_scores_lost_their_classes():
    line = "loss = criterion(outputs, label)\ndimension out of range (expected to be in range of [-1, 0], but got 1)"
    e = explain(line)
    assert "the loss got 1-D scores" in e.causes[0] and "[N, C]" in e.fixes[0]
    other = explain("y = x.sum(1)\ndimension out of range (expected to be in range of [-1, 0], but got 1)")
    assert "the loss got 1-D scores" not in other.text()


def test_a_channels_first_map_into_a_channels_last_linear_and_a_retyped_mat1():
    e = explain("matl and mat2 shapes cannot be multiplied (63488x31 and 64x64)")
    assert e is not None and e.code == "SC102"
    assert "[32, 64, 31, 31]" in e.causes[0] and "permute(0, 2, 3, 1)" in e.causes[0]
    plain = explain("RuntimeError: mat1 and mat2 shapes cannot be multiplied (64x2048 and 512x10)")
    assert "channels-first" not in plain.text()


@pytest.mark.parametrize(
    "message, code",
    [
        ("RuntimeError: Target 7 out of bounds at /pytorch/aten/src/THNN/generic/ClassNLLCriterion.c:56", "SC125"),
        ("RuntimeError: 2D tensors expected, got 3D, 2D tensors at /pytorch/aten/src/THC/generic/Blas.cu:2", "SC105"),
        ("RuntimeError: batch1 dim 2 must match batch2 dim 1", "SC102"),
        ("RuntimeError: t() expects a tensor with <= 2 dimensions, but self is 4D", "SC105"),
        ("RuntimeError: t() expects a 2D tensor, but self is 3D", "SC105"),
    ],
)
def test_older_wordings_of_products_transposes_and_targets_are_read(message, code):
    e = explain(message)
    assert e is not None and e.code == code, e


_MASK = "IndexError: The shape of the mask {} at index 0 does not match the shape of the indexed tensor {} at index 0"
_VALUE = "RuntimeError: shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {}"
_SPLIT = (
    "RuntimeError: split_with_sizes expects split_sizes to sum exactly to 300 (input tensor's size at dimension 1), "
    "but got split_sizes={}"
)
_OLD_CAT = (
    "RuntimeError: invalid argument 0: Sizes of tensors must match except in dimension 1. Got {} and {} in dimension "
    "{} at /pytorch/aten/src/THC/generic/THCTensorMath.cu:83"
)
_BROADCAST = "RuntimeError: The size of tensor a (6) must match the size of tensor b (4) at non-singleton dimension 1"


def test_a_mask_over_a_tensor_flattened_on_one_side_says_which_view_fits():
    e = explain(_MASK.format("[8, 300]", "[2400, 4]"))
    assert "8·300 flattened" in e.causes[0] and "`x.view(8, 300, 4)`" in e.fixes[0]
    assert "`mask.view(8, 12)`" in explain(_MASK.format("[96]", "[8, 12, 5]")).fixes[0]
    assert "flattened" not in " ".join(explain(_MASK.format("[7]", "[8, 5]")).causes)


def test_a_value_with_the_place_s_sizes_in_another_order_is_transposed_or_permuted():
    assert "transpose" in explain(_VALUE.format("[500, 64]", "[64, 500]")).fixes[0]
    assert "`value.permute(2, 0, 1)`" in explain(_VALUE.format("[2, 5, 7]", "[7, 2, 5]")).causes[0]
    assert "sizes in another order" not in " ".join(explain(_VALUE.format("[500, 64]", "[499, 64]")).causes)


def test_split_sizes_that_are_a_multiple_of_the_dim_say_so():
    assert explain(_SPLIT.format("[600, 300]")).causes[0].startswith("900 = 3·300")
    assert "times what the dim holds" not in " ".join(explain(_SPLIT.format("[200, 150]")).causes)


def test_an_index_past_the_batch_dim_or_a_dim_of_one_is_read_as_such():
    batch = explain("IndexError: index 4 is out of bounds for dimension 0 with size 4")
    assert "dim 0 is most often the batch" in batch.causes[1] and "off by one" in batch.causes[0]
    table = explain("IndexError: index 145 is out of bounds for dimension 0 with size 1")
    assert "batch" not in " ".join(table.causes)
    single = explain("IndexError: index 37 is out of bounds for dimension 2 with size 1")
    assert "a single entry" in single.causes[0] and "`x.squeeze(2)`" in single.fixes[0]
    inner = explain("IndexError: index 37 is out of bounds for dimension 2 with size 30")
    assert "batch" not in inner.causes[0] and "single entry" not in inner.causes[0]


def test_old_cat_wording_that_names_dim_0_is_a_batch_mismatch():
    assert "dim 0, the batch (16 vs 5)" in explain(_OLD_CAT.format(16, 5, 0)).causes[0]
    assert "the batch" not in " ".join(explain(_OLD_CAT.format(16, 15, 2)).causes)


def test_a_matrix_product_of_rank_one_says_the_batch_dim_is_missing():
    one = explain("RuntimeError: matrices expected, got 1D, 2D tensors at /opt/conda/TH/generic/THTensorMath.c:1232")
    assert "`x.unsqueeze(0)`" in one.fixes[0]
    three = explain("RuntimeError: matrices expected, got 3D, 2D tensors at /opt/conda/TH/generic/THTensorMath.c:1232")
    assert "unsqueeze(0)" not in " ".join(three.fixes)


def test_the_pasted_line_names_a_product_s_operands():
    e = explain("    y = feats @ self.proj\nRuntimeError: mat1 and mat2 shapes cannot be multiplied (6x40 and 30x8)")
    assert any("multiplies `feats` by `self.proj`" in c and "(40 against 30)" in c for c in e.causes)
    bmm = explain("    out = torch.bmm(scores, values)\nRuntimeError: batch1 dim 2 must match batch2 dim 1")
    assert any("`scores`'s last dim must equal `values`'s rows" in c for c in bmm.causes)
    plain = explain("RuntimeError: batch1 dim 2 must match batch2 dim 1")
    assert not any("the line multiplies" in c for c in plain.causes)


def test_a_broadcast_at_a_line_with_an_integer_index_says_the_dim_was_dropped():
    e = explain("    out = x * w[:, 0, :]\n" + _BROADCAST)
    assert any("removes that dim" in c for c in e.causes) and "`w[:, 0:1, :]`" in e.fixes[0]
    assert "`w[:, -1:]`" in explain("    out = x * w[:, -1]\n" + _BROADCAST).fixes[0]
    assert not any("removes that dim" in c for c in explain("    out = x * w[:, 1:3]\n" + _BROADCAST).causes)


def test_clips_joined_along_channels_may_differ_in_frames_when_the_line_names_the_layout():
    message = (
        "RuntimeError: Sizes of tensors must match except in dimension 1. Expected size 21 but got size 13 for "
        "tensor number 1 in the list."
    )
    assert "frames" in explain("    h = torch.cat([h, cond], dim=1)  # b c t h w\n" + message).causes[0]
    assert "frames" not in explain("    h = torch.cat([h, cond], dim=1)\n" + message).causes[0]


def test_a_misspelt_first_word_is_read_whatever_its_case():
    e = explain(
        "RuntimeError: Callculated padded input size per channel: (2×42). Kernel size: (3×3). Kernel size can't be "
        "greater than actual input size"
    )
    assert e is not None and e.code == "SC107"


def test_rows_of_different_lengths_made_into_one_tensor_are_padded_or_cut():
    e = explain("ValueError: expected sequence of length 50 at dim 1 (got 39)")
    assert e.code == "SC109" and "pad" in e.fixes[0] and "rows of 50 at dim 1, one of 39" in e.title
    cut = explain("ValueError: expected sequence of length 517 at dim 1 (got 512)")
    assert "truncated to 512" in cut.causes[0] and "(512)" in cut.fixes[0]
    assert "one item apart" in explain("ValueError: expected sequence of length 27 at dim 1 (got 26)").causes[0]
    deeper = explain("ValueError: expected sequence of length 64 at dim 2 (got 128)")
    assert "a level inside each sample" in deeper.causes[0] and "how the numbers relate" not in deeper.text()


def test_a_negative_size_names_what_it_is_and_the_argument_that_gave_it():
    conv = explain(
        "    self.conv = nn.Conv2d(ninput, noutput-ninput, (3, 3), stride=2, padding=1, bias=True)\n"
        "RuntimeError: Trying to create tensor with negative dimension -2: [-2, 34, 3, 3]"
    )
    assert "`noutput-ninput`" in conv.causes[0] and "out_channels came out as -2" in conv.causes[1]
    unset = explain("RuntimeError: Trying to create tensor with negative dimension -1: [512, -1]")
    assert "placeholder" in unset.causes[0] and "Linear's weight" in unset.causes[1]
    memory = explain(
        "    x = torch.cuda.FloatTensor(256, 1024, block_mem)\n"
        "RuntimeError: Trying to create tensor with negative dimension -627: [256, 1024, -627]"
    )
    assert memory.code == NOT_SHAPE and "`block_mem`" in memory.title and "how the numbers relate" not in memory.text()
    factory = explain(
        "    z = torch.zeros(n - k, 3)\nRuntimeError: Trying to create tensor with negative dimension -4: [-4, 3]"
    )
    assert "`n - k`" in factory.causes[0]


def test_an_rnn_state_is_read_by_how_its_shape_relates_to_the_expected_one():
    wide = explain("RuntimeError: Expected hidden[0] size (1, 8, 1024), got [1, 8, 2048]")
    assert "2048 = 2·1024" in wide.causes[0] and "bidirectional" in wide.causes[0] and "1024)" in wide.fixes[0]
    output = explain("RuntimeError: Expected hidden size (1, 8, 512), got (8, 473, 1024)")
    assert "per-token output" in output.causes[0] and "1024 → 512" in output.fixes[0]
    one_step = explain("RuntimeError: Expected hidden[0] size (2, 1, 512), got [2, 128, 512]")
    assert "batch_first" in one_step.causes[0] and "reads as a batch of 1" in one_step.causes[0]
    deeper = explain("RuntimeError: Expected hidden size (1, 1, 1024), got [5, 1, 1024]")
    assert "num_layers" in deeper.causes[0] and "`h[-1:]`" in deeper.fixes[0]


def test_an_expand_between_two_widths_says_a_setting_changed_in_one_place():
    e = explain(
        "RuntimeError: The expanded size of the tensor (64) must match the existing size (128) at non-singleton "
        "dimension 1.  Target sizes: [10, 64].  Tensor sizes: [10, 128]"
    )
    assert "a size set in two places" in e.causes[0] and "`nn.Linear(128, 64)`" in e.fixes[0]
    batch = explain(
        "RuntimeError: The expanded size of the tensor (100) must match the existing size (99) at non-singleton "
        "dimension 0.  Target sizes: [100, 1024].  Tensor sizes: [99, 1024]"
    )
    assert "a size set in two places" not in batch.text()


def test_split_sizes_for_a_dim_of_size_one_count_another_dim():
    e = explain(
        "RuntimeError: split_with_sizes expects split_sizes to sum exactly to 1 (input tensor's size at dimension 0), "
        "but got split_sizes=[2049]"
    )
    assert "dim 0 has size 1" in e.causes[0] and "`dim=1`" in e.fixes[0]


def test_the_cuda_cat_wording_names_the_dim_where_the_sizes_differ():
    e = explain(
        "RuntimeError: Sizes of tensors must match except in dimension 2. Got 74 and 75 (The offending index is 0)"
    )
    assert e.title == "tensors joined by cat differ in dim 2: 74 vs 75" and "skip connection" in e.causes[0]
    assert "multiples of 2^depth" in e.fixes[0]
    low = explain(
        "RuntimeError: Sizes of tensors must match except in dimension 1. Got 3072 and 6144 (The offending index is 0)"
    )
    assert "joined along dim 1" in low.title and "where the sizes differ" in low.causes[-1]
    cpu = explain("RuntimeError: Sizes of tensors must match except in dimension 1. Got 23 and 24 in dimension 2")
    assert "joined along dim 1" in cpu.title and "CUDA" not in cpu.text()


def test_batchnorm_given_one_value_inside_an_evaluating_function_says_eval_mode():
    message = (
        '  File "train.py", line 282, in test\n    features = base_model(x)\n'
        "ValueError: Expected more than 1 value per channel when training, got input size torch.Size([1, 2048])"
    )
    e = explain(message)
    assert "inside `test`" in e.causes[0] and e.fixes[0].startswith("`model.eval()`")
    training = explain(message.replace("in test", "in train_epoch"))
    assert "inside" not in training.causes[0]


def test_a_square_mask_for_fewer_positions_than_the_text_says_the_configured_length():
    e = explain("The shape of the 2D attn_mask is torch.Size([17, 17]), but should be (77, 77).")
    assert "built for 17 positions" in e.causes[0] and "CLIP's text context length" in e.causes[0]
    assert "configured length to 77" in e.fixes[0]


def test_a_layernorm_given_a_square_channels_first_grid_offers_the_tokens():
    e = explain(
        "Given normalized_shape=[768], expected input with shape [*, 768], but got input of size[9, 768, 14, 14]"
    )
    assert "196 tokens" in e.causes[1] and "`x.flatten(2).transpose(1, 2)` gives [9, 196, 768]" in e.fixes[1]


def test_conv1d_given_a_4d_map_may_be_a_conv1d_with_a_2d_kernel():
    e = explain(
        "RuntimeError: Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [8, 32, 207, 13]"
    )
    assert any("`kernel_size=(1, 1)`" in c for c in e.causes) and any("`nn.Conv2d`" in f for f in e.fixes)


def test_reflect_padding_of_a_short_signal_says_to_pad_with_zeros():
    e = explain(
        "RuntimeError: Argument #4: Padding size should be less than the corresponding input dimension, but got: "
        "padding (485100, 1455300) at dimension 2 of input [1, 2, 661500]"
    )
    assert "a signal of 661500 samples" in e.causes[0] and "`mode='constant'`" in e.fixes[0]


def test_an_index_past_an_embedding_may_be_a_category_id():
    assert any("category" in c for c in explain("IndexError: index out of range in self").causes)


def test_a_broadcast_of_a_text_past_a_position_table_says_to_truncate():
    e = explain(
        "RuntimeError: The size of tensor a (707) must match the size of tensor b (512) at non-singleton dimension 1"
    )
    assert "position count" in e.causes[0] and "max_length=512" in e.fixes[0]
    assert not any("one-hot" in c for c in e.causes)
    channels = explain(
        "RuntimeError: The size of tensor a (1024) must match the size of tensor b (512) at non-singleton dimension 1"
    )
    assert "position count" not in channels.text()


def test_a_full_size_image_into_a_conv_built_for_many_channels_skipped_the_stem():
    e = explain(
        "RuntimeError: Given groups=1, weight of size [64, 64, 1, 1], expected input[4, 1, 1080, 1920] to have 64 "
        "channels, but got 1 channels instead"
    )
    assert "a grayscale image at full size (1080×1920" in e.causes[0] and "stem" in e.fixes[0]
    assert any("in_channels=1" in f for f in e.fixes)
    maps = explain(
        "RuntimeError: Given groups=1, weight of size [128, 64, 3, 3], expected input[4, 3, 56, 56] to have 64 "
        "channels, but got 3 channels instead"
    )
    assert "full size" not in maps.text()


def test_a_loss_between_a_batch_size_and_a_smaller_count_says_the_last_batch():
    e = explain("ValueError: Expected input batch_size (52) to match target batch_size (128).")
    assert "128 is a batch size and 52 a last, smaller batch" in e.causes[0] and "drop_last=True" in e.fixes[0]
    assert e.causes[1].startswith("or ")
    other = explain("ValueError: Expected input batch_size (2543) to match target batch_size (2727).")
    assert "last, smaller batch" not in other.text() and not other.causes[0].startswith("or ")


def test_a_linear_between_two_backbone_widths_names_the_variants():
    e = explain("RuntimeError: mat1 and mat2 shapes cannot be multiplied (16x768 and 1024x2)")
    assert any("BERT/RoBERTa-base" in c and "BERT/RoBERTa-large" in c for c in e.causes)
    assert any("`nn.Linear(backbone.num_features, …)`" in f for f in e.fixes)
    diffusion = explain("RuntimeError: mat1 and mat2 shapes cannot be multiplied (154x2048 and 768x320)")
    assert "conditioning widths" in diffusion.causes[0] and "ResNet" not in diffusion.text()


def test_a_binary_loss_against_a_two_class_head_names_both_ways_out():
    e = explain("ValueError: Target size (torch.Size([32, 1])) must be the same as input size (torch.Size([32, 2]))")
    assert "two-class head" in e.causes[0] and "BCEWithLogitsLoss" in e.fixes[0] and "CrossEntropyLoss" in e.fixes[0]
    one_hot = explain(
        "ValueError: Target size (torch.Size([32, 2])) must be the same as input size (torch.Size([32, 1]))"
    )
    assert "one-hot targets of 2 classes" in one_hot.causes[0]


def test_collate_of_lists_of_different_lengths_offers_a_collate_fn():
    e = explain("RuntimeError: each element in list of batch should be of equal size")
    assert e.code == "SC109" and "collate_fn" in e.fixes[0]


def test_image_channel_counts_in_an_expand_and_a_cat_name_the_image_modes():
    expand = explain(
        "RuntimeError: The expanded size of the tensor (3) must match the existing size (4) at non-singleton "
        "dimension 0.  Target sizes: [3, 224, 224].  Tensor sizes: [4, 224, 224]"
    )
    assert "RGBA" in expand.causes[0] and "convert('RGB')" in expand.fixes[0]
    cat = explain("RuntimeError: Sizes of tensors must match except in dimension 0. Got 3 and 1 in dimension 1")
    assert "RGB and grayscale images in one batch" in cat.causes[0]
    tokens = explain("RuntimeError: Sizes of tensors must match except in dimension 0. Got 30 and 12 in dimension 1")
    assert "grayscale" not in tokens.text()


def test_an_in_place_column_against_a_vector_makes_a_square():
    e = explain("RuntimeError: output with shape [64, 1] doesn't match the broadcast shape [64, 64]")
    assert "a column [64, 1] combined with a 1-D [64]" in e.causes[0] and "`y.view(-1, 1)`" in e.fixes[0]


def test_a_tensor_of_several_values_read_as_a_number_is_not_a_shape_problem():
    e = explain("RuntimeError: only one element tensors can be converted to Python scalars")
    assert e.code == NOT_SHAPE and "`x.mean().item()`" in e.fixes[0]


def test_more_readings_from_how_the_numbers_relate():
    grids = explain(
        "RuntimeError: The size of tensor a (197) must match the size of tensor b (257) at non-singleton dimension 1"
    )
    assert "a ViT's tokens" in grids.causes[0] and not any("one-hot" in c for c in grids.causes)
    fewer = explain("RuntimeError: Expected hidden[0] size (2, 32, 128), got [1, 32, 128]")
    assert "`h.repeat(2, 1, 1)`" in fewer.fixes[0] and "h[-" not in fewer.fixes[0]
    samples = explain("RuntimeError: mat1 and mat2 shapes cannot be multiplied (32x3 and 32x64)")
    assert (
        "in_features (32) equals the number of rows" in samples.causes[0] and "`nn.Linear(3, 64)`" in samples.fixes[0]
    )
    flat = explain(
        "RuntimeError: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [64, 784]"
    )
    assert "784 = 1·28·28" in flat.causes[0] and "`x = x.view(-1, 1, 28, 28)`" in flat.fixes[0]


def test_values_with_nan_are_not_a_shape_problem():
    e = explain("ValueError: Input contains NaN, infinity or a value too large for dtype('float32').")
    assert e.code == NOT_SHAPE and "NaN" in e.title and "dtype mismatch" not in e.text()


def test_unflatten_sizes_against_a_grid_and_an_unexpanded_transformers_mask():
    grid = explain(
        "RuntimeError: unflatten: Provided sizes [16, 16] don't multiply up to the size of dim 1 (225) in the input "
        "tensor"
    )
    assert "225 = 15²: a 15×15 grid where the code assumes 16×16" in grid.causes[0]
    tokens = explain(
        "RuntimeError: unflatten: Provided sizes [14, 14] don't multiply up to the size of dim 1 (197) in the input "
        "tensor"
    )
    assert "197 = 14² + 1" in tokens.causes[0] and "`x[:, 1:]`" in tokens.fixes[0]
    mask = explain("ValueError: Attention mask should be of size (2, 1, 7, 7), but is torch.Size([2, 1, 1, 7])")
    assert "one row for all 7 queries" in mask.causes[0] and "2-D attention_mask" in mask.fixes[0]


def test_the_1x_bmm_wording_names_the_inner_dims():
    e = explain(
        "RuntimeError: Expected tensor to have size 3 at dimension 1, but got size 4 for argument #2 'batch2' (while "
        "checking arguments for bmm)"
    )
    assert "batch1's last dim is 3 but batch2 has 4 rows" in e.causes[0]
