"""The worker's messages: plain data as JSON, reports that come back equal, forgeries refused."""

import json
import pickle

import pytest
from conftest import fixture_path

import shapecheck
from shapecheck import wire
from shapecheck.report import CheckResult


@pytest.mark.parametrize(
    ("model", "spec", "options"),
    [
        ("vgg_no_flatten.py", "3x224x224", {}),
        ("vgg_view.py", "3x224x224", {"symbolic": True}),
        ("rules/sc116_batch_first.py:Forecaster", "50x32", {"batch": 4}),
        ("rules/sc109_concat_mismatch.py:UNet", "3x65x65", {}),
    ],
)
def test_reports_come_back_equal(model, spec, options):
    result = CheckResult(model, shapecheck.check(fixture_path(model), spec, **options))
    data = wire.dumps(result)
    json.loads(data)  # plain JSON
    assert wire.loads(data) == result


def test_values_json_cannot_hold_come_back_as_they_went():
    value = {"t": (1, (2, 3)), "s": {4}, "f": frozenset({5}), 7: "int key", "inf": float("inf"), "@": 1}
    assert wire.loads(wire.dumps(value)) == value


@pytest.mark.parametrize(
    "data",
    [
        pickle.dumps(("result", None)),
        b'["result", {"@": "os:system", "command": "touch /tmp/x"}]',
        b'["result", {"@": "shapecheck.__main__:main"}]',
        b'["result", {"@": "shapecheck.cli:Format"}]',
        b'["result", {"@": "shapecheck.report:CheckResult", "name": "x", "evil": 1}]',
        b'["result", {"@": "float", "v": "1e999999"}]',
        b"[" * 10000 + b"]" * 10000,
    ],
)
def test_forged_messages_are_refused(data):
    with pytest.raises(wire.WireError):
        wire.loads(data)


def test_only_data_can_be_sent():
    with pytest.raises(wire.WireError):
        wire.dumps({"f": print})
