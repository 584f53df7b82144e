"""One module per rule; importing this package registers them all."""

from . import (  # noqa: F401
    sc100_unclassified,
    sc101_missing_flatten,
    sc102_in_features,
    sc103_size_locked,
    sc104_channel_mismatch,
    sc105_rank_mismatch,
    sc106_batch_mixing,
    sc107_input_too_small,
    sc108_batchnorm_single,
    sc109_concat_mismatch,
    sc110_checkpoint_mismatch,
    sc111_view_non_contiguous,
    sc112_broadcast_mismatch,
    sc113_invalid_view,
    sc114_channels_last,
    sc115_rnn_input_size,
    sc116_batch_first,
    sc117_attention_shape,
    sc118_embedding_input,
    sc119_batch_broadcast,
)
