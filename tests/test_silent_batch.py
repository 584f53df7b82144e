"""Silent batch bugs that show only at a batch size other than the traced one (issue 30): what
each looks like through the API, on models of fixtures/rules/."""

from conftest import fixture_path

import shapecheck


def test_sc122_pairs_samples_when_the_other_operand_has_a_size_one_input_dim():
    # y [B, 1] is an input whose dim of size 1 provenance doubles: the pairing dim follows it too
    report = shapecheck.check(fixture_path("rules/sc122_batch_pairs.py:SampleWeights"), ["8", "1", "scalar"])
    (finding,) = [f for f in report.findings if f.code == "SC122"]
    assert finding.message.endswith("[1] and [1, 1] broadcast to [1, 1]")
    afters = [f.after for f in finding.fixes]
    assert afters == ["w = sample_w * y.squeeze(1) + 1.0", "w = sample_w.unsqueeze(1) * y + 1.0"]

