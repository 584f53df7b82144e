"""Every torchvision model, and meta shapes against real-tensor shapes."""

import pytest

import shapecheck
from shapecheck.loading.catalog import named_models

ALL = sorted(named_models())

# Meta and real engines must agree row by row; a sample across families and op styles.
SAMPLE = [
    ("resnet18", None),
    ("mobilenet_v3_small", None),
    ("squeezenet1_1", None),
    ("efficientnet_b0", None),
    ("densenet121", "3x64x64"),
    ("shufflenet_v2_x0_5", None),
    ("vit_b_32", None),
    ("swin_t", "3x96x96"),
    ("convnext_tiny", "3x96x96"),
    ("googlenet", None),
    ("r3d_18", "3x8x56x56"),
    ("lraspp_mobilenet_v3_large", "3x128x128"),
    ("alexnet", "3x100x100"),
]


def _rows(report):
    return [(r.name, r.type, r.call, [i.shape for i in r.inputs], [o.shape for o in r.outputs]) for r in report.layers]


@pytest.mark.parametrize("name, size", SAMPLE, ids=[s[0] for s in SAMPLE])
def test_meta_shapes_equal_real_shapes(name, size):
    meta = shapecheck.check(name, size, engine="meta")
    real = shapecheck.check(name, size, engine="real")
    assert meta.engine == "meta" and real.engine == "real"
    assert meta.trace.error is None and real.trace.error is None
    meta_rows, real_rows = _rows(meta), _rows(real)
    assert len(meta_rows) == len(real_rows)
    for m, r in zip(meta_rows, real_rows, strict=True):
        assert m == r


def test_list_models_covers_torchvision():
    # torchvision 0.29, counted by hand from its model pages: 80 classification, 12 detection,
    # 12 quantized, 9 video, 6 segmentation, 2 optical flow models.
    from collections import Counter

    models = named_models()
    assert Counter(m.family for m in models.values()) == {
        "classification": 80,
        "detection": 12,
        "quantization": 12,
        "video": 9,
        "segmentation": 6,
        "optical_flow": 2,
    }
    assert models["vgg16"].default_inputs == ("3x224x224",)
    detector = models["fasterrcnn_resnet50_fpn"]
    assert detector.default_inputs == ("3x800x800",) and detector.takes_image_list
    assert models["r3d_18"].default_inputs == ("3x16x112x112",)
    assert models["inception_v3"].default_inputs == ("3x299x299",)


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_every_torchvision_model_at_its_default_input(name, no_network):
    report = shapecheck.check(name)
    assert report.trace.error is None, report.trace.error
    assert report.errors == [], [f.message for f in report.errors]
    assert report.warnings == [], [f.message for f in report.warnings]
    assert len(report.layers) > 10
