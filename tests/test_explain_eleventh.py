"""`explain`'s mechanisms of issue 31's eleventh round, each read from how the message's numbers relate or from
the pasted line: a vocabulary-sized dim against a hidden width, sides one apart, a dataset's class count read as
the batch, token rows of one batch cut to other lengths, an RNN state made for the full batch, a hidden size of 1,
an RNN input a round width wider, the old RNNCell wording, a channels-last 1-D input, a 16× backbone's image size,
an image side set to the flattened count, a batch of 1 in a cat, multi-label targets flattened into rows, a map of
outputs per target value, a position table past its end, SDXL's label embedding, grids of another image size, a
recurrent cell's operands, a pairwise table of one tensor; then the eleventh held-out set itself."""

from __future__ import annotations

import sys
from pathlib import Path

from shapecheck.explain import explain

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))


def _text(message: str) -> str:
    e = explain(message)
    assert e is not None, message
    return e.text()


def test_a_vocabulary_sized_dim_against_a_hidden_width_reads_as_logits():
    e = explain(
        "RuntimeError: The size of tensor a (130528) must match the size of tensor b (4096) at non-singleton "
        "dimension 2"
    )
    assert e.causes[0].startswith("130528 is a vocabulary's size (ChatGLM's vocabulary)")
    assert "last_hidden_state" in e.fixes[0]
    # an unknown tokenizer still reads as one, without a name
    assert (
        "is a vocabulary's size and"
        in explain(
            "RuntimeError: The size of tensor a (4096) must match the size of tensor b (39424) at non-singleton "
            "dimension 2"
        ).causes[0]
    )
    # two widths of a model are not a vocabulary
    assert "vocabulary" not in _text(
        "RuntimeError: The size of tensor a (4096) must match the size of tensor b (8192) at non-singleton dimension 2"
    )


def test_small_sides_one_apart_read_as_rounding_by_the_stride():
    e = explain(
        "  X_h = X_l2h + X_h2h\nRuntimeError: The size of tensor a (6) must match the size of tensor b (7) at "
        "non-singleton dimension 3"
    )
    assert e.causes[0].startswith("6 and 7 differ by 1") and "(7 → 3, back up to 6)" in e.causes[0]
    assert "multiple of the network's total stride" in e.fixes[0]
    # two apart at these sizes are not one rounding
    assert "differ by" not in _text(
        "RuntimeError: The size of tensor a (5) must match the size of tensor b (7) at non-singleton dimension 3"
    )


def test_a_dataset_class_count_as_the_batch_is_a_map_that_lost_its_batch_dim():
    e = explain("ValueError: Expected input batch_size (182) to match target batch_size (2).")
    assert e.causes[0].startswith("182 is COCO-Stuff's 182 classes: the scores lost their batch dim")
    assert "iterating over the output tensor" in e.causes[0]
    # a count no dataset has keeps the folding story
    assert "lost their batch dim" not in _text(
        "ValueError: Expected input batch_size (184) to match target batch_size (2)."
    )


def test_token_rows_of_one_batch_cut_to_other_lengths():
    e = explain("ValueError: Expected input batch_size (3208) to match target batch_size (3784).")
    assert "3208 = 8·401 and 3784 = 8·473" in e.causes[0] and "truncated (or padded)" in e.causes[0]
    assert not any("last, smaller batch" in c for c in e.causes)
    # small counts are batches, not tokens
    assert "flattened to tokens" not in _text(
        "ValueError: Expected input batch_size (48) to match target batch_size (56)."
    )


def test_an_rnn_state_made_for_the_full_batch_meets_the_last_one():
    e = explain("RuntimeError: Expected hidden[0] size (2, 4, 256), got (2, 64, 256)")
    assert e.causes[0].startswith("the last batch is smaller") and "drop_last=True" in e.fixes[0]
    assert e.causes[1].startswith("or the batch_first reading")
    # one step per sample keeps the batch_first story first
    one = explain("RuntimeError: Expected hidden[0] size (2, 1, 512), got [2, 128, 512]")
    assert "batch_first" in one.causes[0] and "last batch is smaller" not in one.causes[0]


def test_a_hidden_size_of_one_is_a_size_expression_that_binds_otherwise():
    e = explain("RuntimeError: Expected hidden size (1, 16, 1), got (1, 16, 256)")
    assert "hidden_size=1" in e.causes[0] and "(hidden_size * 2) if bidirectional else 1" in e.causes[0]
    assert e.fixes[0] == "write `hidden_size * (2 if bidirectional else 1)` where the RNN is built"
    assert "hidden_size=1" not in explain("RuntimeError: Expected hidden size (1, 16, 128), got (1, 16, 256)").causes[0]


def test_an_rnn_input_a_round_width_wider_and_the_old_rnncell_wording():
    e = explain("RuntimeError: input has inconsistent input_size: got 812, expected 556")
    assert e is not None and e.code == "SC115" and "RNNCellBase" in e.raised_by
    assert e.causes[0].startswith("812 = 556 + 256: the input has 256 more features")
    newer = explain("RuntimeError: input.size(-1) must be equal to input_size. Expected 300, got 556")
    assert newer.causes[0].startswith("556 = 300 + 256")
    # a multiple is another story (a width doubled), not a part added
    assert (
        "+" not in explain("RuntimeError: input.size(-1) must be equal to input_size. Expected 256, got 512").causes[0]
    )


def test_a_channels_last_1d_input_is_named_and_permuted():
    e = explain(
        "RuntimeError: Given groups=1, weight of size 24 3 5, expected input[708, 256, 3] to have 3 channels, "
        "but got 256 channels instead"
    )
    assert e.causes[0].startswith("the input is channels-last [N, L, C]") and "permute(0, 2, 1)" in e.fixes[0]


def test_a_larger_map_offers_the_16x_backbone_and_the_resize():
    e = explain("RuntimeError:mat1 and mat2 shapes cannot be multiplied (16x184832 and 25088x512)")
    assert "with 16×, as face-recognition backbones have, from 112 px" in e.causes[0]
    assert any(f.startswith("or resize the images to the size the model was built for") for f in e.fixes)
    # a pooled head (1×1) has no image size to resize to
    pooled = explain("RuntimeError: mat1 and mat2 shapes cannot be multiplied (8x2048 and 512x10)")
    assert not any(f.startswith("or resize the images") for f in pooled.fixes)


def test_an_image_side_set_to_the_flattened_count():
    e = explain("RuntimeError: size mismatch, m1: [128 x 1843968], m2: [784 x 128] at /pytorch/TH/THTensorMath.cpp:961")
    assert e.causes[0].startswith("1843968 = 3·784·784") and "(784 = 28·28" in e.causes[0]
    assert e.fixes[0].startswith("set the image size to the side (28)")
    assert "·784·784" not in _text("RuntimeError: mat1 and mat2 shapes cannot be multiplied (128x3000 and 784x128)")


def test_a_cat_with_a_batch_of_one_on_one_side():
    e = explain(
        "RuntimeError: invalid argument 0: Sizes of tensors must match except in dimension 1. Got 8 and 1 in "
        "dimension 0 at /opt/conda/THC/generic/THCTensorMath.cu:87"
    )
    assert e.causes[0].startswith("one tensor has a batch of 1 and the other 8") and "batch size 1" in e.causes[0]
    two = explain("RuntimeError: Sizes of tensors must match except in dimension 1. Got 8 and 6 in dimension 0")
    assert not two.causes[0].startswith("one tensor has a batch of 1")


def test_multi_label_targets_flattened_into_rows():
    e = explain("ValueError: Target size (torch.Size([176, 1])) must be the same as input size (torch.Size([16, 1]))")
    assert (
        e.causes[0].startswith("176 = 16·11: the target holds 11 values per sample") and "num_labels = 11" in e.fixes[0]
    )
    other = explain(
        "ValueError: Target size (torch.Size([20, 1])) must be the same as input size (torch.Size([16, 1]))"
    )
    assert other.causes[0].startswith("the batch dims differ")


def test_a_square_map_of_outputs_per_target_value_is_a_larger_image():
    e = explain(
        "ValueError: Target and input must have the same number of elements. target nelement (1) != input nelement (16)"
    )
    assert e.causes[0].startswith("16 = 1·4·4: the model gives a 4×4 map") and "image size" in e.fixes[0]
    assert "map of outputs" not in _text(
        "ValueError: Target and input must have the same number of elements. target nelement (64) != input "
        "nelement (640)"
    )


def test_an_index_past_a_position_table_is_not_a_vocabulary():
    e = explain("RuntimeError: index out of range: Tried to access index 512 out of table with 511 rows.")
    assert e.causes[0].startswith("511 rows is a model's position table") and "max_length=511" in e.fixes[0]
    assert "resize_token_embeddings" not in e.text()
    vocabulary = explain("RuntimeError: index out of range: Tried to access index 32730 out of table with 28995 rows.")
    assert "resize_token_embeddings" in vocabulary.text()
    # the line names the position table: the vocabulary's readings are dropped
    line = explain(
        '  File "modeling_roberta.py", line 133, in forward\n    position_embeddings = self.position_embeddings('
        'position_ids)\n  File "functional.py", line 2043, in embedding\n    return torch.embedding(weight, input, '
        "padding_idx, scale_grad_by_freq, sparse)\nIndexError: index out of range in self"
    )
    assert line.causes[0].startswith("the line indexes the position embeddings")
    assert "resize_token_embeddings" not in line.text() and not any(c.startswith("a token id") for c in line.causes)
    word = explain(
        '  File "model.py", line 9, in forward\n    embeds = self.word_embeddings(input_ids)\n'
        "IndexError: index out of range in self"
    )
    assert "resize_token_embeddings" in word.fixes[0]


def test_the_embedding_message_retyped_without_in_self_is_read():
    e = explain("IndexError: index out of range")
    assert e is not None and e.code == "SC124" and "resize_token_embeddings" in e.text()
    assert (
        explain("IndexError: list index out of range") is None
        or explain("IndexError: list index out of range").code != "SC124"
    )


def test_sdxl_label_embedding_width_is_a_model_family():
    e = explain("mat1 and mat2 shapes cannot be multiplied (1x768 and 2816x1280)")
    assert e.causes[0].startswith("768 and 2816 are the conditioning widths of two model families")
    assert "SDXL's label embedding" in e.causes[0]


def test_square_grids_in_a_view_read_as_another_image_size():
    e = explain("RuntimeError: shape '[1, 255, 841]' is invalid for input of size 199920")
    text = e.text()
    assert "784 = 28² and 841 = 29²: a 28×28 grid of positions where the view expects 29×29" in text
    # no YOLO head of 66635 classes from a product of the message's numbers
    assert "66635" not in text and "255 = 3·(80 + 5)" in text


def test_a_recurrent_cells_operands_differing_in_dim_0_read_as_batch_first():
    e = explain(
        "    preact = i2h + h2h\nRuntimeError: The size of tensor a (50) must match the size of tensor b (32) at "
        "non-singleton dimension 0"
    )
    assert e.causes[0].startswith("the line adds a recurrent cell's input and hidden projections")
    assert "permute(1, 0, 2)" in e.fixes[0]
    plain = explain(
        "    out = a + b\nRuntimeError: The size of tensor a (50) must match the size of tensor b (32) at "
        "non-singleton dimension 0"
    )
    assert not plain.causes[0].startswith("the line adds a recurrent cell")


def test_a_pairwise_table_of_one_tensor_is_written_for_a_batch_of_one():
    # the message pasted without its label is read as a code line: the line that raised is the one before
    e = explain(
        "rw_diff = rw_scores.unsqueeze(0) - rw_scores.unsqueeze(-1)\nThe size of tensor a (8) must match the size "
        "of tensor b (2) at non-singleton dimension 1"
    )
    assert e.causes[0].startswith("`rw_scores.unsqueeze(0)` against `rw_scores.unsqueeze(-1)`")
    assert "batch of 1" in e.causes[0] and "unsqueeze(1) - rw_scores.unsqueeze(2)" in e.fixes[0]
    two = explain(
        "d = a.unsqueeze(0) - b.unsqueeze(-1)\nRuntimeError: The size of tensor a (8) must match the size of "
        "tensor b (2) at non-singleton dimension 1"
    )
    assert not two.causes[0].startswith("`a.unsqueeze(0)`")


def test_the_eleventh_held_out_set_is_apart_and_told_right():
    from explain_corpus import FAMILIES, HELD_OUT, MESSAGES
    from explain_heldout import (
        EIGHTH,
        ELEVENTH,
        ELEVENTH_ANSWERS,
        ELEVENTH_MUST,
        ELEVENTH_WRONG,
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
        TENTH_FAMILIES,
        THIRD,
    )
    from explain_heldout import FAMILIES as MORE
    from explain_heldout import HELD_OUT as ISSUE31
    from explain_score import grade, story_right

    earlier = MESSAGES + HELD_OUT + ISSUE31 + LATER + THIRD + FIFTH + SIXTH + SEVENTH + EIGHTH + NINTH + TENTH
    # no thread twice; two of the commonest bare messages (`IndexError: index out of range in self`, the 4 against
    # 3 of an RGBA image) are word for word those of other threads
    assert not {s for *_, s in earlier} & {s for *_, s in ELEVENTH}
    assert len({m for _, m, _ in earlier} & {m for _, m, _ in ELEVENTH}) <= 2
    sources = {s for *_, s in ELEVENTH}
    assert len(ELEVENTH) >= 60 and sources == set(ELEVENTH_ANSWERS) == set(ELEVENTH_MUST)
    assert set(ELEVENTH_WRONG) <= sources
    families = {**FAMILIES, **MORE, **FIFTH_FAMILIES, **SIXTH_FAMILIES, **SEVENTH_FAMILIES, **NINTH_FAMILIES}
    families |= TENTH_FAMILIES
    explained = [(explain(m), f, s) for f, m, s in ELEVENTH]
    graded = [grade(e, f, families) for e, f, _ in explained]
    # scored before this round: 58 recognised, 58 right, 35 right stories, 0 confidently wrong
    assert all(r and ok and not w for r, ok, w in graded)
    told = [s for e, _, s in explained if story_right(e, ELEVENTH_MUST[s], ELEVENTH_WRONG.get(s, []))]
    assert len(told) >= 56
    # a story that holds a reading the answer rules out is not right, whatever else it says
    e = explain("RuntimeError: index out of range: Tried to access index 512 out of table with 511 rows.")
    assert story_right(e, ["position"]) and not story_right(e, ["position"], ["position table"])


def test_features_one_column_apart_read_as_a_column_kept_or_dropped():
    e = explain("RuntimeError: mat1 and mat2 shapes cannot be multiplied (32x13 and 12x64)")
    assert e.causes[0].startswith("13 = 12 + 1: one feature more than the layer takes") and "df.drop" in e.fixes[0]
    fewer = explain("RuntimeError: input.size(-1) must be equal to input_size. Expected 38, got 37")
    assert fewer.causes[0].startswith("37 = 38 - 1: one feature fewer than the RNN takes")
    # two apart, or a wide layer's widths, are not a column
    assert "one feature" not in _text("RuntimeError: mat1 and mat2 shapes cannot be multiplied (32x14 and 12x64)")
    assert "one feature" not in _text("RuntimeError: mat1 and mat2 shapes cannot be multiplied (32x4097 and 4096x64)")


def test_an_index_equal_to_the_table_size_is_ids_counted_from_one():
    e = explain("RuntimeError: index out of range: Tried to access index 10 out of table with 10 rows.")
    assert e.causes[0].startswith("index 10 is the table's size, one past its last row") and "max_id + 1" in e.fixes[0]
    past = explain("RuntimeError: index out of range: Tried to access index 8489 out of table with 6186 rows.")
    assert not past.causes[0].startswith("index 8489 is the table's size")


def test_attention_given_another_width_than_embed_dim():
    e = explain("AssertionError: was expecting embedding dimension of 512, but got 32")
    assert e.title == "MultiheadAttention was built for embed_dim=512 and its query's last dim is 32"
    assert "nn.Linear(32, 512)" in e.causes[0] and any("channels-first map" in c for c in e.causes)
    doubled = explain("AssertionError: was expecting embedding dimension of 512, but got 256")
    assert doubled.causes[0].startswith("512 = 2·256") and "bidirectional" in doubled.causes[0]


def test_a_lenet_flatten_names_the_two_datasets_sizes():
    e = explain("RuntimeError: mat1 and mat2 shapes cannot be multiplied (64x256 and 400x120)")
    assert e.causes[0].startswith("a LeNet's flatten: 16·4·4 = 256 comes from 28×28 (MNIST) images")
    assert "32×32 (CIFAR-10)" in e.causes[0]
    assert any("nn.LazyLinear(120)" in f for f in e.fixes)
    # a backbone's map keeps the strides' image sizes
    big = explain("RuntimeError: mat1 and mat2 shapes cannot be multiplied (8x131072 and 25088x4096)")
    assert any("224 px at 32×" in f for f in big.fixes)


def test_older_wordings_of_the_common_families_are_read():
    conv = explain(
        "RuntimeError: Given groups=1, weight[64, 3, 3, 3], so expected input[1, 1, 28, 28] to have 3 channels, "
        "but got 1 channels instead"
    )
    assert conv.code == "SC104" and conv.causes[0].startswith("a grayscale image (1 channel)")
    assert "convert('RGB')" in conv.fixes[0]
    mse = explain(
        "RuntimeError: input and target shapes do not match: input [400 x 10], target [64 x 10] at "
        "/pytorch/aten/src/THNN/generic/MSECriterion.c:13"
    )
    assert mse.code == "SC125" and "MSECriterion" in mse.raised_by and "[64, 10]" in mse.title
    copy = explain(
        "RuntimeError: inconsistent tensor size, expected tensor [64 x 10] and src [64 x 1] to have the same "
        "number of elements, but got 640 and 64 elements respectively"
    )
    assert copy.causes[0].startswith("64 rows of 10 against 64 rows of 1") and "F.one_hot" in copy.fixes[0]
    nll = explain(
        "RuntimeError: Assertion `THIndexTensor_(size)(target, 0) == batch_size' failed.  at "
        "/pytorch/aten/src/THNN/generic/ClassNLLCriterion.c:79"
    )
    assert nll.code == "SC106" and nll.numbers == [] and "x.view(-1, 16*5*5)" in nll.causes[0]
    bare = explain("RuntimeError: size mismatch at /pytorch/torch/lib/TH/generic/THTensorMath.c:1293")
    assert bare.code == "SC102" and "the sizes are not in this wording" in bare.title
    # the wordings with sizes keep their own readings
    assert (
        explain(
            "RuntimeError: size mismatch, m1: [128 x 400], m2: [256 x 120] at /pytorch/TH/generic/THTensorMath.cpp:752"
        ).title
        == "a Linear layer got 400 features per row but has in_features=256"
    )
    assert explain("I get a size mismatch when I train") is None


def test_a_message_wrapped_inside_a_word_or_a_number_is_read_joined():
    e = explain("ValueError: Expected input batch_size (64) to match target b\natch_size (32).")
    assert e is not None and e.title == "the loss got 64 rows of scores for 32 targets"
    split = explain("RuntimeError: Expected hidden[0] size (1, 32, 64), got [1, 1\n6, 64]")
    assert "(1, 16, 64)" in split.title or "[1, 16, 64]" in split.title
    # a traceback's indented code line after a long frame line is not a wrap
    traced = explain(
        '  File "/home/user/project/models/network_with_a_long_name.py", line 12, in forward\n'
        "    out = self.fc(x)\nRuntimeError: mat1 and mat2 shapes cannot be multiplied (4x100 and 200x10)"
    )
    assert traced.title == "a Linear layer got 100 features per row but has in_features=200"


_LIBRARY_PASTE = """Traceback (most recent call last):
  File "train.py", line 10, in <module>
    out = model(img)
  File "/usr/lib/python3.8/site-packages/torch/nn/modules/module.py", line 1130, in _call_impl
    return forward_call(*input, **kwargs)
  File "/usr/lib/python3.8/site-packages/mmdet/models/dense_heads/yolo_head.py", line 200, in forward
    x = x.view(b, -1, 1203)
RuntimeError: shape '[1, -1, 1203]' is invalid for input of size 12800"""


def test_a_failure_inside_an_installed_library_names_its_release():
    e = explain(_LIBRARY_PASTE)
    assert any(c.startswith("or, when the inputs are the shapes mmdet's documentation gives") for c in e.causes)
    assert any("pip install mmdet==" in f for f in e.fixes)
    # LVIS's 1203 classes are not a YOLO head's anchors × (classes + 5)
    assert "396 classes" not in e.text()
    # raised in the user's code, or in torch alone: no library to blame
    own = explain(_LIBRARY_PASTE.replace("site-packages/mmdet", "home/me/project"))
    assert not any("release of" in c for c in own.causes)
    plain = explain("RuntimeError: shape '[1, -1, 1203]' is invalid for input of size 12800")
    assert not any("release of" in c for c in plain.causes)
