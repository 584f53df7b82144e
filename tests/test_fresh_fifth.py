"""The fifth hunt of issue 30: fixes that make a model run while they break what it means.

fixtures/fresh5/buggy.py holds bug patterns from public threads where such a fix exists (a join
moved off the batch, a Linear resized to the last dim of a map it was built to flatten, a GQA
key projection set to the query heads, positions permuted into the channels, the first of
several same-class calls on a line edited): each is found, its first verified fix is the right
one (or none is verified), and no verified fix is one of the wrong ones. fixtures/fresh5/clean.py
holds the correct forms: shapecheck reports nothing in them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import torch
from conftest import fixture_path
from helpers import load_module

import shapecheck
from shapecheck.diagnose.repair import _transposed_name
from shapecheck.diagnose.rules.blocks import instance_call, instance_span

CLEAN = Path(fixture_path("fresh5", "clean.py"))
BUGGY = Path(fixture_path("fresh5", "buggy.py"))


def _load(path: Path):
    return load_module(path, f"fresh5_{path.stem}")


BUGGY_MODULE = _load(BUGGY)
CLEAN_MODULE = _load(CLEAN)
BUGS = BUGGY_MODULE.FRESH5_BUGGY
CASES = [(e, b) for e in CLEAN_MODULE.FRESH5_CLEAN for b in e["batches"]]


def _check(path: Path, entry, batch=None):
    no_batch = entry.get("no_batch", False)
    return shapecheck.check(f"{path}:{entry['model']}", list(entry["inputs"]), batch=batch or 2, no_batch=no_batch)


def _text(fix) -> str:
    return f"{fix.description} {fix.after or ''} {fix.code or ''}"


def _real_inputs(entry, batch):
    torch.manual_seed(0)
    args = []
    for spec in entry["inputs"]:
        dims, _, dtype = spec.partition(":")
        per_sample = tuple(int(d) for d in dims.split("x"))
        shape = per_sample if entry.get("no_batch") else (batch, *per_sample)
        args.append(torch.randint(0, 4, shape) if dtype == "long" else torch.randn(shape))
    return args


def _marked(entry):
    """An entry still open (`open`: why) is an expected failure that must fail."""
    marks = [pytest.mark.xfail(reason=entry["open"], strict=True)] if entry.get("open") else []
    return pytest.param(entry, id=entry["model"], marks=marks)


@pytest.mark.parametrize("entry", [_marked(e) for e in BUGS])
def test_each_bug_is_named_and_its_first_verified_fix_keeps_the_intent(entry):
    report = _check(BUGGY, entry, entry.get("batch"))
    assert entry["code"] in [f.code for f in report.findings]
    verified = [x for f in report.findings for x in f.fixes if x.verified]
    if entry["right"] is None:
        assert verified == [], [_text(x) for x in verified]
    else:
        assert verified and entry["right"] in _text(verified[0]), [_text(x) for x in verified]
    assert not [x for x in verified if any(w in _text(x) for w in entry["wrong"])]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(("entry", "batch"), CASES, ids=[f"{e['model']}-b{b}" for e, b in CASES])
def test_each_clean_model_runs_in_pytorch(entry, batch):
    model = getattr(CLEAN_MODULE, entry["model"])().eval()
    with torch.no_grad():
        model(*_real_inputs(entry, batch))


@pytest.mark.parametrize(("entry", "batch"), CASES, ids=[f"{e['model']}-b{b}" for e, b in CASES])
def test_shapecheck_finds_nothing_in_a_clean_model(entry, batch):
    report = _check(CLEAN, entry, batch)
    assert [f"{f.code} {f.layer}: {f.message}" for f in report.findings] == []


# -- the invariants, each with the words it says ------------------------------------------------


def _runs_but(entry_name: str) -> list[str]:
    entry = next(e for e in BUGS if e["model"] == entry_name)
    report = _check(BUGGY, entry, entry.get("batch"))
    return [x.runs_but for f in report.findings for x in f.fixes if x.runs_but]


def test_a_join_moved_off_the_batch_changes_the_rows_per_sample():
    (said,) = [s for s in _runs_but("TwoViewsStackedByBatch") if "torch.cat" in s]
    assert "give [2, 3, 16, 32] where its call (dim 0) gives 4 rows" in said


def test_a_join_moved_off_the_batch_is_kept_where_the_next_layer_is_built_for_the_joined_width():
    """text 24 + image 32 into `nn.Linear(56, …)`: dim 1 was meant, the rows were the slip."""
    entry = next(e for e in BUGS if e["model"] == "MultimodalTowersJoinedByRows")
    (finding,) = _check(BUGGY, entry, 2).findings
    assert finding.fixes[0].verified and finding.fixes[0].after.endswith("self.img(i)], 1))")


def test_a_linear_built_for_flattened_dims_is_not_resized_to_the_last():
    (said,) = _runs_but("FlattenStopsEarly")
    assert said.startswith("sets in_features=4 on `fc`, built for 64·4 = 256")
    assert "the output keeps [64] per sample" in said


def test_a_width_written_from_settings_is_not_overridden():
    (said,) = [s for s in _runs_but("GroupedQueryKeysAsHeads") if "settings" in s]
    assert said.startswith("sets out_features=64 on `k`, written from the model's settings (`n_kv_heads` · `self.hd`)")


def test_positions_permuted_into_the_channels_are_not_verified():
    (said,) = _runs_but("UnetSkipMissingChannels")
    assert said.startswith("moves dim 3 (16, the input's dim 2) where `dec` reads its channels")


def test_the_data_layout_fix_goes_before_a_transpose_in_the_code():
    entry = next(e for e in BUGS if e["model"] == "EdgeListRowsFirst")
    (finding,) = _check(BUGGY, entry).findings
    data, code = finding.fixes[:2]
    assert data.code == "--input 10x16 --input 2x30:int64" and data.verified
    assert code.description.startswith("or, in the code: ") and code.after.strip() == "src, dst = edge_index.t()"


# -- which call on a line built the instance ----------------------------------------------------


@pytest.mark.parametrize(
    ("line", "name", "picked"),
    [
        ("self.blocks = nn.ModuleList([Block(64), Block(64), Block(48)])", "blocks.2", "Block(48)"),
        ("self.f = nn.Sequential(Block(3, 16), nn.ReLU(), Block(16, 64))", "f.2", "Block(16, 64)"),
        ("self.b = Block(32)", "b", "Block(32)"),
        ("self.blocks = nn.ModuleList([Block(c) for c in (64, 48)])", "blocks.1", None),
        ("self.a, self.b = Block(1), Block(2)", "b", None),
        ("self.x = [Block(1), Block(2)] + [Block(3)]", "x.1", None),
    ],
)
def test_the_call_that_built_an_instance_is_picked_or_none(line, name, picked):
    call = instance_call(ast.parse(line), "Block", name.rpartition(".")[2])
    assert (ast.unparse(call) if call is not None else None) == picked
    span = instance_span(line, "Block", name)
    assert (line[span[0] : span[1]] if span else None) == picked


@pytest.mark.parametrize(
    ("before", "after", "name"),
    [
        ("src, dst = edge_index", "src, dst = edge_index.t()", "edge_index"),
        ("h = self.lin(x)", "h = self.lin(x.T)", "x"),
        ("h = self.lin(x)", "h = self.lin(x).t()", None),
        ("h = self.lin(x)", "h = self.lin(x.flatten(1))", None),
    ],
)
def test_a_name_written_transposed_is_read_back(before, after, name):
    assert _transposed_name(before, after) == name
