"""`shapecheck explain`, seventeenth round (issue 31): a message pasted without its start (an issue title cut
at its tracker's width, a copy that began mid-line) is read by the end of its template when the part lost holds
nothing the reading needs, and names the part lost when it does; it never reads a value it does not have.
"""

from __future__ import annotations

import pytest

from shapecheck.explain import explain
from shapecheck.explain.families import TEMPLATES

CONV = (
    "Given groups=1, weight of size [64, 1, 3, 3], expected input[2, 3, 64, 64] to have 1 channels, "
    "but got 3 channels instead"
)


@pytest.mark.parametrize("cut", [0, 37, 52])  # whole; after `[64, 1, 3, 3], `; inside `input[`
def test_a_conv_message_without_its_start_is_read_from_what_is_left(cut):
    e = explain(CONV[cut:])
    assert e is not None and e.code == "SC104"
    assert "1 input channels received 3" in e.title
    text = e.text()
    assert "without its start" not in text
    # the numbers it reads are the paste's own: nothing invented for the weight it lost
    assert not any(n.startswith("[64, 1") for n, _ in e.numbers) or cut == 0


@pytest.mark.parametrize(
    "paste, code, lost",
    [
        ("9]' is invalid for input of size 802816", "SC113", "shape '…'"),
        ("RuntimeError: e size of tensor b (2) at non-singleton dimension 1", "SC112", "The size of tensor a (…)"),
        ("onal weight [64, 3, 7, 7], but got 3-dimensional input of size [3, 224, 224] instead", "SC105", "Expected"),
    ],
)
def test_a_message_whose_lost_start_holds_a_value_the_reading_needs_says_so(paste, code, lost):
    e = explain(paste)
    assert e is not None and e.code == code
    assert "without its start" in e.title and lost in e.causes[0]
    assert len(e.causes) > 1 and not e.numbers  # no one story, no number read


def test_a_whole_message_is_read_as_before():
    e = explain("RuntimeError: shape '[-1, 400]' is invalid for input of size 384")
    assert e is not None and "without its start" not in e.title and "400" in e.title


def test_an_end_too_short_to_name_its_message_is_not_a_tail():
    conv = next(t for t in TEMPLATES if t.text.startswith("Given groups={groups:int}, weight of size"))
    rests = [conv.text[len(t.head) :] for t in conv.tails]
    assert all(len([w for w in r.split() if len(w.strip("{},:")) >= 3]) >= 3 for r in rests)
    assert not any(r.strip().startswith("but got") for r in rests)
    assert explain("but got 3 channels instead") is None


def test_the_end_must_start_a_line():
    # the same words inside a sentence of prose are not a message that lost its start
    e = explain(
        "I print it and see that the model, as I said, got size 766 but got size 765 for tensor number 1 in the list"
    )
    assert e is None or "without its start" not in e.title
