"""`explain`'s mechanisms of issue 31's tenth round: F.one_hot's class range read from ATen's Onehot.cpp,
a message's last sentence pasted alone, an RNN's rank counted after the batch dim it adds, repeat's rank,
an indexed assignment into an empty selection, interpolate given a dim of 1 too many, a checkpoint head's
counts read as a dataset's classes (anchors × classes, + background), a loss target of class indices
against scores, a target with the dim of 1 the output keeps, a batch of one whose target lost its batch
dim, a view sized from settings, a LayerNorm on a conv map; then Python objects where a tensor was expected,
a 0-dim tensor indexed, unpackings, expand's sizes, state-dict key lists, a pool's padding, ImageNet logits
into a new head, and a mask per image against one row per image."""

from __future__ import annotations

from shapecheck.explain import explain
from shapecheck.explain.explanation import NOT_SHAPE, UNDECODED
from shapecheck.explain.extracted import rows
from shapecheck.explain.relations import head_classes
from shapecheck.explain.table import ROWS


def _text(message: str) -> str:
    e = explain(message)
    assert e is not None, message
    return e.text()


def test_one_hot_class_range_is_extracted_from_aten_and_read():
    assert ("target-range", "Class values must be smaller than num_classes.") in {(f, m) for f, m, _ in ROWS}
    e = explain(
        "F.one_hot(mask, classes).permute(0,3,1,2)\nRuntimeError: Class values must be smaller than num_classes."
    )
    assert e.code == "SC125" and "one_hot" in e.title
    assert e.causes[0].startswith("a mask stored as 0 and 255") and "mask // 255" in e.fixes[0]
    # a detector's class ids: counted from 1 is said first
    ids = explain(
        "cls_target = F.one_hot(gt_matched_classes.to(torch.int64), self.num_classes)\n"
        "RuntimeError: Class values must be smaller than num_classes."
    )
    assert ids.causes[0].startswith("labels counted from 1")
    negative = explain("RuntimeError: Class values must be non-negative.")
    assert negative.title == "F.one_hot got a negative label"


def test_a_last_sentence_that_states_the_problem_is_read_alone_and_a_hint_is_not():
    e = explain("Kernel size can't be greater than actual input size")
    assert e is not None and e.code == "SC107"
    texts = {r.text for r in rows()}
    assert "Kernel size can't be greater than actual input size" in texts
    # advice sentences are not rows: a paste ending in one is read by the message before it
    assert "Please ensure they have the same size." not in texts
    assert explain("Please ensure they have the same size.") is None
    warning = explain(
        "UserWarning: Using a target size (torch.Size([2, 256, 256])) that is different to the input size "
        "(torch.Size([2, 1, 256, 256])). This will likely lead to incorrect results due to broadcasting. Please "
        "ensure they have the same size.\n  loss4 = F.smooth_l1_loss(high_depth, depth, reduction='sum')"
    )
    assert "target.unsqueeze(1)" in warning.text()


def test_an_rnn_rank_count_above_three_is_read_after_the_batch_dim_it_added():
    e = explain("RuntimeError: input must have 3 dimensions, got 5")
    assert e.title == "an RNN received a 4-D input where it needs 3-D"
    assert "1.11" in e.causes[0] and "flatten(2)" in e.fixes[0]
    # the newer wording counts the input's own dims
    assert explain("LSTM: Expected input to be 2D or 3D, got 4D instead").title.startswith("an RNN received a 4-D")
    # too few dims keeps the missing-dim story
    assert "unsqueeze(1)" in explain("RuntimeError: input must have 3 dimensions, got 2").fixes[0]


def test_repeat_given_too_few_sizes_names_a_kept_dim():
    e = explain(
        "RuntimeError: Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
    )
    assert e.title == "repeat got fewer sizes than the tensor has dims"
    assert "keepdim" in e.causes[0] and "0.2" in e.causes[0]


def test_a_value_put_into_an_empty_selection_says_the_placeholders_are_missing():
    e = explain(
        "shape mismatch: value tensor of shape [128, 4096] cannot be broadcast to indexing result of shape [0, 4096]"
    )
    assert e.causes[0].startswith("the index (or mask) selects nothing") and "version" in e.fixes[0]
    other = explain(
        "shape mismatch: value tensor of shape [300, 128] cannot be broadcast to indexing result of shape [360, 128]"
    )
    assert not other.causes[0].startswith("the index (or mask) selects nothing")


def test_interpolate_given_a_dim_of_one_too_many_says_to_squeeze_it():
    e = explain(
        "ValueError: Input and output must have the same number of spatial dimensions, but got input with spatial "
        "dimensions of [1, 128, 128] and output size of (192, 192). Please provide input tensor in (N, C, d1, d2, "
        "...,dK) format and output size in (o1, o2, ...,oK) format."
    )
    assert "extra dim of 1 at dim 2" in e.causes[0] and "x.squeeze(2)" in e.fixes[0]
    channels_last = explain(
        "ValueError: Input and output must have the same number of spatial dimensions, but got input with spatial "
        "dimensions of [256, 256, 3] and output size of (512, 512)."
    )
    assert "x.squeeze" not in channels_last.text()


def test_head_counts_read_as_a_datasets_classes():
    assert "810 = 9·90 and 396 = 9·44" in head_classes(810, 396)
    assert "COCO's 80 classes + background" in head_classes(81, 4) and "4 = 3 classes + background" in head_classes(
        81, 4
    )
    assert head_classes(255, 24) is None  # a YOLO head: `relate` reads it, for every family
    assert "ImageNet" in head_classes(1000, 20)
    assert head_classes(7, 5) is None and head_classes(512, 256) is None
    e = explain(
        "size mismatch for classifier.header.pointwise_conv.conv.weight: copying a param with shape "
        "torch.Size([810, 160, 1, 1]) from checkpoint, the shape in current model is torch.Size([396, 160, 1, 1])."
    )
    assert "9 anchors per location × classes" in e.causes[0] and "trained anew" in e.fixes[0]


def test_a_loss_target_of_class_indices_against_scores_is_one_hot():
    e = explain("Target size (torch.Size([10])) must be the same as input size (torch.Size([10, 6]))")
    assert "F.one_hot(target, 6).float()" in e.fixes[0] and "CrossEntropyLoss" in e.fixes[0]
    # a single output column keeps its squeeze story
    assert (
        "squeeze(1)"
        in explain(
            "ValueError: Target size (torch.Size([100])) must be the same as input size (torch.Size([100, 1]))"
        ).fixes[0]
    )


def test_a_target_without_the_outputs_channel_dim_gets_it_back():
    e = explain(
        "UserWarning: Using a target size (torch.Size([2, 256, 256])) that is different to the input size "
        "(torch.Size([2, 1, 256, 256]))."
    )
    assert "target.unsqueeze(1)" in e.causes[0] and "channel dim of one" in e.causes[0]
    batch = explain(
        "UserWarning: Using a target size (torch.Size([1, 10])) that is different to the input size (torch.Size([10]))."
    )
    assert "channel dim of one" not in batch.text()


def test_a_batch_of_one_whose_target_lost_its_batch_dim():
    e = explain("ValueError: Expected input batch_size (1) to match target batch_size (256).")
    assert "target.unsqueeze(0)" in e.fixes[0]
    assert "unsqueeze(0)" not in explain("Expected input batch_size (8) to match target batch_size (32)").text()


def test_a_view_sized_from_settings_against_another_count():
    e = explain(
        "    rewards_per_device = gathered_rewards.view(num_devices, self.num_generations)\n"
        "RuntimeError: shape '[2, 8]' is invalid for input of size 17"
    )
    assert (
        e.causes[0].startswith("the pasted line views with sizes taken from settings") and "last batch" in e.causes[0]
    )
    assert not any(c.startswith("a flatten written as") for c in e.causes)
    constant = explain("x = x.view(16, 400)\nRuntimeError: shape '[16, 400]' is invalid for input of size 9600")
    assert not any("taken from settings" in c for c in constant.causes)


def test_a_layernorm_on_a_conv_map_names_the_batchnorm_it_is_written_for():
    e = explain(
        "RuntimeError: Given normalized_shape=[256], expected input with shape [*, 256], but got input of "
        "size[32, 256, 128, 128]"
    )
    assert any("nn.BatchNorm2d(256)" in f for f in e.fixes)
    # a ViT's patch grid (square, small) is tokens to flatten, not a conv block's map
    grid = explain(
        "RuntimeError: Given normalized_shape=[768], expected input with shape [*, 768], but got input of "
        "size[8, 768, 14, 14]"
    )
    assert "BatchNorm2d" not in grid.text()


def test_python_objects_where_a_tensor_was_expected_are_said_not_to_be_shapes():
    lstm = explain("AttributeError: 'tuple' object has no attribute 'size'")
    assert lstm.code == NOT_SHAPE and "out, _ = self.lstm(x)" in lstm.fixes[0]
    assert "cv2.imread" in explain("AttributeError: 'NoneType' object has no attribute 'shape'").causes[0]
    assert "return_dict=False" in explain("AttributeError: 'str' object has no attribute 'size'").fixes[0]
    assert "torch.from_numpy" in explain("AttributeError: 'numpy.ndarray' object has no attribute 'unsqueeze'").fixes[0]
    # a type the templates do not know is not guessed at
    assert explain("AttributeError: 'Tensor' object has no attribute 'astype'") is None
    assert explain("ValueError: The truth value of an array with more than one element is ambiguous.").code == NOT_SHAPE


def test_a_0_dim_tensor_indexed_is_pytorch_0_3_code():
    e = explain("IndexError: invalid index of a 0-dim tensor. Use `tensor.item()` in Python to convert a 0-dim tensor")
    assert e.code == "SC131" and "loss.item()" in e.fixes[0]


def test_an_unpacking_without_a_shape_line_reads_both_the_rank_and_the_batch():
    bare = explain("ValueError: not enough values to unpack (expected 4, got 3)")
    assert bare.code == "SC105" and "`B, C, H, W = x.shape`" in bare.causes[0]
    loop = explain(
        "    for i, (images, labels) in enumerate(train_loader):\nValueError: too many values to unpack (expected 2)"
    )
    assert loop.causes[0].startswith("a batch from the DataLoader")
    # text split into fields is not a tensor: not read
    split = explain('    name, value = line.split("=")\nValueError: too many values to unpack (expected 2)')
    assert split.title == UNDECODED


def test_expand_given_fewer_sizes_names_the_dim_of_one_to_squeeze():
    e = explain(
        "RuntimeError: expand(torch.FloatTensor{[10, 1, 5]}, size=[10, 5]): the number of sizes provided (2) must be "
        "greater or equal to the number of dimensions in the tensor (3)"
    )
    assert e.title == "expand got 2 sizes for a tensor of 3 dims" and "`x.squeeze(1).expand(10, 5)`" in e.fixes[0]


def test_state_dict_key_lists_are_read_for_a_wrappers_prefix_a_missing_head_or_old_counters():
    wrapped = explain(
        'RuntimeError: Error(s) in loading state_dict for ResNet:\n\tMissing key(s) in state_dict: "conv1.weight", '
        '"bn1.weight". \n\tUnexpected key(s) in state_dict: "module.conv1.weight", "module.bn1.weight".'
    )
    assert wrapped.code == "SC110" and "removeprefix('module.')" in wrapped.fixes[0]
    into = explain(
        "RuntimeError: Error(s) in loading state_dict for DataParallel:\n\tMissing key(s) in state_dict: "
        '"module.fc.weight". \n\tUnexpected key(s) in state_dict: "fc.weight".'
    )
    assert "model.module.load_state_dict" in into.fixes[0]
    head = explain(
        'RuntimeError: Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "fc.weight", "fc.bias".'
    )
    assert head.causes[0].startswith("only the `fc` layer's keys are missing")
    old = explain(
        "RuntimeError: Error(s) in loading state_dict for Net:\n"
        '\tMissing key(s) in state_dict: "bn1.num_batches_tracked".'
    )
    assert "0.4.1" in old.causes[0]
    # a size mismatch in the same message is still read by its shapes
    sized = explain(
        "RuntimeError: Error(s) in loading state_dict for ResNet:\n\tsize mismatch for fc.weight: copying a param with "
        "shape torch.Size([1000, 512]) from checkpoint, the shape in current model is torch.Size([10, 512])."
    )
    assert "[1000, 512]" in sized.title


def test_a_pools_padding_against_its_kernel():
    e = explain(
        "RuntimeError: pad should be smaller than or equal to half of kernel size, "
        "but got padW = 2, padH = 2, kW = 3, kH = 3"
    )
    assert "a pool pads at most 1" in e.causes[0] and "MaxPool2d(2, 2, 2)" in e.causes[0]


def test_imagenet_logits_into_a_head_built_for_the_backbone():
    e = explain("RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x1000 and 512x10)")
    assert (
        e.causes[0].startswith("1000 is the pretrained classifier's output")
        and "model.fc = nn.Linear(512, 10)" in e.fixes[0]
    )
    assert (
        not explain("RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x1000 and 300x10)")
        .causes[0]
        .startswith("1000 is")
    )


def test_a_mask_per_image_against_one_row_per_image():
    e = explain("ValueError: Expected input batch_size (4) to match target batch_size (1048576).")
    assert e.causes[0].startswith("1048576 = 4·512²: a 512×512 mask per image")
    assert (
        "mask per image"
        not in explain("ValueError: Expected input batch_size (8) to match target batch_size (32).").text()
    )


def test_an_index_past_a_graphs_nodes_is_read_from_the_old_wording_pygs_check_and_the_pasted_scatter():
    old = explain(
        "RuntimeError: Invalid index in scatterAdd at /opt/conda/conda-bld/pytorch_1565287124314/work/aten/src/TH/"
        "generic/THTensorEvenMoreMath.cpp:536"
    )
    assert old.code == "SC124" and "edge_index.max() < x.size(0)" in old.fixes[0]
    pyg = explain(
        "IndexError: Found indices in 'edge_index' that are larger than 0 (got 5). Please ensure that all indices in "
        "'edge_index' point to valid indices in the interval [0, 1) in your node feature matrix and try again."
    )
    assert ("5", "the largest node id in edge_index") in pyg.numbers
    scatter = explain(
        "    return out.scatter_add_(dim, index, src)\n"
        "RuntimeError: index 264 is out of bounds for dimension 0 with size 264"
    )
    assert scatter.causes[0].startswith("the line scatters over a graph's nodes")
    plain = explain("RuntimeError: index 264 is out of bounds for dimension 0 with size 264")
    assert "graph" not in plain.text()


def test_a_spatial_loss_given_a_per_sample_target_says_the_scores_kept_their_map():
    e = explain("RuntimeError: only batches of spatial targets supported (3D tensors) but got targets of dimension: 1")
    assert e.title.endswith("and a 1-D target") and "flatten(1)" in e.fixes[0]
    mask = explain(
        "RuntimeError: only batches of spatial targets supported (3D tensors) but got targets of size: : "
        "[1, 1, 187, 621]"
    )
    assert mask.causes[0] == "the mask has a channel dim of 1 ([N, 1, H, W])"
