"""Seeded fuzzing: `explain` and `--input` parsing never crash, whatever the numbers."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.errors import SpecError
from shapecheck.explain import explain
from shapecheck.spec import parse_input

# Every message shape explain reads, with {} for the numbers.
TEMPLATES = [
    "mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
    "a and b must have same reduction dim, but got [{}, {}] X [{}, {}].",
    "Given groups={}, weight of size [{}, {}, {}, {}], expected input[{}, {}, {}, {}] to have {} channels, "
    "but got {} channels instead",
    "expected {}D input (got {}D input)",
    "running_mean should contain {} elements not {}",
    "Given input size: ({}x{}x{}). Calculated output size: ({}x{}x{}). Output size is too small",
    "Calculated padded input size per channel: ({} x {}). Kernel size: ({} x {}). "
    "Kernel size can't be greater than actual input size",
    "Expected more than 1 value per channel when training, got input size torch.Size([{}, {}])",
    "Sizes of tensors must match except in dimension {}. Expected size {} but got size {} for tensor number {} "
    "in the list.",
    "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}",
    "shape '[{}, {}, {}]' is invalid for input of size {}",
    "shape '[{}, {}]' is invalid for input of size {}",
    "shape '[]' is invalid for input of size {}",
    "size mismatch for fc.weight: copying a param with shape torch.Size([{}, {}]) from checkpoint, the shape "
    "in current model is torch.Size([{}, {}]).",
    "Expected input batch_size ({}) to match target batch_size ({}).",
    "size mismatch, m1: [{} x {}], m2: [{} x {}]",
    "input.size(-1) must be equal to input_size. Expected {}, got {}",
    "input must have {} dimensions, got {}",
    "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [{}, {}, {}, {}, {}]",
    "Expected {}-dimensional input for {}-dimensional weight [{}, {}, {}, {}], but got {}-dimensional input "
    "of size [{}, {}, {}] instead",
    "Using a target size (torch.Size([{}])) that is different to the input size (torch.Size([{}, {}]))",
    "was expecting embedding dimension of {}, but got {}",
    "embed_dim must be divisible by num_heads",
]

NUMBERS = st.one_of(st.integers(0, 4), st.integers(0, 100_000), st.integers(0, 10**30), st.sampled_from([-1, 1]))


@settings(max_examples=1500, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template=st.sampled_from(TEMPLATES), numbers=st.lists(NUMBERS, min_size=20, max_size=20))
def test_explain_never_crashes_on_any_numbers(template, numbers):
    message = template.format(*numbers[: template.count("{}")])
    found = explain(message)
    if found is not None:
        assert isinstance(found.text(), str) and found.text()


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(max_size=200))
def test_explain_never_crashes_on_any_text(text):
    found = explain(text)
    assert found is None or isinstance(found.text(), str)


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="0123456789x:,()[] =abcdefglnoqrtu-+.", max_size=40),
        st.lists(st.integers(-5, 10**25), min_size=0, max_size=6).map(lambda d: "x".join(map(str, d))),
    )
)
def test_input_parsing_returns_a_spec_or_one_line_spec_error(text):
    try:
        spec = parse_input(text)
    except SpecError as err:
        assert err.message and "\n" not in err.message
        return
    assert spec.dims and all(1 <= d < 2**31 for d in spec.dims)
    assert parse_input(str(spec)) == spec


@pytest.mark.parametrize(
    "message",
    [
        "mat1 and mat2 shapes cannot be multiplied (0x0 and 0x0)",
        "shape '[]' is invalid for input of size 0",
        "shape '[0, 0]' is invalid for input of size 0",
        "running_mean should contain 0 elements not 0",
        "mat1 and mat2 shapes cannot be multiplied (" + "9" * 40 + "x" + "9" * 40 + " and 3x4)",
        "shape '[-1, " + "9" * 30 + "]' is invalid for input of size " + "9" * 35,
    ],
)
def test_explain_handles_zero_and_huge_numbers(message):
    found = explain(message)
    assert found is None or found.text()


def _drop(rng, numbers, text):
    i = rng.randrange(len(text))
    return text[:i] + text[i + 1 :]


def _double(rng, numbers, text):
    i = rng.randrange(len(text))
    return text[:i] + text[i] + text[i:]


# one way to mutate a message per kind; None for a kind that needs a non-empty text
_KINDS = [
    lambda rng, numbers, text: re.sub(r"\d+", lambda _: rng.choice(numbers), text),
    lambda rng, numbers, text: _drop(rng, numbers, text) if text else None,
    lambda rng, numbers, text: _double(rng, numbers, text) if text else None,
    lambda rng, numbers, text: text.translate(str.maketrans("[]()", "()[]")),
    lambda rng, numbers, text: text[: rng.randrange(len(text) + 1)],
    lambda rng, numbers, text: "E1118 11:34:26.548000 1 x.py:3] [0/0] " + text.replace("\n", "\n[rank0]: "),
    lambda rng, numbers, text: (
        f'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n    y = f(x)\n{text}'
    ),
    lambda rng, numbers, text: (
        text + "\n\nDuring handling of the above exception, another exception occurred:\n\n" + text
    ),
]


def _mutate(rng, numbers, text: str) -> str:
    kind = rng.randrange(9)
    mutated = _KINDS[kind](rng, numbers, text) if kind < len(_KINDS) else None
    if mutated is not None:
        return mutated
    return re.sub(r"\d+", lambda m: str(rng.randrange(-5, 10 ** rng.randrange(1, 18))), text)


def _mutations(seed: int = 31, count: int = 20_000):
    """`count` messages made from the real ones (corpus and held-out sets) and the extracted table:
    numbers replaced (0, 1, -1, huge, many digits), characters dropped, doubled or swapped, brackets
    changed, truncated, prefixed with a log line, wrapped in a traceback or pasted twice."""
    import random
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from explain_corpus import HELD_OUT, MESSAGES
    from explain_heldout import HELD_OUT as ISSUE31
    from explain_heldout import LATER

    from shapecheck.explain.extracted import rows

    rng = random.Random(seed)
    bases = [m for _, m, _ in [*MESSAGES, *HELD_OUT, *ISSUE31, *LATER]]
    bases += [r.text.replace("{}", "7") for r in rows()]
    numbers = ["0", "1", "-1", "2", "3", "64", "197", "99999999999", "1" * 40, "-0", "007"]

    for _ in range(count):
        text = rng.choice(bases)
        for _ in range(rng.randrange(1, 4)):
            text = _mutate(rng, numbers, text)
        yield text


@pytest.mark.slow
def test_twenty_thousand_mutated_real_messages_never_crash():
    # A sweep: 50 s of CPU on one core here (explain's loose matching, extracted.find_loose, is
    # most of it), in the main run only. explain imports no torch, and the venvs of .ci/versions
    # still run the seeded fuzzing above and every corpus and template test.
    for text in _mutations():
        found = explain(text)
        assert found is None or isinstance(found.text(), str), text
