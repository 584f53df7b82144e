"""The fourth hunt of issue 30 on the v3 families (sequence losses, diffusion, ViT, LLM blocks,
reductions, graph index ops, multimodal towers).

fixtures/fresh4/clean.py holds correct models written after public code: shapecheck must report
nothing in them (a finding is a false alarm). fixtures/fresh4/buggy.py holds bug patterns from
public threads: each is found, and a fix marked verified keeps the model's intent: no layer is
built for the positions of one input size (an attention's embed_dim, a LayerNorm or a Linear set
to H·W or to a token count), the features are moved or pooled instead."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import fixture_path
from helpers import load_module

import shapecheck

CLEAN = Path(fixture_path("fresh4", "clean.py"))
BUGGY = Path(fixture_path("fresh4", "buggy.py"))


def _load(path: Path):
    return load_module(path, f"fresh4_{path.stem}")


CLEAN_MODULE = _load(CLEAN)
CASES = [(e, b) for e in CLEAN_MODULE.FRESH4_CLEAN for b in ([None] if e["no_batch"] else e["batches"])]
IDS = [f"{e['model']}-b{b}" for e, b in CASES]


def _check(path: Path, name: str, inputs, **kw):
    return shapecheck.check(f"{path}:{name}", list(inputs), **kw)


def _real_inputs(entry, batch):
    """Random inputs of the traced sizes: ids below 4, `scalar` as one value per sample."""
    torch.manual_seed(0)
    args = []
    for spec in entry["inputs"]:
        dims, _, dtype = spec.partition(":")
        per_sample = () if dims == "scalar" else tuple(int(d) for d in dims.split("x"))
        shape = per_sample if batch is None else (batch, *per_sample)
        args.append(torch.randint(0, 4, shape) if dtype == "long" else torch.randn(shape))
    return args


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(("entry", "batch"), CASES, ids=IDS)
def test_each_clean_model_runs_in_pytorch(entry, batch):
    model = getattr(CLEAN_MODULE, entry["model"])().eval()
    with torch.no_grad():
        model(*_real_inputs(entry, batch))


@pytest.mark.slow
@pytest.mark.parametrize(("entry", "batch"), CASES, ids=IDS)
def test_shapecheck_finds_nothing_in_a_clean_model(entry, batch):
    report = _check(CLEAN, entry["model"], entry["inputs"], batch=batch or 1, no_batch=entry["no_batch"])
    assert [f"{f.code} {f.layer}: {f.message}" for f in report.findings] == []


# -- pairs over the batch that the code asks for ------------------------------------------------


@pytest.mark.parametrize("batch", [1, 3])
def test_a_tensor_paired_with_itself_is_not_a_batch_pairing(batch):
    """RankNet over a batch: `s.view(-1, 1) - s` is every s_i − s_j on purpose."""
    assert _check(CLEAN, "PairwiseRankBatch", ["10", "scalar"], batch=batch).findings == []


def test_two_tensors_paired_are_still_flagged():
    report = _check(BUGGY, "RegressionPairs", ["10", "scalar"], batch=3)
    (finding,) = report.findings
    assert finding.code == "SC122"
    assert finding.fixes[0].verified is True and ".squeeze(1)" in finding.fixes[0].after


def test_pairs_of_one_tensor_read_through_its_views():
    from shapecheck.diagnose.rules.sc122_batch_pairs import _pairs_one_tensor_with_itself

    ok = _check(CLEAN, "PairwiseRankBatch", ["10", "scalar"], batch=3).trace
    subs = [r for r in ok.layers if r.type == "Tensor.sub"]
    assert subs and all(_pairs_one_tensor_with_itself(ok, r) for r in subs)
    bug = _check(BUGGY, "RegressionPairs", ["10", "scalar"], batch=3).trace
    (sub,) = [r for r in bug.layers if r.type == "Tensor.sub"]
    assert not _pairs_one_tensor_with_itself(bug, sub)


@pytest.mark.parametrize("batch", [2, 3])
def test_a_view_that_only_adds_a_unit_dim_does_not_write_the_batch(batch):
    """DeepSurv's risk set: `times.view(1, -1)` of [B] is the row [1, B], not a batch of 1."""
    report = _check(CLEAN, "CoxPartialLikelihood", ["10", "scalar", "scalar:long"], batch=batch)
    assert report.findings == []


# -- no layer built for the positions of one input size -----------------------------------------


def test_attention_given_channels_first_tokens_moves_the_features_last():
    """`t = h.view(b, c, -1)` into a batch-first MultiheadAttention(C): transpose, not embed_dim=H·W."""
    report = _check(BUGGY, "UnetAttnNoTranspose", ["3x6x6"], batch=2)
    (finding,) = report.findings
    assert finding.code == "SC117"
    first = finding.fixes[0]
    assert first.after.strip() == "t = h.view(b, c, -1).transpose(1, 2)" and first.verified is True
    widened = next(f for f in finding.fixes if "embed_dim=36" in f.description)
    assert widened.verified is False
    assert widened.runs_but.startswith("sets embed_dim=36 on `attn`, and 36 follows the input's dims 1 · 2")


def test_a_layer_norm_over_patches_is_not_verified():
    """flatten(2) without transpose(1, 2): [B, D, N] into LayerNorm(D); LayerNorm(N) fits one image size."""
    report = _check(BUGGY, "PatchEmbedNoTranspose", ["3x20x16"], batch=2)
    (finding,) = report.findings
    assert finding.fixes and not any(f.verified for f in finding.fixes)
    assert any("positions, not features" in (f.runs_but or "") for f in finding.fixes)


def test_a_projection_given_a_flattened_map_pools_it_first():
    report = _check(BUGGY, "ImageProjNotPooled", ["3x16x16", "5:long"], batch=3)
    (finding,) = report.findings
    assert finding.code == "SC102"
    pooled, transposed = finding.fixes[:2]
    assert pooled.after.strip() == "i = self.proj(self.conv(image).flatten(2).mean(-1))" and pooled.verified is True
    assert transposed.after.strip().endswith(".flatten(2).transpose(1, 2))")
    resized = next(f for f in finding.fixes if "in_features=16" in f.description)
    assert resized.verified is False and "positions" in resized.runs_but


def test_a_graph_transposed_to_features_by_nodes_is_moved_back():
    report = _check(BUGGY, "GcnLinearOverNodes", ["10x8", "10x10"], no_batch=True)
    (finding,) = report.findings
    first = finding.fixes[0]
    assert first.after.strip() == "return self.lin(h.t())" and first.verified is True
    resized = next(f for f in finding.fixes if "in_features=10" in f.description)
    assert resized.verified is False


def test_a_width_set_to_a_token_count_is_not_verified():
    """mean(-1) over the features of [B, T, D] leaves [B, T]: Linear(T) fits one length only."""
    report = _check(BUGGY, "MeanOverFeatures", ["7:long"], batch=3)
    (finding,) = report.findings
    assert finding.fixes[0].after.strip().endswith(".mean(1))") and finding.fixes[0].verified is True
    resized = next(f for f in finding.fixes if "in_features=7" in f.description)
    assert resized.verified is False
    assert "integer ids" in resized.runs_but


def test_the_datas_own_features_in_place_may_still_set_the_width():
    """[N, 10] node features into Linear(8): in_features=10 reads the data where it has them."""
    report = _check(BUGGY, "TabularMoreFeatures", ["8x10"], no_batch=True)
    (finding,) = report.findings
    assert finding.fixes[0].description == "set in_features=10 on `lin`" and finding.fixes[0].verified is True


# -- every fresh bug is found, and its first fix is the one meant -------------------------------

BUGGY_MODULE = _load(BUGGY)

# model → (rule, text the first fix writes); the first fix must be verified
FIRST_FIX = {
    "CtcBatchFirstLogProbs": ("SC125", "F.ctc_loss(logp.transpose(0, 1), ys + 1, hl, yl)"),
    "CrossEntropyOverTimeLast": ("SC125", "F.cross_entropy(logits.transpose(1, 2), tags)"),
    "Seq2seqUnshiftedTargets": ("SC125", "tgt[:, 1:].reshape(-1)"),
    "TimeEmbNoUnitDims": ("SC112", "self.t_proj(e)[:, :, None, None]"),
    "UpBlockForgetsSkip": ("SC104", "nn.Conv2d(16, c, 3, padding=1)"),
    "UnetAttnNoTranspose": ("SC117", "h.view(b, c, -1).transpose(1, 2)"),
    "PosTableWithoutCls": ("SC112", "torch.zeros(1, n + 1, d)"),
    "ClsTokenNotExpanded": ("SC109", "self.cls_token.expand(x.size(0), -1, -1)"),
    "VitHeadOnAllTokens": ("SC125", "self.head(t).mean(1)"),
    "GqaKvNotRepeated": ("SC128", "k.repeat_interleave(2, dim=1)"),
    "CausalMaskNotCropped": ("SC112", "self.bias[:, :, : att.size(-2), : att.size(-1)]"),
    "RotaryTableNotSliced": ("SC112", "self.cos[: q.size(-2)]"),
    "PoolOverBatchNotTokens": ("SC126", ".mean(1))"),
    "NormalizeWithoutKeepdim": ("SC112", "w.sum(-1)[:, :, None]"),
    "AccuracyArgmaxDim0": ("SC112", "logits.argmax(1) == y"),
    "GatherIndexNotExpanded": ("SC130", ".expand(-1, -1, h.size(2))"),
    "ScatterIndexNotExpanded": ("SC130", "dst.unsqueeze(-1).expand_as(m)"),
    "ClipLogitsNoTranspose": ("SC128", "i @ t.T"),
    "CrossAttnMissingKdim": ("SC117", "kdim=24, vdim=24"),
    "SeqLenLockedAttnPool": ("SC102", "nn.Linear(16, 1)"),
    "ProjectionWidthsDiffer": ("SC128", "nn.Linear(20, 16)"),
    "MeanOverFeatures": ("SC102", ".mean(1))"),
    "LstmGetsFeaturesFirst": ("SC115", "self.lstm(h.transpose(1, 2))"),
    "ImageProjNotPooled": ("SC102", ".flatten(2).mean(-1))"),
    "GcnLinearOverNodes": ("SC102", "self.lin(h.t())"),
    "UnetTimeEmbedWrongWidth": ("SC102", "nn.Linear(32, c)"),
    "RegressionPairs": ("SC122", ".squeeze(1)"),
}
BUGS = {e["model"]: e for e in BUGGY_MODULE.BUGGY}


def _bug(name: str):
    e = BUGS[name]
    return _check(BUGGY, name, e["inputs"], batch=e.get("batch", 1), no_batch=e.get("no_batch", False))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BUGS))
def test_each_fresh_bug_is_found(name):
    assert _bug(name).findings, name


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FIRST_FIX))
def test_the_first_fix_is_the_one_meant(name):
    code, written = FIRST_FIX[name]
    finding = _bug(name).findings[0]
    assert finding.code == code
    first = finding.fixes[0]
    assert written in (first.after or first.code or "") and first.verified is True


def test_a_squeeze_that_adds_features_along_the_width_is_not_offered():
    """Time features [B, 1, 1, 1, C] from timesteps given as [B, 1], beside [B, C, H, W] with W == C:
    dropping the last size-1 dim gives [B, 1, 1, C], which adds the C features along the width
    (and fails at any other width). Provenance of each operand where it was made says so."""
    report = _bug("TimestepsAsColumn")
    pairs = [f for f in report.findings if f.code == "SC122"]
    assert pairs
    assert not any(".squeeze(3)" in (f.after or f.code or "") for f in pairs[0].fixes)
    assert not any(f.verified for f in pairs[0].fixes)


@pytest.mark.parametrize("name", ["ClassCentroidsIndexAdd", "ConfusionByIndexAdd"])
def test_samples_added_into_a_table_by_their_index_keep_no_batch_on_purpose(name):
    """zeros(C, D).index_add_(0, y, z): one slot per class, filled by the samples (SC126 stays quiet)."""
    assert _check(CLEAN, name, ["10", "scalar:long"], batch=3).findings == []


@pytest.mark.parametrize(
    "name", ["VideoFramesLstm", "TransMilBag", "MhaBagSeqFirst", "FramesTemporalConv", "FramesGruTagger"]
)
def test_a_batch_read_as_one_sequence_with_one_answer_is_the_design(name):
    """A clip's frames or a bag's instances given as the batch, a size-1 dim in the layer's batch
    dim, one prediction for all of them: neither SC116 nor SC126."""
    entry = next(e for e in CLEAN_MODULE.FRESH4_CLEAN if e["model"] == name)
    assert _check(CLEAN, name, entry["inputs"], batch=5).findings == []


def test_samples_read_as_one_sequence_with_one_answer_each_are_still_flagged():
    """`lstm(x.unsqueeze(1))` without batch_first, one output per sample: SC116."""
    report = _bug("OneStepSeqFirstLstm")
    assert [f.code for f in report.findings] == ["SC116"]
