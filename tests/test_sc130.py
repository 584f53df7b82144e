"""SC130 on `index_add`/`index_copy`: one slice of the source per index entry."""

from helpers import TraceBuilder

from shapecheck.diagnose import diagnose


def _index_add(source_shape, index_len, source_line="out = out.index_add(0, edge_index[0], x)"):
    b = TraceBuilder((3, 8))
    out = b.last
    index = b.tensor((index_len,))
    source = b.tensor(source_shape)
    attrs = {"args": ["<tensor>", 0, "<tensor>", "<tensor>"]}
    b.op("Tensor.index_add", None, attrs, line=21, source=source_line, inputs=[out, index, source])
    return diagnose(b.fail("index_add_(): Number of indices (4) should be equal to source.size(dim): (3), for dim: 0"))


def test_index_add_with_more_indices_than_source_rows_names_both_counts():
    (f,) = [f for f in _index_add((3, 8), 4).findings if f.code == "SC130"]
    assert f.message == (
        "`Tensor.index_add` at line 21 gets 4 indices (`edge_index[0]`) but 3 slices of `x` [3, 8] along dim 0: "
        "it needs one slice per index"
    )
    assert f.fixes[0].description.startswith("give it one slice per index entry, [4, 8]")
    assert "Number of indices (4) should be equal to source.size(dim): (3), for dim: 0" in f.notes[0]


def test_index_add_whose_counts_agree_is_not_sc130():
    assert not any(f.code == "SC130" for f in _index_add((4, 8), 4).findings)
