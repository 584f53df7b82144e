# ruff: noqa: E501
"""`explain`'s thirteenth round (issue 31): messages as forums and Q&A pages show them, and the mechanisms they
called for.

The set: 21 messages from forum threads, Q&A pages and blog posts (pages mirroring Stack Overflow questions,
discuss.pytorch.org, tutorials that quote a reader's error), each as the page pastes it (`RuntimeError-` for
`RuntimeError:`, `untimeerror` cut and lower-cased, smart quotes, a traceback's frame run into the message, the code
lines quoted with it), with the cause its answer gives and the words a right story holds. 49 were collected; the 28
whose message is already, verbatim, in the earlier sets (the same Stack Overflow questions, mined before) are left
out. Graded before this round's changes (the `# before:` notes): 15 of the 20 answered told right, 4 stories the
answer rules out (a Conv1d's rank read without its conv, an MSE regression read as class indices only, an SE
block's reduction read as a classifier head, a Parameter assignment read as a device mismatch), 1 message retyped
without its punctuation not read.

The mechanisms: a message retyped with several words changed is read at the level of words and values
(`tolerant.py`); a relation between two numbers is said only for sizes the two compared shapes disagree on; a
checkpoint layer inside a block is not a classifier head, and its widths are read as a reduction ratio; a target of
one value against several outputs gets both readings (class indices, a regression); a Conv1d's rank check names
Conv1d and reads vectors [N, C] as a lost length; nn.Module's attribute type check is said to be no shape problem.
"""

from __future__ import annotations

import re

from shapecheck.explain import explain
from shapecheck.explain.explanation import NOT_SHAPE, UNDECODED

TB = "https://taourl.com/"
DK = "https://duoke360.com/post/"

# (family, paste, page, the answer's cause (None: the page has none), words a right story holds)
THIRTEENTH = [
    (
        "linear-in",
        "Pytorch Error Runtime RuntimeError- mat1 and mat2 shapes cannot be multiplied (10x2048 and 64x6)",
        TB + "read-2425297.html",
        "features 2048 into a layer built for 64: in_features",
        ["in_features", "2048"],
    ),  # before: right
    (
        "conv-rank",
        "Expected 4-dimensional input for 4-dimensional weight [10, 1, 3, 3], but got 2-dimensional input of size [100, 784] instead\n    images = Variable(images.view(-1, 28 * 28))\n        out = self.conv1(x)",
        "https://e-com-net.com/article/1743708265516122112.htm",
        "images flattened to 784 before the conv: do not view(-1, 28*28); keep [N, 1, 28, 28]",
        ["28"],
    ),  # before: right
    (
        "conv-rank",
        "RuntimeError: Expected 3D input for 3D weight [64, 512, 1], but got 2D input of size [4, 512] instead",
        DK + "34411",
        "Conv1d given [N, C] without a length dim: unsqueeze(-1)",
        ["unsqueeze"],
    ),  # before: wrong
    (
        "linear-in",
        "RuntimeError: size mismatch, m1: [1 x 7744], m2: [400 x 120]",
        DK + "35088",
        "LeNet's fc1 built for 16*5*5 (32x32 images) fed a larger map 16*22*22 = 7744",
        ["16·22·22|16×22×22|22×22", "400|in_features"],
    ),  # before: right
    (
        "linear-in",
        "RuntimeError: size mismatch, m1: [3584 x 28], m2: [784 x 128] at /pytorch/aten/src/TH/generic/THTensorMath.cpp:940",
        "https://www.duoke360.com/post/35252",
        "images not flattened: 3584 = 128 rows of 28; flatten each 28x28 image to 784",
        ["flatten|view", "128·28|3584 = 128"],
    ),  # before: right
    (
        "matmul",
        "y_hat = torch.matmul(x, a)  # This line causes an error\n# RuntimeError: size mismatch, m1: [1 x 784], m2: [10 x 784]",
        "https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1#fastai-lesson5",
        "weight is [out, in]: multiply by a.t() (as nn.Linear does)",
        ["transpose|.t()|.T"],
    ),  # before: right
    (
        "stack",
        "RuntimeError: stack expects each tensor to be equal size, but got [2, 4] at entry 0 and [5, 4] at entry 1",
        "https://e-com-net.com/article/1647657985134071808.htm",
        "variable counts of boxes per sample: a custom collate_fn that pads",
        ["collate_fn"],
    ),  # before: right
    (
        "bce-target",
        "File “/root/miniconda3/envs/pt17/lib/python3.7/site-packages/torch/nn/functional.py”, line 2580, in binary_cross_entropy_with_logits   raise ValueError(“Target size ({}) must be the same as input size ({})”.format(target.size(), input.size())) ValueError: Target size (torch.Size([4])) must be the same as input size (torch.Size([4, 1]))",
        "https://www.kuazhi.com/post/713984006.html",
        "labels [N] vs logits [N,1]: view(-1,1) / unsqueeze(1)",
        ["unsqueeze(1)|squeeze(1)|view(-1, 1)"],
    ),  # before: right
    (
        "mse-target",
        "UserWarning: Using a target size (torch.Size([1])) that is different to the input size (torch.Size([1, 20])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.\n        self.lstm = torch.nn.LSTM(10, 20, 1)\n        self.fc = torch.nn.Linear(20, 2)\n        self.flatten = torch.nn.Flatten(start_dim=1, end_dim=2)",
        "https://discuss.pytorch.org/t/in-a-number-sequence-1-2-3-4-estimate-the-next-number-using-lstm/202270",
        "the model outputs 20 values (10 steps x 2) for one target: take the last step and one output",
        ["20", "regress|one output per sample"],
    ),  # before: wrong
    (
        "not-shape",
        "RuntimeError: grad can be implicitly created only for scalar outputs\nloss = nn.CrossEntropyLoss(reduction='none')",
        "https://www.iotword.com/2251.html",
        "loss not reduced: loss.sum()/mean() before backward",
        ["not a shape problem", "sum()|mean()"],
    ),  # before: right
    (
        "ce-target",
        "RuntimeError: Expected 1D target tensor, multi-target not supported",
        DK + "35125",
        "one-hot target: class indices (argmax) or BCEWithLogitsLoss",
        ["argmax|class indices|class index"],
    ),  # before: right
    (
        "state-dict",
        "RuntimeError: Error(s) in loading state_dict for ViT_Aes:\nsize mismatch for mlp_head.1.weight: copying a param with shape torch.Size([1000, 768]) from checkpoint, the shape in current model is torch.Size([10, 768]).\nsize mismatch for mlp_head.1.bias: copying a param with shape torch.Size([1000]) from checkpoint, the shape in current model is torch.Size([10]).",
        "https://blog.csdn.net/weixin_44966641/article/details/120083303",
        "ImageNet-1k head into 10 classes; strict=False does not skip size mismatches: pop the head's keys",
        ["1000", "strict=False|pop|delete|del "],
    ),  # before: right
    (
        "state-dict",
        "size mismatch for layer1.0.se.fc.0.weight: copying a param with shape torch.Size([16, 64]) from checkpoint, the shape in current model is torch.Size([4, 64]).",
        "https://wenku.csdn.net/answer/3nk9ev8r9n",
        "SE reduction ratio differs (64/4 = 16 vs 64/16 = 4): build with the checkpoint's ratio",
        ["reduction|ratio|configuration"],
    ),  # before: wrong
    (
        "state-dict",
        "RuntimeError: Error(s) in loading state_dict for ChangedModel:\\n\\tSize mismatch for linear.weight: copying a param with shape torch.Size([5, 10]) from checkpoint, the shape in current model is torch.Size([6, 10]).",
        "https://leyaa.ai/codefly/learn/pytorch/qna/how-to-fix-state-dict-key-mismatch-in-pytorch",
        "output size changed 5 -> 6: build the model as saved",
        ["5", "6"],
    ),  # before: right
    (
        "unet-skip",
        "RuntimeError: Given groups=1, weight of size [512, 1024, 3, 3], expected input[1, 512, 64, 64] to have 1024 channels, but got 512 channels instead\n        nn.ConvTranspose2d(in_channels, out_channels, kernel_size=2, stride=2),\n        self.double_conv(in_channels, out_channels),",
        "https://devgem.io/posts/how-to-fix-channel-mismatch-errors-in-u-net-architecture-in-pytorch",
        "the up block's double conv expects the skip concatenated (512 + 512 = 1024): torch.cat the skip before it",
        ["skip|concatenat|torch.cat"],
    ),  # before: right
    (
        "not-shape",
        "RuntimeError: Expected object of scalar type Long but got scalar type Float for argument #2 'mat2'",
        "https://pythonjishu.com/pytorch-error-65",
        "mixed dtypes in a matmul: cast one (.float()/.long())",
        ["not a shape problem", ".float()|.long()|dtype"],
    ),  # before: right
    (
        "not-shape",
        "TypeError: cannot assign 'torch.cuda.FloatTensor' as parameter 'weight' (torch.nn.Parameter or None expected)\nself.weight = torch.randn(3, 3).cuda()",
        "http://www.mynw.cn/news/869939.html",
        "a plain tensor assigned where a Parameter is registered: wrap it in nn.Parameter",
        ["not a shape problem", "nn.Parameter"],
    ),  # before: wrong
    (
        "cat",
        "RuntimeError: Sizes of tensors must match except in dimension 0. Got 3 and 4 in dimension 1 at /tmp/pip-req-build-jle7vp7w/aten/src/TH/generic/THTensor.cpp:612",
        "https://yingnd.com/python/155003.html",
        None,
        [],
    ),  # before: noanswer
    (
        "ce-seq",
        "ValueError: Expected target size (128, 44), got torch.Size([128, 100])",
        DK + "35135",
        "CrossEntropyLoss reads classes from dim 1: a [N, T, C] output must be permuted to [N, C, T] (or flattened)",
        ["permute|transpose"],
    ),  # before: right
    (
        "too-small",
        "RuntimeError: Given input size: (64x1x1). Calculated output size: (64x0x0). Output size is too small",
        TB + "read-2182907.html",
        "the 1x1 map is too small for the window: padding, a smaller kernel or a larger input",
        ["too small|larger input|smaller than"],
    ),  # before: right
    (
        "too-small",
        "untimeerror given input size 32x1x1 calculated output size 32x0x0",
        "https://cal16.calculator.city/untimeerror-given-input-size-32x1x1-calculated-output-size-32x0x0/",
        "kernel, padding and stride collapse a 1x1 map to 0: padding or a smaller kernel / larger input",
        ["too small|larger input|smaller than"],
    ),  # before: unrec
]

# the codes a family's right reading carries
FAMILIES = {
    "matmul": {"SC102"},
    "linear-in": {"SC101", "SC102"},
    "view": {"SC113"},
    "view-stride": {"SC111"},
    "loss-broadcast": {"SC125", "SC112"},
    "conv-rank": {"SC105"},
    "rnn-rank": {"SC105"},
    "stack": {"SC109"},
    "cat": {"SC109"},
    "bce-target": {"SC125"},
    "mse-target": {"SC125"},
    "ce-target": {"SC125"},
    "ce-seq": {"SC125"},
    "ce-nobatch": {"SC131"},
    "dim-range": {"SC131"},
    "target-range": {"SC125"},
    "state-dict": {"SC110"},
    "conv-channels": {"SC104"},
    "unet-skip": {"SC104"},
    "embedding-range": {"SC124"},
    "broadcast": {"SC112"},
    "too-small": {"SC107"},
    "not-shape": {NOT_SHAPE},
}

# words of the stories told before this round that the pages' answers rule out
WRONG = {
    DK + "34411": ["nn.Conv2d in PyTorch"],
    "https://discuss.pytorch.org/t/in-a-number-sequence-1-2-3-4-estimate-the-next-number-using-lstm/202270": [],
    "https://wenku.csdn.net/answer/3nk9ev8r9n": ["num_classes=16", "64 = 16·4"],
    "http://www.mynw.cn/news/869939.html": ["device mismatch"],
}


def _right(text: str, must: list[str]) -> bool:
    low = text.lower()
    return all(any(a.lower() in low for a in word.split("|")) for word in must)


def test_the_thirteenth_set_is_read_and_told_right():
    pages = [page for _, _, page, _, _ in THIRTEENTH]
    assert len(THIRTEENTH) >= 20 and len(set(pages)) == len(pages)
    told, answered = [], 0
    for family, message, page, cause, must in THIRTEENTH:
        e = explain(message)
        assert e is not None and e.title != UNDECODED, page
        assert e.code in FAMILIES[family], (page, e.code)
        assert not any(w.lower() in e.text().lower() for w in WRONG.get(page, [])), page
        if cause is not None:
            answered += 1
            if _right(e.text(), must):
                told.append(page)
            else:
                raise AssertionError((page, e.text()))
    # before this round: 15 of the 20 answered told right; now all
    assert answered == 20 and len(told) == 20


def test_the_set_is_apart_from_the_earlier_ones():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import explain_heldout
    from explain_corpus import MESSAGES

    earlier = set()
    for name in dir(explain_heldout):
        value = getattr(explain_heldout, name)
        if isinstance(value, list):
            earlier |= {m[1] for m in value if isinstance(m, tuple) and len(m) >= 2}
    earlier |= {m[1] for m in MESSAGES}
    assert not earlier & {message for _, message, _, _, _ in THIRTEENTH}


# the set's messages retyped the ways forum pastes show (articles dropped, a singular for a plural, `dim` for
# `dimension`, a hyphen or an underscore lost, a verb changed): two words or more differ from PyTorch's, which the
# patterns, tolerant of one, did not read (none of these was read before this round)
RETYPED = [
    (
        "RuntimeError: size of tensor a (133) must match size of tensor b (10) at non singleton dimension 1",
        "http://www.kouhan.cn/en/article/00050409",
        "SC112",
    ),
    (
        "RuntimeError: the size of tensor a (2) should match the size of tensor b (39) at non-singleton dim 1",
        DK + "35002",
        "SC112",
    ),
    ("mat1 and mat2 shape cannot be multiply (62x12288 and 784x512)", TB + "read-1973755.html", "SC102"),
    (
        "RuntimeError: Given groups=1, weight of size [16, 1, 5, 5], expected input [100, 3, 256, 256] to have 1 channel, but got 3 channel instead",
        DK + "34762",
        "SC104",
    ),
    (
        "RuntimeError: Given groups=1, weights of size [32, 1, 3, 3], expected input[1, 3, 6, 7] to has 1 channels but got 3 channels",
        DK + "34763",
        "SC104",
    ),
    (
        "Expected input batch size (64) to match target batch size (32)",
        "http://www.wenzhangge.com/post/28999.html",
        "SC106",
    ),
    (
        "ValueError: Expected input batch_size (64) to match the target batch_size (32).",
        "http://www.wenzhangge.com/post/28944.html",
        "SC106",
    ),
    (
        "RuntimeError: shape [16, 400] is invalid for input with size 9600",
        "https://www.bytezonex.com/archives/QBoC8wIS.html",
        "SC113",
    ),
    (
        "RuntimeError: Input.size(-1) must equal input_size. Expected 10 got 20",
        "https://discuss.pytorch.org/t/in-a-number-sequence-1-2-3-4-estimate-the-next-number-using-lstm/202270",
        "SC115",
    ),
    ("mat1 and mat2 shape can't be multiplied (62 x 12288 and 784 x 512)", TB + "read-1973755.html", "SC102"),
    (
        "given input size (512x3x3) calculated output size (512x0x0), output size too small",
        TB + "read-2182907.html",
        "SC107",
    ),
]


def test_a_message_retyped_with_several_words_changed_is_read_by_its_words_and_values():
    for message, page, code in RETYPED:
        e = explain(message)
        assert e is not None and e.code == code, (page, message, e and e.code)
    # the values fill the template's fields in order: the reading is the one of PyTorch's own wording
    e = explain(RETYPED[0][0])
    assert e is not None and "133 vs 10 in dim 1" in e.title
    e = explain(RETYPED[2][0])
    assert e is not None and "12288" in e.title and "in_features=784" in e.title


def test_a_retyped_reading_needs_every_value_and_most_words():
    # no value to anchor it: a Python list's index error is not the embedding's message
    assert (
        explain("IndexError: list index out of range") is None
        or explain("IndexError: list index out of range").code != "SC124"
    )
    # the words of a message without its values
    assert explain("the size of tensor a must match the size of tensor b") is None
    # values without the words
    assert explain("my model has 133 classes and a batch of 10, at step 1") is None
    # a value missing: every field must be filled
    assert explain("size of tensor a must match size of tensor b (10) at non singleton dimension") is None
    # a word where a value is taken: the word-level reading fills fields with values only
    from shapecheck.explain.tolerant import tolerant_candidates

    assert (
        tolerant_candidates(
            "the size of tensor a (big) must match the size of tensor b (small) at non-singleton dim one"
        )
        == []
    )
    assert tolerant_candidates("the size of tensor a (133) must match the size of tensor b (10) at non-singleton dim 1")


def test_relations_leave_out_a_size_the_compared_shapes_agree_on():
    e = explain(
        "size mismatch for layer1.0.se.fc.0.weight: copying a param with shape torch.Size([16, 64]) from checkpoint, the shape in current model is torch.Size([4, 64])."
    )
    assert e is not None and "64 = 16·4" not in e.text()


def test_a_layer_inside_a_block_is_not_a_head_and_its_widths_read_as_a_ratio():
    e = explain(
        "size mismatch for layer1.0.se.fc.0.weight: copying a param with shape torch.Size([16, 64]) from checkpoint, the shape in current model is torch.Size([4, 64])."
    )
    assert e is not None and e.code == "SC110"
    assert "num_classes" not in e.text() and "reduction ratio" in e.text() and "64/4 = 16" in e.text()
    # a head keeps its reading
    e = explain(
        "size mismatch for fc.weight: copying a param with shape torch.Size([100, 2048]) from checkpoint, the shape in current model is torch.Size([10, 2048])."
    )
    assert e is not None and "num_classes=100" in e.text()
    # a block's layer that names classes is still a head (a detection block's class scores)
    e = explain(
        "size mismatch for bbox_head.0.cls_score.weight: copying a param with shape torch.Size([81, 1024]) from checkpoint, the shape in current model is torch.Size([21, 1024])."
    )
    assert e is not None and "num_classes=81" in e.text()


def test_one_target_value_against_several_outputs_gets_both_readings():
    e = explain(
        "UserWarning: Using a target size (torch.Size([1])) that is different to the input size (torch.Size([1, 20])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size."
    )
    assert e is not None and e.code == "SC125"
    text = e.text()
    assert "one_hot" in text and "CrossEntropyLoss" in text  # class indices
    assert "regress" in text and "nn.Linear(…, 1)" in text  # a value to regress


def test_a_conv1d_rank_check_names_conv1d_and_reads_vectors_as_a_lost_length():
    e = explain("RuntimeError: Expected 3D input for 3D weight [64, 512, 1], but got 2D input of size [4, 512] instead")
    assert e is not None and e.raised_by.startswith("nn.Conv1d") and "unsqueeze(-1)" in e.text()
    e = explain(
        "RuntimeError: Expected 4-dimensional input for 4-dimensional weight [32, 3, 3, 3], but got 3-dimensional input of size [3, 224, 224] instead"
    )
    assert e is not None and e.raised_by.startswith("nn.Conv2d")
    # vectors whose width is not the conv's in_channels: not read as a lost length
    e = explain("RuntimeError: Expected 3D input for 3D weight [64, 512, 1], but got 2D input of size [4, 100] instead")
    assert e is not None and "length dim is missing" not in e.text()


def test_a_module_attribute_of_another_type_is_no_shape_problem():
    e = explain(
        "TypeError: cannot assign 'torch.cuda.FloatTensor' as parameter 'weight' (torch.nn.Parameter or None expected)"
    )
    assert e is not None and e.code == NOT_SHAPE and "nn.Parameter(tensor)" in e.text() and "device" not in e.title
    e = explain("TypeError: cannot assign 'int' as child module 'fc' (torch.nn.Module or None expected)")
    assert e is not None and e.code == NOT_SHAPE and re.search(r"child module", e.title)


def test_a_word_typed_with_one_letter_off_or_two_words_run_together_is_the_templates():
    # the retyped message of the page, with `chanels` and `dimention` typed as forum posts do
    e = explain(
        "RuntimeError: Given groups=1, weights of size [16, 1, 5, 5], expected input [100, 3, 256, 256] to have 1 chanels, but got 3 chanel"
    )
    assert e is not None and e.code == "SC104" and "built for 1 input channels received 3" in e.title
    e = explain(
        "RuntimeError: the size of tensor a (133) should match size of tensor b (10) at non-singleton dimention 1"
    )
    assert e is not None and "133 vs 10 in dim 1" in e.title
    # `batchsize` for `batch_size`, twice
    e = explain("Expected input batchsize (64) to match target batchsize (32)")
    assert e is not None and e.code == "SC106" and "64 rows of scores for 32 targets" in e.title
    # one letter off is not any word: a short word is not stretched (`size` is not `sizes`' typo of `side`)
    from shapecheck.explain.tolerant import _one_edit

    assert _one_edit("chanels", "channels") and _one_edit("multipled", "multiplied") and not _one_edit("shape", "scale")


def test_the_one_word_loose_reading_may_lose_the_templates_longest_word():
    # `multiplied` mistyped is the template's longest word: the loose pattern is still tried, and the hand
    # template's Linear reading wins over the extracted row's generic one
    e = explain("RuntimeError: mat1 and mat2 shapes cannot be multipled (64x100 and 400x10)")
    assert e is not None and e.title == "a Linear layer got 100 features per row but has in_features=400"


def test_a_cuda_tensor_to_numpy_is_a_conversion_not_two_devices_in_one_op():
    for message in (
        "TypeError: can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.",
        "TypeError: can't convert CUDA tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.",
    ):
        e = explain(message)
        assert e is not None and e.code == NOT_SHAPE and "converted to numpy" in e.title, message
        assert ".cpu().numpy()" in e.text() and "two devices" not in e.text()


def test_a_call_with_another_number_of_arguments_counts_self_and_is_no_shape_problem():
    e = explain("TypeError: forward() takes 2 positional arguments but 3 were given")
    assert e is not None and e.code == NOT_SHAPE and "called with 2 arguments where it takes 1" in e.title
    assert "model(x, y)" in e.text()
    e = explain("TypeError: __init__() takes 1 positional argument but 2 were given")
    assert e is not None and "its __init__ does not take" in e.text() and "model(x, y)" not in e.text()


def _relation(message: str) -> str:
    e = explain(message)
    assert e is not None, message
    return next((c for c in e.causes if c.startswith("how the numbers relate")), "")


def test_a_ratio_is_said_across_the_two_compared_shapes_only():
    # a batch and a width of one shape are not a ratio, nor is a size the other shape has at another dim
    said = _relation(
        "RuntimeError: Given normalized_shape=[256], expected input with shape [*, 256], but got input of size[32, 256, 128, 128]"
    )
    assert "4·32" not in said and "2·128" not in said
    # swapped dims are not scaled ones
    said = _relation(
        "RuntimeError: stack expects each tensor to be equal size, but got [24, 32, 64] at entry 0 and [24, 64, 32] at entry 1"
    )
    assert "2·32" not in said
    # two sizes the shapes agree on (16 and 64, right-aligned) are not a ratio either
    said = _relation(
        "RuntimeError: The expanded size of the tensor (1000) must match the existing size (1289) at non-singleton dimension 1. Target sizes: [1, 1000, 16, 64]. Tensor sizes: [1289, 16, 64]"
    )
    assert "4·16" not in said
    # the sizes at the compared place keep theirs
    said = _relation(
        "RuntimeError: The expanded size of the tensor (64) must match the existing size (128) at non-singleton dimension 1.  Target sizes: [10, 64].  Tensor sizes: [10, 128]"
    )
    assert "128 = 2·64" in said
    # a size of one shape folded from two of the other's is said
    said = _relation(
        "RuntimeError: The shape of the mask [32, 6375] at index 0 does not match the shape of the indexed tensor [204000, 1] at index 0"
    )
    assert "204000 = 32·6375" in said


# a second set from the same kind of pages (Hugging Face blog posts, notebooks, a Chinese developer blog), collected
# after the mechanisms above and graded before the next four were written from it (3 of 7 right: a tokenizer's
# padding message read as a U-Net's skip connection, a 1-D token tensor given to a model read without the model, two
# batches apart by the GPU count read without the GPUs, a [batch, S] padding mask given as attn_mask read as a mask
# of another length); all 7 after. Not a held-out measure: it wrote them.
SECOND = [
    (
        "broadcast",
        'RuntimeError: The size of tensor a (1002) must match the size of tensor b (512) at non-singleton dimension 1\nsequence = ["I really enjoy swimming!"*200]\ntokens = tokenizer(sequence, return_tensors="pt")\noutput = model(**tokens)',
        "https://swimmingindata.io/blog/llms-with-hugging-face-part-4-models-input-output",
        "more tokens than the model's 512 positions: truncation=True",
        ["truncation|truncate|max_length"],
    ),  # before: right
    (
        "collate",
        "ValueError: Unable to create tensor, you should probably activate truncation and/or padding with 'padding=True' 'truncation=True' to have batched tensors with the same length.\nsequence = [\"I really enjoy swimming!\", \"I do not like running in circles.\"]",
        "https://swimmingindata.io/blog/llms-with-hugging-face-part-4-models-input-output#padding",
        "sequences of different lengths: padding=True",
        ["padding"],
    ),  # before: wrong
    (
        "index",
        "input_ids = torch.tensor(ids)\n# This line will fail.\nmodel(input_ids)\nIndexError: too many indices for tensor of dimension 1",
        "https://github.com/karliekaz/INFO4000",
        "one sequence without its batch dim: torch.tensor([ids])",
        ["batch"],
    ),  # before: wrong
    (
        "collate",
        "ValueError: expected sequence of length 59 at dim 1 (got 43)",
        "https://www.blackcat1968.com/posts/bert-sequence-length-error-and-input-processing",
        "sequences of different lengths in one batch: pad them (padding=True / a collator)",
        ["pad"],
    ),  # before: right
    (
        "state-dict",
        "size mismatch for base_model.model.lm_head.modules_to_save.default.weight:\ncopying a param with shape torch.Size([151936, 896]) from checkpoint,\nthe shape in current model is torch.Size([151665, 896])",
        "https://blog.gitcode.com/5b9c47025cc326cc6dc45653d66a00df.html",
        "vocabulary resized to the tokenizer (151665) while the checkpoint keeps 151936: resize_token_embeddings(151936)",
        ["resize_token_embeddings(151936)"],
    ),  # before: right
    (
        "broadcast",
        "RuntimeError: The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 0",
        "https://blog.gitcode.com/65e4749ee41c38eddb8aa49ae5565e4c.html",
        "a 2-GPU machine run with plain python: DataParallel splits the batch; use accelerate launch",
        ["accelerate launch|DataParallel|GPUs"],
    ),  # before: wrong
    (
        "attention",
        "RuntimeError: The shape of the 2D attn_mask is torch.Size([4, 1024]), but should be (1024, 1024).",
        "https://openillumi.com/en/en-pytorch-transformer-attention-mask-fix",
        "a Hugging Face attention_mask [B, S] passed as tgt_mask: use tgt_key_padding_mask = (mask == 0)",
        ["key_padding_mask"],
    ),  # before: wrong
]


def test_the_second_set_a_tokenizers_padding_an_unbatched_model_input_and_a_batch_split_over_gpus():
    assert not {page for _, _, page, _, _ in SECOND} & {page for _, _, page, _, _ in THIRTEENTH}
    for _family, message, page, _cause, must in SECOND:
        e = explain(message)
        assert e is not None and e.title != UNDECODED, page
        assert _right(e.text(), must), (page, e.text())
    # the tokenizer's message is not a U-Net's
    e = explain(SECOND[1][1])
    assert e is not None and "U-Net" not in e.text() and "skip connection" not in e.text()
    # without a model's call in the paste, too many indices keeps its general reading
    e = explain("IndexError: too many indices for tensor of dimension 1")
    assert e is not None and "batch dim" not in e.text()
