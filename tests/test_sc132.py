"""SC132 unused-layer: a layer put in a library's model under a name its forward never calls."""

import pytest
from conftest import fixture_path
from helpers import TraceBuilder

import shapecheck
from shapecheck.diagnose import diagnose
from shapecheck.trace.records import Location, UncalledModule

FILE = "rules/sc132_unused_layer.py"


@pytest.mark.parametrize(
    ("model", "spec", "name", "after", "output"),
    [
        (
            "MobileNetFc",
            "3x224x224",
            "backbone.fc",
            "self.backbone.classifier[1] = nn.Linear(1280, num_classes)",
            (1, 10),
        ),
        ("ResNetClassifier", "3x64x64", "net.classifier", "self.net.fc = nn.Linear(512, num_classes)", (1, 5)),
    ],
)
def test_a_head_under_a_name_the_library_never_calls_is_moved_to_its_last_layer(model, spec, name, after, output):
    report = shapecheck.check(fixture_path(f"{FILE}:{model}"), spec)
    (finding,) = report.findings
    assert finding.code == "SC132" and finding.layer == name
    (fix,) = finding.fixes
    assert fix.after.strip() == after
    assert fix.verified is True and fix.result_shape == output


@pytest.mark.parametrize(
    ("model", "spec"),
    [("MobileNetHead", "3x224x224"), ("InceptionAuxHead", "3x299x299"), ("SpareHead", "16")],
)
def test_no_finding_on_a_replaced_head_an_auxiliary_head_or_a_layer_of_the_user_s_own(model, spec):
    report = shapecheck.check(fixture_path(f"{FILE}:{model}"), spec)
    assert report.findings == [], [f.message for f in report.findings]


def _trace_with_uncalled(source: str):
    b = TraceBuilder((1, 1280))
    b.module("backbone", "MobileNetV2", (1, 1000))
    b.module("backbone.classifier.1", "Linear", (1, 1000), attrs={"in_features": 1280, "out_features": 1000})
    b.trace.layers[-1].params = 1_281_000
    b.trace.layers[-1].parent = 0
    where = Location("model.py", 12, source)
    b.trace.uncalled = [
        UncalledModule(
            "backbone.fc", "Linear", 12810, "backbone", "MobileNetV2", {"in_features": 1280, "out_features": 10}, where
        )
    ]
    return b.trace


def test_the_finding_names_the_layer_that_makes_the_output_and_writes_its_path():
    (f,) = diagnose(_trace_with_uncalled("self.backbone.fc = nn.Linear(1280, 10)")).findings
    assert f.message == "`backbone.fc` (Linear 1280 → 10) is never called: `MobileNetV2` has no `fc` in its forward"
    assert "its output comes from `classifier.1` (Linear 1280 → 1000): the model returns [1, 1000]" in f.why
    assert f.fixes[0].after == "self.backbone.classifier[1] = nn.Linear(1280, 10)"


def test_a_line_that_does_not_assign_the_attribute_gets_no_written_fix():
    (f,) = diagnose(_trace_with_uncalled("setattr(self.backbone, name, head)")).findings
    assert f.code == "SC132" and f.fixes == []


def test_a_failed_pass_has_no_uncalled_layers_to_report():
    trace = _trace_with_uncalled("self.backbone.fc = nn.Linear(1280, 10)")
    from shapecheck.trace.records import TraceError

    trace.error = TraceError("RuntimeError", "boom", 1)
    assert not any(f.code == "SC132" for f in diagnose(trace).findings)
