"""`shapecheck explain`, sixteenth round (issue 31): everyday threads (CNNs, LSTMs, segmentation and
regression losses, DataLoader collates) pasted with their tracebacks. The numbers a loss's broadcast
compares are read against each other, a view that not even one sample fills names the factor that is off,
shapes the paste prints choose the story, and the traceback's frames are read through what frames the
paste (a logger's fields, a rich box, a quote, a web page's escapes, colour codes)."""

from __future__ import annotations

import pytest

from shapecheck.explain import explain, paste

MSE_FRAMES = (
    "Traceback (most recent call last):\n"
    '  File "train.py", line 136, in train\n'
    "    loss = criterion(output, target)\n"
    '  File "/usr/lib/python3.8/site-packages/torch/nn/functional.py", line 2256, in mse_loss\n'
    "    expanded_input, expanded_target = torch.broadcast_tensors(input, target)\n"
)


def _text(message: str) -> str:
    e = explain(message)
    assert e is not None
    return e.text()


def test_a_side_a_whole_factor_apart_in_a_loss_is_a_map_at_another_resolution() -> None:
    e = explain(
        MSE_FRAMES + "RuntimeError: The size of tensor a (128) must match the size of tensor b (1024) at "
        "non-singleton dimension 3\n"
    )
    assert e is not None and e.code == "SC125"
    first = next(c for c in e.causes if "1024" in c)
    assert "1024 = 8·128" in first and "resolution" in first
    # said before the general story of a loss's different shapes
    assert e.causes.index(first) < next(i for i, c in enumerate(e.causes) if c.startswith("raised inside the loss"))


def test_two_against_a_wide_map_in_a_loss_may_be_coordinates_against_heatmaps() -> None:
    text = _text(
        MSE_FRAMES + "RuntimeError: The size of tensor a (128) must match the size of tensor b (2) at "
        "non-singleton dimension 3\n"
    )
    assert "coordinates (x, y)" in text and "heatmap" in text


def test_a_batch_dim_apart_in_a_loss_is_not_read_as_a_resolution() -> None:
    text = _text(
        MSE_FRAMES + "RuntimeError: The size of tensor a (9) must match the size of tensor b (27) at "
        "non-singleton dimension 0\n"
    )
    assert "resolution" not in text


def test_a_length_four_times_the_targets_is_a_resolution_with_the_classes_as_the_other_reading() -> None:
    e = explain(
        "UserWarning: Using a target size (torch.Size([20, 1, 463])) that is different to the input size "
        "(torch.Size([20, 1, 1852])). This will likely lead to incorrect results due to broadcasting."
    )
    assert e is not None
    assert "each by 4" in e.causes[0] and "upsamples by 4" in e.causes[0]
    assert "if dim 2 counts classes" in e.causes[0]


def test_a_target_of_several_values_against_one_output_is_reduced_or_the_head_widened() -> None:
    e = explain(
        "UserWarning: Using a target size (torch.Size([64, 4])) that is different to the input size "
        "(torch.Size([64, 1])). This will likely lead to incorrect results due to broadcasting."
    )
    assert e is not None
    cause = next(c for c in e.causes if "4 values per sample" in c)
    assert ".sum(-1, keepdim=True)" in cause and "head should output 4" in cause


def test_a_view_that_not_one_sample_fills_names_the_factor_that_is_off() -> None:
    e = explain(
        "Traceback (most recent call last):\n"
        '  File "train.py", line 114, in forward\n'
        "    x = x.view(-1, 8* 16* 1* 30* 30)\n"
        "RuntimeError: shape '[-1, 115200]' is invalid for input of size 72000\n"
    )
    assert e is not None and len(e.causes) > 1
    assert "fewer than the 115200" in e.causes[0]
    assert "8 is 5 or 16 is 10" in e.causes[0]


def test_a_view_a_whole_sample_fills_is_not_said_to_be_short_of_one() -> None:
    text = _text("RuntimeError: shape '[-1, 400]' is invalid for input of size 6000\n")
    assert "fewer than" not in text


def test_an_rnn_fed_bert_base_where_built_for_large_names_the_two_widths() -> None:
    text = _text("RuntimeError: input.size(-1) must be equal to input_size. Expected 1024, got 768\n")
    assert "768 is BERT/RoBERTa-base" in text and "1024 is BERT/RoBERTa-large" in text


def test_printed_shapes_choose_a_segmentation_mask_given_to_a_classifier() -> None:
    e = explain(
        "output shape (512,5)\ngt_labels shape (512,256,256)\n"
        "Traceback (most recent call last):\n"
        '  File "tools/linear_eval.py", line 97, in linear_eval_train\n'
        "    loss = criterion(output, gt_labels)\n"
        '  File "/usr/lib/python3.7/site-packages/torch/nn/functional.py", line 3014, in cross_entropy\n'
        "    return torch._C._nn.cross_entropy_loss(input, target, weight)\n"
        "RuntimeError: 0D or 1D target tensor expected, multi-target not supported\n"
    )
    assert e is not None
    assert "256×256 map of labels" in e.causes[0] and "per-pixel masks" in e.causes[0]


def test_printed_one_hot_targets_are_said_as_such() -> None:
    e = explain(
        "outputs: torch.Size([32, 10])\nlabels: torch.Size([32, 10])\n"
        "RuntimeError: 0D or 1D target tensor expected, multi-target not supported\n"
    )
    assert e is not None and "argmax(1)" in e.causes[0]


def test_without_printed_shapes_the_target_story_is_unchanged() -> None:
    e = explain("RuntimeError: 0D or 1D target tensor expected, multi-target not supported\n")
    assert e is not None and not e.causes[0].startswith("the paste prints the shapes")


_MESSAGE = (
    "RuntimeError: The size of tensor a (128) must match the size of tensor b (1024) at non-singleton dimension 3"
)


@pytest.mark.parametrize(
    "frame",
    [
        lambda line: "2024-03-01 10:22:13,551 - trainer - ERROR - " + line,  # logging's asctime - name - level
        lambda line: "│ " + line.ljust(100) + " │",  # a rich traceback's box
        lambda line: "> " + line,  # a quote in an issue
        lambda line: line.replace('"', "&quot;"),  # a web page's source
        lambda line: "\x1b[0;31m" + line + "\x1b[0m",  # a coloured log
    ],
)
def test_the_loss_frame_is_read_through_what_frames_each_line(frame) -> None:
    framed = "\n".join(frame(line) for line in (MSE_FRAMES + _MESSAGE).splitlines())
    assert ("/usr/lib/python3.8/site-packages/torch/nn/functional.py", "mse_loss") in paste.frames(framed)
    e = explain(framed)
    assert e is not None and e.code == "SC125"


def test_a_logger_prefix_keeps_the_frame_and_the_error_type() -> None:
    lines = paste.unframed(
        '2024-03-01 10:22:13,551 - trainer - ERROR -   File "/x/functional.py", line 2256, in mse_loss\n'
        "2024-03-01 10:22:13,551 - trainer - ERROR - RuntimeError: shape '[-1]' is invalid\n"
    )
    assert lines[0].startswith('File "/x/functional.py"')
    assert lines[1].startswith("RuntimeError:")


def test_a_rich_traceback_frame_and_arrow_line_are_read() -> None:
    rich = (
        "│ /venv/lib/site-packages/torch/nn/modules/loss.py:535 in forward                 │\n"
        "│                                                                                  │\n"
        "│ ❱ 535 │   │   return F.mse_loss(input, target, reduction=self.reduction)           │\n"
    )
    assert paste.frames(rich) == [("/venv/lib/site-packages/torch/nn/modules/loss.py", "forward")]
    assert paste.code_lines(rich)[-1].startswith("return F.mse_loss(input, target")


def test_a_target_of_three_times_a_one_channel_output_is_masks_read_as_rgb() -> None:
    e = explain(
        "ValueError: Target size (torch.Size([1, 3, 256, 256])) must be the same as input size "
        "(torch.Size([1, 1, 256, 256]))"
    )
    assert e is not None and any("masks read as colour images" in c and "3 = 3·1" in c for c in e.causes)
    flat = _text(
        "UserWarning: Using a target size (torch.Size([1, 196608])) that is different to the input size "
        "(torch.Size([1, 65536])) is deprecated. Please ensure they have the same size."
    )
    assert "196608 = 3·65536" in flat and "grayscale" in flat


def test_one_rgb_image_with_its_channels_in_the_batch_dim_is_the_other_reading() -> None:
    e = explain(
        "RuntimeError: Given groups=1, weight of size [128, 3, 3, 3], expected input[3, 1, 512, 512] to have 3 "
        "channels, but got 1 channels instead"
    )
    assert e is not None and len(e.causes) >= 2
    assert "a grayscale image" in e.causes[0] and "went to the batch dim" in e.causes[1]
    # a batch of grayscale images of another count keeps its one story
    other = explain(
        "RuntimeError: Given groups=1, weight of size [64, 3, 3, 3], expected input[16, 1, 32, 32] to have 3 "
        "channels, but got 1 channels instead"
    )
    assert other is not None and not any("went to the batch dim" in c for c in other.causes)


def test_six_channels_against_four_may_be_two_images_joined_one_grayscale() -> None:
    text = _text(
        "RuntimeError: Given groups=1, weight of size [3, 6, 1, 1], expected input[3, 4, 256, 256] to have 6 "
        "channels, but got 4 channels instead"
    )
    assert "joins 2 images on the channels (6 = 3 + 3) and 1 of them is grayscale" in text
