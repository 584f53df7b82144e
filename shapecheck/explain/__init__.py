"""Decode a pasted PyTorch error message without a model: `shapecheck explain "<message>"`.

No torch here: this must answer in a blink. Every message family is a template in
`families.TEMPLATES` (PyTorch's text with typed fields, where it is raised, the rule, a reading
of its numbers); the first template found in the paste answers.
"""

from __future__ import annotations

import re

from .explanation import UNDECODED, Explanation
from .templates import ints


def explain(message: str) -> Explanation | None:
    """The explanation of a PyTorch error message, or None when it is not one we know."""
    # PyTorch's messages are short and end a traceback: the last 64 KB of a long paste hold
    # them, and every pattern then runs in time linear in what it reads.
    from .context import refine
    from .families import TEMPLATES
    from .paste import clean

    message = message[-_LONGEST:]
    text = clean(message)
    lowered = text.lower()
    for template in TEMPLATES:
        if template.keyword not in lowered:
            continue
        match = template.pattern.search(text)
        if match:
            digits = max((len(d) for d in re.findall(r"\d+", match.group(0))), default=0)
            if digits > 15 or any(abs(n) > _LARGEST for n in ints(match.group(0))):
                return _undecoded(
                    match.group(0),
                    "its numbers are larger than any tensor PyTorch can make, so they are not read as sizes",
                )
            try:
                fields = dict(match.groupdict(), _text=text)
                return refine(template.build(fields), message, match.group(0))
            except (ArithmeticError, ValueError, IndexError, KeyError, TypeError):
                return _undecoded(
                    match.group(0),
                    "its numbers fit no situation shapecheck knows (a size of 0?), so it does not guess at one",
                )
    return _extracted(message, text, lowered)


def _extracted(message: str, text: str, lowered: str) -> Explanation | None:
    """A message of the table extracted from PyTorch's sources (`extract.py`), read by its family."""
    from .context import refine
    from .extracted import find

    try:
        found = find(text, lowered)
    except (ArithmeticError, ValueError, IndexError, KeyError, TypeError):
        return _undecoded(text[-300:], "its numbers fit no situation shapecheck knows, so it does not guess at one")
    if found is None:
        return None
    e, matched = found
    if any(len(d) > 15 for d in re.findall(r"\d+", matched)):
        return _undecoded(
            matched, "its numbers are larger than any tensor PyTorch can make, so they are not read as sizes"
        )
    return refine(e, message, matched)


_LARGEST = 2**48  # beyond any real tensor dim or element count
_LONGEST = 64 * 1024


def _undecoded(text: str, why: str) -> Explanation:
    """A known message whose numbers cannot be read: described, no model invented."""
    return Explanation(
        "SC100",
        UNDECODED,
        "PyTorch",
        causes=[f"the message reads: {text[:300]}", why],
    )
