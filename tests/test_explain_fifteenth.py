# ruff: noqa: E501
"""`explain`'s fifteenth round (issue 31): messages from threads of ops and libraries the earlier rounds reached
least: transposed convs and their output_padding, attention masks applied by hand or passed to
scaled_dot_product_attention, interpolations with a side of 0, cat of other ranks or of an empty list, gather and
scatter along the classes, KL divergence in distillation, torchmetrics' and scikit-learn's shape checks, and
einsum's wording before 1.8.

The set: 32 messages from GitHub threads and one Q&A page, none in the corpus, the held-out file or an earlier
round's set; each with the code lines the thread pastes where it shows them, the cause its answer (or its numbers)
gives, and the words a right story holds. Graded before this round (the `# before:` notes): 19 right, 8 told
without the answer's cause (a mask applied by hand read as a residual; a 6×6 discriminator map as a plain shape
mismatch; a 0 in an interpolation's input read as a kernel larger than the input; 231 = 3·77 prompt chunks as
"two sizes folded"), 5 not recognised (torchmetrics, scikit-learn, output_padding, einsum's old wording).

The mechanisms: a mask named on the line that raised makes the mask's length the story; 77 against a multiple of 77
is a long prompt in CLIP chunks; an interpolation says which side is 0 (an empty input from a selection upstream,
or a size computed to 0); cat of a 4-D map with vectors is a map not pooled, of an empty list is nothing appended;
a gather or scatter along dim 1 at labels is a class count; `kl_div` in the frames is KLDivLoss, and the teacher's
1000 ImageNet classes are said in distillation; a loss target with one value per sample against a map per sample
is a discriminator left with positions; the templates of torchmetrics (three wordings), scikit-learn's sample
counts (with per-pixel arrays of two image sides found from the counts alone), ConvTranspose's output_padding (an
output_size the input cannot reach), and einsum's `dimension mismatch for operand` (a space where a comma was
meant).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from shapecheck.explain import explain
from shapecheck.explain.explanation import UNDECODED

# (the code, the paste (the message with the code lines its thread shows), the thread, the answer's cause, words a
# right story holds (regexes, all needed), words of a story the answer rules out)
FIFTEENTH = [
    (
        "SC104",
        "RuntimeError: Given transposed=1, weight of size [768, 128, 3, 3, 3], expected input[4, 512, 3, 3, 3] to have 768 channels, but got 512 channels instead",
        "kbressem/prostate158/issues/5",
        "ConvTranspose3d built for 768 input channels receives 512 (weight of a transposed conv is [in, out, k...])",
        ["768", "512", "transpos"],
        ["128 input channels"],
    ),  # before: right
    (
        "SC112",
        "    hidden_states = torch.nn.functional.scaled_dot_product_attention(\n        query, key, value, dropout_p=0.0, is_causal=False, attn_mask=attention_mask\n    )\nThe expanded size of the tensor (6144) must match the existing size (6656) at non-singleton dimension 3.\nTarget sizes: [1, 24, 6144, 6144]\nTensor sizes: [6656, 6656]",
        "instantX-research/Regional-Prompting-FLUX/issues/27",
        "the attention mask was built for 6656 tokens (another prompt length/resolution) while attention runs over 6144",
        ["mask", "6656", "6144"],
        [],
    ),  # before: told without the cause
    (
        "SC125",
        "ValueError: Using a target size (torch.Size([12, 332, 14])) that is different to the input size (torch.Size([12, 332, 9])) is deprecated",
        "meituan/YOLOv6/issues/382",
        "class count: targets one-hot over 14 classes, the head predicts 9 (nc in the data yaml vs the model)",
        ["class", "14", "9"],
        [],
    ),  # before: right
    (
        "SC125",
        "ValueError: Using a target size (torch.Size([128])) that is different to the input size (torch.Size([128, 6, 6])) is deprecated. Please ensure they have the same size.",
        "znxlwm/pytorch-MNIST-CelebA-cGAN-cDCGAN/issues/11",
        "the discriminator outputs a 6x6 map rather than one score per image: the images are bigger than the architecture's 64x64 (or a layer missing)",
        ["6.6|map|spatial", "image size|larger|input size|discriminator|per image|one score"],
        [],
    ),  # before: told without the cause
    (
        "SC107",
        "    return torch._C._nn.upsample_linear1d(input, output_size, align_corners, scale_factors)\nRuntimeError: Input and output sizes should be greater than 0, but got input (W: 0) and output (W: 128)",
        "mlzxy/devit/issues/8",
        "the input tensor is empty along its length (0 elements: no classes/items selected), not the size requested",
        ["empty|0 elements|input .*0|W: 0|size 0|zero"],
        [],
    ),  # before: right
    (
        "SC107",
        "RuntimeError: Input and output sizes should be greater than 0, but got input (D: 4, H: 256, W: 256) output (D: 0, H: 256, W: 256)",
        "open-mmlab/mmaction2/issues/2185",
        "the requested temporal size rounds to 0 (scale factor on 4 frames too small)",
        ["scale|rounds|output"],
        [],
    ),  # before: right
    (
        "SC124",
        "    targets = torch.zeros(log_probs.size()).scatter_(1, targets.unsqueeze(1).data.cpu(), 1)\nRuntimeError: index 774 is out of bounds for dimension 1 with size 751",
        "haochenheheda/NFormer/issues/12",
        "label 774 but the classifier has 751 classes (Market-1501 train ids): num_classes too small / label remapping",
        ["751", "class|label"],
        [],
    ),  # before: right
    (
        "SC124",
        "    loss_c = log_sum_exp(batch_conf) - batch_conf.gather(1, conf_t.view(-1, 1))\nRuntimeError: index 1 is out of bounds for dimension 1 with size 1",
        "amdegroot/ssd.pytorch/issues/597",
        "num_classes = 1 in the config: no background class; labels reach 1",
        ["class", "background|num_classes|1 class"],
        [],
    ),  # before: told without the cause
    (
        "SC125",
        '  File "/home/neel/miniconda3/envs/process/lib/python3.7/site-packages/vit_pytorch/distill.py", line 146, in forward\n    reduction = \'batchmean\')\n  File "/home/neel/miniconda3/envs/process/lib/python3.7/site-packages/torch/nn/functional.py", line 2916, in kl_div\n    reduced = torch.kl_div(input, target, reduction_enum, log_target=log_target)\nRuntimeError: The size of tensor a (1000) must match the size of tensor b (2) at non-singleton dimension 1',
        "lucidrains/vit-pytorch/issues/232",
        "teacher (ImageNet, 1000 classes) and student (2 classes) logits differ: give the teacher a 2-class head",
        ["1000", "teacher|student|class"],
        [],
    ),  # before: right
    (
        "SC125",
        '  File "/home/miniconda3/envs/pytorch/lib/python3.8/site-packages/torch/nn/functional.py", line 2916, in kl_div\n    reduced = torch.kl_div(input, target, reduction_enum, log_target=log_target)\nRuntimeError: The size of tensor a (64) must match the size of tensor b (10) at non-singleton dimension 1',
        "median-research-group/LibMTL/issues/30",
        "KLDivLoss needs a distribution target the shape of input ([64, 10]); a class-index target (or transposed) is given",
        ["kl_div|KLDiv", "distribution|same shape|one-hot|probabilit"],
        [],
    ),  # before: told without the cause
    (
        "SC125",
        "ValueError: The `preds` and `target` should have the same shape, got `preds` with shape=torch.Size([2, 5, 64, 64]) and `target` with shape=torch.Size([2, 1, 64, 64]).",
        "Lightning-AI/torchmetrics/pull/2635",
        "multiclass segmentation: preds are per-class scores [N,5,H,W]; target has a channel dim of 1: squeeze it / use a multiclass metric / argmax preds",
        ["squeeze|argmax|multiclass|class"],
        [],
    ),  # before: missed
    (
        "SC125",
        "ValueError: Either `preds` and `target` both should have the (same) shape (N, ...), or `target` should be (N, ...) and `preds` should be (N, C, ...).",
        "open-edge-platform/anomalib/issues/389",
        "torchmetrics: preds and target shapes fit neither form (same shape, or an extra class dim on preds)",
        ["preds|prediction", "target"],
        [],
    ),  # before: missed
    (
        "SC125",
        "ValueError: Found input variables with inconsistent numbers of samples: [15360000, 7526400]",
        "amazon-science/patchcore-inspection/issues/22",
        "per-pixel metric: masks at one image size and predictions at another (150 images: 320x320 vs 224x224)",
        ["image size|resolution|pixel|resize"],
        [],
    ),  # before: missed
    (
        "",
        "RuntimeError: Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: long",
        "seal-rg/recurrent-pretraining/issues/23",
        "not a shape problem: the tokenizer's attention mask is int64; convert to bool",
        ["not a shape|dtype", "bool"],
        [],
    ),  # before: right
    (
        "SC112",
        "    expanded_attn_mask = causal_4d_mask.masked_fill(expanded_attn_mask.bool(), torch.finfo(dtype).min)\nRuntimeError: The size of tensor a (3509) must match the size of tensor b (7017) at non-singleton dimension 3",
        "FasterDecoding/SnapKV/issues/13",
        "the attention mask and the causal mask are for different sequence lengths (the patched attention/cache vs transformers version)",
        ["mask"],
        [],
    ),  # before: right
    (
        "SC112",
        "   `energy = energy.masked_fill(mask == 0, -1e10)`\nRuntimeError: The size of tensor a (1024) must match the size of tensor b (2048) at non-singleton dimension 3",
        "bentrevett/pytorch-seq2seq/issues/131",
        "the mask's source length (1024) differs from the attention energy's key length (2048)",
        ["mask"],
        [],
    ),  # before: right
    (
        "SC117",
        '  File "I:\\AI\\ComfyUI\\custom_nodes\\ComfyUI_densediffusion\\densediffusion_node.py", line 63, in scaled_dot_product_attention\n    attn_weight = attn_weight * mask_scale\n                  ~~~~~~~~~~~~^~~~~~~~~~~~\nRuntimeError: The size of tensor a (77) must match the size of tensor b (231) at non-singleton dimension 3',
        "huchenlei/ComfyUI_densediffusion/issues/1",
        "the text conditioning is 231 = 3x77 tokens (a long prompt in 3 chunks) while the mask is for 77",
        ["231 = 3.77|3 ?. ?77|chunk|77-token|longer prompt"],
        [],
    ),  # before: told without the cause
    (
        "SC104",
        "RuntimeError: output padding must be smaller than either stride or dilation, but got output_padding_height: 0 output_padding_width: 8000 stride_height: 1 stride_width: 10 dilation_height: 1 dilation_width: 1",
        "wangkenpu/Conv-TasNet-PyTorch/issues/7",
        "output_size passed to a ConvTranspose asks for a length the layer can't reach (8000 extra): the audio sample rate/length differs from the model's (8k)",
        ["output_size|output size|length", "8000"],
        [],
    ),  # before: missed
    (
        "SC109",
        "    x = torch.cat([x,exp],-1)\n        ^^^^^^^^^^^^^^^^^^^^^\nRuntimeError: Tensors must have same number of dimensions: got 4 and 2",
        "mapooon/Face2Diffusion/issues/3",
        "x is a 4-D feature map where a [batch, 1536] vector is expected: flatten/pool it before cat",
        ["4-D|4 dim|flatten|pool|view"],
        [],
    ),  # before: told without the cause
    (
        "SC109",
        "    rv = torch.cat([r, v], 1) # [batch_size, 2, imsize, imsize]\nRuntimeError: invalid argument 0: Tensors must have same number of dimensions: got 3 and 4 at /opt/conda/conda-bld/pytorch_1525812548180/work/aten/src/THC/generic/THCTensorMath.cu:102",
        "zuoxingdong/VIN_PyTorch_Visdom/issues/5",
        "r lost its channel dim (3-D) while v is 4-D: unsqueeze(1)",
        ["unsqueeze|channel"],
        [],
    ),  # before: right
    (
        "SC109",
        "    return torch.cat(valid_l, dimension)\nRuntimeError: zero-dimensional tensor (at position 24) cannot be concatenated",
        "wddabc/bist-parser/pull/4",
        "a 0-d tensor (a scalar loss) in the list: use torch.stack or unsqueeze",
        ["stack|unsqueeze|0-d|scalar"],
        [],
    ),  # before: right
    (
        "SC109",
        "    self.patch_xyz_lib = torch.cat(self.patch_xyz_lib, 0)\nRuntimeError: torch.cat(): expected a non-empty list of Tensors",
        "ZZZBBBZZZ/MulSen-AD/issues/7",
        "the list is empty: nothing was appended (no data found)",
        ["empty"],
        [],
    ),  # before: told without the cause
    (
        "SC112",
        "    e1 = torch.einsum('ik jl', torch.eye(A_cols, A_rows), torch.t(AXW0W1))\nRuntimeError: dimension mismatch for operand 0: equation 4 tensor 2",
        "whosebug.com/question/5281974",
        "the equation gives operand 0 four subscripts (a missing comma: 'ik jl' is one operand) while the tensor is 2-D",
        ["comma|4 subscripts|four|subscript"],
        [],
    ),  # before: missed
    (
        "SC112",
        "[rank13]: RuntimeError: The expanded size of the tensor (8) must match the existing size (5) at non-singleton dimension 0.  Target sizes: [8].  Tensor sizes: [5]",
        "modelscope/ms-swift/issues/4056",
        "a per-sample tensor of 5 expanded to the batch of 8: batch size must be a multiple of the number of generations (GRPO)",
        ["batch"],
        [],
    ),  # before: right
    (
        "SC109",
        "RuntimeError: stack expects each tensor to be equal size, but got [1, 512, 512] at entry 0 and [3, 512, 512] at entry 1",
        "xrli-U/MuSc/issues/45",
        "ground-truth masks: one 1-channel, another 3-channel (RGB image of a mask): convert to L",
        ["channel|RGB|grayscale|convert"],
        [],
    ),  # before: right
    (
        "SC109",
        "RuntimeError: stack expects each tensor to be equal size, but got [2, 51] at entry 0 and [5, 51] at entry 1",
        "Duankaiwen/LSNet/issues/24",
        "per-image annotations with different counts of objects (2 vs 5, 51 = 17 keypoints x 3) cannot be stacked: a collate that keeps lists",
        ["collate|list|pad|number of (objects|boxes|instances)|count"],
        [],
    ),  # before: right
    (
        "SC109",
        "RuntimeError: stack expects each tensor to be equal size, but got [0] at entry 0 and [1] at entry 3",
        "curiousily/Getting-Things-Done-with-Pytorch/pull/14",
        "an empty item (0) from the dataset (e.g. a tokenizer output not squeezed, or empty text)",
        ["empty|0 element|\\[0\\]"],
        [],
    ),  # before: right
    (
        "SC125",
        "ValueError: Using a target size (torch.Size([46])) that is different to the input size (torch.Size([46, 1])) is deprecated. Please ensure they have the same size.",
        "Arctanxy/W-Net-PyTorch/issues/15",
        "squeeze the output (or unsqueeze target)",
        ["squeeze|view"],
        [],
    ),  # before: right
    (
        "SC125",
        "    loss_phoneme_prediction = F.ctc_loss(phoneme_predicted, text_for_ctc, length, text_ctc_length)\nRuntimeError: Expected tensor to have size at least 209 at dimension 1, but got size 201 for argument #2 'targets' (while checking arguments for ctc_loss_gpu)",
        "sh-lee-prml/HierSpeechpp/issues/57",
        "the padded targets [N, 201] are shorter than the largest target_length 209: target lengths don't match the targets",
        ["target_length|target length", "209"],
        [],
    ),  # before: right
    (
        "SC104",
        "KSampler Given groups=1, weight of size [320, 4, 3, 3], expected input[2, 8, 96, 96] to have 4 channels, but got 8 channels instead",
        "Comfy-Org/ComfyUI/issues/4988",
        "an inpainting/instruct latent (8 = 4 + 4 channels concat) fed to a standard 4-channel UNet (or the reverse)",
        ["inpaint|4 \\+ 4|concat|8 = 2|latent"],
        [],
    ),  # before: right
    (
        "SC104",
        "RuntimeError: Given groups=1, weight of size [4, 4, 1, 1], expected input[1, 3, 512, 512] to have 4 channels, but got 3 channels instead",
        "XPixelGroup/DiffBIR/issues/90",
        "an RGB image where a 4-channel latent is expected (VAE encode first), or RGBA",
        ["latent|VAE|encode|RGBA"],
        [],
    ),  # before: told without the cause
    (
        "SC105",
        "torch.gather(input=torch.tensor([10, 11, 12]), dim=0, index=torch.tensor([[2]]))\nRuntimeError: Index tensor must have the same number of dimensions as input tensor",
        "pytorch/pytorch/issues/134244",
        "gather: index 2-D, input 1-D",
        ["gather|index", "dim"],
        [],
    ),  # before: right
]


def _told(text: str, must: list[str], wrong: list[str]) -> bool:
    return all(re.search(m, text, re.IGNORECASE) for m in must) and not any(
        re.search(w, text, re.IGNORECASE) for w in wrong
    )


@pytest.mark.parametrize("item", FIFTEENTH, ids=[row[2] for row in FIFTEENTH])
def test_each_message_of_the_set_is_told_as_its_answer_says(item):
    code, paste, thread, _cause, must, wrong = item
    e = explain(paste)
    assert e is not None and e.title != UNDECODED, thread
    assert e.code == code, (thread, e.code)
    assert _told(e.text(), must, wrong), (thread, e.text())


def test_the_set_is_apart_from_the_earlier_sets():
    from pathlib import Path

    threads = [row[2] for row in FIFTEENTH]
    assert len(FIFTEENTH) == 32 and len(set(threads)) == len(threads)
    here = Path(__file__).resolve().parent
    earlier = "".join(p.read_text() for p in here.glob("*explain*.py") if p.name != Path(__file__).name)
    # every message with numbers of its own is new; the three without (an empty cat list, the old gather rank,
    # torchmetrics' pairing rule) may be written in the table's tests
    messages = [row[1].splitlines()[-1].split("Error: ", 1)[-1].strip() for row in FIFTEENTH]
    assert [m for m in messages if m in earlier and re.search(r"\d{2}", m)] == []
    before = [line for line in Path(__file__).read_text().splitlines() if re.match(r"\s+\),  # before: ", line)]
    assert len(before) == len(FIFTEENTH)
    assert sum("before: right" in line for line in before) == 19
    assert sum("before: missed" in line for line in before) == 5


# ---- the mechanisms, each on messages of its own (not the set's) and where it must stay silent ----


def test_a_mask_on_the_line_that_raised_is_the_story_and_a_line_without_one_keeps_the_others():
    masked = explain(
        "    att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float('-inf'))\n"
        "RuntimeError: The size of tensor a (300) must match the size of tensor b (256) at non-singleton dimension 3"
    )
    assert masked.causes[0].startswith("the line applies a mask") and "300 and 256" in masked.causes[0]
    plain = explain(
        "    out = x + residual\n"
        "RuntimeError: The size of tensor a (300) must match the size of tensor b (256) at non-singleton dimension 3"
    )
    assert not any(c.startswith("the line applies a mask") for c in plain.causes)
    # a target compared on the line is a loss's story, not a mask's
    target = explain(
        "    loss = (pred - mask_true) ** 2\n"
        "RuntimeError: The size of tensor a (300) must match the size of tensor b (256) at non-singleton dimension 3"
    )
    assert not target.causes[0].startswith("the line applies a mask")


def test_a_multiple_of_77_against_77_is_a_long_prompt_in_clip_chunks():
    e = explain(
        "    x = x + context_mask\n"
        "RuntimeError: The size of tensor a (308) must match the size of tensor b (77) at non-singleton dimension 1"
    )
    assert any(c.startswith("308 = 4·77") for c in e.causes)
    alone = explain(
        "RuntimeError: The size of tensor a (308) must match the size of tensor b (77) at non-singleton dimension 1"
    )
    assert any(c.startswith("or 308 = 4·77") for c in alone.causes)
    # 78 is no CLIP chunk
    assert not any(
        "77" in c
        for c in explain(
            "The size of tensor a (156) must match the size of tensor b (78) at non-singleton dimension 1"
        ).causes
    )


@pytest.mark.parametrize(
    ("message", "start"),
    [
        (
            "Input and output sizes should be greater than 0, but got input (H: 0, W: 37) output (H: 32, W: 32)",
            "an interpolation got an empty input",
        ),
        (
            "Input and output sizes should be greater than 0, but got input (H: 7, W: 7) output (H: 3, W: 0)",
            "an interpolation was asked for an output of 3×0",
        ),
        (
            "Input and output sizes should be greater than 0, but got input (D: 0, H: 8, W: 8) output (D: 4, H: 16, W: 16)",
            "an interpolation got an empty input (0×8×8: 0 in D)",
        ),
        (
            "Input and output sizes should be greater than 0, but got input (W: 50) and output (W: 0)",
            "an interpolation was asked for an output of 0 (0 in W)",
        ),
    ],
)
def test_an_interpolation_says_which_side_is_0(message, start):
    assert explain(message).title.startswith(start)


def test_cat_of_a_map_with_vectors_and_of_an_empty_list():
    four = explain("RuntimeError: Tensors must have same number of dimensions: got 2 and 4")
    assert "not pooled or flattened" in four.causes[0] and "adaptive_avg_pool2d" in four.fixes[0]
    three = explain("RuntimeError: Tensors must have same number of dimensions: got 3 and 2")
    assert three.causes[0].startswith("a sequence [N, L, D] is joined with vectors")
    # ranks one apart with no vector among them: the general story only
    assert (
        explain("RuntimeError: Tensors must have same number of dimensions: got 4 and 3")
        .causes[0]
        .startswith("one tensor has")
    )
    empty = explain("RuntimeError: stack expects a non-empty TensorList")
    assert empty.title.endswith("an empty list") and "not a size mismatch" in empty.causes[0]


def test_a_gather_along_the_classes_at_the_labels_is_a_class_count():
    e = explain(
        "    logp = log_probs.gather(1, labels.unsqueeze(1))\nRuntimeError: index 10 is out of bounds for dimension 1 with size 10"
    )
    assert "num_classes" in e.causes[0]
    # gathered along another dim, or at indices not named as labels: the other readings stay first
    other = explain(
        "    x = feats.gather(0, idx)\nRuntimeError: index 10 is out of bounds for dimension 1 with size 10"
    )
    assert "num_classes set smaller" not in other.causes[0]


def test_kl_div_in_the_frames_is_kldivloss_and_distillation_names_the_teacher_s_classes():
    e = explain(
        '  File "kd.py", line 40, in distill\n    loss = F.kl_div(F.log_softmax(student(x) / T, 1), F.softmax(teacher(x) / T, 1))\n'
        "RuntimeError: The size of tensor a (10) must match the size of tensor b (1000) at non-singleton dimension 1"
    )
    assert any("KLDivLoss" in c for c in e.causes)
    assert e.causes[0].startswith("1000 is ImageNet's 1000 classes")


def test_a_map_per_sample_against_one_target_per_sample():
    e = explain(
        "Using a target size (torch.Size([64])) that is different to the input size (torch.Size([64, 1, 13, 13]))"
    )
    assert e.causes[0].startswith("the output keeps a 13×13 map per sample")
    # one extra dim of 1 is the trailing-one story, not a map
    assert (
        not explain("Using a target size (torch.Size([64])) that is different to the input size (torch.Size([64, 1]))")
        .causes[0]
        .startswith("the output keeps")
    )


def test_torchmetrics_three_wordings_and_the_segmentation_case():
    seg = explain(
        "ValueError: The `preds` and `target` should have the same shape, got `preds` with shape=torch.Size([4, 3, 32, 32]) and `target` with shape=torch.Size([4, 1, 32, 32])."
    )
    assert seg.causes[0].startswith("preds hold 3 class scores per position") and "num_classes=3" in seg.fixes[0]
    old = explain(
        "ValueError: ('The `preds` and `target` should have the same shape,', ' got `preds` with shape=torch.Size([8, 3]) and `target` with shape=torch.Size([8]).')"
    )
    assert old.title.startswith("a torchmetrics metric got preds of [8, 3]") and "argmax" in old.fixes[0]
    flat = explain(
        "RuntimeError: Predictions and targets are expected to have the same shape, but got torch.Size([40, 2]) and torch.Size([8, 5, 2])."
    )
    assert flat.causes[0].startswith("preds and target hold the same 80 values")
    assert (
        explain(
            "ValueError: Either `preds` and `target` both should have the (same) shape (N, ...), or `target` should be (N, ...) and `preds` should be (N, C, ...)."
        ).code
        == "SC125"
    )


@pytest.mark.parametrize(
    ("a", "b", "start"),
    [
        # the sides are known up to a common factor: a pair of usual image sides first, the largest such
        (1048576, 802816, "1048576 = 4·512² and 802816 = 4·448²"),
        (589824, 802816, "589824 = 4·384² and 802816 = 4·448²"),
        (300, 1200, "1200 = 4·300"),
        (999, 1000, "1 sample apart"),
    ],
)
def test_scikit_learn_sample_counts_are_related(a, b, start):
    e = explain(f"ValueError: Found input variables with inconsistent numbers of samples: [{a}, {b}]")
    assert e.causes[0].startswith(start), e.causes


def test_scikit_learn_counts_with_no_relation_say_so():
    e = explain("ValueError: Found input variables with inconsistent numbers of samples: [10000, 122]")
    assert e.causes == ["the two arrays come from different data: another split, another loader, or another reshape"]


def test_output_padding_far_past_the_stride_is_an_output_size_the_input_cannot_reach():
    far = explain(
        "RuntimeError: output padding must be smaller than either stride or dilation, but got output_padding_height: 37 "
        "output_padding_width: 0 stride_height: 2 stride_width: 2 dilation_height: 1 dilation_width: 1"
    )
    assert far.causes[0].startswith("the output_size asked is 37 positions in height") and far.code == "SC104"
    near = explain(
        "RuntimeError: output padding must be smaller than either stride or dilation, but got output_padding_height: 1 "
        "output_padding_width: 1 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1"
    )
    assert (
        near.causes[0].startswith("forward was given `output_size=`")
        and ("1", "output_padding in height") in near.numbers
    )


def test_einsum_s_old_wording_and_a_lost_comma():
    lost = explain(
        "    y = torch.einsum('bi bj', a, b)\nRuntimeError: dimension mismatch for operand 0: equation 4 tensor 2"
    )
    assert "a space where a comma was meant" in lost.causes[0] and lost.fixes[0].endswith("`bi, bj`")
    other = explain(
        "    y = torch.einsum('bij,bjk->bik', a, b)\nRuntimeError: dimension mismatch for operand 1: equation 3 tensor 2"
    )
    assert other.title == "torch.einsum: operand 1 has 2 dims but the equation gives it 3 subscripts"
    assert not any("comma" in c for c in other.causes)


def test_an_rgb_image_into_a_conv_of_4_is_a_latent_or_a_4_channel_model():
    e = explain(
        "RuntimeError: Given groups=1, weight of size [320, 4, 3, 3], expected input[1, 3, 512, 512] to have 4 channels, but got 3 channels instead"
    )
    assert e.causes[0].startswith("an RGB image (3 channels) reaches a conv built for 4") and "vae.encode" in e.fixes[0]


def test_explain_stays_without_torch():
    code = (
        "import sys; from shapecheck.explain import explain; "
        "explain('ValueError: Found input variables with inconsistent numbers of samples: [65536, 196608]'); "
        "explain('output padding must be smaller than either stride or dilation, but got output_padding_height: 0 "
        "output_padding_width: 9 stride_height: 1 stride_width: 2 dilation_height: 1 dilation_width: 1'); "
        "print('torch' in sys.modules)"
    )
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )


# ---- held out: collected after the mechanisms were written, from other threads; the torchmetrics wording of
# releases before 1.0 was added after this list was first graded (13 of 16 then; anomalib's own message stays) ----

HELD_OUT = [
    (
        '  File "/home/primary/4T_a/AnoDDPM-master/evaluation.py", line 81, in ROC_AUC\n    return roc_curve(real_mask.detach().cpu().numpy().flatten(), square_error.detach().cpu().numpy().flatten())\nValueError: Found input variables with inconsistent numbers of samples: [65536, 196608]',
        "Julian-Wyatt/AnoDDPM/issues/18",
        ["3·65536|3 values"],
    ),
    (
        "ValueError: Found input variables with inconsistent numbers of samples: [2000, 2001]",
        "jan-forest/autoencodix/issues/16",
        ["1 sample apart|last batch|split"],
    ),
    (
        "    self.fpr[MICRO], self.tpr[MICRO], _ = roc_curve(y.ravel(), y_pred.ravel())\nValueError: Found input variables with inconsistent numbers of samples: [4, 2]",
        "DistrictDataLabs/yellowbrick/issues/1149",
        ["4 = 2·2|2 values per sample"],
    ),
    (
        "Input and output sizes should be greater than 0, but got input (H: 0, W: 21) output (H: 64, W: 64)",
        "songrise/CLIP-Count/issues/19",
        ["empty"],
    ),
    (
        "Input and output sizes should be greater than 0, but got input (H: 16, W: 16) output (H: 0, W: 0)",
        "icey-zhang/GHOST/issues/3",
        ["output of 0×0|size asked is 0"],
    ),
    (
        '    return F.interpolate(tensor, size=size, mode=mode)\n  File "C:\\pinokio\\api\\comfy.git\\app\\env\\lib\\site-packages\\torch\\nn\\functional.py", line 4057, in interpolate\n    return torch._C._nn._upsample_nearest_exact2d(input, output_size, scale_factors)\nRuntimeError: Input and output sizes should be greater than 0, but got input (H: 0, W: 1600) output (H: 1024, W: 128)',
        "filliptm/ComfyUI_Fill-Nodes/issues/27",
        ["empty"],
    ),
    (
        "Resizing image from (2, 2) to (0, 0)\n!!! Exception during processing !!! Input and output sizes should be greater than 0, but got input (H: 2, W: 2) output (H: 0, W: 0)",
        "kijai/ComfyUI-SUPIR/issues/173",
        ["output of 0×0|size asked is 0"],
    ),
    (
        '    energy = energy.masked_fill(mask == 0, float("-1e20"))\nRuntimeError: The size of tensor a (1024) must match the size of tensor b (512) at non-singleton dimension 3',
        "bentrevett/pytorch-seq2seq/issues/130",
        ["mask"],
    ),
    (
        "     scores = scores.masked_fill(mask == 0, -1e9)\nRuntimeError: The size of tensor a (127) must match the size of tensor b (40) at non-singleton dimension 3",
        "SamLynnEvans/Transformer/issues/20",
        ["mask"],
    ),
    (
        '  File "/root/mount/vln-duet/pretrain_src/model/vilmodel.py", line 120, in forward\n    attention_scores = attention_scores + attention_mask\nRuntimeError: The size of tensor a (63) must match the size of tensor b (59) at non-singleton dimension 3',
        "cshizhe/VLN-DUET/issues/30",
        ["mask"],
    ),
    (
        "    MaskMap._log_mask[:block_bound, :block_bound] = gen_log_mask_shrinked(query, query.shape[0], self.video_token_num, self.num_frame, sparse_type=sparse_type, decay_factor=decay_factor, model_type=model_type, block_size=block_size)\nRuntimeError: The expanded size of the tensor (900) must match the existing size (902) at non-singleton dimension 1.  Target sizes: [900, 900].  Tensor sizes: [902, 902]",
        "mit-han-lab/radial-attention/issues/37",
        ["mask"],
    ),
    (
        "    cat5 = torch.cat((x5, x2), dim=1)\nRuntimeError: Sizes of tensors must match except in dimension 1. Expected size 766 but got size 765 for tensor number 1 in the list.",
        "fengzhang427/HEP/issues/4",
        ["odd|multiple of|divisible"],
    ),
    (
        "RuntimeError: Predictions and targets are expected to have the same shape, but got torch.Size([18432, 2]) and torch.Size([384, 48, 2]).",
        "gastruc/AnySat/issues/18",
        ["384·48|18432 = "],
    ),
    (
        "RuntimeError: Predictions and targets are expected to have the same shape, but got torch.Size([6322]) and torch.Size([6322, 4]).",
        "DSaurus/threestudio-dreamcraft3D/issues/2",
        ["4 values|dim of 4|\\[6322, 4\\]"],
    ),
    (
        "Shape mismatch: predictions shape torch.Size([]) != targets shape torch.Size([1])",
        "open-edge-platform/anomalib/issues/2894",
        ["0-d|scalar|squeez|single sample|one sample"],
    ),
    (
        "!!! Exception during processing !!! The size of tensor a (4015) must match the size of tensor b (8030) at non-singleton dimension 1",
        "philipy1219/ComfyUI-TaylorSeer/issues/22",
        ["8030 = 2·4015|2·4015|twice"],
    ),
]


def test_the_held_out_threads_are_told_but_anomalib_s_own_message():
    told = {
        thread for paste, thread, must in HELD_OUT if _told(explain(paste).text() if explain(paste) else "", must, [])
    }
    assert told == {thread for _, thread, _ in HELD_OUT} - {"open-edge-platform/anomalib/issues/2894"}
