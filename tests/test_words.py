"""The typed vocabularies read, print and serialise as their words, and refuse other words."""

from __future__ import annotations

import json

import pytest

from shapecheck import wire
from shapecheck.diagnose.findings import Finding, Fix, Safety, Severity
from shapecheck.trace.records import LayerRecord, RowKind, RowStatus
from shapecheck.trace.requests import Edit, EditAction, Rerun


def test_a_member_is_its_word():
    assert Severity.ERROR == "error" and f"{Severity.ERROR}[SC101]" == "error[SC101]"
    assert json.dumps({"severity": Severity.WARNING, "safety": Safety.DISPLAY_ONLY}) == (
        '{"severity": "warning", "safety": "display-only"}'
    )
    assert {"ok": 1}[RowStatus.OK] == 1


def test_records_take_the_word_and_keep_the_member():
    finding = Finding("SC101", "error", "fc", "m", fixes=[Fix("d", safety="safe")])
    row = LayerRecord(0, "fc", "Linear", "module", 0, status="failed")
    assert finding.severity is Severity.ERROR and finding.fixes[0].safety is Safety.SAFE
    assert row.kind is RowKind.MODULE and row.failed
    assert Edit("op_flatten", "view@m.py:3").action is EditAction.OP_FLATTEN


@pytest.mark.parametrize(
    "make",
    [
        lambda: Finding("SC101", "eror", "fc", "m"),
        lambda: Fix("d", safety="mostly safe"),
        lambda: LayerRecord(0, "fc", "Linear", "layer", 0),
        lambda: Edit("insert_befor", "fc"),
    ],
)
def test_a_word_outside_the_vocabulary_fails_where_it_is_made(make):
    with pytest.raises(ValueError):
        make()


def test_the_wire_brings_members_back_and_refuses_other_words():
    fix = Fix("d", safety="unsafe", rerun=Rerun(edits=(Edit("replace", "fc", "Linear"),)))
    sent = [Finding("SC102", "warning", "fc", "m", fixes=[fix]), LayerRecord(0, "x", "view", "op", 0)]
    finding, row = wire.loads(wire.dumps(sent))
    assert finding.severity is Severity.WARNING and finding.fixes[0].safety is Safety.UNSAFE
    assert finding.fixes[0].rerun.edits[0].action is EditAction.REPLACE and row.kind is RowKind.OP
    with pytest.raises(wire.WireError, match="not a Severity"):
        wire.loads(wire.dumps(sent[0]).replace(b'"warning"', b'"fatal"'))
