"""Issue 30's cause-finding helpers on plain values: which written size stands for which dims."""

from shapecheck.diagnose.rules.sc106_batch_mixing import _short_size


def test_a_size_written_for_smaller_maps_is_found_with_the_dims_it_stands_for():
    # view(-1, 32, 1024) of [B, 32, 64, 64]: the 1024 stands for 64·64
    assert _short_size([-1, 32, 1024], (32, 64, 64)) == (2, [2, 3])
    # view(-1, 16·16, 8) of [B, 32, 32, 8]: the first size stands for H·W
    assert _short_size([-1, 256, 8], (32, 32, 8)) == (1, [1, 2])


def test_whole_dims_or_a_second_minus_one_are_no_short_size():
    assert _short_size([-1, 32, 4096], (32, 64, 64)) is None  # the merge is whole: nothing short
    assert _short_size([-1, 32, -1], (32, 64, 64)) is None
    assert _short_size([2, 32, 1024], (32, 64, 64)) is None  # the batch is written: SC106's other case
    assert _short_size([-1, 16, 1024], (32, 64, 64)) is None  # two sizes differ: no single cause
