"""Every rule on its fixtures: the broken form is found, the correct form is clean."""

import pytest

import shapecheck
from conftest import fixture_path

CASES = [
    # (code, fixture, input, expected codes)
    ("SC101", "rules/sc101_missing_flatten.py:Broken", "3x32x32", ["SC101"]),
    ("SC101", "rules/sc101_missing_flatten.py:Silent", "3x32x32", ["SC101"]),
    ("SC101", "rules/sc101_missing_flatten.py:InSequential", "3x32x32", ["SC101"]),
    ("SC101", "rules/sc101_missing_flatten.py:Correct", "3x32x32", []),
    ("SC101", "vgg_no_flatten.py", "3x224x224", ["SC101"]),
    ("SC101", "vgg_no_flatten.py", "3x300x300", ["SC101"]),
    ("SC102", "rules/sc102_in_features.py:Broken", "3x32x32", ["SC102"]),
    ("SC102", "rules/sc102_in_features.py:MlpBroken", "20", ["SC102"]),
    ("SC102", "rules/sc102_in_features.py:Correct", "3x32x32", []),
    ("SC102", "rules/sc102_in_features.py:Correct", "3x100x100", []),
    ("SC102", "vgg_view.py", "3x300x300", ["SC102"]),
    ("SC103", "rules/sc103_size_locked.py:Broken", "3x32x32", ["SC103"]),
    ("SC102", "rules/sc103_size_locked.py:Broken", "3x48x48", ["SC102"]),
    ("SC103", "rules/sc103_size_locked.py:GlobalMean", "3x32x32", []),
    ("SC103", "rules/sc103_size_locked.py:Correct", "3x32x32", []),
    ("SC103", "rules/sc103_size_locked.py:Correct", "3x77x50", []),
    ("SC103", "vgg_view.py", "3x224x224", ["SC103"]),
    ("SC103", "vgg_adaptive.py", "3x224x224", []),
    ("SC103", "vgg_adaptive.py", "3x300x300", []),
    ("SC100", "rules/sc100_unclassified.py:Broken", "3x32x32", ["SC100"]),
    ("SC100", "rules/sc100_unclassified.py:Correct", "3x32x32", []),
]


@pytest.mark.parametrize("code, fixture, size, expected", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_rule_on_fixture(code, fixture, size, expected):
    report = shapecheck.check(fixture_path(fixture), size)
    assert [f.code for f in report.findings] == expected, [f.message for f in report.findings]
    assert report.exit_code() == (1 if any(c != "SC103" for c in expected) else 0)
    for finding in report.findings:
        assert finding.location is not None and finding.location.line > 0
        assert finding.message[0].islower() or finding.message[0] == "`"
        assert not finding.message.endswith(".")


def test_sc103_reports_the_exact_range():
    report = shapecheck.check(fixture_path("rules/sc103_size_locked.py:Broken"), "3x32x32")
    assert any("H = W from 32 to 39" in w for w in report.findings[0].why)


def test_sc102_size_range_and_fix_numbers():
    report = shapecheck.check(fixture_path("rules/sc102_in_features.py:Broken"), "3x32x32")
    (f,) = report.findings
    assert f.message == "`fc` expects 400 input features but receives 1024"
    assert any("H = W from 20 to 23" in w for w in f.why)
    assert f.fixes[0].description.startswith("pool to a fixed size before flattening with "
                                             "`nn.AdaptiveAvgPool2d((5, 5))`")
    assert f.fixes[1].after == "self.fc = nn.Linear(1024, 10)"


def test_sc103_non_square_input_probes_each_dim():
    report = shapecheck.check(fixture_path("rules/sc103_size_locked.py:Broken"), "3x32x36")
    (f,) = report.findings
    assert any("H from 32 to 39 and W from 32 to 39" in w for w in f.why), f.why
