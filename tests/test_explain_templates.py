"""The template table of `shapecheck explain` and its corpus of real messages.

Every template is filled with its example values and must be read back as its own family; the
corpus (tests/explain_corpus.py, 209 messages from public threads) must keep its score. The
time `explain` takes is measured by benchmarks/explain_score.py, not here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from shapecheck.explain import explain
from shapecheck.explain.explanation import NOT_SHAPE, UNDECODED
from shapecheck.explain.families import TEMPLATES

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.text[:50] for t in TEMPLATES])
def test_every_template_filled_with_its_example_is_read_back(template):
    message = template.fill()
    e = explain(f"Traceback (most recent call last):\n  ...\nRuntimeError: {message}")
    assert e is not None and e.title != UNDECODED, message
    assert e.code == template.code, (message, e.code, e.title)
    assert e.raised_by and (e.causes or e.fixes)


def test_templates_tolerate_how_messages_get_pasted():
    stack = TEMPLATES[0]
    wanted = stack.fill()
    for variant in (
        wanted.upper(),
        wanted.replace(", ", ",").replace(" at ", "  at  "),
        wanted.replace("(", "（").replace(")", "）"),
    ):
        assert explain(variant) is not None and explain(variant).code == "SC109", variant
    assert explain("mat1 and mat2 shapes cannot be multiplied (2×1568 and 1050×10)").code == "SC102"
    assert (
        explain("Given input size :(256*56*52).Calculated output size:(256*1*0).Output size is too small").code
        == "SC107"
    )


def test_messages_that_are_not_about_shapes_say_so():
    e = explain(
        "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"
    )
    assert e is not None and e.code == NOT_SHAPE
    text = e.text()
    assert text.startswith("not a shape problem") and "shapecheck rule" not in text
    assert explain("RuntimeError: expected scalar type Float but found Double").code == NOT_SHAPE


def test_a_batch_sized_row_count_gets_both_readings():
    e = explain("mat1 and mat2 shapes cannot be multiplied (128x784 and 100352x128)")
    assert e.code == "SC102" and len(e.causes) == 2
    assert any("unbatched" in c or "without a batch dim" in c for c in e.causes)
    assert any("skipped" in c for c in e.causes)


def test_the_corpus_of_real_messages_keeps_its_score():
    from explain_corpus import FAMILIES, MESSAGES
    from explain_score import score

    assert len(MESSAGES) >= 200
    for family, message, source in MESSAGES:
        assert family in FAMILIES and message.strip()
        assert re.match(r"https?://[\w.-]+\.\w+/\S+$", source), source
    results, _ = score()
    recognised = sum(r["recognised"] for r in results)
    right = sum(r["right"] for r in results)
    wrong = [r["message"] for r in results if r["wrong"]]
    assert recognised >= 206 and right >= 206
    assert not wrong


def test_explain_never_imports_torch():
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
        "from explain_score import score\n"
        "score()\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code, str(ROOT / "benchmarks"), str(ROOT / "tests")], check=True, cwd=ROOT)
