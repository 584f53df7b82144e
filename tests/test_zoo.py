"""timm and Hugging Face models by name: a fixed sample of each, clean on the meta engine."""

import pytest

import shapecheck
from shapecheck.errors import LoadError

timm = pytest.importorskip("timm")  # in the test extra: CI always has it
transformers = pytest.importorskip("transformers")
# The oldest venv of .ci/run has transformers 4.46.1, whose models differ in ways these tests see.
TRANSFORMERS_4 = int(transformers.__version__.split(".")[0]) < 5

# Every 27th name of timm 1.0.31's sorted list: families of every kind (CNNs, ViTs, hybrids,
# MetaFormers, Mamba-style), at each model's own default input (its pretrained_cfg).
TIMM = [
    "aimv2_1b_patch14_224",
    "caformer_m36",
    "coatnet_3_224",
    "convnext_atto_ols",
    "cpubone_b0_bfrobust",
    "cs3darknet_x",
    "davit_large",
    "densenetblur121d",
    "eca_botnext26ts_256",
    "efficientformer_l7",
    "efficientnet_el_pruned",
    "efficientvim_m4_dist",
    "eva02_large_patch14_clip_224",
    "fastvit_sa36",
    "gcvit_base",
    "halo2botnet50ts_256",
    "hiera_small_abswin_256",
    "inception_resnet_v2",
    "levit_192",
    "mambaout_base_plus_rw",
    "maxvit_tiny_pm_256",
    "mnasnet_050",
    "mobilenetv4_conv_aa_large",
    "mobilevitv2_150",
    "nest_base_jx",
    "nfnet_f4",
    "pvt_v2_b2_li",
    "regnetx_064",
    "regnetz_b16_evos",
    "repvit_m1",
    "resnest50d_4s2x40d",
    "resnet50_gn",
    "resnetrs420",
    "resnext26ts",
    "selecsls60b",
    "seresnext26ts",
    "swin_large_patch4_window12_384",
    "swinv2_cr_tiny_ns_224",
    "tf_efficientnet_b1",
    "tf_efficientnetv2_xl",
    "twins_pcpvt_base",
    "vit_base_patch16_clip_384",
    "vit_base_patch32_384",
    "vit_giant_patch14_reg1_tipsv2",
    "vit_huge_plus_patch16_dinov3_qkvb",
    "vit_large_patch16_siglip_gap_512",
    "vit_pe_spatial_large_patch14_448",
    "vit_small_patch16_rope_mixed_ape_224",
    "vit_so400m_patch16_siglip_384",
    "volo_d1_224",
]

# Text encoders and decoders, encoder-decoders, speech and vision: each architecture's default config.
HF = [
    "bert",
    "roberta",
    "distilbert",
    "albert",
    "electra",
    "gpt2",
    "gpt_neo",
    "llama",
    "mistral",
    "qwen2",
    "gemma",
    "phi",
    "opt",
    "bloom",
    "falcon",
    "t5",
    "bart",
    "mbart",
    "whisper",
    "wav2vec2",
    "vit",
    "deit",
    "swin",
    "convnext",
    "clip",
    "beit",
    "resnet",
    "mobilevit",
    "segformer",
    "dinov2",
]
# Models whose code reads tensor values (`if mask.any()`): they are traced on real tensors.
REAL = {"bart", "mbart"}


@pytest.mark.slow
@pytest.mark.parametrize("name", TIMM)
def test_timm_model_is_clean_at_its_default_input(name):
    report = shapecheck.check(f"timm:{name}")
    assert report.findings == [], [f.message for f in report.findings]
    assert report.engine == "meta", report.engine_note
    assert report.trace.error is None


def test_timm_default_input_is_the_models_own():
    report = shapecheck.check("timm:vit_base_patch32_384")
    assert report.inputs[0].shape == (1, 3, 384, 384)


@pytest.mark.slow
@pytest.mark.parametrize("name", HF)
def test_hf_architecture_is_clean_with_its_default_config(name):
    report = shapecheck.check(f"hf:{name}")
    assert report.findings == [], [f.message for f in report.findings]
    assert report.engine == ("real" if name in REAL else "meta"), report.engine_note
    assert report.trace.error is None


def test_hf_inputs_by_family_and_config_fields_by_arg():
    text = shapecheck.check(
        "hf:llama",
        args={
            "num_hidden_layers": 2,
            "hidden_size": 256,
            "intermediate_size": 512,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
        },
    )
    assert [(i.key, i.shape, i.dtype) for i in text.inputs] == [
        ("input_ids", (1, 128), "int64"),
        ("attention_mask", (1, 128), "int64"),
    ]
    # The default mask stays on meta (a FakeTensor, so transformers skips reading its values);
    # transformers 4 reads it (`torch.all(mask == 1)`), so the real engine, and the note says why.
    assert text.engine == ("real" if TRANSFORMERS_4 else "meta"), text.engine_note
    out = text.trace.layers[0].outputs
    assert out[0].key == "['last_hidden_state']" and out[0].shape == (1, 128, 256)
    assert sum(1 for r in text.layers if r.type == "LlamaDecoderLayer") == 2
    vision = shapecheck.check("hf:vit")
    assert vision.inputs[0].key == "pixel_values" and vision.inputs[0].shape == (1, 3, 224, 224)
    masked = shapecheck.check("hf:bert", ["input_ids=64:long", "attention_mask=64:long"], batch=2)
    assert masked.ok and masked.trace.layers[0].outputs[0].shape == (2, 64, 768)
    assert masked.engine == ("real" if TRANSFORMERS_4 else "meta"), masked.engine_note


@pytest.mark.parametrize(
    "target, message",
    [
        ("timm:resnet5", "'resnet5' is not a timm model name"),
        ("hf:bertt", "'bertt' is not a transformers model type"),
        ("hf:some-org/some-model", "no config.json in the local cache"),
    ],
)
def test_unknown_names_and_downloads_are_refused(target, message):
    with pytest.raises(LoadError, match=message):
        shapecheck.check(target)


@pytest.mark.skipif(TRANSFORMERS_4, reason="transformers 4 runs this config (repeat_kv repeats 0 times): no error")
def test_a_config_whose_heads_do_not_fit_is_a_finding():
    # 4 query heads cannot share 32 key/value heads (grouped-query attention needs 32 | 4).
    report = shapecheck.check(
        "hf:llama",
        args={"num_hidden_layers": 1, "hidden_size": 256, "intermediate_size": 512, "num_attention_heads": 4},
    )
    assert report.errors and report.trace.error is not None


def test_unknown_config_field_is_named():
    with pytest.raises(LoadError, match="the config has no field 'num_hiden_layers'"):
        shapecheck.check("hf:bert", args={"num_hiden_layers": 2})


def test_a_missing_extra_names_the_install_command(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "timm", None)  # as if it were not installed: import fails
    with pytest.raises(LoadError) as err:
        shapecheck.check("timm:resnet50")
    assert "need the timm package" in err.value.message
    assert err.value.hint.startswith("pip install timm (or the 'timm' extra")


def test_t5s_tied_embeddings_are_counted_once():
    import torch
    from transformers import AutoConfig, AutoModel

    with torch.device("meta"):
        model = AutoModel.from_config(AutoConfig.for_model("t5"))
    unique = sum(p.numel() for p in model.parameters())  # parameters() yields a tied tensor once
    report = shapecheck.check("hf:t5")
    assert report.trace.total_params == unique == 60506624
    shared = {r.name: r.attrs.get("shares_weights_with") for r in report.layers if r.kind == "module"}
    if TRANSFORMERS_4:  # one Embedding module in three places: every row is named `shared`
        assert model.encoder.embed_tokens is model.shared and "encoder.embed_tokens" not in shared
    else:
        assert shared["encoder.embed_tokens"] == "shared" and shared["decoder.embed_tokens"] == "shared"


def test_a_folder_with_its_own_model_code_is_refused_for_that_reason(tmp_path, monkeypatch):
    """`auto_map` means the folder's own Python would run (trust_remote_code): not 'no config'."""
    folder = tmp_path / "custom"
    folder.mkdir()
    (folder / "config.json").write_text(
        '{"model_type": "mything", "auto_map": {"AutoModel": "modeling_x.XModel"}}', encoding="utf-8"
    )
    (folder / "modeling_x.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'w')\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LoadError, match=r"defines its model in the folder's own code \(auto_map: modeling_x.XModel\)"):
        shapecheck.check("hf:custom")
    assert not (tmp_path / "ran").exists()
